"""Latency of ``ask`` end to end on a project with 100 meeting-hours indexed, embedded defaults.

What it measures:
    p50/p95/p99/mean latency of ``await Dispatcher.handle(request)`` for ``ask "<question>"
    project:Bench`` (no language model: the embedded, extractive answer), one question at a
    time, on one project holding ``--hours`` meeting-hours of transcripts (default 100), with
    the shipped defaults: the MiniLM int8 embedder, ``chunk_turns``' chunk size, the index's
    fusion weights, ``Retriever``'s 6 chunks, SQLite.

    The project is built from QMSum transcripts (``train/`` then ``val/`` beside the
    repository, in file-name order) taken as meetings of ONE project until their duration
    reaches ``--hours``; a meeting lasts its word count at 150 words per minute, and each turn
    gets times from the words before it at that rate. Meetings, transcripts and segments are
    written with the storage layer (``WorkspaceStore.add`` and ``add_segments``, the calls the
    pipeline makes; no summaries), then indexed by the pipeline's own
    :class:`bot.retrieval.indexing.TranscriptIndexer` into a real
    :class:`storage.search_index.SearchIndex`. Building 100 h embeds several thousand chunks
    (minutes on 2 cores); ``--workdir`` keeps the database and the index so a rerun with the
    same meetings and chunk size skips the build.

    The questions are QMSum specific queries of the meetings in the project (``--questions``
    of them, drawn with a fixed seed), each asked in a thread of its own so none is taken for
    a follow-up; ``--warmup`` questions are asked first and not timed (the first search also
    builds the in-memory BM25 index). Where the time goes is measured in the same run by
    timing wrappers set on the index instance: the query embedding and the rest of the search
    (Chroma and BM25, fused), the embedding ``Retriever`` still does to rank the retrieved
    lines (none when every line has its stored vector; the question's vector is the
    search's), and everything else (parsing, database, the answer).

    Baselines in the same run, on the same questions: the raw
    ``SearchIndex.search_sync(..., project_id=..., k=6)`` that ``ask`` starts from (retrieval
    only), and the ``search`` command through the dispatcher. ``x search_sync`` is each
    row's p50 over the raw search's p50.

    Goal: ask p95 <= 300 ms on 2 cores. The first version embedded the ~63 lines (~1,600
    words) of the retrieved chunks on every call (p95 1.6 s); the index now stores each line's
    vector when a transcript is indexed, and the question is embedded once for the search and
    the line ranking. Figures: the README's benchmark section.

How to run (from the repository root):
    .venv/bin/python bench/ask.py [--hours N] [--questions N] [--warmup N] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import hashlib
import inspect
import itertools
import json
import logging
import os
import random
import secrets
import shutil
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/ask.py`

from stats import percentile_ms, work_folder

from bot.commands import registry
from bot.core import Reply, Request
from bot.dispatcher import Dispatcher
from bot.meetings.jitsi import room_name
from bot.ports import Services
from bot.retrieval.answers import Retriever
from bot.retrieval.chunking import chunk_turns
from bot.retrieval.indexing import TranscriptIndexer
from bot.retrieval.translation import ApertiumTranslator
from storage import Database
from storage.embeddings import MINILM_MODEL_ID, MiniLMEmbedding
from storage.models import Meeting, MeetingStatus, Transcript, TranscriptStatus
from storage.search_index import DENSE_WEIGHT, LEXICAL_WEIGHT, RRF_K, SearchIndex

ROOT = Path(__file__).resolve().parents[1]
QMSUM = ROOT.parent / "shared" / "eval-data" / "qmsum"
PLATFORM, TEAM, OWNER, PROJECT = "slack", "T-bench", "U-owner", "Bench"
WORDS_PER_MINUTE = 150
GOAL_P95_MS = 300.0
MAX_WORDS: int = inspect.signature(chunk_turns).parameters["max_words"].default
BUILT = "manifest.json"


@dataclass(frozen=True, slots=True)
class Source:
    """One QMSum meeting file to become a meeting of the bench project."""

    name: str
    turns: list[tuple[str | None, str]]
    queries: list[str]

    @property
    def words(self) -> int:
        return sum(len(text.split()) for _speaker, text in self.turns)

    @property
    def minutes(self) -> float:
        return self.words / WORDS_PER_MINUTE


def load_sources(folders: Sequence[Path], hours: float) -> list[Source]:
    """QMSum meetings in folder then file-name order until they last ``hours``."""
    sources: list[Source] = []
    minutes = 0.0
    for folder in folders:
        for path in sorted(folder.glob("*.json")):
            if minutes >= hours * 60:
                return sources
            record = json.loads(path.read_text(encoding="utf-8"))
            source = Source(path.stem,
                            [(t.get("speaker"), t.get("content") or "")
                             for t in record["meeting_transcripts"]],
                            [q["query"] for q in record.get("specific_query_list", [])])
            sources.append(source)
            minutes += source.minutes
    if minutes < hours * 60:
        print(f"note: only {minutes / 60:.1f} h of transcripts in {', '.join(map(str, folders))}",
              file=sys.stderr)
    return sources


def _manifest(sources: Sequence[Source]) -> dict[str, Any]:
    names = hashlib.sha256("\0".join(s.name for s in sources).encode()).hexdigest()[:16]
    return {"meetings": len(sources), "names": names, "max_words": MAX_WORDS,
            "model": MINILM_MODEL_ID}


@dataclass(slots=True)
class Desk:
    db: Database
    index: SearchIndex
    dispatcher: Dispatcher
    workspace_id: int
    project_id: int
    chunks: int
    build_seconds: float


async def open_desk(workdir: Path, sources: Sequence[Source],
                    embedding: MiniLMEmbedding) -> Desk:
    """The database and index of the bench project: reused when built, built otherwise."""
    manifest = _manifest(sources)
    built = workdir / BUILT
    reuse = built.exists() and json.loads(built.read_text()) == manifest
    if not reuse:  # another size or chunking, or a build that was cut short: start over
        for name in ("ask.db", "ask.db-wal", "ask.db-shm", "chroma", BUILT):
            path = workdir / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
    workdir.mkdir(parents=True, exist_ok=True)
    db = Database(f"sqlite:///{workdir / 'ask.db'}")
    index = SearchIndex(path=workdir / "chroma", embedding=embedding)
    # As the bot runs: with Apertium when installed, though these questions need no translation.
    retriever = Retriever(index, translator=ApertiumTranslator.installed())
    dispatcher = Dispatcher(db, registry, services=Services(retriever=retriever))
    start = time.perf_counter()
    if not reuse:
        await db.migrate()
    workspace_id, ids = await bench_projects(db, [PROJECT], create=not reuse)
    project_id = ids[PROJECT]
    if not reuse:
        await fill_project(db, index, workspace_id, project_id, sources)
        built.write_text(json.dumps(manifest))
    return Desk(db, index, dispatcher, workspace_id, project_id,
                index.count_sync(workspace_id), 0.0 if reuse else time.perf_counter() - start)


async def bench_projects(db: Database, names: Sequence[str], *,
                         create: bool = True) -> tuple[int, dict[str, int]]:
    """The bench workspace's id and its projects' ids by name, the projects created first
    (through the ``project create`` command) unless ``create`` is False."""
    if create:
        dispatcher = Dispatcher(db, registry, services=Services())
        for name in names:
            created = await dispatcher.handle(bench_request(f'project create "{name}"'))
            if created.status == "error":
                raise RuntimeError(f"setup failed: {created.text}")
    async with db.transaction() as store:
        workspace, _member = await store.workspaces.find_identity(PLATFORM, TEAM, OWNER)
        assert workspace is not None
        scoped = store.scoped(workspace.id)
        ids = {}
        for name in names:
            project = await scoped.project_by_name(name)
            assert project is not None
            ids[name] = project.id
    return workspace.id, ids


async def fill_project(db: Database, index: SearchIndex, workspace_id: int, project_id: int,
                sources: Sequence[Source]) -> None:
    """Store every meeting's transcript as the pipeline does, then index it as it does."""
    indexer = TranscriptIndexer(db, index)
    first = datetime(2024, 1, 1, 9, tzinfo=UTC)
    start = time.perf_counter()
    words_done = 0
    total_words = sum(s.words for s in sources)
    for number, source in enumerate(sources):
        rows, elapsed_words = [], 0
        for position, (speaker, text) in enumerate(source.turns):
            words = len(text.split())
            rows.append({"position": position, "speaker": (speaker or "")[:200] or None,
                         "member_id": None,
                         "start": elapsed_words * 60 / WORDS_PER_MINUTE,
                         "end": (elapsed_words + words) * 60 / WORDS_PER_MINUTE,
                         "text": text})
            elapsed_words += words
        async with db.transaction() as store:
            scoped = store.scoped(workspace_id)
            meeting = await scoped.add(Meeting(
                project_id=project_id, title=f"QMSum {source.name}",
                starts_at=first + timedelta(days=number), status=MeetingStatus.ENDED,
                duration_minutes=max(1, round(source.minutes)), room_name=room_name(PROJECT),
                sequence=0))
            transcript = await scoped.add(Transcript(
                meeting_id=meeting.id, filename=f"{source.name}.json", format="json",
                sha256=hashlib.sha256(source.name.encode()).hexdigest(),
                size_bytes=sum(len(text) for _s, text in source.turns), language="en",
                progress=1.0, attempts=0, next_attempt_at=first, participants=[],
                problems=[], status=TranscriptStatus.DONE, duration_seconds=source.minutes * 60,
                posted_at=first))
            await scoped.add_segments(transcript, rows)
            transcript_id = transcript.id
        await indexer.index(workspace_id, transcript_id)
        words_done += source.words
        elapsed = time.perf_counter() - start
        left = elapsed * (total_words - words_done) / max(words_done, 1)
        print(f"  ... indexed {number + 1}/{len(sources)} meetings, "
              f"{index.count_sync(workspace_id):,} chunks, {elapsed:.0f} s, ~{left:.0f} s left",
              end="\r", file=sys.stderr, flush=True)
    print(file=sys.stderr)


