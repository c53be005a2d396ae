"""The transcript search index: Chroma for dense vectors, BM25 for words, fused by rank.

Layout. One Chroma collection per workspace and per embedding model,
``v1tr0-w{workspace_id}-{model slug}``: a workspace can only ever search its own
collection, so no filter can leak another tenant's chunks, and vectors from two models never
share a space. Each chunk carries its project, meeting, transcript, first and last segment,
speakers and times as metadata; project and meeting filters are applied here, in code (a
Chroma ``where`` on the dense side, a mask on the BM25 side, and a final check on both).

Lexical side. An in-memory ``bm25s`` index per workspace, built from that workspace's chunks
as stored in Chroma the first time it is searched, and rebuilt after any write. Writes also
stamp a new ``generation`` on the collection, so another process sharing a Chroma server
notices on its next search that its copy is stale.

Fusion. Weighted reciprocal-rank fusion:
``score = dense_weight / (rrf_k + dense_rank) + lexical_weight / (rrf_k + lexical_rank)``,
a missing rank contributing nothing. A question that names somebody who speaks in the
candidates ("what did Ana think about the budget?") then multiplies each chunk's score by
``1 + speaker_weight * share``, where ``share`` is the part of the chunk's speech that person
said. The default weights are tuned on QMSum val only.

Meeting keywords. Each chunk's BM25 document also holds its meeting's most distinctive
words (:func:`meeting_keywords`), so a question that names what a meeting was about ("...
when discussing the functional design") prefers that meeting's chunks over those of its
siblings in a series, which share most of their vocabulary.

Query words. Words about the talk itself ("discuss", "summarize", "said", "decide",
"reunión", ...) match every meeting a little and the asked-about one no better, so the BM25
side drops them from a query that has other words (:meth:`LexicalAnalyzer.query`).

Every Chroma call blocks, so each public ``async`` method runs its ``*_sync`` twin in a
worker thread; benchmark scripts can call the ``*_sync`` methods directly.

Example:
    >>> index = SearchIndex(path=Path("data/chroma"), embedding=MiniLMEmbedding())  # doctest: +SKIP
    >>> await index.replace_transcript(1, 7, 42, 99, chunks)                        # doctest: +SKIP
    >>> hits = await index.search(1, "when is the launch?", project_id=7)          # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import fcntl
import functools
import heapq
import logging
import math
import os
import re
import threading
import unicodedata
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, Literal, ParamSpec, Protocol, TypeVar
from urllib.parse import urlsplit

import bm25s
import bm25s.stopwords
import chromadb
import numpy as np
import Stemmer
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.config import Settings
from chromadb.errors import InternalError, NotFoundError

log = logging.getLogger("v1tr0.search")
Mode = Literal["hybrid", "dense", "lexical"]

# Fusion defaults, tuned by bench/retrieval.py --tune on QMSum val only (never anything else):
# BM25 ranks count twice as much as dense ones (MiniLM lags BM25 on meeting speech there).
DENSE_WEIGHT = 0.5
LEXICAL_WEIGHT = 1.0
# Lower than the usual 60 (Cormack et al., 2009): the top ranks of each side count more.
RRF_K = 20
# A chunk all said by the person a question names scores 1.25 times as much.
SPEAKER_WEIGHT = 0.25
# Distinctive words of its meeting added to each chunk's BM25 document (10-80 all helped).
MEETING_KEYWORDS = 40

_PAGE = 2000  # chunks per Chroma request when reading a whole workspace back
# Questions whose vector is kept: `ask` needs it for the search and again to rank lines, and
# with an embeddings API each saved vector is a saved request.
_QUERY_VECTORS = 256
_WRITE_BATCH = 1000  # below Chroma's max batch size (5461 embedded)
EMBED_BATCH = 512  # texts embedded between two progress reports
_SPEAKER_SEPARATOR = "|"

# Spanish stop words that are also English content words: keep them searchable.
_NOT_STOPWORDS = {"sea", "son", "era", "eras", "solo"}
# Speech fillers: frequent in transcripts, never what anybody searches for.
_FILLERS = ("um", "uh", "uhm", "hmm", "mm", "mhm", "erm")
_TOKEN = re.compile(r"\w+")
# Words about the talk rather than its subject, in both languages the bot speaks.
TALK_WORDS = (
    "summarize summarise summary discuss discussed discussing discussion talk talked talking "
    "say said mention mentioned think thought opinion decide decided decision conclusion "
    "agree agreed disagree propose proposed recommend describe description meeting group "
    "team member members "
    "resume resumir resumen discutir discutimos discutieron discusion hablar hablamos "
    "hablaron hablo decir dijo dijeron mencionar menciono pensar penso piensa opino "
    "decidir decidimos decidieron acordar acordamos acordaron proponer "
    "propuso recomendar recomendo describir reunion reuniones equipo grupo")


def _fold(text: str) -> str:
    """Lowercase without accents, so "reunión" and "reunion" are the same word."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def default_stopwords() -> frozenset[str]:
    """English and Spanish stop words (bm25s' lists, accents folded) plus speech fillers."""
    words = {_fold(word) for word in bm25s.stopwords.STOPWORDS_EN_PLUS}
    words |= {_fold(word) for word in bm25s.stopwords.STOPWORDS_SPANISH} - _NOT_STOPWORDS
    return frozenset(words | set(_FILLERS))


