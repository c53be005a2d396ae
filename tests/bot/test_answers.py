"""Grounded answers end to end: index, ask, search, threads and free text."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openai
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import registry
from bot.core import Upload
from bot.dispatcher import Dispatcher
from bot.ports import LanguageModel, Services
from bot.retrieval.answers import Retriever
from bot.retrieval.indexing import TranscriptIndexer
from bot.retrieval.translation import ApertiumTranslator, QuestionTranslator
from bot.transcripts.pipeline import TranscriptPipeline
from bot.transcripts.stt import WhisperTranscriber
from bot.transcripts.summarize import ExtractiveSummarizer
from storage import Database
from storage.embeddings import MiniLMEmbedding, OpenAIEmbedding
from storage.search_index import SearchIndex
from tests.conftest import Chat, Clock, Outbox, text_of
from tests.fakes.openai_server import FakeOpenAI, tool_call

LAUNCH = """WEBVTT

00:00:01.000 --> 00:00:06.000
<v Ana>Welcome everyone, this is the launch review for the website.

00:00:06.500 --> 00:00:12.000
<v Luis>The staging site is ready and the client approved the designs last week.

00:00:12.500 --> 00:00:18.000
<v Ana>We decided to move the launch date to the first of March, after the content freeze.

00:00:18.500 --> 00:00:24.000
<v Luis>I will send the final budget to the client by Friday.
"""
HIRING = """WEBVTT

00:00:01.000 --> 00:00:08.000
<v Bea>We need two more backend developers before the summer for the mobile app.

00:00:08.500 --> 00:00:15.000
<v Carl>The recruiter will share a shortlist of candidates next week.
"""
LANZAMIENTO = """WEBVTT

00:00:01.000 --> 00:00:06.000
<v Lucía>Bienvenidos, hoy repasamos cómo va la tienda en línea.

00:00:06.500 --> 00:00:12.000
<v Pablo>Decidimos mover la fecha de lanzamiento al quince de marzo.

00:00:12.500 --> 00:00:18.000
<v Lucía>Pablo enviará el presupuesto final al cliente el viernes.
"""


class Desk:
    """A workspace with the real pipeline, index and retriever."""

    def __init__(self, db: Database, clock: Clock, tmp_path: Path,
                 embedding: MiniLMEmbedding, llm: LanguageModel | None = None,
                 translator: QuestionTranslator | None = None) -> None:
        self.outbox = Outbox()
        self.index = SearchIndex(path=tmp_path / "chroma", embedding=embedding)
        self.pipeline = TranscriptPipeline(
            db, self.outbox, transcriber=WhisperTranscriber(),
            summarizer=ExtractiveSummarizer(), uploads=tmp_path / "uploads",
            indexer=TranscriptIndexer(db, self.index), clock=clock)
        self.dispatcher = Dispatcher(db, registry, services=Services(
            clock=clock, transcripts=self.pipeline,
            retriever=Retriever(self.index, translator=translator), llm=llm))
        self.chat = Chat(self.dispatcher)

    async def meeting_with(self, chat: Chat, project: str, title: str, vtt: str, *,
                           new_project: bool = True, language: str | None = None) -> None:
        if new_project:
            await chat.ok(f"project create {project} budget:10000 rate:100 estimate:100")
        reply = await chat.ok(f'meeting now {project} title:"{title}"')
        number = re.search(r"meeting join #(\d+)", " ".join(b.command for b in reply.buttons))
        assert number
        spoken = f" language:{language}" if language else ""
        added = await chat.say(f"transcript add #{number[1]}{spoken}",
                               files=(Upload(f"{title}.vtt", vtt.encode()),))
        assert added.status == "ok", added.text
        await self.pipeline.run_until_idle()


@pytest.fixture
def desk(db: Database, clock: Clock, tmp_path: Path, embedding: MiniLMEmbedding) -> Desk:
    return Desk(db, clock, tmp_path, embedding)


async def test_ask_answers_with_the_moment_it_was_said(desk: Desk, clock: Clock) -> None:
    await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH)
    await desk.meeting_with(desk.chat, "Mobile", "Hiring sync", HIRING)
    # Each line's vector was stored when the transcript was indexed.
    assert len(desk.index.line_vectors_sync(1, 1, [0, 1, 2, 3])) == 4
    reply = await desk.chat.ok("ask what did we decide about the launch date? project:website")
    assert "move the launch date to the first of March" in reply.text
    assert reply.citations and reply.citations[0].label == "[1]"
    cited = reply.citations[0].detail
    assert cited.startswith("Launch review · ") and cited.endswith(" · Ana · 0:12")

    elsewhere = await desk.chat.ok("ask what did we decide about the launch date? "
                                   "project:mobile")
    assert "found nothing" in elsewhere.text and not elsewhere.citations
    # Close by the shape of the question alone ("what did we agree about …"), with no word
    # of its subject in common: no answer.
    shaped = await desk.chat.ok("ask what did we agree about SharePoint? project:website")
    assert "found nothing" in shaped.text and not shaped.citations, shaped.text

    found = await desk.chat.ok("search candidates shortlist project:mobile")
    assert "recruiter will share a shortlist" in found.items[0] and "Carl · 0:08" in found.items[0]
    for wordless in ("ask ???", "search ***"):
        refused = await desk.chat.say(wordless)
        assert refused.status == "error" and "needs words to look for" in refused.text


async def test_an_unbound_question_is_asked_of_the_project_it_is_about(desk: Desk) -> None:
    await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH)
    await desk.meeting_with(desk.chat, "Mobile", "Hiring sync", HIRING)
    launch = await desk.chat.ok("ask what did we decide about the launch date?")
    assert launch.title == "About Website"
    assert launch.citations[0].detail.startswith("Launch review · ")
    hiring = await desk.chat.ok("ask when will the recruiter share the candidates?")
    assert hiring.title == "About Mobile"
    assert all(c.detail.startswith("Hiring sync · ") for c in hiring.citations)
    found = await desk.chat.ok("search content freeze")
    assert found.items and all("Launch review · " in item for item in found.items)
    # A project the question names, or its client, is the one asked about, even when its
    # meetings hold nothing closer than another project's.
    budget = await desk.chat.ok("ask what is the budget of Mobile?")
    assert budget.title == "About Mobile" and "10,000" in budget.text
    # The rate it bills at, for managers and up as in `project show`.
    rate = "ask what is the hourly rate of mobile?"
    assert "Hourly rate: $100.00." in (await desk.chat.ok(rate)).text
    assert "Hourly rate" not in (await desk.chat.as_user("U9", "Zoe").ok(rate)).text
    await desk.chat.ok("client create Initech")
    await desk.chat.ok("project update mobile client:initech")
    await desk.chat.ok("project create Intranet client:initech status:completed")
    client = await desk.chat.ok("ask what did Initech decide about the launch date?")
    assert client.title == "About Mobile" and not client.citations
    # A word of just one name is enough: "the brand" for "Brand refresh".
    await desk.chat.ok("project create Brand refresh budget:5000")
    brand = await desk.chat.ok("ask what is the budget of the brand?")
    assert brand.title == "About Brand refresh" and "5,000" in brand.text
    assert (await desk.chat.ok("what's the budget for brand?")).title == "About Brand refresh"
    # Nothing close in any project: which one is meant must be said.
    lost = await desk.chat.say("ask is the espresso machine in the kitchen fixed yet?")
    assert lost.status == "error" and "Nothing in any project's meetings" in lost.text
    # The channel's project always comes first, even when another would answer.
    await desk.chat.ok("project bind mobile")
    bound = await desk.chat.ok("ask what did we decide about the launch date?")
    assert bound.title == "About Mobile" and not bound.citations
    # There a whole name still picks its project; a word of one does not.
    named = await desk.chat.ok("ask what did we decide about the launch date on Website?")
    assert named.title == "About Website" and named.citations
    assert (await desk.chat.ok("ask is the brand budget spent?")).title == "About Mobile"
    assert (await desk.chat.ok("how is the brand budget looking?")).title == "About Mobile"
    # A follow-up stays in its question's project, unless it names another.
    await desk.chat.ok("ask what is the budget of Website?")
    assert (await desk.chat.ok("ask and the hours?")).title == "About Website"
    assert (await desk.chat.ok("ask and Brand refresh?")).title == "About Brand refresh"


async def test_hours_for_a_stretch_of_days(desk: Desk, clock: Clock) -> None:
    clock.now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # a Thursday
    await desk.meeting_with(desk.chat, "Website launch", "Launch review", LAUNCH)
    for hours, day in ((2, "2026-11-24"), (3, "2026-11-18"), (4, "2026-10-30")):
        await desk.chat.ok(f"project log {hours} website on:{day}")
    # A line that mentions hours is no answer to how many were logged.
    await desk.meeting_with(desk.chat, "Website launch", "Estimates", ESTIMATES,
                            new_project=False)
    # The project's name is no subject: lines about the launch are not quoted with the hours.
    week = await desk.chat.ok("how many hours did we log on Website launch this week?")
    assert week.text == "Hours logged this week: 2 (9 in all)." and not week.citations
    last = await desk.chat.in_thread("t2").ok("how many hours went into the launch last week?")
    assert last.text == "Hours logged last week: 3 (9 in all)."
    month = await desk.chat.in_thread("t3").ok("¿cuántas horas registramos el mes pasado en "
                                                "website?")
    assert month.text == "Hours logged last month: 4 (9 in all)."
    # Naming no project, with several and none bound: each one's hours in that stretch.
    await desk.chat.ok("project create Mobile")
    await desk.chat.ok("project log 1.5 mobile on:2026-11-25")
    everywhere = await desk.chat.in_thread("t4").ok("how many hours did we log this week?")
    assert everywhere.title == "Hours logged this week: 3.5"
    assert everywhere.items == ["*Website launch*: 2 h", "*Mobile*: 1.5 h"]
    nothing = await desk.chat.in_thread("t5").ok("¿cuántas horas registramos hoy?")
    assert nothing.text == "No hours logged today in any project."
    # No stretch named: so far; "who …": each person's, across projects. "And …" asks again.
    thread = desk.chat.in_thread("t7")
    so_far = await thread.ok("how many hours have we logged?")
    assert so_far.title == "Hours logged so far: 10.5"
    assert so_far.items == ["*Website launch*: 9 h", "*Mobile*: 1.5 h"]
    await desk.chat.as_user("U2", "Luis").ok("project log 2 mobile on:2026-11-20")
    people = await thread.ok("who logged the most hours?")
    assert people.title == "Hours logged so far, by person: 12.5"
    assert people.items == ["*Ana*: 10.5 h", "*Luis*: 2 h"]
    week = await thread.ok("and last week?")
    assert week.title == "Hours logged last week, by person: 5"
    assert week.items == ["*Ana*: 3 h", "*Luis*: 2 h"]
    month = await thread.ok("and last month?")  # one more step still asks of the hours
    assert month.title == "Hours logged last month, by person: 4", month.text
    # Someone named: theirs, project by project; none logged, said so.
    luis = await desk.chat.in_thread("t8").ok("how many hours did Luis log?")
    assert (luis.title, luis.items) == ("Hours Luis logged so far: 2", ["*Mobile*: 2 h"])
    await desk.chat.as_user("U3", "Marco").ok("help")
    marco = await desk.chat.in_thread("t9").ok("¿cuántas horas registró Marco esta semana?")
    assert marco.text == "Marco logged no hours this week.", marco.text
    for mine in ("how many hours did I log?", "¿cuántas horas he registrado?"):
        asked = await desk.chat.as_user("U2", "Luis").in_thread(mine).ok(mine)
        assert (asked.title, asked.items) == ("Hours Luis logged so far: 2", ["*Mobile*: 2 h"])
    # A bound channel still means its project.
    await desk.chat.ok("project bind mobile")
    bound = await desk.chat.in_thread("t6").ok("how many hours did we log this week?")
    assert bound.text == "Hours logged this week: 1.5 (3.5 in all)."


async def test_the_clients_record_says_who_to_reach(desk: Desk) -> None:
    await desk.chat.ok('client create Acme company:"Acme Corp" contact:"Marta Gómez" '
                       'email:marta@acme.com billing_email:billing@acme.com')
    await desk.chat.ok("project create Website client:acme")
    await desk.meeting_with(desk.chat, "Website", "QA review", CONTACT_FORM, new_project=False)
    # The record answers; the line that happens to say "contact" is not quoted with it.
    contact = await desk.chat.ok("ask who is the contact for acme?")
    assert contact.text == "Client: Acme Corp · Marta Gómez, marta@acme.com."
    assert not contact.citations
    # A contact detail asked of the client by its name.
    for detail in ("what is acme's email?", "¿cuál es el correo de acme?"):
        said = await desk.chat.in_thread(detail).ok(f"ask {detail}")
        assert said.text == "Client: Acme Corp · Marta Gómez, marta@acme.com.", detail
    # Billing details are for managers, as in `client show`.
    owner = await desk.chat.ok("ask what's the billing email of acme?")
    assert "Billing: billing@acme.com." in owner.text
    member = await desk.chat.as_user("U2", "Bea").ok("ask what's the billing email of acme?")
    assert member.text == "Billing details are shown to managers and up.", member.text
    rate = await desk.chat.as_user("U2", "Bea").ok("ask what is the hourly rate of website?")
    assert rate.text == "Budgets and rates are shown to managers and up.", rate.text
    # A question about the contact form is about the meetings, not about the client.
    for about_the_work in ("ask who will fix the contact form?", "ask what about older phones?"):
        form = await desk.chat.in_thread(about_the_work).ok(about_the_work)
        assert "Client:" not in form.text, about_the_work
        assert form.citations[0].detail.endswith(" · Luis · 0:01")
    form = await desk.chat.in_thread("es").ok("ask ¿quién arregla el formulario de contacto?")
    assert "Cliente:" not in form.text and "Client:" not in form.text
    # Who is on it: who logs hours and who speaks in its meetings.
    await desk.chat.ok("project log 3 website")
    await desk.chat.as_user("U2", "Bea").ok("project log 1.5 website")
    for who in ("ask who is working on the website?", "ask ¿quién trabaja en website?",
                "who logged the most hours on website?"):
        team = await desk.chat.in_thread(who).ok(who)
        assert "Ana (3 h), Bea (1.5 h)" in team.text, who
        assert "Luis, Marta" in team.text and not team.citations, who
    bea = await desk.chat.in_thread("bea").ok("ask how many hours did Bea log on website?")
    assert bea.text == "Hours logged: 4.5.\nBea: 1.5 h."
    # A subject besides the record keeps the meetings' lines too.
    both = await desk.chat.ok("ask what's the phone of the client and when is the demo?")
    assert both.text.startswith("Client: Acme Corp") and both.citations


CONTACT_FORM = """WEBVTT

