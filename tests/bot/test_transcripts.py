"""Transcripts end to end: ingest, the pipeline's steps, summaries posted, action items."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import wave
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from bot.commands import registry
from bot.core import Reply, Request, Upload
from bot.dispatcher import Dispatcher
from bot.ports import Services
from bot.retrieval.indexing import TranscriptIndexer
from bot.transcripts.model import Segment, Summary, Transcriber
from bot.transcripts.pipeline import LEASE, MAX_ATTEMPTS, TranscriptPipeline
from bot.transcripts.stt import EmbeddedWhisper, WhisperTranscriber
from bot.transcripts.summarize import ExtractiveSummarizer
from storage import Database
from storage.embeddings import OpenAIEmbedding
from storage.models import ItemKind, SummaryItem
from storage.search_index import SearchIndex
from tests.conftest import Chat, Clock, Outbox, text_of
from tests.fakes.openai_server import FakeOpenAI

VTT = """WEBVTT

00:00:01.000 --> 00:00:06.000
<v Ana>Welcome everyone, this is the launch review for the website.

00:00:06.500 --> 00:00:12.000
<v Luis>The staging site is ready and the client approved the designs last week.

00:00:12.500 --> 00:00:18.000
<v Ana>Good. We decided to launch on the first of March, after the content freeze.

00:00:18.500 --> 00:00:24.000
<v Luis>I'll send the final budget to the client by Friday.

