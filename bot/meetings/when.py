"""When a meeting starts, how long it lasts and who comes, read from one line of text.

``meeting schedule <project> <when> [for <duration>] [with @a @b] [title]`` hands everything
after the project to :func:`parse_meeting`, in English or Spanish::

    tomorrow 3pm for 45m with @ana @luis Design review
    mañana a las 15:00 por 1h con @ana Revisión de diseño

Dates and times are read by dateparser; this module only adds the glue it lacks: splitting
the line into parts, a few Spanish and 24-hour spellings it misreads (``el viernes``,
``15h``, ``a las 10``), and the conversion of local wall time to UTC, which is done here
with :mod:`zoneinfo` so that times the clocks skip are refused rather than silently moved.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from bot.core import UserError
from bot.i18n import Translator
from bot.parsing import FIRST_YEAR, LAST_YEAR, MONTH, parse_hours

MIN_DURATION = timedelta(minutes=5)
MAX_DURATION = timedelta(hours=12)
LANGUAGES = ("en", "es")

_DURATION_WORDS = frozenset({"for", "por", "durante"})
_WITH_WORDS = frozenset({"with", "con"})
_AND_WORDS = frozenset({"and", "y", "&"})
# Slack writes mentions as <@U123> or <@U123|name>, Discord as <@123> or <@!123>; people
# type @name. A Slack display name may hold spaces, so <@...> is kept as one token.
_TOKEN = re.compile(r"<@[^<>]*>|\S+")
_MENTION = re.compile(r"@[\w.\-]*\w|<@!?\w+(?:\|[^<>]*)?>")
# An outside guest is invited by email ("with ana@acme.com") the way a member is by mention.
EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_MENTION_TRAILER = ",;:.!?"

_DURATION_PHRASES = {"half an hour": 30, "media hora": 30, "an hour": 60, "one hour": 60,
                     "una hora": 60}
_MAX_DURATION_CHARS = 24  # "1 hour 30 minutes" is 17; longer text is not a duration
_MAX_WHEN_WORDS = 12  # "el 2 de diciembre a las 5 de la tarde" is 9
_MAX_WHEN_CHARS = 80
_MAX_SHOWN_CHARS = 60

# Relative results ("in 2 minutes") keep the microseconds of the base they were counted
# from, while written times ("3pm") have none. Giving the base this odd value tells the two
# apart, so relative ones can be added to ``now`` in real time rather than in wall time
# (which is off by an hour across a clock change).
_RELATIVE_MARK = 271_828
# Any base will do to ask how text reads, at a time nobody writes: at noon, "tomorrow 12:00"
# read the same as "tomorrow" and its time went to the title. The zone is one nobody names,
# so that a zone in the text ("3pm UTC") changes the reading and is not given to the title
# as a filler word.
_READ_BASE = datetime(2001, 1, 1, 3, 17)
_READ_ZONE = "Asia/Kathmandu"

# Shaped like a time of day but not one ("25:00", "13pm", "a las 26"), where one belongs.
_NOT_A_TIME = re.compile(r"(?:at |a las? )?(?P<time>\d{1,2}(?::\d{2})?\s*(?:[ap]\.?m\.?|h)?)"
                         r"(?:\s|$)", re.IGNORECASE)
# Only a time of day, no day: "4pm", "at 16:30", "a las 5 de la tarde".
TIME_OF_DAY = re.compile(r"(?:at |a las? )?\d{1,2}(?::\d{2})?\s*(?:[ap]\.?m\.?|h)?"
                          r"(?: de la (?:mañana|tarde|noche))?", re.IGNORECASE)
_WEEKDAYS_ES = frozenset({"lunes", "martes", "miércoles", "miercoles", "jueves", "viernes",
                          "sábado", "sabado", "domingo"})
_WEEKDAYS_EN = {"lunes": "monday", "martes": "tuesday", "miércoles": "wednesday",
                "miercoles": "wednesday", "jueves": "thursday", "viernes": "friday",
                "sábado": "saturday", "sabado": "saturday", "domingo": "sunday"}
_NEXT_ES = frozenset({"próximo", "proximo", "próxima", "proxima"})
_THIS_ES = frozenset({"este", "esta"})
_RELATIVE_WORDS = frozenset({"in", "en", "de", "within"})  # "in 2h" is a span, not 02:00
_AT_WORDS = frozenset({"at", "las"})  # "at 10", "a las 10"
_LAST_AFTERNOON_HOUR = 6  # "at 1" to "at 6" are in the afternoon; "at 7" to "at 12" are not
_DAY_PART_WORDS = frozenset({"am", "a.m.", "pm", "p.m.", "de", "in", "por", "en"})
_PARTS_OF_DAY_ES = {"tarde": "pm", "noche": "pm", "mañana": "am", "madrugada": "am"}
# ASCII digits only: int() refuses some other digits ("²") that \d would match.
_CLOCK = re.compile(r"(\d{1,2})(?::([0-5]\d))?", re.ASCII)  # "3", "3:30"
_HOUR_SUFFIX = re.compile(r"(\d{1,2})h(\d{2})?", re.ASCII)
_MONTH_NUMBERS = {name: number for number, names in enumerate((
    ("jan", "ene"), ("feb",), ("mar",), ("apr", "abr"), ("may",), ("jun",), ("jul",),
    ("aug", "ago"), ("sep", "set"), ("oct",), ("nov",), ("dec", "dic")), 1) for name in names}
_NAMED_DATE = re.compile(rf"\b(?:(?P<month>{MONTH})\.?\s+(?P<day>\d{{1,2}})\b|"
                         rf"(?P<day2>\d{{1,2}})\s+(?:de\s+)?(?P<month2>{MONTH})\b)",
                         re.IGNORECASE)
_NUMERIC_DATE = re.compile(
    r"\b(?:(?P<iy>\d{4})[-/](?P<im>\d{1,2})[-/](?P<id>\d{1,2})"
    r"|(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y>\d{4}|\d{2}))\b", re.ASCII)


@dataclass(frozen=True, slots=True)
class MeetingSpec:
    """What a ``meeting schedule`` line asks for.

    Attributes:
        start: When it starts, timezone-aware, in UTC.
        duration: How long it lasts, if said.
        mentions: Mention tokens as written (``@ana``, ``<@U123>``, ``<@U456|bea>``), and
            outside guests' emails (``ana@acme.com``).
        title: The words left over, if any.
    """

    start: datetime
    duration: timedelta | None
    mentions: tuple[str, ...]
    title: str | None


class StartError(ValueError):
    """Text that reads as a date or time but cannot be a meeting's start."""