00:00:01.000 --> 00:00:06.000
<v Luis>I will fix the contact form on older phones by Friday.

00:00:06.500 --> 00:00:12.000
<v Marta>The client wants a demo of the new checkout next Thursday.
"""


BUDGET_CALL = """WEBVTT

00:00:01.000 --> 00:00:07.000
<v Marta>If the client cuts the budget, the launch date slips to April.

00:00:07.500 --> 00:00:12.000
<v Ana>Then we keep the budget and launch in March.
"""


async def test_a_named_meeting_narrows_ask_and_search(desk: Desk, clock: Clock) -> None:
    await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH)
    clock.advance(days=2)
    await desk.meeting_with(desk.chat, "Website", "Budget call", BUDGET_CALL,
                            new_project=False)
    await desk.chat.ok("project create Mobile")
    question = "ask what did we decide about the launch date?"

    both = await desk.chat.ok(f"{question} project:website")
    assert {c.detail.split(" · ")[0] for c in both.citations} == {"Launch review",
                                                                  "Budget call"}
    # The project is the meeting's; the title is matched whatever its case.
    narrowed = await desk.chat.ok(f'{question} meeting:"launch review"')
    assert narrowed.citations and all(c.detail.startswith("Launch review · ")
                                      for c in narrowed.citations)
    assert narrowed.title == "About Website · Launch review"
    # A question that names a meeting by its title is asked of that meeting alone.
    named = await desk.chat.ok("ask what did Marta say in the budget call about when we launch? "
                               "project:website")
    assert named.title == "About Website · Budget call"
    assert named.citations and all(c.detail.startswith("Budget call · ")
                                   for c in named.citations)
    # Marta's line first: she is who the question asks about. No "last meeting" fact: the
    # title's "call" is not a question about meetings.
    assert named.citations[0].detail.endswith(" · Marta · 0:01")
    assert "Last meeting" not in named.text
    # A follow-up in the thread stays in the project and meeting the question before it was
    # about, whether it named the meeting or gave it as `meeting:`.
    hosting = await desk.chat.ok("ask and the launch date?")
    assert hosting.title == "About Website · Budget call"
    assert hosting.citations and all(c.detail.startswith("Budget call · ")
                                     for c in hosting.citations)
    await desk.chat.ok('ask who approved the designs? meeting:"Launch review"')
    approved = await desk.chat.ok("ask and the staging site?")
    assert approved.title == "About Website · Launch review"
    assert approved.citations and all(c.detail.startswith("Launch review · ")
                                      for c in approved.citations)
    # Outside a thread, a question half an hour later is a new one, asked of the project.
    clock.advance(minutes=31)
    later = await desk.chat.ok("ask and the staging site?")
    assert later.title == "About Website"
    # In a thread, the conversation goes on however long the pause.
    thread = desk.chat.in_thread("1700000000.000100")
    await thread.ok('ask who approved the designs? meeting:"Launch review"')
    clock.advance(hours=5)
    resumed = await thread.ok("ask and the staging site?")
    assert resumed.title == "About Website · Launch review"
    # A meeting it names that has nothing on it (no transcript yet): the project answers.
    await desk.chat.ok("meeting log website 1 hour ago Kickoff")
    kickoff = await desk.chat.ok("ask what did we decide about the launch date in the "
                                 "kickoff? project:website")
    assert kickoff.title == "About Website" and kickoff.citations
    found = await desk.chat.ok("search launch date meeting:#2")
    assert found.items and all("Budget call · " in item for item in found.items)
    nothing = await desk.chat.ok('search shortlist meeting:"Budget call"')
    assert nothing.text == "Nothing in Budget call matches `shortlist`."

    unset = await desk.chat.ok("ask what is the budget and the deadline? project:mobile")
    assert unset.text == "No budget is set.\nNo due date is set."
    unplanned = await desk.chat.ok("ask when do we meet next? project:mobile")
    assert unplanned.text == "No meeting is scheduled."
    elsewhere = await desk.chat.say(f"{question} meeting:#1 project:mobile")
    assert elsewhere.status == "error"
    assert "Meeting #1 (Launch review) is not one of Mobile's" in elsewhere.text
    misspelt = await desk.chat.say(f'{question} meeting:"Budgt cal"')
    assert misspelt.status == "error" and "Budget call" in misspelt.text, misspelt.text


async def test_what_someone_said_quotes_them(desk: Desk, clock: Clock) -> None:
    await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH)
    await desk.meeting_with(desk.chat, "Mobile", "Hiring sync", HIRING)
    clock.advance(days=1)
    # No subject, only a person (and a day): their lines, what the summary took from them
    # first; the person is what tells which project is meant.
    luis = await desk.chat.ok("ask what did Luis say yesterday?")
    assert luis.title == "About Website · Launch review"
    assert [c.detail.rsplit(" · ", 2)[1:] for c in luis.citations] == [["Luis", "0:18"],
                                                                       ["Luis", "0:06"]]
    assert luis.text.startswith("“I will send the final budget to the client by Friday.”")
    # With a subject, the subject ranks and the person only weighs in.
    budget = await desk.chat.ok("ask what did Ana say about the launch date? project:website")
    assert budget.citations[0].detail.endswith(" · Ana · 0:12")
    # "And Luis?" after it: Luis's lines alone.
    follow_up = await desk.chat.ok("ask and Luis?")
    assert follow_up.citations and all(c.detail.endswith((" · Luis · 0:18", " · Luis · 0:06"))
                                       for c in follow_up.citations)
    # Short like a follow-up, but about someone in another project's meetings.
    carl = await desk.chat.ok("ask what did Carl say?")
    assert carl.title == "About Mobile"
    assert carl.citations and all(" · Carl · " in c.detail for c in carl.citations)
    # A person and a subject: the line on the subject counts as found even though the
    # whole question ("what did Luis say about…") is further from it than the subject is.
    luis_budget = await desk.chat.ok("ask what did Luis say about the budget? project:website")
    assert luis_budget.citations[0].detail.endswith(" · Luis · 0:18")
    candidates = await desk.chat.ok("ask what did Carl say about candidates?")
    assert candidates.title == "About Mobile"
    assert candidates.citations[0].detail.endswith(" · Carl · 0:08")
    # "In the meeting", or the meeting by its title, says where, not about what: Luis's
    # lines, not the schedule nor the line that names the meeting.
    for where in ("what did Luis say in the meeting? project:website",
                  "what did Luis say in the launch review?", "¿qué dijo Luis en la reunión de "
                  "website?"):
        said = await desk.chat.in_thread(where).ok(f"ask {where}")
        assert said.citations and all(" · Luis · " in c.detail for c in said.citations), \
            (where, said.text)
        assert "No meeting is scheduled" not in said.text, where


async def test_a_meetings_summary_is_asked_for(desk: Desk, clock: Clock) -> None:
    await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH)
    await desk.chat.ok("project create Mobile")
    await desk.chat.ok("meeting log mobile 1 hour ago Kickoff")
    clock.advance(days=1)
    # No project named: yesterday's latest meeting tells which.
    # Nor a subject: the decisions its summary recorded, with where they were said.
    decided = await desk.chat.ok("ask what did we decide yesterday?")
    assert decided.title == "About Website · Launch review"
    assert decided.text.startswith("“We decided to move the launch date to the first of March")
    assert decided.citations[0].detail.endswith(" · Ana · 0:12")
    agreed = await desk.chat.ok("ask ¿qué acordamos? project:website")  # the latest meeting's
    assert agreed.title == "About Website · Launch review" and agreed.text == decided.text
    held = clock.now - timedelta(days=1)
    for question in ("ask summarize yesterday's meeting on website",
                     f"summarize the meeting of {held:%b} {held.day}",  # by its date too
                     "ask ¿qué pasó en la última reunión? project:website",
                     "give me a recap of the launch review", "notes from the launch review",
                     "el acta de la última reunión de website"):
        summary = await desk.chat.ok(question)
        assert summary.title == "Summary of Launch review", question
        assert any(item.startswith("Decision: We decided to move the launch date")
                   for item in summary.items)
    # A subject within the meeting is a question, not a request for the whole summary.
    budget = await desk.chat.ok("ask summarize what was said about the budget in the launch "
                                "review? project:website")
    assert budget.title == "About Website · Launch review" and budget.citations
    # Its action items, as `actions` lists them; the project's when no meeting is named.
    for question in ("what were the action items from the launch review?",
                     "action items from yesterday's meeting on website"):
        items = await desk.chat.ok(question)
        assert items.title == "Action items from Launch review", question
        [item] = items.items
        assert "send the final budget" in item and " — Luis · due " in item
    assert (await desk.chat.ok("ask what are the open tasks? project:website")).title == \
        "Action items of Website"
    # A task named: its own due date, not the project's.
    task_due = await desk.chat.in_thread("task").ok("ask when is the final budget due? "
                                                    "project:website")
    assert re.search(r"^#\d+ send the final budget to the client \(Luis\) is due ",
                     task_due.text, re.MULTILINE) and "\nDue " not in task_due.text, task_due.text
    # Once past their day, the overdue ones, not the project's due date.
    clock.advance(days=9)
    for question in ("how many overdue tasks does website have?",
                     "¿cuántas tareas atrasadas tiene website?"):
        late = await desk.chat.in_thread(question).ok(question)
        assert late.text.startswith("Overdue action items: 1. #") and \
            "send the final budget" in late.text and "Due " not in late.text, late.text
    pending = await desk.chat.ok("ask recap the last meeting project:mobile")
    assert pending.text == ("Kickoff has no summary yet: add its recording or transcript with "
                            "`/transcript add #2`.")


def _day(moment: datetime) -> str:
    return f"{moment:%b} {moment.day}, {moment.year}"


async def test_a_day_the_question_names_picks_that_days_meeting(desk: Desk,
                                                                clock: Clock) -> None:
    clock.now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # a Thursday: last week held none
    await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH)
    launch_day = clock.now.strftime("%A")
    clock.advance(days=2)
    await desk.meeting_with(desk.chat, "Website", "Budget call", BUDGET_CALL,
                            new_project=False)
    clock.advance(days=1)

    yesterday = await desk.chat.ok("ask what did we say yesterday about the launch date? "
                                   "project:website")
    assert yesterday.title == "About Website · Budget call"
    named = await desk.chat.ok(f"ask what did we decide in {launch_day}'s meeting about the "
                               "launch date? project:website")
    assert named.title == "About Website · Launch review"
    assert all(c.detail.startswith("Launch review · ") for c in named.citations)
    # "On <weekday>" names the meeting when the question looks back, not when it looks ahead.
    on_day = await desk.chat.in_thread("on").ok(f"ask what did we decide on {launch_day}? "
                                                "project:website")
    assert on_day.title == "About Website · Launch review", on_day.text
    # … as does a date by month and day, in either language.
    for asked in ("what did we decide on Nov 26?", "¿qué decidimos el 26 de noviembre?"):
        dated = await desk.chat.in_thread(asked).ok(f"ask {asked} project:website")
        assert dated.title == "About Website · Launch review", (asked, dated.text)
    ahead = await desk.chat.in_thread("ahead").ok(f"ask what is due on {launch_day}? "
                                                  "project:website")
    assert ahead.title == "About Website" and "No meeting" not in ahead.text
    # No meeting that day: the project's other meetings, saying so first.
    today = await desk.chat.ok("ask what did we decide today about the launch date? "
                               "project:website")
    assert today.title == "About Website"
    assert today.text.startswith(f"No meeting of Website was held on {_day(clock.now)}. From "
                                 "its other meetings:\n“"), today.text
    assert today.citations[0].detail.startswith("Launch review · ")
    day_before = clock.now - timedelta(days=2)
    said = await desk.chat.in_thread("last").ok(
        f"ask what did we say last {day_before:%A} about the launch date? project:website")
    assert said.text.startswith(f"No meeting of Website was held on {_day(day_before)}.")
    assert said.citations[0].detail.startswith("Launch review · ")
    assert day_before.weekday() == 4  # a Friday, "el viernes"
    for asked in (f"what did we decide last {day_before:%A}?", "¿qué decidimos el viernes pasado?"):
        decided = await desk.chat.in_thread(asked).ok(f"ask {asked} project:website")
        assert decided.title == "About Website" and decided.text.startswith(
            f"No meeting of Website was held on {_day(day_before)}. From its other meetings:\n"
            "“We decided to move the launch date"), (asked, decided.text)
    hours = await desk.chat.ok("ask how many hours did we log today? project:website")
    assert not hours.text.startswith("No meeting"), hours.text  # its numbers answer that
    # A week named: none held in it, said so, then the project's other meetings.
    monday = clock.now.date() - timedelta(days=clock.now.weekday() + 7)
    week = await desk.chat.in_thread("week").ok("ask what did we decide last week? "
                                                "project:website")
    assert week.text.startswith(f"No meeting of Website was held from {_day(monday)} to "
                                f"{_day(monday + timedelta(days=6))}."), week.text
    # Its decisions are quoted, as for a day, and the heading names no meeting of another day.
    assert week.title == "About Website" and "From its other meetings:" in week.text, week.text


async def test_search_finds_every_line_that_holds_the_word(desk: Desk) -> None:
    await desk.meeting_with(desk.chat, "Landing", "Kickoff", LEADS)
    found = await desk.chat.ok("search Salesforce project:landing")
    # Both lines say it, however far the long one's meaning is from the one word.
    assert len(found.items) == 2 and all("Salesforce" in item for item in found.items)
    # With no project named, the one whose meetings hold the word is searched.
    await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH)
    anywhere = await desk.chat.ok("search Salesforce")
    assert len(anywhere.items) == 2, text_of(anywhere)


async def test_what_is_deleted_leaves_the_index(desk: Desk, db: Database) -> None:
    await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH)
    await desk.meeting_with(desk.chat, "Mobile", "Hiring sync", HIRING)
    await desk.meeting_with(desk.chat, "Shop", "Lanzamiento", LANZAMIENTO, language="es")
    assert desk.index.count_sync(1, transcript_id=1) > 0
    question = "ask what did we decide about the launch date? project:website"
    assert (await desk.chat.ok(question)).citations

    asked = await desk.chat.ok("transcript delete launch review")  # its meeting, in words
    assert asked.text.startswith("This deletes transcript #1 (Launch review.vtt) of Launch "
                                 "review, with its summary and action items.")
    assert (await desk.chat.ok(asked.buttons[0].command)).text == "Transcript #1 deleted."
    assert desk.index.count_sync(1, transcript_id=1) == 0
    assert "found nothing" in (await desk.chat.ok(question)).text

    asked = await desk.chat.ok("project delete mobile")
    assert "everything in it: 0 h logged, 1 meeting and 1 transcript." in asked.text
    await desk.chat.ok(asked.buttons[0].command)
    assert desk.index.count_sync(1, transcript_id=2) == 0
    assert desk.index.count_sync(1, transcript_id=3) > 0  # another project's stays

    # A process that stopped between the commit and the index's delete left chunks behind:
    # the next start's sweep drops them, and only them.
    async with db.transaction() as store:
        transcript = await store.scoped(1).transcript(3)
        assert transcript is not None
        await store.scoped(1).delete(transcript)
    assert desk.index.count_sync(1, transcript_id=3) > 0
    assert await desk.pipeline.indexer.sweep() == 1  # type: ignore[union-attr]
    assert desk.index.count_sync(1) == 0
    assert await desk.pipeline.indexer.sweep() == 0  # type: ignore[union-attr]


async def test_a_past_meeting_answers_once_its_transcript_is_searchable(desk: Desk) -> None:
    await desk.chat.ok("project create Website")
    await desk.chat.ok('meeting log website yesterday 3pm title:"Launch review"')
    added = await desk.chat.say("transcript add #1", files=(Upload("launch.vtt", LAUNCH.encode()),))
    assert added.status == "ok", added.text
    question = "what did we decide about the launch date? project:website"
    early = await desk.chat.ok(f"ask {question}")
    assert "still being processed" in early.text and not early.citations
    assert "still being processed" in (await desk.chat.ok(f"search {question}")).text
    await desk.pipeline.run_until_idle()
    reply = await desk.chat.ok(f"ask {question}")
    assert "move the launch date to the first of March" in reply.text
    assert reply.citations[0].detail.startswith("Launch review · ")
    assert "still being processed" not in reply.text
    # An answer found while a newer transcript waits says so: that one may say otherwise.
    await desk.chat.ok('meeting log website 1 hour ago title:"Photo sync"')
    newer = LAUNCH.replace("first of March", "twelfth of March")
    added = await desk.chat.say("transcript add #2", files=(Upload("photos.vtt", newer.encode()),))
    assert added.status == "ok", added.text
    waiting = await desk.chat.ok(f"ask {question}")
    assert waiting.citations and waiting.text.endswith(
        "Some of its transcripts are still being processed; ask again once their summaries "
        "are posted."), waiting.text


async def test_a_new_embedding_model_is_filled_from_the_stored_segments(
        db: Database, clock: Clock, tmp_path: Path, embedding: MiniLMEmbedding) -> None:
    before = Desk(db, clock, tmp_path, embedding)
    await before.meeting_with(before.chat, "Website", "Launch review", LAUNCH)
    assert before.index.transcript_ids_sync(1) == {1}
    async with FakeOpenAI() as fake:
        # OPENAI_API_KEY set: same data folder, another model, so empty collections of its own.
        after = Desk(db, clock, tmp_path, OpenAIEmbedding(api_key="k", base_url=fake.base_url))
        assert after.index.collection_name(1) != before.index.collection_name(1)
        assert after.index.transcript_ids_sync(1) == set()
        indexer = after.pipeline.indexer
        assert indexer is not None
        assert await indexer.backfill() == 1
        assert await indexer.backfill() == 0  # nothing left: the next start does nothing
        found = await after.chat.ok("search launch date project:website")
    # The fake's vectors mean nothing, so which line is quoted is arbitrary; the meeting is not.
    assert found.items and "Launch review" in found.items[0]
    assert before.index.transcript_ids_sync(1) == {1}  # the old model's collection is kept


async def test_a_question_costs_one_embedding_request(db: Database, clock: Clock,
                                                     tmp_path: Path) -> None:
    async with FakeOpenAI() as fake:
        desk = Desk(db, clock, tmp_path, OpenAIEmbedding(api_key="k", base_url=fake.base_url))
        await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH)

        def requests() -> int:
            return fake.paths().count("/v1/embeddings")

        indexed = requests()
        # The search and the line ranking share the question's vector; lines have theirs.
        await desk.chat.ok("ask what did we decide about the launch date? project:website")
        assert requests() == indexed + 1
        await desk.chat.ok("search what did we decide about the launch date? project:website")
        assert requests() == indexed + 1  # the same question again: no request at all


async def test_a_text_transcript_is_taken_in_the_language_it_is_written_in(
        desk: Desk, db: Database) -> None:
    await desk.chat.ok("settings language:es")  # a Spanish team, an English client call
    await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH)
    await desk.meeting_with(desk.chat, "Shop", "Lanzamiento", LANZAMIENTO)
    await desk.meeting_with(desk.chat, "Mobile", "Hiring sync", HIRING, language="es")
    async with db.transaction() as store:
        spoken = [(await store.scoped(1).transcript(n)).language  # type: ignore[union-attr]
                  for n in (1, 2, 3)]
    assert spoken == ["en", "es", "es"]  # what it says it is, unless told otherwise
    assert desk.index.languages_sync(1, 1) == {"en"}
    answer = await desk.chat.ok("ask what did we decide about the launch date? project:website")
    assert "first of March" in answer.text


async def test_a_short_question_about_another_project_is_no_follow_up(desk: Desk) -> None:
    await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH)
    await desk.meeting_with(desk.chat, "Mobile", "Hiring sync", HIRING)
    # No project named, none bound: the meeting's title tells which one.
    titled = await desk.chat.in_thread("t0").ok("what did we decide in the launch review?")
    assert titled.title == "About Website · Launch review", titled.text
    chat = desk.chat.in_thread("t1")
    await chat.ok("ask what did we decide about the launch date? project:website")
    # Short, so it could follow up; but nothing of Website's is about it, and Mobile's is.
    other = await chat.ok("who shares the shortlist?")
    assert other.title == "About Mobile", other.text
    assert "recruiter will share a shortlist" in other.text
    assert "launch date" not in other.text  # not the earlier question's lines again
    # A follow-up that names another project asks the same of it.
    chat = desk.chat.in_thread("t2")
    await chat.ok("what's the status of website?")
    mobile = await chat.ok("and mobile?")
    assert mobile.title == "About Mobile" and "Status: " in mobile.text, mobile.text
    # Options at the end of free text are taken as a command takes them.
    told = await desk.chat.in_thread("t3").ok('who shares the shortlist? project:"website"')
    assert told.title == "About Website" and "found nothing" in told.text, told.text
    found = await desk.chat.in_thread("t4").ok("busca shortlist project:mobile")
    assert "recruiter will share a shortlist" in text_of(found)


async def test_a_project_named_with_a_typo_is_still_the_one_asked_about(desk: Desk) -> None:
    await desk.chat.ok("project create Website budget:1000")
    await desk.chat.ok("project create \"Mobile app\" budget:2000")
    for question, project in (("how is mobil doing?", "Mobile app"),
                              ("¿cómo va mobil?", "Mobile app"),
                              ("whats teh status of webiste?", "Website")):
        answer = await desk.chat.in_thread(question).ok(question)
        assert answer.title == f"About {project}", (question, answer.text)
    # One letter from a short word is no name: "app" is not "apps", nor "map".
    unsure = await desk.chat.in_thread("map").say("what did the map show?")
    assert unsure.title != "About Mobile app", unsure.text


async def test_follow_ups_in_a_thread_use_earlier_turns(desk: Desk) -> None:
    await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH)
    await desk.chat.ok("project bind website")
    await desk.chat.ok("project log 20 website")
    await desk.chat.ok("project log 5 website on:yesterday")
    first = await desk.chat.ok("ask what did we decide about the launch date?")
    assert first.in_thread and "first of March" in first.text
    follow = await desk.chat.ok("ask and the budget?")
    assert "Budget: $2,500.00 used of $10,000.00 (25%), $7,500.00 left." in follow.text
    # Then what was said about it, before what the earlier question found.
    assert follow.text.split("\n")[1].startswith("“I will send the final budget")
    await desk.chat.ok("project update website budget:2000")
    over = await desk.chat.ok("ask and the budget?")
    assert "Budget: $2,500.00 used of $2,000.00 (125%), $500.00 over." in over.text
    await desk.chat.ok("client create Acme contact:Marta phone:\"+34 600 123 456\"")
    await desk.chat.ok("project update website client:acme")
    phone = await desk.chat.ok("ask and its phone?")  # the client's record, not a line
    assert phone.text == "Client: Acme · Marta, +34 600 123 456." and not phone.citations, \
        phone.text
    hours = await desk.chat.ok("ask and the hours?")  # the number, not lines that say "hours"
    assert hours.text == "Hours logged: 25 of 100 estimated." and not hours.citations, hours.text
    await desk.chat.ok("project update website due:tomorrow")
    due = await desk.chat.ok("ask and the deadline?")
    assert "(in 1 day)." in due.text
    vence = await desk.chat.in_thread("es").ok("ask ¿cuándo vence website?")
    assert "(in 1 day)." in vence.text
    on_track = await desk.chat.in_thread("track").ok("is website on track?")
    assert "Status: " in on_track.text and "Due " in on_track.text


async def test_free_text_is_routed_in_both_languages(desk: Desk, clock: Clock) -> None:
    clock.now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # a Thursday: the week it reads
    await desk.chat.ok("client create Acme")
    await desk.chat.ok("project create Website client:acme status:active")
    assert (await desk.chat.ok("log 3h on Website")).text.startswith("Logged 3 h on *Website*")
    assert "Logged 2 h" in (await desk.chat.ok("registra 2 horas en website")).text
    scheduled = await desk.chat.ok("set up a call with Acme next Tuesday at 3pm")
    assert scheduled.title == "Meeting scheduled: Call with Acme"  # in Acme's project:
    assert "Project: Website" in text_of(scheduled)
    agenda = await desk.chat.ok("agenda una reunión con acme el martes a las 15:00")
    assert agenda.title == "Meeting scheduled: Reunión con Acme"
    for on_project in ("book a meeting on the website tomorrow at 11",
                       "agenda una reunión de website el lunes a las 9"):
        assert (await desk.chat.ok(on_project)).title == "Meeting scheduled: Website", on_project
    # Other ways to say it: the project by its client or with an article, a title after "about".
    yesterday = clock.now.date() - timedelta(days=1)
    for worked_then in ("I worked 1.5 hours on the website yesterday",
                        "log yesterday 1.5 hours on the website"):
        worked = await desk.chat.ok(worked_then)
        assert worked.text == (f"Logged 1.5 h on *Website* for {yesterday:%b} {yesterday.day}, "
                               f"{yesterday.year}."), worked_then
    assert "Logged 1 h on *Website*" in (await desk.chat.ok("trabajé 1 hora en Acme")).text
    # The day worked, said any way: a weekday alone is the last one, today's is today.
    today = clock.now.date()
    weekdays_es = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
    four_ago, ahead_two = today - timedelta(days=4), today + timedelta(days=2)
    for said, worked_on in (
            (f"log 2h on website last {today - timedelta(days=3):%A}", 3),
            (f"I spent 4 hours on the website on {today - timedelta(days=5):%A}", 5),
            (f"I spent 4 hours on the website on {today:%A}", 0),
            ("log 1h on website 2 days ago", 2),
            ("log 1h on website 2 weeks ago", 14),
            ("registra 1 hora en website hace una semana", 7),
            ("log three hours website", 0),
            (f"registra 2 horas en website el {weekdays_es[(today.weekday() - 6) % 7]}", 6),
            ("registra tres horas y media en website hace 3 días", 3),
            (f"log 2h on website on {four_ago:%b} {four_ago.day}", 4)):
        day = today - timedelta(days=worked_on)
        logged = await desk.chat.ok(said)
        assert logged.text.startswith("Logged ") and logged.text.endswith(
            f" on *Website* for {day:%b} {day.day}, {day.year}."), (said, logged.text)
    noted = await desk.chat.ok(f"I worked 1h30 on the website on {today - timedelta(days=2):%A} "
                               "for the hero section")
    day = today - timedelta(days=2)
    assert noted.text == (f"Logged 1.5 h on *Website* for {day:%b} {day.day}, {day.year}: the "
                          "hero section."), noted.text
    late = await desk.chat.ok(f"log 2h on website for the hero section on "
                              f"{today - timedelta(days=2):%A}")  # the day after the note
    assert late.text.endswith(f"{day:%b} {day.day}, {day.year}: the hero section."), late.text
    for ahead in ("log 2h on website tomorrow", "registra 2 horas en website mañana",
                  "log 2h on website in 2 days", "registra 2 horas en website dentro de 2 días",
                  # a month and day a few days ahead, not the same day a year ago
                  f"log 2h on website on {ahead_two:%b} {ahead_two.day}",
                  f"log 2h on website next {today + timedelta(days=2):%A}",
                  "registra 2 horas en website el lunes que viene"):
        refused = await desk.chat.say(ahead)  # a day to come, said any way: refused
        assert refused.status == "error" and "future day" in refused.text, (ahead, refused.text)
    # A week or a month is not a day: which one is asked, nothing is logged.
    for vague in ("log 2h on website last week", "registra 2 horas en website la semana pasada",
                  "project log 2 website on:\"this month\""):
        refused = await desk.chat.say(vague)
        assert refused.status == "error" and "must be one day; which day of" in refused.text, \
            (vague, refused.text)
    await desk.chat.ok("settings language:es --me")  # its examples in the asker's words
    spanish = await desk.chat.say("registra 2 horas en website la semana pasada")
    assert '`on:"el martes pasado"` o `on:"hace 3 días"`' in spanish.text, spanish.text
    await desk.chat.ok("settings language:en --me")
    # No project said and none bound: the command asks which; a number it cannot take is
    # explained as typed.
    for unnamed in ("log 2h", "registra 2 horas ayer"):
        which = await desk.chat.say(unnamed)
        assert which.status == "error" and which.text.startswith("Name a project"), unnamed
    for wrong, says in (("log -2 hours on website", "at least 0.01 hours; got `-2 hours`"),
                        ("log 25 hours on website", "between 0.01 and 24; got `25 hours`"),
                        ("log 0.001h on website", "at least 0.01 hours; got `0.001h`")):
        refused = await desk.chat.say(wrong)
        assert refused.status == "error" and says in refused.text, refused.text
    # A date by its month, or the day after tomorrow, in either language.
    in_two = today + timedelta(days=2)
    for said, day in ((f"set up a call with Acme on {in_two:%b} {in_two.day} at 3pm", in_two),
                      ("set up a call with Acme the day after tomorrow at 3", in_two),
                      ("agenda una llamada con Acme pasado mañana a las 3", in_two)):
        booked = await desk.chat.ok(said)
        assert f"{day:%a}, {day:%b} {day.day}, {day.year}, 3:00" in text_of(booked), said
        assert booked.title in {"Meeting scheduled: Call with Acme",
                                "Meeting scheduled: Llamada con Acme"}, booked.title
    refused = await desk.chat.say("registra 2 horas en website pasado mañana")
    assert refused.status == "error" and f"{in_two:%b} {in_two.day}" in refused.text
    for gone in ("set up a call with Acme yesterday at 3pm", "agenda una reunión con Acme ayer "
                 "a las 10"):
        refused = await desk.chat.say(gone)
        assert refused.status == "error" and "has already passed" in refused.text, gone
    weekday = await desk.chat.ok(f"project log 1 website on:{today - timedelta(days=1):%A}")
    assert weekday.text.endswith(f"{(today - timedelta(days=1)).day}, {today.year}."), \
        weekday.text  # not the next one, which has not come yet
    # What the time went into, after the project; "1h30" as the command reads it.
    noted = await desk.chat.ok("log 2 hours on the website for the design review")
    assert noted.text.startswith("Logged 2 h on *Website* for ")
    assert noted.text.endswith(": the design review.")
    loosely = await desk.chat.ok("log 1h on the website project for copy review")
    assert loosely.text.startswith("Logged 1 h on *Website* for ")
    assert loosely.text.endswith(": copy review.")
    assert "Logged 1.5 h on *Website*" in (await desk.chat.ok("I spent 1h30 on acme")).text
    for in_words, logged in (("registra media hora en website", "0.5"),
                             ("I spent an hour and a half on acme", "1.5")):
        assert f"Logged {logged} h on *Website*" in (await desk.chat.ok(in_words)).text
    about = await desk.chat.ok("set up a call with Acme on friday at 3pm about the launch")
    assert about.title == "Meeting scheduled: Launch"
    review = await desk.chat.ok("agenda una llamada con Acme el lunes a las 9 para revisar el "
                                "diseño")
    assert review.title == "Meeting scheduled: Diseño"
    no_time = await desk.chat.say("set up a call with Acme")  # asks for what is missing
    assert no_time.status == "error" and no_time.text.startswith("Missing <when>: When, then")
    # No channel binding yet: a question is asked about the project or client it names.
    named = await desk.chat.ok("¿qué dijo el cliente sobre los diseños de la WEBSITE?")
    assert named.title == "About Website"
    assert (await desk.chat.ok("what did Acme think of the designs?")).title == "About Website"
    # Nor a binding: the workspace's only project is the one asked about.
    only = await desk.chat.ok("what did they think of the designs?")
    assert only.title == "About Website"
    await desk.chat.ok("project create Mobile")
    unnamed = await desk.chat.say("what did they think of the designs?")
    assert unnamed.status == "error" and "Nothing in any project's meetings" in unnamed.text
    # Another workspace's question naming "Website" does not reach this one's project.
    stranger = await desk.chat.in_team("T-other").say("what did Acme say about the website?")
    assert stranger.status == "error" and "No projects yet" in stranger.text
    # A question put as a request; the sender's tasks.
    assert (await desk.chat.ok("tell me about the budget of Mobile")).title == "About Mobile"
    assert (await desk.chat.ok("cuéntame cómo va website")).title == "About Website"
    # "search …" / "busca …": the matching moments, in the project named if one is.
    found = await desk.chat.ok("busca diseños en website")
    assert found.text == "Nothing in Website's meetings matches `diseños en website`."
    unplaced = await desk.chat.say("search the designs")
    assert "Nothing in any project's meetings" in unplaced.text and "/search" in unplaced.text
    unbound = await desk.chat.say("schedule a call for tomorrow at 3pm")  # in which project?
    assert unbound.status == "error" and unbound.text.startswith("Missing <project>: ")
    await desk.chat.ok("project bind website")
    question = await desk.chat.ok("what did the client say about the designs?")
    assert question.title == "About Website"
    # Naming no project, a meeting is set up in the channel's.
    for in_channel in ("schedule a call for tomorrow at 3pm",
                       "agenda una reunión para mañana a las 10"):
        assert (await desk.chat.ok(in_channel)).title == "Meeting scheduled: Website", in_channel
    # "How do I …?": the help of the command that does it; a question stays a question.
    for how, topic in (("how do I log hours?", "/project log"),
                       ("how can I invite someone to a meeting?", "/meeting invite"),
                       ("¿cómo agendo una reunión?", "/meeting schedule"),
                       ("¿cómo puedo añadir un cliente?", "/client create"),
                       ("how to upload a recording", "/transcript add")):
        assert (await desk.chat.ok(how)).title == topic, how
    assert (await desk.chat.ok("how do we stand on the budget?")).title == "About Website"
    for hello in ("hi", "¡Hola!", "ayuda", "what can you do?", "good morning", "buenos días"):
        assert (await desk.chat.ok(hello)).title == "V1tr0 Bot commands", hello
    assert (await desk.chat.ok("thanks!")).text == "You're welcome!"
    for acknowledged in ("OK!", "got it", "vale"):
        assert (await desk.chat.ok(acknowledged)).text == "👍", acknowledged
    for lost_text in ("remind me to call Ana tomorrow", "¿?", "😀"):  # nothing to go on
        lost = await desk.chat.say(lost_text)
        assert lost.status == "error" and "log 3h on Website" in lost.text, lost_text
    # "My tasks": the sender's action items, not Luis's.
    await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH, new_project=False)
    assert "send the final budget" in text_of(await desk.chat.ok("actions"))
    # Open tasks: in a project's channel its own, else (or with `--every`) every project's.
    for open_tasks in ("actions", "what are the open tasks?", "¿qué tareas hay pendientes?",
                       "who owes what?", "¿quién hace qué?"):
        assert (await desk.chat.ok(open_tasks)).title == "Action items of Website", open_tasks
    assert (await desk.chat.ok("actions --every")).title == "Action items"
    for mine in ("my tasks", "¿cuáles son mis tareas en website?", "what's on my plate?"):
        assert (await desk.chat.ok(mine)).text == "No action items here."
    # Records made and items closed in words, with the roles the commands ask for.
    created = await desk.chat.ok("create a project called Intranet for Acme")
    assert created.text.startswith("Project *Intranet* created") and "Acme" in text_of(created)
    client = await desk.chat.ok("nuevo cliente Umbrella")
    assert client.text.startswith("Client *Umbrella* created")
    client = await desk.chat.ok("crea el cliente Panadería")
    assert client.text.startswith("Client *Panadería* created")
    listed = text_of(await desk.chat.ok("actions website"))
    item = re.search(r"#(\d+) send the final budget", listed)
    assert item and (await desk.chat.ok(f"mark action {item[1]} as done")).text.startswith("Done")
    assert (await desk.chat.ok("archiva el cliente Umbrella")).text == \
        "Client *Umbrella* archived."
    assert (await desk.chat.ok("unarchive umbrella")).text == "Client *Umbrella* restored."
    notes = await desk.chat.ok("archive the acme notes")  # no client's whole name: a question
    assert notes.title != "Client *Acme* archived." and "archived" not in notes.text
    more = await desk.chat.ok("add client Hooli with email ana@hooli.com")  # more than a name
    assert more.title == "/client create" and "email:" in text_of(more)
    refused = await desk.chat.as_user("U9", "Zoe").say("new project Secret")
    assert refused.status == "error" and "manager" in refused.text
    # "When is the next meeting?": the upcoming ones, of the project it names if it does.
    await desk.chat.ok("meeting schedule mobile tomorrow 10am title:Standup")
    mobile = text_of(await desk.chat.ok("¿cuándo es la próxima reunión de mobile?"))
    assert "*Standup*" in mobile and "*Launch*" not in mobile
    # In this channel, bound to Website, its meetings come by default.
    for upcoming in ("when is the next meeting?", "what meetings do we have this week?"):
        websites = text_of(await desk.chat.ok(upcoming))
        assert "*Launch*" in websites and "*Standup*" not in websites, upcoming
    assert "*Standup*" in text_of(await desk.chat.ok("meeting list --every"))
    prepare = await desk.chat.ok("what should we prepare for the next meeting?")
    assert prepare.title == "About Website"  # a question, asked of the channel's project
    # Lists, one record, and what is at risk, said in words.
    for listing, title in (("list clients", "Clients"), ("show me all projects", "Projects"),
                           ("¿cuáles son nuestros clientes?", "Clients"),
                           ("lista de clientes", "Clients")):
        assert (await desk.chat.ok(listing)).title == title, listing
    await desk.chat.ok('project create "Brand refresh"')
    for show, title in (("show me the website project", "#1 Website"),
                        ("muéstrame el proyecto mobile", "#2 Mobile"),
                        ("show client acme", "#1 Acme"), ("show me acme", "#1 Acme"),
                        ("muéstrame website", "#1 Website"),
                        ("show me brand", "#4 Brand refresh")):  # a word of just one name
        assert (await desk.chat.ok(show)).title == title, show
    for of_client in ("what projects does acme have?", "¿qué proyectos tiene Acme?",
                      "acme's projects", "proyectos de acme"):
        listed = await desk.chat.ok(of_client)
        assert listed.title == "Projects" and {i.split(" · ")[0] for i in listed.items} == {
            "#1 *Website*", "#3 *Intranet*"}, of_client
    for tomorrows in ("show me tomorrow's meetings", "las reuniones de mañana"):
        listed = await desk.chat.ok(tomorrows)
        assert listed.title == "Website meetings (tomorrow)" and len(listed.items) == 4, tomorrows
    budget = await desk.chat.ok("show me the project budget")  # names no project: a question
    assert budget.title == "About Website" and "No budget is set." in budget.text
    for at_risk in ("which projects are over budget?", "¿qué proyectos están en riesgo?"):
        assert (await desk.chat.ok(at_risk)).title == "Insights for every active or planned project"
    typo = await desk.chat.say("/projetc list")
    assert "Unknown command" in typo.text
    # A project's progress, status, budget and due date changed in words (by a manager).
    for change, shown in (("website is 60% done", "Progress: 60%"),
                          ("el progreso de website es 70%", "Progress: 70%"),
                          ("put mobile on hold", "Status: on hold"),
                          ("marca mobile como activo", "Status: active"),
                          ("the budget of website is 12k", "Budget: $12,000.00"),
                          ("set the budget of website to 15k", "Budget: $15,000.00"),
                          ("move the deadline of website to 2027-03-01", "Due: Mar 1, 2027"),
                          ("cambia la entrega de mobile al 2027-04-15", "Due: Apr 15, 2027"),
                          ("website is due on 2027-05-03", "Due: May 3, 2027"),
                          ("la entrega de mobile es el 2027-06-01", "Due: Jun 1, 2027")):
        updated = await desk.chat.ok(change)
        assert updated.text.startswith("Project *") and shown in text_of(updated), change
    denied = await desk.chat.as_user("U9", "Zoe").say("website is 90% done")
    assert denied.status == "error" and "manager" in denied.text
    # A client's contact details, in words too.
    for change, shown in (("acme's email is marta@acme.com", "Email: marta@acme.com"),
                          ("the contact at acme is Marta Gómez", "Contact: Marta Gómez"),
                          ("el teléfono de acme es +34 600 123 456", "Phone: +34 600 123 456")):
        updated = await desk.chat.ok(change)
        assert updated.text.startswith("Client *Acme* updated: "), change
        assert shown in text_of(await desk.chat.ok("client show acme")), change
    assert (await desk.chat.ok("the contact at acme is Ana")).text.endswith("updated: contact.")
    # A few bare words, as typed in a search box: a name shows its record, other words are
    # asked about; a command's name mistyped is said to be one.
    bare = await desk.chat.ok("website budget")
    assert bare.title == "About Website" and "Budget: $15,000.00" in bare.text
    assert (await desk.chat.ok("website")).title == "#1 Website"
    assert (await desk.chat.ok("acme")).title == "#1 Acme"
    mistyped = await desk.chat.say("projct list")
    assert mistyped.status == "error" and "Did you mean: `project`?" in mistyped.text
    # A budget and a rate said with the name are set with it.
    for said, budget, rate in (
            ("create a project called Portal for Acme with a budget of 8000", "$8,000.00", None),
            ("crea un proyecto llamado Tienda para Acme con un presupuesto de 8.000 euros y una "
             "tarifa de 90 por hora", "€8,000.00", "€90.00"),
            ("new project Landing with a budget of 12k and a rate of 100/h", "$12,000.00",
             "$100.00")):
        shown = text_of(await desk.chat.ok(said))
        assert f"Budget: {budget}" in shown, (said, shown)
        assert rate is None or f"Hourly rate: {rate}" in shown, said


async def test_a_spanish_question_finds_spanish_speech(desk: Desk, clock: Clock) -> None:
    await desk.chat.ok("settings language:es")
    await desk.meeting_with(desk.chat, "Tienda", "Revisión semanal", LANZAMIENTO)
    reply = await desk.chat.ok("¿qué decidimos sobre la fecha de lanzamiento en la tienda?")
    assert reply.title == "Sobre Tienda"
    assert reply.text.startswith(
        "“Decidimos mover la fecha de lanzamiento al quince de marzo.” [1]")
    assert reply.citations[0].detail.startswith("Revisión semanal · ")
    assert " · Pablo · " in reply.citations[0].detail
    clock.advance(days=1)
    ayer = await desk.chat.ok("¿qué decidimos ayer sobre la fecha de lanzamiento en la tienda?")
    assert ayer.title == "Sobre Tienda · Revisión semanal"
    # MiniLM finds any two Spanish sentences alike; a Spanish line must also share a word.
    await desk.chat.ok("project log 3 tienda")
    hours = await desk.chat.in_thread("t2").ok("ask ¿cuántas horas llevamos? project:tienda")
    assert hours.text == "Horas registradas: 3 de 100 estimadas." and not hours.citations


async def test_a_question_in_the_other_language_is_translated_first(
        db: Database, clock: Clock, tmp_path: Path, embedding: MiniLMEmbedding,
        apertium: ApertiumTranslator) -> None:
    desk = Desk(db, clock, tmp_path, embedding, translator=apertium)
    await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH)
    await desk.chat.ok("project create Tienda language:es")
    await desk.meeting_with(desk.chat, "Tienda", "Revisión semanal", LANZAMIENTO,
                            new_project=False)
    spanish = await desk.chat.ok("ask ¿qué decidimos sobre la fecha de lanzamiento? "
                                 "project:website")
    assert spanish.text.startswith("“We decided to move the launch date to the first of March")
    assert spanish.citations[0].detail.endswith(" · Ana · 0:12")
    english = await desk.chat.ok("ask what did we decide about the launch date? project:tienda")
    assert "Decidimos mover la fecha de lanzamiento" in english.text
    # No project named: as many words shared as asked weigh more than through a translation.
    for asked, project in (("what did we decide about the launch date?", "Website"),
                           ("¿qué decidimos sobre la fecha de lanzamiento?", "Tienda")):
        chosen = await desk.chat.in_thread(asked).ok(asked)
        assert chosen.title.startswith(f"About {project}"), (asked, chosen.title)
    # A project with meetings in both languages is searched in both.
    clock.advance(days=1)
    await desk.meeting_with(desk.chat, "Website", "Revisión con el cliente",
                            LANZAMIENTO.replace("quince", "veinte"), new_project=False,
                            language="es")
    both = await desk.chat.ok("ask ¿qué decidimos sobre la fecha de lanzamiento? "
                              "project:website")
    quoted = {c.detail.split(" · ")[0] for c in both.citations}
    assert {"Launch review", "Revisión con el cliente"} <= quoted

    # One word in common through the translation is a coincidence ("log" -> "registro"),
    # not an answer from a Spanish meeting about the sign-up flow.
    await desk.chat.ok("project create App language:es")
    await desk.meeting_with(desk.chat, "App", "Revisión del registro", REGISTRO,
                            new_project=False)
    await desk.chat.ok("project log 2 app")
    hours = await desk.chat.ok("ask how many hours did we log this week? project:app")
    assert hours.text.startswith("Hours logged this week: 2") and not hours.citations
    # With no project named, the Spanish decisions of Tienda and App share one word with
    # this question, the English one of Website two of its translation: Website is asked.
    content = await desk.chat.ok("ask ¿qué decidimos sobre la congelación del contenido?")
    assert content.title == "About Website" and "content freeze" in content.text, \
        (content.title, content.text)
    # A name the translation keeps as asked is no coincidence: one is enough.
    clock.advance(days=1)
    await desk.meeting_with(desk.chat, "Tienda", "Plataforma", PLATAFORMA, new_project=False)
    shopify = await desk.chat.ok("ask what did we decide about Shopify? project:tienda")
    assert "Acordamos usar Shopify" in shopify.text, shopify.text
    # A search box's words are looked for as typed too: Apertium makes "Stripe" a "raya".
    stripe = await desk.chat.ok("search Stripe project:tienda")
    assert "Los pagos con Stripe" in text_of(stripe), text_of(stripe)
    # "decide" and "decidimos" share a stem, not a name: no Spanish decision answers this.
    webflow = await desk.chat.ok("ask what did we decide about Webflow? project:tienda")
    assert "found nothing" in webflow.text and not webflow.citations, webflow.text
    # A word that could be either language is taken in the asker's: "titular" to a Spanish
    # speaker is the headline of an English meeting.
    await desk.meeting_with(desk.chat, "Website", "Copy sync", COPY_SYNC, new_project=False)
    await desk.chat.ok("settings language:es --me")
    found = await desk.chat.ok("search titular project:website")
    assert "The new headline for the home page" in text_of(found), text_of(found)
    await desk.chat.ok("settings language:en --me")
    # Without the translator the same Spanish question misses the English meeting.
    plain = Desk(db, clock, tmp_path / "plain", embedding)
    await plain.meeting_with(plain.chat, "Landing", "Launch review", LAUNCH + "\n")  # a copy
    missed = await plain.chat.ok("ask ¿qué decidimos sobre la fecha de lanzamiento? "
                                 "project:landing")
    assert "first of March" not in missed.text


LEADS = """WEBVTT

