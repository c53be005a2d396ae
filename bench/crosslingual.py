"""Span recall of Spanish questions about English meetings: as asked, and translated first.

What it measures:
    QMSum val's 237 specific queries, each also written in Spanish for this bench by a
    language model asked for natural Spanish without any translation program
    (``bench/data/qmsum-val-es.json``; never by Apertium, which is what is measured), are
    searched hybrid, within the project and within the meeting, exactly as
    ``bench/retrieval.py`` scores them (same chunks, same index, same span recall):

    * ``english``: the original question, the ceiling;
    * ``spanish as asked`` (baseline): the Spanish question searched as written, what the
      bot did before it could translate;
    * ``spanish, translated``: what ``ask`` and ``search`` do now. The bot's own
      :meth:`bot.retrieval.answers.Retriever.translations` detects the question's language
      and has Apertium put it in the meetings' language, then
      :meth:`Retriever.search` searches with it;
    * ``spanish, as asked + translated``: both searches fused by rank, the alternative to
      searching the translation alone.

    Each figure comes with the words read at k=5 and its ratio to the baseline; below, the
    95 % bootstrap interval (BCa, paired) of the translated questions' gain over the baseline,
    and the milliseconds a translation took (the pipelines already running).

How to run (from the repository root; needs Debian's ``apertium-eng-spa``):
    .venv/bin/python bench/crosslingual.py [FOLDER] [--questions FILE] [--cache DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/crosslingual.py`

from retrieval import (
    DEFAULT_MAX_WORDS,
    DEFAULT_SPLIT,
    KS,
    SCOPES,
    WORKSPACE,
    Corpus,
    Meeting,
    MemoMiniLM,
    Score,
    build,
    load_split,
    recall_interval,
)
from stats import work_folder

from bot.retrieval.answers import Retriever
from bot.retrieval.translation import ApertiumTranslator

QUESTIONS = Path(__file__).resolve().parent / "data" / "qmsum-val-es.json"
ROWS = ("English (the ceiling)", "baseline: Spanish as asked", "Spanish, translated (shipped)",
        "Spanish, as asked + translated")


def spanish(meetings: Sequence[Meeting], path: Path) -> list[Meeting]:
    """The meetings with their queries in Spanish, matched by meeting and English text."""
    written = {(item["meeting"], item["en"]): item["es"]
               for item in json.loads(path.read_text(encoding="utf-8"))}
    missing = [(m.name, q.text) for m in meetings for q in m.queries
               if (m.name, q.text) not in written]
    if missing:
        raise SystemExit(f"{path} has no Spanish for {len(missing)} queries, e.g. {missing[0]}")
    return [replace(m, queries=[replace(q, text=written[(m.name, q.text)]) for q in m.queries])
            for m in meetings]


async def evaluate(corpus: Corpus, meetings: Sequence[Meeting], row: str, scope: str,
                   retriever: Retriever, timings: list[float], *, translate: bool = False,
                   also_as_asked: bool = False) -> Score:
    """Search every query of one row in one scope, through the bot's own retriever."""
    score = Score(row, scope, corpus.max_words, None)
    start = time.perf_counter()
    for meeting in meetings:
        meeting_id = corpus.meeting_ids[meeting.name]
        project_id = corpus.project_ids[meeting.project]
        for query in meeting.queries:
            versions: dict[str, str] = {}
            if translate:
                began = time.perf_counter()
                versions = await retriever.translations(WORKSPACE, project_id, query.text)
                timings.append(time.perf_counter() - began)
            if also_as_asked:
                # As if the meetings were held in Spanish too: both searches, fused.
                versions = {**versions, "es": query.text}
            hits = await retriever.search(
                WORKSPACE, query.text, versions, project_id=project_id,
                meeting_id=meeting_id if scope == "meeting" else None)
            score.add(query, meeting_id, hits)
    score.seconds = time.perf_counter() - start
    return score


