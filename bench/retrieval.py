"""Span recall of the transcript search (BM25, dense and hybrid) on QMSum's specific queries.

What it measures:
    For every *specific* query of a QMSum split folder (default ``../shared/eval-data/qmsum/val``
    beside the repository; any folder of QMSum-format JSON files works), the top 10 chunks
    that :meth:`storage.search_index.SearchIndex.search_sync` returns in each mode
    (``bm25`` = its ``lexical`` mode, ``dense``, ``hybrid``), searching

    * within the meeting (``meeting_id`` filter), and
    * within the project (``project_id`` filter), where a project is a series of meetings:
      AMI ids ``ES2004a``..``ES2004d`` are project ``ES2004`` (the trailing letter is
      stripped); ICSI meetings are grouped by their prefix (``Bed``, ``Bmr``, ``Bro``, ``Bdb``,
      ``Buw``); committee meetings by theirs (``covid``, ``education``); any other id is a
      project of its own.

    A gold span (an inclusive range of turn indices) is hit at k when one of the top k chunks
    is of the query's meeting and its ``[first_segment, last_segment]`` overlaps the span.
    ``R@k`` = hit spans / all spans; ``hit@5`` = queries with at least one hit span in the top
    5 / queries; ``turns@5`` = gold turns inside a top-5 chunk / all gold turns. ``words@k`` is
    the average number of words of speech (speaker labels not counted) in the top k chunks: a
    bigger window finds more spans per chunk, so read every recall beside the words it took.
    Below the table, 95 % bootstrap intervals (queries resampled) of the hybrid R@5 within
    the project and of its gain over the baseline, paired: with a few hundred spans, settings
    two or three spans apart cannot be told apart.

    It runs the project's own code, not a copy: each meeting file becomes one transcript
    (turn index = segment position, the record's speaker, synthetic times of one second per
    turn), cut by :func:`bot.retrieval.chunking.chunk_turns` and indexed by
    :meth:`SearchIndex.replace_transcript_sync` with the embedded MiniLM embedder, in one
    workspace of a temporary (or ``--cache``) folder. Query embeddings are memoised in the
    run, so the same query is embedded once, whatever the number of settings it is scored in.

    Baseline: plain BM25 over 300-word windows (``lexical`` mode, ``max_words=300``, every
    word of the question kept, no speaker weighting), the figure the goal was set against
    (about 0.65 span R@5 within the project on val; 0.685 measured here); the ``x base``
    column is each R@5 over the baseline's R@5 in the same scope.

    ``--tune`` first prints the grid the defaults were chosen from: chunk sizes
    (``--grid-words``) x dense:lexical weights x RRF constants, then candidates per side and
    speaker weights at each size's best, scored by hybrid span R@5 within the project on the
    given folder (tune on QMSum val only, never on anything else); the table below it always
    scores the shipped defaults (or the settings given on the command line).

    The grid on val (first 170 settings; hybrid R@5 within the project, words@5 in
    brackets): best per chunk size 120 -> 0.673 (518), 150 -> 0.685 (643), 200 -> 0.681
    (861), 250 -> 0.734 (1,118), 300 -> 0.722 (1,339); BM25 alone 0.617 / 0.625 / 0.645 /
    0.690 / 0.685. Shipped: ``max_words=250`` (best size, and 17 % fewer words read than
    300), ``DENSE_WEIGHT=0.5`` with ``LEXICAL_WEIGHT=1`` (dense 0.25-0.5 beat 1-3 at every
    constant), 50 candidates (20 and 100 did no better).
    Once the BM25 side dropped words about the talk and named speakers were weighted, the grid
    at 250 and 300 words (``--grid-words 250,300``, 76 settings) put ``rrf_k`` 20 first
    (0.750-0.758 against 0.730 for 60); ``RRF_K=20`` is shipped. Speaker weights 0 / 0.25 /
    0.5 / 1 / 2 scored 0.758 / 0.750 / 0.734 / 0.746 / 0.738: two spans of 248 apart at most,
    so ``SPEAKER_WEIGHT=0.25`` is kept for the questions it is for ("what did Ana say...").

    Then each chunk's BM25 document got its meeting's ``MEETING_KEYWORDS`` most distinctive
    words (0.750 -> 0.774 at 40; 10 to 80 all helped); rerun with ``--tune --grid-words 250``,
    the grid kept the same weights first.

    Held out: QMSum train (1,095 queries, 1,206 spans; never tuned on) scores the shipped
    settings at 0.682 hybrid R@5 within the project (0.672 without meeting keywords) against
    0.675 for the plain baseline, and 0.843 within the meeting (0.856 without): on train the
    dense side (0.543 within the project) adds nothing to BM25 across a series' meetings.

How to run (from the repository root):
    .venv/bin/python bench/retrieval.py [FOLDER] [--max-words N] [--cache DIR] [--tune]
                                        [--grid-words 120,150,200,250,300]
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import inspect
import itertools
import json
import logging
import re
import shutil
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/retrieval.py`

import numpy as np
import scipy.stats
from stats import work_folder

from bot.retrieval.chunking import Chunk, Turn, chunk_turns
from storage.embeddings import MiniLMEmbedding
from storage.search_index import (
    DENSE_WEIGHT,
    LEXICAL_WEIGHT,
    MEETING_KEYWORDS,
    RRF_K,
    SPEAKER_WEIGHT,
    Hit,
    IndexedChunk,
    LexicalAnalyzer,
    Mode,
    SearchIndex,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SPLIT = ROOT.parent / "shared" / "eval-data" / "qmsum" / "val"
DEFAULT_MAX_WORDS: int = inspect.signature(chunk_turns).parameters["max_words"].default
DEFAULT_CANDIDATES: int = inspect.signature(SearchIndex.search_sync).parameters[
    "candidates"].default
BASELINE_WORDS = 300
KS = (1, 3, 5, 10)
WORKSPACE = 1
GOAL = 0.80  # hybrid span R@5 within the project
RESAMPLES = 10_000  # of the queries, for the 95 % bootstrap intervals
MODES: tuple[tuple[str, Mode], ...] = (("bm25", "lexical"), ("dense", "dense"),
                                      ("hybrid", "hybrid"))
SCOPES = ("meeting", "project")

_AMI = re.compile(r"^((?:ES|IS|TS)\d{4})[a-z]$")
_ICSI = re.compile(r"^(Bed|Bmr|Bro|Bdb|Buw)\d+$")
_COMMITTEE = re.compile(r"^(covid|education)_\d+$")


def project_of(meeting: str) -> str:
    """The series a QMSum meeting belongs to; see the module docstring for the rule.

    Example:
        >>> [project_of(m) for m in ("ES2004a", "Bmr012", "covid_6", "odd")]
        ['ES2004', 'Bmr', 'covid', 'odd']
    """
    for pattern in (_AMI, _ICSI, _COMMITTEE):
        if match := pattern.match(meeting):
            return match[1]
    return meeting


@dataclass(frozen=True, slots=True)
class Query:
    meeting: str
    text: str
    spans: tuple[tuple[int, int], ...]


@dataclass(slots=True)
class Meeting:
    name: str
    project: str
    turns: list[Turn]
    queries: list[Query]


@dataclass(frozen=True, slots=True)
class Fusion:
    """The hybrid mode's knobs, as passed to ``search_sync``."""

    dense_weight: float = DENSE_WEIGHT
    lexical_weight: float = LEXICAL_WEIGHT
    rrf_k: float = RRF_K
    candidates: int = DEFAULT_CANDIDATES
    speaker_weight: float = SPEAKER_WEIGHT

    def __str__(self) -> str:
        return (f"dense {self.dense_weight:g} : lexical {self.lexical_weight:g}, "
                f"rrf_k {self.rrf_k:g}, candidates {self.candidates}, "
                f"speaker {self.speaker_weight:g}")