00:00:24.500 --> 00:00:30.000
<v Ana>Next step: book the load test with the hosting provider.
"""


class FlakySummarizer:
    """The real extractive summariser behind a switch that makes it fail on purpose."""

    name = "flaky"

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0
        self.inner = ExtractiveSummarizer()

    async def summarize(self, segments: Sequence[Segment], *, language: str,
                        meeting_date: date) -> Summary:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("the model endpoint is down")
        return await self.inner.summarize(segments, language=language, meeting_date=meeting_date)


class Setup:
    def __init__(self, db: Database, clock: Clock, tmp_path: Path, summarizer=None,
                 transcriber: Transcriber | None = None, **options: Any) -> None:
        self.outbox = Outbox()
        self.pipeline = TranscriptPipeline(
            db, self.outbox, transcriber=transcriber or WhisperTranscriber(),
            summarizer=summarizer or ExtractiveSummarizer(), uploads=tmp_path / "uploads",
            clock=clock, **options)
        self.chat = Chat(Dispatcher(db, registry, services=Services(
            clock=clock, transcripts=self.pipeline)))

    async def meeting(self) -> None:
        await self.chat.ok("project create Website")
        for user, name in (("U2", "Luis"), ("U3", "Bea")):
            await self.chat.as_user(user, name).ok("help")
        await self.chat.ok("meeting now website title:\"Launch review\"")

    async def summarised_with(self, speaker: str, said: str) -> None:
        """The launch review, with one more line, uploaded and summarised."""
        await self.meeting()
        more = f"\n00:00:30.500 --> 00:00:36.000\n<v {speaker}>{said}\n"
        await self.upload("launch.vtt", (VTT + more).encode())
        await self.pipeline.run_until_idle()

    async def upload(self, name: str, content: bytes, text: str = "transcript add #1") -> Reply:
        chat = self.chat
        return await chat.dispatcher.handle(Request(
            platform=chat.platform, team_id=chat.team, user_id=chat.user, text=text,
            user_name=chat.name, channel_id=chat.channel, files=(Upload(name, content),)))


@pytest.fixture
def setup(db: Database, clock: Clock, tmp_path: Path) -> Setup:
    return Setup(db, clock, tmp_path)


async def test_a_text_transcript_becomes_a_posted_summary(setup: Setup, clock: Clock) -> None:
    await setup.meeting()
    unknown = await setup.upload("launch.vtt", VTT.encode(), "transcript add #1 language:xx")
    assert unknown.status == "error" and "`xx` is not a language code" in unknown.text
    added = await setup.upload("launch.vtt", VTT.encode(), "transcript add today's launch review")
    assert added.status == "ok" and "transcript #1" in added.text
    assert await setup.pipeline.run_until_idle() == [1]

    [posted] = setup.outbox.to_channel()
    assert posted.title == "Summary of Launch review"
    # A file sent with a few words (or none) goes to the meeting they name, else the last.
    for number, said in enumerate(("here's the recording of today's launch review", ""), 2):
        again = await setup.upload("launch.vtt", (VTT + "\n" * number).encode(), said)
        assert again.text.startswith(f"`launch.vtt` is transcript #{number} of Launch review"), said
        # The meeting had one summarised: the reply says this one takes its place.
        assert "It takes the place of transcript #1 (`launch.vtt`)" in again.text, again.text
    lines = "\n".join(posted.items)
    assert "Decision: We decided to launch on the first of March" in lines
    assert "(Ana, 0:12)" in lines  # who said it and when
    action = next(line for line in posted.items if line.startswith("Action"))
    friday = clock.now.date() + timedelta(days=(4 - clock.now.weekday()) % 7 or 7)
    assert "send the final budget" in action and "Luis" in action
    assert "(Luis, 0:18)" in action
    assert setup.chat.dispatcher  # the same summary is there on demand
    shown = await setup.chat.ok("transcript show 1")
    assert shown.items == posted.items
    # Or by its meeting, in words: the summarised one of the meeting's transcripts.
    for meeting in ("the launch review", "today's launch review", "#1"):
        assert (await setup.chat.ok(f"transcript show {meeting}")).items == posted.items
    await setup.chat.ok("meeting log website 2026-01-05 9am title:Kickoff")
    bare = await setup.chat.say("transcript show kickoff")
    assert bare.status == "error" and bare.text.startswith(
        "Kickoff has no transcript yet; add one with `/transcript add #")
    actions = text_of(await setup.chat.ok("actions website"))
    assert "send the final budget" in actions and "Luis" in actions
    assert friday.strftime("%b") in actions or str(friday.day) in actions

    # A meeting's items, by its title or in words.
    for theirs in ('actions meeting:"Launch review"', "tareas de la reunión de hoy"):
        held = await setup.chat.ok(theirs)
        assert held.title == "Action items from Launch review" and len(held.items) == 1, theirs
    # Past its due date it is overdue: `--overdue` and "what's overdue?" list it then.
    assert (await setup.chat.ok("actions --overdue")).text == "Nothing is overdue."
    clock.advance(days=(friday - clock.now.date()).days + 1)
    for overdue in ("actions --overdue", "what's overdue?", "¿qué tareas están vencidas?",
                    "who has overdue tasks?", "¿quién tiene tareas vencidas?"):
        late = await setup.chat.ok(overdue)
        assert len(late.items) == 1 and late.items[0].endswith("⚠ overdue"), overdue
    refused = await setup.chat.say("actions --overdue --done")
    assert refused.status == "error" and "leave out `--done`" in refused.text
    # Someone's items, by the name the meeting gave them, in words too.
    for theirs in ("actions owner:luis", "Luis's tasks", "¿qué tareas tiene Luis?",
                   "what did Luis promise?", "¿a qué se comprometió Luis?",
                   "ask what did Luis promise?"):  # typed as a question to `ask` too
        named = await setup.chat.ok(theirs)
        assert named.title == "Action items for " + ("luis" if ":" in theirs else "Luis")
        assert len(named.items) == 1 and "send the final budget" in named.items[0], theirs
    assert (await setup.chat.ok("tasks for Bea")).text == "No action items for Bea."
    # A mention, as Slack and Discord write it, is that member.
    mentioned = await setup.chat.ok("actions owner:<@U2>")
    assert mentioned.title == "Action items for Luis" and len(mentioned.items) == 1
    both = await setup.chat.say("actions owner:luis --mine")
    assert both.status == "error" and "not both" in both.text

    luis = setup.chat.as_user("U2", "Luis")
    mine = await luis.ok("actions --mine")
    assert len(mine.items) == 1  # matched to the member called Luis
    item_id = mine.items[0].split()[0].lstrip("#")
    await luis.ok(f"actions done {item_id}")
    assert "No action items" in text_of(await luis.ok("actions --mine"))
    assert "send the final budget" in text_of(await luis.ok("actions --done"))
    # Summarised again, an item found again keeps its number and stays done.
    await setup.chat.ok("transcript resummarize 1")
    await setup.pipeline.run_until_idle()
    done = await luis.ok("actions --done")
    assert [i.split()[0] for i in done.items] == [f"#{item_id}"], done.items
    assert f"#{item_id} " not in text_of(await luis.ok("actions --mine"))


async def test_a_label_stored_with_its_point_is_shown_once(setup: Setup, db: Database) -> None:
    await setup.meeting()
    await setup.upload("launch.vtt", VTT.encode())
    await setup.pipeline.run_until_idle()
    async with db.transaction() as store:  # as summaries were stored before the label was cut
        await store.session.execute(update(SummaryItem).where(
            SummaryItem.kind == ItemKind.NEXT_STEP).values(
            text="Next step: book the load test with the hosting provider."))
    shown = (await setup.chat.ok("transcript show 1")).items
    assert "Next step: book the load test with the hosting provider. (Ana, 0:24)" in shown


async def test_the_summary_replaces_the_pending_follow_up(setup: Setup, db: Database,
                                                          clock: Clock) -> None:
    from bot.meetings.reminders import ReminderService

    await setup.meeting()
    await setup.upload("launch.vtt", VTT.encode())
    await setup.pipeline.run_until_idle()
    clock.advance(hours=1)  # when the follow-up asking for the recording was due
    assert not await ReminderService(db, setup.outbox, clock=clock).run_due()
    assert len(setup.outbox.to_channel()) == 1  # just the summary


async def test_the_same_file_twice_is_recognised(setup: Setup) -> None:
    await setup.meeting()
    await setup.upload("launch.vtt", VTT.encode())
    again = await setup.upload("copy-of-launch.vtt", VTT.encode())
    assert again.status == "info" and "already added as transcript #1" in again.text
    listed = await setup.chat.ok("transcript list")
    assert len(listed.items) == 1 and listed.items[0].startswith("#1 *Launch review* · ")
    # Added to the wrong meeting: the reply says which one has it, and how to move it.
    await setup.chat.ok("meeting log website yesterday 3pm title:Kickoff")
    elsewhere = await setup.upload("launch.vtt", VTT.encode(), "transcript add #2")
    assert elsewhere.status == "info" and elsewhere.text.startswith(
        "`launch.vtt` was already added as transcript #1 of Launch review (")
    assert "delete it with `/transcript delete #1` and add the file again." in elsewhere.text
    await setup.chat.ok("transcript delete 1 --yes")
    moved = await setup.upload("launch.vtt", VTT.encode(), "transcript add #2")
    assert re.match(r"`launch\.vtt` is transcript #\d+ of Kickoff;", moved.text), moved.text


async def test_a_meeting_still_ahead_takes_no_transcript(setup: Setup) -> None:
    await setup.chat.ok("project create Website")
    await setup.chat.ok("meeting schedule website tomorrow 3pm title:Planning")
    ahead = await setup.upload("launch.vtt", VTT.encode())
    assert ahead.status == "error" and ahead.text.startswith("Planning starts ")
    assert "once it has taken place" in ahead.text
    assert "No transcripts yet" in (await setup.chat.ok("transcript list")).text


@pytest.mark.parametrize("name, content, message", [
    ("notes.vtt", b"WEBVTT\n\n00:00:05.000 --> 00:00:01.000\n<v Ana>Backwards.\n", "Line 3"),
    ("empty.srt", b"", "is empty"),
    ("slides.pdf", b"%PDF-1.4 binary", "neither audio"),
    # Secrets picked by mistake never become searchable lines.
    ("id_ed25519", b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE "
                   b"KEY-----\n", "looks like a key or a settings file"),
    (".env", b"DATABASE_URL=postgresql://admin:secret@db/prod\n", "looks like a key"),
    ("settings.txt", b"# prod\nAPI_KEY=abc123\nDEBUG=false\n", "looks like a key"),
])
async def test_bad_files_are_refused_and_nothing_is_stored(setup: Setup, name: str,
                                                           content: bytes, message: str) -> None:
    await setup.meeting()
    reply = await setup.upload(name, content)
    assert reply.status == "error" and message in reply.text
    assert "No transcripts yet" in text_of(await setup.chat.ok("transcript list"))


async def test_too_big_and_missing_files(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    await setup.meeting()
    monkeypatch.setattr("bot.transcripts.pipeline.MAX_TEXT_BYTES", 100)
    big = await setup.upload("long.vtt", VTT.encode())
    assert big.status == "error" and "the limit is" in big.text
    bare = await setup.chat.say("transcript add #1")
    assert bare.status == "error" and "/upload #12" in bare.text


async def test_a_long_transcript_shows_how_far_its_indexing_got(
        db: Database, clock: Clock, tmp_path: Path) -> None:
    async with FakeOpenAI() as fake:
        index = SearchIndex(path=tmp_path / "chroma",
                            embedding=OpenAIEmbedding(api_key="k", base_url=fake.base_url))
        setup = Setup(db, clock, tmp_path, indexer=TranscriptIndexer(db, index),
                      progress_seconds=0.01)
        await setup.meeting()
        lines = [f"[00:{n // 60:02d}:{n % 60:02d}] Ana: point {n} of the launch plan"
                 for n in range(1500)]
        added = await setup.upload("workshop.txt", "\n".join(lines).encode())
        assert added.status == "ok", added.text
        fake.delay_next(0.1, times=20)  # 128 texts a request: about 13 of them
        run = asyncio.create_task(setup.pipeline.run_until_idle())
        shown = []
        while not run.done():
            shown.append(text_of(await setup.chat.ok("transcript show 1")))
            await asyncio.sleep(0.02)
        assert await run == [1]
    percents = [int(found[1]) for line in shown if (found := re.search(r"indexing (\d+)%", line))]
    assert any(0 < percent < 90 for percent in percents), shown
    assert percents == sorted(percents)


async def test_failures_back_off_then_succeed(db: Database, clock: Clock,
                                              tmp_path: Path) -> None:
    flaky = FlakySummarizer(failures=2)
    setup = Setup(db, clock, tmp_path, summarizer=flaky)
    await setup.meeting()
    await setup.upload("launch.vtt", VTT.encode())
    await setup.pipeline.run_until_idle()
    assert flaky.calls == 1 and not setup.outbox.sent
    shown = text_of(await setup.chat.ok("transcript show 1"))
    assert "summarising" in shown and "the model endpoint is down" in shown
    assert await setup.pipeline.run_until_idle() == []  # backing off
    clock.advance(seconds=31)
    await setup.pipeline.run_until_idle()
    assert flaky.calls == 2
    clock.advance(seconds=61)
    await setup.pipeline.run_until_idle()
    assert flaky.calls == 3 and setup.outbox.to_channel()[0].title == "Summary of Launch review"


async def test_giving_up_is_reported_to_the_channel(db: Database, clock: Clock,
                                                    tmp_path: Path) -> None:
    setup = Setup(db, clock, tmp_path, summarizer=FlakySummarizer(failures=99))
    await setup.meeting()
    await setup.upload("launch.vtt", VTT.encode())
    for _attempt in range(MAX_ATTEMPTS):
        await setup.pipeline.run_until_idle()
        clock.advance(minutes=10)
    [report] = setup.outbox.to_channel()
    assert report.status == "error" and "the model endpoint is down" in report.text
    assert "failed" in text_of(await setup.chat.ok("transcript list"))
    await setup.chat.ok("transcript resummarize 1")  # a person can try again later


async def _hanging_in_summary(db: Database, clock: Clock,
                              tmp_path: Path) -> tuple[Setup, asyncio.Task[int | None]]:
    """A process whose pipeline is stuck summarising the meeting's transcript."""

    class Hanging(ExtractiveSummarizer):
        async def summarize(self, *args: object, **kwargs: object) -> Summary:
            await asyncio.Event().wait()
            raise AssertionError("unreachable")

    stuck = Setup(db, clock, tmp_path, summarizer=Hanging())
    await stuck.meeting()
    await stuck.upload("launch.vtt", VTT.encode())
    task = asyncio.create_task(stuck.pipeline.run_once())
    for _ in range(200):
        if "summarising" in text_of(await stuck.chat.ok("transcript list")):
            break
        await asyncio.sleep(0.01)
    return stuck, task


