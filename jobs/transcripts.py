"""The transcript worker: drains the pipeline on a poll and whenever new work is committed."""

from __future__ import annotations

import asyncio
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.transcripts.pipeline import TranscriptPipeline

log = logging.getLogger("v1tr0.jobs")


class TranscriptWorker:
    """Works on the pipeline's transcripts in the bot's event loop, a few at a time.

    Each slot takes one transcript after another until none is due, so a long recording
    holds up one slot and the next meeting's transcript goes through the other. The poll
    picks up retries whose backoff has passed, work committed by other processes and work
    a crashed process left behind (once its claim's lease runs out). Once per start it also
    drops from the search index the transcripts deleted meanwhile, and indexes the
    processed ones it lacks, which is all of them after a change of embedding model.

    Args:
        pipeline: The pipeline to drive.
        poll_seconds: How often to look for due work besides being poked.
        slots: How many transcripts are worked on at once.
    """

    def __init__(self, pipeline: TranscriptPipeline, *, poll_seconds: float = 15.0,
                 slots: int = 2) -> None:
        self.pipeline = pipeline
        self.poll_seconds = poll_seconds
        self.slots = slots
        self.scheduler: AsyncIOScheduler | None = None
        self._working: set[asyncio.Task[None]] = set()  # the slots at work
        self._backfilling: asyncio.Task[None] | None = None
        self._wanted = False

    async def start(self) -> None:
        self.scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(),
                                          timezone="UTC")
        self.scheduler.add_job(self.drain, "interval", seconds=self.poll_seconds, id="drain",
                               coalesce=True, max_instances=1,
                               next_run_time=self.pipeline.clock())
        self.scheduler.start()
        # Once per start: the index forgets what was deleted and gets what it lacks.
        self._backfilling = asyncio.get_running_loop().create_task(self.backfill())

    async def backfill(self) -> None:
        """Bring the search index in line with the database: drop what was deleted, index
        what it lacks; see the indexer's ``reconcile``."""
        if self.pipeline.indexer is None:
            return
        try:
            await self.pipeline.indexer.reconcile()
        except Exception:
            log.exception("updating the search index failed; the next start tries again")

    async def stop(self) -> None:
        """Stop, and wait until the work under way has given its claim back.

        Without the wait, the cancelled step would release its claim only after the
        database is closed, and the transcript would sit claimed until the lease ran out.
        """
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        # Jobs only start tasks of ours, so the scheduler has nothing left to cancel (which
        # it would log as a failed job); the tasks are cancelled here and waited for.
        working = {*self._working, *filter(None, [self._backfilling])}
        for task in working:
            task.cancel()
        await asyncio.gather(*working, return_exceptions=True)

    async def drain(self) -> None:
        """Start work on whatever is due in every free slot (the poll's job)."""
        self.poke()

    def poke(self) -> None:
        """Work was committed in this process: start on it now rather than at the next poll."""
        if self.scheduler is None:
            return
        self._wanted = True  # a slot that found nothing just now looks once more
        while len(self._working) < self.slots:
            task = asyncio.get_running_loop().create_task(self._work())
            self._working.add(task)
            task.add_done_callback(self._working.discard)

    async def _work(self) -> None:
        """One slot: claim and process transcripts until none is due."""
        while True:
            self._wanted = False
            try:
                transcript_id = await self.pipeline.run_once()
            except Exception:
                log.exception("the transcript pipeline failed; the next poll retries")
                return
            if transcript_id is not None:
                log.info("transcript %s processed", transcript_id)
            elif not self._wanted:
                return
