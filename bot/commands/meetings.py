"""Meeting commands: schedule, now, log, list, show, update, cancel, join, leave, invite."""

from __future__ import annotations

import enum
import re
from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from itertools import takewhile
from zoneinfo import ZoneInfo

from bot.commands import registry
from bot.commands.common import PageNumber, add_pager, page_window, refuse_past_the_end
from bot.context import Context
from bot.core import Attachment, Button, Field, Reply, Role, UserError
from bot.i18n import N_, NP_, Translator
from bot.meetings.invite import INVITE_MIME, Invitee, ics_invite, invite_filename
from bot.meetings.jitsi import room_name
from bot.meetings.links import (
    OPENS_BEFORE,
    STILL_AHEAD,
    meeting_end,
    personal_link,
    public_link,
    workspace_jitsi,
)
from bot.meetings.when import (
    EMAIL,
    parse_meeting,
    parse_shift,
    time_of_day,
    with_time_if_only_a_day,
)
from bot.registry import Hours, MeetingRef, ProjectRef
from bot.transcripts.summarize import fold
from storage.models import (
    Meeting,
    MeetingStatus,
    Participant,
    ParticipantRole,
    Project,
    ProjectStatus,
    ReminderKind,
    Rsvp,
)

DEFAULT_MINUTES = 30
REMINDER_MINUTES = 10  # before the start, unless the workspace sets `reminder`
FOLLOWUP_MINUTES = 5  # after the end, unless the workspace sets `followup`
STATUS_LABELS = {MeetingStatus.SCHEDULED: N_("scheduled"), MeetingStatus.LIVE: N_("live"),
                 MeetingStatus.ENDED: N_("ended"),
                 MeetingStatus.CANCELLED: NP_("meeting", "cancelled")}


RSVP_LABELS = {Rsvp.PENDING: N_("invited"), Rsvp.YES: N_("coming"), Rsvp.NO: N_("not coming"),
               Rsvp.MAYBE: N_("maybe")}


class Period(enum.StrEnum):
    UPCOMING = "upcoming"
    TODAY = "today"
    TOMORROW = "tomorrow"
    WEEK = "week"
    NEXT_WEEK = "next_week"
    YESTERDAY = "yesterday"
    LAST_WEEK = "last_week"
    PAST = "past"
    ALL = "all"


PERIOD_LABELS = {Period.UPCOMING: N_("upcoming"), Period.TODAY: N_("today"),
                 Period.TOMORROW: N_("tomorrow"), Period.WEEK: N_("this week"),
                 Period.NEXT_WEEK: N_("next week"), Period.YESTERDAY: N_("yesterday"),
                 Period.LAST_WEEK: N_("last week"), Period.PAST: N_("past"),
                 Period.ALL: N_("all")}


_PERIOD_WORDS = {
    "today": Period.TODAY, "hoy": Period.TODAY, "tomorrow": Period.TOMORROW,
    "manana": Period.TOMORROW, "this week": Period.WEEK, "week": Period.WEEK,
    "esta semana": Period.WEEK, "next week": Period.NEXT_WEEK,
    "la semana que viene": Period.NEXT_WEEK, "la proxima semana": Period.NEXT_WEEK,
    "yesterday": Period.YESTERDAY, "ayer": Period.YESTERDAY, "last week": Period.LAST_WEEK,
    "la semana pasada": Period.LAST_WEEK, "past": Period.PAST, "pasadas": Period.PAST}


@registry.command("meeting schedule", role=Role.MEMBER)
async def meeting_schedule(ctx: Context, project: ProjectRef, when: str, *,
                           duration: Hours | None = None, title: str | None = None,
                           participants: str | None = None) -> Reply:
    """Schedule a meeting with a secure Jitsi link, an invite and reminders.

    Args:
        project: Project name or #id (quote names with spaces).
        when: When, then optionally "for" a duration, "with" people and a title.
        duration: How long, e.g. 45m or 1h30 (default 30 minutes).
        title: The meeting's title (default: the project's name).
        participants: More people to invite: mentions, names or outside guests' emails,
            separated by spaces or commas.

    Examples:
        /meeting schedule website tomorrow 3pm for 45m with @ana Design review
        /meeting schedule "Mobile app" mañana a las 10:00 por 1h con @luis
        /meeting schedule website in 2 minutes for 5m
        /meeting schedule website friday 10am with marta@umbrella.es Kickoff
    """
    meeting, row = await _create_from_text(ctx, project, when, duration, title, participants,
                                           MeetingStatus.SCHEDULED)
    return await _announce(ctx, meeting, row, ctx._("Meeting scheduled: {title}",
                                                    title=meeting.title))


