"""Reading transcript files people upload: WebVTT, SubRip, plain text and JSON.

Every parser returns :class:`~bot.transcripts.model.Segment` objects sorted by start time, or
raises :class:`~bot.transcripts.model.TranscriptError` with a short English message (marked with
``N_``) that names the line (text formats) or the item (JSON) at fault.

Decisions worth knowing:

* Bytes are read as UTF-8 (a BOM is fine), then as cp1252 for legacy Windows exports. UTF-16 is
  accepted only with its BOM, as Windows Notepad writes it; any other NUL byte means the file is
  audio or some other binary, and is refused.
* Cues are sorted by start time instead of being checked for order: overlapping speech and
  files merged from several recorders are common, and the order of the file carries no meaning
  the summary needs.
* Where a format carries no times (plain text without timestamps, QMSum JSON) they are made up
  from the amount of speech: each segment starts where the previous one ended and lasts
  ``words / WORDS_PER_MINUTE`` minutes, at least ``MIN_SEGMENT_SECONDS``. They only need to be
  plausible and increasing, so that summaries can point at "around minute 12".
* A ``Speaker: text`` prefix is recognised by shape (see :func:`_split_label`), which is a
  heuristic: a line such as ``Nota: ...`` will be read as said by "Nota".
"""

from __future__ import annotations

import codecs
import contextlib
import html
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from bot.i18n import N_
from bot.transcripts.model import Segment, TranscriptError

__all__ = [
    "MAX_SEGMENTS",
    "TEXT_FORMATS",
    "clean_text",
    "detect_format",
    "parse_transcript",
]

TEXT_FORMATS = ("vtt", "srt", "txt", "json")
MAX_SEGMENTS = 100_000
"""More segments than this is not one meeting; refusing it keeps memory and summaries bounded."""
WORDS_PER_MINUTE = 150
"""A typical speaking pace, used to make up times for transcripts that have none."""
MIN_SEGMENT_SECONDS = 1.0

_EXTENSIONS = {
    ".vtt": "vtt", ".webvtt": "vtt", ".srt": "srt",
    ".txt": "txt", ".text": "txt", ".md": "txt",
    ".json": "json",
}

# -- messages -----------------------------------------------------------------------------------
# Kept together so the catalogue keeper sees every msgid this module introduces.

_BINARY = N_("This looks like audio or another binary file, not a transcript. "
             "Send a .vtt, .srt, .txt or .json file.")
_EMPTY = N_("The transcript file is empty.")
_NO_SPEECH = N_("The transcript has no speech in it: no cue or line has any text.")
_TOO_MANY = N_("The transcript has more than {limit} segments; split it into smaller files.")
_VTT_HEADER = N_("Line {line}: a WebVTT file must start with `WEBVTT`.")
_VTT_HEADER_GAP = N_("Line {line}: leave a blank line between the `WEBVTT` header and the "
                     "first cue.")
_VTT_TIME = N_("Line {line}: `{text}` is not a cue time like 00:01:02.500 --> 00:01:05.000.")
_SRT_TIME = N_("Line {line}: `{text}` is not a cue time like 00:01:02,500 --> 00:01:05,000.")
_SRT_NUMBER = N_("Line {line}: expected a cue number like `1`, found `{text}`.")
_CUE_BACKWARDS = N_("Line {line}: the cue ends before it starts (`{text}`).")
_CUE_GAP = N_("Line {line}: a new cue starts here; leave a blank line before it.")
_JSON_SYNTAX = N_("Line {line}: this is not valid JSON ({problem}).")
_TXT_TIME = N_("Line {line}: `{text}` is not a time; write it like [00:01:05] or (1:05).")
_JSON_SHAPE = N_("The JSON must be a list of segments or an object with a `segments` list.")
_JSON_NOT_OBJECT = N_("JSON `{item}`: expected an object with `{key}`.")
_JSON_NO_TEXT = N_("JSON `{item}`: `{key}` is missing or is not text.")
_JSON_SPEAKER = N_("JSON `{item}`: `{key}` must be text.")
_JSON_TIME = N_("JSON `{item}`: `{key}` must be seconds, like 12.5 or \"00:00:12.500\".")
_JSON_MISSING_TIME = N_("JSON `{item}`: `{key}` is missing; give every segment `start` and "
                        "`end`, or none of them.")
_JSON_BACKWARDS = N_("JSON `{item}`: it ends ({end}) before it starts ({start}).")

