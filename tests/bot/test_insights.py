"""Insights end to end: the risks in a project's numbers, and a model's narrative of them."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import openai
import pytest

from bot.ports import LanguageModel
from storage import Database
from storage.embeddings import MiniLMEmbedding
from tests.bot.test_answers import LAUNCH, Desk
from tests.conftest import Clock
from tests.fakes.openai_server import FakeOpenAI


@pytest.fixture
def desk(db: Database, clock: Clock, tmp_path: Path, embedding: MiniLMEmbedding) -> Desk:
    return Desk(db, clock, tmp_path, embedding)


async def test_insights_name_the_risks(desk: Desk, clock: Clock) -> None:
    await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH)
    await desk.chat.ok("project update website progress:10")
    for days_ago in range(3):  # a day holds 24 hours at most
        await desk.chat.ok(f"project log 20 website on:{clock.now.date() - timedelta(days_ago)}")
    await desk.chat.ok("meeting now website title:Unsummarised")
    clock.advance(days=20)  # the Friday action item is overdue, the last call long ago
    reply = await desk.chat.ok("insights website")
    risks = "\n".join(i for i in reply.items if i.startswith("⚠"))
    assert "Budget used 60% at 10% progress" in risks
    assert "final budget" in risks
    assert "Last meeting 20 days ago" in risks
    assert "1 past meeting has no summary yet: Unsummarised" in risks
    assert "1 overdue action item: " in risks
    # The budget is for managers, as in `project stats`; the hours are for everyone.
    member = await desk.chat.as_user("U2", "Bea").ok("insights website")
    assert not any("Budget" in item for item in member.items)
    assert any(item.startswith("⚠ Hours: 60 of 100") for item in member.items)
    # No project named or bound: every active project, each risk naming its project.
    await desk.chat.ok("project create Mobile")
    every = await desk.chat.ok("insights")
    assert every.title == "Insights for every active or planned project"
    assert every.text == "1 of 2 active or planned projects has risks."
    assert "⚠ *Website*: Budget used 60% at 10% progress." in every.items
    assert not any("*Mobile*" in item for item in every.items)
    # In a channel bound to one project, `--every` still looks at them all.
    await desk.chat.ok("project bind mobile")
    assert (await desk.chat.ok("insights")).title == "Insights for Mobile"
    assert (await desk.chat.ok("insights --every")).items == every.items
    both = await desk.chat.say("insights website --every")
    assert both.status == "error" and "not both" in both.text

    await desk.chat.ok("meeting now website title:Standup")
    clock.now = datetime.combine(clock.now.date() + timedelta(days=1), time(0, 1), tzinfo=UTC)
    later = await desk.chat.ok("insights website")  # minutes or hours later, but the next day
    assert "Last meeting 1 day ago (Standup)." in later.items


async def test_ask_tells_the_risks_and_how_a_project_is_going(desk: Desk, clock: Clock) -> None:
    await desk.chat.ok("project create Website budget:1000 rate:100 estimate:10")
    await desk.chat.ok("project update website progress:10 due:2020-01-01")
    await desk.chat.ok("project create Mobile")
    await desk.chat.ok("project log 8 website")
    risks = await desk.chat.ok("any risks on website?")
    assert risks.title == "About Website"
    assert "⚠ Budget used 80% at 10% progress." in risks.text
    assert "⚠ Past its due date (Jan 1, 2020)." in risks.text
    assert (await desk.chat.ok("¿hay riesgos en mobile?")).text == "No risks found."
    # Its numbers at a glance, without the line that merely says "website".
    await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH, new_project=False)
    going = await desk.chat.ok("how is the website doing?")
    assert "Status: planning, 10% done." in going.text
    assert "Hours logged: 8 of 10 estimated." in going.text
    assert "⚠ Budget used 80% at 10% progress." in going.text and not going.citations


async def test_a_language_model_tells_the_risks_in_a_few_sentences(
        db: Database, clock: Clock, tmp_path: Path, embedding: MiniLMEmbedding) -> None:
    async with FakeOpenAI() as fake:
        client = openai.AsyncOpenAI(api_key="test", base_url=fake.base_url, max_retries=0)
        desk = Desk(db, clock, tmp_path, embedding, LanguageModel(client, "test-model"))
        await desk.chat.ok("project create Website budget:1000 rate:100 estimate:10")
        await desk.chat.ok("project log 8 website")
        fake.chat.append("Website has used most of its budget with little progress to show.")
        told = await desk.chat.ok("insights website")
        assert told.text == "Website has used most of its budget with little progress to show."
        assert "⚠ Budget used 80% at 0% progress." in told.items  # the findings stay listed
        sent = fake.requests[-1][1]["messages"][1]["content"]
        assert "Budget used 80% at 0% progress." in sent and '"project": "Website"' in sent
        # The model down: the findings alone.
        fake.fail_next(status=500)
        alone = await desk.chat.ok("insights website")
        assert alone.text == "" and "⚠ Budget used 80% at 0% progress." in alone.items