@registry.command("meeting now", role=Role.MEMBER)
async def meeting_now(ctx: Context, project: ProjectRef | None = None, *,
                      title: str | None = None, duration: Hours | None = None) -> Reply:
    """Start a meeting right now and get its link.

    Args:
        project: Project name or #id; defaults to the channel's project.
        title: The meeting's title (default: the project's name).
        duration: How long it will likely last (default 30 minutes).
    """
    row = await ctx.project(project)
    meeting = await _create(ctx, row, title, ctx.services.clock(),
                            _minutes(ctx, duration) or DEFAULT_MINUTES, MeetingStatus.LIVE, [])
    return await _announce(ctx, meeting, row, ctx._("Meeting started: {title}",
                                                    title=meeting.title))


@registry.command("meeting log", role=Role.MEMBER)
async def meeting_log(ctx: Context, project: ProjectRef, when: str, *,
                      duration: Hours | None = None, title: str | None = None,
                      participants: str | None = None) -> Reply:
    """Add a meeting that already took place, to attach its recording or transcript.

    Args:
        project: Project name or #id (quote names with spaces).
        when: When it started, then optionally "for" a duration, "with" people and a title.
        duration: How long it lasted, e.g. 45m or 1h30 (default 30 minutes).
        title: The meeting's title (default: the project's name).
        participants: Who else was there: mentions or names, separated by spaces or commas.

    Examples:
        /meeting log website yesterday 3pm for 45m Launch review
        /meeting log "Mobile app" el lunes a las 10:00 por 1h con @luis
    """
    meeting, row = await _create_from_text(ctx, project, when, duration, title, participants,
                                           MeetingStatus.ENDED)
    return Reply(
        title=ctx._("Meeting added: {title}", title=meeting.title),
        text=ctx._("Attach its recording or transcript with `/transcript add #{id}`.",
                   id=meeting.id),
        fields=_fields(ctx, meeting, row),
        items=[_participant_line(ctx, p) for p in await ctx.db.participants(meeting.id)])


@registry.command("meeting list", role=Role.MEMBER, aliases=("meetings",))
async def meeting_list(ctx: Context, project: ProjectRef | None = None, *,
                       period: Period = Period.UPCOMING, every: bool = False,
                       mine: bool = False, page: PageNumber = 1) -> Reply:
    """List meetings, upcoming by default.

    Args:
        project: Only this project's meetings; defaults to the channel's project, else
            every project's.
        period: upcoming, today, tomorrow, week (the rest of this one), next_week,
            yesterday, last_week, past or all.
        every: Every project's, even in a channel bound to one.
        mine: Only the meetings you are in.
        page: Which page of results.

    Examples:
        /meeting list website period:past
        /meeting list --every --mine
    """
    _ = ctx._
    # "meetings tomorrow", "meetings next week": a period where a project would be.
    if project is not None and period is Period.UPCOMING and (
            said := _PERIOD_WORDS.get(fold(project).casefold().strip())) \
            and await ctx.db.project_by_name(project) is None:
        project, period = None, said
    if every and project is not None:
        raise UserError(_("Name a project or give `--every`, not both."))
    channel = ctx.request.channel_id
    row = (await ctx.project(project) if project else None if every or not channel
           else await ctx.db.bound_project(channel))
    now = ctx.services.clock()
    offset, limit = page_window(page)
    after, before = _window(ctx, period, now)
    # Ahead, a cancelled meeting is no longer on the agenda; `meeting show` still has it.
    found = await ctx.db.meetings(project_id=row.id if row else None, offset=offset,
                                  limit=limit, after=after, before=before,
                                  cancelled=period in {Period.PAST, Period.ALL},
                                  # one everyone has left is over, whatever its end said
                                  ended=period is not Period.UPCOMING,
                                  member_id=ctx.member_id if mine else None)
    refuse_past_the_end(ctx, page, found)
    if not found.rows and _days(period, ctx.today()):
        label = _(PERIOD_LABELS[period])
        return Reply(text=_("There were no meetings {period}.", period=label)
                     if period in {Period.YESTERDAY, Period.LAST_WEEK}  # "no hubo", said after
                     else _("No meetings {period}.", period=label), status="info")
    if not found.rows and period is Period.UPCOMING and row and not project:
        return Reply(text=_("No upcoming meetings in {project}; every project's: `/meeting list "
                            "--every`; past ones: `/meeting list period:past`.",
                            project=row.name), status="info")
    if not found.rows and period is Period.UPCOMING:
        return Reply(text=_("No upcoming meetings. Schedule one with `{example}`; past ones: "
                            "`/meeting list period:past`.",
                            example=ctx.schedule_example(row.name if row else None)),
                     status="info")
    if not found.rows:
        return Reply(text=_("No meetings to show. Schedule one with `{example}`.",
                            example=ctx.schedule_example(row.name if row else None)),
                     status="info")
    # Across projects, each meeting names its own.
    names = {} if row else {n: p.name for n in {m.project_id for m in found.rows}
                            if (p := await ctx.db.project(n))}
    items = [f"#{m.id} *{m.title}*{f' · {names[m.project_id]}' if m.project_id in names else ''}"
             f" · {_.datetime(m.starts_at, ctx.timezone)} · "
             f"{_.pgettext('meeting', STATUS_LABELS[_status(m, now)])}" for m in found.rows]
    reply = Reply(title=_("{project} meetings ({period})", project=row.name,
                          period=_(PERIOD_LABELS[period])) if row else
                  _("Meetings ({period})", period=_(PERIOD_LABELS[period])), items=items)
    scope = f' "{row.name}"' if row else ""
    add_pager(ctx, reply, page=page, total=found.total,
              command=f"meeting list{scope} period:{period.value}{' --mine' if mine else ''}")
    return reply


