"""Which meeting a phrase means: "tomorrow's standup", "the website call", "la reunión del
viernes con Acme".

A meeting fits when it is on the day and at the time the phrase names and its title,
project and client hold every other word the phrase says. A word none of them holds ("the
budget call" with no meeting about the budget), or a phrase that tells nothing ("the
meeting"), means no meeting rather than a guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from bot.meetings.when import TIME_OF_DAY, time_of_day
from bot.transcripts.summarize import STOP_WORDS, fold

_DAYS = {"yesterday": -1, "ayer": -1, "today": 0, "hoy": 0, "tomorrow": 1, "manana": 1}
_WEEKDAYS = {"monday": 0, "lunes": 0, "tuesday": 1, "martes": 1, "wednesday": 2,
             "miercoles": 2, "thursday": 3, "jueves": 3, "friday": 4, "viernes": 4,
             "saturday": 5, "sabado": 5, "sunday": 6, "domingo": 6}
# Words that say "a meeting" without telling which one.
_MEETING_WORDS = frozenset({
    "meeting", "meetings", "call", "calls", "sync", "session", "reunion", "reuniones",
    "llamada", "sesion"})
# "Next Monday", "el lunes que viene"; "last Monday", "el lunes pasado": which way a weekday
# is counted.
_FORTH = frozenset({"next", "coming", "upcoming", "viene", "proxima", "proximo"})
_BACK = frozenset({"last", "latest", "previous", "pasado", "pasada", "anterior", "ultimo",
                   "ultima"})


# "3pm", "10:30am", "15:00", "a las 9" within a phrase: the time it starts, where the sender is.
_AT = re.compile(rf"\b(?:{TIME_OF_DAY.pattern})(?=\W|$)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A meeting as a phrase may name it."""

    id: int
    title: str
    project: str
    client: str | None
    day: date  # where the sender is
    at: time | None = None  # its start, where the sender is


def meetings_meant(phrase: str, candidates: Sequence[Candidate], today: date, *,
                   ahead: bool = True) -> list[int]:
    """The ids of the candidates ``phrase`` fits, in the order given.

    Args:
        phrase: What the sender called the meeting.
        candidates: The meetings it may be.
        today: The sender's date, for "tomorrow" and weekdays.
        ahead: A weekday is the next one (today included), else the last one, unless the
            phrase says which ("next Monday", "el lunes pasado"). Without a weekday, "the
            next …" (with ``ahead``) and "the last …" (without) mean the first candidate
            that fits: callers give the meetings ahead soonest first, those held latest
            first.

    Example:
        >>> today = date(2026, 11, 26)  # a Thursday
        >>> calls = [Candidate(1, "Standup", "Website redesign", "Acme", date(2026, 11, 27)),
        ...          Candidate(2, "Standup", "Mobile app", None, date(2026, 11, 27)),
        ...          Candidate(3, "Launch", "Website redesign", "Acme", date(2026, 12, 1))]
        >>> meetings_meant("tomorrow's standup with Acme", calls, today)
        [1]
        >>> meetings_meant("la reunión del martes", calls, today)
        [3]
        >>> meetings_meant("the website meeting", calls, today)
        [1, 3]
        >>> meetings_meant("el martes que viene", calls, today)
        [3]
        >>> at_four = [Candidate(4, "Standup", "Mobile app", None, today, time(16, 0))]
        >>> [meetings_meant(phrase, at_four, today) for phrase in ("my 4pm standup", "the 3pm")]
        [[4], []]
        >>> [meetings_meant(phrase, calls, today) for phrase in ("the budget call", "the call")]
        [[], []]
        >>> [meetings_meant(phrase, calls, today) for phrase in ("the next website meeting",
        ...                                                       "la próxima reunión")]
        [[1], [1]]
        >>> weekly = [Candidate(5, "Sync", "Mobile app", None, today),
        ...           Candidate(6, "Sync", "Mobile app", None, today + timedelta(days=7))]
        >>> [meetings_meant(phrase, weekly, today)
        ...  for phrase in ("thursday's sync", "next thursday's sync", "el jueves")]
        [[5], [6], [5]]
        >>> meetings_meant("thursday's sync", weekly[1:], today)  # none today: next week's
        [6]
    """
    times = {found for match in _AT.finditer(phrase) if (found := time_of_day(match.group()))}
    words = set(_words(_AT.sub(" ", phrase) if times else phrase)) - STOP_WORDS - _MEETING_WORDS
    forth, back = bool(words & _FORTH), bool(words & _BACK)
    words -= _FORTH | _BACK
    weekday = bool(words & (_DAYS.keys() | _WEEKDAYS.keys()))
    # The days each day word may mean, likeliest first.
    days = [_days(word, today, ahead=forth or (ahead and not back), said=forth or back)
            for word in words if word in _DAYS or word in _WEEKDAYS]
    named = {word for word in words
             if len(word) > 1 and not word.isdigit() and word not in _DAYS | _WEEKDAYS.keys()}
    # "The next meeting", "la última llamada con Acme": the first that fits, in the order
    # given, when that order runs the way the phrase looks.
    first = not weekday and (forth or back)
    if first and forth != ahead:
        return []
    if not days and not named and not times and not first:  # "the meeting" says nothing
        return []
    fits = [c for c in candidates if all(c.day in options for options in days)
            and times <= {c.at} and named <= set(_words(f"{c.title} {c.project} {c.client or ''}"))]
    # "Thursday's meeting" on a Thursday: today's if there is one, else next week's.
    likeliest = [c for c in fits if all(c.day == options[0] for options in days)]
    return [c.id for c in (likeliest or fits)][:1 if first else None]


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", fold(text).casefold())


def _days(word: str, today: date, *, ahead: bool, said: bool) -> tuple[date, ...]:
    """The days a day word may mean, likeliest first: today's weekday is today or a week
    away, unless "next" or "last" was ``said`` (a week away, as a meeting's time reads it)."""
    if word in _DAYS:
        return (today + timedelta(days=_DAYS[word]),)
    shift = (_WEEKDAYS[word] - today.weekday()) % 7 if ahead else \
        (today.weekday() - _WEEKDAYS[word]) % 7
    week = timedelta(days=7 if ahead else -7)
    if shift:
        return (today + (timedelta(days=shift) if ahead else -timedelta(days=shift)),)
    return (today + week,) if said else (today, today + week)
