"""Throughput and latency of the command dispatcher, in one process.

What it measures:
    Commands per second and p50/p99 latency of ``await Dispatcher.handle(request)`` for

    * ``help`` -- no I/O at all (the command is not transactional), and
    * ``project log 1 Bench`` -- one durable write (one transaction that inserts one row),

    each run with 1 sender and with 8 concurrent senders (asyncio tasks in one event loop,
    each a different user of the same workspace), on SQLite (a fresh file in a temporary
    directory) and on PostgreSQL (a fresh database created on the ``--postgres`` server and
    dropped at the end; skipped with a note when the server cannot be reached).

    Before anything is timed, the first user creates the project (``project create Bench
    rate:100``; the first user of a workspace is its owner, later ones are members) and every
    user sends ``help`` and ``project log`` once, so creating the workspace and members is not
    part of any measurement. Every cell is also warmed up (``--warmup`` seconds) before its
    timed run of ``--seconds`` seconds.

    A sender sends its next command as soon as the previous reply arrives, and yields to the
    event loop (``await asyncio.sleep(0)``) in between, as a front door waiting for its next
    message would; without that, a command that never suspends (``help``) would let the first
    task run the whole cell alone. Latency is the time of the ``handle`` call only.

    Baseline: the same loops calling ``async def echo(request): return Reply(text=...)`` --
    a no-op handler -- show what the harness itself costs, so the ``x echo`` column is the
    dispatcher's cost relative to doing nothing.

    Correctness: after each ``project log`` run the hours logged for the project are read
    straight from the database and compared with the number of ``ok`` replies x 1 hour. The
    script exits with status 1 if any hour was lost (or appeared from nowhere) or any reply
    had status ``error``.

How to run (from the repository root):
    .venv/bin/python bench/dispatch.py [--seconds N] [--warmup N] [--senders N]
                                       [--postgres URL | --no-postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/dispatch.py`

import psycopg
from sqlalchemy.engine import make_url
from stats import percentile_ms

from bot.commands import registry
from bot.core import Reply, Request
from bot.dispatcher import Dispatcher
from storage import Database

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
PLATFORM, TEAM, PROJECT = "slack", "T-bench", "Bench"
HELP, LOG = "help", f"project log 1 {PROJECT}"
GOALS = {HELP: 12_000.0, LOG: 2_000.0}  # commands per second, on SQLite
GOAL_LINE = ">= 12,000 help/s and >= 2,000 project log/s on SQLite; 0 hours lost"

Handler = Callable[[Request], Awaitable[Reply]]


async def echo(request: Request) -> Reply:
    """The bare baseline: a handler that does nothing."""
    return Reply(text=request.text)


@dataclass
class Result:
    """One cell of the table: one backend, one command, one number of senders."""

    backend: str
    command: str
    senders: int
    elapsed: float
    latencies: list[float]
    statuses: Counter[str]
    hours_lost: Decimal | None = None  # None: the command writes no hours

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0

    def percentile_ms(self, q: float) -> float:
        return percentile_ms(self.latencies, q)

    @property
    def failed(self) -> bool:
        return bool(self.statuses["error"]) or bool(self.hours_lost)


def requests_for(text: str, senders: int) -> list[Request]:
    """One request per sender, each from a different user of the bench workspace."""
    return [Request(PLATFORM, TEAM, f"U{i}", text, workspace_name="Bench",
                    user_name=f"User {i}") for i in range(senders)]


async def _sender(handle: Handler, request: Request, deadline: float,
                  latencies: list[float], statuses: Counter[str]) -> None:
    clock = time.perf_counter
    while (start := clock()) < deadline:
        reply = await handle(request)
        latencies.append(clock() - start)
        statuses[reply.status] += 1
        await asyncio.sleep(0)  # let the other senders in, as real network I/O would


async def drive(handle: Handler, requests: Sequence[Request],
                seconds: float) -> tuple[float, list[float], Counter[str]]:
    """Run one sender task per request until ``seconds`` have passed.

    Returns:
        The wall time taken, every command's latency in seconds, and the reply statuses.
    """
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    start = time.perf_counter()
    deadline = start + seconds
    await asyncio.gather(*(_sender(handle, r, deadline, latencies, statuses)
                           for r in requests))
    return time.perf_counter() - start, latencies, statuses


async def measure(backend: str, command: str, handle: Handler, senders: int,
                  args: argparse.Namespace) -> Result:
    """Warm up, then time one cell."""
    requests = requests_for(command, senders)
    await drive(handle, requests, args.warmup)
    elapsed, latencies, statuses = await drive(handle, requests, args.seconds)
    return Result(backend, command, senders, elapsed, latencies, statuses)


async def bench_backend(backend: str, url: str, args: argparse.Namespace,
                        **options: str) -> list[Result]:
    """Set up a workspace on a fresh, migrated database and time the dispatcher on it."""
    db = Database(url, **options)
    try:
        await db.migrate()
        dispatcher = Dispatcher(db, registry)
        owner = requests_for("", 1)[0]
        created = await dispatcher.handle(
            Request(PLATFORM, TEAM, owner.user_id, f"project create {PROJECT} rate:100",
                    workspace_name="Bench", user_name=owner.user_name))
        if created.status == "error":
            raise RuntimeError(f"setup failed: {created.text}")
        for text in (HELP, LOG):  # every member exists and is cached before timing
            for request in requests_for(text, args.senders):
                reply = await dispatcher.handle(request)
                if reply.status == "error":
                    raise RuntimeError(f"setup {text!r} as {request.user_id}: {reply.text}")
        async with db.transaction() as store:
            workspace, _member = await store.workspaces.find_identity(
                PLATFORM, TEAM, owner.user_id)
            assert workspace is not None
            project = await store.scoped(workspace.id).project_by_name(PROJECT)
            assert project is not None
            workspace_id, project_id = workspace.id, project.id

        async def hours() -> Decimal:
            async with db.transaction() as store:
                return await store.scoped(workspace_id).hours_logged(project_id)

        results = []
        for command in (HELP, LOG):
            for senders in sorted({1, args.senders}):
                if command == LOG:  # the warm-up logs hours too, so count from after it
                    await drive(dispatcher.handle, requests_for(command, senders), args.warmup)
                    before = await hours()
                    elapsed, latencies, statuses = await drive(
                        dispatcher.handle, requests_for(command, senders), args.seconds)
                    result = Result(backend, command, senders, elapsed, latencies, statuses)
                    result.hours_lost = before + statuses["ok"] - await hours()
                else:
                    result = await measure(backend, command, dispatcher.handle, senders, args)
                results.append(result)
                _progress(result)
        return results
    finally:
        await db.dispose()


async def bench_sqlite(args: argparse.Namespace) -> list[Result]:
    """The default (``synchronous=NORMAL``), then every commit waiting for the disk (FULL)."""
    results = []
    for synchronous, backend in (("NORMAL", "sqlite"), ("FULL", "sqlite FULL")):
        with tempfile.TemporaryDirectory(prefix="v1tr0-bench-") as directory:
            results += await bench_backend(backend, f"sqlite:///{Path(directory) / 'b.db'}",
                                           args, sqlite_synchronous=synchronous)
    return results


async def bench_postgres(args: argparse.Namespace) -> list[Result]:
    """A fresh database on the server, dropped afterwards; nothing if it is unreachable."""
    admin = make_url(args.postgres).set(drivername="postgresql")
    admin_dsn = admin.render_as_string(hide_password=False)
    name = f"v1tr0_bench_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        print(f"note: PostgreSQL skipped, cannot use {admin.render_as_string()}: {reason}")
        return []
    try:
        url = admin.set(database=name).render_as_string(hide_password=False)
        return await bench_backend("postgresql", url, args)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=5) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def bench_echo(args: argparse.Namespace) -> list[Result]:
    results = []
    for senders in sorted({1, args.senders}):
        result = await measure("-", "echo (bare)", echo, senders, args)
        results.append(result)
        _progress(result)
    return results


def _progress(result: Result) -> None:
    print(f"  ... {result.backend} {result.command!r} x{result.senders}: "
          f"{result.per_second:,.0f}/s", file=sys.stderr, flush=True)


def table(results: list[Result]) -> str:
    """The figures as a markdown table, with each one's ratio to the goal and to echo."""
    echo_rate = {r.senders: r.per_second for r in results if r.command == "echo (bare)"}
    lines = ["| backend | command | senders | commands/s | p50 ms | p99 ms | hours lost "
             "| errors | vs goal | x echo time |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        goal = GOALS.get(r.command)
        if goal is None:
            vs_goal = "-"
        else:
            vs_goal = f"{r.per_second / goal:.2f}"
            if r.backend != "sqlite":
                vs_goal = f"({vs_goal})"  # the goal is set for SQLite only
        base = echo_rate.get(r.senders)
        x_echo = f"{base / r.per_second:,.1f}" if base and r.per_second else "-"
        lost = "-" if r.hours_lost is None else f"{r.hours_lost.normalize():f}"
        lines.append(
            f"| {r.backend} | {r.command} | {r.senders} | {r.per_second:,.0f} | "
            f"{r.percentile_ms(50):.3f} | {r.percentile_ms(99):.3f} | {lost} | "
            f"{r.statuses['error']} | {vs_goal} | {x_echo} |")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="timed seconds per cell (default 3)")
    parser.add_argument("--warmup", type=float, default=0.5,
                        help="untimed warm-up seconds per cell (default 0.5)")
    parser.add_argument("--senders", type=int, default=8,
                        help="concurrent senders in the concurrent cells (default 8)")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, metavar="URL",
                        help=f"server to create a scratch database on (default {DEFAULT_POSTGRES})")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.warmup < 0 or args.senders < 1:
        parser.error("--seconds must be > 0, --warmup >= 0 and --senders >= 1")
    return args


async def run(args: argparse.Namespace) -> int:
    results = await bench_echo(args)
    results += await bench_sqlite(args)
    if not args.no_postgres:
        results += await bench_postgres(args)
    print()
    print(f"Dispatcher benchmark: {args.seconds:g} s per cell after {args.warmup:g} s warm-up, "
          f"Python {sys.version.split()[0]}")
    print()
    print(table(results))
    print()
    print(f"Goal: {GOAL_LINE}")
    for r in results:
        if r.command in GOALS and r.backend == "sqlite":
            print(f"  {r.backend} {r.command} x{r.senders}: {r.per_second:,.0f}/s = "
                  f"{r.per_second / GOALS[r.command]:.2f} of the goal "
                  f"{GOALS[r.command]:,.0f}/s")
    for r in results:
        if r.hours_lost is not None:
            print(f"{r.backend} {r.command} x{r.senders}: {r.statuses['ok']} ok replies, "
                  f"hours lost: {r.hours_lost.normalize():f}")
    failed = [r for r in results if r.failed]
    for r in failed:
        print(f"FAILED: {r.backend} {r.command} x{r.senders}: {r.statuses['error']} error "
              f"replies, {r.hours_lost or 0} hours lost", file=sys.stderr)
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING)
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