class MissingTimeError(StartError):
    """A day without a time of day (``tomorrow``, ``next friday``)."""


class ImpossibleDateError(StartError):
    """A date that is not on the calendar (``2027-02-30``, ``31/31/2027``)."""

    def __init__(self, text: str) -> None:
        super().__init__(f"not a date on the calendar: {text}")
        self.text = text


class NonexistentTimeError(StartError):
    """A local wall time the clocks skip when they spring forward."""

    def __init__(self, wall: datetime, timezone: str) -> None:
        super().__init__(f"{wall:%Y-%m-%d %H:%M} does not exist in {timezone}")
        self.wall = wall
        self.timezone = timezone


# -- splitting the line -------------------------------------------------------------------


def split_schedule_text(text: str) -> tuple[str, str | None, tuple[str, ...], str | None]:
    """Split a schedule line into its when, duration, mentions and title.

    ``for``/``por``/``durante`` start a duration only when a duration follows (``for 45m``,
    ``por 1 hora``), and ``with``/``con`` count only before a mention, so ``Lunch with the
    team`` stays a title. Mentions are taken wherever they appear. The when is the longest
    run of leading words that reads as a time, so ``tomorrow 3pm Design review`` needs no
    keyword at all; the words after it, and those after the duration and mentions, are the
    title.

    Args:
        text: Everything after the project, e.g. ``tomorrow 3pm for 45m with @ana Review``.

    Returns:
        ``(when, duration, mentions, title)``; ``when`` is ``""`` when the line has no
        words outside the duration and mentions, and the others are ``None`` or empty
        when not given.
    """
    tokens = _TOKEN.findall(_range_as_duration(respell_clock(text)))
    runs: list[list[str]] = [[]]  # the other words, in pieces broken by duration and mentions
    duration: str | None = None
    mentions: list[str] = []
    after_mention = False
    i = 0
    while i < len(tokens):
        word = tokens[i].casefold()
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if duration is None and word in _DURATION_WORDS \
                and (size := _duration_size(tokens, i + 1)):
            duration = " ".join(tokens[i + 1:i + 1 + size])
            i += 1 + size
            after_mention = False
        elif (mention := _mention(tokens[i])) is not None:
            if mention not in mentions:
                mentions.append(mention)
            i += 1
            after_mention = True
        elif _mention(following) is not None \
                and (word in _WITH_WORDS or (after_mention and word in _AND_WORDS)):
            i += 1  # "with @ana", "@ana and @luis": the word only introduces the mention
        else:
            runs[-1].append(tokens[i])
            i += 1
            after_mention = False
            continue
        if runs[-1]:
            runs.append([])
    pieces = [run for run in runs if run]
    when_words, rest = _split_when(pieces[0]) if pieces else ([], [])
    title_words = rest + [word for piece in pieces[1:] for word in piece]
    title = _CALLED.sub("", " ".join(title_words).replace("\x00", "").strip())
    return " ".join(when_words), duration, tuple(mentions), title or None