00:00:01.000 --> 00:00:12.000
<v Javier>We also agreed that the form will push the new leads straight into their
Salesforce instance every night, after the marketing team has cleaned the list and removed
the duplicates from the trade fair.

00:00:12.500 --> 00:00:16.000
<v Pedro>Pedro wants the Salesforce sync live before the fair.
"""
COPY_SYNC = """WEBVTT

00:00:01.000 --> 00:00:07.000
<v Ana>The new headline for the home page is approved by the client.
"""
ESTIMATES = """WEBVTT

00:00:01.000 --> 00:00:07.000
<v Ana>The analytics check will take about six hours, and the launch checklist two hours more.
"""
PLATAFORMA = """WEBVTT

00:00:01.000 --> 00:00:07.000
<v Lucía>Acordamos usar Shopify para la tienda y no montar una plataforma propia.

00:00:07.500 --> 00:00:12.000
<v Pablo>Los pagos con Stripe se prueban la semana que viene con tarjetas de prueba.
"""
REGISTRO = """WEBVTT

00:00:01.000 --> 00:00:06.000
<v Luis>Buenos días, hoy repasamos el registro de la app con los resultados de las pruebas.

00:00:06.500 --> 00:00:12.000
<v Sofía>Las pruebas con usuarios muestran que el registro tiene demasiados pasos.

