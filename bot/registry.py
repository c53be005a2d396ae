"""The command registry: every capability declared once, as a typed async function.

A command is an ``async def`` whose first parameter is the :class:`~bot.context.Context`
and whose other parameters are its arguments. Parameters before ``*`` may be given by
position; those after it only as ``name:value`` options. The docstring is the help:
its first line the summary, its ``Args:`` section the help of each argument and its
``Examples:`` section the examples. From that one declaration come the text parser,
the help, the Discord options and the AI tool schemas.

Example:
    >>> from bot.registry import Registry, Hours, ProjectRef
    >>> from bot.core import Reply, Role
    >>> registry = Registry()
    >>> @registry.command("project log", role=Role.MEMBER)
    ... async def project_log(ctx, hours: Hours, project: ProjectRef | None = None) -> Reply:
    ...     '''Log hours worked on a project.
    ...
    ...     Args:
    ...         hours: Hours worked, e.g. 2.5 or 1h30.
    ...         project: Project name; defaults to the channel's project.
    ...     '''
    ...     return Reply(text="ok")
    >>> registry.get("project log").usage()
    '/project log <hours> [project]'
"""

from __future__ import annotations

import enum
import inspect
import re
import types
import typing
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, NewType

from bot.core import Reply, Role

Hours = NewType("Hours", Decimal)
"""A duration in hours: ``2``, ``2.5``, ``2,5``, ``1h30``, ``90m`` or ``1:30``."""
ProjectRef = NewType("ProjectRef", str)
"""A project, by name (close spellings are suggested) or by ``#id``."""
ClientRef = NewType("ClientRef", str)
"""A client, by name or by ``#id``."""
MemberRef = NewType("MemberRef", str)
"""A person: a platform mention (``<@U123>``), ``@name`` or a name."""
MeetingRef = NewType("MeetingRef", str)
"""A meeting, by ``#id`` or by title."""
PastDay = NewType("PastDay", date)
"""A day that has come: ``yesterday``, ``friday`` (the last one), ``3 days ago``, an ISO date."""


@dataclass(frozen=True, slots=True)
class Money:
    """An amount with an optional ISO currency code (``12000``, ``12k EUR``, ``€1.500,50``)."""

    amount: Decimal
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class Range:
    """Bounds for a number argument, as ``Annotated[int, Range(0, 100)]``."""

    min: float | None = None
    max: float | None = None


class Kind(enum.StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    HOURS = "hours"
    MONEY = "money"
    DATE = "date"
    PAST_DAY = "day"
    BOOL = "bool"
    CHOICE = "choice"
    PROJECT = "project"
    CLIENT = "client"
    MEMBER = "member"
    MEETING = "meeting"


_KINDS: dict[Any, Kind] = {
    str: Kind.TEXT, int: Kind.INTEGER, float: Kind.NUMBER, Decimal: Kind.NUMBER,
    Hours: Kind.HOURS, Money: Kind.MONEY, date: Kind.DATE, PastDay: Kind.PAST_DAY,
    bool: Kind.BOOL,
    ProjectRef: Kind.PROJECT, ClientRef: Kind.CLIENT, MemberRef: Kind.MEMBER,
    MeetingRef: Kind.MEETING,
}
# Kinds whose value may contain spaces, so the last positional one takes the rest of the line
# ("day next friday").
GREEDY_KINDS = frozenset({Kind.TEXT, Kind.PROJECT, Kind.CLIENT, Kind.MEMBER, Kind.MEETING,
                          Kind.DATE, Kind.PAST_DAY})


@dataclass(frozen=True, slots=True)
class Param:
    """One argument of a command."""

    name: str
    kind: Kind
    help: str
    required: bool
    default: Any
    positional: bool
    choices: type[enum.StrEnum] | None = None
    range: Range | None = None

    def placeholder(self) -> str:
        if self.kind is Kind.BOOL:
            return f"[--{self.name}]"
        if self.positional:
            inner = f"<{self.name}>"
            return inner if self.required else f"[{self.name}]"
        value = "|".join(c.value for c in self.choices) if self.choices else self.kind.value
        return f"{self.name}:<{value}>" if self.required else f"[{self.name}:<{value}>]"

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"description": self.help}
        match self.kind:
            case Kind.INTEGER:
                schema["type"] = "integer"
            case Kind.NUMBER | Kind.HOURS:
                schema["type"] = "number"
            case Kind.BOOL:
                schema["type"] = "boolean"
            case Kind.DATE | Kind.PAST_DAY:
                schema |= {"type": "string", "format": "date"}
            case _:
                schema["type"] = "string"
        if self.choices:
            schema["enum"] = [c.value for c in self.choices]
        if self.range and self.range.min is not None:
            schema["minimum"] = self.range.min
        if self.range and self.range.max is not None:
            schema["maximum"] = self.range.max
        if self.kind in {Kind.PROJECT, Kind.CLIENT, Kind.MEMBER, Kind.MEETING}:
            schema["x-v1tr0-ref"] = self.kind.value  # Discord autocompletes these
        return schema


