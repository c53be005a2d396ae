"""The console front door and the CLI, driven as a person or a script would."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from adapters.console import ConsoleAdapter
from bot import __version__
from bot.commands import registry
from bot.dispatcher import Dispatcher
from bot.meetings.reminders import ReminderService
from bot.ports import NotifierHub, Services
from jobs import ReminderScheduler
from storage import Database


def v1tr0(*args: str, stdin: str = "", data: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DATA_DIR": str(data), **env}
    environment.pop("DATABASE_URL", None)
    environment.update(env)
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, text=True,
                          capture_output=True, env=environment, timeout=120, check=False)


def test_piped_commands_print_replies_and_exit_zero(tmp_path: Path) -> None:
    result = v1tr0("console", data=tmp_path, stdin=(
        "client create Acme\n"
        'project create "Website redesign" client:acme budget:12000 rate:100 estimate:100\n'
        "project log 3 website redesign   # as the README writes its examples\n"
        "# a comment line\n"
        "project stats website redesign\n"
        "project lst\n"
        "exit\n"
        "project list\n"))  # never run: the script ended at exit
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Client *Acme* created (#1)." in out
    assert "Project *Website redesign* created (#1)." in out
    assert "Logged 3 h on *Website redesign*" in out  # the comment is not part of it
    assert re.search(r"Hours vs estimate +3 of 100 \(3%\)", out)
    assert re.search(r"Budget used +\$300\.00 of \$12,000\.00 \(3%\)", out)
    assert "`project` has no subcommand `lst`" in out
    assert "I did not catch that" not in out and "\nProjects\n" not in out
    assert (tmp_path / "v1tr0.db").exists()
    assert "`v1tr0 worker` processes uploads" in result.stderr  # this console runs no jobs


def test_demo_then_console_in_spanish(tmp_path: Path) -> None:
    demo = v1tr0("demo", data=tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert "0 failed" in demo.stdout
    again = v1tr0("demo", "--if-empty", data=tmp_path)
    assert again.returncode == 0 and "already has projects" in again.stdout
    twice = v1tr0("demo", data=tmp_path)  # never loaded over itself: its hours would double
    assert twice.returncode == 1 and "already has projects" in twice.stderr
    notes = tmp_path / "notas de la reunión.txt"  # a path with spaces, not quoted
    notes.write_text("Ana: Decidimos lanzar el lunes.\n")
    result = v1tr0("console", data=tmp_path, stdin=(
        "settings language:es\nproject list\n/upload #1\n/upload #1 no/such/file.vtt\n"
        f'/upload "Launch review" {notes} language:es\ntranscript list\n'))
    assert result.returncode == 0, result.stderr
    assert "Proyectos" in result.stdout and "Website redesign" in result.stdout
    assert "Adjunta la grabación o la transcripción" in result.stdout
    assert "No pude leer `no/such/file.vtt`: comprueba que el archivo existe" in result.stdout
    # A meeting named by its title, quoted, and the command's own `language:`.
    assert "*Launch review* · notas de la reunión.txt" in result.stdout, result.stdout


def test_version_help_and_migrate(tmp_path: Path) -> None:
    assert v1tr0("--version", data=tmp_path).stdout.strip() == f"v1tr0 {__version__}"
    usage = v1tr0("--help", data=tmp_path).stdout
    for command in ("run", "console", "migrate", "demo"):
        assert command in usage
    migrated = v1tr0("migrate", data=tmp_path)
    assert migrated.returncode == 0 and "newest schema" in migrated.stdout


@pytest.mark.parametrize("name, value, expected", [
    ("LOG_LEVEL", "LOUD", "setting LOG_LEVEL: must be one of"),
    ("DATABASE_URL", "mysql://db/x", "setting DATABASE_URL: unsupported database 'mysql'"),
    ("DATABASE_URL", "sqlite:///:memory:", "setting DATABASE_URL: an in-memory SQLite"),
    ("DEFAULT_TIMEZONE", "Mars/Base", "setting DEFAULT_TIMEZONE: must be a time zone"),
    ("JITSI_APP_SECRET", "guessable", "setting JITSI_APP_SECRET: must be at least 32 bytes"),
    # Nothing answers on port 9 of this machine: the database or the index is unreachable.
    ("DATABASE_URL", "postgresql://postgres@127.0.0.1:9/nope",
     "setting DATABASE_URL: cannot open the database: connection failed"),
    ("CHROMA_URL", "http://127.0.0.1:9", "setting CHROMA_URL: cannot open the search index"),
    ("DATA_DIR", "/dev/null", "setting DATA_DIR: cannot use /dev/null"),
])
def test_a_wrong_setting_fails_with_one_line(tmp_path: Path, name: str, value: str,
                                             expected: str) -> None:
    result = v1tr0("console", data=tmp_path, **{name: value})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and expected in result.stderr, result.stderr
    if name == "DATABASE_URL" and "9/" in value:  # `migrate` says it the same way
        migrated = v1tr0("migrate", data=tmp_path, **{name: value})
        assert migrated.returncode == 2 and expected in migrated.stderr, migrated.stderr


def test_a_terminal_that_cannot_show_a_character_gets_a_question_mark(tmp_path: Path) -> None:
    result = v1tr0("console", data=tmp_path, PYTHONIOENCODING="ascii",
                   stdin="project create Web\nproject list\n")
    assert result.returncode == 0, result.stderr
    assert "#1 *Web* ? planning ? 0%" in result.stdout  # "·" is "?"


def _console_with_reminders(db: Database, tmp_path: Path
                            ) -> tuple[ConsoleAdapter, io.StringIO, ReminderScheduler]:
    """What `v1tr0 run` wires: the console is both a front door and a notifier."""
    out = io.StringIO()
    services = Services()
    console = ConsoleAdapter(Dispatcher(db, registry, services=services), user="ana", out=out,
                             attachments_dir=tmp_path / "attachments")
    hub = NotifierHub()
    hub.register("console", console)
    scheduler = ReminderScheduler(ReminderService(db, hub), sweep_seconds=3600)
    services.reminders_changed = scheduler.poke
    return console, out, scheduler


async def test_console_shows_reminders_as_they_fire(db: Database, tmp_path: Path) -> None:
    console, out, scheduler = _console_with_reminders(db, tmp_path)
    await scheduler.start()
    try:
        await console.run_script(io.StringIO(
            "project create Website\nmeeting schedule website in 2 minutes for 5m Demo\n"), out)
        for _ in range(500):
            if "[to ana]" in out.getvalue():
                break
            await asyncio.sleep(0.01)
    finally:
        await scheduler.stop()
    text = out.getvalue()
    assert "Meeting scheduled: Demo" in text
    assert (tmp_path / "attachments" / "Demo.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    channel = text.split("[in #console]", 1)[1]
    assert "Meeting soon: Demo" in channel and re.search(r"https://meet\.jit\.si/website-", channel)
    assert "Your link: https://meet.jit.si/website-" in text.split("[to ana]", 1)[1]


async def test_a_piped_script_lets_jobs_fire_while_it_waits(db: Database,
                                                             tmp_path: Path) -> None:
    """A pipe that pauses between lines (`(cat setup; sleep 60; cat questions) | v1tr0 run`)
    must not stall reminders and transcripts until its next line."""
    console, out, scheduler = _console_with_reminders(db, tmp_path)
    read_end, write_end = os.pipe()
    reminded = threading.Event()

    def writer() -> None:
        with os.fdopen(write_end, "w") as pipe:
            pipe.write("project create Website\n"
                       "meeting schedule website in 2 minutes for 5m Demo\n")
            pipe.flush()
            reminded.wait(timeout=10)  # the pipe stays open, as if its writer were sleeping

    async def watch() -> None:
        while "[to ana]" not in out.getvalue():
            await asyncio.sleep(0.01)
        reminded.set()

    await scheduler.start()
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        watcher = asyncio.create_task(watch())
        with os.fdopen(read_end) as lines:
            assert await console.run_script(lines, out) == 0
        # Had reading blocked the loop, the reminder could only come after the pipe closed.
        assert reminded.is_set() and watcher.done()
    finally:
        reminded.set()
        thread.join()
        await scheduler.stop()


def test_ingest_then_ask_from_the_console(tmp_path: Path) -> None:
    """The issue's walk-through, through the real CLI and composition root."""
    vtt = tmp_path / "launch.vtt"
    vtt.write_text("WEBVTT\n\n00:00:12.500 --> 00:00:18.000\n<v Ana>We decided to move the "
                   "launch date to the first of March, after the content freeze.\n\n"
                   "00:00:18.500 --> 00:00:24.000\n<v Luis>I will send the final budget to "
                   "the client by Friday.\n", encoding="utf-8")
    setup = v1tr0("console", data=tmp_path, stdin=(
        "project create Website\nproject create Mobile\n"
        'meeting now website title:"Launch review"\n'))
    assert setup.returncode == 0 and "Meeting started: Launch review" in setup.stdout
    ingested = v1tr0("ingest", str(vtt), "--meeting", "1", data=tmp_path)
    assert ingested.returncode == 0, ingested.stderr
    assert "Summary of Launch review" in ingested.stdout
    assert "Decision: We decided to move the launch date" in ingested.stdout
    assert "Luis, due" in ingested.stdout
    asked = v1tr0("console", data=tmp_path, stdin=(
        "ask what did we decide about the launch date? project:website\n"
        "ask what did we decide about the launch date? project:mobile\n"))
    website, mobile = asked.stdout.split("About Mobile")
    assert "first of March" in website and "[1] Launch review ·" in website
    assert "· Ana · 0:12" in website
    assert "found nothing" in mobile
    # A recording that cannot be read fails, and the exit status says so to a script.
    noise = tmp_path / "noise.wav"
    noise.write_bytes(bytes(range(256)) * 24)
    failed = v1tr0("ingest", str(noise), "--meeting", "1", data=tmp_path)
    assert failed.returncode == 1 and "could not be read as audio" in failed.stdout, failed
    # Refused: said on stderr, without the chat command's usage line; a folder is no file.
    missing = v1tr0("ingest", str(vtt), "--meeting", "999", data=tmp_path)
    assert missing.returncode == 1 and "There is no meeting #999" in missing.stderr
    assert "Usage: `/" not in missing.stderr, missing.stderr
    again = v1tr0("ingest", str(vtt), "--meeting", "1", data=tmp_path)  # nothing new stored
    assert again.returncode == 1 and "was already added as transcript #1" in again.stderr
    folder = v1tr0("ingest", str(tmp_path), "--meeting", "1", data=tmp_path)
    assert folder.returncode == 2 and "is a folder; give a file" in folder.stderr


def test_run_as_a_service_keeps_its_jobs_until_sigterm(tmp_path: Path) -> None:
    """Under a Procfile or systemd there is no input: `run` must not end when it ends."""
    environment = {**os.environ, "DATA_DIR": str(tmp_path)}
    environment.pop("DATABASE_URL", None)
    service = subprocess.Popen([sys.executable, "-m", "bot", "run"], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=environment)
    try:
        assert service.stderr is not None
        assert "the console's input has ended" in service.stderr.readline()
        assert service.poll() is None  # still serving the jobs
        service.send_signal(signal.SIGTERM)
        assert service.wait(timeout=30) == 0
    finally:
        service.kill()