@registry.command("meeting show", role=Role.MEMBER)
async def meeting_show(ctx: Context, meeting: MeetingRef) -> Reply:
    """Show a meeting: time, link, status and who is in it.

    Args:
        meeting: The meeting: #id, title or words ("tomorrow's standup").
    """
    _ = ctx._
    row = await ctx.meeting(meeting)
    project = await ctx.db.project(row.project_id)
    assert project is not None  # projects cascade to their meetings
    people = await ctx.db.participants(row.id)
    config = workspace_jitsi((await ctx.db.workspace()).settings, ctx.services.jitsi)
    over = _status(row, ctx.services.clock()) in {MeetingStatus.ENDED, MeetingStatus.CANCELLED}
    return Reply(title=f"#{row.id} {row.title}", fields=[
        *_fields(ctx, row, project),
        # Nobody joins a meeting that is over: its room is not handed out again.
        *([] if over else [Field(_("Link"), public_link(config, row), inline=False)]),
    ], items=[_participant_line(ctx, p) for p in people])


@registry.command("meeting update", role=Role.MEMBER,
                   aliases=("meeting reschedule", "meeting move", "meeting edit"))
async def meeting_update(ctx: Context, meeting: MeetingRef, when: str | None = None, *,
                         duration: Hours | None = None, title: str | None = None) -> Reply:
    """Move, lengthen or rename a meeting (its host, or managers and up); reminders follow.

    Args:
        meeting: The meeting: #id, title or words ("tomorrow's standup").
        when: The new time, e.g. "tomorrow 4pm".
        duration: The new length, e.g. 1h.
        title: The new title.

    Examples:
        /meeting update #12 friday 10:00 duration:45m
        /meeting reschedule #12 tomorrow 4pm
    """
    _ = ctx._
    row = await ctx.meeting(meeting)
    await _require_host(ctx, row, _("change this meeting"))
    # A meeting that took place keeps its time, but its record may be corrected: its title,
    # how long it lasted.
    if row.status is MeetingStatus.CANCELLED or (
            row.status is MeetingStatus.ENDED and when is not None):
        raise UserError(_over(_, row, row.status) + " " + _("Schedule a new one instead."))
    if when is None and duration is None and title is None:
        raise UserError(_("Say what to change, for example `when:\"tomorrow 4pm\"`."))
    if when is not None and (shift := parse_shift(when)) is not None:
        # "+30m": later (or earlier) by that much, from where it is; "+1d", "+1 week": the
        # same clock time that many days on, whatever summer time does in between.
        moved = (row.starts_at.astimezone(ZoneInfo(ctx.timezone)) + shift.span).astimezone(
            UTC) if shift.in_days else row.starts_at + shift.span
        if moved <= ctx.services.clock():
            raise UserError(_("{when} has already passed; pick a time in the future.",
                              when=_.datetime(moved, ctx.timezone)))
        row.starts_at = moved
    elif when is not None:
        now = ctx.services.clock()
        # "4pm" moves Friday's meeting to Friday 4pm, not to today's.
        local = row.starts_at.astimezone(ZoneInfo(ctx.timezone))
        day = local.replace(hour=0, minute=0, second=0, microsecond=0)
        # "Monday" moves it to Monday at its hour; "1am" to its own day at 1, which may
        # have passed (said so, not moved to the next day).
        if (at := time_of_day(when)) is not None:
            when = f"{day.date().isoformat()} {at:%H:%M}"
        when = with_time_if_only_a_day(when, local.time())
        spec = parse_meeting(when, _=_, timezone=ctx.timezone, now=now)
        row.starts_at = spec.start
        if spec.duration and duration is None:
            row.duration_minutes = int(spec.duration.total_seconds() // 60)
    if duration is not None:
        row.duration_minutes = _minutes(ctx, duration) or row.duration_minutes
    if title is not None:
        row.title = " ".join(title.split()) or row.title
    row.sequence += 1
    if row.status is not MeetingStatus.ENDED:  # no reminder for what took place
        await _schedule_reminders(ctx, row)
    project = await ctx.db.project(row.project_id)
    assert project is not None
    return await _announce(ctx, row, project, _("Meeting updated: {title}", title=row.title))


@registry.command("meeting cancel", role=Role.MEMBER, aliases=("meeting delete",))
async def meeting_cancel(ctx: Context, meeting: MeetingRef) -> Reply:
    """Cancel a meeting (its host, or managers and up); its reminders are withdrawn.

    Args:
        meeting: The meeting: #id, title or words ("tomorrow's standup").
    """
    _ = ctx._
    row = await ctx.meeting(meeting)
    await _require_host(ctx, row, _("cancel this meeting"))
    if row.status is MeetingStatus.CANCELLED:
        raise UserError(_("Meeting #{id} is already cancelled.", id=row.id))
    if _status(row, ctx.services.clock()) is MeetingStatus.ENDED:
        raise UserError(_over(_, row, MeetingStatus.ENDED) + " " + _(
            "A meeting that took place stays on the record, with its transcript."))
    row.status = MeetingStatus.CANCELLED
    row.sequence += 1
    await ctx.db.cancel_reminders(row)
    ctx.after_commit.append(ctx.services.reminders_changed)
    return Reply(text=_("Meeting #{id} ({title}) is cancelled.", id=row.id, title=row.title),
                 attachments=[await _invite(ctx, row, cancelled=True)])


@registry.command("meeting join", role=Role.GUEST)
async def meeting_join(ctx: Context, meeting: MeetingRef) -> Reply:
    """Join a meeting: get your personal link, and show up as present once it is near.

    Args:
        meeting: The meeting: #id, title or words ("tomorrow's standup").
    """
    _ = ctx._
    row = await ctx.meeting(meeting)
    now = ctx.services.clock()
    if (status := _status(row, now)) in {MeetingStatus.ENDED, MeetingStatus.CANCELLED}:
        raise UserError(_over(_, row, status))
    participant = await _participant(ctx, row)
    participant.rsvp = Rsvp.YES
    # The link is wanted days ahead too; only near its start does joining mean being there.
    if now >= row.starts_at - OPENS_BEFORE:
        participant.joined_at, participant.left_at = now, None
        if row.status is MeetingStatus.SCHEDULED:
            row.status = MeetingStatus.LIVE
    member = await ctx.db.member(ctx.member_id)
    assert member is not None
    config = workspace_jitsi((await ctx.db.workspace()).settings, ctx.services.jitsi)
    link = personal_link(config, row, user_id=member.external_id, name=member.name,
                         host=participant.role is ParticipantRole.HOST)
    return Reply(text=_("Your link for {title}: {link}", title=row.title, link=link),
                 ephemeral=True)


@registry.command("meeting leave", role=Role.GUEST)
async def meeting_leave(ctx: Context, meeting: MeetingRef) -> Reply:
    """Leave a meeting (or say you will not come); it ends when everyone has left.

    Args:
        meeting: The meeting: #id, title or words ("tomorrow's standup").
    """
    _ = ctx._
    row = await ctx.meeting(meeting)
    now = ctx.services.clock()
    if (status := _status(row, now)) in {MeetingStatus.ENDED, MeetingStatus.CANCELLED}:
        raise UserError(_over(_, row, status))
    participant = await _participant(ctx, row)
    if participant.joined_at is None:
        participant.rsvp = Rsvp.NO
        return Reply(text=_("Noted: you will not attend {title}.", title=row.title))
    participant.left_at = now
    people = await ctx.db.participants(row.id)
    if row.status is MeetingStatus.LIVE and not any(
            p.joined_at and p.left_at is None for p in people):
        if now < row.starts_at:  # in early and out again before it began: still to come
            row.status = MeetingStatus.SCHEDULED
        else:
            row.status = MeetingStatus.ENDED
            if now < meeting_end(row):  # over early: the follow-up comes after this end
                await _schedule_reminders(ctx, row, ended_at=now)
    return Reply(text=_("You left {title}.", title=row.title))


@registry.command("meeting invite", role=Role.MEMBER)
async def meeting_invite(ctx: Context, meeting: MeetingRef, people: str | None = None, *,
                         email: str | None = None, name: str | None = None) -> Reply:
    """Get the meeting's calendar invite (.ics), optionally inviting more people.

    Args:
        meeting: The meeting: #id, title or words ("tomorrow's standup").
        people: People to invite: @mentions, names or emails.
        email: An outside guest's email, added to the invite.
        name: The outside guest's name.

    Examples:
        /meeting invite #12 @luis @bea
        /meeting invite #12 email:ana@acme.com name:"Ana Ruiz"
    """
    _ = ctx._
    row, people = await _meeting_then_people(ctx, meeting, people)
    if name is not None and email is None and people and len(
            emails := [ref for ref in _people(people) if EMAIL.fullmatch(ref)]) == 1:
        # "pat@acme.com name:'Pat Smith'": the one email given is whose name it is.
        email, people = emails[0], " ".join(ref for ref in _people(people)
                                            if ref != emails[0]) or None
    if name is not None and email is None:
        raise UserError(_("`name:` is an outside guest's; give their `email:` too."))
    over = _status(row, ctx.services.clock())
    if over is MeetingStatus.CANCELLED and not people and email is None:
        # Its invite is the cancellation: a "confirmed" one would put it back in calendars.
        return Reply(text=_over(_, row, over), attachments=[await _invite(ctx, row,
                                                                          cancelled=True)])
    if over in {MeetingStatus.ENDED, MeetingStatus.CANCELLED} and (people or email):
        raise UserError(_over(_, row, over) + " " + _("Schedule a new one instead."))
    invited: list[str] = []
    if email is not None:
        if not EMAIL.fullmatch(email.strip()):
            raise UserError(_("`{value}` is not an email address; write one like "
                              "ana@acme.com.", value=email))
        if await _add_outside_guest(ctx, row, email.strip(), name, took_place=False):
            invited.append(email.strip())
    invited += await _invite_people(ctx, row, people) if people else []
    if invited:
        row.sequence += 1  # the invite changed: calendars replace the old one
    said = (_("Invited {people} to {title}.", people=_.join(invited), title=row.title)
            if invited else _("Calendar invite for {title}.", title=row.title))
    return Reply(text="\n".join([said, *await _clashes(ctx, row, only=invited)]),
                 attachments=[await _invite(ctx, row)])


@registry.command("meeting uninvite", role=Role.MEMBER)
async def meeting_uninvite(ctx: Context, meeting: MeetingRef, people: str) -> Reply:
    """Take people off a meeting (its host, or managers and up); the invite is updated.

    Args:
        meeting: The meeting: #id, title or words ("tomorrow's standup").
        people: Who to take off: @mentions, names or outside guests' emails.

    Examples:
        /meeting uninvite #12 @luis
        /meeting uninvite design review marta@acme.com
    """
    _ = ctx._
    row, named = await _meeting_then_people(ctx, meeting, people)
    await _require_host(ctx, row, _("change who is invited"))
    if (over := _status(row, ctx.services.clock())) is MeetingStatus.CANCELLED:
        raise UserError(_over(_, row, over))
    if over is MeetingStatus.ENDED:  # its time has passed, whoever joined
        raise UserError(_over(_, row, over) + " " + _(
            "Who took part in a meeting stays on its record."))
    present = await ctx.db.participants(row.id)
    removed: list[Participant] = []
    said = (named or people).strip().strip("\"'“”")
    # An outside guest by the name the meeting shows ("Marta Gómez"), else each of the people;
    # a member invited under that name is the one meant ("marta", not marta@umbrella.es).
    def called(p: Participant) -> bool:
        return said.casefold() in {p.name.casefold(), p.name.split()[0].casefold()}
    guests = [p for p in present if p.member_id is None and called(p)]
    if any(p.member_id is not None and called(p) for p in present):
        guests = []
    for ref in [] if guests else _people(named or people):
        if EMAIL.fullmatch(ref):
            found = next((p for p in present if (p.email or "").casefold() == ref.casefold()),
                         None)
        else:
            member_id = (await ctx.person(ref)).id
            found = next((p for p in present if p.member_id == member_id), None)
        if found is None:
            raise UserError(_("{who} is not invited to {title}.", who=ref, title=row.title))
        if found.role is ParticipantRole.HOST:
            raise UserError(_("{who} hosts {title}; cancel the meeting instead.",
                              who=found.name, title=row.title))
        if found not in removed:
            removed.append(found)
    removed += guests
    for participant in removed:
        await ctx.db.remove_participant(row, participant)
    row.sequence += 1  # the invite changed: calendars replace the old one
    return Reply(text=_("Took {people} off {title}.", title=row.title,
                        people=_.join([_shown_name(p) for p in removed])),
                 attachments=[await _invite(ctx, row)])


# -- helpers ------------------------------------------------------------------------------


def _people(text: str) -> list[str]:
    """The people in "@luis, bea and ana@acme.com", "a bea y a luis"."""
    # Split at spaces and commas only: "and" may be part of an email (sales@black-and-white).
    return [ref for ref in re.split(r"[\s,]+", text.strip())
            if ref and ref.casefold() not in _LINKING_WORDS]


_LINKING_WORDS = frozenset({"and", "y", "&", "a"})  # Spanish puts "a" before each person


_WITH_NAMES = re.compile(r"^(?:with|con)\s+(?P<names>.+)$", re.IGNORECASE)
_JOINING_WORDS = frozenset({"and", "y", "&"})


async def _members_after_with(ctx: Context, title: str | None) -> tuple[list[str], str | None]:
    """Members named without @ after "with" at the start of a title ("with ana, luis and
    Design call"), and what is left of the title; "with the team" names nobody."""
    if not title or not (said := _WITH_NAMES.match(title)):
        return [], title
    names = {fold(name).casefold(): name for member in await ctx.db.members()
             for name in (member.name, *member.name.split()[:1]) if name}
    words, found = said["names"].split(), []
    taken = 0
    for word in words:
        bare = fold(word.rstrip(",;")).casefold()  # "Lucía" for the member "lucia"
        if bare in names:
            found.append(names[bare])
        elif bare not in _JOINING_WORDS:
            break
        taken += 1
    if not found:
        return [], title
    rest = words[taken:]
    if len(rest) == 1 and rest[0].islower() and taken and \
            fold(words[taken - 1]).casefold() in _JOINING_WORDS:
        await ctx.person(rest[0])  # "with ana and pedro": a person, who is no member
    # "with ana called Kickoff": "called" only introduces the title.
    return found, re.sub(r"^(?:called|named|titled|llamad[ao]|titulad[ao])\s+", "",
                         " ".join(rest), flags=re.IGNORECASE) or None


async def _meeting_then_people(ctx: Context, meeting: str,
                               people: str | None) -> tuple[Meeting, str | None]:
    """The meeting and the people after it, where an unquoted title ran into the people
    ("design review marta@acme.com"): the most leading words that still name a meeting."""
    words = (people or "").split()
    # "#8 bea": a number is the whole meeting.
    leading = 0 if re.fullmatch(r"#\d+", meeting.strip()) else len(
        list(takewhile(lambda word: "@" not in word, words)))
    for size in range(leading, 0, -1):
        try:
            found = await ctx.meeting(" ".join([meeting, *words[:size]]))
        except UserError:
            continue
        if size == len(words) and await _names_it(ctx, meeting, found):
            return found, people  # "onboarding bea" of "Bea onboarding": bea is invited
        return found, " ".join(words[size:]) or None
    return await ctx.meeting(meeting), people


async def _names_it(ctx: Context, words: str, meeting: Meeting) -> bool:
    """Whether ``words`` alone name ``meeting``."""
    try:
        return (await ctx.meeting(words)).id == meeting.id
    except UserError:
        return False



def _window(ctx: Context, period: Period, now: datetime) -> tuple[datetime | None,
                                                                   datetime | None]:
    """The start times ``period`` lists, from and until; days are the sender's."""
    today = ctx.today()
    if days := _days(period, today):
        first, last = (ctx.midnight(today + timedelta(days=n)) for n in days)
        return first, last
    if period is Period.UPCOMING:
        return now - STILL_AHEAD, None
    return None, now if period is Period.PAST else None


def _days(period: Period, today: date) -> tuple[int, int] | None:
    """The days a period of whole days spans, from and until (exclusive), counted from
    ``today``; None for the others (upcoming, past, all)."""
    monday = -today.weekday()
    return {Period.TODAY: (0, 1), Period.TOMORROW: (1, 2), Period.YESTERDAY: (-1, 0),
            Period.WEEK: (0, monday + 7), Period.NEXT_WEEK: (monday + 7, monday + 14),
            Period.LAST_WEEK: (monday - 7, monday)}.get(period)


def _minutes(ctx: Context, duration: Hours | None) -> int | None:
    if duration is None:
        return None
    minutes = round(duration * 60)  # 20m is 0.33 h: 19.8 minutes is 20
    if not 5 <= minutes <= 12 * 60:
        raise UserError(ctx._("A meeting lasts between 5 minutes and 12 hours, like 30m or "
                              "1h30."))
    return minutes


def _status(meeting: Meeting, now: datetime) -> MeetingStatus:
    """The stored status, except that a meeting past its end is shown as ended."""
    if meeting.status in {MeetingStatus.SCHEDULED, MeetingStatus.LIVE} \
            and now > meeting_end(meeting):
        return MeetingStatus.ENDED
    return meeting.status


_NAME_WORDS = 3  # words of a project's name taken from the time, when it is unquoted


async def _create_from_text(ctx: Context, project: ProjectRef, when: str,
                            duration: Hours | None, title: str | None,
                            participants: str | None,
                            status: MeetingStatus) -> tuple[Meeting, Project]:
    """A meeting from ``schedule``'s or ``log``'s arguments (an ended one took place)."""
    # "landing page tomorrow 3pm", unquoted: the project's name may run into the time.
    words = when.split()
    for size in range(min(_NAME_WORDS, len(words) - 1), 0, -1):
        if named := await ctx.db.project_by_name(f"{project} {' '.join(words[:size])}"):
            row, when = named, " ".join(words[size:])
            break
    else:
        row = await ctx.project(project)
    spec = parse_meeting(when, _=ctx._, timezone=ctx.timezone, now=ctx.services.clock(),
                         past=status is MeetingStatus.ENDED)
    minutes = _minutes(ctx, duration) or (int(spec.duration.total_seconds() // 60)
                                          if spec.duration else DEFAULT_MINUTES)
    named, said_title = await _members_after_with(ctx, spec.title)
    if title and said_title:
        raise UserError(ctx._("`{words}` is left over: give the title once, after the time or "
                              "as `title:`; invite people with @mentions or emails.",
                              words=said_title))
    people = [*spec.mentions, *named, *(_people(participants) if participants else [])]
    meeting = await _create(ctx, row, title or said_title, spec.start, minutes, status, people)
    return meeting, row


async def _create(ctx: Context, project: Project, title: str | None, start: datetime,
                  minutes: int, status: MeetingStatus, people: list[str]) -> Meeting:
    if project.status is ProjectStatus.CANCELLED and status is not MeetingStatus.ENDED:
        raise UserError(ctx._("{name} is cancelled; reopen it with `/project update #{id} "
                              "status:active` to meet about it.", name=project.name,
                              id=project.id))
    meeting = await ctx.db.add(Meeting(
        project_id=project.id, title=" ".join((title or project.name).split()),
        starts_at=start, duration_minutes=minutes, status=status,
        room_name=room_name(project.name), created_by=ctx.member_id,
        channel_id=ctx.request.channel_id, sequence=0))
    took_place = status is MeetingStatus.ENDED
    # Everyone named in a meeting that already took place was in it, from start to end.
    presence = {"joined_at": start, "left_at": meeting_end(meeting)} if took_place else {}
    host = await ctx.db.member(ctx.member_id)
    assert host is not None
    # Who starts a meeting now is in it from its start.
    hosting = {"joined_at": start} if status is MeetingStatus.LIVE else presence
    await ctx.db.add_participant(meeting, member_id=host.id, name=host.name,
                                 role=ParticipantRole.HOST, rsvp=Rsvp.YES, **hosting)
    invited = {host.id}
    for ref in people:
        if EMAIL.fullmatch(ref):  # an outside guest: the .ics invite carries the link
            await _add_outside_guest(ctx, meeting, ref, None, took_place=took_place,
                                     **presence)
            continue
        member = await ctx.person(ref)
        if member.id not in invited:
            invited.add(member.id)
            await ctx.db.add_participant(meeting, member_id=member.id, name=member.name,
                                         role=ParticipantRole.GUEST,
                                         rsvp=Rsvp.YES if took_place else Rsvp.PENDING,
                                         **presence)
    if not took_place:  # nothing to remind anyone of
        await _schedule_reminders(ctx, meeting)
    return meeting


def _over(_: Translator, meeting: Meeting, status: MeetingStatus) -> str:
    """Why a meeting can no longer be joined or changed, as a sentence."""
    return (_("Meeting #{id} was cancelled.", id=meeting.id)
            if status is MeetingStatus.CANCELLED else _("Meeting #{id} has ended.", id=meeting.id))


async def _invite_people(ctx: Context, meeting: Meeting, people: str) -> list[str]:
    """Add members (by mention or name) and outside guests (by email) as guests; the names
    of those who were not in it yet."""
    present = {p.member_id for p in await ctx.db.participants(meeting.id)}
    added: list[str] = []
    for ref in _people(people):
        if EMAIL.fullmatch(ref):
            if await _add_outside_guest(ctx, meeting, ref, None, took_place=False):
                added.append(ref)
        elif (member := await ctx.person(ref)).id not in present:
            await ctx.db.add_participant(meeting, member_id=member.id, name=member.name,
                                         role=ParticipantRole.GUEST, rsvp=Rsvp.PENDING)
            present.add(member.id)
            added.append(member.name)
    return added


async def _add_outside_guest(ctx: Context, meeting: Meeting, email: str, name: str | None, *,
                             took_place: bool, **presence: datetime) -> bool:
    """Someone outside the workspace, by email (once, whatever its case); whether they
    were new to it."""
    people = await ctx.db.participants(meeting.id)
    if any((p.email or "").casefold() == email.casefold() for p in people):
        return False
    await ctx.db.add_participant(meeting, name=name or email.split("@")[0], email=email,
                                 role=ParticipantRole.GUEST,
                                 rsvp=Rsvp.YES if took_place else Rsvp.PENDING, **presence)
    return True


async def _schedule_reminders(ctx: Context, meeting: Meeting, *,
                             ended_at: datetime | None = None) -> None:
    """The link before the start and the follow-up after the end (the planned one, or
    ``ended_at`` for a meeting everyone left early), as the workspace says."""
    settings = (await ctx.db.workspace()).settings
    now = ctx.services.clock()
    times = {ReminderKind.AFTER: (ended_at or meeting_end(meeting)) + timedelta(
        minutes=int(settings.get("followup_minutes", FOLLOWUP_MINUTES)))}
    if meeting.starts_at > now:
        lead = timedelta(minutes=int(settings.get("reminder_minutes", REMINDER_MINUTES)))
        times[ReminderKind.BEFORE] = max(meeting.starts_at - lead, now)
    await ctx.db.set_reminders(meeting, times)
    ctx.after_commit.append(ctx.services.reminders_changed)


async def _announce(ctx: Context, meeting: Meeting, project: Project, title: str) -> Reply:
    _ = ctx._
    config = workspace_jitsi((await ctx.db.workspace()).settings, ctx.services.jitsi)
    people = await ctx.db.participants(meeting.id)
    return Reply(
        title=title, text="\n".join([_("Join: {link}", link=public_link(config, meeting)),
                                     *await _clashes(ctx, meeting)]),
        fields=_fields(ctx, meeting, project),
        items=[_participant_line(ctx, p) for p in people],
        buttons=[Button(_("Join"), "meeting.join", f"meeting join #{meeting.id}", "primary"),
                 Button(_("Invite (.ics)"), "meeting.invite", f"meeting invite #{meeting.id}"),
                 # A meeting under way is left, not cancelled.
                 Button(_("Leave"), "meeting.leave", f"meeting leave #{meeting.id}")
                 if meeting.status is MeetingStatus.LIVE else
                 Button(_("Cancel"), "meeting.cancel", f"meeting cancel #{meeting.id}",
                        "danger")],
        attachments=[await _invite(ctx, meeting)])


async def _clashes(ctx: Context, meeting: Meeting, *,
                   only: Collection[str] | None = None) -> list[str]:
    """Who is in another meeting at the same time (of ``only`` those names, when given):
    said now rather than found out then."""
    _ = ctx._
    sender = await ctx.db.member(ctx.member_id)
    lines = []
    for other, everyone in await ctx.db.clashes(meeting):
        names = [name for name in everyone if only is None or name in only]
        if not names:
            continue
        when = _.datetime(other.starts_at, ctx.timezone)
        others = [name for name in names if sender is None or name != sender.name]
        if not others:
            lines.append(_("You are also in *{title}* (#{id}) at that time ({when}).",
                           title=other.title, id=other.id, when=when))
            continue
        people = _.join([*others, _("you")] if len(others) < len(names) else others)
        lines.append(_.ngettext("{people} is also in *{title}* (#{id}) at that time ({when}).",
                                "{people} are also in *{title}* (#{id}) at that time ({when}).",
                                len(names), people=people, title=other.title, id=other.id,
                                when=when))
    return lines


def _fields(ctx: Context, meeting: Meeting, project: Project) -> list[Field]:
    _ = ctx._
    return [Field(_("Project"), project.name),
            Field(_("When"), _.datetime(meeting.starts_at, ctx.timezone)),
            Field(_("Duration"), _.duration(meeting.duration_minutes)),
            Field(_("Status"), _.pgettext("meeting",
                                          STATUS_LABELS[_status(meeting, ctx.services.clock())]))]


def _participant_line(ctx: Context, participant: Participant) -> str:
    _ = ctx._
    role = _("host") if participant.role is ParticipantRole.HOST else _("guest")
    state = (_("left") if participant.left_at else _("in the call")) if participant.joined_at \
        else _(RSVP_LABELS[participant.rsvp])
    return f"{_shown_name(participant)} · {role} · {state}"


def _shown_name(participant: Participant) -> str:
    """An outside guest shows their email: a member may well share their name."""
    who, email = participant.name, participant.email
    if participant.member_id is None and email and email != who:
        who = email if who == email.split("@")[0] else f"{who} ({email})"
    return who


async def _participant(ctx: Context, meeting: Meeting) -> Participant:
    """The sender's place in the meeting, made if they were not invited (a guest must be)."""
    people = await ctx.db.participants(meeting.id)
    mine = next((p for p in people if p.member_id == ctx.member_id), None)
    if mine is None and not ctx.can(Role.MEMBER):
        raise UserError(ctx._("You are not invited to meeting #{id}; ask its host to invite "
                              "you.", id=meeting.id))  # nor told its title
    if mine is None:
        member = await ctx.db.member(ctx.member_id)
        assert member is not None
        mine = await ctx.db.add_participant(meeting, member_id=member.id, name=member.name,
                                            role=ParticipantRole.GUEST, rsvp=Rsvp.PENDING)
    return mine


async def _require_host(ctx: Context, meeting: Meeting, what: str) -> None:
    """Only the meeting's host, or a manager and up, may change or cancel it."""
    if meeting.created_by != ctx.member_id and not ctx.can(Role.MANAGER):
        host = await ctx.db.member(meeting.created_by) if meeting.created_by else None
        raise UserError(ctx._("Only its host ({host}) or a manager can {what}.",
                              host=host.name if host else "—", what=what))


async def _invite(ctx: Context, meeting: Meeting, *, cancelled: bool = False) -> Attachment:
    config = workspace_jitsi((await ctx.db.workspace()).settings, ctx.services.jitsi)
    people = await ctx.db.participants(meeting.id)
    host = next((p for p in people if p.role is ParticipantRole.HOST), None)
    link = public_link(config, meeting)
    content = ics_invite(
        uid=meeting.room_name, title=meeting.title, start=meeting.starts_at,
        end=meeting_end(meeting), link=link,
        organizer=Invitee(host.name, host.email) if host else None,
        attendees=[Invitee(p.name, p.email) for p in people if p.role is ParticipantRole.GUEST],
        sequence=meeting.sequence, cancelled=cancelled, now=ctx.services.clock(),
        join=ctx._("Join: {link}", link=link))
    return Attachment(invite_filename(meeting.title), content, INVITE_MIME)