_HOUR_WORDS = {word: hour for hour, words in enumerate((
    "", "one una", "two dos", "three tres", "four cuatro", "five cinco", "six seis",
    "seven siete", "eight ocho", "nine nueve", "ten diez", "eleven once", "twelve doce"))
    for word in words.split()}
_CLOCK_PHRASES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), respell) for pattern, respell in (
        # "at nine", "a las nueve": the hour in words.
        (r"\b(at|a las?)\s+(" + "|".join(_HOUR_WORDS) + r")\b",
         lambda m: f"{m[1]} {_HOUR_WORDS[m[2].casefold()]}"),
        (r"\b(\d{1,2})\s+y\s+media\b", lambda m: f"{m[1]}:30"),
        (r"\b(\d{1,2})\s+y\s+cuarto\b", lambda m: f"{m[1]}:15"),
        (r"\b(\d{1,2})\s+menos\s+cuarto\b", lambda m: f"{int(m[1]) - 1 or 12}:45"),
        (r"\bhalf\s+past\s+(\d{1,2})\b", lambda m: f"{m[1]}:30"),
        (r"\bquarter\s+past\s+(\d{1,2})\b", lambda m: f"{m[1]}:15"),
        (r"\b(?:a\s+)?quarter\s+to\s+(\d{1,2})\b", lambda m: f"{int(m[1]) - 1 or 12}:45"),
        # "9.30", "9.30pm": a time, where a date would need a month of 30.
        (r"\b([01]?\d|2[0-3])\.([0-5]\d)(?!\d|\.\d)", lambda m: f"{m[1]}:{m[2]}"),
        (r"\b(?:a\s+|al\s+)?(?:el\s+)?mediod[ií]a\b", lambda m: "a las 12:00"),
        (r"\b(?:a\s+)?(?:la\s+)?medianoche\b", lambda m: "a las 0:00"),
        (r"\b([ap])\.\s?m\.?(?=\s|$)", lambda m: f"{m[1]}m"),  # "3 p.m."
    ))


def respell_clock(text: str) -> str:
    """Write the clock phrases dateparser does not read as digits.

    Example:
        >>> respell_clock("mañana a las nueve y media")
        'mañana a las 9:30'
        >>> respell_clock("tomorrow at quarter to 4")
        'tomorrow at 3:45'
    """
    for pattern, respell in _CLOCK_PHRASES:
        text = pattern.sub(respell, text)
    return text


# "3-4pm", "from 3 to 4pm", "8am-9:30am", "de 3 a 4": a start and how long.
_RANGE = re.compile(
    r"(?<![\w/.:-])(?:(?P<lead>from|de|desde)\s+)?(?P<h1>\d{1,2})(?::(?P<m1>[0-5]\d))?\s*"
    r"(?P<p1>[ap]m)?\s*(?P<sep>-|–|to|until|till|a|hasta)\s*(?:las?\s+)?(?P<h2>\d{1,2})"
    r"(?::(?P<m2>[0-5]\d))?\s*(?P<p2>[ap]m)?(?![\w/.:-])", re.IGNORECASE)


def _range_as_duration(text: str) -> str:
    """``text`` with a range of hours written as its start and duration ("3-4pm" as
    "15:00 for 60m"), so it reads like any other start. A bare "3-4" with no "from", colon or
    am/pm could be anything ("Sprint 3-4") and is left alone.

    Example:
        >>> _range_as_duration("tomorrow from 3 to 4:30pm Review")
        'tomorrow 15:00 for 90m Review'
    """
    for said in _RANGE.finditer(text):
        lead, sep = (said["lead"] or "").casefold(), said["sep"].casefold()
        if (sep in {"to", "until", "till"} and lead != "from") or (
                sep in {"a", "hasta"} and lead not in {"de", "desde"}) or (
                sep in {"-", "–"} and lead in {"de", "desde"}) or not (
                lead or said["m1"] or said["m2"] or said["p1"] or said["p2"]):
            continue
        start_pm = (said["p1"] or said["p2"] or "").casefold()
        start, end = (int(said["h1"]) % 12 * 60 + int(said["m1"] or 0),
                      int(said["h2"]) % 12 * 60 + int(said["m2"] or 0))
        if said["p2"] and said["p2"].casefold() == "pm":
            end += 12 * 60
        if start_pm == "pm" and not (said["p1"] is None and start > end - 12 * 60):
            start += 12 * 60  # "3-4pm" is 15:00; "11-1pm" starts at 11 in the morning
        elif not start_pm and 1 <= int(said["h1"]) <= _LAST_AFTERNOON_HOUR:
            start, end = start + 12 * 60, end + 12 * 60  # "de 3 a 4", as "a las 3"
        if end <= start:
            end += 12 * 60
        if not MIN_DURATION <= timedelta(minutes=end - start) <= MAX_DURATION:
            continue
        clock = f"{start // 60}:{start % 60:02d}"
        return f"{text[:said.start()]}{clock} for {end - start}m{text[said.end():]}"
    return text


