"""Text commands: ``/project create "Website redesign" client:acme budget:12000 due:2027-03-01``.

The parser never raises anything but :class:`~bot.core.UserError`: any text gets either a
command with its arguments or a message saying what was wrong and how to write it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from bot.core import UnknownCommand, UserError
from bot.i18n import SUPPORTED_LOCALES, Translator, translator
from bot.registry import GREEDY_KINDS, Command, Kind, Money, Param, Registry
from bot.transcripts.summarize import fold

E = TypeVar("E", bound=Enum)

# Straight quotes, and the curly ones chat clients substitute as people type.
_QUOTES = {'"': '"', "'": "'", "\u201c": "\u201d", "\u201d": "\u201d", "\u2018": "\u2019",
           "\u00ab": "\u00bb"}
# Inside a word these are apostrophes ("what's", "Marta's"), not the start of a quote.
_APOSTROPHES = {"'", "\u2018"}
_OPTION = re.compile(r"^([A-Za-z_][\w-]*)[:=](.*)$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Token:
    value: str
    quoted: bool = False
    # Holds a quoted part after ``key:``, empty or not: ``email:""`` clears the email rather
    # than taking the next word, as ``client: "Acme Corp"`` does.
    valued: bool = False


def tokenize(text: str) -> list[Token]:
    r"""Split on spaces, keeping quoted parts (straight or curly quotes) together.

    ``key:"two words"`` is one token. An unclosed quote runs to the end of the line. A single
    quote inside a word is an apostrophe: ``what's`` stays one word. Inside quotes, a
    backslash keeps the quote after it: ``title:"the \"big\" review"``.

    Example:
        >>> [t.value for t in tokenize('meeting update #3 title:"the \\"big\\" review"')]
        ['meeting', 'update', '#3', 'title:the "big" review']
    """
    tokens: list[Token] = []
    current: list[str] = []
    quoted = valued = False
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            if current or quoted or valued:
                tokens.append(Token("".join(current), quoted, valued))
                current, quoted, valued = [], False, False
            i += 1
        elif char in _QUOTES and not (char in _APOSTROPHES and current
                                      and current[-1][-1:] not in (":", "=")):
            closing = _QUOTES[char]
            valued = valued or bool(current)
            quoted = quoted or not current  # ``"a b"`` is quoted; ``key:"a b"`` is an option
            i += 1
            while i < n and text[i] != closing:
                if text[i] == "\\" and i + 1 < n and text[i + 1] in (closing, "\\"):
                    i += 1  # an escaped quote (or backslash) is part of the value
                current.append(text[i])
                i += 1
            i += 1
        else:
            current.append(char)
            i += 1
    if current or quoted or valued:
        tokens.append(Token("".join(current), quoted, valued))
    return tokens


@dataclass(frozen=True, slots=True)
class Parsed:
    """A command found in a line of text, with the raw values of its arguments."""

    command: Command
    values: dict[str, Any]


def find_command(registry: Registry, tokens: list[Token], _: Translator) -> tuple[Command, int]:
    """Find the command the first tokens name; returns it and how many tokens it used."""
    words = [t.value.lstrip("/").casefold() for t in tokens[:2]]
    if not words or not words[0]:  # nothing typed (a file sent alone is free text)
        raise UnknownCommand(_("Type a command, for example `help`."))
    if len(words) > 1 and (command := registry.get(f"{words[0]} {words[1]}")):
        return command, 2
    if command := registry.get(words[0]):
        return command, 1
    if words[0] in registry.groups:
        subcommands = ", ".join(f"`{c.path[-1]}`" for c in registry.in_group(words[0]))
        if len(words) > 1:
            message = _("`{group}` has no subcommand `{word}`.", group=words[0], word=words[1])
            names = [c.path[-1] for c in registry.in_group(words[0])]
            names += [alias.split()[-1] for alias in registry.aliases
                      if alias.startswith(f"{words[0]} ")]
            suggestions = _closest(words[1], names)
            raise UserError(
                f"{message} {_('It has: {names}.', names=subcommands)}", suggestions=suggestions)
        raise UserError(_("`{group}` needs a subcommand: {names}. Try `help {group}`.",
                          group=words[0], names=subcommands))
    known = sorted({c.path[0] for c in registry} | set(registry.groups))
    slips = [name for name in known if _is_typo(words[0].casefold(), name)]
    raise UnknownCommand(_("Unknown command `{word}`. Type `help` for the list.",
                           word=words[0]), suggestions=slips or _closest(words[0], known),
                         mistyped=bool(slips))


def parse(registry: Registry, text: str, _: Translator) -> Parsed:
    """Parse a whole line into a command and the raw (string) values of its arguments."""
    tokens = tokenize(text.strip())
    command, used = find_command(registry, tokens, _)
    return Parsed(command, bind(command, tokens[used:], _, registry))


def bind(command: Command, tokens: list[Token], _: Translator,
         registry: Registry | None = None) -> dict[str, Any]:
    """Assign tokens to the command's parameters: ``name:value``, ``--flag``, then by position.

    ``name:value`` that names no option of this command stays text ("Phase 2: launch"),
    unless it is a slip of one of its options or an option of another command of its group
    in ``registry`` (``project create Web progress:10``), or any command's option after a
    name (``project create Web3 title:x``): then it is an error, not a name.
    """
    values: dict[str, Any] = {}
    loose: list[str] = []
    names = [p.name for p in command.params]
    # A name, or a project, client or member named by position: `website foo:bar` is
    # no project's name.
    takes_a_name = command.param("name") is not None or any(
        p.positional and p.kind in {Kind.PROJECT, Kind.CLIENT, Kind.MEMBER}
        for p in command.params)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if not token.quoted and token.value.startswith("--") and len(token.value) > 2:
            name, _sep, raw = token.value[2:].partition("=")
            param = command.param(name.replace("-", "_"))
            if param is None:  # the flags it has are suggested, not its other options
                flags = [p.name for p in command.params if p.kind is Kind.BOOL]
                raise UserError(_("Unknown option `{option}`.", option=token.value),
                                suggestions=[f"--{n}" for n in _closest(name, flags)])
            values[param.name] = raw if raw else True
            continue
        match = None if token.quoted else _OPTION.match(token.value)
        if match:
            key = match.group(1).replace("-", "_").casefold()
            param = command.param(key)
            if param is not None:
                if param.name in values:  # "company:A company:B": which one is meant?
                    raise UserError(_("`{option}` is given twice; say it once.",
                                      option=f"{key}:"))
                raw = match.group(2)
                if raw == "" and not token.valued and i < len(tokens):  # ``client: "Acme"``
                    raw = tokens[i].value
                    i += 1
                values[param.name] = raw
                continue
            if close := [n for n in names if _is_typo(key, n)
                         or _SPANISH_OPTIONS.get(fold(key)) == n]:
                raise UserError(_("Unknown option `{option}`.", option=f"{key}:"),
                                suggestions=[f"{n}:" for n in close])
            if match.group(2) and registry and (others := [
                    c for c in registry.in_group(command.group) if c.param(key) is not None]):
                raise UserError(_("`/{command}` has no `{option}` option; `/{other}` has.",
                                  command=command.name, option=f"{key}:", other=others[0].name))
            # A name is never written ``title:x``, nor a search another command's option
            # (``search launch page:2``); a question may well quote one ("what does
            # status:active mean?").
            if match.group(2) and not match.group(2).startswith("//") and (takes_a_name or (
                    registry and command.param("query")
                    and any(c.param(key) for c in registry))):
                raise UserError(_("`/{command}` has no `{option}` option.",
                                  command=command.name, option=f"{key}:"))
        loose.append(token.value)

    positional = [p for p in command.params if p.positional and p.name not in values]
    for index, param in enumerate(positional):
        if not loose:
            break
        last = index == len(positional) - 1
        if last and param.kind in GREEDY_KINDS:
            values[param.name], loose = " ".join(loose), []
        else:
            values[param.name] = loose.pop(0)
            # "2 hours", "1h 30m": a number of hours and its unit or minutes are one value.
            if param.kind is Kind.HOURS and loose and _HOURS_TAIL.fullmatch(loose[0]):
                values[param.name] += " " + loose.pop(0)
    if loose:
        raise UserError(_("Too many values: I did not understand `{text}`.", text=" ".join(loose)),
                        suggestions=_as_option(command, loose))
    if missing := [p for p in command.params if p.required and p.name not in values]:
        raise missing_error(missing, _)
    return values


# Option names stay English on every front door; said in Spanish, they are pointed to.
_SPANISH_OPTIONS = {
    "presupuesto": "budget", "estado": "status", "telefono": "phone", "correo": "email",
    "cliente": "client", "tarifa": "rate", "estimacion": "estimate", "entrega": "due",
    "fecha": "due", "vencimiento": "due", "inicio": "start", "titulo": "title", "nota": "note",
    "notas": "notes", "idioma": "language", "zona": "timezone", "moneda": "currency",
    "descripcion": "description", "progreso": "progress", "prioridad": "priority",
    "duracion": "duration", "participantes": "participants", "proyecto": "project",
    "nombre": "name", "contacto": "contact", "etiquetas": "tags", "empresa": "company",
    "reunion": "meeting", "dia": "on", "pagina": "page", "responsable": "owner",
}
_HOURS_TAIL = re.compile(r"(?:\d+\s*)?(?:h|hs|hrs?|hours?|horas?|m|mins?|minutes?|minutos?)",
                         re.IGNORECASE)


def _as_option(command: Command, loose: list[str]) -> list[str]:
    """``settings language es`` meant ``language:es``: an option's name (or a slip of it)
    followed by a value, written without the colon."""
    if len(loose) < 2:
        return []
    word = loose[0].casefold().replace("-", "_")
    named = [p.name for p in command.params if not p.positional and p.kind is not Kind.BOOL
             and (p.name == word or _is_typo(word, p.name))]
    value = " ".join(loose[1:])
    return [f'{name}:"{value}"' if " " in value else f"{name}:{value}" for name in named[:1]]


def missing_error(missing: list[Param], _: Translator) -> UserError:
    """What is missing and, for one argument, what to give ("Missing <when>: When, then…")."""
    if len(missing) == 1:
        return UserError(_("Missing <{name}>: {help}", name=missing[0].name,
                           help=_(missing[0].help)))
    return UserError(_("Missing {names}.", names=", ".join(f"<{p.name}>" for p in missing)))


# -- conversion ---------------------------------------------------------------------------


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class ConvertContext:
    translator: Translator
    timezone: str
    clock: Callable[[], datetime] = _utc_now

    def now(self) -> datetime:
        """The time where the sender is, by the services' clock (tests set it)."""
        return self.clock().astimezone(ZoneInfo(self.timezone))

    def today(self) -> date:
        return self.now().date()


