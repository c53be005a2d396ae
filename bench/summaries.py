"""ROUGE of the extractive meeting summariser on QMSum, beside two baselines.

What it measures:
    ROUGE-1, ROUGE-2 and ROUGE-L F1 (``rouge_score``, Porter stemming), averaged over queries,
    of three summaries of each whole meeting in a QMSum split folder (default
    ``../shared/eval-data/qmsum/val`` beside the repository; any folder of QMSum-format JSON
    files works) against the reference answers of its *general* queries that ask for a
    summary:

    * ``extractive`` -- :class:`bot.transcripts.summarize.ExtractiveSummarizer` as shipped
      (its ``summary`` points joined),
    * ``LEAD`` -- the transcript's first sentences, in order, while they fit the word budget,
    * ``TextRank`` -- the same TF-IDF cosine graph and PageRank as ``extractive``, the top
      sentences that fit the budget in transcript order, with no redundancy control and no
      sentence-length filter.

    All three use the same sentences (annotation tokens such as ``{disfmarker}`` and fillers
    removed) and the same word budget (``--words``, default 110: the average length of
    QMSum's reference summaries). Each ROUGE value is followed by its ratio to LEAD's;
    ``s/meeting`` is the time one summary takes (for ``extractive``, the whole
    :class:`~bot.transcripts.model.Summary`: decisions, action items and due dates too).

    Which general queries count (the rule): the query, lower-cased, contains ``summar``,
    ``discuss``, ``about``, ``topic``, ``focus`` or ``said``, and none of ``decision``,
    ``decide``, ``resolution``, ``agree`` or ``conclu``. That keeps "Summarize the whole
    meeting.", "What was discussed in the meeting?", "What were the main topics?" and the
    like, and skips the queries about the meeting's decisions ("What were the resolutions in
    the meeting?"), which a whole-meeting summary does not answer.

    The knobs of ``extractive`` were tuned on QMSum ``train/`` and ``val/`` only; never run
    this on QMSum's test split to choose anything.

How to run (from the repository root):
    .venv/bin/python bench/summaries.py [FOLDER] [--words N]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/summaries.py`

import numpy as np
from rouge_score import rouge_scorer

from bot.transcripts.model import Segment
from bot.transcripts.summarize import (
    ExtractiveSummarizer,
    Sentence,
    pagerank,
    split_sentences,
    tfidf,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FOLDER = ROOT.parent / "shared" / "eval-data" / "qmsum" / "val"
METRICS = ("rouge1", "rouge2", "rougeL")
ASKS_FOR_SUMMARY = re.compile(r"summar|discuss|about|topic|focus|said")
ASKS_FOR_DECISIONS = re.compile(r"decision|decide|resolution|agree|conclu")
MEETING_DATE = date(2027, 3, 24)  # anchors due dates, which do not enter the score

Method = Callable[[Sequence[Segment], list[Sentence], int], str]


@dataclass(frozen=True, slots=True)
class Meeting:
    """One QMSum file: its turns as segments and the reference summaries to score against."""

    id: str
    segments: list[Segment]
    references: list[str]


def asks_for_summary(query: str) -> bool:
    """Whether a general query asks for a summary of the meeting (see the module docstring)."""
    text = query.lower()
    return bool(ASKS_FOR_SUMMARY.search(text)) and not ASKS_FOR_DECISIONS.search(text)


def load(folder: Path) -> list[Meeting]:
    """The meetings of a QMSum-format folder that have at least one summary query."""
    meetings = []
    for path in sorted(folder.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        references = [q["answer"] for q in record.get("general_query_list", [])
                      if asks_for_summary(q["query"])]
        if not references:
            continue
        # QMSum has no timings: a turn's index stands in for its start.
        segments = [Segment(turn.get("speaker"), float(i), float(i + 1), turn["content"])
                    for i, turn in enumerate(record["meeting_transcripts"])]
        meetings.append(Meeting(path.stem, segments, references))
    return meetings


def extractive(summarizer: ExtractiveSummarizer) -> Method:
    """The summariser under test, its summary's points joined."""

    def run(segments: Sequence[Segment], _sentences: list[Sentence], _budget: int) -> str:
        summary = summarizer.summarize_sync(segments, language="en", meeting_date=MEETING_DATE)
        return " ".join(point.text for point in summary.summary)

    return run