# "… called Design review", "… llamada Revisión": the title follows.
_CALLED = re.compile(r"^(?:called|named|titled|llamad[ao]|titulad[ao])\s+", re.IGNORECASE)


def _mention(token: str) -> str | None:
    """The mention or email ``token`` holds, without trailing punctuation (``@ana,``), else
    ``None``."""
    candidate = token if token.startswith("<@") else token.rstrip(_MENTION_TRAILER)
    return candidate if _MENTION.fullmatch(candidate) or EMAIL.fullmatch(candidate) else None


def _duration_size(tokens: list[str], start: int) -> int:
    """How many tokens from ``start`` form a duration (``1h 30m`` is two), or 0."""
    for size in (5, 4, 3, 2, 1):  # "an hour and a half" is five
        if start + size <= len(tokens) \
                and _read_duration(" ".join(tokens[start:start + size])) is not None:
            return size
    if start < len(tokens) and tokens[start][:1].isdigit():
        # Shaped like a duration (``for 90``, ``for 20h``): take it, so the error can say
        # what a duration looks like instead of reading it as part of the title.
        return 1
    return 0


def _split_when(words: list[str]) -> tuple[list[str], list[str]]:
    """The longest leading words that read as a time, and the rest.

    Prefixes are tried from the longest: the first with a time of day wins; failing that,
    the longest that reads as a date (so the error can say a time is missing); failing
    that, all the words (so the error can quote them). dateparser skips filler words
    ("tomorrow 3pm The roadmap" reads as tomorrow 3pm), so trailing words that do not change
    the reading are given back to the title.
    """
    best: int | None = None
    reading: tuple[datetime, str] | None = None
    for size in range(min(len(words), _MAX_WHEN_WORDS), 0, -1):
        found = _reading(" ".join(words[:size]))
        if found is None:
            continue
        if found[1] == "time":
            best, reading = size, found
            break
        if best is None:
            best, reading = size, found
    if best is None:
        return words, []
    # "am"/"pm" stay with the time even where they change nothing ("at 3 pm").
    while best > 1 and words[best - 1].casefold() not in {"am", "pm"} \
            and _reading(" ".join(words[:best - 1])) == reading:
        best -= 1
    return words[:best], words[best:]


def _reading(text: str) -> tuple[datetime, str] | None:
    """How ``text`` reads against a fixed base: the moment and its period (``"time"``...)."""
    return _date_data(_normalize(text), LANGUAGES, {"TIMEZONE": _READ_ZONE,
                                                    "RELATIVE_BASE": _READ_BASE})


# -- durations ----------------------------------------------------------------------------


def parse_duration(text: str | None) -> timedelta | None:
    """Read how long a meeting lasts.

    Accepts ``45m``, ``1h``, ``1h30``, ``1h 30m``, ``1:30``, ``90 minutes``, ``1 hour``,
    ``2 horas``, ``30 minutos``, ``half an hour`` and ``media hora``. A bare number is
    refused: ``90`` could be minutes or hours.

    Args:
        text: The duration as written, or ``None`` when none was given.

    Returns:
        The duration, or ``None`` for ``None``.

    Raises:
        ValueError: ``text`` is not a duration, or is shorter than 5 minutes or longer
            than 12 hours.
    """
    if text is None:
        return None
    duration = _read_duration(text)
    if duration is None:
        raise ValueError(f"not a duration: {text!r}")
    if not MIN_DURATION <= duration <= MAX_DURATION:
        raise ValueError(f"a meeting lasts between 5 minutes and 12 hours, not {duration}")
    return duration


def _read_duration(text: str) -> timedelta | None:
    """``text`` as a duration of whole minutes, with no bounds; ``None`` if it is not one."""
    cleaned = " ".join(text.casefold().split())
    if not cleaned or len(cleaned) > _MAX_DURATION_CHARS:
        return None
    if cleaned in _DURATION_PHRASES:
        return timedelta(minutes=_DURATION_PHRASES[cleaned])
    if re.fullmatch(r"[\d\s.,]+", cleaned):
        return None  # no unit: parse_hours would call it hours, which a meeting rarely means
    try:
        hours = parse_hours(cleaned)
    except ArithmeticError:  # Decimal refuses to quantize absurdly long numbers
        return None
    if hours is None:
        return None
    # parse_hours keeps hundredths of an hour (0.6 min), so rounding gives back the minutes.
    return timedelta(minutes=int((hours * 60).quantize(1, rounding=ROUND_HALF_UP)))


# -- the start ----------------------------------------------------------------------------