def convert_all(command: Command, values: dict[str, Any], cx: ConvertContext) -> dict[str, Any]:
    """Turn raw values (text, or JSON values from Discord and AI) into typed arguments."""
    unknown = set(values) - {p.name for p in command.params}
    if unknown:
        raise UserError(cx.translator("Unknown option `{option}`.", option=sorted(unknown)[0]))
    converted: dict[str, Any] = {}
    for param in command.params:
        if param.name in values and values[param.name] is not None:
            converted[param.name] = convert(param, values[param.name], cx)
        elif param.required:
            raise missing_error([param], cx.translator)
    return converted


_NEVER_EMPTY = frozenset({"name", "title"})
MAX_NAME = 200  # the longest name or title stored
MAX_NOTE = 2000  # what some logged hours went on
# Text options matched against names: a filter, an owner, a segment.
_NAME_LIKE = frozenset({"text", "owner", "segment", "name", "title", "contact", "company"})


# Unicode's format characters (category Cf), except the joiners that emoji and some scripts
# need inside a word.
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064"
                        "\u2066-\u206f\ufeff\ufff9-\ufffb]")


def convert(param: Param, raw: Any, cx: ConvertContext) -> Any:
    """Convert one value, or raise a :class:`UserError` that says what is accepted."""
    _ = cx.translator
    text = raw.strip() if isinstance(raw, str) else raw
    match param.kind:
        case Kind.TEXT | Kind.PROJECT | Kind.CLIENT | Kind.MEMBER | Kind.MEETING:
            # No database stores NUL in text; invisible format characters (a zero-width space,
            # a right-to-left override) would make two names look alike, or a name look empty.
            value: Any = _INVISIBLE.sub("", str(text).replace("\x00", "")).strip()
            # An optional text may be given empty (``notes:""``) to clear it; a name or a
            # title never: a record without one could not be named again.
            if not value and (param.required or param.kind is not Kind.TEXT
                              or param.name in _NEVER_EMPTY):
                raise UserError(_("`{name}` cannot be empty.", name=param.name))
            # A name, or words matched against names, longer than any name can be: refused
            # here rather than echoed back whole or turned into a huge LIKE pattern.
            if len(value) > MAX_NAME and (param.kind is not Kind.TEXT
                                          or param.name in _NAME_LIKE):
                raise UserError(_("`{name}` is too long: at most {limit} characters.",
                                  name=param.name, limit=MAX_NAME))
            if len(value) > MAX_NOTE and param.name == "note":  # an hour's note, no document
                raise UserError(_("`{name}` is too long: at most {limit} characters.",
                                  name=param.name, limit=MAX_NOTE))
        case Kind.INTEGER:
            value = _integer(text)
            if value is None:
                raise UserError(_("`{name}` must be a whole number, like 40; got `{value}`.",
                                  name=param.name, value=raw))
        case Kind.NUMBER:
            value = _decimal(text, cx.translator.locale)
            if value is None:
                raise UserError(_("`{name}` must be a number, like 12.5; got `{value}`.",
                                  name=param.name, value=raw))
        case Kind.HOURS:
            value = parse_hours(text, cx.translator.locale)
            if value is None:
                raise UserError(_("`{name}` must be a number of hours, like 2.5, 1h30 or 90m; "
                                  "got `{value}`.", name=param.name, value=raw))
            if value <= 0:  # "0.001h" is kept to the hundredth: 0, and at least 0.01 is needed
                raise UserError(_("`{name}` must be at least 0.01 hours; got `{value}`.",
                                  name=param.name, value=raw))
        case Kind.MONEY:
            value = parse_money(text, cx.translator.locale)
            if value is None or value.amount < 0:
                raise UserError(_("`{name}` must be an amount, like 12000, 12k or "
                                  "\"12000 EUR\"; got `{value}`.", name=param.name, value=raw))
        case Kind.DATE:
            value = parse_date(text, cx)
            if value is None:
                raise UserError(_("`{name}` must be a date, like 2027-03-01, \"next friday\" or "
                                  "\"in 2 weeks\"; got `{value}`.", name=param.name, value=raw))
        case Kind.PAST_DAY:
            # "Last week" is seven days, not one: dateparser would pick a day for the member.
            if _PERIOD.match(str(text)):
                raise UserError(_("`{name}` must be one day; which day of `{value}`? For "
                                  "example `{name}:\"{weekday}\"` or `{name}:\"{days_ago}\"`.",
                                  name=param.name, value=raw, weekday=_("last tuesday"),
                                  days_ago=_("3 days ago")))
            value = parse_date(text, cx, past=True)
            if value is None:
                raise UserError(_("`{name}` must be a day, like yesterday, \"last friday\" or "
                                  "2026-11-20; got `{value}`.", name=param.name, value=raw))
        case Kind.BOOL:
            value = _boolean(text)
            if value is None:
                raise UserError(_("`{name}` must be yes or no; got `{value}`.",
                                  name=param.name, value=raw))
        case Kind.CHOICE:
            assert param.choices is not None
            value = _choice(param, str(text), cx)
    amount = value.amount if isinstance(value, Money) else value
    if isinstance(amount, Decimal) and abs(amount) > MAX_AMOUNT:
        raise UserError(_("`{name}` is too large: at most {limit}; got `{value}`.",
                          name=param.name, limit=_.number(MAX_AMOUNT), value=raw))
    if param.range and isinstance(value, int | Decimal):
        low, high = param.range.min, param.range.max
        if (low is not None and value < low) or (high is not None and value > high):
            raise UserError(_("`{name}` must be between {low} and {high}; got `{value}`.",
                              name=param.name, value=raw, **{
                                  side: _.number(None if bound is None else Decimal(str(bound)))
                                  for side, bound in (("low", low), ("high", high))}))
    return value


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip().removeprefix("#").rstrip("%")  # "#12" names item 12
    return int(text) if re.fullmatch(r"[+-]?\d{1,9}", text) else None


