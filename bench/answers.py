"""Which lines ``ask`` quotes: are they where QMSum's annotators found the answer?

What it measures:
    For every *specific* query of a QMSum split folder (default ``../shared/eval-data/qmsum/val``
    beside the repository), the lines the embedded ``ask`` quotes:
    :meth:`bot.retrieval.answers.Retriever.moments` with ``limit=3``, as ``ask`` calls it,
    within the query's project (its QMSum series, grouped as ``bench/retrieval.py`` groups
    them). Each meeting is stored and indexed the way the pipeline does it (``WorkspaceStore``
    and :class:`bot.retrieval.indexing.TranscriptIndexer`, line vectors included), one
    project per series, in one SQLite workspace, with the embedded MiniLM.

    A quoted line is *right* when it is a turn of the query's meeting inside one of its gold
    spans. Reported:

    * ``first right``: queries whose first quoted line is right;
    * ``any right``: queries with at least one right line among those quoted;
    * ``precision``: right lines / quoted lines;
    * ``answered``: queries with anything quoted at all (the rest get "I found nothing").

    Baseline, in the same run and from the same retrieved chunks: quoting without ranking the
    lines, i.e. the first three lines (of at least ``MIN_WORDS`` words) of the chunks in their
    search order, each chunk read in transcript order.

How to run (from the repository root; builds its index in a few minutes on 2 cores):
    .venv/bin/python bench/answers.py [SPLIT_FOLDER] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/answers.py`

from ask import Source, bench_projects, fill_project
from retrieval import DEFAULT_SPLIT, Meeting, load_split
from stats import work_folder

from bot.retrieval.answers import MIN_WORDS, Moment, Retriever
from bot.retrieval.chunking import clean_text
from storage import Database, WorkspaceStore
from storage.embeddings import MiniLMEmbedding
from storage.search_index import SearchIndex

QUOTES = 3  # what ``ask`` quotes from the transcripts


@dataclass
class Score:
    """How one way of quoting did over every query."""

    name: str
    queries: int = 0
    first_right: int = 0
    any_right: int = 0
    quoted: int = 0
    right: int = 0
    answered: int = 0

    def add(self, quoted: Sequence[bool]) -> None:
        self.queries += 1
        self.answered += bool(quoted)
        self.first_right += bool(quoted) and quoted[0]
        self.any_right += any(quoted)
        self.quoted += len(quoted)
        self.right += sum(quoted)

    def row(self) -> str:
        n = self.queries or 1
        return (f"| {self.name} | {self.queries} | {self.first_right / n:.3f} "
                f"| {self.any_right / n:.3f} | {self.right / max(self.quoted, 1):.3f} "
                f"| {self.quoted / n:.2f} | {self.answered / n:.3f} |")


async def build(workdir: Path, meetings: Sequence[Meeting],
                index: SearchIndex) -> tuple[Database, int, dict[str, int]]:
    """Store and index every meeting, one project per series; returns the project ids."""
    db = Database(f"sqlite:///{workdir / 'answers.db'}")
    await db.migrate()
    series = sorted({m.project for m in meetings})
    workspace_id, ids = await bench_projects(db, [f"QMSum {name}" for name in series])
    projects = {name: ids[f"QMSum {name}"] for name in series}
    for name in series:
        sources = [Source(m.name, [(t.speaker, t.text) for t in m.turns],
                          [q.text for q in m.queries]) for m in meetings if m.project == name]
        await fill_project(db, index, workspace_id, projects[name], sources)
    return db, workspace_id, projects


async def unranked(store: WorkspaceStore, index: SearchIndex, project_id: int,
                   query: str, chunks: int) -> list[Moment]:
    """The baseline: the retrieved chunks' first lines, in search then transcript order."""
    hits = await index.search(store.workspace_id, query, project_id=project_id, k=chunks)
    meetings = await store.meetings_by_id(sorted({h.chunk.meeting_id for h in hits}))
    lines: list[Moment] = []
    for hit in hits:
        meeting = meetings[hit.chunk.meeting_id]
        for segment in await store.segments_between(
                hit.chunk.transcript_id, hit.chunk.first_segment, hit.chunk.last_segment):
            text = clean_text(segment.text)
            if len(text.split()) >= MIN_WORDS and all(
                    (m.transcript_id, m.position) != (hit.chunk.transcript_id, segment.position)
                    for m in lines):
                lines.append(Moment(meeting.project_id, meeting.id, meeting.title,
                                    meeting.starts_at, hit.chunk.transcript_id,
                                    segment.position, segment.speaker, segment.start, text, 0))
            if len(lines) == QUOTES:
                return lines
    return lines


async def run(args: argparse.Namespace) -> int:
    meetings = [m for m in load_split(args.folder) if m.queries]
    if not meetings:
        print(f"no specific queries in {args.folder}", file=sys.stderr)
        return 1
    with work_folder(args.workdir, "v1tr0-answers-") as workdir:
        if any(workdir.iterdir()):  # always built afresh: the build is what is measured
            raise SystemExit(f"{workdir} is not empty; give an empty folder")
        embedding = MiniLMEmbedding()
        embedding.load()
        index = SearchIndex(path=workdir / "chroma", embedding=embedding)
        start = time.perf_counter()
        db, workspace_id, projects = await build(workdir, meetings, index)
        built = time.perf_counter() - start
        retriever = Retriever(index)
        ours, baseline = Score("ask's quotes (lines ranked by the question)"), Score(
            "baseline: the chunks' lines in order")
        try:
            for meeting in meetings:
                title = f"QMSum {meeting.name}"
                for query in meeting.queries:
                    async with db.transaction() as store:
                        scoped = store.scoped(workspace_id)
                        project_id = projects[meeting.project]
                        quoted = await retriever.moments(scoped, project_id, query.text,
                                                         limit=QUOTES)
                        plain = await unranked(scoped, index, project_id, query.text,
                                               retriever.chunks)
                    for score, moments in ((ours, quoted), (baseline, plain)):
                        score.add([m.meeting_title == title
                                   and any(a <= m.position <= b for a, b in query.spans)
                                   for m in moments])
        finally:
            await db.dispose()
            index.client.clear_system_cache()

    print()
    print(f"Quoted lines: {args.folder} -- {len(meetings)} meetings in {len(projects)} "
          f"projects, {ours.queries} specific queries, up to {QUOTES} lines each from "
          f"{retriever.chunks} retrieved chunks; index built in {built:.0f} s")
    print()
    print("| quoting | queries | first right | any right | precision | lines quoted "
          "| answered |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(ours.row())
    print(baseline.row())
    print()
    print(f"first right: {ours.first_right / baseline.first_right:.2f} x the baseline; "
          f"any right: {ours.any_right / baseline.any_right:.2f} x")
    return 0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_SPLIT,
                        help=f"a QMSum-format split folder (default {DEFAULT_SPLIT})")
    parser.add_argument("--workdir", type=Path, metavar="DIR",
                        help="an empty folder to build in and keep (default: a temporary one)")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        parser.error(f"{args.folder} is not a folder")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING)
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