def parse_start(text: str, *, timezone: str, locale: str, now: datetime,
                past: bool = False) -> datetime | None:
    """Read when a meeting starts, as people write it in ``timezone``.

    Written wall times are converted with the zone's offset on that date. A time the clocks
    skip (Europe/Madrid 2027-03-28 02:30) is refused; a time they repeat (2027-10-31 02:30)
    is the first of the two, before the clocks go back (``fold=0``). Relative times
    (``in 2 hours``) count real time from ``now``. A time with an explicit zone
    (``3pm UTC``) keeps it.

    Args:
        text: The when, e.g. ``tomorrow 3pm``, ``el viernes a las 9:30``, ``2027-03-29 10:00``.
        timezone: IANA zone the text is written in, e.g. ``Europe/Madrid``.
        locale: The member's language, tried first; the other supported one is tried next.
        now: The current moment, timezone-aware (a naive value is taken as UTC).
        past: Read a day without a date ("tuesday") as the last one, not the next one.

    Returns:
        The start in UTC, or ``None`` if ``text`` does not read as a date or time. It may
        lie on the other side of ``now``; :func:`parse_meeting` refuses that.

    Raises:
        MissingTimeError: ``text`` names a day but no time of day.
        ImpossibleDateError: ``text`` holds a date that is not on the calendar.
        NonexistentTimeError: The wall time does not exist in ``timezone`` that day.
    """
    zone = ZoneInfo(timezone)
    now = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    cleaned = _weekday_and_day(_normalize(text), now.astimezone(zone).date(), past=past)
    first = locale if locale in LANGUAGES else LANGUAGES[0]
    languages = (first, *(language for language in LANGUAGES if language != first))
    base = now.astimezone(zone).replace(tzinfo=None, microsecond=_RELATIVE_MARK)
    settings: dict[str, Any] = {"TIMEZONE": timezone, "RELATIVE_BASE": base,
                                "PREFER_DATES_FROM": "past" if past else "future"}
    if first == "es":
        settings["DATE_ORDER"] = "DMY"  # 03/04/2027 is 3 April in Spanish
    # A year-first date is always year-month-day, but dateparser reads 2027-13-01 as the
    # 13th of January rather than refusing it; the other orders are checked only if it fails.
    if (impossible := _impossible_date(cleaned, year_first_only=True)) is not None:
        raise ImpossibleDateError(impossible)
    found = _date_data(cleaned, languages, settings)
    if found is None:
        if (impossible := _impossible_date(cleaned)) is not None:
            raise ImpossibleDateError(impossible)
        return None
    moment, period = found
    if period != "time":
        raise MissingTimeError(text)
    try:
        if moment.microsecond == _RELATIVE_MARK:
            return now.astimezone(UTC) + (moment.replace(tzinfo=None) - base)
        # dateparser marks a time in TIMEZONE with that pytz zone; any other zone was named
        # in the text ("3pm UTC") and is kept.
        if moment.tzinfo is not None and getattr(moment.tzinfo, "zone", None) != timezone:
            return moment.astimezone(UTC)
        start = _to_utc(moment.replace(tzinfo=None), zone, timezone)
    except OverflowError:  # year 9999 moved past the end of the calendar
        return None
    # "Friday at noon" said on a Friday morning is today; dateparser, preferring the
    # future, takes the next one. "Next friday" is still a week on.
    today = now.astimezone(zone).date()
    try:  # the same wall time a week before, whatever the clocks did that week
        earlier = _to_utc(start.astimezone(zone).replace(tzinfo=None) - timedelta(days=7),
                          zone, timezone)
    except NonexistentTimeError:
        return start
    if not past and _weekday_said(text) == today.weekday() and not _NEXT.search(text) \
            and start.astimezone(zone).date() == today + timedelta(days=7) and earlier > now:
        return earlier
    return start


_WEEKDAY_WORD = re.compile(r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
                             r"lunes|martes|mi[eé]rcoles|jueves|viernes|s[aá]bado|domingo)\b",
                             re.IGNORECASE)
_NEXT = re.compile(r"\b(?:next|pr[oó]xim[oa]|siguiente|que viene)\b", re.IGNORECASE)


_WEEKDAY_AND_DAY = re.compile(rf"{_WEEKDAY_WORD.pattern}\s+(?P<day>\d{{1,2}})\b"
                              r"(?!\s*(?::|[ap]\.?m|h\b|de\s|of\s|/|\.))", re.IGNORECASE)


