"""The relational model. Every tenant-owned row carries ``workspace_id``."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from storage.types import Hundredths, UTCDateTime, utcnow

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ValueTooLong(ValueError):
    """A text is longer than its column allows (PostgreSQL would refuse it; SQLite would not)."""

    def __init__(self, field: str, limit: int) -> None:
        super().__init__(f"{field} is longer than {limit} characters")
        self.field = field
        self.limit = limit


@event.listens_for(Session, "before_flush")
def _check_lengths(session: Session, _context: object, _instances: object) -> None:
    # Checked here, for every engine alike, so an over-long value is a clear user error.
    for row in (*session.new, *session.dirty):
        for column in row.__table__.columns:
            limit = getattr(column.type, "length", None)
            value = getattr(row, column.key, None)
            if isinstance(value, str) and limit and len(value) > limit:
                raise ValueTooLong(column.key, limit)


def _values(enum_type: type[enum.Enum]) -> list[str]:
    return [str(member.value) for member in enum_type]


class MemberRole(enum.StrEnum):
    GUEST = "guest"
    MEMBER = "member"
    MANAGER = "manager"
    ADMIN = "admin"
    OWNER = "owner"


class ProjectStatus(enum.StrEnum):
    PLANNING = "planning"
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Priority(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Workspace(Base):
    """A Slack team, a Discord guild or the local console: the tenant."""

    __tablename__ = "workspaces"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    locale: Mapped[str] = mapped_column(String(10), default="en")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Member(Base):
    """A person in a workspace, with a role and optional personal locale and time zone."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("workspace_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[MemberRole] = mapped_column(
        Enum(MemberRole, native_enum=False, length=16, values_callable=_values)
    )
    locale: Mapped[str | None] = mapped_column(String(10))
    timezone: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Client(Base):
    """A customer of the agency."""

    __tablename__ = "clients"
    __table_args__ = (UniqueConstraint("workspace_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    company: Mapped[str | None] = mapped_column(String(200))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(50))
    billing_email: Mapped[str | None] = mapped_column(String(254))
    billing_address: Mapped[str | None] = mapped_column(Text)
    tax_id: Mapped[str | None] = mapped_column(String(50))
    segment: Mapped[str | None] = mapped_column(String(100))
    priority: Mapped[Priority] = mapped_column(
        Enum(Priority, native_enum=False, length=16, values_callable=_values),
        default=Priority.MEDIUM,
    )
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    projects: Mapped[list[Project]] = relationship(back_populates="client")


class Project(Base):
    """A piece of work for a client, with its budget, rate, estimate and dates."""

    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("workspace_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    client_id: Mapped[int | None] = mapped_column(
        ForeignKey("clients.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ProjectStatus] = mapped_column(
        Enum(ProjectStatus, native_enum=False, length=16, values_callable=_values),
        default=ProjectStatus.PLANNING,
    )
    progress: Mapped[int] = mapped_column(Integer, default=0)
    budget: Mapped[Decimal | None] = mapped_column(Hundredths)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    hourly_rate: Mapped[Decimal | None] = mapped_column(Hundredths)
    estimated_hours: Mapped[Decimal | None] = mapped_column(Hundredths)
    start_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    language: Mapped[str | None] = mapped_column(String(10))  # of its meetings, for speech
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # Loaded only where asked for (lists join it): most commands need the project alone.
    client: Mapped[Client | None] = relationship(back_populates="projects", lazy="raise")


class ChannelBinding(Base):
    """A channel's default project: commands sent there use it when none is named."""

    __tablename__ = "channel_bindings"
    __table_args__ = (UniqueConstraint("workspace_id", "channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    channel_id: Mapped[str] = mapped_column(String(64))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))


class TimeEntry(Base):
    """Hours a member worked on a project on a given day."""

    __tablename__ = "time_entries"
    __table_args__ = (Index(None, "project_id", "work_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    hours: Mapped[Decimal] = mapped_column(Hundredths)
    note: Mapped[str | None] = mapped_column(Text)
    work_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"
    CANCELLED = "cancelled"


class ParticipantRole(enum.StrEnum):
    HOST = "host"
    GUEST = "guest"


class Rsvp(enum.StrEnum):
    PENDING = "pending"
    YES = "yes"
    NO = "no"
    MAYBE = "maybe"


class ReminderKind(enum.StrEnum):
    BEFORE = "before"
    AFTER = "after"


class ReminderStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by one process; back to pending if it dies mid-send
    SENT = "sent"
    LATE = "late"  # sent, but after its time (the bot was down)
    SKIPPED = "skipped"  # missed by more than the grace window
    FAILED = "failed"  # the platform refused it every time
    CANCELLED = "cancelled"


class Meeting(Base):
    """A call in a project, with its unguessable Jitsi room."""

    __tablename__ = "meetings"
    __table_args__ = (Index(None, "workspace_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    status: Mapped[MeetingStatus] = mapped_column(
        Enum(MeetingStatus, native_enum=False, length=16, values_callable=_values),
        default=MeetingStatus.SCHEDULED)
    room_name: Mapped[str] = mapped_column(String(80), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    channel_id: Mapped[str | None] = mapped_column(String(64))
    # Bumped on each reschedule, so calendars replace the old invite.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Participant(Base):
    """Someone in a meeting: a member, or an outside guest known by name and email."""

    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[ParticipantRole] = mapped_column(
        Enum(ParticipantRole, native_enum=False, length=16, values_callable=_values),
        default=ParticipantRole.GUEST)
    rsvp: Mapped[Rsvp] = mapped_column(
        Enum(Rsvp, native_enum=False, length=16, values_callable=_values), default=Rsvp.PENDING)
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Reminder(Base):
    """A message the bot sends by itself before or after a meeting; the row is the truth."""

    __tablename__ = "reminders"
    __table_args__ = (Index(None, "status", "fire_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ReminderKind] = mapped_column(
        Enum(ReminderKind, native_enum=False, length=16, values_callable=_values))
    fire_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[ReminderStatus] = mapped_column(
        Enum(ReminderStatus, native_enum=False, length=16, values_callable=_values),
        default=ReminderStatus.PENDING)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class TranscriptStatus(enum.StrEnum):
    PENDING = "pending"
    TRANSCRIBING = "transcribing"
    INDEXING = "indexing"
    SUMMARISING = "summarising"
    DONE = "done"
    FAILED = "failed"


class ItemKind(enum.StrEnum):
    SUMMARY = "summary"
    KEY_POINT = "key_point"
    DECISION = "decision"
    ACTION = "action"
    NEXT_STEP = "next_step"


class Transcript(Base):
    """A meeting's recording or transcript moving through the pipeline; its row is its state."""

    __tablename__ = "transcripts"
    __table_args__ = (UniqueConstraint("workspace_id", "sha256"),
                      Index(None, "status", "next_attempt_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(16))  # vtt, srt, txt, json or audio
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    # Audio waiting for speech-to-text, kept in the data folder until it is transcribed.
    upload_path: Mapped[str | None] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(10), default="en")
    status: Mapped[TranscriptStatus] = mapped_column(
        Enum(TranscriptStatus, native_enum=False, length=16, values_callable=_values),
        default=TranscriptStatus.PENDING)
    progress: Mapped[float] = mapped_column(default=0.0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    duration_seconds: Mapped[float | None] = mapped_column()
    transcriber: Mapped[str | None] = mapped_column(String(100))
    summarizer: Mapped[str | None] = mapped_column(String(100))
    participants: Mapped[list[str]] = mapped_column(JSON, default=list)
    problems: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TranscriptSegment(Base):
    """One stretch of speech, in order: who, from when to when, what."""

    __tablename__ = "transcript_segments"
    __table_args__ = (UniqueConstraint("transcript_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(
        ForeignKey("transcripts.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str | None] = mapped_column(String(200))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    start: Mapped[float] = mapped_column()
    end: Mapped[float] = mapped_column()
    text: Mapped[str] = mapped_column(Text)


class SummaryItem(Base):
    """A line of a meeting's summary (a point, decision, action item or next step)."""

    __tablename__ = "summary_items"
    __table_args__ = (Index(None, "transcript_id", "kind", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    transcript_id: Mapped[int] = mapped_column(
        ForeignKey("transcripts.id", ondelete="CASCADE"))
    kind: Mapped[ItemKind] = mapped_column(
        Enum(ItemKind, native_enum=False, length=16, values_callable=_values))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    segment_position: Mapped[int | None] = mapped_column(Integer)  # where it was said
    owner_name: Mapped[str | None] = mapped_column(String(200))
    owner_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"))
    due_date: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))


class ConversationTurn(Base):
    """A question and its answer in a thread, so a follow-up can build on it."""

    __tablename__ = "conversation_turns"
    __table_args__ = (Index(None, "workspace_id", "thread_key", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    thread_key: Mapped[str] = mapped_column(String(160))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    # The one meeting the question was asked of, so a follow-up stays in it.
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdMark(Base):
    """The highest id each table of numbered records ever gave, so SQLite never gives one
    again: without AUTOINCREMENT it reuses the id of a deleted last row, and a stale
    `project delete #34 --yes` or `actions done 148` would then act on a newer record.
    PostgreSQL's sequences never reuse an id; this table is left empty there."""

    __tablename__ = "id_marks"

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer)


# The records people name by their #id.
NUMBERED = (Client, Project, Meeting, Transcript, SummaryItem)


def _never_reused(_mapper: Any, connection: Any, target: Any) -> None:
    if connection.dialect.name != "sqlite" or target.id is not None:
        return
    if not connection.info.get("id_marks"):  # a schema older than 0007 has none to keep
        if connection.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                      "AND name = 'id_marks'").scalar() is None:
            return
        connection.info["id_marks"] = True
    name = target.__tablename__
    table = target.__table__
    highest = connection.execute(select(func.max(table.c.id))).scalar() or 0
    marks = IdMark.__table__
    mark = connection.execute(select(marks.c.last_id).where(marks.c.table_name == name)).scalar()
    target.id = max(highest, mark or 0) + 1
    if mark is None:
        connection.execute(marks.insert().values(table_name=name, last_id=target.id))
    else:
        connection.execute(marks.update().where(marks.c.table_name == name)
                           .values(last_id=target.id))


for _numbered in NUMBERED:
    event.listen(_numbered, "before_insert", _never_reused)
