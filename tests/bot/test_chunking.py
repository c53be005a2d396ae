"""Chunking transcripts into overlapping windows of speaker turns."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.retrieval.chunking import Chunk, Turn, chunk_turns, clean_text


def turn(position: int, speaker: str | None, words: int | str, *, start: float | None = None,
         end: float | None = None) -> Turn:
    text = words if isinstance(words, str) else " ".join(f"w{position}x{i}" for i in range(words))
    start = float(position * 10) if start is None else start
    return Turn(position, speaker, start, start + 10.0 if end is None else end, text)


def spoken_words(chunk: Chunk) -> int:
    """Words of speech in a chunk, without the "Speaker:" labels."""
    return sum(len(line.split(": ", 1)[-1].split()) for line in chunk.text.splitlines())


def test_windows_respect_max_words_and_keep_order() -> None:
    turns = [turn(i, "Ana" if i % 2 else "Bo", 40) for i in range(20)]
    chunks = chunk_turns(turns, max_words=100, overlap_turns=0)
    assert all(spoken_words(chunk) <= 100 for chunk in chunks)
    # Without overlap the windows tile the transcript exactly, in order.
    assert [(c.first_segment, c.last_segment) for c in chunks] == [
        (i, i + 1) for i in range(0, 20, 2)]
    assert chunks[0].text.splitlines()[0].startswith("Bo: w0x0 w0x1")
    assert chunks[0].start == 0.0 and chunks[0].end == 20.0
    assert chunks[0].speakers == ("Bo", "Ana")


def test_consecutive_windows_share_the_overlap_turns() -> None:
    turns = [turn(i, f"S{i % 3}", 30) for i in range(12)]
    chunks = chunk_turns(turns, max_words=100, overlap_turns=1)
    assert len(chunks) > 1
    for previous, following in itertools.pairwise(chunks):
        assert following.first_segment == previous.last_segment
        assert previous.text.splitlines()[-1] == following.text.splitlines()[0]
    assert chunks[-1].last_segment == 11
    covered = {p for chunk in chunks for p in range(chunk.first_segment, chunk.last_segment + 1)}
    assert covered == set(range(12))


def test_no_window_merely_repeats_turns_of_the_previous_one() -> None:
    # Turn 1 fits with turn 0 but not with turn 2: a window starting at turn 1 would be
    # a subset of the first one, so the next window starts fresh at turn 2.
    turns = [turn(0, "A", 50), turn(1, "B", 200), turn(2, "C", 290), turn(3, "D", 5)]
    chunks = chunk_turns(turns, max_words=300, overlap_turns=1)
    assert [(c.first_segment, c.last_segment) for c in chunks] == [(0, 1), (2, 3)]


def test_a_long_turn_is_split_at_sentences_and_keeps_its_position() -> None:
    sentences = [" ".join(["word"] * 9) + f" s{i}." for i in range(10)]  # 10 words each
    long_turn = Turn(3, "Ana", 100.0, 200.0, " ".join(sentences))
    chunks = chunk_turns([turn(2, "Bo", 5), long_turn, turn(4, "Bo", 5)], max_words=25,
                         overlap_turns=0)
    assert all(spoken_words(chunk) <= 25 for chunk in chunks)
    lines = [line for chunk in chunks for line in chunk.text.splitlines()
             if line.startswith("Ana: ")]
    # Whole sentences only (two per piece here), each piece on its own line.
    assert len(lines) == 5 and all(line.endswith(".") for line in lines)
    pieces = [chunk for chunk in chunks if 3 in (chunk.first_segment, chunk.last_segment)]
    assert all(chunk.first_segment <= 3 <= chunk.last_segment for chunk in pieces)
    # Times are spread across the turn, in order.
    inside = [chunk for chunk in pieces if chunk.first_segment == chunk.last_segment == 3]
    starts = [chunk.start for chunk in inside]
    assert starts == sorted(starts) and starts[0] > 100.0 and inside[-1].end < 200.0
    all_text = " ".join(line.split(": ", 1)[1] for c in chunks for line in c.text.splitlines())
    assert all(f"s{i}." in all_text for i in range(10))


def test_a_long_sentence_is_split_at_words() -> None:
    chunks = chunk_turns([turn(0, "Ana", 95)], max_words=30, overlap_turns=1)
    assert [spoken_words(chunk) for chunk in chunks] == [30, 30, 30, 5]
    assert all(chunk.first_segment == 0 for chunk in chunks)
    assert " ".join(c.text.removeprefix("Ana: ") for c in chunks).split() == [
        f"w0x{i}" for i in range(95)]


def test_annotation_tokens_are_stripped_and_empty_turns_skipped() -> None:
    turns = [
        Turn(0, "Grad A", 0, 1, "So {disfmarker} we  could {vocalsound} try\n it ."),
        Turn(1, "Grad B", 1, 2, "{vocalsound} {pause} {gap}"),
        Turn(2, "Grad C", 2, 3, "{nonvocalsound} Right , {comment} okay ."),
        Turn(3, None, 3, 4, "Unattributed words."),
    ]
    [chunk] = chunk_turns(turns)
    assert chunk.text == "Grad A: So we could try it.\nGrad C: Right, okay.\nUnattributed words."
    assert chunk.speakers == ("Grad A", "Grad C")
    assert (chunk.first_segment, chunk.last_segment) == (0, 3)
    assert "{" not in chunk.text
    assert clean_text("{disfmarker} {gap}") == ""


def test_nothing_to_chunk() -> None:
    assert chunk_turns([]) == []
    assert chunk_turns([Turn(0, "A", 0, 1, " {vocalsound} ")]) == []


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        chunk_turns([turn(0, "A", 3)], max_words=0)
    with pytest.raises(ValueError):
        chunk_turns([turn(0, "A", 3)], overlap_turns=-1)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=120), max_size=40),
       st.integers(min_value=5, max_value=100), st.integers(min_value=0, max_value=3))
def test_every_word_is_in_a_window_that_fits(sizes: list[int], max_words: int,
                                             overlap: int) -> None:
    turns = [turn(i, f"S{i % 4}", size) for i, size in enumerate(sizes)]
    chunks = chunk_turns(turns, max_words=max_words, overlap_turns=overlap)
    assert all(0 < spoken_words(chunk) <= max_words for chunk in chunks)
    firsts = [chunk.first_segment for chunk in chunks]
    assert firsts == sorted(firsts)
    indexed = {word for chunk in chunks for word in chunk.text.split()}
    assert all(word in indexed for t in turns for word in t.text.split())