def _weekday_and_day(text: str, today: date, *, past: bool) -> str:
    """``text`` with "martes 8", "friday 11" written as the date it means: the next (or
    with ``past`` the last) day of that number that falls on that weekday, within two
    months; dateparser would take the 8th of this month, past or not.

    Example:
        >>> _weekday_and_day("martes 8 a las 17:00", date(2026, 11, 27), past=False)
        '2026-12-08 a las 17:00'
    """
    if not (said := _WEEKDAY_AND_DAY.search(text)) or (weekday := _weekday_said(said[0])) is None:
        return text
    step = -1 if past else 1
    for offset in range(62):
        day = today + timedelta(days=offset * step)
        if day.day == int(said["day"]) and day.weekday() == weekday:
            return f"{text[:said.start()]}{day.isoformat()}{text[said.end():]}"
    return text


def _weekday_said(text: str) -> int | None:
    """The weekday ``text`` names, as ``date.weekday()`` counts (Monday is 0)."""
    if not (said := _WEEKDAY_WORD.search(text)):
        return None
    word = said[0].casefold()
    english = _WEEKDAYS_EN.get(word.replace("é", "e").replace("á", "a"), word)
    return ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
            "sunday").index(english)


def _to_utc(wall: datetime, zone: ZoneInfo, timezone: str) -> datetime:
    """Convert a local wall time with the offset in force on its own date.

    dateparser would convert too, but it moves a skipped time (02:30 becomes 03:30) and
    picks the second of two repeated ones; zoneinfo lets both be decided here.
    """
    moment = wall.replace(tzinfo=zone).astimezone(UTC)  # fold=0: the first of a repeated hour
    if moment.astimezone(zone).replace(tzinfo=None) != wall:
        raise NonexistentTimeError(wall, timezone)
    return moment


def _date_data(text: str, languages: tuple[str, ...],
               settings: dict[str, Any]) -> tuple[datetime, str] | None:
    """dateparser's reading of ``text`` and its period (``"time"`` when it has one)."""
    if not text or len(text) > _MAX_WHEN_CHARS:
        return None
    from dateparser.date import DateDataParser  # imported on first use: it takes a moment

    try:
        data = DateDataParser(languages=list(languages), settings={
            "PREFER_DATES_FROM": "future", "RETURN_AS_TIMEZONE_AWARE": True,
            "RETURN_TIME_AS_PERIOD": True, **settings,
        }).get_date_data(text)
    except Exception:  # dateparser raises assorted errors on odd text: it just does not read
        return None
    if data.date_obj is None:
        return None
    return data.date_obj, data.period or "day"


def _normalize(text: str) -> str:
    """Respell what dateparser misreads: ``el viernes``, ``15h``, ``a las 10``, ``de la tarde``.

    The Spanish article and ``próximo``/``que viene`` around a weekday make dateparser give
    up (the next one is what it picks anyway), and so do ``el lunes pasado`` and ``pasado
    mañana`` (written "last monday" and "the day after tomorrow", which it reads); ``15h``
    it reads as "in 15 hours"; a bare hour after "at" or "a las" it ignores, and "a la 1" it
    does not know.
    """
    text, part_of_day = _part_of_day(respell_clock(text.replace("\x00", "")))
    # "At 3" is in the afternoon, "at 8" in the morning, unless the part of the day says.
    last_afternoon_hour = {"pm": 11, "am": 0}.get(part_of_day or "", _LAST_AFTERNOON_HOUR)
    words = text.split()
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        low = word.casefold()
        after = words[i + 1].casefold() if i + 1 < len(words) else ""
        before = out[-1].casefold() if out else ""
        if low == "el" or (low in _NEXT_ES | _THIS_ES and after in _WEEKDAYS_ES):
            i += 1
            continue
        if low == "que" and after == "viene" and before in _WEEKDAYS_ES:
            i += 2
            continue
        if low in _WEEKDAYS_ES and after in {"pasado", "pasada"}:
            out.append(f"last {_WEEKDAYS_EN[low]}")
            i += 2
            continue
        if low == "pasado" and after in {"mañana", "manana"}:
            out.append("the day after tomorrow")
            i += 2
            continue
        if low == "de" and after == "la" and i + 2 < len(words) and before[-1:].isdigit() \
                and (part := _PARTS_OF_DAY_ES.get(words[i + 2].casefold())):
            out[-1] += part  # "a las 3 de la tarde" -> "a las 3:00pm"
            i += 3
            continue
        if (m := _HOUR_SUFFIX.fullmatch(low)) and int(m[1]) <= 23 \
                and before not in _RELATIVE_WORDS:
            word = f"{int(m[1])}:{m[2] or '00'}"
        elif low == "la" and before == "a" and after[:1].isdigit():
            word = "las"  # "a la 1" is "a las 1" for dateparser
        elif (m := _CLOCK.fullmatch(low)) and int(m[1]) <= 24 and before in _AT_WORDS:
            # "At 3", "a las 3:30": a meeting at three is in the afternoon unless the words
            # after say otherwise ("at 3 am", "a las 3 de la mañana").
            # "05:00" with its zero is the 24-hour clock: five in the morning.
            hour = int(m[1]) + (12 if 1 <= int(m[1]) <= last_afternoon_hour
                                and after not in _DAY_PART_WORDS and m[1][0] != "0" else 0)
            word = f"{hour}:{m[2] or '00'}"
        out.append(word)
        i += 1
    said = " ".join(out)
    # "last monday a las 15:00" mixes the languages more than dateparser follows.
    english = said.startswith(("last ", "the day after tomorrow"))
    return re.sub(r"\ba las?\s+(?=\d)", "", said) if english else said