# -- patterns -----------------------------------------------------------------------------------

# Markup inside cue text: <i>, </b>, <font color=...>, <v Ana>, <c.yellow>, and WebVTT karaoke
# timestamps <00:00:01.000>. A tag must open with a letter, "/" or a digit so that "a < b" and
# "<3" survive as text.
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<\d[\d:.]*>")
# SubRip files made from ASS/SSA subtitles carry positioning codes such as {\an8}.
_ASS_CODE = re.compile(r"\{\\[^{}]*\}")
_VOICE = re.compile(r"<v(?:\.[^\s<>]*)?[ \t]+([^<>]+)>")

_VTT_CLOCK = r"(?:\d{1,3}:)?[0-5]\d:[0-5]\d\.\d{3}"
_SRT_CLOCK = r"\d{1,3}:[0-5]\d:[0-5]\d[,.]\d{3}"
# Anything after the end time (WebVTT cue settings, SubRip coordinates) is layout; ignored.
_VTT_TIMING = re.compile(rf"(?P<start>{_VTT_CLOCK})[ \t]*-->[ \t]*(?P<end>{_VTT_CLOCK})(?:\s.*)?")
_SRT_TIMING = re.compile(rf"(?P<start>{_SRT_CLOCK})[ \t]*-->[ \t]*(?P<end>{_SRT_CLOCK})(?:\s.*)?")
_VTT_FIRST_LINE = re.compile(r"WEBVTT(?:[ \t].*)?")
_VTT_SKIPPED_BLOCK = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t].*)?")
_CUE_NUMBER = re.compile(r"[0-9]+")
_SRT_START = re.compile(rf"[0-9]+[ \t]*\n[ \t]*{_SRT_CLOCK}[ \t]*-->")

# Plain-text timestamps: [00:01:02], (1:02), 00:01:02.5 - hours optional, fraction optional.
_TXT_CLOCK = r"(?:\d{1,2}:)?\d{1,3}:[0-5]\d(?:[.,]\d{1,3})?"
# "10:02 AM", "[10:04:05 PM]": the time of day, not the time into the meeting.
_AM_PM = r"(?:\s*[AaPp]\.?[Mm]\.?)"
_TXT_STAMP = re.compile(
    rf"(?:\[(?P<bracketed>{_TXT_CLOCK}{_AM_PM}?)\]|\((?P<parens>{_TXT_CLOCK}{_AM_PM}?)\)|"
    rf"(?P<bare>{_TXT_CLOCK}{_AM_PM}?)(?=\s|$))"
    r"\s*(?:[-–—|]\s+)?(?P<rest>.*)")
# "[0x:10] Bob: …": brackets opening a line with a colon inside, as a time would be written.
_TXT_NOT_A_STAMP = re.compile(r"[\[(](?P<text>[^\])\s]*:[^\])\s]*)[\])]")
_JSON_CLOCK = re.compile(r"(?:\d{1,3}:)?\d{1,3}:[0-5]\d(?:[.,]\d{1,6})?")

# "Ana Ruiz: text", "SPEAKER_01: text", "Dr. Pérez: text": up to four words starting with a
# letter, then a colon and a space (so "https://..." and "10:30" are not speakers).
_LABEL = re.compile(r"(?P<speaker>[^\W\d_][\w.'’()-]*(?:[ \t]+[\w.'’()-]+){0,3})[ \t]*:"
                    r"(?:\s+(?P<text>.*)|$)")
_MAX_LABEL = 40
# A first timestamp this late ("[10:02:11]") is a time of day: no file starts four hours
# into its recording, while "[1:02:03]" may be the second part of a long one.
_TIME_OF_DAY_FROM = 4 * 3600
_LOGIN_LABEL = re.compile(r"\s*(?:\[[\d:.]+\]\s*)?([a-z][a-z0-9_.-]+):\s")
# Other ways notes write who spoke and when, read as "[time] Name: text":
# "**Ana:** text" (Markdown), "Ana (00:00:45): text", and Otter's "Ana  0:05" alone on a line
# before the text (every word of the name capitalised, so "See you at 10:30" stays speech).
_MARKDOWN_LABEL = re.compile(r"(\*\*|__)(?P<label>[^*_:]+?)(?::\1|\1\s*:)\s*")
_LABEL_THEN_TIME = re.compile(
    rf"(?P<speaker>[^\W\d_][^\[(:]{{0,38}}?)\s*[\[(](?P<clock>{_TXT_CLOCK})[\])]\s*:\s*"
    r"(?P<text>.*)")
