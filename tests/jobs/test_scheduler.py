"""The APScheduler side: real timers in the event loop fire reminders on time, once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.commands import registry
from bot.dispatcher import Dispatcher
from bot.meetings.reminders import ReminderService
from bot.ports import Services
from jobs import ReminderScheduler
from storage import Database
from storage.models import Reminder, ReminderKind
from tests.conftest import Chat, Outbox


async def _eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def test_timers_fire_reminders_on_time_and_pick_up_new_ones(db: Database) -> None:
    outbox = Outbox()
    service = ReminderService(db, outbox)
    scheduler = ReminderScheduler(service, sweep_seconds=3600)  # only timers, no sweeping
    services = Services(reminders_changed=scheduler.poke)
    chat = Chat(Dispatcher(db, registry, services=services))
    await chat.ok("project create Website")
    await chat.ok("settings reminder:0")  # the link goes out at the start itself
    await scheduler.start()
    try:
        await chat.ok("meeting schedule website in 3 hours Later")  # a timer, not yet due
        # Make the reminder due in about a second, as a second process could.
        due = datetime.now(UTC) + timedelta(seconds=1.2)
        async with db.transaction() as store:
            reminder = await store.session.scalar(
                select(Reminder).where(Reminder.kind == ReminderKind.BEFORE))
            assert reminder is not None
            reminder.fire_at = due
        scheduler.poke()
        await _eventually(lambda: bool(outbox.to_channel()))
        fired_at = datetime.now(UTC)
        assert due <= fired_at < due + timedelta(seconds=2)
        assert outbox.to_channel()[0].title == "Meeting soon: Later"
        await asyncio.sleep(0.3)
        assert len(outbox.to_channel()) == 1  # once
    finally:
        await scheduler.stop()


async def test_start_catches_up_on_what_was_missed(db: Database) -> None:
    outbox = Outbox()
    chat = Chat(Dispatcher(db, registry))
    await chat.ok("project create Website")
    await chat.ok("meeting schedule website in 2 minutes for 5m Missed while down")
    scheduler = ReminderScheduler(ReminderService(db, outbox), sweep_seconds=3600)
    await scheduler.start()  # the first sweep runs at once
    try:
        await _eventually(lambda: bool(outbox.to_channel()))
        assert outbox.to_channel()[0].title == "Meeting soon: Missed while down"
    finally:
        await scheduler.stop()
