"""The transcript worker: drains the pipeline on a poll and whenever new work is committed."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.transcripts.pipeline import TranscriptPipeline

log = logging.getLogger("v1tr0.jobs")


class TranscriptWorker:
    """Runs :meth:`TranscriptPipeline.run_until_idle` in the bot's event loop.

    The poll picks up retries whose backoff has passed, work committed by other processes
    and work a crashed process left behind (once its claim's lease runs out). Once per start
    it also drops from the search index the transcripts deleted meanwhile, and indexes the
    processed ones it lacks, which is all of them after a change of embedding model.

    Args:
        pipeline: The pipeline to drive.
        poll_seconds: How often to look for due work besides being poked.
    """

    def __init__(self, pipeline: TranscriptPipeline, *, poll_seconds: float = 15.0) -> None:
        self.pipeline = pipeline
        self.poll_seconds = poll_seconds
        self.scheduler: AsyncIOScheduler | None = None
        self._draining = asyncio.Lock()
        self._draining_task: asyncio.Task[Any] | None = None
        self._wanted = False
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self.scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(),
                                          timezone="UTC")
        self.scheduler.add_job(self.drain, "interval", seconds=self.poll_seconds, id="drain",
                               coalesce=True, max_instances=1,
                               next_run_time=self.pipeline.clock())
        # Once per start: the index forgets what was deleted and gets what it lacks.
        self.scheduler.add_job(self.backfill, "date", id="backfill")
        self.scheduler.start()

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
        running = {*self._tasks, *filter(None, [self._draining_task])}
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)

    async def drain(self) -> None:
        self._wanted = True
        if self._draining.locked():
            return  # the running drain goes round once more
        async with self._draining:
            self._draining_task = asyncio.current_task()
            try:
                while self._wanted:
                    self._wanted = False
                    try:
                        processed = await self.pipeline.run_until_idle()
                    except Exception:
                        log.exception("the transcript pipeline failed; the next poll retries")
                        return
                    if processed:
                        log.info("transcripts processed: %s", processed)
            finally:
                self._draining_task = None

    def poke(self) -> None:
        """Work was committed in this process: start on it now rather than at the next poll."""
        if self.scheduler is None:
            return
        task = asyncio.get_running_loop().create_task(self.drain())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