_NAME_THEN_TIME = re.compile(
    # "Speaker 1  0:05" (Otter's own labels), and "marco  0:32", lower case, two spaces apart.
    rf"(?P<speaker>[^\W\d_a-z][\w.'’-]*(?:[ \t]+[^\W\d_a-z][\w.'’-]*){{0,3}}"
    rf"(?:[ \t]+\d{{1,2}})?|[^\W\d_][\w.'’-]*(?=[ \t]{{2}}))[ \t]+(?P<clock>{_TXT_CLOCK})")
# Lines that head a file of notes rather than say something: "Meeting: Weekly sync".
_HEADINGS = frozenset({
    "meeting", "date", "time", "title", "subject", "agenda", "attendees", "participants",
    "present", "location", "duration", "recorded", "transcript", "notes", "reunion", "fecha",
    "hora", "titulo", "asunto", "asistentes", "participantes", "lugar", "duracion", "acta",
    "notas"})


def _respell_label(line: str) -> str:
    """``line`` with its speaker and time written as :func:`_parse_txt` reads them.

    Example:
        >>> [_respell_label(x) for x in ("**Ana:** Hola", "Ana (00:00:45): Hi", "Ana Ruiz  0:05")]
        ['Ana: Hola', '[00:00:45] Ana: Hi', '[0:05] Ana Ruiz:']
    """
    if said := _MARKDOWN_LABEL.match(line):
        return f"{said['label'].strip()}: {line[said.end():]}"
    if said := _LABEL_THEN_TIME.fullmatch(line):
        return f"[{said['clock']}] {said['speaker'].strip()}: {said['text']}"
    if said := _NAME_THEN_TIME.fullmatch(line):
        name = said["speaker"]  # "marco" as a label is "Marco", as labels are written
        return f"[{said['clock']}] {name[:1].upper()}{name[1:]}:"
    return line

# QMSum (ICSI/AMI) annotation tokens; they are about the recording, not what was said.
_QMSUM_TOKEN = re.compile(
    r"\{(?:disfmarker|vocalsound|nonvocalsound|pause|gap|comment)\}")

_SPEAKER_KEYS = ("speaker", "speaker_label", "speaker_name", "name")


# -- public API ---------------------------------------------------------------------------------


def detect_format(filename: str, data: bytes) -> str:
    """Guess which of :data:`TEXT_FORMATS` a file is in.

    The extension decides when it is a known one other than ``.txt`` (a subtitle file is
    often saved as text); otherwise the content does: ``WEBVTT`` first means WebVTT, a first
    block like ``1`` / ``00:00:01,000 --> ...`` means SubRip, ``{`` or ``[`` (other than a
    ``[00:01:02]`` timestamp) means JSON, and anything else is plain text.

    Args:
        filename: The uploaded file's name; only its extension is used.
        data: The file's bytes.

    Returns:
        One of ``"vtt"``, ``"srt"``, ``"txt"`` or ``"json"``.
    """
    known = _EXTENSIONS.get(PurePath(filename).suffix.lower())
    if known is not None and known != "txt":
        return known
    try:
        head = _decode(data).lstrip()
    except TranscriptError:
        return "txt"  # binary: parse_transcript will say so
    if _VTT_FIRST_LINE.match(head):
        return "vtt"
    if _SRT_START.match(head):
        return "srt"
    if head.startswith("{") or (head.startswith("[") and not _TXT_STAMP.match(head)):
        return "json"
    return "txt"


def parse_transcript(data: bytes, fmt: str) -> list[Segment]:
    """Read a transcript file into segments sorted by start time.

    Args:
        data: The file's bytes.
        fmt: One of :data:`TEXT_FORMATS`, usually from :func:`detect_format`.

    Returns:
        At least one segment, at most :data:`MAX_SEGMENTS`, each with non-empty text and
        ``end >= start``.

    Raises:
        TranscriptError: The file is binary, empty, malformed, has no speech or is too long.
        ValueError: ``fmt`` is not one of :data:`TEXT_FORMATS` (a programming error).
    """
    parsers = {"vtt": _parse_vtt, "srt": _parse_srt, "txt": _parse_txt, "json": _parse_json}
    if fmt not in parsers:
        raise ValueError(f"unknown transcript format {fmt!r}; expected one of {TEXT_FORMATS}")
    text = _decode(data)
    if not text.strip():
        raise TranscriptError(_EMPTY)
    segments = parsers[fmt](text)
    if not segments:
        raise TranscriptError(_NO_SPEECH)
    if len(segments) > MAX_SEGMENTS:
        raise TranscriptError(_TOO_MANY, limit=MAX_SEGMENTS)
    # Stable, so simultaneous cues keep the file's order.
    return sorted(segments, key=lambda segment: segment.start)


