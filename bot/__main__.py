"""The composition root and CLI: ``v1tr0`` (or ``python -m bot``).

This is the one module that knows every package: it reads the settings, builds the
storage and the dispatcher, and starts the front doors that are configured.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from datetime import date

from bot import __version__
from bot.commands import registry
from bot.demo import load_demo
from bot.dispatcher import Dispatcher
from bot.meetings.reminders import ReminderService
from bot.ports import NotifierHub, Services
from bot.settings import Settings, SettingsError, load_settings
from storage import Database

log = logging.getLogger("v1tr0")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="v1tr0", description="V1tr0 Bot: the agency's project desk in chat.")
    parser.add_argument("--version", action="version", version=f"v1tr0 {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="start every configured front door (the console if none)")
    commands.add_parser("console", help="chat with the bot in this terminal, or pipe commands in")
    commands.add_parser("worker", help="run only the background jobs (reminders)")
    commands.add_parser("migrate", help="upgrade the database schema to the newest version")
    demo = commands.add_parser("demo", help="load a demo workspace with clients, projects, hours")
    demo.add_argument("--if-empty", action="store_true",
                      help="only when the local workspace has no projects yet")
    return parser


async def open_database(settings: Settings) -> Database:
    """Open the database; the embedded SQLite default migrates itself."""
    db = Database(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    if db.is_sqlite:
        await db.migrate()
    elif not await db.is_current():
        await db.dispose()
        raise SettingsError("the database schema is not current; run `v1tr0 migrate` first")
    return db


def build_dispatcher(settings: Settings, db: Database, services: Services) -> Dispatcher:
    return Dispatcher(db, registry, services=services, default_locale=settings.default_locale,
                      default_timezone=settings.default_timezone)


async def run_console(settings: Settings, *, with_jobs: bool) -> int:
    """The console front door; with the reminder scheduler too when ``with_jobs``."""
    from adapters.console import ConsoleAdapter
    from jobs import ReminderScheduler

    db = await open_database(settings)
    services = Services(jitsi=settings.jitsi)
    console = ConsoleAdapter(build_dispatcher(settings, db, services),
                             history_file=settings.data_dir / "console_history",
                             attachments_dir=settings.data_dir / "attachments")
    hub = NotifierHub()
    hub.register("console", console)
    scheduler = ReminderScheduler(ReminderService(db, hub, jitsi=settings.jitsi))
    try:
        if with_jobs:
            services.reminders_changed = scheduler.poke
            await scheduler.start()
        if sys.stdin.isatty():
            await console.run_interactive()
        else:
            await console.run_script(sys.stdin, sys.stdout)
        return 0
    finally:
        await scheduler.stop()
        await db.dispose()


async def run(settings: Settings) -> int:
    for name, configured in (("Slack", settings.has_slack), ("Discord", settings.has_discord)):
        if configured:
            log.warning("%s settings found, but this build has no %s front door yet; "
                        "starting the console", name, name)
    return await run_console(settings, with_jobs=True)


async def worker(settings: Settings) -> int:
    """Only the jobs. Console notifications are printed here, as this process sends them."""
    from adapters.console import ConsoleAdapter
    from jobs import ReminderScheduler

    db = await open_database(settings)
    hub = NotifierHub()
    hub.register("console", ConsoleAdapter(build_dispatcher(settings, db, Services())))
    scheduler = ReminderScheduler(ReminderService(db, hub, jitsi=settings.jitsi))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    print("v1tr0 worker: sending reminders; Ctrl-C stops", flush=True)
    await scheduler.start()
    try:
        await stop.wait()
        return 0
    finally:
        await scheduler.stop()
        await db.dispose()


async def migrate(settings: Settings) -> int:
    db = Database(settings.database_url)
    try:
        await db.migrate()
    finally:
        await db.dispose()
    print("database is at the newest schema")
    return 0


async def demo(settings: Settings, *, if_empty: bool) -> int:
    from adapters.console import ConsoleAdapter

    db = await open_database(settings)
    try:
        dispatcher = build_dispatcher(settings, db, Services(jitsi=settings.jitsi))
        console = ConsoleAdapter(dispatcher)
        if if_empty:
            async with db.transaction() as store:
                if await store.workspaces.has_projects("console", "local"):
                    print("the local workspace already has projects; demo not loaded")
                    return 0
        replies = await load_demo(dispatcher, console.request, date.today())
        failed = [r.text for r in replies if r.status == "error"]
        for text in failed:
            print(f"demo: {text}", file=sys.stderr)
        print(f"demo workspace loaded: {len(replies) - len(failed)} steps, {len(failed)} failed")
        return 1 if failed else 0
    finally:
        await db.dispose()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"v1tr0: {error}", file=sys.stderr)
        return 2
    # The console owns the terminal, so logs go to a file in the data folder.
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=settings.log_level, filename=settings.data_dir / "v1tr0.log",
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    command = args.command or "run"
    try:
        match command:
            case "run":
                return asyncio.run(run(settings))
            case "console":
                return asyncio.run(run_console(settings, with_jobs=False))
            case "worker":
                return asyncio.run(worker(settings))
            case "migrate":
                return asyncio.run(migrate(settings))
            case "demo":
                return asyncio.run(demo(settings, if_empty=args.if_empty))
    except SettingsError as error:
        print(f"v1tr0: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 2


if __name__ == "__main__":
    sys.exit(main())