async def test_a_crash_mid_step_resumes_where_it_stopped(db: Database, clock: Clock,
                                                         tmp_path: Path) -> None:
    # Killed: the task never runs again, the row still says "summarising" with our claim.
    _dead, task = await _hanging_in_summary(db, clock, tmp_path)
    survivor = Setup(db, clock, tmp_path)
    assert await survivor.pipeline.run_until_idle() == []  # the claim's lease still holds
    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert await survivor.pipeline.run_until_idle() == [1]
    assert [r.title for r in survivor.outbox.to_channel()] == ["Summary of Launch review"]
    assert await survivor.pipeline.run_until_idle() == []  # and never twice
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_stopped_process_hands_its_work_on_at_once(db: Database, clock: Clock,
                                                           tmp_path: Path) -> None:
    # Stopped (`exit`, a deploy): the claim is given back, no lease to wait out.
    _stopped, task = await _hanging_in_summary(db, clock, tmp_path)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    successor = Setup(db, clock, tmp_path)
    assert await successor.pipeline.run_until_idle() == [1]
    assert [r.title for r in successor.outbox.to_channel()] == ["Summary of Launch review"]


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng is not installed")
async def test_recorded_speech_becomes_a_summary_with_an_action_item(
        setup: Setup, clock: Clock, tmp_path: Path) -> None:
    wav = tmp_path / "call.wav"
    # -g 10 spaces the words a little, which the small English model hears more reliably.
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "140", "-g", "10", "-w", str(wav),
                    "Good morning everyone. We decided to launch the new website in March. "
                    "Maria will send the budget proposal by Friday. Thank you all."], check=True)
    await setup.meeting()
    added = await setup.upload("call.wav", wav.read_bytes())
    assert added.status == "ok", added.text
    await setup.pipeline.run_until_idle()
    [posted] = setup.outbox.to_channel()
    lines = "\n".join(posted.items).casefold()
    assert "budget" in lines and "launch" in lines
    action = next(line for line in posted.items if line.startswith("Action"))
    friday = clock.now.date() + timedelta(days=(4 - clock.now.weekday()) % 7 or 7)
    assert "— maria" in action.casefold() and "budget" in action.casefold()
    assert str(friday.day) in action
    assert not list((tmp_path / "uploads").iterdir())  # the audio is not kept


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng is not installed")
async def test_a_failed_recording_added_again_with_its_language_is_processed(
        setup: Setup, tmp_path: Path) -> None:
    wav = tmp_path / "call.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "140", "-g", "10", "-w", str(wav),
                    "We decided to launch the new website in March."], check=True)
    await setup.meeting()
    await setup.chat.ok("settings language:es")  # recordings are taken to be Spanish now
    await setup.upload("call.wav", wav.read_bytes())
    await setup.pipeline.run_until_idle()
    [report] = setup.outbox.to_channel()
    assert report.status == "error" and "`language:en`" in report.text  # how to fix it
    # The error kept with the transcript reads in the reader's language, as the report did.
    reason = report.text.split(": ", 1)[1]
    assert f"Último error: {reason}" in (await setup.chat.ok("transcript show 1")).text

    again = await setup.upload("call.wav", wav.read_bytes(), "transcript add #1 language:en")
    assert again.status == "ok" and "transcripción #1" in again.text  # the same one, retried
    assert await setup.pipeline.run_until_idle() == [1]
    summary = setup.outbox.to_channel()[-1]
    assert summary.title == "Resumen de Launch review"
    assert "march" in "\n".join([summary.text, *summary.items]).casefold()