00:00:12.500 --> 00:00:18.000
<v Luis>Decidimos quitar el paso del teléfono y pedirlo después de la primera compra.

00:00:18.500 --> 00:00:24.000
<v Sofía>Me encargo de actualizar los diseños para el miércoles.
"""


async def test_a_question_about_decisions_quotes_the_decisions_first(desk: Desk) -> None:
    await desk.chat.ok("settings language:es")
    await desk.meeting_with(desk.chat, "App", "Revisión del registro", REGISTRO)
    decided = await desk.chat.ok("¿qué decidimos sobre el registro?")
    assert decided.text.startswith("“Decidimos quitar el paso del teléfono")
    # Asked otherwise, the same lines rank by how close they are to the question alone.
    said = await desk.chat.ok("¿qué se dijo sobre el registro?")
    assert not said.text.startswith("“Decidimos")


async def test_someone_who_never_spoke_there_is_said_so(desk: Desk, clock: Clock) -> None:
    await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH)
    clock.advance(minutes=5)
    await desk.meeting_with(desk.chat, "Mobile", "Hiring sync", HIRING)
    pedro = await desk.chat.in_thread("pedro").ok("what did Pedro say about the launch? "
                                                  "project:website")
    assert pedro.text == ("Nobody called Pedro speaks in Website's meetings; those who do: "
                          "Ana and Luis.") and not pedro.citations, pedro.text
    # Someone who speaks in another project's meetings: asked there, even when a day picked
    # another project's meeting first.
    carl = await desk.chat.in_thread("carl").ok("what did Carl say?")
    assert carl.title == "About Mobile" and carl.citations, carl.text
    luis = await desk.chat.in_thread("luis").ok("what did Luis say today?")  # Mobile's is later
    assert luis.title.startswith("About Website") and luis.citations, luis.text
    # A meeting named by its title where they did not speak: said so, of that meeting.
    named = await desk.chat.in_thread("named").ok("what did Carl say in the launch review?")
    assert (named.title, named.text) == (
        "About Website · Launch review",
        "Nobody called Carl speaks in Launch review; those who do: Ana and Luis."), named.text
    # Someone who is no member logged nothing: not everyone's hours read as theirs.
    marco = await desk.chat.in_thread("marco").ok("how many hours did Marco log?")
    assert marco.text == "Marco logged no hours so far.", marco.text


async def test_a_meeting_that_decided_nothing_says_so(desk: Desk) -> None:
    await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH)
    standup = ("WEBVTT\n\n00:00:01.000 --> 00:00:05.000\n<v Marco>I worked on the header "
               "component and the footer links.\n")
    await desk.meeting_with(desk.chat, "Website", "Standup", standup, new_project=False)
    asked = await desk.chat.ok("what did we decide in the standup?")
    assert (asked.title, asked.text) == ("About Website · Standup",
                                         "No decision was recorded in Standup."), asked.text
    assert not asked.citations  # not the launch review's decision, passed off as the standup's


PRICING = """WEBVTT

