"""The composition root and CLI: ``v1tr0`` (or ``python -m bot``).

This is the one module that knows every package: it reads the settings, builds the
storage, the services and the dispatcher, and starts the front doors and jobs configured.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from adapters.console import ConsoleAdapter
from bot import __version__
from bot.commands import registry
from bot.core import Upload
from bot.demo import load_demo
from bot.dispatcher import Dispatcher
from bot.meetings.reminders import ReminderService
from bot.ports import LanguageModel, NotifierHub, Services
from bot.retrieval.answers import Retriever
from bot.retrieval.indexing import TranscriptIndexer
from bot.retrieval.translation import ApertiumTranslator
from bot.settings import Settings, SettingsError, load_settings
from bot.transcripts.pipeline import TranscriptPipeline
from bot.transcripts.stt import make_transcriber
from bot.transcripts.summarize import make_summarizer
from jobs import ReminderScheduler, TranscriptWorker
from storage import Database
from storage.models import TranscriptStatus

log = logging.getLogger("v1tr0")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="v1tr0", description="V1tr0 Bot: the agency's project desk in chat.")
    parser.add_argument("--version", action="version", version=f"v1tr0 {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="start every configured front door (the console if none) "
                                    "and the background jobs")
    commands.add_parser("console", help="chat with the bot in this terminal, or pipe commands in")
    commands.add_parser("worker", help="run only the background jobs (reminders, transcripts)")
    commands.add_parser("migrate", help="upgrade the database schema to the newest version")
    demo = commands.add_parser("demo", help="load a demo workspace with clients, projects, hours")
    demo.add_argument("--if-empty", action="store_true",
                      help="only when the local workspace has no projects yet")
    ingest = commands.add_parser(
        "ingest", help="add a meeting's recording or transcript and post its summary")
    ingest.add_argument("file", type=Path, help="audio (wav, mp3, m4a, ogg, webm...) or a "
                                                "transcript (vtt, srt, txt, json)")
    ingest.add_argument("--meeting", required=True, help="the meeting's #id in the console")
    ingest.add_argument("--language", help="language spoken, e.g. en or es")
    return parser


async def open_database(settings: Settings) -> Database:
    """Open the database; the embedded SQLite default migrates itself."""
    db = Database(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        if db.is_sqlite:
            await db.migrate()
        elif not await db.is_current():
            raise SettingsError("the database schema is not current; run `v1tr0 migrate` first")
    except SettingsError:
        await db.dispose()
        raise
    except Exception as error:  # unreachable, refused, no such database or folder
        await db.dispose()
        raise _unusable_database(error) from error
    return db


def _unusable_database(error: Exception) -> SettingsError:
    return SettingsError(f"setting DATABASE_URL: cannot open the database: "
                         f"{_first_line(error)}")


def _first_line(error: BaseException) -> str:
    """What went wrong, in one line: the driver's first line, without SQLAlchemy's links."""
    cause = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return lines[0] if lines else type(cause).__name__


@dataclass
class Runtime:
    """Everything wired together for one process."""

    db: Database
    services: Services
    dispatcher: Dispatcher
    console: ConsoleAdapter
    reminders: ReminderScheduler
    transcripts: TranscriptWorker
    pipeline: TranscriptPipeline

    async def start_jobs(self) -> None:
        self.services.reminders_changed = self.reminders.poke
        self.services.transcripts_changed = self.transcripts.poke
        await self.reminders.start()
        await self.transcripts.start()


@asynccontextmanager
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    from storage.embeddings import make_embedding  # Chroma takes a moment to import
    from storage.search_index import SearchIndex

    db = await open_database(settings)
    hub = NotifierHub()
    try:
        index = SearchIndex(path=settings.data_dir / "chroma", url=settings.chroma_url,
                            embedding=make_embedding(openai_api_key=settings.openai_api_key,
                                                     openai_base_url=settings.openai_base_url,
                                                     model=settings.openai_embedding_model))
    except Exception as error:  # chromadb raises plain ValueErrors for a server that is down
        await db.dispose()
        setting = "CHROMA_URL" if settings.chroma_url else "DATA_DIR"
        raise SettingsError(f"setting {setting}: cannot open the search index: "
                            f"{_first_line(error)}") from error
    llm = None
    if settings.openai_api_key:
        import openai

        llm = LanguageModel(openai.AsyncOpenAI(api_key=settings.openai_api_key,
                                               base_url=settings.openai_base_url),
                            settings.openai_model)
    pipeline = TranscriptPipeline(
        db, hub, uploads=settings.data_dir / "uploads", indexer=TranscriptIndexer(db, index),
        transcriber=make_transcriber(openai_api_key=settings.openai_api_key,
                                     openai_base_url=settings.openai_base_url,
                                     whisper_model=settings.whisper_model),
        summarizer=make_summarizer(openai_api_key=settings.openai_api_key,
                                   openai_base_url=settings.openai_base_url,
                                   model=settings.openai_model))
    translator = ApertiumTranslator.installed()
    services = Services(jitsi=settings.jitsi, transcripts=pipeline,
                        retriever=Retriever(index, translator=translator), llm=llm)
    dispatcher = Dispatcher(db, registry, services=services,
                            default_locale=settings.default_locale,
                            default_timezone=settings.default_timezone)
    console = ConsoleAdapter(dispatcher, history_file=settings.data_dir / "console_history",
                             attachments_dir=settings.data_dir / "attachments")
    hub.register("console", console)
    parts = Runtime(db, services, dispatcher, console,
                    ReminderScheduler(ReminderService(db, hub, jitsi=settings.jitsi)),
                    TranscriptWorker(pipeline), pipeline)
    try:
        yield parts
    finally:
        await parts.reminders.stop()
        await parts.transcripts.stop()
        if translator is not None:
            translator.close()
        await db.dispose()


async def _until_stopped() -> None:
    """Wait for Ctrl-C or SIGTERM, so a service's jobs and database close cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    await stop.wait()