def bench_request(text: str, thread: str | None = None) -> Request:
    return Request(PLATFORM, TEAM, OWNER, text, workspace_name="Bench", user_name="Owner",
                   channel_id="C-bench", thread_id=thread)


# -- timing -------------------------------------------------------------------------------

_IN_SEARCH: contextvars.ContextVar[bool] = contextvars.ContextVar("in_search", default=False)


@dataclass(slots=True)
class Parts:
    """Seconds spent in each part of the current command (reset before each one)."""

    search: float = 0.0
    query_embed: float = 0.0
    line_embed: float = 0.0
    lines: int = 0
    words: int = 0


def instrument(index: SearchIndex, parts: Parts) -> None:
    """Time the index's search and the embedder's calls, on these instances only.

    ``asyncio.to_thread`` copies the context into its worker, so an embedding made while a
    search is running (the query's, by Chroma) is told apart from the lines' embedding.
    """
    search, embed = index.search, index.embedding.embed

    async def timed_search(*args: Any, **kwargs: Any) -> Any:
        token = _IN_SEARCH.set(True)
        start = time.perf_counter()
        try:
            return await search(*args, **kwargs)
        finally:
            parts.search += time.perf_counter() - start
            _IN_SEARCH.reset(token)

    def timed_embed(texts: list[str]) -> Any:
        start = time.perf_counter()
        try:
            return embed(texts)
        finally:
            if _IN_SEARCH.get():
                parts.query_embed += time.perf_counter() - start
            else:
                parts.line_embed += time.perf_counter() - start
                parts.lines += len(texts)
                parts.words += sum(len(text.split()) for text in texts)

    index.search = timed_search  # type: ignore[method-assign]
    index.embedding.embed = timed_embed  # type: ignore[method-assign]


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)
    parts: list[Parts] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)

    def percentile_ms(self, q: float) -> float:
        return percentile_ms(self.latencies, q)

    @property
    def mean_ms(self) -> float:
        return sum(self.latencies) / len(self.latencies) * 1000 if self.latencies else 0.0