def _decimal(value: Any, locale: str, *, rounded: bool = True) -> Decimal | None:
    """A number as people write it: ``12000``, ``12,000.50``, ``1.500,5`` (Spanish), ``1,5``;
    to two places unless not ``rounded``.

    When both readings are possible, the locale's decides (``1.500`` is 1500 in Spanish).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    marks = [(".", ","), (",", ".")] if locale == "es" else [(",", "."), (".", ",")]
    for thousands, decimal_mark in marks:
        pattern = (rf"[+-]?(?:\d{{1,3}}(?:\{thousands}\d{{3}})+|\d+)"
                   rf"(?:\{decimal_mark}\d+)?")
        if re.fullmatch(pattern, text):
            plain = Decimal(text.replace(thousands, "").replace(decimal_mark, "."))
            return _cents(plain) if rounded else plain
    return None


# The largest amount, number or count of hours taken: far above any agency's, and within
# what the databases store (hundredths in a 64-bit integer).
MAX_AMOUNT = Decimal("999999999999.99")


def _cents(value: Decimal) -> Decimal:
    """``value`` to two places; one too large for that is left whole, for the caller's limit
    (:data:`MAX_AMOUNT`) to refuse."""
    return value if abs(value) > MAX_AMOUNT else value.quantize(Decimal("0.01"))


# Hours as people say them in words.
HOURS_IN_WORDS = {
    "an hour and a half": Decimal("1.5"), "one and a half hours": Decimal("1.5"),
    "half an hour": Decimal("0.5"), "half hour": Decimal("0.5"),
    "a quarter of an hour": Decimal("0.25"), "an hour": Decimal(1), "one hour": Decimal(1),
    "una hora y media": Decimal("1.5"), "hora y media": Decimal("1.5"),
    "media hora": Decimal("0.5"), "un cuarto de hora": Decimal("0.25"),
    "tres cuartos de hora": Decimal("0.75"), "una hora": Decimal(1),
    "hora y cuarto": Decimal("1.25")}
# "three hours", "three and a half hours", "tres horas", "tres horas y media": two to twelve.
_COUNTS = {"two": "dos", "three": "tres", "four": "cuatro", "five": "cinco", "six": "seis",
           "seven": "siete", "eight": "ocho", "nine": "nueve", "ten": "diez", "eleven": "once",
           "twelve": "doce"}
_WORD_COUNTS = {word: count for count, pair in enumerate(_COUNTS.items(), 2) for word in pair}
for _count, (_en, _es) in enumerate(_COUNTS.items(), 2):
    HOURS_IN_WORDS |= {f"{_en} hours": Decimal(_count), f"{_es} horas": Decimal(_count),
                       f"{_en} and a half hours": _count + Decimal("0.5"),
                       f"{_es} horas y media": _count + Decimal("0.5")}


_PARTS = {"half": Decimal("0.5"), "media": Decimal("0.5"), "quarter": Decimal("0.25"),
          "cuarto": Decimal("0.25"), "three quarters": Decimal("0.75"),
          "tres cuartos": Decimal("0.75"), "diez": Decimal(1) / 6, "ten": Decimal(1) / 6,
          "veinte": Decimal(1) / 3, "twenty": Decimal(1) / 3, "cuarenta": Decimal(2) / 3,
          "forty": Decimal(2) / 3}
_PART_WORDS = "half|quarter|three quarters|media|cuarto|tres cuartos|diez|ten|veinte|twenty|" \
    "cuarenta|forty"
HOURS_AND_A_PART = (rf"(?:and|y)\s+(?:a\s+)?(?:{_PART_WORDS}|\d{{1,2}}\s*(?:minutes?|minutos?|"
                    r"mins?|m))")
"""The part of an hour said after a whole number: "and a half", "y cuarto", "and 15 minutes"."""
WORD_HOURS_AND_A_PART = (rf"(?:an?|one|una?|{'|'.join(_WORD_COUNTS)})\s+(?:hours?|horas?)\s+"
                         rf"{HOURS_AND_A_PART}|hora\s+y\s+cuarto")
"""Whole hours in words and their part: "an hour and a quarter", "dos horas y cuarto"."""
_AND_A_PART = re.compile(
    r"(?P<whole>\d+(?:[.,]\d+)?)\s*(?P<unit>h|hs|hrs?|hours?|horas?)?\s+(?:and|y)\s+(?:a\s+)?"
    rf"(?:(?P<part>{_PART_WORDS})|(?P<minutes>\d{{1,2}})\s*"
    r"(?:minutes?|minutos?|mins?|m))(?:\s+(?:hours?|horas?))?")
# "An hour and a quarter", "dos horas y cuarto": the whole hours in words, then their part.
_ONE_HOUR = re.compile(r"^(?:an?|one|una?|1)\s+(?=hours?\b|horas?\b)", re.IGNORECASE)


def parse_hours(value: Any, locale: str = "en") -> Decimal | None:
    """``2``, ``2.5``, ``2,5``, ``1h30``, ``1h 30m``, ``90m``, ``1:30``, ``2 hours`` or words
    (``half an hour``, ``hora y media``) as hours; ``-2 hours`` is read as negative, for the
    caller to refuse as such."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return _cents(Decimal(str(value)))
    if (said := " ".join(str(value).casefold().split())) in HOURS_IN_WORDS:
        return _cents(HOURS_IN_WORDS[said])
    # "2 and a half hours", "3 hours and a half", "1 hour and 15 minutes", "2 horas y media";
    # "an hour and a quarter", "dos horas y cuarto" (the whole hours in words).
    said = _ONE_HOUR.sub("1 ", said)
    said = re.sub(rf"^({'|'.join(_WORD_COUNTS)})\s+(?=horas?\b|hours?\b)",
                  lambda count: f"{_WORD_COUNTS[count[1]]} ", said)
    if (part := _AND_A_PART.fullmatch(said)) and (whole := parse_hours(
            f"{part['whole']}{part['unit'] or ''}", locale)) is not None:
        extra = _PARTS.get(part["part"]) or Decimal(part["minutes"] or 0) / 60
        return _cents(whole + extra)
    text = str(value).strip().casefold().replace(" ", "")
    if text.startswith("-") and (hours := parse_hours(text[1:], locale)) is not None:
        return -hours
    if m := re.fullmatch(r"(\d{1,2}):([0-5]\d)", text):
        return _cents(Decimal(m[1]) + Decimal(m[2]) / 60)
    if m := re.fullmatch(r"(?:(\d+(?:[.,]\d+)?)(?:h|hs|hr|hrs|hours?|horas?))?"
                         r"(?:(\d+)(?:m|min|mins|minutes?|minutos?)?)?", text):
        if m[1] is None and m[2] is None:
            return None
        if m[1] is None and not text.rstrip("0123456789"):
            return _decimal(text, locale)  # a bare number is hours, not minutes
        hours = _decimal(m[1], locale) if m[1] else Decimal(0)
        minutes = Decimal(m[2]) if m[2] else Decimal(0)
        if hours is None:
            return None
        return _cents(hours + minutes / 60)
    return _decimal(text, locale)