def lead(_segments: Sequence[Segment], sentences: list[Sentence], budget: int) -> str:
    """The first sentences, in order, while they fit the budget."""
    chosen: list[str] = []
    used = 0
    for sentence in sentences:
        if used + sentence.words > budget:
            break
        chosen.append(sentence.text)
        used += sentence.words
    return " ".join(chosen)


def textrank(_segments: Sequence[Segment], sentences: list[Sentence], budget: int) -> str:
    """Plain TextRank: the highest-PageRank sentences that fit the budget, in transcript order."""
    scores = pagerank(tfidf([s.text for s in sentences]))
    chosen: list[int] = []
    used = 0
    for i in np.argsort(-scores, kind="stable"):
        if used + sentences[i].words <= budget:
            chosen.append(int(i))
            used += sentences[i].words
    return " ".join(sentences[i].text for i in sorted(chosen))


@dataclass
class Score:
    """Averages of one method over all queries."""

    rouge: dict[str, float]
    words: float
    seconds: float


def evaluate(meetings: Sequence[Meeting], methods: dict[str, Method], budget: int
             ) -> dict[str, Score]:
    """Score every method on every (meeting, reference) pair."""
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    totals = {name: {metric: 0.0 for metric in METRICS} for name in methods}
    words = dict.fromkeys(methods, 0.0)
    seconds = dict.fromkeys(methods, 0.0)
    pairs = 0
    for meeting in meetings:
        sentences = split_sentences(meeting.segments)
        for name, method in methods.items():
            started = time.perf_counter()
            text = method(meeting.segments, sentences, budget)
            seconds[name] += time.perf_counter() - started
            for reference in meeting.references:
                scores = scorer.score(reference, text)
                for metric in METRICS:
                    totals[name][metric] += scores[metric].fmeasure
                words[name] += len(text.split())
        pairs += len(meeting.references)
    return {name: Score({m: totals[name][m] / pairs for m in METRICS}, words[name] / pairs,
                        seconds[name] / len(meetings))
            for name in methods}


def table(results: dict[str, Score], baseline: str = "LEAD") -> str:
    """A markdown table, each ROUGE value followed by its ratio to the baseline's."""
    lines = ["| method | ROUGE-1 | ROUGE-2 | ROUGE-L | avg words | s/meeting |",
             "|---|---|---|---|---|---|"]
    base = results[baseline].rouge
    for name, score in results.items():
        cells = [f"{100 * score.rouge[m]:.2f} ({score.rouge[m] / base[m]:.2f}× {baseline})"
                 for m in METRICS]
        lines.append(f"| {name} | {' | '.join(cells)} | {score.words:.1f} | "
                     f"{score.seconds:.3f} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER,
                        help="a folder of QMSum-format JSON files (default: QMSum val)")
    parser.add_argument("--words", type=int, default=110, help="word budget (default 110)")
    args = parser.parse_args(argv)
    meetings = load(args.folder)
    if not meetings:
        print(f"no meeting with a summary query in {args.folder}", file=sys.stderr)
        return 1
    queries = sum(len(m.references) for m in meetings)
    methods: dict[str, Method] = {
        "LEAD": lead,
        "TextRank": textrank,
        "extractive": extractive(ExtractiveSummarizer(word_budget=args.words)),
    }
    results = evaluate(meetings, methods, args.words)
    print(f"QMSum {args.folder.name}: {len(meetings)} meetings, {queries} summary queries, "
          f"budget {args.words} words; ROUGE F1 x 100 (stemmed)\n")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
