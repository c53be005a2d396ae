"""Cut one transcript into retrieval chunks: windows of consecutive speaker turns.

Pure functions, no I/O. A chunk is a window of whole speaker turns holding at most
``max_words`` words of speech, written as ``Speaker: text`` lines so that both the embedding
and BM25 see who said what. Chunking works on one transcript at a time, so a window can never
cross from one meeting into another.

Example:
    >>> turns = [Turn(0, "Ana", 0.0, 4.0, "Let's move the launch to Friday."),
    ...          Turn(1, "Bo", 4.0, 6.0, "Fine by me {vocalsound} .")]
    >>> [chunk.text for chunk in chunk_turns(turns)]
    ["Ana: Let's move the launch to Friday.\\nBo: Fine by me."]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# QMSum (AMI, ICSI) keeps these annotation tokens in the transcript text; they are noise for
# both the embedding and BM25, and a reader should never see them in a cited chunk.
_ANNOTATION = re.compile(
    r"\{\s*(?:disfmarker|vocalsound|pause|gap|comment|nonvocalsound)\s*\}", re.IGNORECASE
)
_SPACES = re.compile(r"\s+")
# Removing a token leaves "word ." behind; glue the punctuation back to its word.
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,!?;:])")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker turn (a transcript segment): its index in the transcript, times in seconds."""

    position: int
    speaker: str | None
    start: float
    end: float
    text: str


@dataclass(frozen=True, slots=True)
class Chunk:
    """A window of consecutive turns, ready to be indexed.

    ``first_segment`` and ``last_segment`` are the positions of the first and last turn in the
    window (both included); ``speakers`` lists who speaks in it, in order of first appearance.
    """

    text: str
    first_segment: int
    last_segment: int
    speakers: tuple[str, ...]
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class _Piece:
    """A cleaned turn, or part of one when the turn alone is longer than a window."""

    position: int
    speaker: str | None
    start: float
    end: float
    text: str
    words: int


def clean_text(text: str) -> str:
    """Drop QMSum annotation tokens and collapse whitespace.

    Example:
        >>> clean_text("So {disfmarker} we  could {vocalsound} go .")
        'So we could go.'
    """
    text = _ANNOTATION.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    return _SPACE_BEFORE_PUNCT.sub(r"\1", text)


def chunk_turns(turns: Sequence[Turn], *, max_words: int = 250,
                overlap_turns: int = 1) -> list[Chunk]:
    """Group consecutive speaker turns of one transcript into overlapping windows.

    Each window holds at most ``max_words`` words of speech (speaker labels are not counted).
    A turn longer than ``max_words`` is split at sentence boundaries (or, for a sentence that
    is itself too long, at word boundaries) into pieces that each fit; every piece keeps the
    turn's position, and its times are interpolated by word count within the turn.

    Consecutive windows share ``overlap_turns`` turns (pieces), so an answer that straddles a
    window boundary is still whole in one of the two windows and stays findable. Turns that
    are empty once annotation tokens are removed are skipped.

    Args:
        turns: The transcript's turns, in order.
        max_words: Most words of speech in one chunk.
        overlap_turns: How many turns a window repeats from the end of the previous one.

    Returns:
        The chunks in transcript order; empty when no turn has any words.

    Raises:
        ValueError: when ``max_words`` < 1 or ``overlap_turns`` < 0.
    """
    if max_words < 1:
        raise ValueError("max_words must be at least 1")
    if overlap_turns < 0:
        raise ValueError("overlap_turns must not be negative")
    pieces = [piece for turn in turns for piece in _pieces(turn, max_words)]
    chunks: list[Chunk] = []
    start = 0
    while start < len(pieces):
        end = _window_end(pieces, start, max_words)
        chunks.append(_chunk(pieces[start:end]))
        if end >= len(pieces):
            break
        following = max(end - overlap_turns, start + 1)
        # A window that starts inside the overlap but cannot reach past ``end`` would only
        # repeat turns already indexed together; start the next window fresh instead.
        if _window_end(pieces, following, max_words) <= end:
            following = end
        start = following
    return chunks


def _window_end(pieces: Sequence[_Piece], start: int, max_words: int) -> int:
    """The end (exclusive) of the longest window from ``start`` within ``max_words``."""
    words = pieces[start].words
    end = start + 1
    while end < len(pieces) and words + pieces[end].words <= max_words:
        words += pieces[end].words
        end += 1
    return end


def _chunk(pieces: Sequence[_Piece]) -> Chunk:
    speakers = tuple(dict.fromkeys(piece.speaker for piece in pieces if piece.speaker))
    lines = [f"{piece.speaker}: {piece.text}" if piece.speaker else piece.text
             for piece in pieces]
    return Chunk(text="\n".join(lines), first_segment=pieces[0].position,
                 last_segment=pieces[-1].position, speakers=speakers,
                 start=min(piece.start for piece in pieces),
                 end=max(piece.end for piece in pieces))


def _pieces(turn: Turn, max_words: int) -> list[_Piece]:
    """The cleaned turn as one piece, or as several of at most ``max_words`` words."""
    text = clean_text(turn.text)
    speaker = turn.speaker.strip() if turn.speaker and turn.speaker.strip() else None
    words = len(text.split())
    if words == 0:
        return []
    if words <= max_words:
        return [_Piece(turn.position, speaker, turn.start, turn.end, text, words)]
    parts = _split(text, max_words)
    pieces: list[_Piece] = []
    done = 0
    duration = max(turn.end - turn.start, 0.0)
    for part in parts:
        count = len(part.split())
        start = turn.start + duration * done / words
        done += count
        end = turn.start + duration * done / words
        pieces.append(_Piece(turn.position, speaker, start, end, part, count))
    return pieces


def _split(text: str, max_words: int) -> list[str]:
    """Pack sentences greedily into parts of at most ``max_words`` words."""
    parts: list[str] = []
    current: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        words = sentence.split()
        if len(words) > max_words:
            # A run-on "sentence" (common in speech-to-text output): cut at word boundaries.
            if current:
                parts.append(" ".join(current))
                current = []
            cuts = range(0, len(words), max_words)
            parts.extend(" ".join(words[index:index + max_words]) for index in cuts[:-1])
            # The short tail may still share a part with the sentences that follow.
            current = words[cuts[-1]:]
            continue
        if len(current) + len(words) > max_words:
            parts.append(" ".join(current))
            current = []
        current.extend(words)
    if current:
        parts.append(" ".join(current))
    return parts
