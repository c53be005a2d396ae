"""Platform-neutral request and reply types shared by every front door."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Literal


class Role(enum.IntEnum):
    """Workspace roles, ordered so that a higher value may do everything a lower one may."""

    GUEST = 10
    MEMBER = 20
    MANAGER = 30
    ADMIN = 40
    OWNER = 50

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Role:
        return cls[value.strip().upper()]


@dataclass(frozen=True, slots=True)
class Request:
    """One command invocation as a front door saw it.

    Attributes:
        platform: ``console``, ``slack``, ``discord`` or ``http``.
        team_id: The platform's id of the team or guild: the workspace (tenant).
        user_id: The platform's id of the person who sent the command.
        text: The command line, e.g. ``project log 2 website``; a leading ``/`` is optional.
        workspace_name: Display name of the workspace, used when it is first seen.
        user_name: Display name of the sender, used when they are first seen.
        channel_id: Where the command was sent, if anywhere.
        thread_id: The thread it was sent in, if any.
        locale: The locale the platform reports for the sender, if any (e.g. ``es-ES``).
        args: Already-parsed arguments (Discord options, AI tool calls); when given,
            ``text`` holds only the command path.
        files: Files sent with the command (a recording or a transcript).
        unreadable: Names of files sent with it that the front door could not read (a path
            that does not exist, a download that failed).
    """

    platform: str
    team_id: str
    user_id: str
    text: str
    workspace_name: str = ""
    user_name: str = ""
    channel_id: str | None = None
    thread_id: str | None = None
    locale: str | None = None
    args: dict[str, Any] | None = None
    files: tuple[Upload, ...] = ()
    unreadable: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Upload:
    """A file someone sent with a command."""

    filename: str
    content: bytes


@dataclass(slots=True)
class Field:
    """A labelled value, shown side by side with others where the platform allows."""

    label: str
    value: str
    inline: bool = True


@dataclass(slots=True)
class Button:
    """A button that runs ``command`` as the person who presses it.

    ``action_id`` is stable across releases so platforms can route presses back.
    """

    label: str
    action_id: str
    command: str
    style: Literal["default", "primary", "danger"] = "default"


@dataclass(slots=True)
class Attachment:
    """A file that goes with a reply (an .ics invite, a CSV export)."""

    filename: str
    content: bytes
    mime_type: str


@dataclass(slots=True)
class Citation:
    """Where a statement in a reply came from."""

    label: str
    detail: str = ""


@dataclass(slots=True)
class Reply:
    """What the bot answers, rendered by each front door in its own way."""

    text: str = ""
    title: str | None = None
    fields: list[Field] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    ephemeral: bool = False
    in_thread: bool = False
    status: Literal["ok", "error", "info"] = "ok"


class UserError(Exception):
    """A mistake the sender can fix; the message is already translated and shown as-is."""

    def __init__(self, message: str, *, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = suggestions or []


class UnknownCommand(UserError):
    """The text does not start with a command: free text, for the router to place.

    ``mistyped``: its first word is a slip of a command's name ("projct"), so when the
    router cannot place the text, this error is the better answer.
    """

    def __init__(self, message: str, *, suggestions: list[str] | None = None,
                 mistyped: bool = False) -> None:
        super().__init__(message, suggestions=suggestions)
        self.mistyped = mistyped