def clean_text(text: str) -> str:
    """Strip markup tags and collapse runs of whitespace (newlines included) to single spaces.

    Example:
        >>> clean_text("<i>Hola</i>,\\n  <c.yellow>equipo</c>")
        'Hola, equipo'
    """
    return " ".join(_TAG.sub("", text).split())


# -- decoding -----------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """Bytes to text with ``\\n`` line ends, or a TranscriptError for binary data."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise TranscriptError(_BINARY) from None
    elif b"\x00" in data:
        raise TranscriptError(_BINARY)
    else:
        body = data.removeprefix(codecs.BOM_UTF8)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = body.decode("cp1252")
            except UnicodeDecodeError:  # cp1252 leaves five bytes undefined; not a text file
                raise TranscriptError(_BINARY) from None
    if "\x00" in text:
        raise TranscriptError(_BINARY)
    # Split on these only: str.splitlines() also breaks at form feeds and other separators,
    # which would shift the line numbers in error messages away from what an editor shows.
    return text.replace("\r\n", "\n").replace("\r", "\n")


# -- shared helpers -----------------------------------------------------------------------------


def _excerpt(line: str) -> str:
    """A line, shortened and with backticks removed, to quote inside a message's code span."""
    line = line.strip().replace("`", "'")
    return line if len(line) <= 60 else line[:57] + "..."


def _clock(value: str) -> float:
    """Seconds in an already validated ``[[H:]M:]S[.fff]`` or ``,fff`` time; one with "AM"
    or "PM" is a time of day (``H:M[:S]``), in seconds since midnight."""
    if half := re.search(_AM_PM + "$", value):
        hours, minutes, seconds = [*map(int, value[:half.start()].strip().split(":")), 0][:3]
        afternoon = half[0].strip().lower().startswith("p")
        return float((hours % 12 + 12 * afternoon) * 3600 + minutes * 60 + seconds)
    whole, _, fraction = value.replace(",", ".").partition(".")
    seconds = 0
    for part in whole.split(":"):
        seconds = seconds * 60 + int(part)
    return round(seconds + (int(fraction) / 10 ** len(fraction) if fraction else 0.0), 3)


def _plain(word: str) -> str:
    """``word`` lower-cased without accents: "Reunión" is "reunion"."""
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().casefold()


def _speaker(value: str) -> str | None:
    return " ".join(value.split()) or None


def _split_label(line: str, logins: frozenset[str] = frozenset()) -> tuple[str | None, str]:
    """Split ``"Ana Ruiz: hola"`` into ``("Ana Ruiz", "hola")``; ``(None, line)`` otherwise.

    A label is 1-4 words, at most 40 characters, starts with a letter (so it is never just
    digits), and its longer words (4+ characters) are capitalised. The last rule keeps sentences
    such as "The plan is simple: we ship" as text while allowing "María de la Cruz",
    "Project Manager" and "SPEAKER_01". ``logins``: lowercase names a chat export uses as
    labels ("luis: hola"), see :func:`_chat_logins`.
    """
    match = _LABEL.fullmatch(line)
    if match is None:
        return None, line
    speaker = " ".join(match["speaker"].split())
    if len(speaker) > _MAX_LABEL or (speaker not in logins and any(
            len(word) >= 4 and word[0].islower() for word in speaker.split())):
        return None, line
    return speaker, (match["text"] or "").strip()


def _chat_logins(lines: list[str]) -> frozenset[str]:
    """The lowercase one-word labels of a chat export ("luis: …", "root: …"): taken as
    speakers when at least two of them each start two lines or more, which a sentence such as
    "note: …" seldom does."""
    starts = Counter(found[1] for line in lines if (found := _LOGIN_LABEL.match(line)))
    logins = frozenset(label for label, count in starts.items() if count >= 2)
    return logins if len(logins) >= 2 else frozenset()


