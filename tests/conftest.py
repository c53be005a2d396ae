"""Shared fixtures: a clean, migrated database per test on SQLite and, when
``TEST_DATABASE_URL`` points at a server, on PostgreSQL too."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from bot.commands import registry
from bot.core import Reply, Request, Upload
from bot.dispatcher import Dispatcher
from bot.ports import Services, Target
from bot.registry import Registry
from bot.retrieval.translation import ApertiumTranslator
from bot.transcripts.pipeline import TranscriptPipeline
from bot.transcripts.stt import WhisperTranscriber
from bot.transcripts.summarize import ExtractiveSummarizer
from storage import Database
from storage.embeddings import MiniLMEmbedding
from storage.models import Base

PG_ADMIN_URL = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_ADMIN_URL.startswith("postgres") else [])


def _migrate(url: str) -> None:
    async def run() -> None:
        db = Database(url)
        await db.migrate()
        await db.dispose()

    asyncio.run(run())


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for every test (migrating each time is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    admin = make_url(PG_ADMIN_URL).set(drivername="postgresql")
    name = f"v1tr0_test_{secrets.token_hex(4)}"
    admin_dsn = admin.render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = admin.set(database=name).render_as_string(hide_password=False)
    _migrate(url)
    yield url
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _truncate(url: str) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture(params=BACKENDS)
def reset_database(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], str]:
    """Empties the test database (each backend in turn) and returns its URL.

    Property-based tests call it once per example; other tests use ``database_url``.
    """
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")

        def reset_sqlite() -> str:
            path = tmp_path / "v1tr0.db"
            for suffix in ("-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
            shutil.copy(template, path)
            return f"sqlite:///{path}"

        return reset_sqlite
    url: str = request.getfixturevalue("postgres_url")

    def reset_postgres() -> str:
        _truncate(url)
        return url

    return reset_postgres


@pytest.fixture
def database_url(reset_database: Callable[[], str]) -> str:
    """The URL of an empty, migrated database."""
    return reset_database()


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


@pytest.fixture
def commands() -> Registry:
    return registry


class Clock:
    """A clock tests move by hand: ``clock.advance(minutes=5)``."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


class Outbox:
    """A notifier that keeps what the bot sent by itself."""

    def __init__(self) -> None:
        self.sent: list[tuple[Target, Reply]] = []

    async def send(self, target: Target, reply: Reply) -> None:
        self.sent.append((target, reply))

    def to_channel(self) -> list[Reply]:
        return [reply for target, reply in self.sent if target.channel_id]

    def to_people(self) -> dict[str, list[Reply]]:
        people: dict[str, list[Reply]] = {}
        for target, reply in self.sent:
            if target.user_id:
                people.setdefault(target.user_id, []).append(reply)
        return people


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


@pytest.fixture
def pipeline(db: Database, outbox: Outbox, clock: Clock, tmp_path: Path) -> TranscriptPipeline:
    """The real pipeline with the embedded engines; the outbox gets what it posts."""
    return TranscriptPipeline(db, outbox, transcriber=WhisperTranscriber(),
                              summarizer=ExtractiveSummarizer(), uploads=tmp_path / "uploads",
                              clock=clock)


@pytest.fixture(scope="session")
def embedding() -> MiniLMEmbedding:
    """The embedded embedding model, loaded once for the whole run."""
    model = MiniLMEmbedding()
    model.load()
    return model


@pytest.fixture
def apertium() -> Iterator[ApertiumTranslator]:
    """Apertium's English-Spanish pair, its pipelines stopped after the test."""
    translator = ApertiumTranslator.installed()
    if translator is None:
        pytest.skip("Apertium's English-Spanish pair is not installed "
                    "(apt-get install apertium-eng-spa)")
    yield translator
    translator.close()


@pytest.fixture
def services(clock: Clock, pipeline: TranscriptPipeline) -> Services:
    return Services(clock=clock, transcripts=pipeline)


@pytest.fixture
def dispatcher(db: Database, commands: Registry, services: Services) -> Dispatcher:
    return Dispatcher(db, commands, services=services)


@dataclass
class Chat:
    """Talks to the dispatcher as one person in one workspace, like a front door would."""

    dispatcher: Dispatcher
    team: str = "T1"
    user: str = "U1"
    name: str = "Ana"
    channel: str | None = "C1"
    platform: str = "slack"
    thread: str | None = None

    async def say(self, text: str, *, files: tuple[Upload, ...] = (), **args: object) -> Reply:
        return await self.dispatcher.handle(Request(
            platform=self.platform, team_id=self.team, user_id=self.user, text=text,
            user_name=self.name, channel_id=self.channel, thread_id=self.thread,
            args=args or None, files=files))

    async def ok(self, text: str) -> Reply:
        """Say ``text`` and insist that it worked."""
        reply = await self.say(text)
        assert reply.status != "error", f"{text!r} failed: {reply.text}"
        return reply

    def as_user(self, user: str, name: str | None = None) -> Chat:
        return replace(self, user=user, name=name or user)

    def in_team(self, team: str) -> Chat:
        return replace(self, team=team)

    def in_thread(self, thread: str) -> Chat:
        return replace(self, thread=thread)


@pytest.fixture
def chat(dispatcher: Dispatcher) -> Chat:
    """The owner of workspace T1 (the first person to speak becomes its owner)."""
    return Chat(dispatcher)


def text_of(reply: Reply) -> str:
    """Everything a person would read in a reply, as one string."""
    parts = [reply.title or "", reply.text, *(f"{f.label}: {f.value}" for f in reply.fields),
             *reply.items, *(b.command for b in reply.buttons)]
    return "\n".join(parts)
