"""The transcript worker: what it does on its own when the bot starts."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from bot.commands import registry
from bot.core import Upload
from bot.dispatcher import Dispatcher
from bot.ports import Services
from bot.retrieval.indexing import TranscriptIndexer
from bot.transcripts.model import Segment, Summary
from bot.transcripts.pipeline import TranscriptPipeline
from bot.transcripts.stt import WhisperTranscriber
from bot.transcripts.summarize import ExtractiveSummarizer
from jobs.transcripts import TranscriptWorker
from storage import Database
from storage.embeddings import MiniLMEmbedding, OpenAIEmbedding
from storage.models import TranscriptStatus
from storage.search_index import SearchIndex
from tests.conftest import Chat, Clock, Outbox
from tests.fakes.openai_server import FakeOpenAI

KICKOFF = """WEBVTT

00:00:01.000 --> 00:00:05.000
<v Ana>The kickoff is done; the client signs the contract on Monday.
"""


def pipeline_over(db: Database, index: SearchIndex, clock: Clock,
                  tmp_path: Path) -> TranscriptPipeline:
    return TranscriptPipeline(db, Outbox(), transcriber=WhisperTranscriber(),
                              summarizer=ExtractiveSummarizer(), uploads=tmp_path / "uploads",
                              indexer=TranscriptIndexer(db, index), clock=clock)


async def test_on_start_the_worker_indexes_what_a_new_embedding_model_lacks(
        db: Database, clock: Clock, tmp_path: Path, embedding: MiniLMEmbedding) -> None:
    first = pipeline_over(db, SearchIndex(path=tmp_path / "chroma", embedding=embedding),
                          clock, tmp_path)
    chat = Chat(Dispatcher(db, registry, services=Services(clock=clock, transcripts=first)))
    await chat.ok("project create Website")
    reply = await chat.ok('meeting now website title:"Kickoff"')
    meeting = re.search(r"meeting join #(\d+)", " ".join(b.command for b in reply.buttons))
    assert meeting
    added = await chat.say(f"transcript add #{meeting[1]}",
                           files=(Upload("kickoff.vtt", KICKOFF.encode()),))
    assert added.status == "ok", added.text
    await first.run_until_idle()

    async with FakeOpenAI() as fake:
        index = SearchIndex(path=tmp_path / "chroma",
                            embedding=OpenAIEmbedding(api_key="k", base_url=fake.base_url))
        worker = TranscriptWorker(pipeline_over(db, index, clock, tmp_path), poll_seconds=3600)
        await worker.start()
        try:
            for _ in range(200):
                if index.transcript_ids_sync(1):
                    break
                await asyncio.sleep(0.05)
        finally:
            await worker.stop()
        assert index.transcript_ids_sync(1) == {1}
        hits = await index.search(1, "contract", k=1)
    assert "contract on Monday" in hits[0].chunk.text


class HangingSummarizer(ExtractiveSummarizer):
    """Never finishes: the worker is stopped in the middle of the summary step."""

    async def summarize(self, *args: object, **kwargs: object) -> Summary:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


def worker_over(db: Database, clock: Clock, tmp_path: Path,
                summarizer: ExtractiveSummarizer) -> tuple[TranscriptWorker, Chat]:
    """A worker (not started) and a chat whose uploads poke it."""
    pipeline = TranscriptPipeline(db, Outbox(), transcriber=WhisperTranscriber(),
                                  summarizer=summarizer, uploads=tmp_path / "uploads",
                                  clock=clock)
    worker = TranscriptWorker(pipeline, poll_seconds=3600)
    return worker, Chat(Dispatcher(db, registry, services=Services(
        clock=clock, transcripts=pipeline, transcripts_changed=worker.poke)))


async def test_a_stopped_worker_gives_its_claim_back_before_stop_returns(
        db: Database, clock: Clock, tmp_path: Path) -> None:
    worker, chat = worker_over(db, clock, tmp_path, HangingSummarizer())
    await chat.ok("project create Website")
    await chat.ok('meeting now website title:"Kickoff"')
    await worker.start()
    added = await chat.say("transcript add #1", files=(Upload("kickoff.vtt", KICKOFF.encode()),))
    assert added.status == "ok", added.text
    for _ in range(200):
        async with db.transaction() as store:
            transcript = await store.scoped(1).transcript(1)
        if transcript and transcript.status is TranscriptStatus.SUMMARISING:
            break
        await asyncio.sleep(0.01)
    await worker.stop()  # an exit or a deploy, with the summary step in flight
    async with db.transaction() as store:
        transcript = await store.scoped(1).transcript(1)
    assert transcript is not None and transcript.status is TranscriptStatus.SUMMARISING
    assert transcript.claimed_at is None  # the next process takes it at once, no lease


async def test_a_stop_at_any_point_of_a_step_gives_the_claim_back(
        db: Database, clock: Clock, tmp_path: Path) -> None:
    """Cancelled after 0, 1, 2… turns of the event loop: as the claim commits (the session's
    close is shielded), inside a step, or while it waits: the claim is always given back."""
    pipeline = TranscriptPipeline(db, Outbox(), transcriber=WhisperTranscriber(),
                                  summarizer=HangingSummarizer(), uploads=tmp_path / "uploads",
                                  clock=clock)
    chat = Chat(Dispatcher(db, registry, services=Services(clock=clock, transcripts=pipeline)))
    await chat.ok("project create Website")
    await chat.ok('meeting now website title:"Kickoff"')
    added = await chat.say("transcript add #1", files=(Upload("kickoff.vtt", KICKOFF.encode()),))
    assert added.status == "ok", added.text
    summarising = 0
    # Turns of the loop first (SQLite answers within them), then waits (PostgreSQL's replies).
    stops = [*range(40), *(0.002 * 2 ** n for n in range(12))]
    for turns in stops:
        run = asyncio.create_task(pipeline.run_once())
        if isinstance(turns, float):
            await asyncio.sleep(turns)
        for _ in range(turns if isinstance(turns, int) else 0):
            await asyncio.sleep(0)
        run.cancel()
        await asyncio.gather(run, return_exceptions=True)
        async with db.transaction() as store:
            transcript = await store.scoped(1).transcript(1)
        assert transcript is not None and transcript.claimed_at is None, turns
        summarising += transcript.status is TranscriptStatus.SUMMARISING
        if summarising > 2:
            break  # stopped inside the last step too
    assert summarising > 2


class HeldSummarizer(ExtractiveSummarizer):
    """Holds the summary of a transcript that says "hold" until the test lets it go."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()

    async def summarize(self, segments: Sequence[Segment], *, language: str,
                        meeting_date: date) -> Summary:
        if any("hold" in segment.text for segment in segments):
            await self.release.wait()
        return await super().summarize(segments, language=language, meeting_date=meeting_date)


