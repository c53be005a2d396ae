"""The transcript search index: real Chroma in temporary folders, the real MiniLM model."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from bot.retrieval.chunking import Chunk, Turn, chunk_turns
from storage.embeddings import MiniLMEmbedding
from storage.search_index import (
    DENSE_WEIGHT,
    LEXICAL_WEIGHT,
    RRF_K,
    LexicalAnalyzer,
    SearchIndex,
    meeting_keywords,
    named_speakers,
    parse_chroma_url,
    slug,
)

MODES = ("hybrid", "dense", "lexical")
ROOT = Path(__file__).resolve().parents[2]


@register_embedding_function
class HashEmbedding(EmbeddingFunction[Documents]):
    """A second, tiny "model" for the test: word-hash vectors of 16 dimensions."""

    model_id = "test-hash-16"

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:
        vectors = []
        for text in input:
            vector = np.full(16, 1e-3, dtype=np.float32)
            for word in text.lower().split():
                vector[hashlib.sha256(word.encode()).digest()[0] % 16] += 1.0
            vectors.append(vector / np.linalg.norm(vector))
        return vectors

    @staticmethod
    def name() -> str:
        return "v1tr0_test_hash"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> HashEmbedding:
        return HashEmbedding()


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedding:
    embedder = MiniLMEmbedding()
    embedder.load()
    return embedder


@pytest.fixture
def index(tmp_path: Path, minilm: MiniLMEmbedding) -> SearchIndex:
    return SearchIndex(path=tmp_path / "chroma", embedding=minilm)


def chunks_of(*lines: tuple[str, str]) -> list[Chunk]:
    """One chunk per (speaker, text) line: small windows keep the assertions exact."""
    turns = [Turn(i, speaker, i * 30.0, i * 30.0 + 25.0, text)
             for i, (speaker, text) in enumerate(lines)]
    return [chunk for turn in turns for chunk in chunk_turns([turn])]


LAUNCH = chunks_of(
    ("Ana", "We decided to postpone the product launch until next spring."),
    ("Bo", "The quarterly invoice for Acme goes out on the first Monday."),
    ("Ana", "Our designers prefer the blue palette for the landing page."),
)
BUDGET = chunks_of(
    ("Cy", "The redesign budget is twelve thousand dollars and we have spent half."),
    ("Di", "The mobile app crashes when the user uploads a large photo."),
)
OTHER_TENANT = chunks_of(
    ("Eve", "Secret merger with Globex is planned for the quarterly review."),
    ("Eve", "The quarterly invoice for Acme goes out on the first Monday."),
)


def ids(hits: list[Any]) -> list[str]:
    return [hit.chunk.chunk_id for hit in hits]


async def fill(index: SearchIndex) -> None:
    # Workspace 1: project 7 has meetings 42 (transcript 100) and 43 (transcript 101);
    # project 8 has meeting 44 (transcript 102). Workspace 2 reuses the same project ids.
    await index.replace_transcript(1, 7, 42, 100, LAUNCH)
    await index.replace_transcript(1, 7, 43, 101, BUDGET)
    await index.replace_transcript(1, 8, 44, 102, chunks_of(
        ("Fay", "The product launch of the other client is in March."),
        ("Gus", "We pay the hosting invoice every quarter."),
    ))
    await index.replace_transcript(2, 7, 42, 200, OTHER_TENANT)


async def test_chunks_and_their_metadata_round_trip(index: SearchIndex) -> None:
    assert await index.replace_transcript(1, 7, 42, 100, LAUNCH) == 3
    [hit] = await index.search(1, "quarterly invoice Acme", k=1, mode="lexical")
    chunk = hit.chunk
    assert (chunk.chunk_id, chunk.workspace_id, chunk.project_id, chunk.meeting_id,
            chunk.transcript_id) == ("t100-c1", 1, 7, 42, 100)
    assert (chunk.first_segment, chunk.last_segment, chunk.speakers) == (1, 1, ("Bo",))
    assert (chunk.start, chunk.end) == (30.0, 55.0)
    assert chunk.text == "Bo: The quarterly invoice for Acme goes out on the first Monday."


async def test_a_workspace_never_sees_another_workspaces_chunks(index: SearchIndex) -> None:
    await fill(index)
    for mode in MODES:
        hits = await index.search(1, "secret merger with Globex", mode=mode, k=50)
        assert all(hit.chunk.workspace_id == 1 for hit in hits)
        assert not any("Globex" in hit.chunk.text for hit in hits)
        hits = await index.search(2, "quarterly invoice for Acme", mode=mode, k=50)
        assert {hit.chunk.transcript_id for hit in hits} == {200}
    assert await index.search(3, "anything") == []  # a workspace with nothing indexed


async def test_project_and_meeting_filters_hold_in_every_mode(index: SearchIndex) -> None:
    await fill(index)
    for mode in MODES:
        hits = await index.search(1, "product launch invoice", project_id=8, mode=mode, k=50)
        assert hits and {hit.chunk.project_id for hit in hits} == {8}
        hits = await index.search(1, "product launch invoice", project_id=7, mode=mode, k=50)
        assert hits and {hit.chunk.project_id for hit in hits} == {7}
        hits = await index.search(1, "budget redesign dollars", meeting_id=43, mode=mode, k=50)
        assert hits and {hit.chunk.meeting_id for hit in hits} == {43}
        assert hits[0].chunk.chunk_id == "t101-c0"
        hits = await index.search(1, "budget redesign dollars", project_id=7, meeting_id=42,
                                  mode=mode, k=50)
        assert {(hit.chunk.project_id, hit.chunk.meeting_id) for hit in hits} <= {(7, 42)}
        assert await index.search(1, "product launch", project_id=99, mode=mode) == []


async def test_an_exact_phrase_ranks_its_chunk_first(index: SearchIndex) -> None:
    await fill(index)
    for mode in ("lexical", "hybrid"):
        hits = await index.search(1, "quarterly invoice for Acme", mode=mode)
        assert hits[0].chunk.chunk_id == "t100-c1"
        assert hits[0].lexical_rank == 1
    [hit] = await index.search(1, "quarterly invoice for Acme", mode="hybrid", k=1)
    assert hit.dense_rank is not None and hit.dense_similarity is not None
    assert hit.score == pytest.approx(DENSE_WEIGHT / (RRF_K + hit.dense_rank)
                                      + LEXICAL_WEIGHT / (RRF_K + 1))


async def test_a_paraphrase_is_found_by_meaning(index: SearchIndex) -> None:
    await fill(index)
    query = "Was the release date pushed back?"  # no word in common with the chunk
    assert "t100-c0" not in ids(await index.search(1, query, mode="lexical"))
    hits = await index.search(1, query, mode="dense", project_id=7)
    assert hits[0].chunk.chunk_id == "t100-c0"
    assert hits[0].dense_rank == 1 and hits[0].lexical_rank is None
    hits = await index.search(1, "Which colours did the designers like?", mode="dense")
    assert hits[0].chunk.chunk_id == "t100-c2"


async def test_weights_and_k_shape_the_fusion(index: SearchIndex) -> None:
    await fill(index)
    hits = await index.search(1, "invoice", k=2)
    assert len(hits) == 2
    lexical_only = await index.search(1, "invoice", dense_weight=0.0, k=10)
    assert all(hit.lexical_rank is not None for hit in lexical_only[:2])
    scores = [hit.score for hit in await index.search(1, "invoice", k=10)]
    assert scores == sorted(scores, reverse=True)
    with pytest.raises(ValueError):
        await index.search(1, "invoice", mode="fuzzy")  # type: ignore[arg-type]
    assert await index.search(1, "   ") == []


def conversation(*lines: tuple[str, str]) -> list[Chunk]:
    """One chunk holding every (speaker, text) line."""
    turns = [Turn(i, speaker, i * 10.0, i * 10.0 + 8.0, text)
             for i, (speaker, text) in enumerate(lines)]
    [chunk] = chunk_turns(turns)
    return [chunk]


async def test_a_question_naming_someone_prefers_what_they_said(index: SearchIndex) -> None:
    # Ana speaks in both chunks; Bo says "budget" more often, Ana says most of the second.
    await index.replace_transcript(1, 7, 42, 100, [
        *conversation(("Ana", "Right."),
                      ("Bo", "The budget is tight, the budget for servers is gone, budget.")),
        *conversation(("Ana", "I reviewed the budget and we can still afford two new servers "
                              "this quarter if the hosting contract stays as it is."),
                      ("Bo", "Okay."))])
    question = "What did Ana say about the budget?"
    unweighted = await index.search(1, question, mode="lexical", speaker_weight=0.0)
    assert ids(unweighted) == ["t100-c0", "t100-c1"]
    weighted = await index.search(1, question, mode="lexical")
    assert ids(weighted) == ["t100-c1", "t100-c0"]
    # Nobody named: the speakers play no part.
    assert ids(await index.search(1, "the budget", mode="lexical")) == ["t100-c0", "t100-c1"]


def test_named_speakers() -> None:
    speakers = ["Ana García", "Project Manager", "PhD C", "Bo"]
    assert named_speakers("¿Qué dijo ana garcia del presupuesto?", speakers) == {"Ana García"}
    assert named_speakers("What did Ana think?", speakers) == {"Ana García"}
    assert named_speakers("what did the project manager decide?", speakers) == {
        "Project Manager"}
    assert named_speakers("What did C think about the recording setup?", speakers) == {
        "PhD C"}
    assert named_speakers("Bo, what about the budget?", speakers) == {"Bo"}
    # A capitalised first word is just the start of a sentence; "ana" alone may be a word.
    assert named_speakers("Project status, please", speakers) == frozenset()
    assert named_speakers("what did ana say", speakers) == frozenset()


async def test_words_about_the_talk_do_not_outweigh_the_subject(index: SearchIndex) -> None:
    await index.replace_transcript(1, 7, 42, 100, chunks_of(
        ("Ana", "Let's discuss it later, we discussed it enough, end of the discussion."),
        ("Bo", "The hosting budget is twelve thousand dollars."),
    ))
    hits = await index.search(1, "What did we discuss about the budget?", mode="lexical")
    assert ids(hits) == ["t100-c1"]
    # A question made only of such words still searches them.
    hits = await index.search(1, "the discussion", mode="lexical")
    assert ids(hits) == ["t100-c0"]
    analyzer = LexicalAnalyzer()
    assert analyzer.query("¿Qué decidimos en la reunión sobre el lanzamiento?") == ["lanzamiento"]
    assert LexicalAnalyzer(talk_words="").query("we discussed the budget") == [
        "discuss", "budget"]


async def test_what_a_meeting_was_about_tells_apart_meetings_of_a_series(
        tmp_path: Path, minilm: MiniLMEmbedding) -> None:
    # Two meetings of one project talk budget; only the first is the functional design one.
    design = chunks_of(("Ana", "This is the functional design meeting, functional needs first."),
                       ("Bo", "The functional spec lists what the remote must do."),
                       ("Ana", "Then the budget for the remote."))
    review = chunks_of(("Cy", "The budget, the budget: twelve euros for each remote."),
                       ("Di", "Wood or plastic for the case?"),
                       ("Cy", "Wood feels nicer; wood it is."))
    question = "What did they say about the budget when discussing the functional design?"
    ranks = {}
    for keywords in (0, 40):
        index = SearchIndex(path=tmp_path / f"chroma-{keywords}", embedding=minilm,
                            keywords=keywords)
        await index.replace_transcript(1, 7, 42, 100, design)
        await index.replace_transcript(1, 7, 43, 101, review)
        hits = await index.search(1, question, mode="lexical", project_id=7)
        ranks[keywords] = [h.chunk.chunk_id for h in hits
                           if "budget" in h.chunk.text.lower()]
    assert ranks[0] == ["t101-c0", "t100-c2"]  # plain BM25: the meeting that says it twice
    assert ranks[40] == ["t100-c2", "t101-c0"]  # the design meeting's budget talk first
    assert meeting_keywords([42, 42, 43], [["function", "function"], ["remot"],
                                           ["remot", "wood", "wood"]]) == {
        42: ["function"], 43: ["wood"]}


async def test_reindexing_replaces_instead_of_adding(index: SearchIndex) -> None:
    await index.replace_transcript(1, 7, 42, 100, LAUNCH)
    await index.replace_transcript(1, 7, 42, 100, LAUNCH)
    collection = index.client.get_collection(index.collection_name(1))
    assert collection.count() == 3
    assert await index.count(1, transcript_id=100) == 3
    # Fewer chunks the second time: the old extra ones are gone, also from BM25.
    await index.replace_transcript(1, 7, 42, 100, LAUNCH[:1])
    assert collection.count() == 1
    assert await index.search(1, "quarterly invoice Acme", mode="lexical") == []
    assert await index.replace_transcript(1, 7, 42, 100, []) == 0
    assert collection.count() == 0


async def test_deletes(index: SearchIndex) -> None:
    await fill(index)
    assert await index.search(1, "quarterly invoice Acme", mode="lexical")  # BM25 now cached
    await index.delete_transcript(1, 100)
    assert await index.count(1, transcript_id=100) == 0
    assert await index.count(1) == 4
    for mode in MODES:
        assert all(hit.chunk.transcript_id != 100
                   for hit in await index.search(1, "quarterly invoice Acme", mode=mode))
    await index.delete_meeting(1, 43)
    await index.delete_project(1, 8)
    assert await index.count(1) == 0
    assert await index.count(2) == 2  # the other workspace is untouched
    await index.delete_workspace(2)
    assert await index.count(2) == 0
    assert await index.search(2, "invoice") == []
    await index.delete_transcript(5, 1)  # nothing there: no error


async def test_two_embedding_models_never_share_a_collection(tmp_path: Path,
                                                             minilm: MiniLMEmbedding) -> None:
    path = tmp_path / "chroma"
    with_minilm = SearchIndex(path=path, embedding=minilm)
    with_hash = SearchIndex(path=path, embedding=HashEmbedding())
    assert with_minilm.collection_name(1) == "v1tr0-w1-all-minilm-l6-v2-onnx-int8"
    assert with_hash.collection_name(1) == "v1tr0-w1-test-hash-16"
    await with_minilm.replace_transcript(1, 7, 42, 100, LAUNCH)
    await with_hash.replace_transcript(1, 7, 43, 101, BUDGET)
    assert await with_minilm.count(1) == 3 and await with_hash.count(1) == 2
    names = sorted(collection.name for collection in with_minilm.client.list_collections())
    assert names == ["v1tr0-w1-all-minilm-l6-v2-onnx-int8",
                     "v1tr0-w1-all-minilm-l6-v2-onnx-int8-lines", "v1tr0-w1-test-hash-16",
                     "v1tr0-w1-test-hash-16-lines"]
    assert {hit.chunk.transcript_id for hit in await with_hash.search(1, "budget", k=50)} == {101}
    # Deleting a workspace removes its vectors for every model.
    await with_minilm.delete_workspace(1)
    assert with_minilm.client.list_collections() == []


async def test_another_index_on_the_same_store_sees_writes(tmp_path: Path,
                                                           minilm: MiniLMEmbedding) -> None:
    # Two processes sharing a Chroma server look like this: each keeps its own BM25 copy.
    path = tmp_path / "chroma"
    reader = SearchIndex(path=path, embedding=minilm)
    writer = SearchIndex(path=path, embedding=minilm)
    await writer.replace_transcript(1, 7, 42, 100, LAUNCH)
    assert ids(await reader.search(1, "budget dollars", mode="lexical")) == []
    await writer.replace_transcript(1, 7, 43, 101, BUDGET)
    assert ids(await reader.search(1, "budget dollars", mode="lexical")) == ["t101-c0"]


def test_a_new_process_sees_the_chunks(tmp_path: Path, minilm: MiniLMEmbedding) -> None:
    path = tmp_path / "chroma"
    SearchIndex(path=path, embedding=minilm).replace_transcript_sync(1, 7, 42, 100, LAUNCH)
    script = textwrap.dedent(f"""
        from pathlib import Path
        from storage.embeddings import MiniLMEmbedding
        from storage.search_index import SearchIndex
        index = SearchIndex(path=Path({str(path)!r}), embedding=MiniLMEmbedding())
        hits = index.search_sync(1, "designers blue palette", k=1)
        print(index.count_sync(1), hits[0].chunk.chunk_id, hits[0].dense_rank)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=ROOT, timeout=120, check=True)
    assert result.stdout.split() == ["3", "t100-c2", "1"]


