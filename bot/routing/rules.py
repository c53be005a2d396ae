"""The embedded rules: free text in English and Spanish to a command, without a model.

Each rule is one decorated function, with the patterns it reads just above it; a rule that
only passes the meeting its words name on to a command is one ``_meeting_rule`` line. Rules are
tried in the order they are declared; the first whose pattern matches and that places the
text wins (a rule returns None to let later ones try: "set up a call with Bob" names no
project, so it schedules nothing).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from bot.i18n import N_
from bot.parsing import (
    HOURS_AND_A_PART,
    HOURS_IN_WORDS,
    MONTH,
    PERIOD,
    WEEKDAY,
    WORD_HOURS_AND_A_PART,
)
from bot.routing.names import without_article
from bot.transcripts.summarize import fold


class ProjectLookup(Protocol):
    """The workspace's projects, as the rules need them: references (``#id``) or ``None``.

    A client stands for its current project (an active or planned one, else its first).
    """

    async def bound(self) -> str | None:
        """The project of the channel the text was written in, if it is bound to one."""
        ...

    async def named(self, name: str) -> str | None:
        """The project or client called exactly ``name``, else the only project whose name
        holds it as whole words ("website" for "Website redesign")."""
        ...

    async def mentioned(self, text: str) -> str | None:
        """The project or client whose name ``text`` contains (see :func:`.names.mentioned`)."""
        ...

    async def client(self, text: str, *, exact: bool = False) -> str | None:
        """The client whose name ``text`` is, holds, or shares a word only it has; with
        ``exact``, only the one called ``text`` (or whose company is)."""
        ...


@dataclass(frozen=True, slots=True)
class Routed:
    """The command free text was routed to, with its arguments; or, with ``problem`` (a
    message to translate), why the text asks for it in a way it cannot be run."""

    command: str
    args: dict[str, Any]
    problem: str | None = None


Rule = Callable[[re.Match[str], ProjectLookup], Awaitable[Routed | None]]
# Tried in the order they are declared; the first that matches and places the text wins.
_RULES: list[tuple[tuple[re.Pattern[str], ...], Rule]] = []


def _rule(*patterns: re.Pattern[str]) -> Callable[[Rule], Rule]:
    """Declare a rule: ``patterns`` (matched at the start of the text) and the handler that
    turns a match into the command to run, or None to let later rules try."""
    def register(handler: Rule) -> Rule:
        _RULES.append((patterns, handler))
        return handler
    return register


def _meeting_rule(command: str, *patterns: re.Pattern[str]) -> None:
    """Declare a rule that runs ``command`` for the meeting its patterns name (``which``)."""
    async def meeting(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
        return Routed(command, {"meeting": match["which"]})
    _rule(*patterns)(meeting)


async def first_rule(text: str, projects: ProjectLookup) -> Routed | None:
    """What the first rule that places ``text`` routes it to, or None."""
    for patterns, handler in _RULES:
        for pattern in patterns:
            if (match := pattern.match(text)) and (routed := await handler(match, projects)):
                return routed
    return None


# Pieces of several rules' patterns.
_TASKS = r"(?:tasks|action items|to-?dos|tareas|pendientes)"
_MEETING_NOUN = (r"(?:\b(?:meeting|call|sync|standup|stand-up|review|demo|kick-?off|retro|"
                 r"planning|session|workshop|interview|presentation|check-?in|catch-?up|"
                 r"huddle|one-on-one|1:1|reuni[oó]n|llamada|revisi[oó]n|sesi[oó]n|taller|"
                 r"entrevista|presentaci[oó]n|planificaci[oó]n)\b|(?<![\w#])#\d+\b)")
# A meeting named in words or by number: "the website call", "tomorrow's standup", "la
# reunión del viernes", "#12".
_A_MEETING = rf"(?P<which>.*?{_MEETING_NOUN}.*?)"


_HOURS = (rf"(?P<hours>{WORD_HOURS_AND_A_PART}|"
          + "|".join(sorted(HOURS_IN_WORDS, key=len, reverse=True))
          + r"|\d{1,2}:[0-5]\d(?:\s*(?:h|hs|hrs?|hours?|horas?))?"  # "1:30" is an hour and a half
          + rf"|-?\d+(?:[.,]\d+)?(?:\s+{HOURS_AND_A_PART})?\s*(?:h|hs|hrs?|hours?|"
          rf"horas?|m|min|minutes?|minutos?)?(?:\s+{HOURS_AND_A_PART})?"
          r"(?:\s*\d+\s*(?:m|min|minutos?)?)?)")  # "1h30" is an hour and a half
# The day the hours were worked: "yesterday", "last friday", "on monday", "2 days ago",
# "on Nov 20", "anteayer", "el viernes pasado", "hace 3 días", "el 20 de noviembre"; and
# days still to come ("tomorrow", "next friday") or whole weeks ("last week"), for the
# command to refuse.
_WORKED_DAY = (rf"(?:{PERIOD}|last night|(?:this|yesterday)\s+(?:morning|afternoon|evening)|"
               rf"tonight|anoche|(?:esta|ayer por la)\s+(?:mañana|tarde|noche)|"
               rf"yesterday|today|the day after tomorrow|tomorrow|the day before yesterday|"
               rf"ayer|hoy|pasado mañana|mañana|anteayer|antier|antes de ayer|"
               # "on 11/20", "el 1/11", "el 20-11", "the 20th of november", "el miércoles 25"
               rf"(?:(?:on|el)\s+)?\d{{1,2}}[/-]\d{{1,2}}(?:[/-]\d{{2,4}})?|"
               rf"(?:on\s+)?the\s+\d{{1,2}}(?:st|nd|rd|th)?\s+of\s+{MONTH}|"
               rf"(?:(?:on|el)\s+)?{WEEKDAY}\s+\d{{1,2}}|"
               rf"(?:on\s+)?(?:mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\.?|"
               rf"(?:\d{{1,3}}|a|one)\s+(?:days?|weeks?)\s+ago|"
               rf"hace\s+(?:\d{{1,3}}|una?)\s+(?:d[ií]as?|semanas?)|"
               rf"in\s+\d{{1,2}}\s+(?:days?|weeks?)|dentro\s+de\s+\d{{1,2}}\s+(?:d[ií]as|semanas)|"
               rf"(?:on\s+)?the\s+\d{{1,2}}(?:st|nd|rd|th)|"
               rf"(?:(?:on|el)\s+)?(?:(?:(?:last|next|this|pr[oó]ximo)\s+)?{WEEKDAY}"
               rf"(?:\s+(?:pasad[oa]|que viene|pr[oó]ximo))?|{MONTH}\.?\s+\d{{1,2}}"
               rf"(?:st|nd|rd|th)?|\d{{1,2}}\s+(?:de\s+)?{MONTH}|\d{{4}}-\d{{2}}-\d{{2}}))")
# After the day, what the hours went on: "… on monday for the hero section".
_LATER_NOTE = r"(?:,?\s+(?:for|para)\s+(?P<note>.+?))?"
# "… for the hero section on monday": the day said after the note.
_NOTE_THEN_DAY = re.compile(rf"^(?P<note>.+?),?\s+(?P<on>{_WORKED_DAY})$", re.IGNORECASE)
# "… on the website yesterday (layout)", "… ayer nota: maquetación", "… ayer por la reunión":
# the day said between the project and its note.
_DAY_THEN_NOTE = re.compile(rf"^(?P<project>.+?),?\s+(?P<on>{_WORKED_DAY})(?P<note>\s*\(.+\)|,?"
                            rf"\s+(?:nota|note|por|-)\b:?\s*.+)$", re.IGNORECASE)
_LOG_VERB_EN = r"(?:please\s+)?(?:log|track|add|(?:i\s+|we\s+)?(?:worked|spent|put\s+in))"
_LOG_VERB_ES = (r"(?:por favor\s+)?(?:registra(?:r|me)?|apunta(?:r|me)?|anota(?:r|me)?|carga(?:r)?|"
                r"(?:he\s+)?trabajado|"
                r"(?:he\s+)?dedicado|trabaj[eé]|dediqu[eé]|trabajamos|dedicamos)")
_LOG = [
    re.compile(rf"^(?:(?P<first>{_WORKED_DAY}),?\s+)?{_LOG_VERB_EN}(?:\s+(?P<day>{_WORKED_DAY}))?"
               rf"\s+{_HOURS}"
               rf"(?:\s+(?P<then>{_WORKED_DAY}))?\s+(?P<to>(?:on|to|for|in)\s+)?"
               rf"(?P<project>.+?)(?:\s+(?P<on>{_WORKED_DAY}))?{_LATER_NOTE}[.!]?$",
               re.IGNORECASE),
    re.compile(rf"^(?:(?P<first>{_WORKED_DAY}),?\s+)?{_LOG_VERB_ES}(?:\s+(?P<day>{_WORKED_DAY}))?"
               rf"\s+{_HOURS}"
               rf"(?:\s+(?P<then>{_WORKED_DAY}))?\s+(?P<to>(?:en|a|para|al)\s+)?"
               rf"(?P<project>.+?)(?:\s+(?P<on>{_WORKED_DAY}))?{_LATER_NOTE}[.!]?$",
               re.IGNORECASE),
]
_MORE_HOURS = re.compile(
    r"(?:\band\b|\by\b|[,;+&])\s*(?:\d+(?:[.,]\d+)?\s*(?:h|hrs?|hours?|horas?|m|mins?|minutes?|"
    r"minutos?)\b|(?:an?|one|una|half an?|media)\s+(?:hour|hora)\b)", re.IGNORECASE)
# "… monday and tuesday", "yesterday and today": two days, two entries.
_MORE_DAYS = re.compile(rf"\b(?:and|y)\s+{_WORKED_DAY}(?!\w)", re.IGNORECASE)
_FOR_WHOM = re.compile(r"^(?P<whom>.+?)\s+(?:on|in|en)\s+(?P<project>.+)$", re.IGNORECASE)
_DAY_ALONE = re.compile(rf"^{_WORKED_DAY}$", re.IGNORECASE)
# "website for the design review", "web para la maqueta": a project, then what the hours
# were for.
_FOR_NOTE = re.compile(r"^(?P<project>.+?)(?:,?\s+(?:for|on|para|en|por|-|—|:|note:?|nota:?)\s+"
                       r"(?P<note>.+)|\s*\((?P<aside>[^)]+)\))$", re.IGNORECASE)


async def _logged_on(text: str, projects: ProjectLookup) -> tuple[str | None, str | None]:
    """The project hours are logged on and what for, from "website", "the website for the
    design review" or "Acme": a whole name first (with or without its article), then a word
    of just one name; None when nothing fits."""
    splits = [(text, None)]
    if said := _FOR_NOTE.match(text):  # "website for the design review", "web (maquetación)"
        splits.append((said["project"], said["note"] or said["aside"]))
    for loose in (False, True):
        # A word of a name: the part before "for" first, so the note is not swallowed.
        for name, note in reversed(splits) if loose else splits:
            if project := (await projects.mentioned(name) if loose else
                           await projects.named(name)
                           or await projects.named(without_article(name))):
                return project, note
    return None, None


@_rule(*_LOG)
async def _log_hours(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    # "on the website", "on Acme": the project, or the client's current one; a name that
    # matches neither goes on as typed, for the command to suggest.
    said = match["project"]
    if _MORE_HOURS.search(said) or _MORE_DAYS.search(match.string):
        # "… on website and 1h on mobile": two entries, not one with a note.
        return Routed("project log", {}, problem=N_(
            "Log one entry at a time, one project and one day each: `log 2h on Website`, "
            "then `log 1h on Mobile yesterday`."))
    said_day = None
    if not (match["on"] or match["then"] or match["day"] or match["first"]) and (
            between := _DAY_THEN_NOTE.match(said)):
        said, said_day = f"{between['project']} {between['note'].strip()}", between["on"]
    # "log 3h for ana on website": for whom, then the project (the command refuses it).
    if (match["to"] or "").strip().casefold() in {"for", "para"} and (
            whom := _FOR_WHOM.match(said)):
        said, note = whom["project"], whom["whom"]
        project, _note = await _logged_on(said, projects)
    else:
        project, note = await _logged_on(said, projects)
    note = match["note"] or note
    day = match["on"] or match["then"] or match["day"] or match["first"] or said_day
    if note and not day and _DAY_ALONE.match(note):  # "log 3h on website for yesterday"
        note, day = None, note
    if note and not day and (late := _NOTE_THEN_DAY.match(note)):
        note, day = late["note"], late["on"]
    if project is None and not match["to"]:
        return None  # "log 3h website" names it plainly; without "on", a name is a must
    if re.fullmatch(r"-?\d+(?:[.,]\d+)?", match["hours"]) and not match["to"] \
            and not await projects.named(match["project"]):
        return None  # "add 3 photos to the website": a number of something else
    args = {"hours": match["hours"],  # "1h 30" and "media hora" read as said
            "project": project or match["project"]}
    if note:
        args["note"] = note
    if day:
        args["on"] = day
    return Routed("project log", args)


# "Log 2h", "registra 2 horas ayer": no project said, so the channel's, else the command
# asks which.
_LOG_HOURS_ONLY = [re.compile(rf"^{verb}(?:\s+(?P<day>{_WORKED_DAY}))?\s+{_HOURS}"
                              rf"(?:\s+(?P<on>{_WORKED_DAY}))?[.!]?$", re.IGNORECASE)
                   for verb in (_LOG_VERB_EN, _LOG_VERB_ES)]


@_rule(*_LOG_HOURS_ONLY)
async def _log_hours_only(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    args = {"hours": match["hours"]}
    if day := match["on"] or match["day"]:
        args["on"] = day
    return Routed("project log", args)


# "… about the launch" / "… sobre el lanzamiento": what the meeting is for, its title.
_ABOUT_WORDS = (r"(?:about|regarding|re:?|to discuss|to talk about|sobre|acerca de|"
                r"para hablar de|para tratar|para revisar)")
_ABOUT = rf"(?:\s+{_ABOUT_WORDS}\s+(?P<title>.+?))?"
# "… with Acme about the checkout next Tuesday", "… sobre la tienda el lunes": what it is
# about (or the project) said before the time.
_ABOUT_FIRST = rf"(?:\s+{_ABOUT_WORDS}\s+(?P<topic>.+?))?"
# "Set up a call with Acme next Tuesday at 3pm", "book a meeting on the website tomorrow",
# "agenda una reunión con Acme el martes a las 15:00": a meeting in that project (a client's
# name stands for its current one); without a time or a project the command asks for it,
# with examples.
# How a time starts: "tomorrow", "next Tuesday", "in 2 hours", "3pm"; "mañana", "el lunes".
# A time already gone ("yesterday", "last monday") is read too, so the command can say so.
_WHEN_EN = (r"(?:today|tonight|tomorrow|the day after tomorrow|yesterday|next|this|last|"
            r"in\s+\d|\d|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
            rf"{MONTH}\.?\s+\d)")
_WHEN_ES = (r"(?:hoy|mañana|ayer|anteayer|pasado|próximo|proximo|este|esta|en\s+\d|\d|lunes|"
            r"martes|mi[eé]rcoles|jueves|viernes|s[aá]bado|domingo)")
_SCHEDULE = [
    re.compile(r"^(?:please\s+|can you\s+|could you\s+)?(?:set up|schedule|book|arrange|"
               r"organi[sz]e|plan)\s+(?:a|an|the)?\s*(?P<noun>call|meeting|sync|catch-?up|"
               rf"review)(?:\s+(?P<with>with|on|for)\s+(?!{_WHEN_EN})(?P<who>.+?))?{_ABOUT_FIRST}"
               rf"(?:\s+"
               rf"(?P<when>(?:on\s+|at\s+|for\s+)?{_WHEN_EN}.*?))?{_ABOUT}[.!?]?$",
               re.IGNORECASE),
    re.compile(r"^(?:por favor\s+)?(?:agenda|programa|organiza|monta|prepara|fija)\s+"
               r"(?:una|la)?\s*(?P<noun>reuni[oó]n|llamada|videollamada|revisi[oó]n)"
               rf"(?:\s+(?P<with>con|de|en|para)\s+(?!{_WHEN_ES})(?P<who>.+?))?{_ABOUT_FIRST}"
               rf"(?:\s+"
               rf"(?P<when>(?:el\s+|para\s+|a\s+las\s+)?{_WHEN_ES}.*?))?{_ABOUT}[.!?]?$",
               re.IGNORECASE),
]


_ON_PROJECT = re.compile(r"\s+(?:on|for|in|en|para|de)\s+(?:the\s+|el\s+|la\s+)?"
                         r"(?P<project>[^\d\s][^,]*?)\s*$", re.IGNORECASE)


@_rule(*_SCHEDULE)
async def _schedule(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    who, when = (match["who"] or "").strip(), match["when"] or ""
    people = None
    topic = (match["topic"] or "").strip()
    # "Una reunión sobre la tienda": the topic is the project, when it names one.
    if topic and (about := await projects.named(without_article(topic))
                  or await projects.mentioned(topic)):
        topic = ""
        if not who:
            who = about
    if who:
        project = await projects.named(who) or await projects.mentioned(who)
        # "… with luis tomorrow at 4 on mobile": the people first, the project last.
        if project is None and (last := _ON_PROJECT.search(when)) and (
                project := await projects.named(last["project"])
                or await projects.mentioned(last["project"])):
            people, when = who, when[:last.start()]
    elif (last := _ON_PROJECT.search(when)) and (
            project := await projects.named(last["project"])
            or await projects.mentioned(last["project"])):
        when = when[:last.start()]  # "schedule a meeting tomorrow at 4 on mobile"
    else:  # naming nobody: the channel's project
        project = await projects.bound()
    # A name that is no project's goes on as said, for the command to suggest the nearest;
    # none at all, and the command asks which project.
    args = {"project": project or who} if project or who else {}
    if people:
        args["participants"] = people
    if when:  # else the command says what a time looks like
        args["when"] = re.sub(r"^(?:for|on|para)\s+", "", when, flags=re.IGNORECASE)
    # Its title: what it is about, else "Call with Acme" when a client was named.
    title = without_article(match["title"] or topic).strip()
    if not title and (match["with"] or "").casefold() in {"with", "con"} \
            and await projects.client(who):
        title = f"{match['noun']} {match['with']} {who.title() if who.islower() else who}"
    if title:
        args["title"] = title[0].upper() + title[1:]
    return Routed("meeting schedule", args)


# "Move tomorrow's standup to 4pm", "pasa la reunión de website al viernes a las 10".
_MOVE = [
    re.compile(rf"^(?:please\s+|can you\s+|could you\s+|can we\s+|could we\s+|let'?s\s+)?"
               rf"(?:move|reschedule|push|postpone|"
               rf"shift)\s+{_A_MEETING}\s+(?:to|until|till)\s+(?P<when>.+?)[.!?]?$",
               re.IGNORECASE),
    re.compile(rf"^(?:por favor\s+)?(?:mueve|cambia|pasa|reprograma|aplaza|posp[oó]n|atrasa|"
               rf"adelanta)\s+{_A_MEETING}\s+(?:para|al?)\s+(?P<when>.+?)[.!?]?$",
               re.IGNORECASE),
]


@_rule(*_MOVE)
async def _move(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    when = match["when"]  # "… a las 10": the "a" was taken for "to"
    return Routed("meeting update", {"meeting": match["which"], "when": (
        f"a {when}" if re.match(r"las?\s", when, re.IGNORECASE) else when)})


# "Push the kickoff by 30 minutes", "move the kickoff 1 hour later", "adelanta la reunión de
# mobile media hora": from where it is, later ("+") or earlier ("-").
_SPAN = (r"(?P<by>\d+\s*(?:h|hours?|horas?|m|min|mins|minutes?|minutos?)|(?:an?|one|una?)\s+"
         r"(?:hour|hora)|half an hour|media hora)")
_SHIFT = [
    re.compile(rf"^(?:please\s+)?(?:push|move|shift|delay)\s+(?:back\s+)?{_A_MEETING}\s+"
               rf"(?:back\s+)?by\s+{_SPAN}[.!?]?$", re.IGNORECASE),
    re.compile(rf"^(?:please\s+)?(?:move|push|shift)\s+{_A_MEETING}\s+{_SPAN}\s+"
               rf"(?P<way>later|earlier)[.!?]?$", re.IGNORECASE),
    re.compile(rf"^(?:please\s+)?(?:bring|pull|move)\s+{_A_MEETING}\s+(?P<way>forward)\s+by\s+"
               rf"{_SPAN}[.!?]?$", re.IGNORECASE),
    re.compile(rf"^(?:por favor\s+)?(?P<way>retrasa|atrasa|posp[oó]n|adelanta)\s+{_A_MEETING}"
               rf"\s+{_SPAN}[.!?]?$", re.IGNORECASE),
]


@_rule(*_SHIFT)
async def _shift(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    earlier = (match.groupdict().get("way") or "").casefold() in {"earlier", "forward",
                                                                  "adelanta"}
    return Routed("meeting update", {"meeting": match["which"],
                                     "when": f"{'-' if earlier else '+'}{match['by']}"})


# "Make the kickoff 1 hour long", "rename the kickoff to Design review".
_RESIZE = re.compile(rf"^(?:please\s+)?make\s+{_A_MEETING}\s+(?P<by>.+?)\s+long[.!?]?$",
                     re.IGNORECASE)
_RENAME = [
    re.compile(rf"^(?:please\s+)?(?:rename|retitle)\s+{_A_MEETING}\s+(?:to|as)\s+"
               rf"(?P<title>.+?)[.!]?$", re.IGNORECASE),
    re.compile(rf"^(?:por favor\s+)?(?:renombra|cambia el nombre de)\s+{_A_MEETING}\s+"
               rf"(?:a|por)\s+(?P<title>.+?)[.!]?$", re.IGNORECASE),
]


@_rule(_RESIZE)
async def _resize(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    return Routed("meeting update", {"meeting": match["which"], "duration": match["by"]})


@_rule(*_RENAME)
async def _rename(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    return Routed("meeting update", {"meeting": match["which"],
                                     "title": match["title"].strip("\"'“”")})


# "Invite Luis and ana@acme.com to tomorrow's standup", "invita a Bea a la reunión del lunes".
_INVITE = [
    re.compile(rf"^(?:please\s+)?(?:invite|add)\s+(?P<who>.+?)\s+(?:to|into)\s+{_A_MEETING}"
               rf"[.!?]?$", re.IGNORECASE),
    re.compile(rf"^(?:por favor\s+)?(?:invita|añade|agrega|suma)\s+a\s+(?P<who>.+?)\s+(?:a|en)"
               rf"\s+{_A_MEETING}[.!?]?$", re.IGNORECASE),
]


@_rule(*_INVITE)
async def _invite(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    return Routed("meeting invite", {"meeting": match["which"], "people": match["who"]})


# "Remove Luis from tomorrow's standup", "take bea off the kickoff", "quita a Luis de la
# reunión de mobile".
_UNINVITE = [
    re.compile(rf"^(?:please\s+)?(?:remove|uninvite|drop)\s+(?P<who>.+?)\s+from\s+"
               rf"{_A_MEETING}[.!?]?$", re.IGNORECASE),
    re.compile(rf"^(?:please\s+)?take\s+(?P<who>.+?)\s+off\s+(?:of\s+)?{_A_MEETING}[.!?]?$",
               re.IGNORECASE),
    re.compile(rf"^(?:por favor\s+)?(?:quita|saca|elimina|borra)\s+a\s+(?P<who>.+?)\s+de\s+"
               rf"{_A_MEETING}[.!?]?$", re.IGNORECASE),
]


@_rule(*_UNINVITE)
async def _uninvite(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    return Routed("meeting uninvite", {"meeting": match["which"], "people": match["who"]})


_CANCEL = re.compile(rf"^(?:please\s+|can you\s+|could you\s+|can we\s+|let'?s\s+|"
                     rf"por favor\s+)?(?:cancel|"
                     rf"call off|cancela|anula)\s+{_A_MEETING}[.!?]?$", re.IGNORECASE)


@_rule(_CANCEL)
async def _cancel(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    return Routed("meeting cancel", {"meeting": match["which"]})


# "Join the next meeting", "what's the link for tomorrow's call?", "únete a la reunión de
# las 3": the sender's own link.
_JOIN = [
    re.compile(rf"^(?:please\s+)?(?:join|open|get me into)\s+{_A_MEETING}[.!?]?$",
               re.IGNORECASE),
    re.compile(rf"^(?:what(?:'s| is)|where(?:'s| is)|send me|give me)\s+(?:the|my)\s+(?:join\s+)?"
               rf"(?:link|url)\s+(?:for|to|of)\s+{_A_MEETING}[.!?]?$", re.IGNORECASE),
    re.compile(rf"^¿?(?:[uú]nete|unirme|entra|entrar)\s+(?:a|en)\s+{_A_MEETING}[.!?]?$",
               re.IGNORECASE),
    re.compile(rf"^¿?(?:cu[aá]l es\s+|dame\s+|p[aá]same\s+|m[aá]ndame\s+)?(?:el|mi)\s+"
               rf"(?:link|enlace)\s+(?:de|para|a)\s+{_A_MEETING}[.!?]?$", re.IGNORECASE),
]
_meeting_rule("meeting join", *_JOIN)


# "Send me the invite for the next meeting", "mándame la invitación de la reunión del lunes":
# its .ics.
_INVITATION = [
    re.compile(rf"^(?:please\s+)?(?:send|give|email)\s+me\s+the\s+(?:calendar\s+)?(?:invite|"
               rf"invitation|\.?ics)\s+(?:for|to|of)\s+{_A_MEETING}[.!?]?$", re.IGNORECASE),
    re.compile(rf"^(?:por favor\s+)?(?:m[aá]ndame|env[ií]ame|dame|p[aá]same)\s+(?:la\s+)?"
               rf"(?:invitaci[oó]n|el \.?ics)\s+(?:de|para|a)\s+{_A_MEETING}[.!?]?$",
               re.IGNORECASE),
]
_meeting_rule("meeting invite", *_INVITATION)


# "I can't make it to the globex call", "no puedo ir a la reunión del lunes": not coming.
_NOT_COMING = [
    re.compile(rf"^(?:sorry,?\s+)?i\s+(?:can(?:'|no)?t|cannot|won'?t|will not|am not|'m not)\s+"
               rf"(?:make it|come|be there|attend|join|going|coming|be able to (?:make it|come|"
               rf"attend|join))\s+(?:to\s+|at\s+|for\s+)?{_A_MEETING}\s*[.!]?$",
               re.IGNORECASE),
    re.compile(rf"^(?:lo siento,?\s+)?no\s+(?:puedo|podr[eé]|voy a poder|voy|vengo|asistir[eé]|"
               rf"ir[eé])\s+(?:ir\s+|asistir\s+|venir\s+|estar\s+)?(?:a\s+|en\s+)?{_A_MEETING}"
               rf"\s*[.!]?$", re.IGNORECASE),
]
_meeting_rule("meeting leave", *_NOT_COMING)


# "Who is coming to tomorrow's call?", "¿quién viene a la reunión del lunes?": the meeting,
# with its participants and their answers.
_WHO_COMES = [
    re.compile(rf"^(?:who(?:'s| is| are)\s+(?:coming|invited|attending|joining|in)\s+(?:to\s+)?)"
               rf"{_A_MEETING}\s*[?.!]?$", re.IGNORECASE),
    re.compile(rf"^¿?qui[eé]n(?:es)?\s+(?:viene|vienen|va|van|asiste|asisten|est[aá]n?\s+"
               rf"invitad[oa]s?)\s+(?:a|en)\s+{_A_MEETING}\s*[?.!]?$", re.IGNORECASE),
]
_meeting_rule("meeting show", *_WHO_COMES)


# "Start a call on website now", "empieza una reunión de mobile": a meeting now, its link.
_START_NOW = [
    re.compile(r"^(?:please\s+|let's\s+)?(?:start|begin|kick off|launch|have)\s+(?:a|an)\s+"
               r"(?:video\s+)?(?:call|meeting|sync)(?:\s+(?:on|for|with|in|about)\s+"
               r"(?P<who>.+?))?(?:\s+(?:right\s+)?now)?[.!]?$", re.IGNORECASE),
    re.compile(r"^(?:por favor\s+)?(?:empieza|empecemos|inicia|abre|arranca|comienza)\s+"
               r"(?:una\s+)?(?:reuni[oó]n|llamada|videollamada)(?:\s+(?:de|en|con|para|sobre)\s+"
               r"(?P<who>.+?))?(?:\s+ahora(?:\s+mismo)?)?[.!]?$", re.IGNORECASE),
]


@_rule(*_START_NOW)
async def _start_now(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    if not (who := (match["who"] or "").strip()):
        return Routed("meeting now", {})  # the channel's project, or the command asks
    project = await projects.named(who) or await projects.mentioned(who)
    return Routed("meeting now", {"project": project}) if project else None


# "help", "hi", "ayuda", "¿qué puedes hacer?": what the bot does.
_HELP = re.compile(r"^[¿¡]?(?:help|ayuda|ay[uú]dame|hi|hello|hey|hola|buenas|good (?:morning|"
                   r"afternoon|evening)|buen(?:os|as) (?:d[ií]as|tardes|noches)|"
                   r"what can you do|qu[eé] puedes hacer|qu[eé] sabes hacer|"
                   r"how are you(?: doing)?|c[oó]mo est[aá]s|qu[eé] tal)"
                   # "good morning team", "hola, ¿cómo estás?"
                   r"(?:[\s,!]+(?:team|all|everyone|there|folks|guys|equipo|a todos|chicos))?"
                   r"(?:[\s,!¿]+(?:how are you(?: doing)?|c[oó]mo est[aá]s|qu[eé] tal))?"
                   r"(?:,?\s+(?:please|por favor))?[\s.!?]*$",
                   re.IGNORECASE)
# "Ayuda con las reuniones", "ayúdame con las horas": help on one topic ("help <topic>" is
# the command itself).
_HELP_TOPIC = re.compile(r"^[¿¡]?(?:ayuda|ay[uú]dame|help(?= with| on| about))\s+"
                         r"(?:(?:con|sobre|de|para|with|on|about)\s+)?"
                         r"(?:(?:el|la|las|los)\s+)?(?P<topic>[^\W\d_][\w ]*?)[\s.!?]*$",
                         re.IGNORECASE)


@_rule(_HELP, _HELP_TOPIC)
async def _help(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    return Routed("help", {"topic": match["topic"]} if match.re is _HELP_TOPIC else {})


# "my tasks", "what's on my plate?", "mis tareas en Acme": the sender's action items.
_MY_TASKS = re.compile(
    rf"^¿?(?:(?:(?:list|show(?: me)?|what are|lista|mu[eé]stra(?:me)?|cu[aá]les son)\s+)?(?:my|mis)"
    rf"\s+(?:open\s+)?{_TASKS}|what(?:'s| is) on my plate|what do i (?:have|need) to do|"
    rf"qu[eé] tengo (?:que hacer|pendiente)|qu[eé] {_TASKS} tengo(?: pendientes?| abiertas?)?|"
    rf"tengo {_TASKS}(?: pendientes?| abiertas?)?|what {_TASKS} do i have(?: open| left)?|"
    rf"do i have (?:any )?(?:open )?{_TASKS})"
    rf"(?:\s+(?:on|for|in|en|de|del)\s+"
    rf"(?P<project>.+?))?\s*[.!?]?$", re.IGNORECASE)
# "What's overdue?", "my late tasks on website", "¿qué tareas están vencidas?": open action
# items past their due date.
_OVERDUE = re.compile(
    rf"^¿?(?:(?:what(?:'s| is| are)|which|show(?: me)?|list|any|are there(?: any)?|"
    rf"who (?:has|have)|qui[eé]n(?:es)? tienen?|lo que|"
    rf"qu[eé]|cu[aá]les|hay|lista|mu[eé]stra(?:me)?)\s+)?(?:(?P<mine>my|mis)\s+|(?:the|las)\s+)?"
    rf"(?:{_TASKS}\s+)?(?:(?:are|is|est[aá]n?|hay)\s+)?(?:overdue|late|past due|atrasad[oa]s?|"
    rf"vencid[oa]s?|retrasad[oa]s?)(?:\s+{_TASKS})?(?:\s+(?:on|for|in|en|de|del)\s+"
    rf"(?P<project>.+?))?\s*[.!?]?$", re.IGNORECASE)


@_rule(_MY_TASKS, _OVERDUE)
async def _tasks(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    args: dict[str, Any] = {"mine": True} if match.re is _MY_TASKS or match["mine"] else {}
    if match.re is _OVERDUE:
        args["overdue"] = True
    if match["project"] and (project := await projects.mentioned(match["project"])):
        args["project"] = project
    return Routed("actions", args)


# "Mark action 12 as done", "done with #13", "#12 is done", "la tarea 12 está hecha".
_DONE = [re.compile(pattern, re.IGNORECASE) for pattern in (
    r"^(?:please\s+)?(?:mark|set)\s+(?:action(?: item)?\s+|task\s+|item\s+)?#?(?P<item>\d+)\s+"
    r"(?:as\s+)?(?:done|complete|completed|finished)[.!]?$",
    r"^(?:i(?:'m| am)\s+)?(?:done(?: with)?|finished|completed|close|complete)\s+"
    r"(?:action(?: item)?\s+|task\s+|item\s+)?#?(?P<item>\d+)[.!]?$",
    r"^(?:action(?: item)?\s+|task\s+|item\s+)?#?(?P<item>\d+)\s+(?:is\s+)?(?:done|finished|"
    r"completed)[.!]?$",
    r"^(?:por favor\s+)?(?:marca|cierra|termin[eé]|complet[eé])\s+(?:la\s+)?(?:tarea\s+|"
    r"acci[oó]n\s+)?#?(?P<item>\d+)(?:\s+como\s+(?:hecha|terminada|completada))?[.!]?$",
    r"^(?:la\s+)?(?:tarea\s+)?#?(?P<item>\d+)\s+(?:est[aá]\s+)?(?:hecha|terminada|completada|"
    r"lista)[.!]?$")]

# "I finished the contact form", "mark the budget task as done", "ya terminé lo de los
# diseños": the open action item they describe.
_DONE_SAID = [re.compile(pattern, re.IGNORECASE) for pattern in (
    r"^(?:i(?:'ve| have|'m| am)?\s+)?(?:just\s+)?(?:finished|completed|done with|wrapped up)\s+"
    r"(?P<task>.+?)[.!]?$",
    r"^(?:please\s+)?(?:mark|set)\s+(?P<task>.+?)\s+(?:task|action item)\s+as\s+(?:done|"
    r"complete|completed|finished)[.!]?$",
    r"^(?:ya\s+)?(?:termin[eé]|acab[eé]|complet[eé])\s+(?:con\s+)?(?P<task>.+?)[.!]?$",
    r"^(?:por favor\s+)?marca\s+(?:la\s+tarea\s+(?:de\s+)?)(?P<task>.+?)\s+como\s+(?:hecha|"
    r"terminada|completada)[.!]?$")]


@_rule(*_DONE_SAID)
async def _done_by_words(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    if match["task"].casefold() in _LISTS:  # "completed projects" asks for a list
        return None
    return Routed("actions done", {"item": match["task"]})


# "What do I have today?", "what's on my plate tomorrow?", "¿qué tengo el viernes?", "what
# meetings do I have this week?", "¿tengo reuniones hoy?": the sender's day ("what do I have
# to do?" asked for tasks, above); "this week", "la semana que viene": the rest of that week.
_MY_MEETINGS = (r"(?:what|which) (?:meetings|calls) do i have|do i have (?:any )?(?:meetings?|"
                r"calls?)|what are my (?:meetings|calls)|(?:(?:show|list|give)(?: me)? )?my "
                r"(?:meetings|calls)|(?:mu[eé]strame )?mis reuniones|qu[eé] reuniones tengo|"
                r"tengo (?:alguna )?reuni(?:ones|[oó]n)")
_AGENDA = re.compile(
    r"^¿?(?:what(?:'?s| is) on my (?:agenda|calendar|schedule|plate)|what do i have|"
    r"my (?:agenda|day|schedule)|(?:show|give) me my (?:agenda|day)|qu[eé] tengo|mi agenda|"
    rf"mi d[ií]a|{_MY_MEETINGS})(?:\s+(?:for\s+|on\s+|para\s+|del?\s+|el\s+)?(?P<day>.+?))?"
    r"\s*[.!?]?$", re.IGNORECASE)
_WEEK = re.compile(r"\b(?:week|semana)\b", re.IGNORECASE)
_NEXT_WEEK = re.compile(r"\b(?:next|que viene|pr[oó]xima|siguiente)\b", re.IGNORECASE)


@_rule(_AGENDA)
async def _agenda(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    day = match["day"]
    if day and _WEEK.search(day):
        return Routed("day", {"week": True, **({"when": "next monday"}
                                               if _NEXT_WEEK.search(day) else {})})
    return Routed("day", {"when": day} if day else {})


@_rule(*_DONE)
async def _done(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    return Routed("actions done", {"item": match["item"]})


# A project's progress, status, budget or due date changed in words: "website is 60% done",
# "put mobile on hold", "set the budget of website to 15k", "la entrega de web es el 1 de
# marzo". Each pattern names the project and one field as `project update` calls it.
_STATUS_WORDS = (r"(?P<status>completed?|done|finished|active|on hold|paused|cancell?ed|"
                 r"planning|planned|terminad[oa]|completad[oa]|finalizad[oa]|activ[oa]|"
                 r"en pausa|pausad[oa]|cancelad[oa]|en curso)")
_UPDATE_PROJECT = [re.compile(pattern, re.IGNORECASE) for pattern in (
    r"^(?:please\s+)?(?:set|update|change|move)\s+(?:the\s+)?progress\s+(?:of|on|for)\s+"
    r"(?P<project>.+?)\s+to\s+(?P<progress>\d{1,3})\s*%?[.!]?$",
    r"^(?:please\s+)?(?:set|update|move)\s+(?P<project>.+?)(?:'s)?\s+(?:progress\s+)?to\s+"
    r"(?P<progress>\d{1,3})\s*%[.!]?$",
    r"^(?P<project>.+?)\s+is\s+(?:now\s+)?(?:at\s+)?(?P<progress>\d{1,3})\s*%(?:\s+(?:done|"
    r"complete))?[.!]?$",
    r"^(?:el\s+)?(?:progreso|avance)\s+de(?:l)?\s+(?P<project>.+?)\s+(?:es|est[aá]|va)\s+"
    r"(?:en\s+|al?\s+|del?\s+|el\s+)?(?P<progress>\d{1,3})\s*%[.!]?$",
    r"^(?:pon(?:er)?\s+)?(?P<project>.+?)\s+(?:est[aá]|va|al)\s+(?:al?\s+|en\s+)?"
    r"(?P<progress>\d{1,3})\s*%[.!]?$",
    rf"^(?:please\s+)?(?:mark|set)\s+(?P<project>.+?)\s+(?:as\s+)?{_STATUS_WORDS}[.!]?$",
    r"^(?:please\s+)?put\s+(?P<project>.+?)\s+(?P<status>on hold)[.!]?$",
    rf"^(?P<project>.+?)\s+is\s+(?:now\s+)?{_STATUS_WORDS}[.!]?$",
    rf"^(?:por favor\s+)?(?:marca|pon)\s+(?P<project>.+?)\s+(?:como\s+)?{_STATUS_WORDS}[.!]?$",
    rf"^(?P<project>.+?)\s+(?:est[aá]|queda)\s+(?:ya\s+)?{_STATUS_WORDS}[.!]?$",
    r"^(?:please\s+)?(?:set|change|update|raise|increase|lower|cut|move)\s+(?:the\s+)?"
    r"(?:budget\s+(?:of|for|on)\s+(?P<project>.+?)|(?P<project_first>.+?)(?:'s)?\s+budget)\s+"
    r"to\s+(?P<budget>.+?)[.!]?$",
    r"^(?:por favor\s+)?(?:cambia|sube|baja|pon|fija)\s+(?:el\s+)?presupuesto\s+de(?:l)?\s+"
    r"(?P<project>.+?)\s+(?:a|en)\s+(?P<budget>.+?)[.!]?$",
    r"^(?:el\s+)?presupuesto\s+de(?:l)?\s+(?P<project>.+?)\s+(?:es|ahora es|pasa a ser)\s+"
    r"(?:de\s+)?(?P<budget>.+?)[.!]?$",
    r"^(?:the\s+)?budget\s+(?:of|for|on)\s+(?P<project>.+?)\s+is\s+(?:now\s+)?"
    r"(?P<budget>[€$£]?\s?\d.*?)[.!]?$",
    r"^(?:please\s+)?(?:set|change|move|push|update|extend)\s+(?:the\s+)?(?:deadline|due "
    r"date|delivery date)\s+(?:of|for|on)\s+(?P<project>.+?)\s+to\s+(?P<due>.+?)[.!]?$",
    r"^(?:por favor\s+)?(?:cambia|mueve|pasa|aplaza|adelanta)\s+(?:la\s+)?(?:entrega|fecha "
    r"de entrega|fecha l[ií]mite)\s+de(?:l)?\s+(?P<project>.+?)\s+(?:al?|para)\s+"
    r"(?P<due>.+?)[.!]?$",
    r"^(?P<project>.+?)\s+is\s+(?:now\s+)?due\s+(?:on\s+|by\s+)?(?P<due>.+?)[.!]?$",
    r"^(?:la\s+)?(?:entrega|fecha de entrega|fecha l[ií]mite)\s+de(?:l)?\s+(?P<project>.+?)\s+"
    r"(?:es|ser[aá]|ahora es)\s+(?:el\s+)?(?P<due>.+?)[.!]?$",
)]


# "Which projects are on hold?", "¿qué proyectos están activos?", "proyectos en pausa".
_PROJECTS_BY_STATUS = re.compile(
    rf"^¿?(?:(?:which|what|list|show(?: me)?|qu[eé]|cu[aá]les|lista|mu[eé]strame)\s+)?"
    rf"(?:(?:the|all|los|las|todos los)\s+)?(?:projects|proyectos)\s+(?:(?:are|that are|"
    rf"est[aá]n|que est[aá]n|que siguen)\s+)?(?:(?:now|ya|ahora)\s+)?(?:en\s+(?=pausa|curso))?"
    rf"{_STATUS_WORDS}s?\s*[?.!]?$", re.IGNORECASE)  # "activos", "terminadas"


@_rule(_PROJECTS_BY_STATUS)
async def _projects_by_status(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    return Routed("project list", {"status": match["status"]})  # the command reads the word


@_rule(*_UPDATE_PROJECT)
async def _update_project(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    if match.string.rstrip().endswith("?"):
        return None  # "website is due on Friday?" asks; it changes nothing
    said = match.groupdict()
    name = without_article((said.get("project") or said.get("project_first") or "").strip())
    # The subject must be the project (or its client) by name: "the acme call is cancelled"
    # and "the website contact form is done" are about a call and a form, not the project.
    name = re.sub(r"^(?:project|proyecto)\s+|\s+(?:project|proyecto)$", "", name,
                  flags=re.IGNORECASE)
    project = await projects.named(name)
    if project is None:  # "the launch is done" is not about a project
        return None
    field = next(f for f in ("progress", "status", "budget", "due") if said.get(f))
    return Routed("project update", {"project": project, field: said[field]})


# "The contact form is done", "lo de los diseños está terminado": said of no project, of
# the open action item it describes (tried after the projects' rules).
_DONE_REMARK = [re.compile(pattern, re.IGNORECASE) for pattern in (
    r"^(?P<task>.+?)\s+is\s+(?:now\s+)?(?:done|finished|complete|completed)[.!]?$",
    r"^(?P<task>.+?)\s+(?:est[aá]|queda)\s+(?:ya\s+)?(?:hech[oa]|terminad[oa]|list[oa]|"
    r"completad[oa])[.!]?$")]
_rule(*_DONE_REMARK)(_done_by_words)


# A client's contact details changed in words: "acme's email is marta@acme.com", "the contact
# at acme is Marta Gómez", "el teléfono de globex es +52 55 1234 5678".
_CLIENT_FIELDS = {"email": "email", "correo": "email", "phone": "phone", "telefono": "phone",
                  "contact": "contact", "contacto": "contact", "billing email": "billing_email",
                  "correo de facturacion": "billing_email"}  # by the word, folded
_CLIENT_FIELD = (r"(?P<field>billing email|correo de facturaci[oó]n|e-?mail|correo|phone|"
                 r"tel[eé]fono|contact|contacto)(?:\s+(?:number|address|person|name))?")
_UPDATE_CLIENT = [re.compile(pattern, re.IGNORECASE) for pattern in (
    rf"^(?:please\s+)?(?:set|change|update)\s+(?:the\s+)?{_CLIENT_FIELD}\s+(?:of|for|at)\s+"
    r"(?P<client>.+?)\s+to\s+(?P<value>.+?)[.!]?$",
    rf"^(?:please\s+)?(?:set|change|update)\s+(?P<client>.+?)'s\s+{_CLIENT_FIELD}\s+to\s+"
    r"(?P<value>.+?)[.!]?$",
    rf"^(?P<client>.+?)'s\s+(?:new\s+)?{_CLIENT_FIELD}\s+is\s+(?:now\s+)?(?P<value>.+?)[.!]?$",
    rf"^(?:the\s+)?(?:new\s+)?{_CLIENT_FIELD}\s+(?:of|for|at)\s+(?P<client>.+?)\s+is\s+"
    r"(?:now\s+)?(?P<value>.+?)[.!]?$",
    rf"^(?:por favor\s+)?(?:cambia|pon|actualiza)\s+(?:el\s+)?{_CLIENT_FIELD}\s+de(?:l)?\s+"
    r"(?:cliente\s+)?(?P<client>.+?)\s+(?:a|por)\s+(?P<value>.+?)[.!]?$",
    rf"^(?:el\s+)?(?:nuevo\s+)?{_CLIENT_FIELD}\s+de(?:l)?\s+(?:cliente\s+)?(?P<client>.+?)\s+"
    r"(?:es|ahora es)\s+(?P<value>.+?)[.!]?$",
)]


# How a remark about someone starts, where a name would be: "on vacation", "not answering",
# "muy lento", "de vacaciones".
_NOT_A_NAME = re.compile(
    r"^(?:on|in|at|out|away|off|not|no|never|always|very|too|so|still|busy|sick|ill|late|slow|"
    r"back|leaving|gone|unavailable|unreachable|answering|responding|en|de|muy|no|nunca|"
    r"siempre|todav[ií]a|a[uú]n|fuera|ocupad[oa]|enferm[oa]|lent[oa]|tarde|de vacaciones)\b",
    re.IGNORECASE)


# A word that stands where a name would, and is none: "unknown", "nuevo".
_NOT_A_NAME_ALONE = re.compile(r"(?:unknown|new|none|nobody|tbd|tba|someone|desconocid[oa]|"
                               r"nuev[oa]|nadie|alguien|otr[oa])[.!]?", re.IGNORECASE)
# Said with a doubt or a correction: "Luis, right?", "maybe Marta", "Ana, not Marta".
_HEDGED = re.compile(r"\b(?:maybe|perhaps|probably|right|not|or|quiz[aá]s?|tal vez|no|o)\b|\?",
                     re.IGNORECASE)


@_rule(*_UPDATE_CLIENT)
async def _update_client(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    if match.string.rstrip().endswith("?"):
        return None  # "the contact at globex is Luis, right?" asks
    client = await projects.client(without_article(match["client"].strip()))
    if client is None:  # "the email of the launch is …" is about no client
        return None
    field = _CLIENT_FIELDS[fold(match["field"]).casefold().replace("-", "")]
    value = match["value"].strip("\"'“”")
    if field == "contact" and (_NOT_A_NAME.match(value) or _NOT_A_NAME_ALONE.fullmatch(value)
                               or _HEDGED.search(value)):
        return None  # "acme's contact is on vacation": a remark about them, not who they are
    return Routed("client update", {"client": client, field: value})


# "Archive client Globex", "archiva el cliente Globex", "unarchive Globex": a client by name.
_ARCHIVE_CLIENT = re.compile(
    r"^(?:please\s+|por favor\s+)?(?P<verb>un-?archive|restore|desarchiva|restaura|archive|"
    r"archiva)\s+(?:(?:the|a|al|el|la)\s+)?(?P<said>(?:client|cliente)\s+)?(?P<client>.+?)"
    r"[.!]?$", re.IGNORECASE)


@_rule(_ARCHIVE_CLIENT)
async def _archive_client(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    # Without the word "client", its whole name is needed: "archive the acme notes" is not
    # about archiving Acme.
    client = await projects.client(without_article(match["client"].strip()),
                                   exact=not match["said"])
    if client is None:
        return None
    args: dict[str, Any] = {"client": client}
    if not match["verb"].casefold().startswith("archiv"):
        args["undo"] = True
    return Routed("client archive", args)


# "… with a budget of 10k": more than a name; the command's help shows how to say it all.
_MORE_THAN_A_NAME = re.compile(r"\s(?:with|con|and|y)\s|@|:", re.IGNORECASE)
# "Create a project called Intranet for Initech", "nuevo proyecto Landing para Umbrella". A
# verb or "new" is needed: "project website" is a mistyped command, not a name.
_CREATE_PROJECT = [re.compile(pattern, re.IGNORECASE) for pattern in (
    # "Create a new project for Acme called Black Friday", "add project Newsletter to Acme".
    r"^(?:please\s+)?(?:(?:create|add|make|start|set up|open)\s+(?:a\s+)?(?:new\s+)?|new\s+)"
    r"project\s+for\s+(?P<client>.+?)\s+(?:called|named)\s+(?P<name>.+?)[.!]?$",
    r"^(?:please\s+)?add\s+(?:a\s+)?(?:new\s+)?project\s+(?:called\s+|named\s+)?(?P<name>.+?)"
    r"\s+to\s+(?P<client>.+?)[.!]?$",
    r"^(?:por favor\s+)?(?:(?:crea|añade|abre|agrega)\s+(?:un\s+)?(?:nuevo\s+)?|nuevo\s+)"
    r"proyecto\s+(?:nuevo\s+)?para\s+(?P<client>.+?)\s+llamado\s+(?P<name>.+?)[.!]?$",
    r"^(?:please\s+)?(?:(?:create|add|make|start|set up|open)\s+(?:a\s+)?(?:new\s+)?|new\s+)"
    r"project\s+(?:called\s+|named\s+)?(?P<name>.+?)(?:\s+(?:for|with client)\s+"
    r"(?P<client>.+?))?[.!]?$",
    r"^(?:por favor\s+)?(?:(?:crea|añade|abre|agrega)\s+(?:un\s+)?(?:nuevo\s+)?|nuevo\s+)"
    r"proyecto\s+(?:nuevo\s+)?(?:llamado\s+)?(?P<name>.+?)(?:\s+(?:para|del cliente)\s+"
    r"(?P<client>.+?))?[.!]?$")]


# "… with a budget of 8000 euros and a rate of 90 an hour", "… con un presupuesto de 8.000 €".
# "20k", "20 mil", "1,5 millones": the word for thousands belongs to the amount.
_AMOUNT = (r"(?P<amount>[€$£]?\s?\d[\d.,]*(?:\s?[kKmM]\b|\s(?:mil|millones|mill[oó]n|thousand|"
           r"million)\b)?)(?:\s?(?P<currency>€|\$|£|(?-i:[A-Z]{3})\b|euros?|dollars?|d[oó]lares|"
           r"pounds?|libras?))?")
# "… with a budget of", "…, presupuesto": after "with"/"con", or a comma alone.
_AMOUNT_LEAD = r"(?:,?\s+(?:with|con|and|y)|,)\s+"
_PROJECT_AMOUNTS = {
    "budget": re.compile(rf"{_AMOUNT_LEAD}(?:a\s+|an\s+|un\s+)?(?:budget|"
                         rf"presupuesto)\s+(?:of\s+|de\s+)?{_AMOUNT}", re.IGNORECASE),
    "rate": re.compile(rf"{_AMOUNT_LEAD}(?:a\s+|an\s+|una\s+)?(?:(?:hourly\s+)?"
                       rf"rate|tarifa(?:\s+por\s+hora)?)\s+(?:of\s+|de\s+)?{_AMOUNT}"
                       rf"(?:\s*(?:/\s?h|per hour|an hour|la hora|por hora))?", re.IGNORECASE),
}
_CURRENCY_WORDS = {"euro": "EUR", "dollar": "USD", "dolar": "USD", "pound": "GBP",
                   "libra": "GBP"}


def _amounts_said(text: str) -> tuple[str, dict[str, str]]:
    """``text`` without the budget and rate it states, and those amounts as the command
    takes them ("8000 EUR")."""
    said = {}
    for field, pattern in _PROJECT_AMOUNTS.items():
        if found := pattern.search(text):
            currency = (found["currency"] or "").casefold().rstrip("s").replace("ó", "o")
            currency = _CURRENCY_WORDS.get(currency, found["currency"] or "")
            said[field] = f"{found['amount'].strip()} {currency}".strip()
            # The amount may have taken the space after it: "… 8000 and a rate …".
            text = " ".join(f"{text[:found.start()]} {text[found.end():]}".split())
    return text, said


@_rule(*_CREATE_PROJECT)
async def _create_project(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    text, amounts = _amounts_said(match.string)
    if amounts and not (match := match.re.match(text)):  # type: ignore[assignment]
        return Routed("help", {"topic": "project create"})
    if _MORE_THAN_A_NAME.search(match["name"]) or (
            match["client"] and _MORE_THAN_A_NAME.search(match["client"])):
        return Routed("help", {"topic": "project create"})
    args = {"name": match["name"].strip("\"'“”"), **amounts}
    if match["client"]:  # as typed when unknown, for the command to suggest
        # "para el cliente Zara", "for the client Acme": the client is Zara.
        client = re.sub(r"^(?:(?:el|the)\s+)?(?:cliente|client)\s+", "", match["client"],
                        flags=re.IGNORECASE)
        args["client"] = await projects.client(client) or client
    return Routed("project create", args)


# "Add a new client called Umbrella", "nuevo cliente Umbrella".
_CREATE_CLIENT = re.compile(
    r"^(?:please\s+|por favor\s+)?(?:(?:create|add|make|crea|añade|agrega)\s+"
    r"(?:a\s+|un\s+|el\s+|the\s+)?"
    r"(?:new\s+|nuevo\s+)?|new\s+|nuevo\s+)(?:client|cliente)\s+(?:nuevo\s+)?(?:called\s+|"
    r"named\s+|llamado\s+)?(?P<name>.+?)[.!]?$", re.IGNORECASE)


@_rule(_CREATE_CLIENT)
async def _create_client(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    if _MORE_THAN_A_NAME.search(match["name"]):
        return Routed("help", {"topic": "client create"})
    return Routed("client create", {"name": match["name"].strip("\"'“”")})


# "Which projects are over budget?", "¿qué proyectos están en riesgo?": every project's risks.
_AT_RISK = re.compile(
    r"^¿?(?:which|what|any|are any(?: of (?:the|our))?|qu[eé]|cu[aá]les|hay)\s+(?:projects?|"
    r"proyectos?)\s+(?:are|is|est[aá]n?|van|va)?\s*(?:over (?:budget|the estimate)|at risk|"
    r"in trouble|late|behind(?: schedule)?|overdue|en riesgo|atrasados?|retrasados?|"
    r"pasados? de presupuesto|fuera de presupuesto)\s*[.!?]?$", re.IGNORECASE)


@_rule(_AT_RISK)
async def _at_risk(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    return Routed("insights", {"every": True})


# "list clients", "show me all projects", "¿cuáles son nuestros clientes?", "lista de
# clientes": the list.
_LISTS = {"projects": "project list", "proyectos": "project list", "clients": "client list",
          "clientes": "client list", "meetings": "meeting list", "reuniones": "meeting list"}
_LIST = re.compile(
    rf"^¿?(?:(?:list|show(?: me)?|see|view|what are|which are|lista|ver|mu[eé]stra(?:me)?|"
    rf"cu[aá]les son)\s+)?(?:(?:all|the|our|of|todos|todas|los|las|nuestros|nuestras|de)\s+)*"
    rf"(?:{_STATUS_WORDS}\s+(?=projects))?(?P<what>{'|'.join(_LISTS)})"
    # "clients in retail", "clientes de hostelería", "projects on hold": the list's filter
    r"(?:\s+(?P<filter>(?:in|en|for|de|del|on|that are|que est[aá]n)\s+.+?))?\s*[.!?]?$",
    re.IGNORECASE)


@_rule(_LIST)
async def _list(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    command = _LISTS[match["what"].casefold()]
    if match["status"]:  # "completed projects"
        return Routed(command, {"status": match["status"]})
    if match["filter"] and command != "meeting list":  # meetings are filtered by project
        return Routed(command, {"text": match["filter"]})
    return Routed(command, {}) if not match["filter"] else None


# "Show me the website project", "show client acme", "muéstrame el proyecto website";
# "show me acme", "muéstrame globex": a client's or project's name alone; "show me
# tuesday's launch call": that meeting.
_SHOW = re.compile(
    r"^(?:please\s+)?(?:show(?: me)?|open|view|ver|mu[eé]stra(?:me)?|ens[eé][ñn]ame|abre)\s+"
    r"(?:the\s+|el\s+|la\s+)?(?:(?P<kind>project|client|proyecto|cliente)\s+(?P<name>.+?)|"
    r"(?P<name_first>.+?)\s+(?P<kind_last>project|client)|(?P<bare>.+?))\s*[.!?]?$",
    re.IGNORECASE)


@_rule(_SHOW)
async def _show(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    """``project show``/``client show`` for the name matched, when it names one ("show me
    the project budget" names none: it is a question)."""
    if bare := match["bare"]:
        if re.search(_MEETING_NOUN, bare, re.IGNORECASE):  # "show me monday's meeting"
            return Routed("meeting show", {"meeting": bare})
        if client := await projects.client(bare):
            return Routed("client show", {"client": client})
        project = await projects.named(bare)
        return Routed("project show", {"project": project}) if project else None
    name = match["name"] or match["name_first"]
    if (match["kind"] or match["kind_last"]).casefold().startswith("client"):
        client = await projects.client(name)
        return Routed("client show", {"client": client}) if client else None
    project = await projects.mentioned(name)
    return Routed("project show", {"project": project}) if project else None


# "What projects does Acme have?", "Acme's projects", "¿qué proyectos tiene Globex?",
# "proyectos de globex": that client's projects.
_CLIENT_PROJECTS = [re.compile(pattern, re.IGNORECASE) for pattern in (
    r"^(?:what|which)\s+projects\s+(?:does|do|did)\s+(?P<client>.+?)\s+have\s*[?.!]?$",
    r"^(?:(?:list|show(?: me)?)\s+)?(?P<client>[^\W\d_][\w.-]*)'s\s+projects\s*[?.!]?$",
    r"^¿?(?:qu[eé]|cu[aá]les)\s+proyectos\s+tiene\s+(?P<client>.+?)\s*[?.!]?$",
    r"^(?:(?:lista|mu[eé]stra(?:me)?)\s+)?(?:los\s+)?proyectos\s+de\s+(?P<client>.+?)\s*[?.!]?$")]


@_rule(*_CLIENT_PROJECTS)
async def _client_projects(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    client = await projects.client(match["client"])
    return Routed("project list", {"client": client}) if client else None


# "Marco's tasks", "tasks for Marco", "what is Marco working on?", "¿qué tareas tiene
# Sofía?", "tareas de website": someone's action items (or a project's, when it names one).
_THEIR_TASKS = [re.compile(pattern, re.IGNORECASE) for pattern in (
    rf"^(?:(?:what are|list|show(?: me)?)\s+)?(?P<who>[^\W\d_][\w.-]*)'s\s+(?:open\s+)?"
    rf"{_TASKS}\s*[.!?]?$",
    rf"^¿?(?:(?:what are|list|show(?: me)?|cu[aá]les son|lista|mu[eé]stra(?:me)?)\s+)?"
    rf"(?:the\s+|las\s+)?(?:open\s+)?{_TASKS}\s+(?:for|of|assigned to|owned by|de|para)\s+"
    rf"(?P<who>.+?)\s*[.!?]?$",
    r"^what(?:'s| is| does)\s+(?P<who>[^\W\d_][\w.-]*)\s+(?:working on|have to do)\s*[.!?]?$",
    rf"^¿?(?:qu[eé]|cu[aá]les|cu[aá]ntas)\s+{_TASKS}\s+tiene\s+(?P<who>.+?)\s*[.!?]?$",
    r"^¿?en qu[eé] (?:est[aá] trabajando|trabaja)\s+(?P<who>.+?)\s*[.!?]?$")]
# What someone took on: "what did Luis promise?", "¿a qué se comprometió Luis?" (`ask`
# answers these with their tasks too).
PROMISED = [re.compile(pattern, re.IGNORECASE) for pattern in (
    r"^what\s+(?:did|has)\s+(?P<who>[^\W\d_][\w.-]*)\s+(?:promised?|committed?\s+to|"
    r"agreed?\s+to(?:\s+do)?|signed\s+up\s+for|taken\s+on|took\s+on|take\s+on)\s*[.!?]?$",
    r"^what\s+does\s+(?P<who>[^\W\d_][\w.-]*)\s+owe(?:\s+us)?\s*[.!?]?$",
    r"^¿?(?:qu[eé]|a qu[eé])\s+(?:prometi[oó]|se comprometi[oó](?:\s+a\s+hacer)?|"
    r"qued[oó] en hacer)\s+(?P<who>[^\W\d_][\w.-]*)\s*[.!?]?$")]


@_rule(*_THEIR_TASKS, *PROMISED)
async def _their_tasks(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    who = match["who"].lstrip("@")
    if who.casefold() in {"me", "mí", "mi"}:
        return Routed("actions", {"mine": True})
    if re.search(_MEETING_NOUN, who, re.IGNORECASE):  # "tareas de la reunión de ayer"
        return Routed("actions", {"meeting": who})
    project = await projects.mentioned(who)
    return Routed("actions", {"project": project} if project else {"owner": who})


# "List transcripts", "show me the transcripts", "las transcripciones": their list.
_TRANSCRIPTS = re.compile(r"^¿?(?:(?:list|show(?: me)?|lista(?: de)?|mu[eé]stra(?:me)?)\s+)?"
                          r"(?:the\s+|all\s+|las\s+)?(?:transcripts|transcripciones)"
                          r"\s*[.!?]?$", re.IGNORECASE)


@_rule(_TRANSCRIPTS)
async def _transcripts(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    return Routed("transcript list", {})


# "What are the open tasks?", "¿qué tareas hay pendientes?", "pending action items on
# website": the open ones (the channel's project's, unless one is named).
_OPEN_TASKS = re.compile(
    rf"^¿?(?:(?:what|which|any|qu[eé]|cu[aá]les|list|show(?: me)?(?: all)?|lista|"
    rf"mu[eé]stra(?:me)?)\s+)?(?:are\s+|son\s+)?(?:the\s+|our\s+|las\s+|all\s+)?"
    rf"(?:open\s+|pending\s+)?{_TASKS}(?:\s+(?:are\s+(?:still\s+)?(?:open|pending)|hay|"
    r"quedan|tenemos|do we have|are there|est[aá]n|(?:pendientes|abiertas)))*"
    r"(?:\s+(?:on|for|in|en|de|del)\s+(?P<project>.+?))?\s*[.!?]?$", re.IGNORECASE)

# "Who owes what?", "who is doing what on website?", "¿quién hace qué?": the same list.
_WHO_OWES = re.compile(
    r"^¿?(?:who\s+(?:owes|is doing|does|has)\s+what|qui[eé]n\s+(?:hace|debe|tiene)\s+qu[eé])"
    r"(?:\s+(?:on|for|in|en|de|del)\s+(?P<project>.+?))?\s*[.!?]?$", re.IGNORECASE)


@_rule(_OPEN_TASKS, _WHO_OWES)
async def _open_tasks(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    if not match["project"]:
        return Routed("actions", {})
    project = await projects.mentioned(match["project"])
    return Routed("actions", {"project": project}) if project else None


# The days a question about meetings names, each group named as the `meeting list` period.
_PERIOD = (r"(?:(?P<today>today|hoy)|(?P<tomorrow>tomorrow|mañana)|(?P<yesterday>yesterday|"
           r"ayer)|(?P<week>this week|esta semana)|(?P<next_week>next week|la semana (?:que "
           r"viene|pr[oó]xima)|la pr[oó]xima(?: semana)?)|(?P<last_week>last week|la semana "
           r"pasada))")
_PERIOD_NAMES = frozenset(re.compile(_PERIOD).groupindex)
# "When is the next meeting?", "¿cuándo es la próxima reunión con Acme?": the upcoming ones.
# Only when that is the whole question: "what do we prepare for the next call?" is not.
_NEXT_MEETINGS = re.compile(
    r"^¿?(?:(?:when(?:'s| is| are)|what(?:'s| is| are)|list|show(?: me)?|cu[aá]ndo (?:es|son)|"
    r"cu[aá]l es|cu[aá]les son|lista|mu[eé]stra(?:me)?)\s+)?(?:the|our|my|la|las|nuestras?|"
    r"mis?)?\s*(?:next|upcoming|pr[oó]xim[ao]s?) (?:meetings?|calls?|reuni[oó]n|reuniones|"
    r"llamadas?)(?:\s+(?:for|on|with|of|in|de|con|en|del)\s+.+?)?\s*[.!?]?$", re.IGNORECASE)
# "What meetings do we have this week?", "¿qué reuniones tuvimos ayer?": those of that period.
_WHICH_MEETINGS = re.compile(
    r"^¿?(?:what|which|any|qu[eé]|hay)\s+(?:meetings?|calls?|reuniones|llamadas)\s*(?:do we have|"
    r"did we have|are there|were there|have we got|have we had|hay|hubo|tenemos|tuvimos)?\s*"
    rf"{_PERIOD}?(?:\s+(?:for|on|with|of|in|de|con|en|del)\s+.+?)?\s*[.!?]?$", re.IGNORECASE)

# "Show me tomorrow's meetings", "las reuniones de mañana": those of that period too.
_SHOW_MEETINGS = r"(?:(?:show(?: me)?|list|see|mu[eé]stra(?:me)?|lista|ver)\s+)?"
_PERIODS_MEETINGS = [
    re.compile(rf"^{_SHOW_MEETINGS}(?:the\s+)?{_PERIOD}(?:'s)?\s+(?:meetings|calls)"
               rf"(?:\s+(?:for|on|with|of|in)\s+.+?)?\s*[.!?]?$", re.IGNORECASE),
    re.compile(rf"^{_SHOW_MEETINGS}(?:the\s+|las\s+)?(?:meetings|calls|reuniones|llamadas)"
               rf"\s+(?:de\s+|del\s+|for\s+)?{_PERIOD}(?:\s+(?:for|on|with|of|in|de|con|en|"
               rf"del)\s+.+?)?\s*[.!?]?$", re.IGNORECASE)]


_MY = re.compile(r"\b(?:my|mis?)\b", re.IGNORECASE)


@_rule(_NEXT_MEETINGS, _WHICH_MEETINGS, *_PERIODS_MEETINGS)
async def _next_meetings(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    args = {"project": project} if (project := await projects.mentioned(match.string)) else {}
    if said := [name for name, words in match.groupdict().items()
                if words and name in _PERIOD_NAMES]:
        args["period"] = said[0]
    if _MY.search(match.string):  # "what's my next meeting?": the sender's
        args["mine"] = True
    return Routed("meeting list", args)


# "When is the pricing call?", "¿a qué hora es la reunión de pricing?": that meeting.
_WHEN_IS = re.compile(rf"^¿?(?:when(?:'s| is)|(?:at )?what time is|cu[aá]ndo es|a qu[eé] hora "
                      rf"es)\s+{_A_MEETING}\s*[?.!]?$", re.IGNORECASE)
_meeting_rule("meeting show", _WHEN_IS)


# "How do I log hours?", "how can I invite someone?", "¿cómo agendo una reunión?", "¿cómo
# puedo añadir un cliente?": the help of the command that does it. Only when the question
# starts with what to do, so "how do we stand on the budget?" stays a question.
_HOW_TO = re.compile(
    r"^¿?(?:how\s+(?:do|can|could|should)\s+(?:i|we)|how\s+to|c[oó]mo\s+(?:puedo|podemos|se|"
    r"hago para|hacemos para)|c[oó]mo(?=\s+\w+o\b))\s+(?P<what>.+?)\s*[?.!]?$", re.IGNORECASE)
# What to do, as the first word says it (folded prefixes), and the command that does it.
_HOW_TO_VERBS = (
    (("log", "track", "registr", "imput"), "project log"),
    (("schedul", "book", "agend", "program"), "meeting schedule"),
    (("invit",), "meeting invite"), (("join", "uno", "unirme", "entro"), "meeting join"),
    (("cancel",), "meeting cancel"), (("reschedul", "move", "muevo", "mover"), "meeting update"),
    (("upload", "subo", "subir"), "transcript add"), (("ask", "pregunt"), "ask"),
    (("search", "find", "busc"), "search"), (("bind", "vincul"), "project bind"),
)
# "Add", "create", "crear", "añado" (folded: "anado"): what is added says which command.
_HOW_TO_MAKE = ("add", "creat", "make", "set", "start", "cre", "anad", "agreg", "hago")
_HOW_TO_THINGS = (
    (("client", "cliente"), "client create"), (("project", "proyecto"), "project create"),
    (("meeting", "call", "reunion", "llamada"), "meeting schedule"),
    (("hour", "hora", "time"), "project log"),
    (("transcript", "recording", "grabacion", "transcripcion"), "transcript add"),
)


# "How do I change the language?", "¿cómo marco una tarea como hecha?": what is changed or
# closed says which command.
_HOW_TO_CHANGE = ("chang", "cambi", "switch", "modific", "pongo", "put")
_HOW_TO_CHANGED = (
    (("language", "idioma", "timezone", "time", "zona", "currency", "moneda", "reminder",
      "recordatorio", "jitsi"), "settings"),
    (("role", "rol", "permis"), "role"),
    (("budget", "presupuesto", "status", "estado", "progress", "progreso", "rate", "tarifa",
      "deadline", "entrega"), "project update"),
)
_HOW_TO_CLOSE = ("mark", "marc", "complet", "close", "cierr", "cerr", "finish", "termin")


@_rule(_HOW_TO)
async def _how_to(match: re.Match[str], projects: ProjectLookup) -> Routed | None:
    first, *rest = fold(match["what"]).casefold().split()
    if first.startswith(_HOW_TO_CHANGE):
        for starts, command in _HOW_TO_CHANGED:
            if any(word.startswith(starts) for word in rest):
                return Routed("help", {"topic": command})
    if first.startswith(_HOW_TO_CLOSE) and any(
            word.startswith(("task", "tarea", "action")) for word in rest):
        return Routed("help", {"topic": "actions done"})
    for starts, command in _HOW_TO_VERBS:
        if first.startswith(starts):
            return Routed("help", {"topic": command})
    if first.startswith(_HOW_TO_MAKE):
        for starts, command in _HOW_TO_THINGS:
            if any(word.startswith(starts) for word in rest):
                return Routed("help", {"topic": command})
    return None