def _estimate(text: str) -> float:
    """Seconds it takes to say ``text`` at :data:`WORDS_PER_MINUTE`, at least one second."""
    return max(MIN_SEGMENT_SECONDS, len(text.split()) * 60 / WORDS_PER_MINUTE)


def _blocks(lines: list[str], first: int = 0) -> Iterator[list[tuple[int, str]]]:
    """Runs of non-blank lines from ``lines[first:]``, as (1-based line number, line)."""
    block: list[tuple[int, str]] = []
    for index in range(first, len(lines)):
        line = lines[index]
        if line.strip():
            block.append((index + 1, line.strip()))
        elif block:
            yield block
            block = []
    if block:
        yield block


def _cue_times(lineno: int, line: str, timing: re.Pattern[str],
               message: str) -> tuple[float, float]:
    match = timing.fullmatch(line)
    if match is None:
        raise TranscriptError(message, line=lineno, text=_excerpt(line))
    start, end = _clock(match["start"]), _clock(match["end"])
    if end < start:
        raise TranscriptError(_CUE_BACKWARDS, line=lineno, text=_excerpt(line))
    return start, end


def _cue_turns(payload: list[tuple[int, str]], timing: re.Pattern[str], *,
               vtt: bool) -> list[tuple[str | None, str]]:
    """The speaker and the text of a cue's lines (after its timing line); a dialogue, each
    line a dash and a label ("- Marta: Hola." "- Luis: Hola."), is one turn a line."""
    for lineno, line in payload:
        if timing.fullmatch(line):  # two cues run together; their text would swallow the time
            raise TranscriptError(_CUE_GAP, line=lineno)
    raw = [line for _lineno, line in payload]
    speaker = None
    if vtt:
        voice = _VOICE.search("\n".join(raw))
        if voice is not None:
            speaker = _speaker(html.unescape(voice[1]))
        # WebVTT escapes &, < and >; undo that after the tags are gone, then re-collapse
        # because &nbsp; becomes a space.
        lines = [" ".join(html.unescape(clean_text(line)).split()) for line in raw]
    else:
        lines = [clean_text(_ASS_CODE.sub("", line)) for line in raw]
    said = [line for line in lines if line]
    if speaker is None and len(said) > 1 and all(_DIALOGUE_DASH.match(line) for line in said):
        turns = [_split_label(_DIALOGUE_DASH.sub("", line)) for line in said]
        if all(who for who, _text in turns):
            return turns
    if speaker is None and lines:
        speaker, lines[0] = _split_label(lines[0])
    return [(speaker, " ".join(line for line in lines if line))]


_DIALOGUE_DASH = re.compile(r"^[-–—]\s*")


def _cue_segments(turns: list[tuple[str | None, str]], start: float,
                  end: float) -> list[Segment]:
    """A cue's turns as segments, sharing its time evenly."""
    turns = [(who, text) for who, text in turns if text]
    step = (end - start) / len(turns) if turns else 0.0
    return [Segment(who, round(start + n * step, 3),
                    end if n == len(turns) - 1 else round(start + (n + 1) * step, 3), text)
            for n, (who, text) in enumerate(turns)]


# -- WebVTT -------------------------------------------------------------------------------------


def _parse_vtt(text: str) -> list[Segment]:
    lines = text.split("\n")
    if not _VTT_FIRST_LINE.fullmatch(lines[0].rstrip()):
        raise TranscriptError(_VTT_HEADER, line=1)
    # The header runs to the first blank line ("Kind: captions", "Language: es", ...).
    index = 1
    while index < len(lines) and lines[index].strip():
        if "-->" in lines[index]:
            raise TranscriptError(_VTT_HEADER_GAP, line=index + 1)
        index += 1
    segments: list[Segment] = []
    for block in _blocks(lines, index):
        lineno, first = block[0]
        if _VTT_SKIPPED_BLOCK.fullmatch(first):
            continue
        if "-->" not in first and len(block) > 1:
            block = block[1:]  # the cue identifier, which says nothing about the speech
        lineno, timing = block[0]
        start, end = _cue_times(lineno, timing, _VTT_TIMING, _VTT_TIME)
        segments += _cue_segments(_cue_turns(block[1:], _VTT_TIMING, vtt=True), start, end)
    return segments


# -- SubRip -------------------------------------------------------------------------------------