async def run_console(settings: Settings, *, with_jobs: bool) -> int:
    """The console front door; with the background jobs too when ``with_jobs``."""
    async with runtime(settings) as parts:
        if with_jobs:
            await parts.start_jobs()
        else:  # uploads would otherwise wait with no word of why
            print("v1tr0 console: no background jobs here; `v1tr0 worker` processes uploads "
                  "and sends reminders (`v1tr0 run` does both)", file=sys.stderr, flush=True)
        if sys.stdin.isatty():
            await parts.console.run_interactive()
        elif not with_jobs:
            await parts.console.run_script(sys.stdin, sys.stdout)
        else:  # a service (Procfile, systemd) has no input, and its jobs must go on
            console = asyncio.create_task(_script_then_jobs(parts.console))
            await _until_stopped()
            console.cancel()
        return 0


async def _script_then_jobs(console: ConsoleAdapter) -> None:
    await console.run_script(sys.stdin, sys.stdout)
    print("v1tr0 run: the console's input has ended; reminders and transcripts go on until "
          "Ctrl-C or SIGTERM", file=sys.stderr, flush=True)


async def run(settings: Settings) -> int:
    for name, configured in (("Slack", settings.has_slack), ("Discord", settings.has_discord)):
        if configured:
            log.warning("%s settings found, but this build has no %s front door yet; "
                        "starting the console", name, name)
    return await run_console(settings, with_jobs=True)


async def worker(settings: Settings) -> int:
    """Only the jobs. Console notifications are printed here, as this process sends them."""
    async with runtime(settings) as parts:
        print("v1tr0 worker: sending reminders and processing transcripts; Ctrl-C stops",
              flush=True)
        await parts.start_jobs()
        await _until_stopped()
        return 0


async def migrate(settings: Settings) -> int:
    db = Database(settings.database_url)
    try:
        await db.migrate()
    except Exception as error:
        raise _unusable_database(error) from error
    finally:
        await db.dispose()
    print("database is at the newest schema")
    return 0


async def demo(settings: Settings, *, if_empty: bool) -> int:
    async with runtime(settings) as parts:
        async with parts.db.transaction() as store:
            loaded = await store.workspaces.has_projects("console", "local")
        if loaded:  # loading it again would double its hours and meetings
            print("the local workspace already has projects; demo not loaded",
                  file=sys.stdout if if_empty else sys.stderr)
            return 0 if if_empty else 1
        replies = await load_demo(parts.dispatcher, parts.console.request, date.today())
        failed = [r.text for r in replies if r.status == "error"]
        for text in failed:
            print(f"demo: {text}", file=sys.stderr)
        print(f"demo workspace loaded: {len(replies) - len(failed)} steps, {len(failed)} failed")
        return 1 if failed else 0


async def ingest(settings: Settings, file: Path, meeting: str, language: str | None) -> int:
    """Add a file to a console meeting, run the pipeline here and print the summary."""
    if not file.is_file():
        print(f"v1tr0: {file} is a folder; give a file" if file.is_dir()
              else f"v1tr0: no such file: {file}", file=sys.stderr)
        return 2
    async with runtime(settings) as parts:
        text = f"transcript add #{meeting.lstrip('#')}" + (
            f" language:{language}" if language else "")
        request = replace(parts.console.request(text),
                          files=(Upload(file.name, file.read_bytes()),))
        reply = await parts.dispatcher.handle(request)
        if reply.status != "ok":  # refused, or added before; its usage line is not this one's
            said = [line for line in parts.console.show(reply).splitlines()
                    if not line.startswith("Usage: `/")]
            print("\n".join(said), file=sys.stderr)
            return 1
        print(parts.console.show(reply), flush=True)
        processed = await parts.pipeline.run_until_idle()  # the summary is posted here
        async with parts.db.transaction() as store:
            for number in processed:
                if not await store.transcripts.exists(number):
                    print(f"v1tr0: transcript #{number} was deleted while it was processed",
                          file=sys.stderr)
                    return 1
                if (await store.transcripts.get(number))[0].status is TranscriptStatus.FAILED:
                    return 1  # for scripts: a transcript that failed is a failure
        return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    for stream in (sys.stdin, sys.stdout, sys.stderr):  # a terminal without "é" gets "?"
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"v1tr0: {error}", file=sys.stderr)
        return 2
    # The console owns the terminal, so logs go to a file in the data folder.
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        (settings.data_dir / "v1tr0.log").touch()
    except OSError as error:
        print(f"v1tr0: setting DATA_DIR: cannot use {settings.data_dir}: {error.strerror}",
              file=sys.stderr)
        return 2
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
            case "ingest":
                return asyncio.run(ingest(settings, args.file, args.meeting, args.language))
    except SettingsError as error:
        print(f"v1tr0: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 2


if __name__ == "__main__":
    sys.exit(main())
