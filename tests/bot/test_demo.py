"""The demo workspace: built through the real commands, its meetings answer questions."""

from __future__ import annotations

from pathlib import Path

from bot.core import Request, Upload
from bot.demo import load_demo
from storage import Database
from storage.embeddings import MiniLMEmbedding
from tests.bot.test_answers import Desk
from tests.conftest import Chat, Clock, text_of


async def test_the_demo_answers_from_its_meetings(db: Database, clock: Clock, tmp_path: Path,
                                                  embedding: MiniLMEmbedding) -> None:
    desk = Desk(db, clock, tmp_path, embedding)

    def request(text: str, files: tuple[Upload, ...]) -> Request:
        return Request(platform="console", team_id="local", user_id="me", text=text,
                       user_name="me", channel_id="console", files=files)

    replies = await load_demo(desk.dispatcher, request, clock.now.date())
    assert [r.text for r in replies if r.status == "error"] == []
    assert len(await desk.pipeline.run_until_idle()) == 2

    chat = Chat(desk.dispatcher, team="local", user="me", name="me", channel="console",
                platform="console")
    launch = await chat.ok("ask what did we decide about the launch date? project:website")
    assert launch.title == "About Website redesign"
    assert launch.text.startswith("“So we decided to move the launch date to the twelfth")
    actions = text_of(await chat.ok("actions"))
    assert "fix the contact form — Marco" in actions and "· *Website redesign*" in actions
    assert "actualizar los diseños — Sofía" in actions and "· *Mobile app MVP*" in actions
    # Within one project, the project goes without saying.
    assert "*Website redesign*" not in text_of(await chat.ok("actions website"))
    # The README's first session goes on with these.
    summary = await chat.ok("summarize yesterday's meeting on website")
    assert summary.title == "Summary of Launch review"
    marco = await chat.ok("what did Marco say?")
    assert marco.citations and all(" · Marco · " in c.detail for c in marco.citations)
    tasks = await chat.ok("Marco's tasks")
    assert tasks.title == "Action items for Marco" and "fix the contact form" in tasks.items[0]
    contact = await chat.ok("who is the contact for acme?")
    assert contact.text == "Client: Acme Corp · Ana Ruiz, ana@acme.com, +34 600 123 456."