class LexicalAnalyzer:
    """Text to BM25 terms: fold case and accents, split words, drop stop words, stem.

    Each text is stemmed in its own language (Snowball's Spanish stemmer for ``es``, so
    "decidimos" and "decidió" meet; English for ``en`` and anything else), and a question
    in every language the index holds, its terms joined: stems only need to agree between
    a question and the texts of the same language.

    Args:
        stemmer_language: The PyStemmer algorithm for English and unknown languages
            (``english``), or None for no stemming at all.
        stopwords: Words to drop; default :func:`default_stopwords`.
        talk_words: Words about the talk that :meth:`query` drops; default
            :data:`TALK_WORDS` (an empty string keeps every word of a question).
    """

    def __init__(self, *, stemmer_language: str | None = "english",
                 stopwords: Iterable[str] | None = None, talk_words: str = TALK_WORDS) -> None:
        self._algorithms = ({"en": stemmer_language, "es": "spanish"} if stemmer_language
                            else {})
        self._stemmers: dict[str, Stemmer.Stemmer] = {}
        self._stopwords = (frozenset(_fold(word) for word in stopwords)
                           if stopwords is not None else default_stopwords())
        self._lock = threading.Lock()  # a PyStemmer object must not be shared across threads
        self._talk_words = talk_words
        self._talk_terms: dict[str, frozenset[str]] = {}

    def __call__(self, text: str, language: str = "en") -> list[str]:
        algorithm = self._algorithms.get(language, self._algorithms.get("en"))
        # Spanish suffixes carry accents ("decidió"): that stemmer reads the words as
        # written and its stems are folded after. English ones are folded first, as always.
        as_written = algorithm not in (None, "english")
        words = [word for word in _TOKEN.findall(
                     unicodedata.normalize("NFC", text).lower() if as_written else _fold(text))
                 if (folded := _fold(word) if as_written else word) not in self._stopwords
                 and (len(folded) > 1 or folded.isdigit())]
        if algorithm is None or not words:
            return words
        with self._lock:
            stemmer = self._stemmers.get(algorithm)
            if stemmer is None:
                stemmer = self._stemmers[algorithm] = Stemmer.Stemmer(algorithm)
            stems = stemmer.stemWords(words)
        return [_fold(stem) for stem in stems] if as_written else stems

    def query(self, text: str, languages: Iterable[str] = ("en",)) -> list[str]:
        """A question's terms in each of ``languages``, without the words about the talk
        (unless nothing else is left).

        Example:
            >>> LexicalAnalyzer().query("What did we decide about the launch date?")
            ['launch', 'date']
        """
        wanted = sorted(set(languages)) or ["en"]
        # Every language keeps the same words, in order: each word's distinct stems, so a
        # word said twice still counts twice and one stemmed alike in both counts once.
        terms = [term for stems in zip(*(self(text, language) for language in wanted),
                                       strict=True)
                 for term in dict.fromkeys(stems)]
        talk: set[str] = set()
        for language in wanted:
            if language not in self._talk_terms:
                self._talk_terms[language] = frozenset(self(self._talk_words, language))
            talk |= self._talk_terms[language]
        return [term for term in terms if term not in talk] or terms


class Chunk(Protocol):
    """What is indexed for a window of a transcript.

    ``bot.retrieval.chunking.Chunk`` has this shape; it is restated here because ``storage``
    never imports ``bot`` (imports go ``bot -> storage``).
    """

    @property
    def text(self) -> str: ...
    @property
    def first_segment(self) -> int: ...
    @property
    def last_segment(self) -> int: ...
    @property
    def speakers(self) -> tuple[str, ...]: ...
    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...


@dataclass(frozen=True, slots=True)
class IndexedChunk:
    """A chunk as stored: where it comes from, and its text.

    ``start`` and ``end`` are seconds into the meeting; ``first_segment`` and
    ``last_segment`` are the positions of its first and last transcript segment.
    """

    chunk_id: str
    workspace_id: int
    project_id: int
    meeting_id: int
    transcript_id: int
    first_segment: int
    last_segment: int
    speakers: tuple[str, ...]
    start: float
    text: str
    end: float = 0.0
    language: str = "en"


@dataclass(frozen=True, slots=True)
class Hit:
    """A search result: the chunk, its fused score and its rank on each side (1 = best).

    ``dense_similarity`` is the cosine similarity to the query when the dense side found it,
    ``lexical_score`` the BM25 score when the lexical side did.
    """

    chunk: IndexedChunk
    score: float
    dense_rank: int | None
    lexical_rank: int | None
    dense_similarity: float | None = None
    lexical_score: float | None = None


@dataclass(slots=True)
class _Lexical:
    """A workspace's BM25 index and the chunks it was built from, in the same order."""

    generation: str | None
    chunks: list[IndexedChunk]
    project_ids: np.ndarray
    meeting_ids: np.ndarray
    bm25: bm25s.BM25 | None
    languages: frozenset[str] = frozenset({"en"})
    project_languages: frozenset[tuple[int, str]] = frozenset()  # (project, language) pairs


