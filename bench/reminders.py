"""Lateness of meeting reminders when many fall due at once, and the memory it takes.

What it measures:
    ``--count`` meetings (default 10,000), each with one participant (the workspace owner,
    as host) and one pending ``before`` reminder, whose reminders fall due spread evenly
    over ``--window`` seconds (default 60). The first falls due 3 s after setup has
    finished, so the scheduler is up before anything is due. Then the real
    :class:`jobs.scheduler.ReminderScheduler` (APScheduler timers plus a 30 s sweep) runs
    :class:`bot.meetings.reminders.ReminderService` in the event loop until every channel
    reminder has arrived, or ``--window`` + 30 s have passed.

    A recording notifier stands in for the chat platform. For each channel message
    ("Meeting soon: Call {i}") it notes the wall-clock time it arrived; *lateness* is that
    time minus the reminder's ``fire_at``. The direct message each participant also gets
    is counted, not timed. A title that arrives twice is a duplicate and must never happen.

    Setup does not go through the chat commands (that would take minutes): one workspace,
    member and project, then the meetings, participants and reminders are written in bulk
    with SQLAlchemy Core ``insert(...)`` in a few transactions, on a fresh SQLite file in a
    temporary directory and, with ``--postgres URL``, also on a fresh PostgreSQL database
    created on that server and dropped at the end.

    Baseline, in the same run: the same reminders on another fresh database, driven by a
    plain polling loop with no timers -- ``await service.run_due(); await
    asyncio.sleep(1.0)``, what a simple cron-like job would do. The ratio of the p99s
    (scheduler / baseline) is printed.

    Memory: each run happens in its own child process (so one run's high-water mark does not
    hide in the next one's), and reports

    * ``ru_maxrss`` (the process's peak resident set; KiB on Linux) before setup, after
      setup and at the end -- the table shows the one at the end, and
    * the ``tracemalloc`` peak of Python allocations while the reminders were being sent
      (the peak during setup, which holds the rows being inserted, is printed below the
      table). ``tracemalloc`` slows allocation-heavy code and adds its own bookkeeping to
      the RSS; ``--no-tracemalloc`` measures lateness and RSS without it.

    The script exits with status 1 if any reminder was missing or sent twice.

How to run (from the repository root; about 2-3 minutes with the defaults):
    .venv/bin/python bench/reminders.py [--count N] [--window SECONDS]
                                        [--postgres URL] [--skip-baseline]
                                        [--no-tracemalloc]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import multiprocessing
import resource
import secrets
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/reminders.py`

import psycopg
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url
from stats import percentile_ms

from bot.core import Reply
from bot.meetings.reminders import ReminderService
from bot.ports import Target
from jobs.scheduler import ReminderScheduler
from storage import Database, name_key
from storage.models import (
    Meeting,
    MeetingStatus,
    Member,
    MemberRole,
    Participant,
    ParticipantRole,
    Project,
    ProjectStatus,
    Reminder,
    ReminderKind,
    ReminderStatus,
    Rsvp,
    Workspace,
)

GOAL_MS = 1000.0  # p99 lateness
GOAL_LINE = f"p99 lateness <= {GOAL_MS:.0f} ms"
LEAD_SECONDS = 3.0  # the first reminder falls due this long after setup has finished
GRACE_SECONDS = 30.0  # how long after the window closes the run may still wait
SWEEP_SECONDS = 30.0
POLL_SECONDS = 1.0  # the baseline's sweep
BATCH = 2_500  # meetings (and their participant and reminder) per setup transaction
TITLE_PREFIX = "Meeting soon: "  # the English channel reminder is "Meeting soon: {title}"
SCHEDULER, BASELINE = "scheduler", "baseline"
DRIVER_NAMES = {SCHEDULER: "ReminderScheduler (timers + 30 s sweep)",
                BASELINE: "polling loop (run_due every 1 s)"}


@dataclass
class Result:
    """One run: one backend, one way of driving the service."""

    backend: str
    driver: str
    count: int
    window: float
    lateness: list[float] = field(default_factory=list)  # seconds, one per channel message
    duplicates: int = 0
    unexpected: int = 0  # channel messages whose title matches no bench meeting
    direct: int = 0  # direct messages to the participant
    statuses: dict[str, int] = field(default_factory=dict)  # reminder rows, at the end
    setup_seconds: float = 0.0
    lead_seconds: float = 0.0  # from starting the driver to the first fire_at
    run_seconds: float = 0.0  # from starting the driver until it stopped
    rss_before_kib: int = 0
    rss_setup_kib: int = 0
    rss_end_kib: int = 0
    tracemalloc_setup: int | None = None  # bytes
    tracemalloc_run: int | None = None  # bytes

    @property
    def name(self) -> str:
        return f"{self.backend} {self.driver}"

    @property
    def sent(self) -> int:
        return len(self.lateness)

    @property
    def missing(self) -> int:
        return self.count - self.sent

    @property
    def failed(self) -> bool:
        return bool(self.missing or self.duplicates or self.unexpected)

    def percentile_ms(self, q: float) -> float:
        return percentile_ms(self.lateness, q)

    @property
    def max_ms(self) -> float:
        return max(self.lateness) * 1000 if self.lateness else float("nan")

    @property
    def meets_goal(self) -> bool:
        return not self.failed and self.percentile_ms(99) <= GOAL_MS


class RecordingNotifier:
    """Notes when each channel reminder arrives; counts the direct messages."""

    def __init__(self, fire_at: dict[str, float]) -> None:
        self.fire_at = fire_at  # meeting title -> its reminder's fire_at, epoch seconds
        self.arrived: dict[str, float] = {}
        self.duplicates = 0
        self.unexpected = 0
        self.direct = 0
        self.done = asyncio.Event()

    async def send(self, target: Target, reply: Reply) -> None:
        now = time.time()
        if target.user_id is not None:
            self.direct += 1
            return
        title = (reply.title or "").removeprefix(TITLE_PREFIX)
        if title not in self.fire_at:
            self.unexpected += 1
        elif title in self.arrived:
            self.duplicates += 1
        else:
            self.arrived[title] = now
            if len(self.arrived) == len(self.fire_at):
                self.done.set()

    def lateness(self) -> list[float]:
        return [at - self.fire_at[title] for title, at in self.arrived.items()]


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _maxrss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def populate(db: Database, count: int, window: float, first_at: float) -> dict[str, float]:
    """Write the workspace, ``count`` meetings with one host and one pending reminder each.

    Returns:
        Each meeting's title with its reminder's ``fire_at`` (epoch seconds).
    """
    async with db.transaction() as store:
        session = store.session
        workspace_id = (await session.execute(
            insert(Workspace.__table__).returning(Workspace.__table__.c.id),
            {"platform": "console", "external_id": "bench", "name": "Bench",
             "timezone": "UTC", "locale": "en", "settings": {}})).scalar_one()
        member_id = (await session.execute(
            insert(Member.__table__).returning(Member.__table__.c.id),
            {"workspace_id": workspace_id, "external_id": "bench-owner",
             "name": "Bench Owner", "role": MemberRole.OWNER, "locale": None,
             "timezone": None})).scalar_one()
        project_id = (await session.execute(
            insert(Project.__table__).returning(Project.__table__.c.id),
            {"workspace_id": workspace_id, "name": "Bench", "name_key": name_key("Bench"),
             "status": ProjectStatus.ACTIVE})).scalar_one()
    fire_at = {f"Call {i}": first_at + window * i / count for i in range(count)}
    meetings_table = Meeting.__table__
    add_meetings = insert(meetings_table).returning(meetings_table.c.id,
                                                    sort_by_parameter_order=True)
    for start in range(0, count, BATCH):
        numbers = range(start, min(count, start + BATCH))
        async with db.transaction() as store:
            session = store.session
            meeting_ids = (await session.execute(add_meetings, [
                {"workspace_id": workspace_id, "project_id": project_id, "title": f"Call {i}",
                 "starts_at": _utc(fire_at[f"Call {i}"]) + timedelta(minutes=10),
                 "duration_minutes": 30, "status": MeetingStatus.SCHEDULED,
                 "room_name": f"bench-{i}-{secrets.token_hex(8)}", "created_by": member_id,
                 "channel_id": "bench", "sequence": 0}
                for i in numbers])).scalars().all()
            await session.execute(insert(Participant.__table__), [
                {"meeting_id": meeting_id, "member_id": member_id, "name": "Bench Owner",
                 "email": None, "role": ParticipantRole.HOST, "rsvp": Rsvp.YES}
                for meeting_id in meeting_ids])
            await session.execute(insert(Reminder.__table__), [
                {"meeting_id": meeting_id, "kind": ReminderKind.BEFORE,
                 "fire_at": _utc(fire_at[f"Call {i}"]), "status": ReminderStatus.PENDING,
                 "attempts": 0}
                for i, meeting_id in zip(numbers, meeting_ids, strict=True)])
    return fire_at


async def reminder_statuses(db: Database) -> dict[str, int]:
    async with db.transaction() as store:
        rows = await store.session.execute(
            select(Reminder.status, func.count()).group_by(Reminder.status))
        return {str(status): int(number) for status, number in rows}


async def settle(db: Database, timeout: float = 5.0) -> dict[str, int]:
    """Wait (briefly) for the last claimed reminders to be marked done; the final statuses."""
    deadline = time.monotonic() + timeout
    while True:
        statuses = await reminder_statuses(db)
        unfinished = statuses.get(ReminderStatus.SENDING.value, 0)
        if not unfinished or time.monotonic() > deadline:
            return statuses
        await asyncio.sleep(0.05)


async def _until(done: asyncio.Event, deadline: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done.wait(), timeout=max(0.0, deadline - time.time()))


async def with_scheduler(service: ReminderService, done: asyncio.Event,
                         deadline: float) -> None:
    """The production path: APScheduler timers per second plus a 30 s sweep."""
    scheduler = ReminderScheduler(service, sweep_seconds=SWEEP_SECONDS)
    await scheduler.start()
    try:
        await _until(done, deadline)
        # stop() cancels a run in flight (APScheduler cancels its pending coroutines), which
        # would leave the last claimed reminders in 'sending': let it record them first.
        await settle(service.db)
    finally:
        await scheduler.stop()


async def with_polling(service: ReminderService, done: asyncio.Event, deadline: float) -> None:
    """The baseline: a cron-like loop that sends what is due once a second."""
    while True:
        await service.run_due()
        if done.is_set() or time.time() >= deadline:
            return
        await asyncio.sleep(POLL_SECONDS)


Driver = Callable[[ReminderService, asyncio.Event, float], Awaitable[None]]
DRIVERS: dict[str, Driver] = {SCHEDULER: with_scheduler, BASELINE: with_polling}


async def bench_database(url: str, result: Result, trace: bool) -> None:
    """Set up on the (empty) database at ``url``, drive the reminders, record the figures."""
    count, window = result.count, result.window
    db = Database(url)
    try:
        await db.migrate()
        began = time.time()
        # The reminders must not fall due before setup has finished, and should start
        # LEAD_SECONDS after it; setup takes up to a second per 2,000 meetings (PostgreSQL,
        # tracemalloc on), so their times are set that far ahead and the surplus waited out.
        allowance = 2.0 + count / 1_500
        first_at = began + allowance + LEAD_SECONDS
        fire_at = await populate(db, count, window, first_at)
        result.setup_seconds = time.time() - began
        if trace:
            result.tracemalloc_setup = tracemalloc.get_traced_memory()[1]
            tracemalloc.reset_peak()
        result.rss_setup_kib = _maxrss_kib()
        wait = first_at - LEAD_SECONDS - time.time()
        if wait > 0:
            await asyncio.sleep(wait)
        else:
            print(f"warning: setup took {result.setup_seconds:.1f} s, longer than planned; "
                  f"the first reminder falls due {LEAD_SECONDS + wait:.1f} s after start",
                  file=sys.stderr)
        notifier = RecordingNotifier(fire_at)
        service = ReminderService(db, notifier)
        started = time.time()
        result.lead_seconds = first_at - started
        await DRIVERS[result.driver](service, notifier.done,
                                     first_at + window + GRACE_SECONDS)
        result.run_seconds = time.time() - started
        result.statuses = await settle(db)
        if trace:
            result.tracemalloc_run = tracemalloc.get_traced_memory()[1]
        result.rss_end_kib = _maxrss_kib()
        result.lateness = notifier.lateness()
        result.duplicates = notifier.duplicates
        result.unexpected = notifier.unexpected
        result.direct = notifier.direct
    finally:
        await db.dispose()


def run_one(backend: str, driver: str, url: str | None, count: int, window: float,
            trace: bool) -> Result:
    """One run, in a child process of its own: a fresh database, set up, driven, measured.

    Args:
        backend: ``sqlite`` or ``postgresql``.
        driver: ``scheduler`` or ``baseline``.
        url: The PostgreSQL server to create a scratch database on (ignored for SQLite).
        count: Meetings (one reminder each).
        window: Seconds the reminders' times are spread over.
        trace: Whether to trace Python allocations with ``tracemalloc``.
    """
    logging.basicConfig(level=logging.WARNING)
    result = Result(backend, driver, count, window, rss_before_kib=_maxrss_kib())
    if trace:
        tracemalloc.start()
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="v1tr0-bench-") as directory:
            asyncio.run(bench_database(f"sqlite:///{Path(directory) / 'r.db'}", result, trace))
        return result
    assert url is not None
    admin = make_url(url).set(drivername="postgresql")
    admin_dsn = admin.render_as_string(hide_password=False)
    name = f"v1tr0_bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        scratch = admin.set(database=name).render_as_string(hide_password=False)
        asyncio.run(bench_database(scratch, result, trace))
    finally:
        with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return result


def in_child(backend: str, driver: str, args: argparse.Namespace) -> Result:
    """Run :func:`run_one` in a fresh process, so its memory figures are its own."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(run_one, backend, driver, args.postgres, args.count, args.window,
                           not args.no_tracemalloc).result()