async def time_calls(name: str, call: Callable[[str], Awaitable[Reply | None]],
                     questions: Sequence[str], warmup: Sequence[str], parts: Parts,
                     index: SearchIndex) -> Result:
    """Time each question once; the index's kept question vectors are dropped before each,
    as the same questions are asked in every row."""
    result = Result(name)
    for question in warmup:
        await call(question)
    for question in questions:
        index.forget_query_vectors()
        parts.search = parts.query_embed = parts.line_embed = 0.0
        parts.lines = parts.words = 0
        start = time.perf_counter()
        reply = await call(question)
        result.latencies.append(time.perf_counter() - start)
        result.parts.append(Parts(parts.search, parts.query_embed, parts.line_embed,
                                  parts.lines, parts.words))
        status = reply.status if reply is not None else "ok"
        result.statuses[status] = result.statuses.get(status, 0) + 1
        print(f"  ... {name}: {len(result.latencies)}/{len(questions)}", end="\r",
              file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return result


def _quoted(question: str) -> str:
    return '"' + " ".join(question.replace('"', "").split()) + '"'


def table(results: Sequence[Result], base: Result) -> str:
    lines = ["| what | n | p50 ms | p95 ms | p99 ms | mean ms | x search_sync (p50) "
             "| statuses |", "|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        ratio = r.percentile_ms(50) / base.percentile_ms(50) if base.latencies else float("nan")
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(r.statuses.items()))
        lines.append(f"| {r.name} | {len(r.latencies)} | {r.percentile_ms(50):.1f} "
                     f"| {r.percentile_ms(95):.1f} | {r.percentile_ms(99):.1f} "
                     f"| {r.mean_ms:.1f} | {ratio:.2f} | {statuses} |")
    return "\n".join(lines)


def breakdown(result: Result) -> str:
    """Mean ms per part of the command, and the share of the mean latency."""
    n = len(result.parts) or 1
    total = sum(result.latencies)
    search = sum(p.search for p in result.parts)
    query = sum(p.query_embed for p in result.parts)
    lines_embed = sum(p.line_embed for p in result.parts)
    rows = [("retrieval: query embedding (in search)", query),
            ("retrieval: Chroma + BM25 + fusion (rest of search)", search - query),
            ("ranking the lines: embedding those without a stored vector", lines_embed),
            ("everything else (parse, database, facts, answer)", total - search - lines_embed)]
    out = [f"Where {result.name}'s time goes (mean over {len(result.parts)}; "
           f"{sum(p.lines for p in result.parts) / n:.0f} lines of "
           f"{sum(p.words for p in result.parts) / n:,.0f} words embedded per command):", "",
           "| part | mean ms | share |", "|---|---:|---:|"]
    for label, seconds in rows:
        out.append(f"| {label} | {seconds / n * 1000:.1f} | {seconds / total:.0%} |")
    return "\n".join(out)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--hours", type=float, default=100.0,
                        help="meeting-hours in the project (default 100)")
    parser.add_argument("--questions", type=int, default=100,
                        help="timed questions (default 100)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed questions (default 5)")
    parser.add_argument("--workdir", type=Path, metavar="DIR",
                        help="keep the database and index here and reuse them (default: a "
                             "temporary folder, removed at the end)")
    parser.add_argument("--qmsum", type=Path, default=QMSUM,
                        help=f"the QMSum folder with train/ and val/ (default {QMSUM})")
    parser.add_argument("--seed", type=int, default=0, help="question sampling seed")
    args = parser.parse_args(argv)
    if args.hours <= 0 or args.questions < 1 or args.warmup < 0:
        parser.error("--hours must be > 0, --questions >= 1 and --warmup >= 0")
    return args