00:00:01.000 --> 00:00:06.000
<v Ana>Welcome to the pricing review for the online store.

00:00:06.500 --> 00:00:12.000
<v Luis>Shipping costs went up twenty percent because the carrier changed its rates.

00:00:12.500 --> 00:00:18.000
<v Ana>So we will raise the prices of the large items next month.

00:00:18.500 --> 00:00:24.000
<v Luis>I will update the product pages by Friday.
"""


async def test_a_why_question_quotes_the_reason_said_around_the_answer(desk: Desk) -> None:
    await desk.meeting_with(desk.chat, "Store", "Pricing review", PRICING)
    why = await desk.chat.ok("why are we raising the prices of the large items?")
    assert [c.detail.split(" · ")[-2:] for c in why.citations[:2]] == [
        ["Ana", "0:12"], ["Luis", "0:06"]]  # the line that answers, then the reason
    # Asked otherwise, the welcome is closer to the question than the reason is.
    what = await desk.chat.ok("what will happen to the prices of the large items?")
    assert [c.detail.split(" · ")[-2:] for c in what.citations[:2]] == [
        ["Ana", "0:12"], ["Ana", "0:01"]]


async def test_the_language_model_path(db: Database, clock: Clock, tmp_path: Path,
                                       embedding: MiniLMEmbedding) -> None:
    async with FakeOpenAI() as fake:
        client = openai.AsyncOpenAI(api_key="test", base_url=fake.base_url, max_retries=0)
        desk = Desk(db, clock, tmp_path, embedding, LanguageModel(client, "test-model"))
        desk.pipeline.summarizer = ExtractiveSummarizer()
        await desk.chat.ok("project create Website")
        fake.chat.append({"content": None, "tool_calls": [
            tool_call("project_log", {"hours": 2.5, "project": "Website"})]})
        logged = await desk.chat.ok("please put two and a half hours on the website")
        assert logged.text.startswith("Logged 2.5 h on *Website*")

        await desk.meeting_with(desk.chat, "Launch", "Launch review", LAUNCH)
        fake.chat.append("We moved the launch to March 1 [1], as Ana said [9].")
        answer = await desk.chat.ok("ask when is the launch? project:launch")
        assert answer.text == "We moved the launch to March 1 [1], as Ana said ."
        assert [c.label for c in answer.citations] == ["[1]"]
        request = fake.requests[-1][1]
        assert "first of March" in request["messages"][1]["content"]

        fake.chat.append("The launch is in March.")  # cites nothing
        bare = await desk.chat.ok("ask when is the launch? project:launch")
        assert "cited no meeting moment" in bare.text and bare.citations

        fake.fail_next(status=500)
        fallback = await desk.chat.ok("ask when is the launch? project:launch")
        assert "first of March" in fallback.text  # the embedded answer stands in


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(marks=st.lists(st.sampled_from(["orchid", "glacier", "saffron", "tundra", "quartz"]),
                      min_size=2, max_size=4, unique=True),
       teams=st.lists(st.sampled_from(["T1", "T2"]), min_size=4, max_size=4))
def test_nothing_leaks_across_workspaces_or_projects(
        reset_database, clock: Clock, tmp_path_factory: pytest.TempPathFactory,
        embedding: MiniLMEmbedding, marks: list[str], teams: list[str]) -> None:
    import asyncio

    async def run() -> None:
        db = Database(reset_database())
        desk = Desk(db, clock, tmp_path_factory.mktemp("desk"), embedding)
        try:
            owners: dict[str, Chat] = {}
            placed: dict[str, tuple[str, str]] = {}
            for number, mark in enumerate(marks):
                team = teams[number]
                chat = owners.setdefault(team, Chat(desk.dispatcher, team=team,
                                                    user=f"owner-{team}"))
                project = f"P{number}"
                await desk.meeting_with(chat, project, f"Call {mark}", (
                    f"WEBVTT\n\n00:00:01.000 --> 00:00:09.000\n<v Ana>The {mark} plan is "
                    f"what we agreed for project {project} this quarter.\n"))
                placed[mark] = (team, project)
            for mark, (team, project) in placed.items():
                for other_team, chat in owners.items():
                    for other in {p for t, p in placed.values() if t == other_team}:
                        reply = await chat.say(f"search {mark} plan project:{other}")
                        leaked = any(f"Call {m}" in text_of(reply) for m, (t, p)
                                     in placed.items() if (t, p) != (other_team, other))
                        assert not leaked, f"{mark} of {team}/{project} seen from " \
                                           f"{other_team}/{other}"
                        answer = await chat.say(f"ask what is the {mark} plan? "
                                                f"project:{other}")
                        for citation in answer.citations:
                            assert f"Call {mark}" not in citation.detail or \
                                (team, project) == (other_team, other)
                # Asked with no project, the one it picks is always the asker's own.
                for other_team, chat in owners.items():
                    unnamed = await chat.say(f"ask what is the {mark} plan?")
                    own = [f"Call {m}" for m, (t, _p) in placed.items() if t == other_team]
                    assert all(any(call in c.detail for call in own) for c in unnamed.citations)
            # Meeting #n is marks[n - 1]'s: only its own workspace can name it.
            for other_team, chat in owners.items():
                for number, owner in enumerate(teams[:len(marks)], start=1):
                    seen = f"Call {marks[number - 1]}" in text_of(
                        await chat.say(f"search plan meeting:#{number}"))
                    assert seen == (owner == other_team)
        finally:
            await db.dispose()

    asyncio.run(run())


REVISION = """WEBVTT

