"""Project commands: list, create, show, update, delete, stats, log and bind."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from bot.commands import registry
from bot.commands.common import (
    PAGE_SIZE,
    PageNumber,
    add_pager,
    changed_options,
    confirm,
    currency_of,
    editable_state,
    filter_words,
    forget_after_commit,
    language_code,
    optional_text,
    page_window,
    refuse_past_the_end,
)
from bot.context import Context
from bot.core import Field, Reply, Role, UserError
from bot.i18n import N_
from bot.parsing import read_choice
from bot.registry import ClientRef, Hours, Money, PastDay, ProjectRef, Range
from bot.transcripts.summarize import fold
from storage import name_key
from storage.models import MeetingStatus, Project, ProjectStatus

STATUS_LABELS = {
    ProjectStatus.PLANNING: N_("planning"),
    ProjectStatus.ACTIVE: N_("active"),
    ProjectStatus.ON_HOLD: N_("on hold"),
    ProjectStatus.COMPLETED: N_("completed"),
    ProjectStatus.CANCELLED: N_("cancelled"),
}
Percent = Annotated[int, Range(0, 100)]
DayHours = Annotated[Hours, Range(0.01, 24)]


def _status(ctx: Context, project: Project) -> str:
    return ctx._(STATUS_LABELS[project.status])


def _line(ctx: Context, project: Project) -> str:
    client = f" · {project.client.name}" if project.client else ""
    due = f" · {ctx._('due')} {ctx._.date(project.due_date)}" if project.due_date else ""
    return (f"#{project.id} *{project.name}*{client} · {_status(ctx, project)} · "
            f"{project.progress}%{due}")


BURN_DAYS = 28  # the weekly burn is that of the last four weeks


@registry.command("project list", role=Role.GUEST, aliases=("projects",))
async def project_list(ctx: Context, text: str | None = None, *,
                       status: ProjectStatus | None = None, client: ClientRef | None = None,
                       page: PageNumber = 1) -> Reply:
    """List projects, optionally filtered.

    Args:
        text: Words to look for in the name or description.
        status: Only projects with this status.
        client: Only this client's projects.
        page: Which page of results.

    Examples:
        /project list
        /project list status:active client:acme
    """
    client_row = await ctx.client(client) if client else None
    offset, limit = page_window(page)
    found = await ctx.db.projects(text=filter_words(text), status=status,
                                  client_id=client_row.id if client_row else None,
                                  offset=offset, limit=limit)
    if not found.rows and text and not status and (
            said := read_choice(ProjectStatus, filter_words(text) or text)):
        # "projects on hold", "proyectos activos": no name has the words, a status is meant
        return await project_list(ctx, status=said, client=client, page=page)
    refuse_past_the_end(ctx, page, found)
    if not found.rows:
        hint = ctx._("No projects match.") if (text or status or client) else ctx._(
            "No projects yet. Create one with `/project create \"Name\" client:Acme`.")
        return Reply(text=hint, status="info")
    reply = Reply(title=ctx._("Projects"), items=[_line(ctx, p) for p in found.rows])
    filters = " ".join(part for part in (
        text and f'"{text}"', status and f"status:{status.value}",
        client_row and f'client:"{client_row.name}"') if part)
    add_pager(ctx, reply, page=page, total=found.total,
              command=f"project list {filters}".strip())
    return reply


@registry.command("project create", role=Role.MANAGER)
async def project_create(ctx: Context, name: str, *, client: ClientRef | None = None,
                         budget: Money | None = None, currency: str | None = None,
                         rate: Money | None = None, estimate: Hours | None = None,
                         start: date | None = None, due: date | None = None,
                         status: ProjectStatus = ProjectStatus.PLANNING,
                         language: str | None = None, description: str | None = None) -> Reply:
    """Create a project.

    Args:
        name: The project's name, unique in the workspace.
        client: The client it is for.
        budget: Total budget, e.g. 12000 or "12000 EUR".
        currency: Currency code of the budget and rate (default: the workspace's).
        rate: Hourly rate billed, e.g. 85.
        estimate: Estimated hours of work.
        start: Start date.
        due: Due date, e.g. 2027-03-01 or "in 6 weeks".
        status: planning, active, on_hold, completed or cancelled.
        language: Language spoken in its meetings, e.g. en or es (default: the workspace's).
        description: What the project is about.

    Examples:
        /project create "Website redesign" client:acme budget:12000 due:2027-03-01
        /project create "App MVP" rate:90 estimate:300 status:active
    """
    _ = ctx._
    name = " ".join(name.split())
    if await ctx.db.project_by_name(name):
        raise UserError(_("A project called `{name}` already exists.", name=name))
    if start and due and due < start:
        raise UserError(_("The due date is before the start date."))
    workspace = await ctx.db.workspace()
    client_row = await ctx.client(client) if client else None
    project = await ctx.db.add(Project(
        name=name, name_key=name_key(name), client_id=client_row.id if client_row else None,
        budget=budget.amount if budget else None,
        currency=currency_of(ctx, (budget, rate), currency,
                             workspace.settings.get("currency", "USD")),
        hourly_rate=rate.amount if rate else None, estimated_hours=estimate,
        start_date=start, due_date=due, status=status,
        progress=100 if status is ProjectStatus.COMPLETED else 0,
        language=language_code(ctx, language), description=optional_text(description)))
    said = _("Project {name} created (#{id}).", name=f"*{project.name}*", id=project.id)
    if client_row and client_row.archived:  # hidden from lists: likely not meant
        said += "\n" + _("{client} is archived; `/client archive #{id} --undo` brings it back.",
                         client=client_row.name, id=client_row.id)
    return Reply(text=said, fields=await _fields(ctx, project))


@registry.command("project show", role=Role.GUEST)
async def project_show(ctx: Context, project: ProjectRef | None = None) -> Reply:
    """Show a project's details.

    Args:
        project: Project name or #id; defaults to the channel's project.
    """
    row = await ctx.project(project)
    hours = await ctx.db.hours_logged(row.id)
    fields = [*await _fields(ctx, row), Field(ctx._("Hours logged"), ctx._.number(hours))]
    return Reply(title=f"#{row.id} {row.name}", text=row.description or "", fields=fields)


@registry.command("project update", role=Role.MANAGER, aliases=("project edit",))
async def project_update(ctx: Context, project: ProjectRef | None = None, *,
                         name: str | None = None, status: ProjectStatus | None = None,
                         progress: Percent | None = None, client: ClientRef | None = None,
                         budget: Money | None = None, currency: str | None = None,
                         rate: Money | None = None, estimate: Hours | None = None,
                         start: date | None = None, due: date | None = None,
                         language: str | None = None, description: str | None = None) -> Reply:
    """Change a project's details; only the options given change.

    Args:
        project: Project name or #id; defaults to the channel's project.
        name: New name.
        status: planning, active, on_hold, completed or cancelled.
        progress: Progress in percent, 0 to 100.
        client: The client it is for.
        budget: Total budget, e.g. 12000 or "12000 EUR".
        currency: Currency code of the budget and rate.
        rate: Hourly rate billed.
        estimate: Estimated hours of work.
        start: Start date.
        due: Due date.
        language: Language spoken in its meetings, e.g. en or es.
        description: What the project is about ("" clears it).

    Examples:
        /project update website status:active progress:40
        /project update #3 due:"next friday"
    """
    _ = ctx._
    row = await ctx.project(project)
    changes = {key: value for key, value in {
        "name": name, "status": status, "progress": progress, "client": client, "budget": budget,
        "currency": currency, "rate": rate, "estimate": estimate, "start": start, "due": due,
        "language": language, "description": description}.items() if value is not None}
    if not changes:
        raise UserError(_("Say what to change, for example `status:active` or `progress:50`."))
    before = editable_state(row)
    if name is not None:
        name = " ".join(name.split())
        other = await ctx.db.project_by_name(name)
        if other and other.id != row.id:
            raise UserError(_("A project called `{name}` already exists.", name=name))
        row.name, row.name_key = name, name_key(name)
    called_off = 0
    if status is not None:
        if status is ProjectStatus.CANCELLED and row.status is not ProjectStatus.CANCELLED:
            called_off = await _cancel_meetings_ahead(ctx, row)
        row.status = status
        if status is ProjectStatus.COMPLETED and progress is None:
            row.progress = 100
    if progress is not None:
        row.progress = progress
    if client is not None:
        row.client_id = (await ctx.client(client)).id
    if budget is not None or rate is not None or currency is not None:
        code = currency_of(ctx, (budget, rate), currency, row.currency)
        kept = (row.budget if budget is None else None, row.hourly_rate if rate is None else None)
        if code != row.currency and currency is None and any(v is not None for v in kept):
            # The amount not given would change currency with no word: say so instead.
            raise UserError(_("{name}'s budget and rate are in {current}; to change both to "
                              "{code}, add `currency:{code}`.", name=row.name,
                              current=row.currency, code=code))
        row.currency = code
    if budget is not None:
        row.budget = budget.amount
    if rate is not None:
        row.hourly_rate = rate.amount
    if estimate is not None:
        row.estimated_hours = estimate
    if start is not None:
        row.start_date = start
    if due is not None:
        row.due_date = due
    if row.start_date and row.due_date and row.due_date < row.start_date:
        raise UserError(_("The due date is before the start date."))
    if description is not None:
        row.description = optional_text(description)
    if language is not None:
        row.language = language_code(ctx, language)
    if row.status is ProjectStatus.COMPLETED and row.progress < 100:
        # "el progreso de website es 70%" on a completed project: a completed one is at 100 %.
        raise UserError(_("{name} is completed, so at 100%; `/project update #{id} "
                          "status:active progress:{progress}` reopens it at {progress}%.",
                          name=row.name, id=row.id, progress=row.progress))
    if editable_state(row) == before:  # "status:cancelled" on a cancelled project, said again
        return Reply(text=_("{name} already has that; nothing changed.", name=f"*{row.name}*"),
                     status="info", fields=await _fields(ctx, row))
    said = _("Project {name} updated: {changes}.", name=f"*{row.name}*",
             changes=changed_options(ctx, changes))
    if called_off:
        said += "\n" + _.ngettext("Its meeting still ahead was cancelled too.",
                                  "Its {count} meetings still ahead were cancelled too.",
                                  called_off)
    return Reply(text=said, fields=await _fields(ctx, row))


async def _cancel_meetings_ahead(ctx: Context, project: Project) -> int:
    """Cancel a cancelled project's meetings still to come (their reminders withdrawn, as
    `meeting cancel` does); how many there were. A meeting under way is left to end."""
    ahead = (await ctx.db.meetings(project_id=project.id, after=ctx.services.clock(),
                                   cancelled=False, limit=10_000)).rows
    for meeting in ahead:
        meeting.status = MeetingStatus.CANCELLED
        meeting.sequence += 1
        await ctx.db.cancel_reminders(meeting)
    if ahead:
        ctx.after_commit.append(ctx.services.reminders_changed)
    return len(ahead)


@registry.command("project delete", role=Role.ADMIN, aliases=("project remove",))
async def project_delete(ctx: Context, project: ProjectRef | None = None, *,
                         yes: bool = False) -> Reply:
    """Delete a project with its logged hours; asks for confirmation first.

    Args:
        project: Project name or #id; defaults to the channel's project.
        yes: Confirm without asking.
    """
    row = await ctx.project(project)
    if not yes:
        hours = await ctx.db.hours_logged(row.id)
        meetings = (await ctx.db.meetings(project_id=row.id, limit=1)).total
        transcripts = (await ctx.db.transcripts(project_id=row.id, limit=1)).total
        return confirm(ctx, ctx._(
            "This deletes {name} with everything in it: {hours} h logged, {meetings} and "
            "{transcripts}.", name=f"*{row.name}*", hours=ctx._.number(hours),
            meetings=ctx._.ngettext("{count} meeting", "{count} meetings", meetings),
            transcripts=ctx._.ngettext("{count} transcript", "{count} transcripts",
                                       transcripts)), f"project delete #{row.id}")
    await ctx.db.delete(row)
    forget_after_commit(ctx, project_id=row.id)
    return Reply(text=ctx._("Project {name} deleted.", name=f"*{row.name}*"))


async def _someone_else(ctx: Context, note: str, project: Project) -> str | None:
    """The other person a note only names, if any: a member ("ana", "de Sofía"), someone
    who speaks in the project's meetings ("pedro" for "Pedro Ruiz"), or anyone "on behalf
    of" whom the hours are said to be."""
    if behalf := re.match(r"^(?:on )?behalf of\s+(?P<who>.+)$|^de parte de\s+(?P<de>.+)$",
                          note.strip(), flags=re.IGNORECASE):
        return behalf["who"] or behalf["de"]  # whoever it is, member or not
    said = re.sub(r"^(?:for|para|de|por)\s+", "", note.strip(), flags=re.IGNORECASE).casefold()
    if len(said.split()) > 3:
        return None  # "the hero section": a note, not a name
    members = await ctx.db.members()
    if other := next((member.name for member in members
                      if member.id != ctx.member_id and said == member.name.casefold()), None):
        return other
    me = _forms(next((m.name for m in members if m.id == ctx.member_id), ""))
    return next((speaker for speaker in await ctx.db.speakers(project.id)
                 if fold(said) in (forms := _forms(speaker)) and not me & forms), None)


def _forms(name: str) -> set[str]:
    """How a person may be called: the whole name and the first name, folded."""
    folded = fold(name).casefold()
    return {folded, *folded.split()[:1]} if folded else set()


@registry.command("project log", role=Role.MEMBER)
async def project_log(ctx: Context, hours: DayHours, project: ProjectRef | None = None, *,
                      note: str | None = None, on: PastDay | None = None) -> Reply:
    """Log hours worked on a project.

    Args:
        hours: Hours worked, e.g. 2.5, 1h30 or 90m.
        project: Project name or #id; defaults to the channel's project.
        note: What the time went on.
        on: The day worked (default today), e.g. yesterday or 2026-11-20.

    Examples:
        /project log 2.5 website note:"design review"
        /project log 1h30 on:yesterday
    """
    _ = ctx._
    row = await ctx.project(project)
    work_date = on or ctx.today()
    if work_date > ctx.today():
        raise UserError(_("You cannot log hours for a future day ({date}).",
                          date=_.date(work_date)))
    if row.start_date and work_date < row.start_date:
        raise UserError(_("{name} starts on {start}; log hours from then on, or move its start "
                          "with `/project update #{id} start:{day}`.", name=row.name,
                          start=_.date(row.start_date), id=row.id, day=work_date.isoformat()))
    if row.status is ProjectStatus.CANCELLED:
        raise UserError(_("{name} is cancelled; reopen it with `/project update #{id} "
                          "status:active` to log hours on it.", name=row.name, id=row.id))
    if note and (who := note.strip() if note.lstrip().startswith(("@", "<@"))
                 else await _someone_else(ctx, note, row)):
        # "log 3h on website for @ana" (or "for ana"): the hours would be the sender's, with
        # Ana as a note.
        raise UserError(_("Hours are logged by whoever worked them: ask {who} to log theirs.",
                          who=who))
    if (already := await ctx.db.hours_on(ctx.member_id, work_date)) + hours > 24:
        raise UserError(_("You already logged {hours} h on {date}; a day has 24.",
                          hours=_.number(already), date=_.date(work_date)))
    note = optional_text(note)
    if note and note.casefold() in {"me", "myself", "mí", "mi"}:
        note = None  # "log 1h on brand for me": the sender's own, which hours always are
    await ctx.db.log_time(row, ctx.member_id, hours, work_date, note)
    said = {"hours": _.number(hours), "name": f"*{row.name}*", "date": _.date(work_date)}
    return Reply(text=_("Logged {hours} h on {name} for {date}: {note}.", note=note, **said)
                 if note else _("Logged {hours} h on {name} for {date}.", **said))


@registry.command("project stats", role=Role.MEMBER)
async def project_stats(ctx: Context, project: ProjectRef | None = None) -> Reply:
    """Hours against the estimate, budget used, weekly burn and days to the due date.

    Args:
        project: Project name or #id; defaults to the channel's project.
    """
    _ = ctx._
    row = await ctx.project(project)
    today = ctx.today()
    logged = await ctx.db.hours_logged(row.id)
    recent = await ctx.db.hours_by_day(row.id, today - timedelta(days=BURN_DAYS - 1))
    # Over the last four weeks, or since the project started (its first hour, without a
    # start date): 8 h logged on its first day is no 2 h a week. A week at least.
    started = row.start_date or min((day for day, _h in recent), default=today)
    days = min(BURN_DAYS, max(7, (today - started).days + 1))
    weekly = sum((h for _day, h in recent), Decimal(0)) * 7 / days
    closed = row.status in {ProjectStatus.COMPLETED, ProjectStatus.CANCELLED}
    fields = [Field(_("Status"), f"{_status(ctx, row)} · {row.progress}%"),
              Field(_("Hours logged"), _.number(logged))]
    if row.estimated_hours:
        fields.append(Field(_("Hours vs estimate"), _("{used} of {total} ({percent}%)",
                      used=_.number(logged), total=_.number(row.estimated_hours),
                      percent=_percent(logged, row.estimated_hours))))
    fields.append(Field(_("Burn per week"), _("{hours} h (last {weeks} weeks)",
                                              hours=_.number(weekly), weeks=BURN_DAYS // 7)
                        if days == BURN_DAYS else _("{hours} h (since {day})",
                                                    hours=_.number(weekly), day=_.date(started))))
    warnings: list[str] = []
    if ctx.can(Role.MANAGER) and row.hourly_rate is None and row.budget:
        fields.append(Field(_("Budget used"), _("unknown of {total}: no hourly rate is set "
                                                "(`/project update #{id} rate:…`)",
                                                total=_.money(row.budget, row.currency),
                                                id=row.id)))
    if ctx.can(Role.MANAGER) and row.hourly_rate is not None:
        spent = logged * row.hourly_rate
        fields.append(Field(_("Cost per week"), _.money(weekly * row.hourly_rate, row.currency)))
        if row.budget:
            fields.append(Field(_("Budget used"), _("{used} of {total} ({percent}%)",
                          used=_.money(spent, row.currency), total=_.money(row.budget,
                          row.currency), percent=_percent(spent, row.budget))))
            if weekly > 0 and spent < row.budget and not closed:  # no forecast once closed
                left_weeks = (row.budget - spent) / (weekly * row.hourly_rate)
                runs_out = today + timedelta(days=int(left_weeks * 7))
                fields.append(Field(_("Budget runs out"), _.date(runs_out)))
                if row.due_date and runs_out < row.due_date:
                    warnings.append(_("At this pace the budget runs out before the due date."))
            if spent >= row.budget:
                warnings.append(_("The budget is used up."))
            elif _percent(spent, row.budget) > row.progress + 20:
                warnings.append(_("Budget used is well ahead of progress."))
    if row.due_date:
        days = (row.due_date - today).days
        fields.append(Field(_("Due"), _.date(row.due_date) + ("" if closed else " · " + (
            _("days left: {days}", days=days) if days >= 0 else _("days overdue: {days}",
                                                                   days=-days)))))
        if days < 0 and not closed:
            warnings.append(_("The project is past its due date."))
    if row.estimated_hours and logged > row.estimated_hours:
        warnings.append(_("Hours logged are over the estimate."))
    by_member = await ctx.db.hours_by_member(row.id)
    items = [f"{name}: {_.number(hours)} h" for name, hours in by_member[:PAGE_SIZE]]
    return Reply(title=_("Stats for {name}", name=row.name), fields=fields,
                 items=items, text="\n".join(f"⚠ {w}" for w in warnings))


@registry.command("project bind", role=Role.MANAGER)
async def project_bind(ctx: Context, project: ProjectRef | None = None, *,
                       off: bool = False) -> Reply:
    """Make a project this channel's default, so commands here need not name it.

    Args:
        project: Project name or #id.
        off: Remove this channel's default project instead.
    """
    _ = ctx._
    channel = ctx.request.channel_id
    if not channel:
        raise UserError(_("Binding needs a channel: run this in the project's channel."))
    if off:
        removed = await ctx.db.unbind_channel(channel)
        return Reply(text=_("This channel has no default project now.") if removed
                     else _("This channel had no default project."))
    if project is None:
        raise UserError(_("Name the project to bind, for example `/project bind website`."))
    row = await ctx.project(project)
    await ctx.db.bind_channel(channel, row)
    return Reply(text=_("Commands in this channel now default to {name}.", name=f"*{row.name}*"))


async def _fields(ctx: Context, project: Project) -> list[Field]:
    _ = ctx._
    fields = [Field(_("Status"), _status(ctx, project)),
              Field(_("Progress"), f"{project.progress}%")]
    if project.client_id and (client := await ctx.db.client(project.client_id)):
        fields.append(Field(_("Client"), client.name))
    if ctx.can(Role.MANAGER):
        if project.budget is not None:
            fields.append(Field(_("Budget"), _.money(project.budget, project.currency)))
        if project.hourly_rate is not None:
            fields.append(Field(_("Hourly rate"), _.money(project.hourly_rate, project.currency)))
    if project.estimated_hours is not None:
        fields.append(Field(_("Estimate"), f"{_.number(project.estimated_hours)} h"))
    if project.start_date:
        fields.append(Field(_("Start"), _.date(project.start_date)))
    if project.due_date:
        fields.append(Field(_("Due"), _.date(project.due_date)))
    return fields


def _percent(part: Decimal, whole: Decimal) -> int:
    return int((part * 100 / whole).to_integral_value(ROUND_HALF_UP)) if whole else 0