async def scores(corpus: Corpus, english: Sequence[Meeting], asked: Sequence[Meeting],
                 translator: ApertiumTranslator, timings: list[float]) -> list[Score]:
    retriever = Retriever(corpus.index, chunks=max(KS), translator=translator)
    rows = [await evaluate(corpus, english, ROWS[0], scope, retriever, [])
            for scope in SCOPES]
    rows += [await evaluate(corpus, asked, ROWS[1], scope, retriever, []) for scope in SCOPES]
    rows += [await evaluate(corpus, asked, ROWS[2], scope, retriever, timings, translate=True)
             for scope in SCOPES]
    rows += [await evaluate(corpus, asked, ROWS[3], scope, retriever, [], translate=True,
                            also_as_asked=True) for scope in SCOPES]
    return rows


def table(rows: Sequence[Score]) -> str:
    lines = ["| question | scope | R@1 | R@3 | R@5 | R@10 | hit@5 | words@5 | R@5 x as asked |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    base = {s.scope: s for s in rows if s.mode == ROWS[1]}
    for s in rows:
        ratio = s.recall(5) / base[s.scope].recall(5)
        lines.append(f"| {s.mode} | {s.scope} | {s.recall(1):.3f} | {s.recall(3):.3f} "
                     f"| {s.recall(5):.3f} | {s.recall(10):.3f} | {s.hit5:.3f} "
                     f"| {s.words_at(5):,.0f} | {ratio:.2f} |")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    translator = ApertiumTranslator.installed()
    if translator is None:
        print("Apertium's English-Spanish pair is not installed: apt-get install "
              "apertium-eng-spa", file=sys.stderr)
        return 1
    english = load_split(args.folder)
    asked = spanish(english, args.questions)
    embedding = MemoMiniLM()
    embedding.load()
    timings: list[float] = []
    try:
        with work_folder(args.cache, "v1tr0-crosslingual-") as root:
            corpus = build(english, DEFAULT_MAX_WORDS, embedding, root)
            try:
                rows = asyncio.run(scores(corpus, english, asked, translator, timings))
            finally:
                corpus.index.client.clear_system_cache()
    finally:
        translator.close()
    queries = sum(len(m.queries) for m in english)
    print()
    print(f"Cross-lingual retrieval: {args.folder}, {queries} specific queries asked in "
          f"Spanish ({args.questions.name}) about English meetings; hybrid search, chunks of at "
          f"most {DEFAULT_MAX_WORDS} words; Python {sys.version.split()[0]}")
    print()
    print(table(rows))
    print()
    for scope in SCOPES:
        shipped, base, ceiling = (next(s for s in rows if s.mode == row and s.scope == scope)
                                  for row in (ROWS[2], ROWS[1], ROWS[0]))
        low, high = recall_interval(shipped, base)
        print(f"Within the {scope}: translating first takes Spanish questions from "
              f"{base.recall(5):.3f} to {shipped.recall(5):.3f} R@5 "
              f"({shipped.recall(5) / base.recall(5):.2f}x; gain {low:+.3f} to {high:+.3f}, "
              f"95 % BCa), against {ceiling.recall(5):.3f} for the same questions in English.")
    first, *rest = timings  # the first starts the pipelines
    ms = sorted(t * 1000 for t in rest)
    print(f"Language detection and translation per question: p50 {statistics.median(ms):.1f} "
          f"ms, p95 {ms[int(len(ms) * 0.95)]:.1f} ms, max {ms[-1]:.1f} ms (the first, starting "
          f"the pipelines: {first * 1000:.0f} ms).")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_SPLIT,
                        help="a QMSum-format folder (default: val)")
    parser.add_argument("--questions", type=Path, default=QUESTIONS,
                        help="the Spanish queries (default: %(default)s)")
    parser.add_argument("--cache", type=Path, metavar="DIR",
                        help="keep the index here and reuse it on the next run")
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
