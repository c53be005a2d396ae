"""`day` end to end: the meetings you are in and the action items you owe, on a day."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.i18n import Translator
from storage import Database
from storage.embeddings import MiniLMEmbedding
from tests.bot.test_answers import LAUNCH, Desk
from tests.conftest import Clock, text_of


@pytest.fixture
def desk(db: Database, clock: Clock, tmp_path: Path, embedding: MiniLMEmbedding) -> Desk:
    return Desk(db, clock, tmp_path, embedding)


async def test_your_day_has_your_meetings_and_what_you_owe(desk: Desk, clock: Clock) -> None:
    luis = desk.chat.as_user("U2", "Luis")
    for person in (desk.chat, luis):  # members before the meeting names Luis as an owner
        await person.ok("help")
    await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH)
    held_on = clock.now.date()
    await desk.chat.ok("meeting schedule website tomorrow 10am Design sync")
    await desk.chat.ok("meeting schedule website tomorrow 4pm Retro")
    await desk.chat.ok("meeting cancel retro")

    # Tomorrow, for the host: the meeting, its time and how to join; not the cancelled one.
    for asked in ("day tomorrow", "what do I have tomorrow?", "¿qué tengo mañana?",
                  "what meetings do I have tomorrow?", "do I have any meetings tomorrow?",
                  "¿qué reuniones tengo mañana?", "¿tengo reuniones mañana?"):
        day = await desk.chat.ok(asked)
        assert day.title.startswith("Your agenda for "), asked
        assert len(day.items) == 1 and "*Design sync* · Website" in day.items[0], asked
        assert "10:00" in day.items[0] and "/meeting join #" in day.items[0], asked
    # Luis is in no meeting; his action item is due on Friday, and is late after it.
    friday = clock.now.date() + timedelta(days=(4 - clock.now.weekday()) % 7 or 7)
    before = await luis.ok(f"day {friday - timedelta(days=1)}")
    assert before.text.startswith("Nothing on ") and not before.items
    owed = await luis.ok(f"day {friday}")
    assert len(owed.items) == 1 and "send the final budget" in owed.items[0]
    for words in (f"{friday:%b} {friday.day}", f"{friday.day} {friday:%B}"):  # unquoted
        assert (await luis.ok(f"day {words}")).items == owed.items, words
    clock.advance(days=(friday - clock.now.date()).days + 1)
    late = text_of(await luis.ok("what's on my agenda?"))
    assert "send the final budget" in late and "⚠ overdue" in late
    # A day gone by: its meetings have ended, so none offers a way to join.
    past = await desk.chat.ok(f"day {held_on}")
    assert [i.split(" · ")[1:] for i in past.items] == [["*Launch review*", "Website", "ended"]]


async def test_your_week_runs_to_sunday(desk: Desk, clock: Clock) -> None:
    await desk.chat.ok("project create Website")
    await desk.chat.ok("meeting schedule website tomorrow 10am Design sync")
    when = Translator("en").date
    tomorrow = clock.now.date() + timedelta(days=1)
    monday = tomorrow - timedelta(days=tomorrow.weekday())
    week = await desk.chat.ok(f"day {monday} --week")
    assert week.title == f"Your agenda from {when(monday)} to {when(monday + timedelta(6))}"
    # Any day of a week to come gives the whole of it: "next week" is Monday to Sunday.
    later = monday + timedelta(days=14)
    assert (await desk.chat.ok(f"day {later + timedelta(3)} --week")).text.startswith(
        f"Nothing from {when(later)} to {when(later + timedelta(6))}:")
    # Over a week each meeting says its day.
    assert len(week.items) == 1 and week.items[0].startswith(
        f"{tomorrow.strftime('%a')}, {when(tomorrow)}")
    assert "*Design sync*" in week.items[0]
    # "Next week" in words is Monday to Sunday after this one.
    after = clock.now.date() + timedelta(days=7 - clock.now.weekday())
    span = f"from {when(after)} to {when(after + timedelta(6))}"
    for asked in ("what's on my plate next week?", "¿qué tengo la semana que viene?"):
        reply = await desk.chat.say(asked)
        assert span in (reply.title or reply.text), asked
    # This week: from today to Sunday (on a Sunday, just today).
    today = clock.now.date()
    sunday = today + timedelta(days=6 - today.weekday())
    this_week = await desk.chat.say("whats on my plate this week")
    assert (f"from {when(today)} to {when(sunday)}" if sunday > today else f"on {when(today)}"
            ) in (this_week.title or this_week.text).replace("for ", "on ")
