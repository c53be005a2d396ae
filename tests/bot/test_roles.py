"""The role × command matrix: every command, every role, enforced in the core."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands import registry
from bot.core import Role, Upload
from bot.ports import Services
from bot.retrieval.answers import Retriever
from bot.retrieval.indexing import TranscriptIndexer
from bot.transcripts.pipeline import TranscriptPipeline
from storage import Database
from storage.embeddings import MiniLMEmbedding
from storage.search_index import SearchIndex
from tests.conftest import Chat, Clock

# One runnable invocation per command. Each is checked against every role.
INVOCATIONS = {
    # Meetings first, before `project delete` removes them. The setup's meetings are #1
    # (tomorrow) and #2 (yesterday, with the transcript); the tester's own are #3 (schedule)
    # and #4 (now).
    "meeting schedule": "meeting schedule web tomorrow 3pm with @ana",
    "meeting now": "meeting now web",
    "meeting log": "meeting log web yesterday 3pm",
    "meeting list": "meeting list",
    "meeting show": "meeting show #1",
    "meeting update": "meeting update #4 title:Renamed",
    "meeting join": "meeting join #1",
    "meeting leave": "meeting leave #1",
    "meeting invite": "meeting invite #1",
    "meeting uninvite": "meeting uninvite #3 ana",
    "meeting cancel": "meeting cancel #4",
    "transcript add": "transcript add #2",  # with a file: see FILES
    "transcript list": "transcript list",
    "transcript show": "transcript show 1",
    "transcript resummarize": "transcript resummarize 1",
    "actions": "actions",
    "actions done": "actions done {action}",
    "day": "day tomorrow",
    "transcript delete": "transcript delete 1 --yes",  # after `actions done`: its items go too
    "project list": "project list",
    "project create": "project create Fresh",
    "project show": "project show web",
    "project update": "project update web progress:10",
    "project delete": "project delete web --yes",
    "project log": "project log 1 web",
    "project stats": "project stats web",
    "project bind": "project bind web",
    "client list": "client list",
    "client create": "client create Fresh",
    "client show": "client show acme",
    "client update": "client update acme segment:retail",
    "client archive": "client archive acme",
    "client delete": "client delete acme --yes",
    "ask": "ask what did we decide? project:web",
    "search": "search budget project:web",
    "insights": "insights web",
    "role": "role",
    "settings": "settings",
    "help": "help",
}


@pytest.fixture
def services(clock: Clock, pipeline: TranscriptPipeline, db: Database, tmp_path: Path,
             embedding: MiniLMEmbedding) -> Services:
    """With search too: `ask`, `search` and `insights` are in the matrix."""
    index = SearchIndex(path=tmp_path / "chroma", embedding=embedding)
    pipeline.indexer = TranscriptIndexer(db, index)
    return Services(clock=clock, transcripts=pipeline, retriever=Retriever(index))


FILES = {"transcript add": (Upload("call.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:05.000\n"
                                                b"<v Ana>I'll send the budget by Friday.\n"),)}


def test_every_command_is_in_the_matrix() -> None:
    assert set(INVOCATIONS) == {c.name for c in registry}


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.label)
async def test_role_matrix(chat: Chat, pipeline: TranscriptPipeline, role: Role) -> None:
    await chat.ok("client create Acme")
    await chat.ok("project create Web client:acme")
    other = chat.as_user("U9", "Tester")
    await other.ok("help")
    await chat.ok("meeting schedule web tomorrow 10am with Tester")  # a guest joins if invited
    await chat.ok("meeting log web yesterday 10am")
    added = await chat.say("transcript add #2", files=FILES["transcript add"])
    assert added.status == "ok", added.text
    await pipeline.run_until_idle()
    action = (await chat.ok("actions")).items[0].split()[0].lstrip("#")
    if role is not Role.MEMBER:
        await chat.ok(f"role Tester {role.label}")
    for name, text in INVOCATIONS.items():
        needed = registry.get(name).role  # type: ignore[union-attr]
        reply = await other.say(text.format(action=action), files=FILES.get(name, ()))
        if role >= needed:
            assert reply.status != "error", f"{role.label} should run {name}: {reply.text}"
        else:
            assert reply.status == "error", f"{role.label} should not run {name}"
            assert f"needs the {needed.label} role" in reply.text
        # Restore what destructive commands removed so later rows test the same thing.
        if name in {"project delete", "client delete"} and reply.status != "error":
            await chat.ok("client create Acme" if name == "client delete" else "project create Web")
        if name == "client archive" and reply.status != "error":
            await chat.ok("client archive acme --undo")
