"""SQLite for the async engine, run on the event loop's own thread.

aiosqlite hands every call (cursor, execute, fetch, close) to a helper thread; on a small
VM each hand-off costs about 0.1 ms, several times what the SQLite call itself costs, so a
four-statement command spent most of its time waiting for thread wake-ups. Here the calls
run inline instead: SQLite answers an indexed query in microseconds, and the one wait that
can be long, another process holding the write lock, is never taken inline. ``BEGIN
IMMEDIATE`` fails at once when the lock is held (``busy_timeout`` 0) and :func:`begin`
retries it with ``asyncio.sleep`` between attempts, so other coroutines run meanwhile.

The objects here offer the slice of aiosqlite's interface that SQLAlchemy's aiosqlite
dialect uses, and are plugged in through ``create_async_engine(async_creator=...)``.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.util.concurrency import await_

LOCK_WAIT_SECONDS = 30.0


class InlineCursor:
    """An aiosqlite-style cursor whose coroutines finish without leaving the thread."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        self._cursor.execute(sql, parameters or ())
        return self

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> InlineCursor:
        self._cursor.executemany(sql, rows)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size or self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()


class InlineConnection:
    """An aiosqlite-style connection over a plain :class:`sqlite3.Connection`."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection: sqlite3.Connection | None = connection

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    def cursor(self) -> InlineCursor:
        # aiosqlite returns an async context manager here, and SQLAlchemy enters it.
        return InlineCursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        return InlineCursor(self._conn.execute(sql, parameters or ()))

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def create_function(self, name: str, num_params: int, func: Callable[..., Any],
                              deterministic: bool = False) -> None:
        self._conn.create_function(name, num_params, func, deterministic=deterministic)

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def creator(path: str, synchronous: str = "NORMAL") -> Callable[[], Any]:
    """An ``async_creator`` for ``create_async_engine`` that opens ``path`` inline.

    Args:
        path: The database file.
        synchronous: ``NORMAL`` (WAL's usual choice: a commit survives the process crashing,
            the last ones may not survive the machine losing power) or ``FULL`` (every commit
            waits for the disk too).
    """

    async def connect() -> InlineConnection:
        # isolation_level=None: SQLAlchemy's "begin" hook issues BEGIN itself.
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA busy_timeout=5000")  # only while setting up
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"PRAGMA synchronous={synchronous}")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("PRAGMA busy_timeout=0")  # lock waits happen in begin(), below
        return InlineConnection(connection)

    return connect


def begin(connection: Connection) -> None:
    """Take the write lock with ``BEGIN IMMEDIATE``, yielding to the loop while it is held.

    Taking it up front means two processes never deadlock upgrading a read lock.
    """
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    pause = 0.001
    while True:
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except Exception as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
        await_(asyncio.sleep(pause))
        pause = min(pause * 2, 0.05)
