"""An interactive terminal chat with line editing and history, or a pipe of commands."""

from __future__ import annotations

import asyncio
import getpass
import re
import shlex
import sys
from pathlib import Path
from typing import Protocol, TextIO

from bot.core import Reply, Request, Upload
from bot.ports import Target

PLATFORM = "console"
TEAM_ID = "local"
CHANNEL_ID = "console"
_UPLOAD_OPTION = re.compile(r"language:\S+", re.IGNORECASE)  # `/upload #4 f.wav language:es`
_EXIT = {"exit", "quit", "salir"}  # what leaves the console, typed or piped


def without_comment(line: str) -> str:
    """``line`` without a trailing comment: `` # `` and what follows, outside quotes.

    Example:
        >>> without_comment('settings language:es   # in Spanish now')
        'settings language:es'
        >>> without_comment('project log 2 web note:"bug # 3"  # a note')
        'project log 2 web note:"bug # 3"'
        >>> without_comment("meeting show #12")
        'meeting show #12'
    """
    for match in re.finditer(r"\s+#(?:\s|$)", line):
        if line.count('"', 0, match.start()) % 2 == 0:
            return line[:match.start()]
    return line


class Handler(Protocol):
    async def handle(self, request: Request) -> Reply: ...


def render(reply: Reply, saved: dict[str, Path] | None = None) -> str:
    """Plain-text rendering of a reply (Slack-style ``*bold*`` is left as it is).

    Args:
        reply: What to show.
        saved: Where each attachment was written, by file name, if it was.
    """
    lines: list[str] = []
    if reply.title:
        lines += [reply.title, "─" * min(len(reply.title), 60)]
    if reply.text:
        lines.append(reply.text)
    width = max((len(f.label) for f in reply.fields), default=0)
    lines += [f"{f.label.ljust(width)}  {f.value}" for f in reply.fields]
    lines += [f"  • {item}" for item in reply.items]
    lines += [f"  {c.label} {c.detail}".rstrip() for c in reply.citations]
    lines += [f"  ({b.label}: /{b.command})" for b in reply.buttons]
    saved = saved or {}
    lines += [f"  📎 {saved[a.filename]}" if a.filename in saved
              else f"  📎 {a.filename} ({len(a.content)} bytes)" for a in reply.attachments]
    return "\n".join(lines)


class ConsoleAdapter:
    """Runs commands typed in a terminal, or read one per line from a pipe.

    Args:
        dispatcher: Anything with ``async handle(Request) -> Reply``.
        history_file: Where interactive history is kept between sessions.
        user: The local user's name; they own the local workspace.
        out: Where notifications are written.
        attachments_dir: Where files that come with replies (.ics invites) are saved.
    """

    def __init__(self, dispatcher: Handler, *, history_file: Path | None = None,
                 user: str | None = None, out: TextIO = sys.stdout,
                 attachments_dir: Path | None = None) -> None:
        self.dispatcher = dispatcher
        self.history_file = history_file
        self.user = user or getpass.getuser()
        self.out = out
        self.attachments_dir = attachments_dir

    def show(self, reply: Reply) -> str:
        """Save the reply's attachments (when there is a folder for them) and render it."""
        saved: dict[str, Path] = {}
        if self.attachments_dir and reply.attachments:
            self.attachments_dir.mkdir(parents=True, exist_ok=True)
            for attachment in reply.attachments:
                path = self.attachments_dir / Path(attachment.filename).name
                path.write_bytes(attachment.content)
                saved[attachment.filename] = path
        return render(reply, saved)

    def request(self, text: str, files: tuple[Upload, ...] = (),
                unreadable: tuple[str, ...] = ()) -> Request:
        return Request(platform=PLATFORM, team_id=TEAM_ID, user_id=self.user, text=text,
                       workspace_name="Local", user_name=self.user, channel_id=CHANNEL_ID,
                       files=files, unreadable=unreadable)

    async def say(self, text: str) -> Reply:
        """Run one line. ``/upload #12 path/to/file`` sends a local file with the command,
        as a chat upload would (``transcript add #12``). `` # `` outside quotes starts a
        comment, as in the README's examples."""
        words = without_comment(text).strip().split(maxsplit=1)
        if words and words[0].lstrip("/").casefold() == "upload":
            # "/upload "Brand check" notes.txt language:es": the meeting (quoted when it is
            # several words), the path (the rest) and the command's own options.
            try:
                said = shlex.split(words[1]) if len(words) > 1 else []
            except ValueError:  # an unclosed quote: taken as written
                said = words[1].split()
            options = [word for word in said if _UPLOAD_OPTION.fullmatch(word)]
            rest = [word for word in said if word not in options]
            # The core words every reply, in the asker's language: without a path it asks
            # for the file, and a path that is not a file is sent as unreadable.
            meeting = [f'"{word}"' if " " in word else word for word in rest[:1]]
            command = " ".join(["transcript add", *meeting, *options])
            if len(rest) < 2:
                return await self.dispatcher.handle(self.request(command))
            path = Path(" ".join(rest[1:])).expanduser()
            if not path.is_file():
                return await self.dispatcher.handle(self.request(command, unreadable=(str(path),)))
            return await self.dispatcher.handle(self.request(
                command, (Upload(path.name, path.read_bytes()),)))
        return await self.dispatcher.handle(self.request(without_comment(text)))

    async def run_script(self, lines: TextIO, out: TextIO) -> int:
        """Run each non-empty line (``#`` starts a comment) until the end or ``exit``;
        returns the count of errors."""
        errors = 0
        loop = asyncio.get_running_loop()
        # Read in a thread: a pipe may wait between lines, and jobs must keep firing meanwhile.
        while raw := await loop.run_in_executor(None, lines.readline):
            text = raw.strip()
            if text.lower() in _EXIT:
                break
            if not text or text.startswith("#"):
                continue
            reply = await self.say(text)
            errors += reply.status == "error"
            out.write(self.show(reply) + "\n\n")
            out.flush()
        return errors

    async def run_interactive(self, out: TextIO = sys.stdout) -> None:
        """A prompt with line editing and history (readline); Ctrl-D or ``exit`` leaves."""
        import readline

        if self.history_file:
            self.history_file.parent.mkdir(parents=True, exist_ok=True)
            if self.history_file.exists():
                readline.read_history_file(self.history_file)
        readline.set_history_length(1000)
        out.write("V1tr0 Bot console. Type `help` for commands, `exit` to leave.\n")
        loop = asyncio.get_running_loop()
        try:
            while True:
                try:
                    # input() blocks, so it runs in a thread and jobs keep firing meanwhile.
                    text = await loop.run_in_executor(None, input, "v1tr0> ")
                except EOFError:
                    out.write("\n")
                    break
                if text.strip().lower() in _EXIT:
                    break
                if text.strip():
                    reply = await self.say(text)
                    out.write(self.show(reply) + "\n")
        finally:
            if self.history_file:
                readline.write_history_file(self.history_file)

    async def send(self, target: Target, reply: Reply) -> None:
        """Show a message the bot sends by itself (reminders, follow-ups) as it fires."""
        where = f"to {target.user_id}" if target.user_id else f"in #{target.channel_id}"
        self.out.write(f"\n[{where}]\n{self.show(reply)}\n")
        self.out.flush()