def _mib(kib: int) -> str:
    return f"{kib / 1024:,.1f}"


def _bytes_mib(size: int | None) -> str:
    return "-" if size is None else f"{size / 2**20:,.1f}"


def table(results: list[Result]) -> str:
    lines = ["| run | reminders | sent | duplicates | p50 ms | p95 ms | p99 ms | max ms "
             "| peak RSS MiB | tracemalloc peak MiB |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(
            f"| {r.name} | {r.count:,} | {r.sent:,} | {r.duplicates} | "
            f"{r.percentile_ms(50):,.1f} | {r.percentile_ms(95):,.1f} | "
            f"{r.percentile_ms(99):,.1f} | {r.max_ms:,.1f} | {_mib(r.rss_end_kib)} | "
            f"{_bytes_mib(r.tracemalloc_run)} |")
    return "\n".join(lines)


def details(r: Result) -> str:
    statuses = ", ".join(f"{k} {v:,}" for k, v in sorted(r.statuses.items())) or "-"
    return (f"  {r.name}: sent {r.sent:,}, missing {r.missing:,}, duplicates {r.duplicates}, "
            f"unexpected {r.unexpected}, direct messages {r.direct:,}; setup "
            f"{r.setup_seconds:.1f} s, first reminder {r.lead_seconds:.1f} s after start, "
            f"run {r.run_seconds:.1f} s; reminder rows: {statuses}\n"
            f"    ru_maxrss MiB: before setup {_mib(r.rss_before_kib)}, after setup "
            f"{_mib(r.rss_setup_kib)}, end {_mib(r.rss_end_kib)}; tracemalloc peak MiB: "
            f"setup {_bytes_mib(r.tracemalloc_setup)}, sending {_bytes_mib(r.tracemalloc_run)}")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=10_000,
                        help="meetings, one reminder each (default 10000)")
    parser.add_argument("--window", type=float, default=60.0,
                        help="seconds the reminders fall due over (default 60)")
    parser.add_argument("--postgres", metavar="URL", default=None,
                        help="also run on a scratch database created on this PostgreSQL "
                             "server (default: SQLite only)")
    parser.add_argument("--skip-baseline", action="store_true",
                        help="skip the 1 s polling-loop baseline")
    parser.add_argument("--no-tracemalloc", action="store_true",
                        help="do not trace Python allocations (it slows the run down)")
    args = parser.parse_args(argv)
    if args.count < 1 or args.window <= 0:
        parser.error("--count must be >= 1 and --window > 0")
    return args