async def status_of(db: Database, transcript_id: int) -> TranscriptStatus:
    async with db.transaction() as store:
        transcript = await store.scoped(1).transcript(transcript_id)
    assert transcript is not None
    return transcript.status


async def wait_for(db: Database, transcript_id: int, status: TranscriptStatus) -> None:
    for _ in range(500):
        if await status_of(db, transcript_id) is status:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"transcript #{transcript_id} never reached {status}")


async def test_a_long_transcript_does_not_hold_up_the_next_meetings_one(
        db: Database, clock: Clock, tmp_path: Path) -> None:
    summarizer = HeldSummarizer()
    worker, chat = worker_over(db, clock, tmp_path, summarizer)
    await chat.ok("project create Website")
    await chat.ok('meeting now website title:"Workshop"')
    await chat.ok('meeting now website title:"Kickoff"')
    await worker.start()
    try:
        long = "WEBVTT\n\n00:00:01.000 --> 00:00:05.000\n<v Ana>We hold the workshop all day.\n"
        added = await chat.say("transcript add #1", files=(Upload("workshop.vtt", long.encode()),))
        assert added.status == "ok", added.text
        await wait_for(db, 1, TranscriptStatus.SUMMARISING)
        added = await chat.say("transcript add #2",
                               files=(Upload("kickoff.vtt", KICKOFF.encode()),))
        assert added.status == "ok", added.text
        await wait_for(db, 2, TranscriptStatus.DONE)
        assert await status_of(db, 1) is TranscriptStatus.SUMMARISING
        summarizer.release.set()
        await wait_for(db, 1, TranscriptStatus.DONE)
    finally:
        await worker.stop()


