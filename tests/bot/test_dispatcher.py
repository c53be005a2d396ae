"""The dispatcher: faults, arbitrary input, concurrency and first contact."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.commands import registry
from bot.context import Context
from bot.core import Reply, Role
from bot.dispatcher import Dispatcher
from bot.ports import Services
from bot.registry import Registry
from storage import Database
from tests.conftest import Chat, text_of


@pytest.fixture
def commands() -> Registry:
    """The real commands plus one that fails inside, as a bug would."""
    extended = replace(registry, commands=dict(registry.commands), groups=dict(registry.groups))

    @extended.command("explode", role=Role.GUEST)
    async def explode(ctx: Context) -> Reply:
        """Fail with an internal error."""
        await ctx.db.add_missing_method()  # type: ignore[attr-defined]
        return Reply()

    return extended


async def test_a_fault_gives_a_reference_that_is_in_the_log(
        chat: Chat, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="v1tr0.dispatcher"):
        reply = await chat.say("explode")
    match = re.search(r"Something went wrong \(ref ([0-9a-f]{8})\)", reply.text)
    assert match and reply.status == "error"
    assert "Traceback" not in reply.text and "AttributeError" not in reply.text
    record = next(r for r in caplog.records if match[1] in r.getMessage())
    assert record.exc_info and record.exc_info[0] is AttributeError
    await chat.ok("help")  # the bot keeps running


async def test_a_failed_command_writes_nothing(chat: Chat) -> None:
    await chat.ok("project create Web")
    reply = await chat.say("project update web progress:50 due:2020-01-01 start:2021-01-01")
    assert reply.status == "error" and "before the start date" in reply.text
    shown = text_of(await chat.ok("project show web"))
    assert "Progress: 0%" in shown and "2020" not in shown  # rolled back as a whole


async def test_a_step_after_the_commit_that_fails_leaves_the_reply_and_the_row(
        db: Database, caplog: pytest.LogCaptureFixture) -> None:
    def scheduler_down() -> None:
        raise ConnectionError("the scheduler is unreachable")

    chat = Chat(Dispatcher(db, registry, services=Services(reminders_changed=scheduler_down)))
    await chat.ok("project create Web")
    with caplog.at_level(logging.ERROR, logger="v1tr0.dispatcher"):
        scheduled = await chat.say("meeting schedule web tomorrow 3pm title:Planning")
    assert scheduled.status == "ok" and scheduled.title == "Meeting scheduled: Planning"
    assert any("scheduler_down" in record.getMessage() and record.exc_info
               for record in caplog.records)
    assert "Planning" in text_of(await chat.ok("meeting list"))  # committed, and it stays


async def test_overlong_and_binary_text_is_refused_cleanly(chat: Chat) -> None:
    too_long = await chat.say(f"project create {'x' * 201}")
    assert too_long.status == "error" and "at most 200 characters" in too_long.text
    await chat.ok("project create We\x00b")
    assert "Web" in text_of(await chat.ok("project show web"))
    await chat.ok(f"project update web description:\"{'long text ' * 500}\"")


async def test_unknown_commands_get_suggestions(chat: Chat) -> None:
    reply = await chat.say("/projcet list")
    assert reply.status == "error" and "Unknown command `projcet`" in reply.text
    assert "`project`" in reply.text
    group = await chat.say("client")
    assert group.status == "error" and "needs a subcommand" in group.text
    option = await chat.say("project create Web clinet:acme")
    assert option.status == "error" and "`client:`" in option.text


async def test_structured_arguments_from_other_front_doors(chat: Chat) -> None:
    """Discord options and AI tool calls arrive as typed values, not text."""
    created = await chat.say("project create", name="Web", budget=1200, estimate=10)
    assert created.status == "ok", created.text
    await chat.say("project log", hours=2.5, project="Web")
    assert "Hours logged: 2.5" in text_of(await chat.ok("project show web"))
    wrong = await chat.say("project log", hours="lots", project="Web")
    assert wrong.status == "error" and "number of hours" in wrong.text
    unknown = await chat.say("project log", hours=1, projectt="Web")
    assert unknown.status == "error" and "Unknown option" in unknown.text


async def test_concurrent_senders_lose_no_hours(dispatcher: Dispatcher) -> None:
    owner = Chat(dispatcher)
    await owner.ok("project create Web")
    senders = [owner.as_user(f"U{n}", f"Person {n}") for n in range(8)]
    await asyncio.gather(*(s.ok("help") for s in senders))

    async def send(chat: Chat) -> int:
        return sum([(await chat.say("project log 1 web")).status == "ok" for _ in range(15)])

    done = await asyncio.gather(*(send(s) for s in senders))
    assert sum(done) == 120
    assert "Hours logged: 120" in text_of(await owner.ok("project show web"))


async def test_simultaneous_first_contact_makes_one_owner(dispatcher: Dispatcher) -> None:
    people = [Chat(dispatcher, team="NEW", user=f"U{n}", name=f"P{n}") for n in range(6)]
    replies = await asyncio.gather(*(p.say("help") for p in people))
    assert all(r.status == "ok" for r in replies)
    roles = text_of(await people[0].ok("role"))
    assert roles.count("· owner") == 1 and roles.count("· member") == 5


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(
    st.text(max_size=80),
    st.builds(lambda cmd, rest: f"{cmd} {rest}", st.sampled_from(
        [c.name for c in registry] + ["project", "client", "/help"]), st.text(max_size=60)),
))
@example(text="\x00")  # a NUL, which PostgreSQL refuses in text
def test_any_text_gets_a_reply_never_a_fault(reset_database: Callable[[], str],
                                              text: str) -> None:
    async def run() -> Reply:
        db = Database(url)
        try:
            return await Chat(Dispatcher(db, registry)).say(text)
        finally:
            await db.dispose()

    url = reset_database()
    reply = asyncio.run(run())
    assert isinstance(reply, Reply)
    assert "Something went wrong" not in reply.text, f"{text!r} caused a fault"