async def test_a_recording_without_speech_says_which_language_was_listened_for(
        setup: Setup, tmp_path: Path) -> None:
    silence = tmp_path / "silence.wav"
    with wave.open(str(silence), "wb") as audio:  # two seconds of real, silent audio
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(16000)
        audio.writeframes(b"\x00\x00" * 32000)
    await setup.meeting()
    await setup.upload("silence.wav", silence.read_bytes())
    await setup.pipeline.run_until_idle()
    [report] = setup.outbox.to_channel()
    assert report.status == "error" and "No speech was found in `silence.wav`, listening for " \
        "`en`" in report.text and "`language:es`" in report.text, report.text


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng is not installed")
async def test_a_spanish_recording_is_summarised_in_spanish(db: Database, clock: Clock,
                                                            tmp_path: Path) -> None:
    setup = Setup(db, clock, tmp_path, transcriber=EmbeddedWhisper(cache=tmp_path / "models"))
    wav = tmp_path / "llamada.wav"
    subprocess.run(["espeak-ng", "-v", "es", "-s", "140", "-g", "10", "-w", str(wav),
                    "Buenos días a todos. Decidimos lanzar la nueva web en marzo. "
                    "Marta va a enviar el presupuesto el viernes. Gracias a todos."], check=True)
    await setup.meeting()
    await setup.chat.ok("settings language:es")  # recordings are taken to be Spanish
    await setup.upload("llamada.wav", wav.read_bytes())
    assert await setup.pipeline.run_until_idle() == [1]
    [summary] = setup.outbox.to_channel()
    assert summary.title == "Resumen de Launch review"
    lines = "\n".join(summary.items).casefold()
    assert "decisión: decidimos lanzar la nueva web en marzo" in lines
    action = next(line for line in summary.items if line.startswith("Tarea"))
    assert "— marta" in action.casefold() and "presupuesto" in action.casefold()


