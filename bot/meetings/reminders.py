"""Messages the bot sends by itself around a meeting, and the service that sends them.

Database rows are the truth: a reminder is sent by first claiming it with one atomic
UPDATE (see :meth:`storage.repositories.ReminderQueue.claim_due`), so any number of
schedulers can run against the same database and each reminder goes out once.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.core import Button, Field, Reply
from bot.i18n import Translator, translator
from bot.meetings.jitsi import JitsiConfig
from bot.meetings.links import meeting_end, personal_link, public_link, workspace_jitsi
from bot.ports import Notifier, Target, utc_now
from storage import Database
from storage.models import MeetingStatus, ParticipantRole, ReminderKind, ReminderStatus
from storage.repositories import DueReminder

log = logging.getLogger("v1tr0.reminders")

LATE_AFTER = timedelta(minutes=1)  # sent later than this after its time: marked late
LEASE = timedelta(minutes=2)  # a claim older than this belonged to a process that died
MAX_ATTEMPTS = 3
_DELIVERED = {ReminderStatus.SENT, ReminderStatus.LATE}
# How late a reminder may still go out: the link is useful until shortly after the start,
# the follow-up for half a day.
GRACE = {ReminderKind.BEFORE: timedelta(minutes=10), ReminderKind.AFTER: timedelta(hours=12)}


def _when(_: Translator, moment: datetime, timezone: str) -> str:
    return _.datetime(moment, timezone)


def before_message(item: DueReminder, _: Translator, link: str, *, late: bool) -> Reply:
    """The channel's reminder: link, time and participants."""
    meeting, workspace = item.meeting, item.workspace
    names = [participant.name for participant, _member in item.participants]
    text = _("Starts {when}. Join: {link}", when=_when(_, meeting.starts_at, workspace.timezone),
             link=link)
    if late:
        text = _("(Sent late: the bot was offline.)") + " " + text
    return Reply(
        title=_("Meeting soon: {title}", title=meeting.title), text=text,
        fields=[Field(_("Project"), item.project.name),
                Field(_("Duration"), _.duration(meeting.duration_minutes)),
                Field(_("Participants"), ", ".join(names) or "—", inline=False)],
        buttons=[Button(_("Join"), "meeting.join", f"meeting join #{meeting.id}",
                        style="primary")])


def personal_message(item: DueReminder, _: Translator, link: str, timezone: str) -> Reply:
    """A participant's own reminder, with their personal link, in their time zone."""
    meeting = item.meeting
    return Reply(title=_("Meeting soon: {title}", title=meeting.title),
                 text=_("Starts {when}. Your link: {link}",
                        when=_when(_, meeting.starts_at, timezone), link=link))


def followup_message(item: DueReminder, _: Translator) -> Reply:
    """After the meeting: ask for what the transcripts pipeline needs."""
    meeting = item.meeting
    # Everyone left early: it ended when the last one did, not at its scheduled end.
    left = [p.left_at for p, _member in item.participants if p.left_at is not None]
    ended = min(meeting_end(meeting), max(left)) if (
        meeting.status is MeetingStatus.ENDED and left) else meeting_end(meeting)
    return Reply(
        title=_("How did {title} go?", title=meeting.title),
        text=_("Upload the recording or the transcript of meeting #{id} here, and I will post "
               "the summary, decisions and action items.", id=meeting.id),
        fields=[Field(_("Project"), item.project.name),
                Field(_("Ended"), _when(_, ended, item.workspace.timezone))])