def slug(text: str) -> str:
    """Lowercase letters, digits and single dashes: safe inside a collection name."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def parse_chroma_url(url: str) -> tuple[str, int, bool]:
    """``CHROMA_URL`` to ``(host, port, ssl)``; the port defaults to 8000 (443 for https).

    Raises:
        ValueError: for a URL that is not http(s) or has no host.
    """
    parts = urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"CHROMA_URL must look like http://host:8000, not {url!r}")
    ssl = parts.scheme == "https"
    return parts.hostname, parts.port or (443 if ssl else 8000), ssl


def _model_id(embedding: EmbeddingFunction[Documents]) -> str:
    model_id = getattr(embedding, "model_id", None)
    return str(model_id) if model_id else str(embedding.name())


def _metadata(workspace_id: int, project_id: int, meeting_id: int, transcript_id: int,
              chunk: Chunk, language: str) -> dict[str, str | int | float | bool]:
    # Chroma metadata values are scalars: the speakers go in one string. A "|" inside a name
    # would split it in two, so it becomes "/".
    speakers = _SPEAKER_SEPARATOR.join(speaker.replace(_SPEAKER_SEPARATOR, "/")
                                       for speaker in chunk.speakers)
    return {"workspace_id": workspace_id, "project_id": project_id, "meeting_id": meeting_id,
            "transcript_id": transcript_id, "first_segment": chunk.first_segment,
            "last_segment": chunk.last_segment, "speakers": speakers,
            "start": float(chunk.start), "end": float(chunk.end), "language": language}


def _indexed(chunk_id: str, document: str | None, metadata: Any) -> IndexedChunk:
    speakers = str(metadata.get("speakers") or "")
    return IndexedChunk(
        chunk_id=chunk_id, workspace_id=int(metadata["workspace_id"]),
        project_id=int(metadata["project_id"]), meeting_id=int(metadata["meeting_id"]),
        transcript_id=int(metadata["transcript_id"]),
        first_segment=int(metadata["first_segment"]), last_segment=int(metadata["last_segment"]),
        speakers=tuple(speakers.split(_SPEAKER_SEPARATOR)) if speakers else (),
        start=float(metadata["start"]), text=document or "",
        end=float(metadata.get("end", metadata["start"])),
        language=str(metadata.get("language") or "en"))


def _where(project_id: int | None, meeting_id: int | None) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if project_id is not None:
        clauses.append({"project_id": project_id})
    if meeting_id is not None:
        clauses.append({"meeting_id": meeting_id})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _reads(method: Callable[Concatenate[SearchIndex, _P], _R],
           ) -> Callable[Concatenate[SearchIndex, _P], _R]:
    """Run a :class:`SearchIndex` method holding its folder for reading."""
    @functools.wraps(method)
    def held(self: SearchIndex, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self._across_processes(write=False):
            return method(self, *args, **kwargs)
    return held


def _writes(method: Callable[Concatenate[SearchIndex, _P], _R],
            ) -> Callable[Concatenate[SearchIndex, _P], _R]:
    """Run a :class:`SearchIndex` method holding its folder for writing."""
    @functools.wraps(method)
    def held(self: SearchIndex, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self._across_processes(write=True):
            return method(self, *args, **kwargs)
    return held


class SearchIndex:
    """Chunks of meeting transcripts in Chroma, searched densely, lexically or both.

    Args:
        path: Folder of the embedded persistent Chroma (the default provider).
        url: A Chroma server (``CHROMA_URL``); when set, it is used and ``path`` is ignored.
        embedding: The embedder; its ``model_id`` names the collections.
        analyzer: How the BM25 side turns text into terms.
        keywords: How many of its meeting's keywords each chunk's BM25 document holds (0:
            none, plain BM25).

    Raises:
        ValueError: when neither ``path`` nor ``url`` is given, or ``url`` is malformed.
    """

    def __init__(self, *, path: Path | None = None, url: str | None = None,
                 embedding: EmbeddingFunction[Documents],
                 analyzer: LexicalAnalyzer | None = None,
                 keywords: int = MEETING_KEYWORDS) -> None:
        # Telemetry off: the embedded mode must never touch the network.
        settings = Settings(anonymized_telemetry=False, allow_reset=False)
        if url:
            host, port, ssl = parse_chroma_url(url)
            self.client: ClientAPI = chromadb.HttpClient(host=host, port=port, ssl=ssl,
                                                         settings=settings)
        elif path is not None:
            Path(path).mkdir(parents=True, exist_ok=True)
            self.client = chromadb.PersistentClient(path=str(path), settings=settings)
            self._folder, self._settings = Path(path), settings
            self._seen = self._written()
        else:
            raise ValueError("SearchIndex needs a folder (path) or a Chroma server (url)")
        self.embedding = embedding
        self.model_id = _model_id(embedding)
        self.analyzer = analyzer or LexicalAnalyzer()
        self.keywords = keywords
        self._lexical: dict[int, _Lexical] = {}
        self._locks: dict[int, threading.RLock] = {}
        self._locks_guard = threading.Lock()
        self._query_vectors = functools.lru_cache(maxsize=_QUERY_VECTORS)(self._embed_query)
        self._process_guard = threading.RLock()
        self._inside = False

    # -- one folder, several processes -----------------------------------------------------

    _folder: Path | None = None
    _LOCK, _WRITTEN = ".v1tr0-lock", ".v1tr0-written"

    def _written(self) -> str:
        """What the folder's last writer left: a mark that changes with every write."""
        assert self._folder is not None
        try:
            return (self._folder / self._WRITTEN).read_text()
        except FileNotFoundError:
            return ""

    @contextmanager
    def _across_processes(self, *, write: bool) -> Iterator[None]:
        """Hold the folder for one read (shared) or write (exclusive) across processes.

        An embedded Chroma keeps its index in the memory of the process that opened it: two
        processes writing the same folder (a worker and `v1tr0 ingest`) corrupt it, and one
        reading after another wrote sees stale state. So every read and write holds a file
        lock, and a process whose folder another one wrote since opens it afresh (about
        20 ms, only then). A Chroma server needs none of this.
        """
        if self._folder is None:
            yield
            return
        with self._process_guard:
            if self._inside:  # a call within a call: the folder is held already
                yield
                return
            handle = os.open(self._folder / self._LOCK, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX if write else fcntl.LOCK_SH)
                if (mark := self._written()) != self._seen:
                    self.client.close()
                    self.client = chromadb.PersistentClient(path=str(self._folder),
                                                            settings=self._settings)
                    self._seen = mark
                self._inside = True
                try:
                    yield
                finally:
                    self._inside = False
                    if write:
                        self._seen = uuid.uuid4().hex
                        fresh = self._folder / f"{self._WRITTEN}.{os.getpid()}"
                        fresh.write_text(self._seen)
                        fresh.replace(self._folder / self._WRITTEN)
            finally:
                os.close(handle)  # and with it the lock

    def query_vector(self, query: str) -> np.ndarray:
        """The question's vector (read-only), embedded once for its recent uses."""
        return self._query_vectors(query)

    def forget_query_vectors(self) -> None:
        """Drop the kept question vectors (a benchmark times every question cold)."""
        self._query_vectors.cache_clear()

    def _embed_query(self, query: str) -> np.ndarray:
        vector = np.asarray(self.embedding([query])[0], dtype=np.float32)
        vector.setflags(write=False)  # one array serves every caller of the cache
        return vector

    # -- collections ---------------------------------------------------------------------

    def collection_name(self, workspace_id: int) -> str:
        """The collection holding this workspace's chunks for this index's embedding model."""
        return f"v1tr0-w{int(workspace_id)}-{slug(self.model_id)}"

    def _lock(self, workspace_id: int) -> threading.RLock:
        with self._locks_guard:
            return self._locks.setdefault(workspace_id, threading.RLock())

    def _metadata(self, workspace_id: int) -> dict[str, Any]:
        return {"workspace_id": workspace_id, "embedding_model": self.model_id,
                "generation": uuid.uuid4().hex}

    def _collection(self, workspace_id: int, *, create: bool) -> Collection | None:
        name = self.collection_name(workspace_id)
        if create:
            collection = self.client.get_or_create_collection(
                name, configuration={"hnsw": {"space": "cosine"}},
                metadata=self._metadata(workspace_id), embedding_function=self.embedding)
        else:
            try:
                collection = self.client.get_collection(name, embedding_function=self.embedding)
            except NotFoundError:
                return None
        stored = (collection.metadata or {}).get("embedding_model")
        if stored is not None and stored != self.model_id:  # a slug collision: never mix
            raise RuntimeError(f"collection {name} holds vectors of {stored}, "
                               f"not of {self.model_id}")
        return collection

    def _lines(self, workspace_id: int, *, create: bool) -> Collection | None:
        """The vectors of single transcript lines (segments), so answers can rank lines
        without embedding them at question time. Kept apart from the chunks: searching
        chunks must not return lines."""
        name = f"{self.collection_name(workspace_id)}-lines"
        if create:
            return self.client.get_or_create_collection(
                name, configuration={"hnsw": {"space": "cosine"}},
                metadata={"embedding_model": self.model_id}, embedding_function=self.embedding)
        try:
            return self.client.get_collection(name, embedding_function=self.embedding)
        except NotFoundError:
            return None

    def _touched(self, workspace_id: int, collection: Collection) -> None:
        """After a write: drop this process's BM25 copy and tell other processes theirs is old."""
        self._lexical.pop(workspace_id, None)
        collection.modify(metadata=self._metadata(workspace_id))

    # -- writes --------------------------------------------------------------------------

    def replace_transcript_sync(self, workspace_id: int, project_id: int, meeting_id: int,
                                transcript_id: int, chunks: Sequence[Chunk],
                                lines: Sequence[tuple[int, str]] = (),
                                language: str = "en",
                                progress: Callable[[float], None] | None = None) -> int:
        """Index a transcript's chunks (and its lines' vectors) in place of whatever it had.

        Idempotent: indexing the same transcript again leaves exactly one copy. Everything
        is embedded before anything is deleted, so the transcript's old chunks stay
        searchable during the slow part. Returns how many chunks were indexed.

        Args:
            lines: ``(segment position, text)`` of each line, whose vectors answers rank.
            language: What the transcript is in (``en``, ``es``): its words are stemmed so.
            progress: Told the fraction embedded (0 to 1) after each batch, from this thread.
        """
        language = language.strip().lower().replace("_", "-").split("-")[0] or "en"
        documents = [chunk.text for chunk in chunks]
        texts = [*documents, *(text for _p, text in lines)]
        vectors: list[Any] = []
        for offset in range(0, len(texts), EMBED_BATCH):
            vectors.extend(self.embedding(texts[offset:offset + EMBED_BATCH]))
            if progress is not None:
                progress(len(vectors) / len(texts))
        embeddings, line_vectors = vectors[:len(documents)], vectors[len(documents):]
        where_lines = {"workspace_id": workspace_id, "project_id": project_id,
                       "meeting_id": meeting_id, "transcript_id": transcript_id}
        # The folder first, then the workspace: the order every reader takes them in.
        with self._across_processes(write=True), self._lock(workspace_id):
            line_store = self._lines(workspace_id, create=True)
            collection = self._collection(workspace_id, create=True)
            assert line_store is not None and collection is not None
            _replace(line_store, transcript_id,
                     ids=[f"t{transcript_id}-s{position}" for position, _text in lines],
                     embeddings=line_vectors,
                     metadatas=[{**where_lines, "position": position} for position, _t in lines])
            _replace(collection, transcript_id,
                     ids=[f"t{transcript_id}-c{index}" for index in range(len(chunks))],
                     embeddings=embeddings, documents=documents,
                     metadatas=[_metadata(workspace_id, project_id, meeting_id, transcript_id,
                                          chunk, language) for chunk in chunks])
            self._touched(workspace_id, collection)
        return len(chunks)

    @_writes
    def _delete_where(self, workspace_id: int, where: dict[str, Any]) -> None:
        with self._lock(workspace_id):
            collection = self._collection(workspace_id, create=False)
            if collection is None:
                return
            collection.delete(where=where)
            if line_store := self._lines(workspace_id, create=False):
                line_store.delete(where=where)
            self._touched(workspace_id, collection)

    def delete_transcript_sync(self, workspace_id: int, transcript_id: int) -> None:
        """Remove a transcript's chunks."""
        self._delete_where(workspace_id, {"transcript_id": transcript_id})

    def delete_meeting_sync(self, workspace_id: int, meeting_id: int) -> None:
        """Remove the chunks of every transcript of a meeting."""
        self._delete_where(workspace_id, {"meeting_id": meeting_id})

    def delete_project_sync(self, workspace_id: int, project_id: int) -> None:
        """Remove the chunks of every meeting of a project."""
        self._delete_where(workspace_id, {"project_id": project_id})

    @_writes
    def delete_workspace_sync(self, workspace_id: int) -> None:
        """Remove the workspace's collections, for every embedding model."""
        prefix = f"v1tr0-w{int(workspace_id)}-"
        with self._lock(workspace_id):
            for collection in self.client.list_collections():
                if collection.name.startswith(prefix):
                    self.client.delete_collection(collection.name)
            self._lexical.pop(workspace_id, None)

    @_reads
    def line_vectors_sync(self, workspace_id: int, transcript_id: int,
                          positions: Sequence[int]) -> dict[int, np.ndarray]:
        """The stored vectors of some lines of one transcript, by segment position."""
        line_store = self._lines(workspace_id, create=False)
        if line_store is None or not positions:
            return {}
        try:
            found = line_store.get(ids=[f"t{transcript_id}-s{p}" for p in positions],
                                   include=["embeddings", "metadatas"])
        except InternalError:  # a folder damaged before it was locked: the caller embeds them
            log.warning("the line vectors of transcript %s cannot be read; index it again "
                        "(transcript resummarize) to store them anew", transcript_id,
                        exc_info=True)
            return {}
        return {int(meta["position"]): np.asarray(vector, dtype=np.float32)
                for meta, vector in zip(found["metadatas"] or [], found["embeddings"]
                                        if found["embeddings"] is not None else [],
                                        strict=True)}

    async def line_vectors(self, workspace_id: int, transcript_id: int,
                           positions: Sequence[int]) -> dict[int, np.ndarray]:
        """See :meth:`line_vectors_sync`."""
        return await asyncio.to_thread(self.line_vectors_sync, workspace_id, transcript_id,
                                       positions)

    @_reads
    def workspace_ids_sync(self) -> set[int]:
        """Every workspace that has a collection of chunks for this index's embedding model."""
        pattern = re.compile(rf"v1tr0-w(\d+)-{re.escape(slug(self.model_id))}")
        return {int(match[1]) for collection in self.client.list_collections()
                if (match := pattern.fullmatch(collection.name))}

    @_reads
    def transcript_ids_sync(self, workspace_id: int) -> set[int]:
        """Every transcript that has chunks in the workspace's collection for this model."""
        collection = self._collection(workspace_id, create=False)
        if collection is None:
            return set()
        return {int(meta["transcript_id"]) for page in _pages(collection, ["metadatas"])
                for meta in page["metadatas"] or []}

    @_reads
    def count_sync(self, workspace_id: int, *, transcript_id: int | None = None) -> int:
        """How many chunks the workspace (or one of its transcripts) has for this model."""
        collection = self._collection(workspace_id, create=False)
        if collection is None:
            return 0
        if transcript_id is None:
            return collection.count()
        return len(collection.get(where={"transcript_id": transcript_id}, include=[])["ids"])

    # -- search --------------------------------------------------------------------------

    @_reads
    def languages_sync(self, workspace_id: int, project_id: int | None = None) -> frozenset[str]:
        """The languages of the workspace's (or one project's) indexed transcripts."""
        collection = self._collection(workspace_id, create=False)
        if collection is None:
            return frozenset()
        lexical = self._lexical_index(workspace_id, collection)
        if project_id is None:
            return lexical.languages if lexical.chunks else frozenset()
        return frozenset(language for project, language in lexical.project_languages
                         if project == project_id)

    @_reads
    def search_sync(self, workspace_id: int, query: str, *, project_id: int | None = None,
                    meeting_id: int | None = None, k: int = 10, mode: Mode = "hybrid",
                    dense_weight: float = DENSE_WEIGHT, lexical_weight: float = LEXICAL_WEIGHT,
                    candidates: int = 50, rrf_k: float = RRF_K,
                    speaker_weight: float = SPEAKER_WEIGHT) -> list[Hit]:
        """The workspace's ``k`` best chunks for ``query``, optionally within a project/meeting.

        Args:
            workspace_id: Whose collection to search; nothing else is ever read.
            query: The question or words to find.
            project_id: Only chunks of this project.
            meeting_id: Only chunks of this meeting.
            k: How many hits to return.
            mode: ``hybrid`` (both sides fused), ``dense`` or ``lexical`` only.
            dense_weight: Weight of the dense ranks in the fusion.
            lexical_weight: Weight of the BM25 ranks in the fusion.
            candidates: How many results each side contributes before fusion.
            rrf_k: The reciprocal-rank-fusion constant.
            speaker_weight: How much more a chunk counts when the person the query names
                says all of it (0: speakers play no part).

        Returns:
            Hits, best first; fewer than ``k`` when fewer chunks match.

        Raises:
            ValueError: for an unknown mode or a non-positive ``k`` or ``candidates``.
        """
        if mode not in {"hybrid", "dense", "lexical"}:
            raise ValueError(f"unknown search mode {mode!r}")
        if k < 1 or candidates < 1:
            raise ValueError("k and candidates must be at least 1")
        if not query.strip():
            return []
        collection = self._collection(workspace_id, create=False)
        if collection is None:
            return []
        candidates = max(candidates, k)
        dense = (self._dense(collection, query, project_id, meeting_id, candidates)
                 if mode != "lexical" else [])
        lexical = (self._lexical_search(workspace_id, collection, query, project_id,
                                        meeting_id, candidates)
                   if mode != "dense" else [])

        found: dict[str, dict[str, Any]] = {}
        for rank, (chunk, similarity) in enumerate(dense, start=1):
            found[chunk.chunk_id] = {"chunk": chunk, "score": dense_weight / (rrf_k + rank),
                                     "dense_rank": rank, "dense_similarity": similarity}
        for rank, (chunk, bm25_score) in enumerate(lexical, start=1):
            entry = found.setdefault(chunk.chunk_id, {"chunk": chunk, "score": 0.0})
            entry["score"] += lexical_weight / (rrf_k + rank)
            entry["lexical_rank"] = rank
            entry["lexical_score"] = bm25_score
        named = (named_speakers(query, {speaker for entry in found.values()
                                        for speaker in entry["chunk"].speakers})
                 if speaker_weight else frozenset())
        if named:
            for entry in found.values():
                entry["score"] *= 1.0 + speaker_weight * speech_share(entry["chunk"], named)
        hits = [Hit(chunk=entry["chunk"], score=entry["score"],
                    dense_rank=entry.get("dense_rank"), lexical_rank=entry.get("lexical_rank"),
                    dense_similarity=entry.get("dense_similarity"),
                    lexical_score=entry.get("lexical_score"))
                for entry in found.values()
                # The filters were applied on each side; this check makes a leak impossible
                # even if one side had a bug.
                if _allowed(entry["chunk"], workspace_id, project_id, meeting_id)]
        hits.sort(key=lambda hit: (-hit.score, min(hit.dense_rank or 1 << 30,
                                                   hit.lexical_rank or 1 << 30),
                                   hit.chunk.chunk_id))
        return hits[:k]

    def _dense(self, collection: Collection, query: str, project_id: int | None,
               meeting_id: int | None, candidates: int) -> list[tuple[IndexedChunk, float]]:
        result = collection.query(query_embeddings=[self.query_vector(query)],
                                  n_results=candidates,
                                  where=_where(project_id, meeting_id),
                                  include=["documents", "metadatas", "distances"])
        ids = result["ids"][0]
        documents = (result["documents"] or [[]])[0]
        metadatas = (result["metadatas"] or [[]])[0]
        distances = (result["distances"] or [[]])[0]
        # Cosine space: Chroma's distance is 1 - cosine similarity.
        return [(_indexed(chunk_id, document, metadata), 1.0 - float(distance))
                for chunk_id, document, metadata, distance
                in zip(ids, documents, metadatas, distances, strict=True)]

    def _lexical_index(self, workspace_id: int, collection: Collection) -> _Lexical:
        generation = (collection.metadata or {}).get("generation")
        cached = self._lexical.get(workspace_id)
        if cached is not None and cached.generation == generation:
            return cached
        with self._lock(workspace_id):
            cached = self._lexical.get(workspace_id)
            if cached is not None and cached.generation == generation:
                return cached
            chunks: list[IndexedChunk] = []
            for page in _pages(collection, ["documents", "metadatas"]):
                chunks.extend(_indexed(chunk_id, document, metadata) for chunk_id, document,
                              metadata in zip(page["ids"], page["documents"] or [],
                                              page["metadatas"] or [], strict=True))
            bm25 = None
            if chunks:
                terms = [self.analyzer(chunk.text, chunk.language) for chunk in chunks]
                keywords = meeting_keywords([chunk.meeting_id for chunk in chunks], terms,
                                            count=self.keywords)
                bm25 = bm25s.BM25()
                bm25.index([chunk_terms + keywords[chunk.meeting_id]
                            for chunk_terms, chunk in zip(terms, chunks, strict=True)],
                           show_progress=False)
            lexical = _Lexical(
                generation=generation, chunks=chunks,
                project_ids=np.array([chunk.project_id for chunk in chunks], dtype=np.int64),
                meeting_ids=np.array([chunk.meeting_id for chunk in chunks], dtype=np.int64),
                bm25=bm25, languages=frozenset(chunk.language for chunk in chunks),
                project_languages=frozenset((chunk.project_id, chunk.language)
                                            for chunk in chunks))
            self._lexical[workspace_id] = lexical
            return lexical

    def _lexical_search(self, workspace_id: int, collection: Collection, query: str,
                        project_id: int | None, meeting_id: int | None,
                        candidates: int) -> list[tuple[IndexedChunk, float]]:
        lexical = self._lexical_index(workspace_id, collection)
        if lexical.bm25 is None:
            return []
        terms = [term for term in self.analyzer.query(query, lexical.languages)
                 if term in lexical.bm25.vocab_dict]
        if not terms:
            return []
        # Restrict the corpus to the filter: masked chunks score 0 and are dropped below.
        mask = np.ones(len(lexical.chunks), dtype=np.float32)
        if project_id is not None:
            mask *= lexical.project_ids == project_id
        if meeting_id is not None:
            mask *= lexical.meeting_ids == meeting_id
        if not mask.any():
            return []
        documents, scores = lexical.bm25.retrieve(
            [terms], k=min(candidates, len(lexical.chunks)), show_progress=False,
            weight_mask=mask)
        return [(lexical.chunks[int(index)], float(score))
                for index, score in zip(documents[0], scores[0], strict=True) if score > 0]

    # -- async API -----------------------------------------------------------------------

    async def replace_transcript(self, workspace_id: int, project_id: int, meeting_id: int,
                                 transcript_id: int, chunks: Sequence[Chunk],
                                 lines: Sequence[tuple[int, str]] = (),
                                 language: str = "en",
                                 progress: Callable[[float], None] | None = None) -> int:
        """Index a transcript's chunks in place of its old ones; see the sync twin."""
        return await asyncio.to_thread(self.replace_transcript_sync, workspace_id, project_id,
                                       meeting_id, transcript_id, chunks, lines, language,
                                       progress)

    async def delete_transcript(self, workspace_id: int, transcript_id: int) -> None:
        """Remove a transcript's chunks."""
        await asyncio.to_thread(self.delete_transcript_sync, workspace_id, transcript_id)

    async def delete_meeting(self, workspace_id: int, meeting_id: int) -> None:
        """Remove a meeting's chunks."""
        await asyncio.to_thread(self.delete_meeting_sync, workspace_id, meeting_id)

    async def delete_project(self, workspace_id: int, project_id: int) -> None:
        """Remove a project's chunks."""
        await asyncio.to_thread(self.delete_project_sync, workspace_id, project_id)

    async def delete_workspace(self, workspace_id: int) -> None:
        """Remove everything indexed for a workspace, for every embedding model."""
        await asyncio.to_thread(self.delete_workspace_sync, workspace_id)

    async def workspace_ids(self) -> set[int]:
        """See :meth:`workspace_ids_sync`."""
        return await asyncio.to_thread(self.workspace_ids_sync)

    async def transcript_ids(self, workspace_id: int) -> set[int]:
        """See :meth:`transcript_ids_sync`."""
        return await asyncio.to_thread(self.transcript_ids_sync, workspace_id)

    async def count(self, workspace_id: int, *, transcript_id: int | None = None) -> int:
        """How many chunks the workspace (or one transcript) has for this model."""
        return await asyncio.to_thread(self.count_sync, workspace_id,
                                       transcript_id=transcript_id)

    async def languages(self, workspace_id: int, project_id: int | None = None) -> frozenset[str]:
        """See :meth:`languages_sync`."""
        return await asyncio.to_thread(self.languages_sync, workspace_id, project_id)

    async def search(self, workspace_id: int, query: str, *, project_id: int | None = None,
                     meeting_id: int | None = None, k: int = 10, mode: Mode = "hybrid",
                     dense_weight: float = DENSE_WEIGHT, lexical_weight: float = LEXICAL_WEIGHT,
                     candidates: int = 50, rrf_k: float = RRF_K,
                     speaker_weight: float = SPEAKER_WEIGHT) -> list[Hit]:
        """The workspace's best chunks for a query; see :meth:`search_sync`."""
        return await asyncio.to_thread(
            self.search_sync, workspace_id, query, project_id=project_id,
            meeting_id=meeting_id, k=k, mode=mode, dense_weight=dense_weight,
            lexical_weight=lexical_weight, candidates=candidates, rrf_k=rrf_k,
            speaker_weight=speaker_weight)