def run(args: argparse.Namespace) -> int:
    backends = ["sqlite"] + (["postgresql"] if args.postgres else [])
    drivers = [SCHEDULER] + ([] if args.skip_baseline else [BASELINE])
    results: list[Result] = []
    for backend in backends:
        for driver in drivers:
            print(f"  ... {backend} {driver}: {args.count:,} reminders over "
                  f"{args.window:g} s", file=sys.stderr, flush=True)
            result = in_child(backend, driver, args)
            results.append(result)
            print(f"  ... {result.name}: p99 {result.percentile_ms(99):,.1f} ms, "
                  f"{result.sent:,} sent", file=sys.stderr, flush=True)
    print()
    print(f"Reminder benchmark: {args.count:,} meetings, reminders due over {args.window:g} s, "
          f"Python {sys.version.split()[0]}"
          f"{'' if args.no_tracemalloc else ', tracemalloc on'}")
    for driver in drivers:
        print(f"  {driver}: {DRIVER_NAMES[driver]}")
    print()
    print(table(results))
    print()
    for r in results:
        print(details(r))
    print()
    for backend in backends:
        ours = next(r for r in results if r.backend == backend and r.driver == SCHEDULER)
        base = next((r for r in results if r.backend == backend and r.driver == BASELINE), None)
        if base is not None and base.lateness:
            print(f"{backend}: p99 scheduler / baseline = {ours.percentile_ms(99):,.1f} / "
                  f"{base.percentile_ms(99):,.1f} ms = "
                  f"{ours.percentile_ms(99) / base.percentile_ms(99):.2f}")
    print(f"Goal: {GOAL_LINE}")
    for r in results:
        print(f"  {r.name}: p99 {r.percentile_ms(99):,.1f} ms -- "
              f"{'pass' if r.meets_goal else 'FAIL'}")
    failed = [r for r in results if r.failed]
    for r in failed:
        print(f"FAILED: {r.name}: {r.missing} missing, {r.duplicates} duplicates, "
              f"{r.unexpected} unexpected", file=sys.stderr)
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING)
    return run(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