class ReminderService:
    """Claims due reminders and sends them through the notifier.

    Args:
        db: The database.
        notifier: Where messages go (a :class:`~bot.ports.NotifierHub` in production).
        clock: The current time; tests pass a controllable one.
        jitsi: The Jitsi server for workspaces that have not set their own.
    """

    def __init__(self, db: Database, notifier: Notifier, *,
                 clock: Callable[[], datetime] = utc_now, jitsi: JitsiConfig | None = None,
                 ) -> None:
        self.db = db
        self.notifier = notifier
        self.clock = clock
        self.jitsi = jitsi or JitsiConfig()

    async def pending(self, until: datetime) -> list[tuple[int, datetime]]:
        """Unsent reminders due before ``until`` (the scheduler sets a timer for each)."""
        async with self.db.transaction() as store:
            return await store.reminders.pending(until)

    async def run_due(self, now: datetime | None = None) -> Counter[str]:
        """Send every reminder that is due; returns how many ended in each status."""
        now = now or self.clock()
        async with self.db.transaction() as store:
            await store.reminders.release_stale(now, LEASE)
            claimed = await store.reminders.claim_due(now)
        outcome: Counter[str] = Counter()
        if not claimed:
            return outcome
        async with self.db.transaction() as store:
            due = await store.reminders.load(claimed)
        finished: list[tuple[DueReminder, ReminderStatus, str | None]] = []
        for item in due:
            status, error = await self._deliver(item, now)
            finished.append((item, status, error))
            outcome[status.value] += 1
        async with self.db.transaction() as store:
            await store.reminders.finish(
                [(item.reminder.id, status, error) for item, status, error in finished], now)
            await store.reminders.end_meetings([
                item.meeting.id for item, status, _error in finished
                if item.reminder.kind is ReminderKind.AFTER and status in _DELIVERED])
        return outcome

    async def _deliver(self, item: DueReminder, now: datetime) -> tuple[ReminderStatus,
                                                                           str | None]:
        reminder = item.reminder
        if item.meeting.status == "cancelled":
            return ReminderStatus.CANCELLED, None
        lateness = now - reminder.fire_at
        if now > _deadline(item):
            log.info("reminder %s skipped: %s late", reminder.id, lateness)
            return ReminderStatus.SKIPPED, f"missed by {lateness}"
        late = lateness > LATE_AFTER
        try:
            await self._send(item, late=late)
        except Exception as error:  # the platform refused: retry on the next sweep
            log.exception("reminder %s: sending failed (attempt %s)", reminder.id,
                          reminder.attempts)
            failed = reminder.attempts >= MAX_ATTEMPTS
            return (ReminderStatus.FAILED if failed else ReminderStatus.PENDING), str(error)
        return (ReminderStatus.LATE if late else ReminderStatus.SENT), None

    async def _send(self, item: DueReminder, *, late: bool) -> None:
        workspace, meeting = item.workspace, item.meeting
        _ = translator(workspace.locale)
        config = workspace_jitsi(workspace.settings, self.jitsi)
        channel = Target(workspace.platform, workspace.external_id, channel_id=meeting.channel_id)
        if item.reminder.kind is ReminderKind.AFTER:
            if meeting.channel_id:
                await self.notifier.send(channel, followup_message(item, _))
            return
        if meeting.channel_id:
            await self.notifier.send(channel, before_message(
                item, _, public_link(config, meeting), late=late))
        for participant, member in item.participants:
            if member is None:
                continue  # outside guests got the .ics invite with the link
            mine = translator(member.locale or workspace.locale)
            link = personal_link(config, meeting, user_id=member.external_id, name=member.name,
                                 host=participant.role == ParticipantRole.HOST)
            try:
                await self.notifier.send(
                    Target(workspace.platform, workspace.external_id, user_id=member.external_id),
                    personal_message(item, mine, link, member.timezone or workspace.timezone))
            except Exception:  # one closed inbox must not re-post the channel's message
                log.exception("reminder %s: direct message to %s failed", item.reminder.id,
                              member.external_id)


def _deadline(item: DueReminder) -> datetime:
    """The latest a reminder may still go out (a link is useless long after the start)."""
    if item.reminder.kind is ReminderKind.BEFORE:
        return item.meeting.starts_at + GRACE[ReminderKind.BEFORE]
    return item.reminder.fire_at + GRACE[ReminderKind.AFTER]