async def test_a_step_longer_than_the_lease_keeps_its_claim(db: Database, clock: Clock,
                                                            tmp_path: Path) -> None:
    """Speech-to-text of a long recording can outlast the lease: the claim is renewed while
    it runs, so no other process starts the same work."""
    release = asyncio.Event()

    class Slow(ExtractiveSummarizer):
        async def summarize(self, *args: object, **kwargs: object) -> Summary:
            await release.wait()
            return await super().summarize(*args, **kwargs)  # type: ignore[arg-type]

    busy = Setup(db, clock, tmp_path, summarizer=Slow(), renew_seconds=0.01)
    await busy.meeting()
    await busy.upload("launch.vtt", VTT.encode())
    task = asyncio.create_task(busy.pipeline.run_once())
    while "summarising" not in text_of(await busy.chat.ok("transcript list")):
        await asyncio.sleep(0.01)
    other = Setup(db, clock, tmp_path)
    for _ in range(4):  # two hours of work
        clock.advance(seconds=LEASE.total_seconds() / 2)
        await asyncio.sleep(0.1)  # a renewal or more
        assert await other.pipeline.run_once() is None
    release.set()
    assert await task == 1
    assert [r.title for r in busy.outbox.to_channel()] == ["Summary of Launch review"]
    assert not other.outbox.sent