00:00:01.000 --> 00:00:06.000
<v Luis>Decidimos quitar el paso del teléfono y pedirlo después de la primera compra.

00:00:06.500 --> 00:00:12.000
<v Sofía>Me encargo de actualizar los diseños para el miércoles.

00:00:12.500 --> 00:00:18.000
<v Diego>Acordamos que la demo será la semana que viene.
"""


async def test_a_question_on_something_never_said_finds_nothing_in_spanish_too(
        desk: Desk) -> None:
    await desk.meeting_with(desk.chat, "App", "Revisión del registro", REVISION, language="es")
    # The verb of deciding or being in charge is no subject a line can share.
    for question in ("¿qué decidimos sobre la fiesta de Navidad?", "¿quién se encarga de la "
                     "nómina?", "¿qué acordamos sobre las vacaciones?",
                     "what did we decide about the payroll?"):
        reply = await desk.chat.in_thread(question).ok(f"ask {question} project:app")
        assert "found nothing" in reply.text and not reply.citations, reply.text
    for question, said in (("¿qué decidimos sobre el paso del teléfono?", "Decidimos quitar"),
                           ("¿quién se encarga de los diseños?", "Me encargo de actualizar")):
        reply = await desk.chat.in_thread(question).ok(f"ask {question} project:app")
        assert said in reply.text, reply.text


async def test_a_chain_of_follow_ups_asks_the_first_question_of_each_project(
        desk: Desk) -> None:
    await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH)
    await desk.meeting_with(desk.chat, "Mobile", "Hiring sync", HIRING)
    await desk.chat.ok("project create Brand budget:4000")
    chat = desk.chat.in_thread("chain")
    await chat.ok("what is the budget of website?")
    for project in ("mobile", "brand", "website"):
        reply = await chat.ok(f"and {project}?")
        # The same as asked outright: no line quoted for the project's name.
        asked = await desk.chat.in_thread(project).ok(f"what is the budget of {project}?")
        assert (reply.title, reply.text) == (asked.title, asked.text)
        assert reply.title.lower() == f"about {project}" and "Budget: " in reply.text
    # A word of another project's name in a follow-up with its own subject keeps the project.
    await desk.chat.ok('project create "Print shop"')  # "print" is a word of its name alone
    thread = desk.chat.in_thread("version")
    await thread.ok("what did we decide about the launch date of website?")
    version = await thread.ok("and the print version?")
    assert version.title == "About Website", (version.title, version.text)


async def test_a_short_question_with_its_own_subject_is_asked_afresh(desk: Desk) -> None:
    await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH)
    await desk.meeting_with(desk.chat, "Mobile", "Hiring sync", HIRING)
    chat = desk.chat.in_thread("own")
    await chat.ok("how is mobile doing?")
    # About someone who speaks in another project's meeting: none of Mobile's numbers.
    luis = await chat.ok("what did Luis say?")
    assert luis.title == "About Website" and "Status" not in luis.text, luis.text
    assert all(c.detail.endswith(("Luis · 0:06", "Luis · 0:18")) for c in luis.citations)
    await chat.ok("what's the status of website?")
    # `project:` given: nothing of the thread's project.
    told = await chat.ok("ask what did we decide? project:mobile")
    assert told.title == "About Mobile" and "Status" not in told.text, told.text
    # A meeting mentioned in passing asks nothing of the schedule.
    passing = await desk.chat.in_thread("passing").ok(
        "what did we discuss in the launch review about the budget?")
    assert "No meeting is scheduled" not in passing.text and "Last meeting" not in passing.text
    assert "final budget" in passing.text, passing.text
    upcoming = await desk.chat.in_thread("next").ok("ask when is the next meeting? "
                                                    "project:website")
    assert upcoming.text.startswith("Next meeting: Launch review"), upcoming.text


async def test_free_text_writes_only_what_was_said(desk: Desk, clock: Clock) -> None:
    clock.now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # a Thursday
    await desk.chat.ok("client create Acme contact:Ana")
    await desk.chat.ok("project create Website client:acme status:active start:2026-01-01 "
                       "budget:9000")
    # The day worked, wherever it is said and however it is said, with courtesy around it.
    for said, day in (("Log 2 hours on the website yesterday please", "Nov 25"),
                      ("hey v1tr0, log 2h yesterday on website, thanks! 🙏", "Nov 25"),
                      ("could you log 2h on website on monday?", "Nov 23"),
                      ("trabajé 3 horas ayer en website", "Nov 25"),
                      ("log 3h on website for yesterday", "Nov 25"),
                      ("log 2h on website last night", "Nov 25"),
                      ("registra 2 horas en website esta mañana", "Nov 26"),
                      ("log 2h on website on the 20th of november", "Nov 20"),
                      ("log 2h on website tue", "Nov 24"),
                      ("could you please log 2 hours on website yesterday?", "Nov 25"),
                      ("¿puedes registrar 2 horas en website ayer?", "Nov 25"),
                      ("por favor, registra 1 hora en website", "Nov 26"),
                      ("ayer trabajé 2 horas en website", "Nov 25"),
                      ("log 1h on website for me", "Nov 26")):
        reply = await desk.chat.ok(said)
        assert reply.text.endswith(f"for {day}, 2026."), (said, reply.text)
    # The note is kept however it is introduced.
    for said, note in (("registra 1 hora en website nota: maquetación", "maquetación"),
                       ("registra 1 hora en website por la home", "la home"),
                       ("log 1h on website (client call)", "client call")):
        assert (await desk.chat.ok(said)).text.endswith(f": {note}."), said
    # … and the day said between the project and its note is still the day.
    for said, day, note in (("registra 1 hora en website ayer (maquetación)", "Nov 25",
                             "maquetación"),
                            ("registra 1 hora en website el lunes nota: reunión", "Nov 23",
                             "reunión"),
                            ("registra 1 hora en website antier (maquetación)", "Nov 24",
                             "maquetación"),
                            ("log 1h on website yesterday (client call)", "Nov 25",
                             "client call")):
        assert (await desk.chat.ok(said)).text.endswith(f"for {day}, 2026: {note}."), said
    # A client with several projects under way does not pick one for the hours.
    await desk.chat.ok('project create "Acme shop" client:acme status:active start:2026-01-01')
    for said in ("log 1h on acme", "project log 1 acme"):  # not the one with "Acme" in its name
        several = await desk.chat.say(said)
        assert several.status == "error" and "Acme has several projects under way: " in \
            several.text, said
    await desk.chat.ok("project update shop status:completed")
    # The part of an hour after the whole one is kept.
    for said, hours in (("log 2 and a half hours on website", "2.5"),
                        ("log 3 hours and a half on website", "3.5"),
                        ("registra 1 hora y cuarto en website", "1.25"),
                        ("registra una hora y cuarto en website", "1.25"),
                        ("log an hour and a quarter on website", "1.25"),
                        ("registra dos horas y cuarto en website", "2.25"),
                        ("log 1:30 on website", "1.5")):
        assert (await desk.chat.ok(said)).text.startswith(f"Logged {hours} h"), said
    before = text_of(await desk.chat.ok("project stats website"))
    # A number of something else is no hours; a remark about a call, a form or a person
    # changes no project or client.
    for remark in ("add 3 photos to the website", "log 5 bugs on the website",
                   "spent 20 dollars on website hosting", "the acme call is cancelled",
                   "log 2h on website and 1h on mobile",  # two entries: neither is guessed
                   "registra 2 horas en website y una hora en mobile",
                   "log 2h on website monday and tuesday", "website is due on Friday?",
                   "the contact at acme is Luis, right?", "the contact at acme is unknown",
                   "acme's email is marta@acme.com?",
                   "the website contact form is done", "the acme invoice is due on the 30th",
                   "set the website homepage to 50%", "acme's contact is on vacation",
                   "el contacto de acme es muy lento"):
        reply = await desk.chat.say(remark)
        assert not reply.text.startswith("Logged") and "updated" not in reply.text, (
            remark, reply.text)
    assert text_of(await desk.chat.ok("project stats website")) == before
    two = await desk.chat.say("log 2h on website and 1h on mobile")
    assert two.text.startswith("Log one entry at a time"), two.text
    assert "Contact: Ana" in text_of(await desk.chat.ok("client show acme"))
    behalf = await desk.chat.say("log 2h on website on behalf of Pedro")  # no member, still
    assert behalf.status == "error" and "ask Pedro to log theirs" in behalf.text
    assert "Status: active" in text_of(await desk.chat.ok("project show website"))
    # Asked, it is answered: "… is 60% done?" is a question about its progress.
    asked = await desk.chat.in_thread("asked").ok("website is 60% done?")
    assert "Status: active, 0% done." in asked.text, asked.text
    # Said of the project itself, it still is one.
    assert "updated: progress" in (await desk.chat.ok("the website project is 60% done")).text


async def test_everyday_requests_go_where_they_ask(desk: Desk) -> None:
    await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH)
    await desk.meeting_with(desk.chat, "Mobile", "Hiring sync", HIRING)
    await desk.chat.ok("client create Acme")
    routed = {
        "list action items": "Action items",
        "¿qué tareas tengo?": "No action items here.",
        "¿tengo tareas pendientes?": "No action items here.",
        "do I have any open tasks?": "No action items here.",
        "proyectos": "Projects",
        "clientes": "Clients",
        "reuniones": "Meetings (upcoming)",
        "list transcripts": "Transcripts",
        "show me the transcripts": "Transcripts",
        "help with meetings": "/meeting",
        "¿cómo cambio el idioma?": "/settings",
        "how do I mark a task as done?": "/actions done",
        "¿cómo cambio el presupuesto?": "/project update",
        "good morning team": "V1tr0 Bot commands",
        "Hola! ¿cómo estás?": "V1tr0 Bot commands",
        "hi there": "V1tr0 Bot commands",
        "yes": "Nothing here is waiting for a yes",
        "sí, bórralo": "Nothing here is waiting for a yes",
        "meetings tomorrow": "No meetings tomorrow.",
        "que reuniones hay manana": "No meetings tomorrow.",  # no "ñ" on the keyboard
    }
    for said, expected in routed.items():
        reply = await desk.chat.in_thread(said).ok(said)
        assert expected in text_of(reply), (said, text_of(reply)[:200])
    # The client said before the name, or after "to".
    for said, name in (("create a new project for acme called Black Friday", "Black Friday"),
                       ("add project Newsletter to acme", "Newsletter"),
                       ("crea un proyecto para acme llamado Rebajas", "Rebajas")):
        created = await desk.chat.ok(said)
        assert created.text.startswith(f"Project *{name}* created"), created.text
        assert "Client: Acme" in text_of(await desk.chat.ok(f'project show "{name}"'))
    # A project named that does not exist gets no other project's numbers.
    for said in ("what is the budget of the intranet project?", "¿cómo va el proyecto intranet?",
                 "¿cuál es el presupuesto de intranet?"):
        unknown = await desk.chat.in_thread(said).say(said)
        assert unknown.status == "error" and "No project called `intranet`" in unknown.text
    # "Para el cliente Zara": the client is Zara, and one that does not exist is offered.
    unknown = await desk.chat.say("crea un proyecto Web nueva para el cliente Zara")
    assert unknown.status == "error" and unknown.text.startswith(
        "No client called `Zara`; add it with `/client create Zara`."), unknown.text
    # Amounts taken out of a sentence leave its words apart.
    created = await desk.chat.ok("new project Landing page for acme with a budget of 8000 "
                                 "and a rate of 90/h")
    assert created.text.startswith("Project *Landing page* created"), created.text
    # "20 mil euros" is twenty thousand; a budget may follow a comma alone.
    for said, budget in (("crea un proyecto Catálogo para acme con presupuesto de 20 mil euros",
                          "€20,000.00"),
                         ("nuevo proyecto Boletín para acme, presupuesto 3.500,00 €",
                          "€3,500.00")):
        assert f"Budget: {budget}" in text_of(await desk.chat.ok(said)), said


async def test_a_long_line_found_shows_the_words_it_was_found_by(desk: Desk) -> None:
    filler = " ".join(f"point{n}" for n in range(60))
    long_turn = (f"WEBVTT\n\n00:00:01.000 --> 00:00:40.000\n<v Julie>Well, {filler}, and the "
                 f"survey of the parents closes in March, {filler}.\n")
    await desk.meeting_with(desk.chat, "Education", "Committee hearing", long_turn)
    [found] = (await desk.chat.ok("search survey project:education")).items
    assert "the survey of the parents" in found and found.startswith("[1] “… "), found
    assert len(found.split()) < 45, found


async def test_a_guest_asking_about_a_project_gets_its_card(desk: Desk) -> None:
    await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH)
    gina = desk.chat.as_user("U5", "Gina")
    await gina.ok("help")
    await desk.chat.ok("role gina guest")
    card = await gina.ok("what's the status of website?")
    assert card.title == "#1 Website" and "Status: planning" in text_of(card), text_of(card)
    # What was said in meetings stays for members and up.
    said = await gina.say("what did we decide about the launch date?")
    assert said.status == "error" and "`ask` needs the member role" in said.text


PHONES = """WEBVTT