_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "us$": "USD"}
_CURRENCY_NAMES = {"euros?": "EUR", "d[oó]lares": "USD", "dollars?": "USD", "pounds?": "GBP",
                   "libras?": "GBP"}
_AMOUNT_WORD = re.compile(r"(?<=\d)\s*\b(mil|thousand|millones|mill[oó]n|million)\b",
                          re.IGNORECASE)


def parse_money(value: Any, locale: str = "en") -> Money | None:
    """``12000``, ``12k``, ``1.5m``, ``€1.500,50``, ``12000 EUR``, ``USD 5,000`` → Money.

    A single separator before three digits groups thousands in either language (``€8.000``,
    ``8,000``): an amount of money is never written to the thousandth.
    """
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Money(_cents(Decimal(str(value))))
    text = str(value).strip()
    multiplier = Decimal(1)
    # "20 mil euros", "1,5 millones", "2 million": the word says how many thousands.
    if said := _AMOUNT_WORD.search(text):
        multiplier = Decimal(1000) if said[1].casefold() in {"mil", "thousand"} \
            else Decimal(1_000_000)
        text = text[:said.start()] + " " + text[said.end():]
    currency = None
    for name, code in _CURRENCY_NAMES.items():  # "euros", "dólares"
        if re.search(rf"\b{name}\b", text, re.IGNORECASE):
            currency = code
            text = re.sub(rf"\b{name}\b", "", text, flags=re.IGNORECASE)
    if m := re.search(r"\b([A-Za-z]{3})\b", text):
        currency = currency or m[1].upper()
        text = text.replace(m[0], "")
    for symbol, code in _SYMBOLS.items():
        if symbol in text.casefold():
            currency = currency or code
            text = re.sub(re.escape(symbol), "", text, flags=re.IGNORECASE)
    text = text.strip().replace(" ", "")
    if multiplier == 1 and text[-1:].casefold() in {"k", "m"}:
        multiplier = Decimal(1000) if text[-1].casefold() == "k" else Decimal(1_000_000)
        text = text[:-1]
    if multiplier == 1 and re.fullmatch(r"[+-]?\d{1,3}[.,]\d{3}", text):
        # Money has no thousandths: "€8.000" and "8,000" are eight thousand in any language.
        text = text.replace(".", "").replace(",", "")
    amount = _decimal(text, locale, rounded=False)
    if amount is None or (multiplier == 1 and abs(amount) <= MAX_AMOUNT
                          and amount != amount.quantize(Decimal("0.01"))):
        return None  # "12.345,678" is no amount of money: not rounded into one
    return Money(_cents(amount * multiplier), currency)


