"""The shapes transcripts take between ingest, speech-to-text, summaries and storage."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Segment:
    """One stretch of speech: who spoke, from when to when (seconds), and what they said."""

    speaker: str | None
    start: float
    end: float
    text: str


class TranscriptError(ValueError):
    """A transcript file that cannot be read; carries an English message and its values.

    ``message`` is an English msgid (marked with ``N_``) so the command layer can show it
    in the member's language: ``_(error.message, **error.values)``.
    """

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message.format(**values) if values else message)
        self.message = message
        self.values = values

    def stored(self) -> str:
        """The error as a transcript's ``last_error`` keeps it: translatable when shown."""
        return json.dumps({"message": self.message, "values": self.values}, default=str)

    @staticmethod
    def shown(stored: str, translate: Callable[..., str]) -> str:
        """A stored ``last_error`` in the reader's language (an unexpected fault's text as
        it was: it is not a message of ours)."""
        try:
            said = json.loads(stored)
            return translate(said["message"], **said["values"])
        except (ValueError, TypeError, KeyError):
            return stored


Progress = Callable[[float], None]
"""Called with the fraction done, 0.0 to 1.0."""


class Transcriber(Protocol):
    """Speech-to-text."""

    name: str

    async def transcribe(self, audio: Path, *, language: str | None = None,
                         progress: Progress | None = None) -> list[Segment]:
        """Turn an audio file into segments; ``language`` is a code such as ``en`` or ``es``."""
        ...


@dataclass(frozen=True, slots=True)
class Point:
    """A sentence of a summary and the segment it came from (an index into the segments)."""

    text: str
    segment: int


@dataclass(frozen=True, slots=True)
class ActionItem:
    """Something someone committed to do."""

    task: str
    segment: int
    owner: str | None = None
    due: date | None = None


@dataclass(slots=True)
class Summary:
    """What a meeting came to. Every item points back to the segment it came from."""

    summary: list[Point] = field(default_factory=list)
    key_points: list[Point] = field(default_factory=list)
    decisions: list[Point] = field(default_factory=list)
    action_items: list[ActionItem] = field(default_factory=list)
    next_steps: list[Point] = field(default_factory=list)
    participants: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # parts that could not be summarised


class Summarizer(Protocol):
    """Turns segments into a :class:`Summary`."""

    name: str

    async def summarize(self, segments: Sequence[Segment], *, language: str,
                        meeting_date: date) -> Summary:
        """Summarise; ``meeting_date`` anchors relative due dates ("by Friday")."""
        ...
