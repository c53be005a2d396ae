"""Repositories: every query the core needs, and nothing that reaches across workspaces.

:class:`Store` is one transaction. ``store.workspaces`` finds and creates tenants and
their members; ``store.scoped(workspace_id)`` returns a :class:`WorkspaceStore` whose
every query is filtered by that workspace, so handlers cannot read another tenant's rows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    Select,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from storage.models import (
    ChannelBinding,
    Client,
    ConversationTurn,
    ItemKind,
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
    SummaryItem,
    TimeEntry,
    Transcript,
    TranscriptSegment,
    TranscriptStatus,
    Workspace,
)
from storage.types import utcnow

# A meeting's people: the host first, then the guests as they were invited.
_HOST_FIRST = (case((Participant.role == ParticipantRole.HOST, 0), else_=1), Participant.id)

# The statements of the hottest path (every command, every `project log`) are built once:
# building a statement costs SQLAlchemy more than running it.
_IDENTITY = (
    select(Member.workspace_id, Member.id, Member.role, Member.locale, Member.timezone,
           Workspace.locale, Workspace.timezone)
    .join(Workspace, Workspace.id == Member.workspace_id)
    .where(Member.id == bindparam("member_id")))
_PROJECT_BY_NAME = select(Project).where(Project.workspace_id == bindparam("workspace_id"),
                                         Project.name_key == bindparam("name_key"))
_LOG_TIME = insert(TimeEntry.__table__).returning(TimeEntry.__table__.c.id)


def name_key(name: str) -> str:
    """The case-, accent- and space-insensitive form names are unique by: "Café Ñandú" and
    "cafe nandu" are one name, as people type it either way."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)
                            and unicodedata.category(c) != "Cf").split())


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Identity:
    """Who is asking, as a plain row (reading two ORM entities per command costs more)."""

    workspace_id: int
    member_id: int
    role: MemberRole
    member_locale: str | None
    member_timezone: str | None
    workspace_locale: str
    workspace_timezone: str


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    rows: list[T]
    total: int


class Store:
    """The repositories of one transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.workspaces = WorkspaceDirectory(session)
        self.reminders = ReminderQueue(session)
        self.transcripts = TranscriptQueue(session)

    def scoped(self, workspace_id: int) -> WorkspaceStore:
        return WorkspaceStore(self.session, workspace_id)


class WorkspaceDirectory:
    """Tenants and the people in them, found by their platform ids."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def identity(self, member_id: int) -> Identity | None:
        """A member's role, language and time zone with their workspace's, read fresh."""
        row = (await self.session.execute(_IDENTITY, {"member_id": member_id})).first()
        return Identity(*row) if row else None

    async def find_identity(
        self, platform: str, team_id: str, user_id: str
    ) -> tuple[Workspace | None, Member | None]:
        row = (await self.session.execute(
            select(Workspace, Member)
            .outerjoin(Member, (Member.workspace_id == Workspace.id)
                       & (Member.external_id == user_id))
            .where(Workspace.platform == platform, Workspace.external_id == team_id)
        )).first()
        return (row[0], row[1]) if row else (None, None)

    async def has_projects(self, platform: str, team_id: str) -> bool:
        return await self.session.scalar(
            select(Project.id).join(Workspace, Workspace.id == Project.workspace_id)
            .where(Workspace.platform == platform, Workspace.external_id == team_id).limit(1)
        ) is not None

    async def add_workspace(self, **values: Any) -> Workspace:
        workspace = Workspace(**values)
        self.session.add(workspace)
        await self.session.flush()
        return workspace

    async def add_member(self, workspace: Workspace, external_id: str, name: str) -> Member:
        """Add a person; the first one in a workspace becomes its owner."""
        has_members = await self.session.scalar(
            select(Member.id).where(Member.workspace_id == workspace.id).limit(1)
        )
        member = Member(workspace_id=workspace.id, external_id=external_id, name=name,
                        role=MemberRole.MEMBER if has_members else MemberRole.OWNER)
        self.session.add(member)
        await self.session.flush()
        return member