def currency_named(text: str) -> str | None:
    """The currency code a symbol or word names (``€``, ``euros``, ``dólares``), if any."""
    said = text.strip().casefold()
    if said in _SYMBOLS:
        return _SYMBOLS[said]
    return next((code for name, code in _CURRENCY_NAMES.items()
                 if re.fullmatch(name, said)), None)


_DAY_ARTICLE = re.compile(r"^(?:on|el|la)\s+", re.IGNORECASE)  # "on monday", "el lunes"
WEEKDAY = (r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|lunes|martes|"
           r"mi[eé]rcoles|jueves|viernes|s[aá]bado|domingo)")
"""A weekday's name in English or Spanish, as a regular expression group."""
MONTH = (r"(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*|enero|febrero|marzo|"
         r"abril|mayo|junio|julio|agosto|se?ptiembre|octubre|noviembre|diciembre)")
"""A month's name (or its first letters, in English) in English or Spanish, as a group."""
_DAY_AFTER_TOMORROW = re.compile(r"^(?:the day after tomorrow|pasado mañana)$", re.IGNORECASE)
_DAY_BEFORE_YESTERDAY = re.compile(r"^(?:the day before yesterday|antier|anteayer|antes de "
                                   r"ayer)$", re.IGNORECASE)  # "antier" in Latin America
