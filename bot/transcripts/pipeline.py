"""Ingest and the transcript pipeline: pending → transcribing → indexing → summarising → done.

Every step ends with a commit that records the next state, so a crash resumes from the
step the row says; a claim with a lease makes sure only one process works on a transcript.
Failures are retried with backoff and, after the last attempt, reported to the channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process

from bot.core import Field, Reply
from bot.i18n import N_, Translator, translator
from bot.ports import Indexer, Notifier, Target, utc_now
from bot.retrieval.translation import language_of
from bot.transcripts.formats import detect_format, parse_transcript
from bot.transcripts.model import Segment, Summarizer, Summary, Transcriber, TranscriptError
from bot.transcripts.stt import AUDIO_EXTENSIONS
from bot.transcripts.summarize import fold
from storage import Database, WorkspaceStore
from storage.models import (
    ItemKind,
    Meeting,
    Member,
    Project,
    SummaryItem,
    Transcript,
    TranscriptSegment,
    TranscriptStatus,
    Workspace,
)

log = logging.getLogger("v1tr0.transcripts")

MAX_AUDIO_BYTES = 500 * 1024 * 1024
MAX_TEXT_BYTES = 20 * 1024 * 1024
LEASE = timedelta(minutes=30)  # longer than any one step takes on this hardware
_LANGUAGE_SAMPLE = 100  # segments read to tell a transcript's language
MAX_ATTEMPTS = 4
BACKOFF = timedelta(seconds=30)  # doubled after each failed attempt


@dataclass(frozen=True, slots=True)
class Ingested:
    transcript: Transcript
    new: bool  # False when the same file (by sha256) was already there


class TranscriptPipeline:
    """Takes transcripts from upload to a posted summary.

    Args:
        db: The database.
        notifier: Where summaries and failures are posted.
        transcriber: Speech-to-text for audio.
        summarizer: Summaries, decisions and action items.
        uploads: Folder where audio waits until it is transcribed.
        indexer: The search index (filled in by the retrieval layer); none skips the step.
        clock: The current time.
        progress_seconds: How often a long step (speech-to-text, indexing) writes how far
            it got, for `transcript show`.
        renew_seconds: How often a claim is renewed while its steps run, well within the
            lease: a recording whose speech-to-text outlasts the lease is not taken over.
    """

    def __init__(self, db: Database, notifier: Notifier, *, transcriber: Transcriber,
                 summarizer: Summarizer, uploads: Path, indexer: Indexer | None = None,
                 clock: Callable[[], datetime] = utc_now,
                 progress_seconds: float = 2.0,
                 renew_seconds: float = LEASE.total_seconds() / 3) -> None:
        self.db = db
        self.progress_seconds = progress_seconds
        self.renew_seconds = renew_seconds
        self.notifier = notifier
        self.transcriber = transcriber
        self.summarizer = summarizer
        self.uploads = uploads
        self.indexer = indexer
        self.clock = clock

    # -- ingest ---------------------------------------------------------------------------

    async def ingest(self, store: WorkspaceStore, meeting: Meeting, filename: str,
                     data: bytes, *, created_by: int | None, language: str,
                     detect_language: bool = False) -> Ingested:
        """Accept an upload inside the caller's transaction; text is parsed right away.

        A file already added is recognised (``new`` is False) unless that transcript failed:
        then it starts over with this upload's meeting and language. With
        ``detect_language`` (``language`` is only the project's or workspace's), a text
        transcript clearly in English or Spanish is taken to be in that language: a Spanish
        team's English client call is read, summarised and searched as English.

        Raises:
            TranscriptError: the file is too big, of an unknown kind, or unreadable.
        """
        name = Path(filename).name or "upload"
        suffix = Path(name).suffix.lower()
        is_audio = suffix in AUDIO_EXTENSIONS
        limit = MAX_AUDIO_BYTES if is_audio else MAX_TEXT_BYTES
        if not data:
            raise TranscriptError(N_("`{name}` is empty."), name=name)
        if len(data) > limit:
            raise TranscriptError(N_("`{name}` is {size} MB; the limit is {limit} MB."),
                                  name=name, size=f"{len(data) / 2**20:.1f}",
                                  limit=limit // 2**20)
        digest = hashlib.sha256(data).hexdigest()
        existing = await store.transcript_by_sha256(digest)
        if existing is not None and existing.status is not TranscriptStatus.FAILED:
            return Ingested(existing, new=False)
        if not is_audio and _looks_secret(name, data):
            raise TranscriptError(N_("`{name}` looks like a key or a settings file, not a "
                                     "meeting's transcript; nothing was stored."), name=name)
        fmt = "audio" if is_audio else detect_format(name, data)
        if fmt == "txt" and suffix not in {"", ".txt", ".text", ".md"}:
            raise TranscriptError(N_(
                "`{name}` is neither audio ({audio}) nor a transcript (vtt, srt, txt, json)."),
                name=name, audio=", ".join(sorted(e.lstrip(".") for e in AUDIO_EXTENSIONS)))
        fields = {"meeting_id": meeting.id, "filename": name[:255], "format": fmt,
                  "language": language, "progress": 0.0, "attempts": 0, "last_error": None,
                  "next_attempt_at": self.clock(), "claimed_at": None, "created_by": created_by,
                  "status": TranscriptStatus.PENDING}
        if existing is None:
            transcript = await store.add(Transcript(
                sha256=digest, size_bytes=len(data), participants=[], problems=[], **fields))
        else:  # a failed upload added again (say with the right language) starts over
            transcript = existing
            for field, value in fields.items():
                setattr(transcript, field, value)
        if is_audio:
            self.uploads.mkdir(parents=True, exist_ok=True)
            path = self.uploads / f"{digest}{suffix}"
            path.write_bytes(data)
            transcript.upload_path = str(path)
        else:
            segments = parse_transcript(data, fmt)
            if detect_language and (written := language_of(" ".join(
                    segment.text for segment in segments[:_LANGUAGE_SAMPLE]))):
                transcript.language = written
            await self._store_segments(store, transcript, segments)
            transcript.status = TranscriptStatus.INDEXING
        return Ingested(transcript, new=True)

    # -- the pipeline ---------------------------------------------------------------------

    async def run_once(self) -> int | None:
        """Claim one transcript with work to do and take it as far as it goes."""
        claim = [self.clock()]  # when it was taken, then last renewed
        transcript_id = None
        try:
            async with self.db.transaction() as store:
                transcript_id = await store.transcripts.claim_next(claim[0], LEASE)
            if transcript_id is None:
                return None
            renewing = asyncio.create_task(self._renew(transcript_id, claim))
            try:
                await self.process(transcript_id)
            finally:
                renewing.cancel()
                await asyncio.gather(renewing, return_exceptions=True)
        except asyncio.CancelledError:
            # Stopped, not killed (an exit, a deploy): every step can be run again, so the
            # next process may take it at once instead of after the lease. The stop may
            # come as the claim commits (the session's close is shielded), so the claim is
            # given back if it is still this one's.
            if transcript_id is not None:
                async with self.db.transaction() as store:
                    transcript, *_rest = await store.transcripts.get(transcript_id)
                    if transcript.claimed_at == claim[0]:
                        transcript.claimed_at = None
            raise
        except Exception as error:
            if transcript_id is None:
                raise
            if await self._deleted(transcript_id):
                log.info("transcript %s was deleted while it was processed; its work stopped",
                         transcript_id)
            else:
                await self._failed(transcript_id, error)
        return transcript_id

    async def _deleted(self, transcript_id: int) -> bool:
        """Whether the transcript was deleted; what its step indexed meanwhile is dropped."""
        async with self.db.transaction() as store:
            if await store.transcripts.exists(transcript_id):
                return False
        if self.indexer is not None:
            await self.indexer.sweep()
        return True

    async def _renew(self, transcript_id: int, claim: list[datetime]) -> None:
        """Keep renewing the claim while its steps run (``claim[0]`` is its latest time)."""
        while True:
            await asyncio.sleep(self.renew_seconds)
            now = self.clock()
            async with self.db.transaction() as store:
                if not await store.transcripts.renew_claim(transcript_id, claim[0], now):
                    log.warning("transcript %s was taken over by another process",
                                transcript_id)
                    return
                claim[0] = now  # before the commit: a stop during it still finds the claim

    async def run_until_idle(self) -> list[int]:
        """Work until nothing is due (the CLI's `ingest` and tests use this)."""
        done = []
        while (transcript_id := await self.run_once()) is not None:
            done.append(transcript_id)
        return done

    async def process(self, transcript_id: int) -> None:
        """Run the remaining steps of one claimed transcript, committing after each."""
        while True:
            async with self.db.transaction() as store:
                transcript, meeting, project, workspace = await store.transcripts.get(
                    transcript_id)
            match transcript.status:
                case TranscriptStatus.PENDING | TranscriptStatus.TRANSCRIBING:
                    await self._transcribe(transcript, workspace)
                case TranscriptStatus.INDEXING:
                    if self.indexer is not None:
                        # A text transcript starts here, at 0 %; audio at 80 %.
                        async with self._progress(transcript, end=0.9) as progress:
                            await self.indexer.index(workspace.id, transcript.id, progress)
                    await self._advance(transcript.id, TranscriptStatus.SUMMARISING, 0.9)
                case TranscriptStatus.SUMMARISING:
                    await self._summarise(transcript, meeting, workspace)
                case TranscriptStatus.DONE:
                    if transcript.posted_at is None:
                        await self._post(transcript, meeting, project, workspace)
                    return
                case TranscriptStatus.FAILED:
                    return

    async def _transcribe(self, transcript: Transcript, workspace: Workspace) -> None:
        await self._advance(transcript.id, TranscriptStatus.TRANSCRIBING, 0.0)
        if not transcript.upload_path or not Path(transcript.upload_path).exists():
            raise TranscriptError(N_("The audio of transcript #{id} is gone; upload it again."),
                                  id=transcript.id)
        async with self._progress(transcript, end=0.8) as progress:
            segments = await self.transcriber.transcribe(
                Path(transcript.upload_path), language=transcript.language, progress=progress)
        async with self.db.transaction() as store:
            scoped = store.scoped(workspace.id)
            row = await scoped.transcript(transcript.id)
            assert row is not None
            await self._store_segments(scoped, row, segments)
            row.transcriber = self.transcriber.name
            row.status, row.progress = TranscriptStatus.INDEXING, 0.8
        Path(transcript.upload_path).unlink(missing_ok=True)  # the text is what we keep

    async def _summarise(self, transcript: Transcript, meeting: Meeting,
                         workspace: Workspace) -> None:
        async with self.db.transaction() as store:
            scoped = store.scoped(workspace.id)
            segments = await scoped.segments(transcript.id)
            members = await scoped.members()
        summary = await self.summarizer.summarize(
            [Segment(s.speaker, s.start, s.end, s.text) for s in segments],
            language=transcript.language,
            meeting_date=meeting.starts_at.astimezone(ZoneInfo(workspace.timezone)).date())
        async with self.db.transaction() as store:
            scoped = store.scoped(workspace.id)
            row = await scoped.transcript(transcript.id)
            assert row is not None
            await scoped.replace_summary(row, _items(summary, len(segments), members))
            row.participants = summary.participants
            row.problems = summary.problems
            row.summarizer = self.summarizer.name
            row.status, row.progress = TranscriptStatus.DONE, 1.0
            row.finished_at, row.last_error = self.clock(), None

    async def _post(self, transcript: Transcript, meeting: Meeting, project: Project,
                    workspace: Workspace) -> None:
        async with self.db.transaction() as store:
            scoped = store.scoped(workspace.id)
            items = await scoped.summary_items(transcript.id)
            segments = await scoped.segments(transcript.id)
            await store.transcripts.withdraw_followup(meeting.id)
            row = await scoped.transcript(transcript.id)
            assert row is not None
            row.posted_at, row.claimed_at = self.clock(), None
        if meeting.channel_id:
            reply = summary_reply(translator(workspace.locale), row, meeting, project, items,
                                  segments)
            await self.notifier.send(
                Target(workspace.platform, workspace.external_id, channel_id=meeting.channel_id),
                reply)

    @contextlib.asynccontextmanager
    async def _progress(self, transcript: Transcript, *,
                        end: float) -> AsyncIterator[Callable[[float], None]]:
        """A step's progress callback: the fraction of the step it reports is written, now
        and then, as the transcript's progress between where it stands and ``end``."""
        writer = _ProgressWriter(self.db, transcript.id, start=transcript.progress, end=end,
                                 every=self.progress_seconds)
        task = asyncio.create_task(writer.run())
        try:
            yield writer.report
        finally:
            # Given up (the worker stops, its claim released): the step's thread ends at its
            # next report instead of working on for minutes beside the one that takes over.
            writer.abandoned = True
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)  # no write after the step's

    async def _advance(self, transcript_id: int, status: TranscriptStatus,
                       progress: float) -> None:
        async with self.db.transaction() as store:
            transcript, *_rest = await store.transcripts.get(transcript_id)
            transcript.status, transcript.progress = status, progress

    async def _failed(self, transcript_id: int, error: Exception) -> None:
        """Back off and retry later; after the last attempt, say so in the channel."""
        permanent = isinstance(error, TranscriptError)
        if not permanent:
            log.exception("transcript %s failed", transcript_id)
        async with self.db.transaction() as store:
            transcript, meeting, _project, workspace = await store.transcripts.get(
                transcript_id)
            transcript.attempts += 1
            transcript.last_error = (error.stored() if isinstance(error, TranscriptError)
                                     else str(error))[:2000]
            transcript.claimed_at = None
            if permanent or transcript.attempts >= MAX_ATTEMPTS:
                transcript.status = TranscriptStatus.FAILED
            else:
                transcript.next_attempt_at = self.clock() + BACKOFF * 2 ** (
                    transcript.attempts - 1)
            gave_up = transcript.status is TranscriptStatus.FAILED
        if gave_up and meeting.channel_id:
            _ = translator(workspace.locale)
            reason = _(error.message, **error.values) if isinstance(error, TranscriptError) \
                else str(error)
            await self.notifier.send(
                Target(workspace.platform, workspace.external_id, channel_id=meeting.channel_id),
                Reply(title=_("I could not process the transcript of {title}",
                              title=meeting.title),
                      text=_("Transcript #{id}: {reason}", id=transcript.id, reason=reason),
                      status="error"))

    async def _store_segments(self, store: WorkspaceStore, transcript: Transcript,
                              segments: list[Segment]) -> None:
        if not segments:
            # Most often a recording heard in the wrong language: say which, and how to fix.
            raise TranscriptError(N_("No speech was found in `{name}`, listening for `{language}`; "
                                     "if it is in another language, add it again with "
                                     "`language:{other}` (or its code)."),
                                  name=transcript.filename, language=transcript.language,
                                  other="en" if transcript.language == "es" else "es")
        match = _matcher(await store.members())
        speakers = {s.speaker: match(s.speaker) for s in segments}
        await store.add_segments(transcript, [
            {"position": i, "speaker": s.speaker[:200] if s.speaker else None,
             "member_id": member.id if (member := speakers[s.speaker]) else None,
             "start": s.start, "end": s.end, "text": s.text} for i, s in enumerate(segments)])
        transcript.duration_seconds = max(s.end for s in segments)