Handler = Callable[..., Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class Command:
    """A declared command: its path, role, handler, arguments and help."""

    path: tuple[str, ...]
    role: Role
    handler: Handler
    summary: str
    params: tuple[Param, ...]
    examples: tuple[str, ...] = ()
    transactional: bool = True
    aliases: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return " ".join(self.path)

    @property
    def group(self) -> str:
        return self.path[0]

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def usage(self) -> str:
        return " ".join([f"/{self.name}", *(p.placeholder() for p in self.params)])

    def json_schema(self) -> dict[str, Any]:
        """The arguments as a JSON Schema object (for AI tool calls and the REST API)."""
        return {
            "type": "object",
            "properties": {p.name: p.json_schema() for p in self.params},
            "required": [p.name for p in self.params if p.required],
            "additionalProperties": False,
        }


@dataclass
class Registry:
    """Every command and group the bot knows."""

    commands: dict[str, Command] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # other name -> command name

    def group(self, name: str, summary: str) -> None:
        """Declare a command group (``project``, ``client``) with its one-line help."""
        self.groups[name] = summary

    def command(
        self, name: str, *, role: Role = Role.MEMBER, transactional: bool = True,
        aliases: tuple[str, ...] = (),
    ) -> Callable[[Handler], Handler]:
        """Declare the decorated function as the command ``name``.

        Args:
            name: Space-separated path, e.g. ``"project create"``.
            role: The lowest role allowed to run it (checked in the dispatcher).
            transactional: Whether it needs the database; ``help`` does not.
            aliases: Other names typed text may use (``"meeting reschedule"``); the
                command's schemas and slash commands keep its one name.
        """

        def register(handler: Handler) -> Handler:
            for taken in (name, *aliases):
                if taken in self.commands or taken in self.aliases:
                    raise ValueError(f"command {taken!r} is declared twice")
            summary, arg_help, examples = _parse_docstring(handler)
            self.commands[name] = Command(
                path=tuple(name.split()), role=role, handler=handler, summary=summary,
                params=tuple(_params(handler, arg_help)), examples=tuple(examples),
                transactional=transactional, aliases=aliases,
            )
            self.aliases.update(dict.fromkeys(aliases, name))
            return handler

        return register

    def get(self, name: str) -> Command | None:
        """The command called ``name`` or one of its aliases."""
        return self.commands.get(self.aliases.get(name, name))

    def __iter__(self) -> Iterator[Command]:
        return iter(self.commands.values())

    def in_group(self, group: str) -> list[Command]:
        return [c for c in self if c.group == group]

    def tool_schemas(self) -> list[dict[str, Any]]:
        """OpenAI-style function tools, one per command (``project create``: ``project_create``)."""
        return [
            {"type": "function", "function": {
                "name": "_".join(c.path), "description": c.summary, "parameters": c.json_schema(),
            }}
            for c in self
        ]


def _params(handler: Handler, arg_help: dict[str, str]) -> Iterator[Param]:
    hints = typing.get_type_hints(handler, include_extras=True)
    parameters = list(inspect.signature(handler).parameters.values())[1:]  # skip the context
    for parameter in parameters:
        base = _strip_optional(hints[parameter.name])
        bounds = None
        if typing.get_origin(base) is typing.Annotated:
            base, *extras = typing.get_args(base)
            bounds = next((e for e in extras if isinstance(e, Range)), None)
        required = parameter.default is inspect.Parameter.empty
        choices = base if isinstance(base, type) and issubclass(base, enum.StrEnum) else None
        kind = Kind.CHOICE if choices else _KINDS.get(base)
        if kind is None:
            raise TypeError(f"{handler.__name__}: unsupported argument type {base!r}")
        if parameter.name not in arg_help:
            raise ValueError(f"{handler.__name__}: argument {parameter.name!r} has no help text")
        yield Param(
            name=parameter.name, kind=kind, help=arg_help[parameter.name], required=required,
            default=None if required else parameter.default,
            positional=parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD,
            choices=choices, range=bounds,
        )


def _strip_optional(annotation: Any) -> Any:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return members[0]
    return annotation


_SECTION = re.compile(r"^\s*(Args|Examples):\s*$")


def _parse_docstring(handler: Handler) -> tuple[str, dict[str, str], list[str]]:
    """Split a Google-style docstring into summary, argument help and examples."""
    doc = inspect.getdoc(handler)
    if not doc:
        raise ValueError(f"{handler.__name__}: a command needs a docstring; it is its help")
    lines = doc.splitlines()
    summary = lines[0].strip()
    arg_help: dict[str, str] = {}
    examples: list[str] = []
    section, current = None, None
    for line in lines[1:]:
        if match := _SECTION.match(line):
            section = match.group(1)
            continue
        text = line.strip()
        if not text:
            continue
        if section == "Args":
            if (arg := re.match(r"^(\w+):\s*(.*)$", text)) and line.startswith("    ") \
                    and not line.startswith("        "):
                current = arg.group(1)
                arg_help[current] = arg.group(2)
            elif current:
                arg_help[current] = f"{arg_help[current]} {text}"
        elif section == "Examples":
            examples.append(text)
    return summary, arg_help, examples