# "La semana que viene", "el mes que viene": what dateparser reads as "la próxima semana".
_THAT_COMES = re.compile(r"^(?:(semana|mes) que viene|pr[oó]xim[oa] (semana|mes))$",
                         re.IGNORECASE)
_SAID_NEXT_DAY = re.compile(rf"^(?:pr[oó]xim[oa]\s+({WEEKDAY})|({WEEKDAY})\s+(?:que viene|"
                            rf"pr[oó]xim[oa]))$", re.IGNORECASE)
_SAID_NEXT = re.compile(r"\b(?:next|tomorrow|pr[oó]xim[oa]|que viene|mañana)\b", re.IGNORECASE)
# A stretch of time, not a day: "last week", "this month", "la semana pasada".
PERIOD = (r"(?:(?:last|this|past|previous)\s+(?:week|month|year)|"
          r"(?:(?:la|esta)\s+)?semana(?:\s+pasada)?|(?:el\s+|este\s+)?(?:mes|año)(?:\s+pasado)?)")
_PERIOD = re.compile(rf"^(?:on\s+|el\s+|en\s+)?{PERIOD}$", re.IGNORECASE)
_SAID_LAST = re.compile(rf"^(?:last\s+({WEEKDAY})|({WEEKDAY})\s+pasad[oa])$", re.IGNORECASE)


