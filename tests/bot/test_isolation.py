"""Tenant isolation, property-based: whatever workspaces do, each sees only its own data."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import registry
from bot.dispatcher import Dispatcher
from storage import Database
from tests.conftest import Chat, text_of

TEAMS = ["T1", "T2", "T3"]
# Few names, so different workspaces often use the same ones.
NAMES = ["Acme", "Globex", "Initech", "Umbrella"]

create_client = st.tuples(st.just("client"), st.sampled_from(TEAMS), st.sampled_from(NAMES))
create_project = st.tuples(st.just("project"), st.sampled_from(TEAMS), st.sampled_from(NAMES))
log_hours = st.tuples(st.just("log"), st.sampled_from(TEAMS), st.sampled_from(NAMES),
                      st.integers(min_value=1, max_value=8))
operations = st.lists(st.one_of(create_client, create_project, log_hours), max_size=25)


@dataclass
class Model:
    clients: set[str] = field(default_factory=set)
    hours: dict[str, Decimal] = field(default_factory=dict)


async def _exercise(url: str, ops: list[tuple]) -> None:
    db = Database(url)
    dispatcher = Dispatcher(db, registry)
    models = {team: Model() for team in TEAMS}
    chats = {team: Chat(dispatcher, team=team, user=f"owner-{team}") for team in TEAMS}
    try:
        for kind, team, name, *rest in ops:
            model, chat = models[team], chats[team]
            if kind == "client":
                reply = await chat.say(f"client create {name}")
                assert (reply.status == "error") == (name in model.clients)
                model.clients.add(name)
            elif kind == "project":
                reply = await chat.say(f"project create {name}")
                assert (reply.status == "error") == (name in model.hours)
                model.hours.setdefault(name, Decimal(0))
            else:
                reply = await chat.say(f"project log {rest[0]} {name}")
                assert (reply.status == "error") == (name not in model.hours)
                if name in model.hours:
                    model.hours[name] += rest[0]

        own_ids: dict[str, set[str]] = {}
        for team, chat in chats.items():
            model = models[team]
            projects = await chat.say("project list page:1")
            listed = {item.split("*")[1] for item in projects.items}
            assert listed == set(model.hours)
            own_ids[team] = {item.split(" ")[0] for item in projects.items}
            clients = await chat.say("client list")
            assert {item.split("*")[1] for item in clients.items} == model.clients
            for name, hours in model.hours.items():
                shown = text_of(await chat.say(f"project show {name}"))
                assert f"Hours logged: {hours:.2f}".rstrip("0").rstrip(".") in shown
        # Ids of another workspace's projects are unknown here.
        for team, chat in chats.items():
            for other_team, ids in own_ids.items():
                for project_id in ids - own_ids[team] if other_team != team else ():
                    reply = await chat.say(f"project show {project_id}")
                    assert reply.status == "error" and "There is no project" in reply.text
    finally:
        await db.dispose()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_workspaces_never_see_each_other(reset_database: Callable[[], str],
                                         ops: list[tuple]) -> None:
    asyncio.run(_exercise(reset_database(), ops))