class WorkspaceStore:
    """All tenant-owned data of one workspace."""

    def __init__(self, session: AsyncSession, workspace_id: int) -> None:
        self.session = session
        self.workspace_id = workspace_id

    # -- generic helpers ----------------------------------------------------------------

    async def add(self, row: T) -> T:
        row.workspace_id = self.workspace_id  # type: ignore[attr-defined]
        self.session.add(row)
        await self.session.flush()
        return row

    async def delete(self, row: Any) -> None:
        if row.workspace_id != self.workspace_id:
            raise PermissionError("row belongs to another workspace")
        await self.session.delete(row)
        await self.session.flush()

    async def _page_by_name(self, query: Select[tuple[T]], offset: int, limit: int) -> Page[T]:
        """The page of records ordered by name as people count ("Sprint 2" before "Sprint
        10"), which SQL's order does not know; a workspace's names are hundreds."""
        rows = sorted((await self.session.scalars(query)).unique().all(),
                      key=lambda row: _natural(row.name_key))  # type: ignore[attr-defined]
        return Page(rows[offset:offset + limit], len(rows))

    async def _page(self, query: Select[tuple[T]], offset: int, limit: int) -> Page[T]:
        total = await self.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = (await self.session.scalars(query.offset(offset).limit(limit))).unique().all()
        return Page(list(rows), int(total or 0))

    # -- the workspace and its members ----------------------------------------------------

    async def workspace(self) -> Workspace:
        workspace = await self.session.get(Workspace, self.workspace_id)
        assert workspace is not None  # the dispatcher just read its identity in this transaction
        return workspace

    async def member(self, member_id: int) -> Member | None:
        return await self.session.scalar(
            select(Member).where(Member.workspace_id == self.workspace_id, Member.id == member_id)
        )

    async def member_by_external_id(self, external_id: str) -> Member | None:
        return await self.session.scalar(select(Member).where(
            Member.workspace_id == self.workspace_id, Member.external_id == external_id))

    async def members(self) -> list[Member]:
        return list(await self.session.scalars(
            select(Member).where(Member.workspace_id == self.workspace_id).order_by(Member.name)))

    async def count_owners(self) -> int:
        return int(await self.session.scalar(select(func.count()).where(
            Member.workspace_id == self.workspace_id, Member.role == MemberRole.OWNER)) or 0)

    # -- clients ------------------------------------------------------------------------

    async def client(self, client_id: int) -> Client | None:
        client = await self.session.get(Client, client_id)  # no query when already loaded
        return client if client and client.workspace_id == self.workspace_id else None

    async def client_by_name(self, name: str) -> Client | None:
        return await self.session.scalar(select(Client).where(
            Client.workspace_id == self.workspace_id, Client.name_key == name_key(name)))

    async def client_called(self, name: str) -> Client | None:
        """The client called ``name``, else the only one whose company is called so."""
        if client := await self.client_by_name(name):
            return client
        wanted = name_key(name)  # compared here: SQLite lowers ASCII letters only
        by_company = [client for client in await self.session.scalars(select(Client).where(
            Client.workspace_id == self.workspace_id, Client.company.is_not(None)))
            if client.company and name_key(client.company) == wanted]
        return by_company[0] if len(by_company) == 1 else None

    async def client_names(self) -> list[tuple[int, str]]:
        rows = await self.session.execute(
            select(Client.id, Client.name).where(Client.workspace_id == self.workspace_id))
        return [(row[0], row[1]) for row in rows]

    async def clients(self, *, text: str | None = None, segment: str | None = None,
                      archived: bool = False, offset: int = 0, limit: int = 10) -> Page[Client]:
        query = select(Client).where(Client.workspace_id == self.workspace_id,
                                     Client.archived == archived)
        # Matched here, not in SQL, so accents count for nothing ("hosteleria" finds
        # "hostelería") on SQLite and PostgreSQL alike; a workspace has hundreds of clients.
        wanted = name_key(text) if text else None
        found = sorted((client for client in await self.session.scalars(query)
                        if (not segment or name_key(client.segment or "") == name_key(segment))
                        and (wanted is None or any(wanted in name_key(value or "") for value in (
                            client.name, client.company, client.contact_name, client.segment)))),
                       key=lambda client: _natural(client.name_key))
        return Page(found[offset:offset + limit], len(found))

    # -- projects -----------------------------------------------------------------------

    async def project(self, project_id: int) -> Project | None:
        return await self.session.scalar(select(Project).where(
            Project.workspace_id == self.workspace_id, Project.id == project_id))

    async def project_by_name(self, name: str) -> Project | None:
        return await self.session.scalar(
            _PROJECT_BY_NAME, {"workspace_id": self.workspace_id, "name_key": name_key(name)})

    async def project_names(self) -> list[tuple[int, str]]:
        rows = await self.session.execute(
            select(Project.id, Project.name).where(Project.workspace_id == self.workspace_id))
        return [(row[0], row[1]) for row in rows]

    async def projects(self, *, text: str | None = None, status: ProjectStatus | None = None,
                       client_id: int | None = None, offset: int = 0,
                       limit: int = 10) -> Page[Project]:
        query = (select(Project).options(joinedload(Project.client))
                 .where(Project.workspace_id == self.workspace_id))
        if status:
            query = query.where(Project.status == status)
        if client_id:
            query = query.where(Project.client_id == client_id)
        if text:
            # "projects acme": its client's name or company counts too.
            pattern = f"%{_escape_like(text.casefold())}%"
            keyed = f"%{_escape_like(name_key(text))}%"
            owner = (select(Client.id).where(Client.workspace_id == self.workspace_id, or_(
                Client.name_key.like(keyed, escape="\\"),
                func.lower(Client.company).like(pattern, escape="\\"))))
            query = query.where(or_(Project.name_key.like(keyed, escape="\\"),
                                    func.lower(Project.description).like(pattern, escape="\\"),
                                    Project.client_id.in_(owner)))
        return await self._page_by_name(query, offset, limit)

    async def client_projects(self, client_id: int) -> list[Project]:
        return list(await self.session.scalars(select(Project).where(
            Project.workspace_id == self.workspace_id, Project.client_id == client_id,
        ).order_by(Project.created_at.desc())))

    async def current_project(self, client_id: int) -> Project | None:
        """The project a client's name stands for: its only active one, else its only planned
        one, else (none open) its newest; None when several are open at the same stage, as
        the name does not tell which (see :meth:`open_projects`)."""
        projects = await self.client_projects(client_id)
        for status in (ProjectStatus.ACTIVE, ProjectStatus.PLANNING):
            if live := [p for p in projects if p.status is status]:
                return live[0] if len(live) == 1 else None
        return projects[0] if projects else None

    async def open_projects(self, client_id: int) -> list[Project]:
        """A client's active and planned projects, newest first."""
        return [p for p in await self.client_projects(client_id)
                if p.status in {ProjectStatus.ACTIVE, ProjectStatus.PLANNING}]

    # -- channel bindings ---------------------------------------------------------------

    async def bound_project(self, channel_id: str) -> Project | None:
        return await self.session.scalar(
            select(Project).join(ChannelBinding, ChannelBinding.project_id == Project.id)
            .where(ChannelBinding.workspace_id == self.workspace_id,
                   ChannelBinding.channel_id == channel_id))

    async def bind_channel(self, channel_id: str, project: Project) -> None:
        binding = await self.session.scalar(select(ChannelBinding).where(
            ChannelBinding.workspace_id == self.workspace_id,
            ChannelBinding.channel_id == channel_id))
        if binding is None:
            await self.add(ChannelBinding(channel_id=channel_id, project_id=project.id))
        else:
            binding.project_id = project.id

    async def unbind_channel(self, channel_id: str) -> bool:
        result = await self.session.execute(delete(ChannelBinding).where(
            ChannelBinding.workspace_id == self.workspace_id,
            ChannelBinding.channel_id == channel_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    # -- time ---------------------------------------------------------------------------

    async def log_time(self, project: Project, member_id: int, hours: Decimal, work_date: date,
                       note: str | None) -> int:
        """Add a time entry and return its id (a plain INSERT: the hottest write there is)."""
        result = await self.session.execute(_LOG_TIME, {
            "workspace_id": self.workspace_id, "project_id": project.id, "member_id": member_id,
            "hours": hours, "work_date": work_date, "note": note, "created_at": utcnow()})
        return int(result.scalar_one())

    async def hours_on(self, member_id: int, day: date) -> Decimal:
        """The hours a member logged on ``day``, across projects."""
        total = await self.session.scalar(select(func.coalesce(func.sum(TimeEntry.hours), 0))
                                          .where(TimeEntry.workspace_id == self.workspace_id,
                                                 TimeEntry.member_id == member_id,
                                                 TimeEntry.work_date == day))
        return _hundredths(total)

    async def hours_logged(self, project_id: int) -> Decimal:
        total = await self.session.scalar(select(func.coalesce(func.sum(TimeEntry.hours), 0))
                                          .where(TimeEntry.workspace_id == self.workspace_id,
                                                 TimeEntry.project_id == project_id))
        return _hundredths(total)

    async def hours_by_day(self, project_id: int, since: date) -> list[tuple[date, Decimal]]:
        rows = await self.session.execute(
            select(TimeEntry.work_date, func.sum(TimeEntry.hours))
            .where(TimeEntry.workspace_id == self.workspace_id,
                   TimeEntry.project_id == project_id, TimeEntry.work_date >= since)
            .group_by(TimeEntry.work_date).order_by(TimeEntry.work_date))
        return [(row[0], _hundredths(row[1])) for row in rows]

    async def hours_by_member(self, project_id: int, *, first: date | None = None,
                              last: date | None = None) -> list[tuple[str, Decimal]]:
        """Who logged hours on the project (from ``first`` to ``last``), the most first."""
        query = (select(func.coalesce(Member.name, "?"), func.sum(TimeEntry.hours))
                 .outerjoin(Member, Member.id == TimeEntry.member_id)
                 .where(TimeEntry.workspace_id == self.workspace_id,
                        TimeEntry.project_id == project_id))
        if first is not None:
            query = query.where(TimeEntry.work_date >= first)
        if last is not None:
            query = query.where(TimeEntry.work_date <= last)
        rows = await self.session.execute(
            query.group_by(Member.name).order_by(func.sum(TimeEntry.hours).desc()))
        return [(row[0], _hundredths(row[1])) for row in rows]

    async def speakers(self, project_id: int, *, meeting_id: int | None = None) -> list[str]:
        """Who speaks in a project's transcripts (or in one meeting's), the most lines first."""
        lines = func.count(TranscriptSegment.id)
        query = (select(TranscriptSegment.speaker, lines)
                 .join(Transcript, Transcript.id == TranscriptSegment.transcript_id)
                 .join(Meeting, Meeting.id == Transcript.meeting_id)
                 .where(Transcript.workspace_id == self.workspace_id,
                        Meeting.project_id == project_id, TranscriptSegment.speaker.is_not(None)))
        if meeting_id is not None:
            query = query.where(Meeting.id == meeting_id)
        rows = await self.session.execute(query.group_by(TranscriptSegment.speaker)
                                          .order_by(lines.desc(), TranscriptSegment.speaker))
        return [row[0] for row in rows]

    # -- meetings ---------------------------------------------------------------------

    async def meeting(self, meeting_id: int) -> Meeting | None:
        return await self.session.scalar(select(Meeting).where(
            Meeting.workspace_id == self.workspace_id, Meeting.id == meeting_id))

    async def meetings(self, *, project_id: int | None = None, after: datetime | None = None,
                       before: datetime | None = None, cancelled: bool = True,
                       ended: bool = True, member_id: int | None = None, offset: int = 0,
                       limit: int = 10) -> Page[Meeting]:
        """Meetings starting in ``[after, before)``; newest first when only ``before`` is set
        (without the cancelled ones, or those marked ended, when so asked; only those
        ``member_id`` is in, host or invited and not declined, when given)."""
        query = select(Meeting).where(Meeting.workspace_id == self.workspace_id)
        if project_id:
            query = query.where(Meeting.project_id == project_id)
        if member_id is not None:
            query = query.where(Meeting.id.in_(
                select(Participant.meeting_id).where(Participant.member_id == member_id,
                                                     Participant.rsvp != Rsvp.NO)))
        if not cancelled:
            query = query.where(Meeting.status != MeetingStatus.CANCELLED)
        if not ended:
            query = query.where(Meeting.status != MeetingStatus.ENDED)
        if after:
            query = query.where(Meeting.starts_at >= after)
        if before:
            query = query.where(Meeting.starts_at < before)
        order = Meeting.starts_at.desc() if before and not after else Meeting.starts_at
        return await self._page(query.order_by(order, Meeting.id), offset, limit)

    async def meetings_of(self, member_id: int, *, after: datetime,
                          before: datetime) -> list[Meeting]:
        """The meetings a member takes part in (host or invited, not declined, not
        cancelled) that start in ``[after, before)``, in order."""
        return list(await self.session.scalars(
            select(Meeting).join(Participant, Participant.meeting_id == Meeting.id)
            .where(Meeting.workspace_id == self.workspace_id, Participant.member_id == member_id,
                   Participant.rsvp != Rsvp.NO, Meeting.status != MeetingStatus.CANCELLED,
                   Meeting.starts_at >= after, Meeting.starts_at < before)
            .order_by(Meeting.starts_at, Meeting.id)))

    async def clashes(self, meeting: Meeting) -> list[tuple[Meeting, list[str]]]:
        """The other meetings, scheduled or under way, whose time overlaps ``meeting``'s and
        that share members with it (not declined on either side); each with their names."""
        end = meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
        # Who said they will not come, or left a call under way, is in it no longer.
        members = (select(Participant.member_id)
                   .where(Participant.meeting_id == meeting.id,
                          Participant.member_id.is_not(None), Participant.rsvp != Rsvp.NO,
                          Participant.left_at.is_(None)))
        rows = await self.session.execute(
            select(Meeting, Participant.name)
            .join(Participant, Participant.meeting_id == Meeting.id)
            .where(Meeting.workspace_id == self.workspace_id, Meeting.id != meeting.id,
                   Meeting.status.in_([MeetingStatus.SCHEDULED, MeetingStatus.LIVE]),
                   # No meeting lasts over 12 hours: an earlier start cannot reach this one.
                   Meeting.starts_at > meeting.starts_at - timedelta(hours=12),
                   Meeting.starts_at < end, Participant.member_id.in_(members),
                   Participant.rsvp != Rsvp.NO, Participant.left_at.is_(None))
            .order_by(Meeting.starts_at, Meeting.id, Participant.id))
        found: dict[int, tuple[Meeting, list[str]]] = {}
        for other, name in rows:
            if other.starts_at + timedelta(minutes=other.duration_minutes) > meeting.starts_at:
                found.setdefault(other.id, (other, []))[1].append(name)
        return list(found.values())

    async def participants(self, meeting_id: int) -> list[Participant]:
        meeting = await self.meeting(meeting_id)  # checks the workspace
        if meeting is None:
            return []
        return list(await self.session.scalars(
            select(Participant).where(Participant.meeting_id == meeting_id)
            .order_by(*_HOST_FIRST)))

    async def add_participant(self, meeting: Meeting, **values: Any) -> Participant:
        if meeting.workspace_id != self.workspace_id:
            raise PermissionError("meeting belongs to another workspace")
        participant = Participant(meeting_id=meeting.id, **values)
        self.session.add(participant)
        await self.session.flush()
        return participant

    async def remove_participant(self, meeting: Meeting, participant: Participant) -> None:
        if meeting.workspace_id != self.workspace_id or participant.meeting_id != meeting.id:
            raise PermissionError("participant of another meeting or workspace")
        await self.session.delete(participant)
        await self.session.flush()

    async def set_reminders(self, meeting: Meeting, times: dict[ReminderKind, datetime]) -> None:
        """Replace the meeting's unsent reminders with one of each kind at the given times."""
        if meeting.workspace_id != self.workspace_id:
            raise PermissionError("meeting belongs to another workspace")
        await self.cancel_reminders(meeting)
        for kind, fire_at in times.items():
            self.session.add(Reminder(meeting_id=meeting.id, kind=kind, fire_at=fire_at,
                                      status=ReminderStatus.PENDING, attempts=0))
        await self.session.flush()

    async def cancel_reminders(self, meeting: Meeting) -> None:
        await self.session.execute(
            update(Reminder).where(Reminder.meeting_id == meeting.id,
                                   Reminder.status == ReminderStatus.PENDING)
            .values(status=ReminderStatus.CANCELLED))

    async def reminders(self, meeting_id: int) -> list[Reminder]:
        meeting = await self.meeting(meeting_id)
        if meeting is None:
            return []
        return list(await self.session.scalars(
            select(Reminder).where(Reminder.meeting_id == meeting_id).order_by(Reminder.id)))

    # -- transcripts ------------------------------------------------------------------

    async def transcript(self, transcript_id: int) -> Transcript | None:
        return await self.session.scalar(select(Transcript).where(
            Transcript.workspace_id == self.workspace_id, Transcript.id == transcript_id))

    async def transcript_by_sha256(self, sha256: str) -> Transcript | None:
        return await self.session.scalar(select(Transcript).where(
            Transcript.workspace_id == self.workspace_id, Transcript.sha256 == sha256))

    async def transcripts(self, *, project_id: int | None = None, offset: int = 0,
                          limit: int = 10) -> Page[Transcript]:
        query = (select(Transcript).join(Meeting, Meeting.id == Transcript.meeting_id)
                 .where(Transcript.workspace_id == self.workspace_id))
        if project_id:
            query = query.where(Meeting.project_id == project_id)
        return await self._page(query.order_by(Transcript.id.desc()), offset, limit)

    async def meeting_transcript(self, meeting_id: int) -> Transcript | None:
        """The meeting's newest summarised transcript, else its newest one."""
        return await self.session.scalar(
            select(Transcript).where(Transcript.workspace_id == self.workspace_id,
                                     Transcript.meeting_id == meeting_id)
            .order_by((Transcript.status == TranscriptStatus.DONE).desc(),
                      Transcript.id.desc()).limit(1))

    async def summarised_transcript(self, meeting_id: int) -> Transcript | None:
        """The meeting's newest transcript that has its summary."""
        return await self.session.scalar(
            select(Transcript).where(Transcript.workspace_id == self.workspace_id,
                                     Transcript.meeting_id == meeting_id,
                                     Transcript.status == TranscriptStatus.DONE)
            .order_by(Transcript.id.desc()).limit(1))

    async def transcripts_not_searchable(self, project_id: int,
                                         meeting_id: int | None = None) -> int:
        """How many of a project's (or one of its meetings') transcripts are still on their
        way to the search index."""
        query = (select(func.count()).select_from(Transcript)
                 .join(Meeting, Meeting.id == Transcript.meeting_id)
                 .where(Transcript.workspace_id == self.workspace_id,
                        Meeting.project_id == project_id,
                        Transcript.status.in_([TranscriptStatus.PENDING,
                                               TranscriptStatus.TRANSCRIBING,
                                               TranscriptStatus.INDEXING])))
        if meeting_id is not None:
            query = query.where(Meeting.id == meeting_id)
        return await self.session.scalar(query) or 0

    async def add_segments(self, transcript: Transcript, rows: list[dict[str, Any]]) -> None:
        """Store a transcript's segments in one statement (a meeting has thousands)."""
        if transcript.workspace_id != self.workspace_id:
            raise PermissionError("transcript belongs to another workspace")
        await self.session.execute(delete(TranscriptSegment).where(
            TranscriptSegment.transcript_id == transcript.id))
        if rows:
            await self.session.execute(insert(TranscriptSegment.__table__), [
                {"transcript_id": transcript.id, **row} for row in rows])

    async def segments(self, transcript_id: int) -> list[TranscriptSegment]:
        if await self.transcript(transcript_id) is None:
            return []
        return list(await self.session.scalars(
            select(TranscriptSegment).where(TranscriptSegment.transcript_id == transcript_id)
            .order_by(TranscriptSegment.position)))

    async def replace_summary(self, transcript: Transcript, items: list[SummaryItem]) -> None:
        """A new summary in place of the old. An item found again (same kind, and the same
        text or the same moment) keeps its row, so its number and whether it was done
        survive ``transcript resummarize``."""
        if transcript.workspace_id != self.workspace_id:
            raise PermissionError("transcript belongs to another workspace")
        old = list(await self.session.scalars(select(SummaryItem).where(
            SummaryItem.transcript_id == transcript.id).order_by(SummaryItem.id)))
        by_text = {(o.kind, o.text.casefold()): o for o in old}
        by_moment = {(o.kind, o.segment_position): o for o in old
                     if o.segment_position is not None}
        kept: set[int] = set()
        for item in items:
            same = (by_text.get((item.kind, item.text.casefold()))
                    or by_moment.get((item.kind, item.segment_position)))
            if same is not None and same.id not in kept:
                kept.add(same.id)
                for name in ("position", "text", "segment_position", "owner_name",
                             "owner_member_id", "due_date"):
                    setattr(same, name, getattr(item, name))
            else:
                item.workspace_id, item.transcript_id = self.workspace_id, transcript.id
                self.session.add(item)
        for gone in old:
            if gone.id not in kept:
                await self.session.delete(gone)
        await self.session.flush()

    async def summary_items(self, transcript_id: int) -> list[SummaryItem]:
        return list(await self.session.scalars(select(SummaryItem).where(
            SummaryItem.workspace_id == self.workspace_id,
            SummaryItem.transcript_id == transcript_id,
        ).order_by(SummaryItem.kind, SummaryItem.position)))

    async def said_at(self, transcript_ids: list[int],
                      *kinds: ItemKind) -> set[tuple[int, int]]:
        """``(transcript id, segment position)`` of where each summary item of these kinds
        in these transcripts was said."""
        rows = await self.session.execute(
            select(SummaryItem.transcript_id, SummaryItem.segment_position).where(
                SummaryItem.workspace_id == self.workspace_id,
                SummaryItem.transcript_id.in_(transcript_ids), SummaryItem.kind.in_(kinds),
                SummaryItem.segment_position.is_not(None)))
        return {(row[0], row[1]) for row in rows}

    async def _owner_names(self, name: str) -> list[str]:
        """The owners' names the meetings wrote that are ``name``, case and accents aside;
        "Marco" is also "Marco Díaz", and "sofia" is "Sofía"."""
        wanted = name_key(name)
        written = await self.session.scalars(
            select(SummaryItem.owner_name).distinct()
            .where(SummaryItem.workspace_id == self.workspace_id,
                   SummaryItem.owner_name.is_not(None)))
        return [owner for owner in written if owner and (
            (key := name_key(owner)) == wanted or key.startswith(f"{wanted} "))]

    async def action_items(self, *, project_id: int | None = None,
                           meeting_id: int | None = None, owner_id: int | None = None,
                           owner_name: str | None = None, done: bool = False,
                           due_before: date | None = None, offset: int = 0,
                           limit: int = 10) -> Page[SummaryItem]:
        query = (select(SummaryItem)
                 .join(Transcript, Transcript.id == SummaryItem.transcript_id)
                 .join(Meeting, Meeting.id == Transcript.meeting_id)
                 .where(SummaryItem.workspace_id == self.workspace_id,
                        SummaryItem.kind == ItemKind.ACTION,
                        SummaryItem.done_at.is_not(None) if done
                        else SummaryItem.done_at.is_(None)))
        if project_id:
            query = query.where(Meeting.project_id == project_id)
        if meeting_id:
            query = query.where(Meeting.id == meeting_id)
        if owner_id:
            # Theirs by link, or by the name a meeting gave before they joined the workspace.
            member = await self.session.get(Member, owner_id)
            named = await self._owner_names(member.name) if member else []
            query = query.where(or_(SummaryItem.owner_member_id == owner_id, and_(
                SummaryItem.owner_member_id.is_(None), SummaryItem.owner_name.in_(named))))
        if owner_name:
            query = query.where(SummaryItem.owner_name.in_(await self._owner_names(owner_name)))
        if due_before:
            query = query.where(SummaryItem.due_date < due_before)
        order = (SummaryItem.due_date.is_(None), SummaryItem.due_date, SummaryItem.id)
        return await self._page(query.order_by(*order), offset, limit)

    async def item_projects(self, item_ids: list[int]) -> dict[int, str]:
        """The name of the project each summary item's meeting belongs to."""
        rows = await self.session.execute(
            select(SummaryItem.id, Project.name)
            .join(Transcript, Transcript.id == SummaryItem.transcript_id)
            .join(Meeting, Meeting.id == Transcript.meeting_id)
            .join(Project, Project.id == Meeting.project_id)
            .where(SummaryItem.workspace_id == self.workspace_id,
                   SummaryItem.id.in_(item_ids)))
        return {row[0]: row[1] for row in rows}

    async def summary_item(self, item_id: int) -> SummaryItem | None:
        return await self.session.scalar(select(SummaryItem).where(
            SummaryItem.workspace_id == self.workspace_id, SummaryItem.id == item_id))


    async def segments_between(self, transcript_id: int, first: int,
                               last: int) -> list[TranscriptSegment]:
        """The segments a search hit covers, with their transcript checked to be ours."""
        if await self.transcript(transcript_id) is None:
            return []
        return list(await self.session.scalars(
            select(TranscriptSegment).where(TranscriptSegment.transcript_id == transcript_id,
                                            TranscriptSegment.position.between(first, last))
            .order_by(TranscriptSegment.position)))

    async def meetings_by_id(self, meeting_ids: list[int]) -> dict[int, Meeting]:
        rows = await self.session.scalars(select(Meeting).where(
            Meeting.workspace_id == self.workspace_id, Meeting.id.in_(meeting_ids)))
        return {m.id: m for m in rows}

    async def meetings_without_summary(self, project_id: int, before: datetime) -> list[Meeting]:
        """Meetings of a project that are over and have no finished transcript."""
        summarised = (select(Transcript.meeting_id)
                      .where(Transcript.status == TranscriptStatus.DONE).scalar_subquery())
        return list(await self.session.scalars(
            select(Meeting).where(Meeting.workspace_id == self.workspace_id,
                                  Meeting.project_id == project_id,
                                  Meeting.status != MeetingStatus.CANCELLED,
                                  Meeting.starts_at < before, Meeting.id.not_in(summarised))
            .order_by(Meeting.starts_at)))

    async def last_meeting(self, project_id: int, before: datetime) -> Meeting | None:
        return await self.session.scalar(
            select(Meeting).where(Meeting.workspace_id == self.workspace_id,
                                  Meeting.project_id == project_id,
                                  Meeting.status != MeetingStatus.CANCELLED,
                                  Meeting.starts_at < before)
            .order_by(Meeting.starts_at.desc()).limit(1))

    async def next_meeting(self, project_id: int, after: datetime) -> Meeting | None:
        return await self.session.scalar(
            select(Meeting).where(Meeting.workspace_id == self.workspace_id,
                                  Meeting.project_id == project_id,
                                  Meeting.status != MeetingStatus.CANCELLED,
                                  Meeting.starts_at >= after)
            .order_by(Meeting.starts_at).limit(1))

    # -- conversations ---------------------------------------------------------------

    async def remember_turn(self, thread_key: str, member_id: int, project_id: int | None,
                            question: str, answer: str, *, at: datetime,
                            meeting_id: int | None = None) -> None:
        await self.add(ConversationTurn(thread_key=thread_key[:160], member_id=member_id,
                                        project_id=project_id, meeting_id=meeting_id,
                                        question=question, answer=answer, created_at=at))

    async def recent_turns(self, thread_key: str, limit: int = 4, *,
                           since: datetime | None = None) -> list[ConversationTurn]:
        """The thread's last turns (those from ``since`` on, if given), oldest first."""
        query = select(ConversationTurn).where(
            ConversationTurn.workspace_id == self.workspace_id,
            ConversationTurn.thread_key == thread_key[:160])
        if since is not None:
            query = query.where(ConversationTurn.created_at >= since)
        rows = list(await self.session.scalars(
            query.order_by(ConversationTurn.id.desc()).limit(limit)))
        return rows[::-1]


@dataclass(frozen=True, slots=True)
class DueReminder:
    """A claimed reminder with everything needed to write and address its messages."""

    reminder: Reminder
    meeting: Meeting
    project: Project
    workspace: Workspace
    participants: list[tuple[Participant, Member | None]]


class ReminderQueue:
    """Reminders across all workspaces, for the scheduler. Sending is claimed atomically."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim_due(self, now: datetime, limit: int = 500) -> list[int]:
        """Mark due reminders as being sent by us; only one process can win each.

        A single UPDATE whose condition includes ``status = 'pending'``: a concurrent
        claimer blocks on the row, re-checks the condition after we commit, and skips it.
        """
        due = (select(Reminder.id)
               .where(Reminder.status == ReminderStatus.PENDING, Reminder.fire_at <= now)
               .order_by(Reminder.fire_at).limit(limit).scalar_subquery())
        result = await self.session.execute(
            update(Reminder).where(Reminder.id.in_(due),
                                   Reminder.status == ReminderStatus.PENDING)
            .values(status=ReminderStatus.SENDING, claimed_at=now,
                    attempts=Reminder.attempts + 1)
            .returning(Reminder.id).execution_options(synchronize_session=False))
        return sorted(result.scalars())

    async def release_stale(self, now: datetime, lease: timedelta) -> int:
        """Give back claims of a process that died mid-send, so they are sent after all."""
        result = await self.session.execute(
            update(Reminder).where(Reminder.status == ReminderStatus.SENDING,
                                   Reminder.claimed_at < now - lease)
            .values(status=ReminderStatus.PENDING).execution_options(synchronize_session=False))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def load(self, reminder_ids: list[int]) -> list[DueReminder]:
        rows = (await self.session.execute(
            select(Reminder, Meeting, Project, Workspace)
            .join(Meeting, Meeting.id == Reminder.meeting_id)
            .join(Project, Project.id == Meeting.project_id)
            .join(Workspace, Workspace.id == Meeting.workspace_id)
            .where(Reminder.id.in_(reminder_ids)).order_by(Reminder.fire_at))).all()
        meeting_ids = {row[1].id for row in rows}
        people: dict[int, list[tuple[Participant, Member | None]]] = {m: [] for m in meeting_ids}
        for participant, member in (await self.session.execute(
                select(Participant, Member).outerjoin(Member, Member.id == Participant.member_id)
                .where(Participant.meeting_id.in_(meeting_ids))
                .order_by(*_HOST_FIRST))).all():
            people[participant.meeting_id].append((participant, member))
        return [DueReminder(r, m, p, w, people[m.id]) for r, m, p, w in rows]

    async def finish(self, outcomes: list[tuple[int, ReminderStatus, str | None]],
                     at: datetime) -> None:
        """Record how each claimed reminder ended: one UPDATE per outcome, not per row."""
        groups: dict[tuple[ReminderStatus, str | None], list[int]] = {}
        for reminder_id, status, error in outcomes:
            groups.setdefault((status, error), []).append(reminder_id)
        for (status, error), ids in groups.items():
            delivered = status in {ReminderStatus.SENT, ReminderStatus.LATE}
            await self.session.execute(
                update(Reminder).where(Reminder.id.in_(ids))
                .values(status=status, sent_at=at if delivered else None, last_error=error)
                .execution_options(synchronize_session=False))

    async def end_meetings(self, meeting_ids: list[int]) -> None:
        """The follow-ups went out: meetings still scheduled or live are over."""
        if meeting_ids:
            await self.session.execute(
                update(Meeting).where(Meeting.id.in_(meeting_ids), Meeting.status.in_(
                    [MeetingStatus.SCHEDULED, MeetingStatus.LIVE]))
                .values(status=MeetingStatus.ENDED)
                .execution_options(synchronize_session=False))

    async def pending(self, until: datetime) -> list[tuple[int, datetime]]:
        """Unsent reminders due before ``until``, for the scheduler's timers."""
        rows = await self.session.execute(
            select(Reminder.id, Reminder.fire_at)
            .where(Reminder.status == ReminderStatus.PENDING, Reminder.fire_at <= until)
            .order_by(Reminder.fire_at))
        return [(row[0], row[1]) for row in rows]


_ACTIVE = [TranscriptStatus.PENDING, TranscriptStatus.TRANSCRIBING, TranscriptStatus.INDEXING,
           TranscriptStatus.SUMMARISING]


class TranscriptQueue:
    """Transcripts waiting for a pipeline step, across workspaces; claimed with a lease."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim_next(self, now: datetime, lease: timedelta) -> int | None:
        """Claim the oldest transcript that has work to do; only one process can win it.

        A claim older than ``lease`` belonged to a process that died: it is taken over, so
        work resumes after a crash from the step the row records.
        """
        free = or_(Transcript.claimed_at.is_(None), Transcript.claimed_at < now - lease)
        candidate = (select(Transcript.id)
                     .where(Transcript.status.in_(_ACTIVE), Transcript.next_attempt_at <= now,
                            free)
                     .order_by(Transcript.id).limit(1)
                     # Two claims at once take two transcripts (PostgreSQL), not one each try.
                     .with_for_update(skip_locked=True).scalar_subquery())
        result = await self.session.execute(
            update(Transcript).where(Transcript.id == candidate, free)
            .values(claimed_at=now).returning(Transcript.id)
            .execution_options(synchronize_session=False))
        return result.scalar_one_or_none()

    async def renew_claim(self, transcript_id: int, held: datetime, now: datetime) -> bool:
        """Move a claim still ``held`` (as taken or last renewed) to ``now``; False when
        another process took the transcript over meanwhile."""
        result = await self.session.execute(
            update(Transcript).where(Transcript.id == transcript_id,
                                     Transcript.claimed_at == held)
            .values(claimed_at=now).returning(Transcript.id)
            .execution_options(synchronize_session=False))
        return result.scalar_one_or_none() is not None

    async def exists(self, transcript_id: int) -> bool:
        """Whether the transcript is still stored (not deleted meanwhile)."""
        return await self.session.scalar(
            select(Transcript.id).where(Transcript.id == transcript_id)) is not None

    async def get(self, transcript_id: int) -> tuple[Transcript, Meeting, Project, Workspace]:
        row = (await self.session.execute(
            select(Transcript, Meeting, Project, Workspace)
            .join(Meeting, Meeting.id == Transcript.meeting_id)
            .join(Project, Project.id == Meeting.project_id)
            .join(Workspace, Workspace.id == Transcript.workspace_id)
            .where(Transcript.id == transcript_id))).one()
        return row[0], row[1], row[2], row[3]

    async def past_indexing(self) -> list[tuple[int, int]]:
        """``(workspace id, transcript id)`` of every transcript the pipeline has indexed."""
        rows = await self.session.execute(
            select(Transcript.workspace_id, Transcript.id)
            .where(Transcript.status.in_([TranscriptStatus.SUMMARISING, TranscriptStatus.DONE]))
            .order_by(Transcript.workspace_id, Transcript.id))
        return [(row[0], row[1]) for row in rows]

    async def ids_by_workspace(self) -> dict[int, set[int]]:
        """The id of every stored transcript, whatever its state, by workspace."""
        found: dict[int, set[int]] = {}
        for workspace_id, transcript_id in await self.session.execute(
                select(Transcript.workspace_id, Transcript.id)):
            found.setdefault(workspace_id, set()).add(transcript_id)
        return found

    async def has_work(self, now: datetime) -> bool:
        return await self.session.scalar(select(Transcript.id).where(
            Transcript.status.in_(_ACTIVE), Transcript.next_attempt_at <= now).limit(1)
        ) is not None

    async def withdraw_followup(self, meeting_id: int) -> None:
        """The summary replaces the follow-up that asked for the recording."""
        await self.session.execute(
            update(Reminder).where(Reminder.meeting_id == meeting_id,
                                   Reminder.kind == ReminderKind.AFTER,
                                   Reminder.status == ReminderStatus.PENDING)
            .values(status=ReminderStatus.CANCELLED)
            .execution_options(synchronize_session=False))


def _hundredths(value: Any) -> Decimal:
    """Sums keep the column type, so they arrive as Decimals; an empty sum is zero."""
    return value if isinstance(value, Decimal) else Decimal(value or 0).quantize(Decimal("0.01"))


def _natural(name: str) -> tuple[str | int, ...]:
    """A name's sort key with its numbers as numbers: "sprint 2" before "sprint 10"."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
