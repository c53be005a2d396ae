"""What a command handler gets: who asked, where, in which language, and the data it may touch."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process

from bot.core import Request, Role, UserError
from bot.i18n import N_, Translator
from bot.meetings.links import STILL_AHEAD
from bot.meetings.which import Candidate, meetings_meant
from bot.ports import Services
from bot.registry import Command, Registry
from bot.routing import the_one_holding, without_article
from bot.transcripts.summarize import fold
from storage import WorkspaceStore
from storage.models import Client, Meeting, MeetingStatus, Member, Project

ROLE_LABELS = {Role.GUEST: N_("guest"), Role.MEMBER: N_("member"), Role.MANAGER: N_("manager"),
               Role.ADMIN: N_("admin"), Role.OWNER: N_("owner")}

_ID_REF = re.compile(r"^#(\d{1,12})$")
# "on the website", "para la web": the word before a name in a sentence.
_PREPOSITION = re.compile(r"^(?:on|for|to|in|at|en|para|de|del|al?)\s+", re.IGNORECASE)
# "The website project", "el proyecto website": the word says what it is, not its name.
_PROJECT_WORD = re.compile(r"^(?:project|proyecto)\s+|\s+(?:project|proyecto)$", re.IGNORECASE)
_MENTION = re.compile(r"^<@!?([\w.-]+)(?:\|[^>]*)?>$")


class _NoneFits(UserError):
    """No meeting fits the words given."""


@dataclass(slots=True)
class Context:
    """The first argument of every command handler.

    Attributes:
        request: The request as the front door sent it.
        command: The command being run.
        role: The sender's role, read in this transaction.
        _: Translator for the sender's language; also formats money, numbers and dates.
        timezone: The sender's time zone (theirs, else the workspace's).
        registry: All commands (``help`` lists them).
        workspace_id: The sender's workspace.
        member_id: The sender.
        store: The workspace's repositories, inside this command's transaction (``None`` for
            commands that do not use the database).
        services: The clock, the Jitsi defaults and the other ports (see :mod:`bot.ports`).
        settings_changed: Set by a handler that changed a language or time zone, so cached
            identities of the workspace are dropped after the commit.
        after_commit: Callbacks run once the command's transaction has committed; one that
            returns an awaitable is awaited (the search index forgetting what was deleted).
    """

    request: Request
    command: Command
    role: Role
    _: Translator
    timezone: str
    registry: Registry
    workspace_id: int
    member_id: int
    store: WorkspaceStore | None = None
    services: Services = field(default_factory=Services)
    settings_changed: bool = False
    after_commit: list[Callable[[], Awaitable[None] | None]] = field(default_factory=list)

    @property
    def db(self) -> WorkspaceStore:
        """The store; only commands declared ``transactional`` (the default) have one."""
        if self.store is None:
            raise RuntimeError(f"{self.command.name} is not transactional but used the store")
        return self.store

    def today(self) -> date:
        return self.now().date()

    def now(self) -> datetime:
        """The current time in the sender's time zone."""
        return self.services.clock().astimezone(ZoneInfo(self.timezone))

    def midnight(self, day: date) -> datetime:
        """The start of ``day`` in the sender's time zone (days of a clock change are not
        24 hours, so a day runs from one midnight to the next)."""
        return datetime.combine(day, time(), ZoneInfo(self.timezone))

    def can(self, role: Role) -> bool:
        return self.role >= role

    def require(self, role: Role, what: str) -> None:
        """Stop with a clear message unless the sender has at least ``role``."""
        if not self.can(role):
            raise UserError(self._("Only the {role} role and above can {what}; you are {mine}.",
                                   role=self.role_label(role), what=what,
                                   mine=self.role_label(self.role)))

    def schedule_example(self, project: str | None = None) -> str:
        """`meeting schedule` for ``project`` (else "website"), at a time written in the
        reader's language."""
        project = project or "website"
        name = f'"{project}"' if " " in project else project
        return f"/meeting schedule {name} {self._('tomorrow 3pm')}"

    def role_label(self, role: Role) -> str:
        return self._(ROLE_LABELS[role])

    async def project(self, ref: str | None) -> Project:
        """The project named by ``ref`` (name or ``#id``), else the channel's project."""
        _ = self._
        if ref is None:
            if self.request.channel_id and (
                    bound := await self.db.bound_project(self.request.channel_id)):
                return bound
            if not await self.db.project_names():
                raise UserError(_("No projects yet. Create one with "
                                  "`/project create \"Name\" client:Acme`."))
            raise UserError(_("Name a project (for example `project:\"Website\"`), or bind this "
                              "channel to one with `project bind`."))
        if match := _ID_REF.match(ref.strip()):
            if project := await self.db.project(int(match[1])):
                return project
            raise UserError(_("There is no project #{id}.", id=match[1]))
        # "website", "on the website", "Website redesign", or the client's name: its
        # current project, as the agency calls it. The names are read only when the exact
        # one is not found: `project log 2 website` is the hottest path there is.
        names: list[tuple[int, str]] | None = None
        bare = without_article(_PREPOSITION.sub("", ref))
        for said in dict.fromkeys((ref, bare, _PROJECT_WORD.sub("", bare) or bare)):
            if project := await self.db.project_by_name(said):
                return project
            # A client's whole name before a word of a project's: "acme" with "Tienda Acme"
            # and "Website redesign" under way for Acme must ask which, not take the first.
            if client := await self.db.client_called(said):
                if project := await self.db.current_project(client.id):
                    return project
                raise await self.no_one_project(client)
            if names is None:
                names = await self.db.project_names()
            if (only := the_one_holding(said, names)) is not None and (
                    project := await self.db.project(only)):
                return project
        # `project show 1`: no project is called "1", so its number.
        if re.fullmatch(r"\d{1,12}", ref.strip()) and (
                project := await self.db.project(int(ref))):
            return project
        raise UserError(_("No project called `{name}`.", name=ref),
                        suggestions=_closest(ref, names or []))

    async def no_one_project(self, client: Client) -> UserError:
        """Why a client's name stands for no project: it has several under way (which one
        is the sender's to say) or none yet."""
        _ = self._
        if under_way := await self.db.open_projects(client.id):
            return UserError(_("{client} has several projects under way: {names}; name the "
                               "one you mean.", client=client.name,
                               names=", ".join(p.name for p in under_way)))
        return UserError(_("{client} has no project yet; create one with `/project create "
                           "\"Name\" client:\"{client}\"`.", client=client.name))

    async def client(self, ref: str) -> Client:
        """The client named by ``ref`` (name, company or ``#id``)."""
        _ = self._
        if match := _ID_REF.match(ref.strip()):
            if client := await self.db.client(int(match[1])):
                return client
            raise UserError(_("There is no client #{id}.", id=match[1]))
        if client := await self.db.client_called(ref):
            return client
        names = await self.db.client_names()
        if (only := the_one_holding(ref, names)) is not None and (
                client := await self.db.client(only)):
            return client
        if re.fullmatch(r"\d{1,12}", ref.strip()) and (client := await self.db.client(int(ref))):
            return client  # `client show 1`: its number
        raise UserError(_("No client called `{name}`; add it with `/client create {name}`.",
                          name=ref), suggestions=_closest(ref, names))

    async def meeting(self, ref: str, *, past: bool = False,
                      project_id: int | None = None) -> Meeting:
        """A meeting by ``#id`` (or a bare number), else by its title.

        By title: the next meeting of that title from 30 days ago on, or with ``past`` the
        latest one that has started (of the project ``project_id`` when given). Words that
        fit no meeting ahead are tried on those held ("yesterday's call", "the last
        meeting", "the launch review"), so showing one, or being told it is over, works.
        """
        _ = self._
        text = ref.strip()
        if match := _ID_REF.match(text) or re.fullmatch(r"(\d{1,12})", text):
            if meeting := await self.db.meeting(int(match[1])):
                return meeting
            raise UserError(_("There is no meeting #{id}.", id=match[1]))
        try:
            return await self._meeting_in_words(text, past=past, project_id=project_id)
        except _NoneFits:
            if past:
                raise
            try:
                return await self._meeting_in_words(text, past=True, project_id=project_id)
            except _NoneFits:
                pass
            raise

    async def _meeting_in_words(self, text: str, *, past: bool,
                                project_id: int | None) -> Meeting:
        """See :meth:`meeting`: among those ahead, or with ``past`` those held."""
        _ = self._
        if past:
            recent = await self.started_meetings(project_id)
        else:
            since = self.services.clock() - timedelta(days=30)
            recent = list((await self.db.meetings(project_id=project_id, after=since,
                                                  limit=200)).rows)
        if recent and not self.can(Role.MEMBER):
            # A guest's words name only the meetings they are in, whose titles they know.
            mine = await self.db.meetings_of(
                self.member_id, after=min(m.starts_at for m in recent),
                before=max(m.starts_at for m in recent) + timedelta(seconds=1))
            recent = [m for m in recent if m in mine]
            if not recent:
                raise _NoneFits(_("None of the meetings you are invited to is `{name}`; ask "
                                  "its host to invite you.", name=text))
        exact = [m for m in recent if m.title.casefold() == text.casefold()]
        if exact:
            return exact[0] if past else exact[-1]
        # "Tomorrow's standup", "the website call": by its day, project, client and title,
        # of those still ahead (or, ``past``, held).
        if not past:
            soon = self.services.clock() - STILL_AHEAD
            recent = [m for m in recent if m.status is not MeetingStatus.CANCELLED
                      and m.starts_at >= soon]
        if not recent:
            raise _NoneFits(_(
                "No meeting has been held yet, so none is `{name}`; upcoming ones: "
                "`/meeting list`.", name=text) if past else _(
                "Nothing is scheduled ahead, so no meeting is `{name}`. Schedule one with "
                "`{example}`; past ones: `/meeting list period:past`.", name=text,
                example=self.schedule_example()))
        meant = {m.id: m for m in recent}
        fits = [meant[n] for n in meetings_meant(text, await self._candidates(recent),
                                                  self.today(), ahead=not past)]
        if len(fits) == 1:
            return fits[0]
        if fits:
            more = len(fits) - 5
            raise UserError(_("`{name}` could be any of these; use its #id: {meetings}.",
                              name=text, meetings="; ".join(
                                  f"#{m.id} {m.title}, {_.datetime(m.starts_at, self.timezone)}"
                                  for m in fits[:5])) + (" " + _.ngettext(
                                      "One more fits too: `meeting list` shows it.",
                                      "{count} more fit too: `meeting list` shows them.",
                                      more) if more > 0 else ""))
        raise _NoneFits(_("No meeting called `{name}`; use its #id from `meeting list`.",
                          name=text),
                        suggestions=_closest(text, [(m.id, m.title) for m in recent]))

    async def _candidates(self, meetings: list[Meeting]) -> list[Candidate]:
        """``meetings`` as a phrase may name them: with their project, client, day and time."""
        projects = {n: await self.db.project(n) for n in {m.project_id for m in meetings}}
        clients = {n: await self.db.client(n) for n in
                   {p.client_id for p in projects.values() if p and p.client_id}}
        zone = ZoneInfo(self.timezone)
        return [Candidate(m.id, m.title, project.name,
                          client.name if project.client_id and (
                              client := clients.get(project.client_id)) else None,
                          (start := m.starts_at.astimezone(zone)).date(),
                          start.time().replace(second=0, microsecond=0))
                for m in meetings if (project := projects.get(m.project_id))]

    async def started_meetings(self, project_id: int | None = None) -> list[Meeting]:
        """The latest 200 meetings that have started (of one project), newest first."""
        # One that starts this very second has started too.
        started = self.services.clock() + timedelta(seconds=1)
        return list((await self.db.meetings(project_id=project_id, before=started,
                                            limit=200)).rows)

    async def person(self, ref: str) -> Member:
        """A member by platform mention (``<@U123>``), ``@name`` or name."""
        _ = self._
        text = ref.strip()
        if match := _MENTION.match(text):
            if member := await self.db.member_by_external_id(match[1]):
                return member
            raise UserError(_("{who} has not used the bot in this workspace yet.", who=text))
        wanted = fold(text.lstrip("@")).casefold()  # "Lucía" is the member "lucia"
        members = await self.db.members()
        exact = [m for m in members
                 if wanted in {fold(m.name).casefold(), fold(m.external_id).casefold()}]
        if len(exact) == 1:
            return exact[0]
        if len(exact) > 1:
            raise UserError(_("More than one person is called `{name}`; mention them instead.",
                              name=text))
        raise UserError(_("Nobody called `{name}` in this workspace.", name=text),
                        suggestions=_closest(wanted, [(m.id, m.name) for m in members]))


def _closest(word: str, named: list[tuple[int, str]], limit: int = 3) -> list[str]:
    matches = process.extract(word, [name for _id, name in named], scorer=fuzz.WRatio,
                              score_cutoff=55, limit=limit)
    return [match[0] for match in matches]