# A private key, or lines of ``NAME=value`` settings: never a meeting, and searchable by
# every member once indexed.
_SECRET_MARK = re.compile(rb"-----BEGIN [A-Z ]*(?:PRIVATE KEY|CERTIFICATE)-----")
_SETTING_LINE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=\S")


def _looks_secret(name: str, data: bytes) -> bool:
    """Whether an upload is a key, a certificate or a settings file (``.env``)."""
    if name.startswith(".") or _SECRET_MARK.search(data[:65536]):
        return True
    lines = [line.strip() for line in data[:65536].decode("utf-8", "replace").splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    return bool(lines) and sum(map(bool, map(_SETTING_LINE.match, lines))) * 2 > len(lines)


class StepAbandoned(Exception):
    """Raised in a step's thread when the step was given up, so the thread stops."""


class _ProgressWriter:
    """Keeps the row's progress current while a long step runs in a thread."""

    def __init__(self, db: Database, transcript_id: int, *, start: float, end: float,
                 every: float) -> None:
        self.db = db
        self.transcript_id = transcript_id
        self.start, self.end, self.every = start, end, every
        self.fraction = 0.0
        self.written = 0.0
        self.abandoned = False

    def report(self, fraction: float) -> None:  # called from the step's thread
        if self.abandoned:
            raise StepAbandoned
        self.fraction = max(self.fraction, min(fraction, 1.0))

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            async with self.db.transaction() as store:
                if not await store.transcripts.exists(self.transcript_id):
                    self.abandoned = True  # deleted meanwhile: the step's thread stops
                    return
                if self.fraction - self.written >= 0.02:
                    self.written = self.fraction
                    transcript, *_rest = await store.transcripts.get(self.transcript_id)
                    transcript.progress = round(
                        self.start + (self.end - self.start) * self.written, 3)


def _matcher(members: list[Member]) -> Callable[[str | None], Member | None]:
    """Match a speaker label or a named owner ("Ana", "ana ruiz") to a workspace member."""
    names = {m.id: m.name for m in members}
    by_id = {m.id: m for m in members}

    def match(name: str | None) -> Member | None:
        if not name or not names:
            return None
        # "Ana" in the transcript is the member "ana": case and accents aside.
        found = process.extractOne(name, names, scorer=fuzz.WRatio, score_cutoff=88,
                                   processor=lambda text: fold(text).casefold())
        return by_id[found[2]] if found else None

    return match


def _items(summary: Summary, segment_count: int, members: list[Member]) -> list[SummaryItem]:
    match = _matcher(members)

    def where(index: int) -> int | None:
        return index if 0 <= index < segment_count else None

    items: list[SummaryItem] = []
    for kind, points in ((ItemKind.SUMMARY, summary.summary),
                         (ItemKind.KEY_POINT, summary.key_points),
                         (ItemKind.DECISION, summary.decisions),
                         (ItemKind.NEXT_STEP, summary.next_steps)):
        items += [SummaryItem(kind=kind, position=i, text=p.text,
                              segment_position=where(p.segment)) for i, p in enumerate(points)]
    for i, action in enumerate(summary.action_items):
        owner = match(action.owner)
        items.append(SummaryItem(
            kind=ItemKind.ACTION, position=i, text=action.task,
            segment_position=where(action.segment), owner_name=action.owner,
            owner_member_id=owner.id if owner else None, due_date=action.due))
    return items


def clock_time(seconds: float | None) -> str:
    """``754.2`` → ``12:34``; ``3723`` → ``1:02:03``."""
    total = int(seconds or 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def summary_reply(_: Translator, transcript: Transcript, meeting: Meeting, project: Project,
                  items: list[SummaryItem], segments: list[TranscriptSegment]) -> Reply:
    """The posted summary: every line says who said it and when."""
    by_position = {s.position: s for s in segments}

    def moment(item: SummaryItem) -> str:
        segment = by_position.get(item.segment_position) if item.segment_position is not None \
            else None
        if segment is None:
            return ""
        who = f"{segment.speaker}, " if segment.speaker else ""
        return f" ({who}{clock_time(segment.start)})"

    def labelled(label: str, item: SummaryItem) -> str:
        # A point said with its own label ("Next step: …"), as summaries stored before the
        # summariser dropped it still hold it, is not labelled twice.
        said = item.text if item.text.casefold().startswith(f"{label.casefold()}:") \
            else f"{label}: {item.text}"
        return said + moment(item)

    kinds = {kind: [i for i in items if i.kind == kind] for kind in ItemKind}
    lines = [labelled(_("Key point"), i) for i in kinds[ItemKind.KEY_POINT]]
    lines += [labelled(_("Decision"), i) for i in kinds[ItemKind.DECISION]]
    for item in kinds[ItemKind.ACTION]:
        owner = item.owner_name or _("no owner")
        due = f", {_('due')} {_.date(item.due_date)}" if item.due_date else ""
        lines.append(f"{_('Action')} #{item.id}: {item.text} — {owner}{due}{moment(item)}")
    lines += [labelled(_("Next step"), i) for i in kinds[ItemKind.NEXT_STEP]]
    text = " ".join(i.text for i in kinds[ItemKind.SUMMARY])
    if not text and not lines:  # a greeting and goodbye: say so rather than post nothing
        text = _("Nothing to summarise: no point, decision or task was said in it.")
    if transcript.problems:
        text += "\n" + _("Parts could not be summarised: {problems}",
                         problems="; ".join(transcript.problems))
    return Reply(
        title=_("Summary of {title}", title=meeting.title), text=text, items=lines,
        fields=[Field(_("Project"), project.name),
                Field(_("Participants"), ", ".join(transcript.participants) or "—"),
                Field(_("Length"), clock_time(transcript.duration_seconds))])