async def test_a_stopped_workers_indexing_thread_stops_at_its_next_batch(
        db: Database, clock: Clock, tmp_path: Path, embedding: MiniLMEmbedding) -> None:
    index = SearchIndex(path=tmp_path / "chroma", embedding=embedding)
    pipeline = TranscriptPipeline(db, Outbox(), transcriber=WhisperTranscriber(),
                                  summarizer=ExtractiveSummarizer(), uploads=tmp_path / "uploads",
                                  indexer=TranscriptIndexer(db, index), clock=clock,
                                  progress_seconds=0.05)
    worker = TranscriptWorker(pipeline, poll_seconds=3600)
    chat = Chat(Dispatcher(db, registry, services=Services(
        clock=clock, transcripts=pipeline, transcripts_changed=worker.poke)))
    await chat.ok("project create Website")
    await chat.ok('meeting now website title:"Long review"')
    long = "\n".join(f"{('Ana', 'Luis')[n % 2]}: Point {n} of the review is about the checkout "
                     f"page, the photos and the launch plan." for n in range(700))
    await worker.start()
    added = await chat.say("transcript add #1", files=(Upload("long.txt", long.encode()),))
    assert added.status == "ok", added.text
    for _ in range(1500):  # until its first batch is embedded, and the thread at work
        async with db.transaction() as store:
            transcript = await store.scoped(1).transcript(1)
        if transcript and transcript.status is TranscriptStatus.INDEXING \
                and transcript.progress > 0.01:
            break
        await asyncio.sleep(0.02)
    await worker.stop()  # its claim is given back: another worker will index it
    # The embedding thread stops at its next batch rather than indexing on, unclaimed.
    await asyncio.get_running_loop().shutdown_default_executor()
    assert index.count_sync(1, transcript_id=1) == 0


async def test_a_transcript_deleted_while_indexed_stops_quietly(
        db: Database, clock: Clock, tmp_path: Path, embedding: MiniLMEmbedding,
        caplog: pytest.LogCaptureFixture) -> None:
    index = SearchIndex(path=tmp_path / "chroma", embedding=embedding)
    outbox = Outbox()
    pipeline = TranscriptPipeline(db, outbox, transcriber=WhisperTranscriber(),
                                  summarizer=ExtractiveSummarizer(), uploads=tmp_path / "uploads",
                                  indexer=TranscriptIndexer(db, index), clock=clock,
                                  progress_seconds=0.05)
    chat = Chat(Dispatcher(db, registry, services=Services(clock=clock, transcripts=pipeline)))
    await chat.ok("project create Website")
    await chat.ok('meeting now website title:"Long review"')
    long = "\n".join(f"{('Ana', 'Luis')[n % 2]}: Point {n} of the review is about the checkout "
                     f"page, the photos and the launch plan." for n in range(700))
    added = await chat.say("transcript add #1", files=(Upload("long.txt", long.encode()),))
    assert added.status == "ok", added.text
    running = asyncio.create_task(pipeline.run_until_idle())
    for _ in range(1500):  # until the indexing thread is at work
        async with db.transaction() as store:
            transcript = await store.scoped(1).transcript(1)
        if transcript and transcript.progress > 0.01:
            break
        await asyncio.sleep(0.02)
    await chat.ok("transcript delete #1 --yes")
    with caplog.at_level(logging.INFO):
        assert await asyncio.wait_for(running, timeout=60) == [1]  # it stops, long before
    await asyncio.get_running_loop().shutdown_default_executor()
    assert "deleted while it was processed" in caplog.text and "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert index.count_sync(1, transcript_id=1) == 0  # what it indexed meanwhile is dropped
    assert not outbox.to_channel()  # no "I could not process" for a file deleted on purpose