def load_split(folder: Path) -> list[Meeting]:
    """Every meeting file of a QMSum-format folder, with its specific queries.

    Raises:
        ValueError: a gold span that is not an inclusive range inside its transcript.
    """
    meetings = []
    for path in sorted(folder.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        turns = [Turn(index, turn.get("speaker"), float(index), float(index + 1),
                      turn.get("content") or "")
                 for index, turn in enumerate(record["meeting_transcripts"])]
        queries = []
        for item in record.get("specific_query_list", []):
            spans = tuple((int(start), int(end)) for start, end in item["relevant_text_span"])
            for start, end in spans:
                if not 0 <= start <= end < len(turns):
                    raise ValueError(f"{path.name}: span {start}-{end} outside 0-{len(turns)}")
            if spans:
                queries.append(Query(path.stem, item["query"], spans))
        meetings.append(Meeting(path.stem, project_of(path.stem), turns, queries))
    return meetings


class MemoMiniLM(MiniLMEmbedding):
    """The embedded MiniLM, remembering each text's vector for the rest of the run.

    The index embeds a query on every search; scoring the same query under many settings
    would embed it again each time. Same model, same vectors: only the repeats are skipped.
    """

    def __init__(self) -> None:
        super().__init__()
        self._memo: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        missing = [text for text in dict.fromkeys(texts) if text not in self._memo]
        if missing:
            self._memo.update(zip(missing, super().embed(missing), strict=True))
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        return np.stack([self._memo[text] for text in texts])

    def forget(self) -> None:
        self._memo.clear()


@dataclass(slots=True)
class Corpus:
    """A split indexed at one chunk size: the index and the ids it was filled with."""

    max_words: int
    index: SearchIndex
    meeting_ids: dict[str, int]
    project_ids: dict[str, int]
    chunks: int
    words_per_chunk: float
    seconds: float  # to chunk, embed and store (0 when reused from --cache)


def _fingerprint(meetings: Sequence[Meeting], chunked: Sequence[Sequence[Chunk]],
                 max_words: int, model_id: str) -> str:
    digest = hashlib.sha256(f"{model_id}\0{max_words}".encode())
    for meeting, chunks in zip(meetings, chunked, strict=True):
        digest.update(f"\0{meeting.name}\0{meeting.project}".encode())
        for chunk in chunks:
            digest.update(f"\0{chunk.first_segment}-{chunk.last_segment}\0{chunk.text}".encode())
    return digest.hexdigest()[:16]


def build(meetings: Sequence[Meeting], max_words: int, embedding: MiniLMEmbedding,
          root: Path, *, plain: bool = False) -> Corpus:
    """Chunk and index every meeting at ``max_words``; reuse an identical index under root.

    ``plain`` searches BM25 with every word of the question (the baseline's plain BM25).
    """
    start = time.perf_counter()
    chunked = [chunk_turns(meeting.turns, max_words=max_words) for meeting in meetings]
    total = sum(len(chunks) for chunks in chunked)
    words = sum(_speech_words(chunk.text, chunk.speakers) for chunks in chunked
                for chunk in chunks)
    projects = {name: number for number, name
                in enumerate(sorted({m.project for m in meetings}), start=1)}
    meeting_ids = {meeting.name: number for number, meeting in enumerate(meetings, start=1)}
    folder = root / f"w{max_words}-{_fingerprint(meetings, chunked, max_words, 'minilm')}"
    done = folder / "complete"
    reused = done.exists()
    if not reused and folder.exists():
        shutil.rmtree(folder)
    index = SearchIndex(path=folder, embedding=embedding,
                        analyzer=LexicalAnalyzer(talk_words="") if plain else None,
                        keywords=0 if plain else MEETING_KEYWORDS)
    if not reused:
        indexed = 0
        for meeting, chunks in zip(meetings, chunked, strict=True):
            number = meeting_ids[meeting.name]
            index.replace_transcript_sync(WORKSPACE, projects[meeting.project], number,
                                          number, chunks)
            indexed += len(chunks)
            elapsed = time.perf_counter() - start
            print(f"  ... {max_words} words: {indexed:,}/{total:,} chunks indexed, "
                  f"{indexed / elapsed:.1f}/s", end="\r", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        done.write_text(f"{total}\n")
    if index.count_sync(WORKSPACE) != total:
        raise RuntimeError(f"{folder} holds {index.count_sync(WORKSPACE)} chunks, not {total}")
    return Corpus(max_words, index, meeting_ids, projects, total, words / max(total, 1),
                  0.0 if reused else time.perf_counter() - start)


def _speech_words(text: str, speakers: Iterable[str]) -> int:
    """Words of a chunk's text without the ``Speaker:`` label at the start of each line."""
    labels = tuple(f"{speaker}: " for speaker in speakers)
    count = 0
    for line in text.splitlines():
        for label in labels:
            if line.startswith(label):
                line = line[len(label):]
                break
        count += len(line.split())
    return count


def _words(chunk: IndexedChunk) -> int:
    return _speech_words(chunk.text, chunk.speakers)


@dataclass(slots=True)
class Score:
    """One row of the table: a mode and a scope scored over every query."""

    mode: str
    scope: str
    max_words: int
    fusion: Fusion | None
    spans: int = 0
    queries: int = 0
    gold_turns: int = 0
    hit_spans: dict[int, int] = field(default_factory=lambda: dict.fromkeys(KS, 0))
    hit_queries5: int = 0
    hit_turns5: int = 0
    words: dict[int, int] = field(default_factory=lambda: dict.fromkeys(KS, 0))
    # (spans hit in the top 5, spans) of each query, in the order scored, for the bootstrap.
    per_query5: list[tuple[int, int]] = field(default_factory=list)
    seconds: float = 0.0

    def recall(self, k: int) -> float:
        return self.hit_spans[k] / self.spans if self.spans else float("nan")

    def words_at(self, k: int) -> float:
        return self.words[k] / self.queries if self.queries else float("nan")

    @property
    def hit5(self) -> float:
        return self.hit_queries5 / self.queries if self.queries else float("nan")

    @property
    def turns5(self) -> float:
        return self.hit_turns5 / self.gold_turns if self.gold_turns else float("nan")

    def add(self, query: Query, meeting_id: int, hits: Sequence[Hit]) -> None:
        self.queries += 1
        self.spans += len(query.spans)
        for k in KS:
            top = [hit.chunk for hit in hits[:k]]
            ranges = [(c.first_segment, c.last_segment) for c in top
                      if c.meeting_id == meeting_id]
            found = [span for span in query.spans
                     if any(first <= span[1] and span[0] <= last for first, last in ranges)]
            self.hit_spans[k] += len(found)
            self.words[k] += sum(_words(chunk) for chunk in top)
            if k == 5:
                self.per_query5.append((len(found), len(query.spans)))
                self.hit_queries5 += bool(found)
                gold = set().union(*(range(s, e + 1) for s, e in query.spans))
                self.gold_turns += len(gold)
                self.hit_turns5 += sum(1 for turn in gold
                                       if any(f <= turn <= last for f, last in ranges))


def evaluate(corpus: Corpus, meetings: Sequence[Meeting], label: str, mode: Mode, scope: str,
             fusion: Fusion) -> Score:
    """Search every specific query in one mode and scope; score the top 10."""
    score = Score(label, scope, corpus.max_words, fusion if mode == "hybrid" else None)
    start = time.perf_counter()
    for meeting in meetings:
        meeting_id = corpus.meeting_ids[meeting.name]
        where = ({"meeting_id": meeting_id} if scope == "meeting"
                 else {"project_id": corpus.project_ids[meeting.project]})
        for query in meeting.queries:
            hits = corpus.index.search_sync(
                WORKSPACE, query.text, k=max(KS), mode=mode, dense_weight=fusion.dense_weight,
                lexical_weight=fusion.lexical_weight, candidates=fusion.candidates,
                rrf_k=fusion.rrf_k, speaker_weight=fusion.speaker_weight, **where)
            score.add(query, meeting_id, hits)
    score.seconds = time.perf_counter() - start
    return score


def recall_interval(score: Score, base: Score | None = None) -> tuple[float, float]:
    """The 95 % bootstrap interval of a score's R@5, or of its R@5 minus ``base``'s.

    Queries are resampled (with all their spans), paired across the two scores when ``base``
    is given, so the interval of the difference reflects only how the methods disagree.
    BCa, :data:`RESAMPLES` resamples, a fixed seed: the same run prints the same interval.

    Raises:
        ValueError: when the two scores were not taken over the same queries.
    """
    hits, spans = np.array(score.per_query5, dtype=np.float64).T

    def recall(hit: np.ndarray, span: np.ndarray, axis: int = -1) -> np.ndarray:
        return hit.sum(axis=axis) / span.sum(axis=axis)

    def gain(hit: np.ndarray, base_hit: np.ndarray, span: np.ndarray,
             axis: int = -1) -> np.ndarray:
        return (hit.sum(axis=axis) - base_hit.sum(axis=axis)) / span.sum(axis=axis)

    if base is None:
        data, statistic = (hits, spans), recall
    else:
        base_hits, base_spans = np.array(base.per_query5, dtype=np.float64).T
        if not np.array_equal(spans, base_spans):
            raise ValueError("the two scores are not over the same queries")
        data, statistic = (hits, base_hits, spans), gain
    result = scipy.stats.bootstrap(data, statistic, paired=True, vectorized=True,
                                   n_resamples=RESAMPLES, rng=np.random.default_rng(0))
    interval = result.confidence_interval
    return float(interval.low), float(interval.high)


# -- tables ---------------------------------------------------------------------------------


def table(scores: Sequence[Score], baseline: dict[str, Score]) -> str:
    """The main table: every figure beside the words it took and its ratio to the baseline."""
    lines = ["| mode | scope | max words | R@1 | R@3 | R@5 | R@10 | hit@5 | turns@5 | words@5 "
             "| words@10 | R@5 x base |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in scores:
        base = baseline.get(s.scope)
        ratio = f"{s.recall(5) / base.recall(5):.2f}" if base and base.recall(5) else "-"
        lines.append(
            f"| {s.mode} | {s.scope} | {s.max_words} | {s.recall(1):.3f} | {s.recall(3):.3f} "
            f"| {s.recall(5):.3f} | {s.recall(10):.3f} | {s.hit5:.3f} | {s.turns5:.3f} "
            f"| {s.words_at(5):,.0f} | {s.words_at(10):,.0f} | {ratio} |")
    return "\n".join(lines)


def corpus_table(corpora: Sequence[Corpus]) -> str:
    lines = ["| max words | chunks | words/chunk | index s | chunks/s |",
             "|---:|---:|---:|---:|---:|"]
    for c in corpora:
        rate = f"{c.chunks / c.seconds:.1f}" if c.seconds else "(cached)"
        seconds = f"{c.seconds:.0f}" if c.seconds else "-"
        lines.append(f"| {c.max_words} | {c.chunks:,} | {c.words_per_chunk:.0f} | {seconds} "
                     f"| {rate} |")
    return "\n".join(lines)


def grid_table(rows: Sequence[Score], best: Score, shipped: tuple[int, Fusion]) -> str:
    lines = ["| max words | dense w | lexical w | rrf_k | candidates | speaker w | R@1 | R@5 "
             "| R@10 | hit@5 | words@5 | |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for s in rows:
        f = s.fusion
        assert f is not None
        marks = ["**best**"] if s is best else []
        marks += ["**scored below**"] if (s.max_words, f) == shipped else []
        mark = ", ".join(marks)
        lines.append(f"| {s.max_words} | {f.dense_weight:g} | {f.lexical_weight:g} "
                     f"| {f.rrf_k:g} | {f.candidates} | {f.speaker_weight:g} "
                     f"| {s.recall(1):.3f} | {s.recall(5):.3f} "
                     f"| {s.recall(10):.3f} | {s.hit5:.3f} | {s.words_at(5):,.0f} | {mark} |")
    return "\n".join(lines)


def sizes_table(rows: Sequence[Score]) -> str:
    """Single-side modes at every chunk size, for reference beside the grid."""
    lines = ["| max words | mode | R@1 | R@5 | R@10 | hit@5 | words@5 |",
             "|---:|---|---:|---:|---:|---:|---:|"]
    for s in rows:
        lines.append(f"| {s.max_words} | {s.mode} | {s.recall(1):.3f} | {s.recall(5):.3f} "
                     f"| {s.recall(10):.3f} | {s.hit5:.3f} | {s.words_at(5):,.0f} |")
    return "\n".join(lines)


# -- the run --------------------------------------------------------------------------------


def fusion_grid(args: argparse.Namespace) -> list[Fusion]:
    """Dense:lexical weight ratios x RRF constants, at the default candidates per side."""
    return [Fusion(dense, 1.0, rrf_k, DEFAULT_CANDIDATES, args.speaker_weight)
            for dense, rrf_k in itertools.product(args.grid_dense, args.grid_rrf)]


def tune(meetings: Sequence[Meeting], args: argparse.Namespace, embedding: MemoMiniLM,
         root: Path, corpora: dict[int, Corpus], shipped: tuple[int, Fusion]) -> list[str]:
    """Grid search on the folder given; returns its report."""
    rows: list[Score] = []
    singles: list[Score] = []
    for max_words in args.grid_words:
        corpus = corpora.get(max_words) or build(meetings, max_words, embedding, root)
        corpora[max_words] = corpus
        for label, mode in MODES[:2]:
            singles.append(evaluate(corpus, meetings, label, mode, "project", Fusion()))
        for fusion in fusion_grid(args):
            rows.append(evaluate(corpus, meetings, "hybrid", "hybrid", "project", fusion))
        # Candidates per side, at this size's best weights and constant.
        best_here = max((r for r in rows if r.max_words == max_words), key=_objective)
        assert best_here.fusion is not None
        weights = best_here.fusion
        for candidates in args.grid_candidates:
            if candidates != weights.candidates:
                fusion = dataclasses.replace(weights, candidates=candidates)
                rows.append(evaluate(corpus, meetings, "hybrid", "hybrid", "project", fusion))
        # Speaker weights, at this size's best weights and constant.
        for speaker_weight in args.grid_speaker:
            if speaker_weight != weights.speaker_weight:
                fusion = dataclasses.replace(weights, speaker_weight=speaker_weight)
                rows.append(evaluate(corpus, meetings, "hybrid", "hybrid", "project", fusion))
        top = max((r for r in rows if r.max_words == max_words), key=_objective)
        print(f"  ... {max_words} words: best hybrid R@5 {top.recall(5):.3f} ({top.fusion})",
              file=sys.stderr, flush=True)
    best = max(rows, key=_objective)
    assert best.fusion is not None
    report = [
        f"Grid (--tune): hybrid span R@5 within the project, {len(rows)} settings; objective "
        "R@5, ties broken by R@10 then R@1. Weights are relative (RRF is scale-free in them), "
        "so lexical stays 1.",
        "", grid_table(rows, best, shipped), "",
        "Single-side modes at each chunk size (within the project):", "",
        sizes_table(singles), "",
        f"Best: max_words={best.max_words}, {best.fusion}: R@5 {best.recall(5):.3f}, "
        f"words@5 {best.words_at(5):,.0f}"]
    return report


def _objective(score: Score) -> tuple[float, float, float]:
    return (round(score.recall(5), 6), round(score.recall(10), 6), round(score.recall(1), 6))


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_SPLIT,
                        help=f"a QMSum-format split folder (default {DEFAULT_SPLIT})")
    parser.add_argument("--max-words", type=int, default=DEFAULT_MAX_WORDS,
                        help=f"chunk size to score (default: chunk_turns' {DEFAULT_MAX_WORDS})")
    parser.add_argument("--dense-weight", type=float, default=DENSE_WEIGHT)
    parser.add_argument("--lexical-weight", type=float, default=LEXICAL_WEIGHT)
    parser.add_argument("--rrf-k", type=float, default=RRF_K)
    parser.add_argument("--candidates", type=int, default=DEFAULT_CANDIDATES)
    parser.add_argument("--speaker-weight", type=float, default=SPEAKER_WEIGHT)
    parser.add_argument("--cache", type=Path, metavar="DIR",
                        help="keep the indexes here and reuse identical ones (default: a "
                             "temporary folder, removed at the end)")
    parser.add_argument("--tune", action="store_true",
                        help="run the grid search first and print it")
    parser.add_argument("--grid-words", type=_ints, default=[120, 150, 200, 250, 300],
                        help="chunk sizes of the grid (default 120,150,200,250,300)")
    parser.add_argument("--grid-dense", type=_floats,
                        default=[0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0],
                        help="dense weights of the grid, lexical weight 1 (default "
                             "0.25,0.5,0.75,1,1.25,1.5,2,3)")
    parser.add_argument("--grid-rrf", type=_floats, default=[5, 20, 60, 120],
                        help="RRF constants of the grid (default 5,20,60,120)")
    parser.add_argument("--grid-candidates", type=_ints, default=[20, 50, 100],
                        help="candidates per side tried at each size's best (default 20,50,100)")
    parser.add_argument("--grid-speaker", type=_floats, default=[0, 0.25, 0.5, 1.0, 2.0],
                        help="speaker weights tried at each size's best (default 0,0.25,0.5,1,2)")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        parser.error(f"{args.folder} is not a folder")
    sizes = [args.max_words, *args.grid_words]
    if any(not 1 <= size <= 300 for size in sizes):
        parser.error("chunk sizes must be between 1 and 300 words")
    return args


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def _floats(text: str) -> list[float]:
    return [float(part) for part in text.split(",") if part.strip()]


def run(args: argparse.Namespace) -> int:
    meetings = load_split(args.folder)
    queries = sum(len(m.queries) for m in meetings)
    spans = sum(len(q.spans) for m in meetings for q in m.queries)
    if not queries:
        print(f"no specific queries in {args.folder}", file=sys.stderr)
        return 1
    embedding = MemoMiniLM()
    embedding.load()
    with work_folder(args.cache, "v1tr0-retrieval-") as root:
        try:
            corpora: dict[int, Corpus] = {}
            max_words = args.max_words
            fusion = Fusion(args.dense_weight, args.lexical_weight, args.rrf_k, args.candidates,
                            args.speaker_weight)
            report: list[str] = []
            if args.tune:
                report = tune(meetings, args, embedding, root, corpora, (max_words, fusion))
            corpus = corpora.get(max_words) or build(meetings, max_words, embedding, root)
            corpora[max_words] = corpus
            scores = [evaluate(corpus, meetings, label, mode, scope, fusion)
                      for label, mode in MODES for scope in SCOPES]
            # Plain BM25: every word of the question, no speaker weighting (nothing to fuse).
            plain = build(meetings, BASELINE_WORDS, embedding, root, plain=True)
            corpora.setdefault(BASELINE_WORDS, plain)
            baseline = {scope: evaluate(plain, meetings, "baseline: bm25", "lexical", scope,
                                        Fusion(speaker_weight=0.0)) for scope in SCOPES}
            scores += list(baseline.values())
        finally:
            for c in corpora.values():
                c.index.client.clear_system_cache()

    projects = sorted({m.project for m in meetings})
    print()
    print(f"Retrieval benchmark: {args.folder} -- {len(meetings)} meetings in "
          f"{len(projects)} projects ({', '.join(projects)}), {queries} specific queries, "
          f"{spans} gold spans; Python {sys.version.split()[0]}")
    print()
    if report:
        print("\n".join(report))
        print()
    print("Indexes:")
    print()
    print(corpus_table([corpora[size] for size in sorted(corpora)]))
    print()
    print(f"Chunks of at most {max_words} words; hybrid fusion: {fusion}. Baseline: plain BM25 "
          f"over {BASELINE_WORDS}-word windows.")
    print()
    print(table(scores, baseline))
    print()
    hybrid = next(s for s in scores if s.mode == "hybrid" and s.scope == "project")
    base = baseline["project"]
    verdict = "met" if hybrid.recall(5) >= GOAL else "NOT met"
    print(f"Goal: hybrid span R@5 within the project >= {GOAL:.2f}: {hybrid.recall(5):.3f} "
          f"({verdict}), {hybrid.recall(5) / base.recall(5):.2f} x the baseline's "
          f"{base.recall(5):.3f}, reading {hybrid.words_at(5):,.0f} words at k=5 against "
          f"the baseline's {base.words_at(5):,.0f}.")
    low, high = recall_interval(hybrid)
    gain_low, gain_high = recall_interval(hybrid, base)
    print(f"95 % bootstrap intervals over the {hybrid.queries:,} queries (BCa, {RESAMPLES:,} "
          f"resamples; one span is {1 / hybrid.spans:.3f}): hybrid R@5 within the project "
          f"{low:.3f}-{high:.3f}; hybrid minus the baseline {gain_low:+.3f} to {gain_high:+.3f}.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