def _parse_srt(text: str) -> list[Segment]:
    segments: list[Segment] = []
    for block in _blocks(text.split("\n")):
        lineno, first = block[0]
        # Some tools leave the cue number out; a timing line first is unambiguous, so allow it.
        if "-->" not in first:
            if not _CUE_NUMBER.fullmatch(first):
                raise TranscriptError(_SRT_NUMBER, line=lineno, text=_excerpt(first))
            if len(block) > 1:
                block = block[1:]
        lineno, timing = block[0]
        start, end = _cue_times(lineno, timing, _SRT_TIMING, _SRT_TIME)
        segments += _cue_segments(_cue_turns(block[1:], _SRT_TIMING, vtt=False), start, end)
    return segments


# -- plain text ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Turn:
    speaker: str | None
    start: float | None
    parts: list[str] = field(default_factory=list)


def _parse_txt(text: str) -> list[Segment]:
    """Read ``Speaker: text`` lines, with optional leading timestamps.

    A label or a timestamp starts a new segment. Other lines continue the current one; before
    any segment has a speaker or a time there is nothing to continue, so each such line is a
    segment of its own with no speaker (a line is the natural unit of unlabelled notes). A
    timestamped line without a label keeps the previous speaker, unless the timestamp stands
    alone and the next line brings a label. Blank lines mean nothing.
    """
    turns: list[_Turn] = []
    logins = _chat_logins(text.split("\n"))
    first_of_day: float | None = None  # the first "10:02 AM": times of day count from it
    for number, line in enumerate(text.split("\n"), 1):
        line = _respell_label(line.strip())
        if not line:
            continue
        start: float | None = None
        rest = line
        stamp = _TXT_STAMP.fullmatch(line)
        if stamp is None and (wrong := _TXT_NOT_A_STAMP.match(line)):
            raise TranscriptError(_TXT_TIME, line=number, text=_excerpt(wrong[0]))
        if stamp is not None:
            clock = stamp["bracketed"] or stamp["parens"] or stamp["bare"]
            # A bare time opening a sentence ("10:30 works for me") is speech, not a timestamp;
            # only trust it when a speaker label follows.
            # Alone on its line (Google Meet's "00:01:00"), it is one too.
            if stamp["bare"] is None or not stamp["rest"] or \
                    _split_label(stamp["rest"], logins)[0] is not None:
                start, rest = _clock(clock), stamp["rest"]
                if re.search(_AM_PM + "$", clock):
                    first_of_day = start if first_of_day is None else first_of_day
                    start = (start - first_of_day) % 86400
        speaker, said = _split_label(rest, logins)
        if speaker is not None and not any(t.speaker for t in turns) and \
                _plain(speaker) in _HEADINGS:
            continue  # "Meeting: Weekly sync", "Fecha: 24/11/2026" before anyone speaks
        current = turns[-1] if turns else None
        if (current is not None and speaker is not None and start is None
                and current.start is not None and not any(current.parts)):
            # A timestamp alone on its line, then "Ana: ...": the label belongs to that time.
            current.speaker = speaker
            current.parts.append(said)
            continue
        continues = (current is not None and speaker is None and start is None
                     and (current.speaker is not None or current.start is not None))
        if continues and current is not None:
            current.parts.append(said)
            continue
        if speaker is None and start is not None and current is not None:
            speaker = current.speaker
        turns.append(_Turn(speaker, start, [said]))
    # A title above the dialogue ("Weekly sync - Transcript") is nobody's speech.
    while len(turns) > 1 and turns[0].speaker is None and turns[0].start is None and any(
            t.speaker for t in turns) and _is_a_title(turns[0].parts):
        turns.pop(0)
    # "[10:02:11] Ana: …" first: times of day, counted from the first as "10:02 AM" is.
    first = next((turn.start for turn in turns if turn.start is not None), None)
    if first is not None and first >= _TIME_OF_DAY_FROM:
        for turn in turns:
            if turn.start is not None:
                turn.start = (turn.start - first) % 86400
    return _timed(turns)


def _is_a_title(lines: list[str]) -> bool:
    """One short line that ends no sentence: a title, not something said."""
    return len(lines) == 1 and len(lines[0].split()) <= 10 and not lines[0].rstrip().endswith(
        (".", "?", "!", "…"))