async def run(args: argparse.Namespace) -> int:
    folders = [args.qmsum / "train", args.qmsum / "val"]
    sources = load_sources([f for f in folders if f.is_dir()], args.hours)
    if not sources:
        print(f"no QMSum meetings under {args.qmsum}", file=sys.stderr)
        return 1
    pool = [q for s in sources for q in s.queries]
    rng = random.Random(args.seed)
    picked = rng.sample(pool, min(len(pool), args.questions + args.warmup))
    warmup, questions = picked[:args.warmup], picked[args.warmup:]

    with work_folder(args.workdir, "v1tr0-ask-") as workdir:
        embedding = MiniLMEmbedding()
        embedding.load()
        desk = await open_desk(workdir, sources, embedding)
        try:
            parts = Parts()
            instrument(desk.index, parts)
            retriever_chunks = Retriever(desk.index).chunks

            async def raw(question: str) -> None:
                token = _IN_SEARCH.set(True)  # the embedding Chroma makes is the query's
                try:
                    start = time.perf_counter()
                    desk.index.search_sync(desk.workspace_id, question, project_id=desk.project_id,
                                           k=retriever_chunks)
                    parts.search += time.perf_counter() - start
                finally:
                    _IN_SEARCH.reset(token)
                return None

            run_id, threads = secrets.token_hex(4), itertools.count()  # fresh even in a reused db

            async def ask(question: str) -> Reply:  # a thread of its own: never a follow-up
                return await desk.dispatcher.handle(
                    bench_request(f"ask {_quoted(question)} project:{PROJECT}",
                             thread=f"bench-{run_id}-{next(threads)}"))

            async def search(question: str) -> Reply:
                return await desk.dispatcher.handle(
                    bench_request(f"search {_quoted(question)} project:{PROJECT}"))

            rows = (("search_sync (raw, k=6)", raw), ("search command", search),
                    ("ask command", ask))
            results = [await time_calls(name, call, questions, warmup, parts, desk.index)
                       for name, call in rows]
        finally:
            await desk.db.dispose()
            desk.index.client.clear_system_cache()

    hours = sum(s.minutes for s in sources) / 60
    words = sum(s.words for s in sources)
    ask_result = results[-1]
    print()
    print(f"Ask benchmark: one project of {len(sources)} QMSum meetings, {hours:.1f} meeting-"
          f"hours ({words:,} words at {WORDS_PER_MINUTE} wpm), {desk.chunks:,} chunks of at "
          f"most {MAX_WORDS} words; fusion dense {DENSE_WEIGHT:g} : lexical "
          f"{LEXICAL_WEIGHT:g}, rrf_k {RRF_K:g}; SQLite; {os.cpu_count()} CPUs; "
          f"Python {sys.version.split()[0]}")
    built = (f"built in {desk.build_seconds:.0f} s ({desk.chunks / desk.build_seconds:.1f} "
             "chunks/s)" if desk.build_seconds else f"reused from {workdir}")
    print(f"Index {built}. {len(questions)} questions after {len(warmup)} warm-ups, one at "
          "a time.")
    print()
    print(table(results, results[0]))
    print()
    print(breakdown(ask_result))
    print()
    p95 = ask_result.percentile_ms(95)
    verdict = "met" if p95 <= GOAL_P95_MS else "NOT met"
    print(f"Goal: ask p95 <= {GOAL_P95_MS:.0f} ms on 2 cores: {p95:.1f} ms ({verdict}), "
          f"{p95 / results[0].percentile_ms(95):.2f} x the raw search's p95.")
    errors = sum(r.statuses.get("error", 0) for r in results)
    if errors:
        print(f"FAILED: {errors} error replies", file=sys.stderr)
    return 1 if errors else 0


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