def _pages(collection: Collection, include: list[Any]) -> Iterator[Any]:
    """A whole collection, read in pages Chroma serves comfortably."""
    offset = 0
    while True:
        page = collection.get(include=include, limit=_PAGE, offset=offset)
        yield page
        if len(page["ids"]) < _PAGE:
            return
        offset += _PAGE


def _replace(collection: Collection, transcript_id: int, *, ids: list[str],
             embeddings: list[Any], metadatas: list[dict[str, Any]],
             documents: list[str] | None = None) -> None:
    """Swap a transcript's entries in one collection, writing in batches Chroma accepts."""
    collection.delete(where={"transcript_id": transcript_id})
    for offset in range(0, len(ids), _WRITE_BATCH):
        part = slice(offset, offset + _WRITE_BATCH)
        collection.upsert(ids=ids[part], embeddings=embeddings[part], metadatas=metadatas[part],
                          documents=documents[part] if documents is not None else None)


def meeting_keywords(meeting_ids: Sequence[int], terms: Sequence[Sequence[str]], *,
                     count: int = MEETING_KEYWORDS) -> dict[int, list[str]]:
    """Each meeting's ``count`` most distinctive terms, from its chunks' terms.

    TF-IDF across the meetings given: a term's weight in a meeting is ``(1 + ln uses) *
    ln(meetings / meetings using it)``; a term used once, or in every meeting, is never
    chosen (so a lone meeting has none). Ties go to the alphabetically first term.

    Example:
        >>> meeting_keywords([1, 1, 2], [["remot", "batteri", "batteri"], ["remot"],
        ...                             ["remot", "wood", "wood"]])
        {1: ['batteri'], 2: ['wood']}
    """
    uses: defaultdict[int, Counter[str]] = defaultdict(Counter)
    for meeting_id, chunk_terms in zip(meeting_ids, terms, strict=True):
        uses[meeting_id].update(chunk_terms)
    if count < 1:  # plain BM25: nothing to weigh
        return {meeting_id: [] for meeting_id in uses}
    meetings_using = Counter(term for counts in uses.values() for term in counts)
    keywords = {}
    for meeting_id, counts in uses.items():
        weights = {term: (1 + math.log(n)) * math.log(len(uses) / meetings_using[term])
                   for term, n in counts.items() if n > 1 and meetings_using[term] < len(uses)}
        keywords[meeting_id] = heapq.nsmallest(count, weights,
                                               key=lambda term: (-weights[term], term))
    return keywords