# "Tonight", "this evening", "mañana por la tarde": the day, and whether its hours are
# after noon ("tonight at 9" is 21:00) or before ("tomorrow morning at 9").
_PARTS_OF_DAY = tuple((re.compile(pattern, re.IGNORECASE), day, part) for pattern, day, part in (
    (r"\btonight\b|\bthis (?:evening|afternoon)\b", "today", "pm"),
    (r"\besta (?:noche|tarde)\b", "hoy", "pm"),
    (r"\bthis morning\b", "today", "am"),
    (r"\besta mañana\b", "hoy", "am"),
    (r"\b(?:in the |por la |en la )?(?:evening|afternoon|tarde|noche)\b(?! de)", "", "pm"),
    (r"\b(?:in the |por la |en la )(?:morning|mañana)\b", "", "am"),
    (r"(?<=\w )morning\b", "", "am"),  # "tomorrow morning"
))


def _part_of_day(text: str) -> tuple[str, str | None]:
    """``text`` with its part of the day said as the day alone, and that part ("am",
    "pm"), if it says one; "de la tarde" after an hour is left for the hour."""
    for pattern, day, part in _PARTS_OF_DAY:
        if (said := pattern.search(text)) and not re.search(r"\bde la\s*$", text[:said.start()]):
            return " ".join(pattern.sub(day, text, count=1).split()), part
    return text, None


def _impossible_date(text: str, *, year_first_only: bool = False) -> str | None:
    """A numeric date in ``text`` that is no day of the calendar in any order, if any.

    Args:
        text: The when, normalized.
        year_first_only: Check only dates written year first (``2027-03-29``).
    """
    for match in _NUMERIC_DATE.finditer(text):
        if match["iy"]:
            readings = [(int(match["iy"]), int(match["im"]), int(match["id"]))]
        elif year_first_only:
            continue
        else:
            year = int(match["y"]) + (2000 if len(match["y"]) == 2 else 0)
            a, b = int(match["a"]), int(match["b"])
            readings = [(year, b, a), (year, a, b)]  # day first, then month first
        if not any(_is_date(*reading) for reading in readings):
            return match[0]
    return None


def _impossible_named_date(text: str) -> str | None:
    """A day of a month named in words that no year has (``February 30``, ``31 de abril``).

    Example:
        >>> _impossible_named_date("on February 30 at 3pm"), _impossible_named_date("feb 29")
        ('February 30', None)
    """
    for match in _NAMED_DATE.finditer(text):
        month = _MONTH_NUMBERS[(match["month"] or match["month2"]).casefold()[:3]]
        if not _is_date(2024, month, int(match["day"] or match["day2"])):  # a leap year
            return match[0]
    return None


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


# -- the whole line -----------------------------------------------------------------------


class Shift(NamedTuple):
    """How far to move a meeting, and whether it was said in days (or weeks), which keep
    its clock time across a change to or from summer time."""

    span: timedelta
    in_days: bool


def parse_shift(text: str) -> Shift | None:
    """How far ``+30m``, ``-1h``, ``+1d`` or ``+1 week`` moves a meeting; None for anything
    else.

    Example:
        >>> parse_shift("+30m").span, parse_shift("- 1 hour").span, parse_shift("4pm")
        (datetime.timedelta(seconds=1800), datetime.timedelta(days=-1, seconds=82800), None)
        >>> parse_shift("+1d"), parse_shift("+24h").in_days
        (Shift(span=datetime.timedelta(days=1), in_days=True), False)
    """
    if not (said := re.fullmatch(r"\s*([+-])\s*(.+?)\s*", text)):
        return None
    if days := re.fullmatch(r"(\d{1,3})\s*(?:(?P<d>d|days?|d[ií]as?)|w|weeks?|semanas?)",
                            said[2], re.IGNORECASE):
        span: timedelta | None = timedelta(days=int(days[1]) * (1 if days["d"] else 7))
    else:
        span = _read_duration(said[2])
    if span is None:
        return None
    return Shift(span if said[1] == "+" else -span, in_days=days is not None)


