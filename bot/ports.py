"""What the core needs from the outside, as small interfaces the composition root fills.

Jobs reach people through :class:`Notifier`; each front door implements it for its platform
and :class:`NotifierHub` routes a message to the right one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from bot.core import Reply
from bot.meetings.jitsi import JitsiConfig

if TYPE_CHECKING:
    from bot.retrieval.answers import Retriever
    from bot.transcripts.pipeline import TranscriptPipeline

log = logging.getLogger("v1tr0.notify")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Target:
    """Where a message goes: a channel, or one person (a direct message)."""

    platform: str
    team_id: str
    channel_id: str | None = None
    user_id: str | None = None


class Notifier(Protocol):
    """Posts a reply by itself, not as an answer to a command."""

    async def send(self, target: Target, reply: Reply) -> None:
        """Deliver ``reply``; raise if the platform refused it, so the job can retry."""
        ...


class NotifierHub:
    """Routes each message to the notifier of its platform."""

    def __init__(self) -> None:
        self._notifiers: dict[str, Notifier] = {}

    def register(self, platform: str, notifier: Notifier) -> None:
        self._notifiers[platform] = notifier

    async def send(self, target: Target, reply: Reply) -> None:
        notifier = self._notifiers.get(target.platform)
        if notifier is None:
            raise LookupError(f"no front door for {target.platform!r} is running")
        await notifier.send(target, reply)


@dataclass(frozen=True, slots=True)
class LanguageModel:
    """An OpenAI-compatible chat model: the client (``openai.AsyncOpenAI``) and its name."""

    client: Any
    model: str


@dataclass
class Services:
    """Things commands use besides the database.

    Attributes:
        clock: The current time (tests control it).
        jitsi: The Jitsi server used when a workspace has not set its own.
        reminders_changed: Called after a commit that added, moved or cancelled reminders,
            so a scheduler in this process picks them up at once.
        transcripts: The transcript pipeline (ingest happens in the command's transaction).
        transcripts_changed: Called after a commit that gave the pipeline work.
        retriever: Finds the moments of a project's meetings (``ask``, ``search``).
        llm: A language model, when one is configured; the embedded engines otherwise.
    """

    clock: Callable[[], datetime] = utc_now
    jitsi: JitsiConfig = field(default_factory=JitsiConfig)
    reminders_changed: Callable[[], None] = lambda: None
    transcripts: TranscriptPipeline | None = None
    transcripts_changed: Callable[[], None] = lambda: None
    retriever: Retriever | None = None
    llm: LanguageModel | None = None


class Indexer(Protocol):
    """Makes a transcript searchable (the pipeline's indexing step), and forgets it."""

    async def index(self, workspace_id: int, transcript_id: int,
                    progress: Callable[[float], None] | None = None) -> None:
        """Index (or re-index, replacing) one transcript's segments.

        Args:
            progress: Told the fraction done (0 to 1) now and then, from any thread.
        """
        ...

    async def forget_transcript(self, workspace_id: int, transcript_id: int) -> None:
        """Remove a deleted transcript from the index."""
        ...

    async def forget_project(self, workspace_id: int, project_id: int) -> None:
        """Remove every transcript of a deleted project from the index."""
        ...