def named_speakers(query: str, speakers: Iterable[str]) -> frozenset[str]:
    """The speakers a question names: by their whole label (case and accents aside), or by
    one word of the label written with the label's capitals and not opening the question.

    Example:
        >>> sorted(named_speakers("What did Ana and the project manager say?",
        ...                       ["Ana García", "Project Manager", "Bo"]))
        ['Ana García', 'Project Manager']
    """
    folded = f" {' '.join(_TOKEN.findall(_fold(query)))} "
    words = _TOKEN.findall(query)[1:]  # a question's first word is capitalised anyway
    named = set()
    for speaker in speakers:
        label = _TOKEN.findall(speaker)
        if not label:
            continue
        if f" {' '.join(_TOKEN.findall(_fold(speaker)))} " in folded or any(
                part[0].isupper() and part in words for part in label):
            named.add(speaker)
    return frozenset(named)


def speech_share(chunk: IndexedChunk, speakers: frozenset[str]) -> float:
    """The part of a chunk's words (its ``Speaker: text`` lines) said by these speakers."""
    said = total = 0
    for line in chunk.text.splitlines():
        speaker, separator, text = line.partition(": ")
        if not separator or speaker not in chunk.speakers:  # a line without a label
            speaker, text = "", line
        words = len(text.split())
        total += words
        said += words if speaker in speakers else 0
    return said / total if total else 0.0


def _allowed(chunk: IndexedChunk, workspace_id: int, project_id: int | None,
             meeting_id: int | None) -> bool:
    return (chunk.workspace_id == workspace_id
            and (project_id is None or chunk.project_id == project_id)
            and (meeting_id is None or chunk.meeting_id == meeting_id))
