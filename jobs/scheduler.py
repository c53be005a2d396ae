"""The reminder scheduler: APScheduler 3 timers in the bot's event loop, rows as the truth.

Each pending reminder due within the horizon gets a date job at its time; a sweep every
``sweep_seconds`` sends anything due that a timer did not (reminders written by another
process, retries after a platform refused a message) and refreshes the timers. On start the
sweep runs at once, so what fell due while the bot was down goes out late, or is recorded
as skipped when it is past its grace window.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.meetings.reminders import ReminderService

log = logging.getLogger("v1tr0.jobs")

HORIZON = timedelta(minutes=5)  # timers are set this far ahead; the sweep covers the rest
BUCKET = timedelta(milliseconds=100)  # reminders due within one bucket share a timer


class ReminderScheduler:
    """Drives :class:`~bot.meetings.reminders.ReminderService` on a clock.

    Args:
        service: Claims and sends due reminders.
        sweep_seconds: How often to look for due reminders no timer covered.
    """

    def __init__(self, service: ReminderService, *, sweep_seconds: float = 30.0) -> None:
        self.service = service
        self.sweep_seconds = sweep_seconds
        self.scheduler: AsyncIOScheduler | None = None
        self._running = asyncio.Lock()  # one run at a time in this process
        self._sweep_soon: asyncio.TimerHandle | None = None

    async def start(self) -> None:
        """Start in the running event loop and catch up on what was missed."""
        self.scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop(),
                                          timezone="UTC")
        self.scheduler.add_job(self.sweep, "interval", seconds=self.sweep_seconds,
                               id="sweep", coalesce=True, max_instances=1,
                               next_run_time=self.service.clock())
        self.scheduler.start()

    async def stop(self) -> None:
        # Let a run in flight record what it sent: cancelling it mid-way would leave rows
        # "sending", and they would go out again once their lease ran out.
        async with self._running:
            if self.scheduler is not None:
                self.scheduler.shutdown(wait=False)
                self.scheduler = None

    async def sweep(self) -> None:
        """Send what is due, then set a timer for each reminder due within the horizon."""
        await self.fire()
        await self.resync()

    async def fire(self) -> None:
        async with self._running:
            try:
                outcome = await self.service.run_due()
            except Exception:
                log.exception("sending due reminders failed; the next sweep retries")
                return
        if outcome:
            log.info("reminders: %s", dict(outcome))

    async def resync(self) -> None:
        """Make the timers match the pending rows within the horizon."""
        if self.scheduler is None:
            return
        now = self.service.clock()
        # What is due now was just claimed by fire(); timers are for what comes later.
        times = sorted({_bucket(t) for _id, t in await self.service.pending(now + HORIZON)
                        if t > now})
        existing = {job.id for job in self.scheduler.get_jobs() if job.id.startswith("at:")}
        for job_id in existing - {f"at:{t.isoformat()}" for t in times}:
            self.scheduler.remove_job(job_id)
        for moment in times:
            job_id = f"at:{moment.isoformat()}"
            if job_id not in existing:
                # One timer per bucket: 10,000 reminders at the same time are one claim,
                # not 10,000 jobs.
                self.scheduler.add_job(self.fire, DateTrigger(run_date=moment), id=job_id,
                                       misfire_grace_time=None, coalesce=True)

    def poke(self) -> None:
        """Reminders changed in this process: send what is due and refresh the timers soon."""
        if self.scheduler is None:
            return
        loop = asyncio.get_running_loop()
        if self._sweep_soon is None or self._sweep_soon.cancelled():
            self._sweep_soon = loop.call_later(0.05, self._spawn_sweep)

    def _spawn_sweep(self) -> None:
        self._sweep_soon = None
        task = asyncio.ensure_future(self.sweep())
        task.add_done_callback(_log_failure)


def _bucket(moment: datetime) -> datetime:
    """Round up to the next bucket boundary, so a timer never fires before its reminders."""
    step = BUCKET // timedelta(microseconds=1)
    micros = moment.microsecond
    rounded = -(-micros // step) * step
    return moment.replace(microsecond=0) + timedelta(microseconds=rounded)


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception():
        log.error("refreshing reminder timers failed", exc_info=task.exception())
