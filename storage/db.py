"""Engine, transactions and migrations for SQLite (embedded) and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from storage import sqlite_inline
from storage.repositories import Store

MIGRATIONS = Path(__file__).parent / "migrations"


def normalize_url(url: str) -> str:
    """Accept the URL forms people paste and pick the async drivers this project ships.

    ``postgres://`` and ``postgresql://`` become ``postgresql+psycopg://``;
    ``sqlite://`` becomes ``sqlite+aiosqlite://``.

    Raises:
        ValueError: for any other kind of database.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend in {"postgres", "postgresql"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend == "sqlite":
        if parsed.database in {None, "", ":memory:"}:
            raise ValueError("an in-memory SQLite database would vanish with each process; "
                             "give a file, e.g. sqlite:///data/v1tr0.db")
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    else:
        raise ValueError(f"unsupported database {backend!r}; use postgresql:// or sqlite://")
    return parsed.render_as_string(hide_password=False)


class Database:
    """The one way into the database: a pooled async engine plus a transaction helper.

    Example:
        >>> db = Database("sqlite:///data/v1tr0.db")   # doctest: +SKIP
        >>> async with db.transaction() as store:       # doctest: +SKIP
        ...     workspace = await store.workspaces.get(1)
    """

    def __init__(self, url: str, *, echo: bool = False,
                 sqlite_synchronous: str = "NORMAL") -> None:
        self.url = normalize_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        options: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            database = make_url(self.url).database or ":memory:"
            if database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            # SQLite has one writer: one pooled connection queues writers fairly in-process,
            # and sqlite_inline.begin() waits for other processes without blocking the loop.
            options |= {"pool_size": 1, "max_overflow": 0, "pool_timeout": 60,
                        "async_creator": sqlite_inline.creator(database, sqlite_synchronous)}
        else:
            options |= {"pool_size": 10, "max_overflow": 10, "pool_pre_ping": True}
        self.engine: AsyncEngine = create_async_engine(self.url, **options)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "begin", sqlite_inline.begin)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Store]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        async with self._sessions() as session, session.begin():
            yield Store(session)

    async def migrate(self) -> None:
        """Upgrade the schema to the newest revision (a no-op when it is current)."""
        async with self.engine.begin() as connection:
            await connection.run_sync(_upgrade)

    async def is_current(self) -> bool:
        """Whether the schema is at the newest revision."""
        async with self.engine.connect() as connection:
            return await connection.run_sync(_is_current)

    async def dispose(self) -> None:
        await self.engine.dispose()


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    command.upgrade(_alembic_config(connection), "head")


def _is_current(connection: Connection) -> bool:
    heads = set(ScriptDirectory.from_config(_alembic_config(connection)).get_heads())
    return set(MigrationContext.configure(connection).get_current_heads()) == heads