async def test_an_action_item_is_marked_done_by_what_it_says(setup: Setup) -> None:
    await setup.summarised_with("Bea", "I will fix the contact form on older phones by Monday.")
    bea = setup.chat.as_user("U3", "Bea")
    # A remark that happens to share a word with a task marks nothing.
    unsure = await bea.say("the launch is done")
    assert unsure.status == "error" and "No open action item matches" in unsure.text
    # A word the task does not hold ("draft") is another piece of work.
    draft = await bea.say("the contact form draft is done")
    assert draft.status == "error" and "No open action item matches" in draft.text
    done = await bea.ok("I finished the contact form")
    item = done.text.split()[1]  # the reply names the task's number and owner
    assert done.text == f"Done: {item} fix the contact form on older phones (Bea)"
    assert (await bea.ok(f"actions done {item} --undo")).text.startswith(f"Open again: {item}")
    await bea.ok(f"I finished task {item.lstrip('#')}")  # "task 12" is its number
    luis = setup.chat.as_user("U2", "Luis")
    assert (await luis.ok("actions done the final budget")).text.startswith("Done: #")
    assert "No action items" in text_of(await setup.chat.ok("actions --every"))


async def test_the_same_task_of_two_people_is_the_senders_own(setup: Setup) -> None:
    await setup.meeting()
    lines = [("Ana", "Pedro, can you fix the footer before the 12th?"),
             ("Pedro", "Sure, I will do that."), ("Marco", "Laura, can you fix the footer by "
                                                           "Friday?"), ("Laura", "Sure.")]
    vtt = "WEBVTT\n" + "".join(f"\n00:00:{10 * n:02}.000 --> 00:00:{10 * n + 5:02}.000\n"
                                f"<v {who}>{said}\n" for n, (who, said) in enumerate(lines))
    await setup.upload("footer.vtt", vtt.encode())
    await setup.pipeline.run_until_idle()
    # Laura joins after the summary: her task is still known by her name.
    done = await setup.chat.as_user("U7", "laura").ok("I finished the footer")
    assert done.text.startswith("Done: #") and done.text.endswith("(Laura)"), done.text
    # Listed across projects, each item names its project, even when all are of one (the
    # workspace's only project goes without saying).
    assert not any(item.endswith(" · *Website*") for item in (
        await setup.chat.ok("actions --every")).items)
    await setup.chat.ok("project create Mobile")
    listed = (await setup.chat.ok("actions --every")).items
    assert listed and all(item.endswith(" · *Website*") for item in listed), listed


