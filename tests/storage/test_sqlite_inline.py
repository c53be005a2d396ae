"""The inline SQLite driver waits for another writer without blocking the event loop."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text

from storage import Database


async def test_a_second_writer_waits_while_the_loop_keeps_running(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first, second = Database(url), Database(url)  # two engines: like two processes
    await first.migrate()
    ticks = 0
    order: list[str] = []

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    async def late_writer() -> None:
        async with second.transaction() as store:
            # The first statement sends BEGIN IMMEDIATE, which must wait for `first`.
            await store.session.execute(text(
                "INSERT INTO workspaces (platform, external_id, name, timezone, locale, "
                "settings, created_at) VALUES ('t', 'b', '', 'UTC', 'en', '{}', "
                "'2026-01-01 00:00:00')"))
            order.append("second wrote")

    tick_task = asyncio.create_task(ticker())
    try:
        async with first.transaction() as store:
            await store.session.execute(text(
                "INSERT INTO workspaces (platform, external_id, name, timezone, locale, "
                "settings, created_at) VALUES ('t', 'a', '', 'UTC', 'en', '{}', "
                "'2026-01-01 00:00:00')"))
            waiting = asyncio.create_task(late_writer())
            ticks_before = ticks
            await asyncio.sleep(0.2)  # hold the write lock for a while
            assert not waiting.done() and order == []
            assert ticks - ticks_before >= 10  # the loop ran while `second` waited
            order.append("first committing")
        await asyncio.wait_for(waiting, timeout=5)
        assert order == ["first committing", "second wrote"]
        async with first.transaction() as store:
            count = await store.session.scalar(text("SELECT count(*) FROM workspaces"))
        assert count == 2
    finally:
        tick_task.cancel()
        await first.dispose()
        await second.dispose()