def test_processes_writing_one_folder_at_once_leave_it_whole(tmp_path: Path) -> None:
    # A worker and `v1tr0 ingest` index into the same embedded Chroma at the same time.
    path = tmp_path / "chroma"
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from storage.search_index import SearchIndex
        from tests.storage.test_search_index import HashEmbedding, chunks_of
        index = SearchIndex(path=Path({str(path)!r}), embedding=HashEmbedding())
        base = int(sys.argv[1])
        for n in range(24):
            t = base + n
            said = [f"line {{t}} {{i}} about topic{{i}}" for i in range(100)]
            index.replace_transcript_sync(1, 7, t, t, chunks_of(*[("Ana", s) for s in said]),
                                          lines=list(enumerate(said)))
            if n % 3 == 2:
                index.delete_transcript_sync(1, t - 1)
    """)
    writers = [subprocess.Popen([sys.executable, "-c", script, str(base)], cwd=ROOT,
                                stderr=subprocess.PIPE, text=True) for base in (100, 200)]
    for writer in writers:
        assert writer.wait(timeout=180) == 0, writer.stderr.read() if writer.stderr else ""
    kept = {base + n for base in (100, 200) for n in range(24) if n % 3 != 1}
    reader = SearchIndex(path=path, embedding=HashEmbedding())
    assert reader.transcript_ids_sync(1) == kept
    for transcript in kept:
        assert len(reader.line_vectors_sync(1, transcript, range(100))) == 100, transcript
    assert reader.search_sync(1, "line 214 3 about topic3", k=1)[0].chunk.transcript_id == 214


def test_lexical_analyzer_folds_accents_stems_and_drops_stop_words() -> None:
    analyzer = LexicalAnalyzer()
    assert analyzer("The meetings were rescheduled, um, to Friday") == [
        "meet", "reschedul", "friday"]
    assert analyzer("La reunión de las cuentas") == analyzer("la REUNION de las cuentas")
    assert "de" not in analyzer("la reunión de las cuentas")
    assert analyzer("Phase 2 of Q3") == ["phase", "2", "q3"]
    assert analyzer("Decidimos en la reunión", "es") == analyzer("decidió la REUNION", "es")


async def test_spanish_transcripts_are_stemmed_as_spanish(index: SearchIndex) -> None:
    tienda = chunks_of(("Lucía", "Lanzamos la tienda el quince de marzo."),
                       ("Pablo", "Revisamos los colores del logotipo."))
    launch = chunks_of(("Ana", "The store launches in March."))
    await index.replace_transcript(1, 7, 42, 100, tienda, language="es-ES")
    await index.replace_transcript(1, 7, 43, 101, launch)

    # "lanzó" and "Lanzamos" share only their Spanish stem; English words keep theirs.
    hits = await index.search(1, "¿cuándo lo lanzó?", mode="lexical")
    assert [h.chunk.text for h in hits] == ["Lucía: Lanzamos la tienda el quince de marzo."]
    assert hits[0].chunk.language == "es"
    assert [h.chunk.transcript_id for h in await index.search(1, "launched",
                                                                mode="lexical")] == [101]
    # Which languages a project's meetings were held in tells what to translate a question to.
    await index.replace_transcript(1, 8, 44, 102, launch)
    assert await index.languages(1) == {"en", "es"}
    assert await index.languages(1, 7) == {"en", "es"}
    assert await index.languages(1, 8) == {"en"}
    assert await index.languages(1, 9) == set() and await index.languages(2) == set()
    # Stemmed as English, the Spanish forms do not meet.
    await index.replace_transcript(1, 7, 42, 100, tienda, language="en")
    assert await index.search(1, "¿cuándo lo lanzó?", mode="lexical") == []


def test_collection_names_and_urls() -> None:
    assert slug("openai:text-embedding-3-small") == "openai-text-embedding-3-small"
    assert parse_chroma_url("http://chroma:8000") == ("chroma", 8000, False)
    assert parse_chroma_url("https://vectors.example.org") == ("vectors.example.org", 443, True)
    assert parse_chroma_url("localhost:9000") == ("localhost", 9000, False)
    with pytest.raises(ValueError):
        parse_chroma_url("ftp://chroma")
    with pytest.raises(ValueError):
        SearchIndex(embedding=HashEmbedding())


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    """A real Chroma server (the one chromadb ships) on a free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    chroma = Path(sys.executable).parent / "chroma"
    process = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
         "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_a_chroma_server_works_the_same(chroma_server: str,
                                              minilm: MiniLMEmbedding) -> None:
    index = SearchIndex(url=chroma_server, embedding=minilm)
    await fill(index)
    hits = await index.search(1, "quarterly invoice for Acme", project_id=7)
    assert hits[0].chunk.chunk_id == "t100-c1"
    assert all(hit.chunk.workspace_id == 1 and hit.chunk.project_id == 7 for hit in hits)
    await index.replace_transcript(1, 7, 42, 100, LAUNCH)
    assert await index.count(1) == 7
    await index.delete_workspace(1)
    assert await index.count(1) == 0 and await index.count(2) == 2