async def test_a_speaker_is_the_member_of_that_name_whatever_its_case(setup: Setup) -> None:
    await setup.chat.ok("help")  # the workspace's owner first
    marco = setup.chat.as_user("U4", "marco")  # a chat login, lowercase
    await marco.ok("help")
    await setup.summarised_with("Marco", "I will fix the contact form by Monday.")
    mine = await marco.ok("actions --mine")
    assert any("fix the contact form" in item for item in mine.items), mine.text


async def test_items_given_by_name_are_theirs_whenever_they_join(setup: Setup) -> None:
    await setup.summarised_with("Ana", "Sofía will update the designs by Monday.")
    # Written "Sofía" by the meeting: found as "sofia" too.
    found = await setup.chat.ok("actions owner:sofia")
    assert any("update the designs" in item for item in found.items), found.text
    # She joins the workspace after the summary: her items are still hers.
    sofia = setup.chat.as_user("U9", "sofia")
    mine = await sofia.ok("actions --mine")
    assert any("update the designs" in item for item in mine.items), mine.text


async def test_a_transcript_with_nothing_to_summarise_says_so(setup: Setup) -> None:
    await setup.meeting()
    await setup.upload("hello.txt", b"Ana: Hi all.\nLuis: Hi.\n")
    await setup.pipeline.run_until_idle()
    [posted] = setup.outbox.to_channel()
    assert posted.text == "Nothing to summarise: no point, decision or task was said in it."