def _timed(turns: list[_Turn]) -> list[Segment]:
    """Give turns their times: a turn's own timestamp, else where the previous one ended.

    A turn ends where the next timestamped turn starts, or after its estimated duration when
    the next turn has no timestamp (or an earlier one).
    """
    said = [(turn, clean_text(" ".join(turn.parts))) for turn in turns]
    said = [(turn, text) for turn, text in said if text]
    segments: list[Segment] = []
    clock = 0.0
    for index, (turn, text) in enumerate(said):
        start = turn.start if turn.start is not None else clock
        following = said[index + 1][0].start if index + 1 < len(said) else None
        end = following if following is not None and following > start \
            else round(start + _estimate(text), 3)
        segments.append(Segment(turn.speaker, start, end, text))
        clock = end
    return segments


# -- JSON ---------------------------------------------------------------------------------------


def _json_int(digits: str) -> int | float:
    # Python refuses to parse integers longer than 4,300 digits (a ValueError json.loads does
    # not wrap); such a number is no time anyway, so let it become a float and fail later.
    return int(digits) if len(digits) <= 300 else float(digits)


def _parse_json(text: str) -> list[Segment]:
    try:
        document = json.loads(text, parse_int=_json_int)
    except json.JSONDecodeError as error:
        raise TranscriptError(_JSON_SYNTAX, line=error.lineno, problem=error.msg) from None
    except RecursionError:
        raise TranscriptError(_JSON_SYNTAX, line=1, problem="nested too deeply") from None
    if isinstance(document, dict) and isinstance(document.get("meeting_transcripts"), list):
        return _parse_qmsum(document["meeting_transcripts"])
    if isinstance(document, list):
        items, prefix = document, ""
    elif isinstance(document, dict) and isinstance(document.get("segments"), list):
        items, prefix = document["segments"], "segments"
    else:
        raise TranscriptError(_JSON_SHAPE)

    timed = any(isinstance(item, dict) and ("start" in item or "end" in item) for item in items)
    segments: list[Segment] = []
    turns: list[_Turn] = []
    for index, item in enumerate(items):
        where = {"item": f"{prefix}[{index}]", "index": index}
        if not isinstance(item, dict):
            raise TranscriptError(_JSON_NOT_OBJECT, key="text", **where)
        said = item.get("text")
        if not isinstance(said, str):
            raise TranscriptError(_JSON_NO_TEXT, key="text", **where)
        speaker = _json_speaker(item, where)
        if not timed:
            turns.append(_Turn(speaker, None, [said]))
            continue
        start, end = _json_seconds(item, "start", where), _json_seconds(item, "end", where)
        if end < start:
            raise TranscriptError(_JSON_BACKWARDS, start=start, end=end, **where)
        said = clean_text(said)
        if said:
            segments.append(Segment(speaker, start, end, said))
    return segments if timed else _timed(turns)


def _json_speaker(item: dict[str, Any], where: dict[str, Any]) -> str | None:
    for key in _SPEAKER_KEYS:
        value = item.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise TranscriptError(_JSON_SPEAKER, key=key, **where)
        if name := _speaker(value):
            return name
    return None


def _json_seconds(item: dict[str, Any], key: str, where: dict[str, Any]) -> float:
    """``item[key]`` as seconds: a number, or a clock string such as ``"00:01:02.500"``."""
    if key not in item:
        raise TranscriptError(_JSON_MISSING_TIME, key=key, **where)
    value = item[key]
    seconds = math.nan
    if isinstance(value, int | float) and not isinstance(value, bool):
        with contextlib.suppress(OverflowError):  # an integer beyond float range stays NaN
            seconds = float(value)
    elif isinstance(value, str) and _JSON_CLOCK.fullmatch(value.strip()):
        seconds = _clock(value.strip())
    if not math.isfinite(seconds) or seconds < 0:
        raise TranscriptError(_JSON_TIME, key=key, **where)
    return round(seconds, 3)


def _parse_qmsum(items: list[Any]) -> list[Segment]:
    """QMSum meetings: ``{"speaker": ..., "content": ...}`` turns without times."""
    turns: list[_Turn] = []
    for index, item in enumerate(items):
        where = {"item": f"meeting_transcripts[{index}]", "index": index}
        if not isinstance(item, dict):
            raise TranscriptError(_JSON_NOT_OBJECT, key="content", **where)
        content = item.get("content")
        if not isinstance(content, str):
            raise TranscriptError(_JSON_NO_TEXT, key="content", **where)
        speaker = _json_speaker(item, where)
        # Turns that were only {vocalsound} and the like become empty and are dropped by _timed.
        turns.append(_Turn(speaker, None, [_QMSUM_TOKEN.sub(" ", content)]))
    return _timed(turns)