FIRST_YEAR, LAST_YEAR = 1970, 2199
# A part of a day names the day: "last night" is yesterday, "esta mañana" today (not
# tomorrow, as "mañana" alone is).
_PARTS_OF_DAY = [
    (re.compile(r"^(?:last night|anoche|yesterday (?:morning|afternoon|evening|night)|ayer por "
                r"la (?:mañana|tarde|noche))$", re.IGNORECASE), "yesterday"),
    (re.compile(r"^(?:this (?:morning|afternoon|evening)|tonight|esta (?:mañana|tarde|noche))$",
                re.IGNORECASE), "today")]


def parse_date(value: Any, cx: ConvertContext, *, past: bool = False) -> date | None:
    """ISO dates directly; anything else through dateparser in the member's language.

    A weekday alone is the next one, or with ``past`` the last one, today when it is today's
    ("thursday" on a Thursday; "last thursday" is a week ago; "next thursday" is still the
    next one). "On" and the Spanish article are dropped ("el lunes"), "viernes pasado" is
    "last friday", and "el viernes que viene" or "el próximo viernes" the next one. A month
    and day without a year is the nearer of its two readings. A date written the ISO way
    that does not exist (``2026-13-01``) is None, not read in another order.
    """
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return _plausible(date.fromisoformat(text))
    except ValueError:
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
            return None
    if not text or len(text) > 60:
        return None
    import dateparser  # imported on first use: it takes a moment to load

    text = _DAY_AFTER_TOMORROW.sub("in 2 days", _DAY_ARTICLE.sub("", text))
    text = _DAY_BEFORE_YESTERDAY.sub("2 days ago", text)
    text = _THAT_COMES.sub(lambda said: "la próxima semana" if (said[1] or said[2]).lower()
                           == "semana" else "el próximo mes", text)
    for part_of_day, day in _PARTS_OF_DAY:  # "last night", "esta mañana": that day
        text = part_of_day.sub(day, text)
    if said_last := _SAID_LAST.match(text):
        text = said_last[1] or said_last[2]
    elif said_next := _SAID_NEXT_DAY.match(text):  # "el próximo viernes", "viernes que viene"
        text, past = said_next[1] or said_next[2], False
    languages = [cx.translator.locale] + (["en"] if cx.translator.locale != "en" else ["es"])

    def read(prefer: str) -> date | None:
        parsed = dateparser.parse(text, languages=languages, settings={
            "TIMEZONE": cx.timezone, "RETURN_AS_TIMEZONE_AWARE": True,
            "PREFER_DATES_FROM": prefer, "RELATIVE_BASE": cx.now().replace(tzinfo=None),
            # "1/2" is the 1st of February in Spanish, January 2nd in (American) English.
            "DATE_ORDER": "DMY" if cx.translator.locale == "es" else "MDY"})
        return parsed.date() if parsed else None

    if past and _SAID_NEXT.search(text):  # "next friday" has not come, whatever is asked
        past = False
    today = cx.today()
    if past and not said_last and read("current_period") == today:
        return today
    found = read("past" if past or said_last else "future")
    # "Nov 30" on Nov 26 is four days ahead, not a year ago: a month and day with no year
    # is the nearer of the two readings.
    if past and found and not re.search(r"\d{4}", text) and (today - found).days > 183 and (
            ahead := read("future")) and (ahead - today).days < (today - found).days:
        return ahead
    return _plausible(found)