00:00:01.000 --> 00:00:06.000
<v Ana>The contact form still fails on older phones, so QA is not done.
"""


async def test_a_question_finds_the_project_or_client_it_names(desk: Desk, clock: Clock) -> None:
    clock.now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    chat = desk.chat
    await chat.ok('client create Acme contact:"Ana Ruiz" email:ana@acme.com phone:"+34 600"')
    await chat.ok("client create Globex contact:Luis email:luis@globex.mx")
    await chat.ok('client create Umbrella contact:"Marta Gómez" email:marta@umbrella.es')
    await chat.ok("project create Website client:acme budget:10000 rate:100 status:active")
    await chat.ok("project create Mobile client:globex budget:30000 rate:100 status:active")
    await chat.ok("project create Brand due:2026-11-20 status:active")
    await desk.meeting_with(chat, "Website", "QA review", PHONES, new_project=False)
    await chat.ok("project bind mobile")
    asked = chat.in_thread("asked")
    # Named, another project is asked about in a channel bound to one.
    for question in ("what's the budget of website?", "how is the website doing?",
                     "¿qué tal va website?"):
        reply = await chat.in_thread(question).ok(question)
        assert reply.title == "About Website" and "Budget: " in reply.text, (question, reply.text)
    assert (await asked.ok("¿cuánto hemos gastado en mobile?")).text.startswith("Budget: ")
    # A client without a project: its record, or why there is no answer.
    given = await chat.in_thread("d1").ok("dame el email de acme")  # a request in Spanish
    assert "ana@acme.com" in given.text, given.text
    umbrella = await chat.in_thread("u1").ok("who is the contact at Umbrella?")
    assert umbrella.text == "Client: Umbrella · Marta Gómez, marta@umbrella.es.", umbrella.text
    phone = await chat.in_thread("u2").ok("what is umbrella's phone?")
    assert phone.text.endswith("\nUmbrella has no phone number on record."), phone.text
    none_yet = await chat.in_thread("u3").say("how is umbrella doing?")
    assert none_yet.status == "error" and "Umbrella has no project yet" in none_yet.text
    # A client with several projects under way: which one is for the sender to say.
    await chat.ok("project create Landing client:acme status:active")
    several = await chat.in_thread("a1").say("how is acme doing?")
    assert "Acme has several projects under way: " in several.text, several.text
    for asked in ("who is the contact for acme?", "what is acme's email?"):  # still Acme's
        record = await chat.in_thread(asked).ok(asked)
        assert record.text.startswith("Client: Acme · Ana Ruiz, ana@acme.com"), record.text
    await chat.ok("project update landing status:completed")
    # Its contact's details, not a line about "older phones".
    reach = await chat.in_thread("a2").ok("tell me the phone of acme")
    assert reach.text == "Client: Acme · Ana Ruiz, ana@acme.com, +34 600." and \
        not reach.citations, reach.text
    # "And globex?" asks the same of Globex's project.
    contacts = chat.in_thread("contacts")
    await contacts.ok("who is the contact at acme?")
    globex = await contacts.ok("and globex?")
    assert globex.title == "About Mobile" and "Luis, luis@globex.mx" in globex.text, globex.text
    # Late, unless it is closed.
    assert "(6 days overdue)" in (await chat.in_thread("b1").ok("is brand late?")).text
    await chat.ok("project update brand status:cancelled")
    closed = await chat.in_thread("b2").ok("how is brand doing?")
    assert "overdue" not in closed.text and "it is closed" in closed.text, closed.text
    # A member: billing is not theirs to see, and "I" is them.
    marta = chat.as_user("U2", "Marta")
    await marta.ok("log 2h on mobile")
    billing = await marta.in_thread("m1").ok("what is Acme's billing email?")
    assert billing.text == "Billing details are shown to managers and up.", billing.text
    mine = await marta.in_thread("m2").ok("how many hours did I log on mobile?")
    assert mine.text.endswith("\nMarta: 2 h."), mine.text
    # Hours with no rate have used an unknown part of the budget, not none of it.
    await chat.ok("project create Rateless budget:8000")
    await chat.ok("log 5h on rateless")
    spent = await chat.in_thread("r1").ok("how much have we spent on rateless?")
    assert spent.text.startswith("Budget: $8,000.00; with no hourly rate set, what the 5 h "
                                 "logged used of it is not known"), spent.text
    # Two projects named: each one's numbers.
    both = await chat.in_thread("w2").ok("what's the budget of website and mobile?")
    assert both.title == "About Mobile and Website" and "*Website*: Budget: " in both.text \
        and "*Mobile*: Budget: " in both.text, both.text
    # A project with no client says so; a guest gets no client's details, nor a card.
    await chat.ok("project create Intranet")
    alone = await chat.in_thread("i1").ok("who is the contact for intranet?")
    assert alone.text.startswith("Intranet has no client; set one with"), alone.text
    await chat.ok("role marta guest")
    refused = await marta.in_thread("g1").say("who is the contact at acme?")
    assert refused.status == "error" and "needs the member role" in refused.text, refused.text


async def test_hours_for_someone_who_speaks_in_its_meetings_are_theirs_to_log(
        desk: Desk) -> None:
    await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH)  # Ana and Luis
    refused = await desk.chat.say("log 1h on website for luis")  # no member, but he speaks
    assert refused.status == "error" and "ask Luis to log theirs" in refused.text, refused.text
    # The sender's own name, or anything else, is a note.
    for said in ("log 1h on website for ana", "log 1h on website for QA"):
        assert (await desk.chat.ok(said)).text.startswith("Logged 1 h"), said


async def test_a_day_when_several_projects_met_asks_which_one(desk: Desk) -> None:
    await desk.meeting_with(desk.chat, "Website", "Launch review", LAUNCH)
    await desk.meeting_with(desk.chat, "Mobile", "Hiring sync", HIRING)
    for question in ("what did we decide today?", "summarize today's meeting"):
        which = await desk.chat.in_thread(question).say(question)
        assert which.status == "error" and which.text.startswith(
            "Meetings of several projects were held then: "), which.text
        assert "#1 Launch review (Website)" in which.text and \
            "#2 Hiring sync (Mobile)" in which.text, which.text
    named = await desk.chat.in_thread("named").ok("what did we decide today? project:website")
    assert "move the launch date" in named.text, named.text


KICKOFF_ES = """WEBVTT