def with_time_if_only_a_day(text: str, at: time) -> str:
    """``text`` with ``at`` written after its when, if the when names a day and no time.

    Moving a meeting to "monday" keeps its hour, as moving it to "4pm" keeps its day.

    Example:
        >>> with_time_if_only_a_day("next monday", time(10, 30))
        'next monday 10:30'
        >>> with_time_if_only_a_day("monday 4pm", time(10, 30))
        'monday 4pm'
    """
    when = split_schedule_text(text)[0]
    reading = _reading(when) if when else None
    if reading is None or reading[1] == "time":
        return text
    return text.replace(when, f"{when} {at:%H:%M}", 1)


def is_time_of_day(text: str) -> bool:
    """Whether ``text`` names a time of day and no day ("4pm", "a las 9"): moving a meeting
    to it keeps the meeting's own day.

    Example:
        >>> is_time_of_day("at 4pm"), is_time_of_day("a las 9"), is_time_of_day("friday 4pm")
        (True, True, False)
    """
    return bool(TIME_OF_DAY.fullmatch(" ".join(text.split())))


def time_of_day(text: str) -> time | None:
    """The time of day ``text`` says, when that is all it says ("4pm", "15:00", "a las 9").

    Example:
        >>> time_of_day("4pm"), time_of_day("a las 9"), time_of_day("2"), time_of_day("friday")
        (datetime.time(16, 0), datetime.time(9, 0), None, None)
    """
    if not is_time_of_day(text) or not (found := _reading(text)) or found[1] != "time":
        return None
    return found[0].time()


def parse_meeting(text: str, *, _: Translator, timezone: str, now: datetime,
                  past: bool = False) -> MeetingSpec:
    """Read a ``meeting schedule`` (or ``meeting log``) line after the project.

    Args:
        text: E.g. ``tomorrow 3pm for 45m with @ana @luis Design review``.
        _: The member's translator; its locale is the language tried first.
        timezone: IANA zone the member writes times in.
        now: The current moment, timezone-aware, from the caller's clock (a naive value is
            taken as UTC).
        past: A meeting that already took place (``meeting log``) rather than one to come.

    Returns:
        The meeting's start (in UTC; in the future, or the past when ``past``), duration,
        mentions and title.

    Raises:
        UserError: The time is missing, unreadable, impossible, skipped by the clocks or
            on the wrong side of ``now``, or the duration is out of bounds; the message says
            how to write it.
    """
    now = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    when, duration_text, mentions, title = split_schedule_text(text)
    if not when:
        raise UserError(_("Say when the meeting starts. Try: tomorrow 3pm, next tuesday 10:00, "
                          "in 2 hours, 2027-03-29 10:00."))
    # Quoted in a code span, which a backtick would end; and kept short enough to read.
    shown = when.replace("`", "'")
    shown = shown if len(shown) <= _MAX_SHOWN_CHARS else f"{shown[:_MAX_SHOWN_CHARS - 1]}…"
    try:
        if (impossible := _impossible_named_date(text)) is not None:
            raise ImpossibleDateError(impossible)  # "February 30": no reading of it is right
        start = parse_start(when, timezone=timezone, locale=_.locale, now=now, past=past)
    except MissingTimeError:
        # "tomorrow at 25:00": the time was there but is none, and went to the title.
        if title and (bad := _NOT_A_TIME.match(title)):
            raise UserError(_("`{time}` is not a time of day; write one like 15:00 or 3pm.",
                              time=bad["time"])) from None
        raise UserError(_("`{when}` is a day without a time. Add one, like tomorrow 3pm or "
                          "friday 10:00.", when=shown)) from None
    except ImpossibleDateError as error:
        raise UserError(_("`{date}` is not a date on the calendar. Check the day and month, "
                          "like 2027-03-29 10:00.", date=error.text)) from None
    except NonexistentTimeError as error:
        raise UserError(_("{time} does not exist in {timezone} (the clocks change that day); "
                          "pick another time.", time=f"{error.wall:%Y-%m-%d %H:%M}",
                          timezone=timezone)) from None
    if start is None:
        raise UserError(_("I could not read `{text}` as a time. Try: tomorrow 3pm, next tuesday "
                          "10:00, in 2 hours, 2027-03-29 10:00.", text=shown))
    if not FIRST_YEAR <= start.year <= LAST_YEAR:
        raise UserError(_("`{when}` is too far off for a meeting; pick a time within the next "
                          "years, like 2027-03-29 10:00.", when=shown))
    if past and start > now:
        raise UserError(_("`{when}` is still to come; schedule it with `/meeting schedule` "
                          "instead.", when=shown))
    if not past and start <= now:
        raise UserError(_("`{when}` has already passed; pick a time in the future, or add a "
                          "meeting that took place with `/meeting log`.", when=shown))
    try:
        duration = parse_duration(duration_text)
    except ValueError:
        raise UserError(_("A meeting lasts between 5 minutes and 12 hours, like 30m or 1h30.")
                        ) from None
    return MeetingSpec(start=start, duration=duration, mentions=mentions, title=title)