def _plausible(day: date | None) -> date | None:
    """``day``, unless its year is one no project or meeting has (0001, 9999): beyond the
    calendar's arithmetic, a week later would not exist."""
    return day if day is not None and FIRST_YEAR <= day.year <= LAST_YEAR else None


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in {"true", "yes", "y", "1", "on", "si", "sí", "s"}:
        return True
    if text in {"false", "no", "n", "0", "off"}:
        return False
    return None


# Other words people use for a choice, in either language ("status:done", "status:pausado"),
# taken where the command offers that choice.
_CHOICE_WORDS = {
    "completed": "done finished complete closed terminado terminada completado completada "
                 "hecho hecha finalizado finalizada cerrado cerrada",
    "on_hold": "hold paused pausado pausada en_pausa parado parada",
    "cancelled": "canceled cancelado cancelada",
    "active": "in_progress ongoing started activo activa en_curso",
    "planning": "planned planificado planificada planificacion",
    "upcoming": "next future proximas proximos",
    "past": "previous earlier pasadas pasados anteriores",
    "today": "hoy",
    "tomorrow": "manana",
    "week": "this_week semana esta_semana",
    "next_week": "proxima_semana la_proxima_semana semana_que_viene la_semana_que_viene",
    "yesterday": "ayer",
    "last_week": "semana_pasada la_semana_pasada",
    "high": "urgent urgente alta",
    "medium": "normal media",
    "low": "baja",
    "manager": "gestora gerente",
    "owner": "propietaria dueno duena",
    "admin": "administradora administrator",
    "guest": "invitada",
}
_CHOICE_SYNONYMS = {word: value for value, words in _CHOICE_WORDS.items()
                    for word in words.split()}


def read_choice(choices: Iterable[E], text: str) -> E | None:
    """The choice ``text`` names, by value (``on_hold``), spaced form (``on hold``), label in
    either language or another word for it (``done`` for ``completed``), in the singular
    or plural (``activos``); None if it names none."""
    said = fold(text).casefold().strip().replace(" ", "_").replace("-", "_")
    for wanted in (said, said.removesuffix("s")):
        wanted = _CHOICE_SYNONYMS.get(wanted, wanted)
        for choice in choices:
            labels = {fold(translator(locale)(choice.value.replace("_", " "))).casefold()
                      .replace(" ", "_") for locale in SUPPORTED_LOCALES}
            if wanted == choice.value or wanted in labels:
                return choice
    return None


def _choice(param: Param, text: str, cx: ConvertContext) -> Any:
    """Accept the value (``on_hold``), its spaced form (``on hold``), its label in either
    language (``gestor`` for ``manager``, whatever the member's) or another word for it
    (``done`` for ``completed``)."""
    assert param.choices is not None
    if (choice := read_choice(param.choices, text)) is not None:
        return choice
    wanted = fold(text).casefold().replace(" ", "_").replace("-", "_")
    options = [c.value for c in param.choices]
    raise UserError(cx.translator("`{name}` must be one of: {options}; got `{value}`.",
                                  name=param.name, options=", ".join(options), value=text),
                    suggestions=_closest(wanted, options))


def _is_typo(word: str, name: str) -> bool:
    """Whether ``word`` looks like a misspelt option ``name`` (one or two slips of the key)."""
    return 0 < DamerauLevenshtein.distance(word, name) <= (1 if len(name) <= 5 else 2)


def _closest(word: str, options: list[str], *, cutoff: int = 60, limit: int = 3) -> list[str]:
    matches = process.extract(word, options, scorer=fuzz.WRatio, score_cutoff=cutoff, limit=limit)
    return [match[0] for match in matches]