00:00:01.000 --> 00:00:05.000
<v Marta>Bienvenidos al kickoff de la tienda en línea.

00:00:05.500 --> 00:00:11.000
<v Javier>Después de comparar opciones, decidimos usar Stripe para los pagos con tarjeta.

00:00:11.500 --> 00:00:16.000
<v Marta>También acordamos que el lanzamiento será el quince de enero.

00:00:16.500 --> 00:00:20.000
<v Javier>Y decidimos no hacer la aplicación móvil hasta marzo.

00:00:20.500 --> 00:00:24.000
<v Javier>¿Decidimos algo sobre el envío gratuito?

00:00:24.500 --> 00:00:28.000
<v Marta>No, todavía no lo hemos decidido, lo vemos más adelante.
"""


async def test_a_decision_about_another_subject_is_no_answer(desk: Desk) -> None:
    await desk.meeting_with(desk.chat, "Tienda", "Kickoff", KICKOFF_ES, language="es")
    payments = await desk.chat.in_thread("p").ok("¿qué decidimos sobre los pagos?")
    assert "Stripe" in payments.text, payments.text
    assert "lanzamiento" not in payments.text and "móvil" not in payments.text, payments.text
    # "El presupuesto de anuncios" is a thing said in a meeting, not a project's name.
    ads = await desk.chat.in_thread("a").ok("¿qué decidimos sobre el presupuesto de anuncios?")
    assert ads.title == "About Tienda", ads.text
    shipping = await desk.chat.in_thread("s").ok("¿qué decidimos sobre el envío gratuito?")
    assert "Stripe" not in shipping.text and "móvil" not in shipping.text, shipping.text


SEGUIMIENTO = """WEBVTT

00:00:01.000 --> 00:00:05.000
<v Marta>Hola a todos, empezamos el seguimiento de la web.

00:00:05.500 --> 00:00:09.000
<v Luis>¿Y el hosting? ¿Nos quedamos en Netlify?

00:00:09.500 --> 00:00:13.000
<v Marta>Acordamos pasar a Vercel en diciembre.

00:00:13.500 --> 00:00:15.000
<v Ana>Vale, perfecto.
"""


async def test_a_decision_right_after_its_subject_is_asked_answers_first(desk: Desk) -> None:
    await desk.meeting_with(desk.chat, "Web", "Seguimiento", SEGUIMIENTO, language="es")
    hosting = await desk.chat.ok("¿qué decidimos sobre el hosting?")
    assert hosting.text.startswith("“Acordamos pasar a Vercel en diciembre.”"), hosting.text
