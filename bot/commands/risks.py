"""What in a project's numbers is a risk: shared by ``insights`` and ``ask``."""

from __future__ import annotations

from datetime import timedelta

from bot.commands.common import percent
from bot.context import Context
from bot.core import Role
from storage.models import Project, ProjectStatus


async def project_risks(ctx: Context, row: Project) -> tuple[list[str], list[str]]:
    """What in a project's numbers is a risk, and what is only worth knowing."""
    _ = ctx._
    now = ctx.services.clock()
    risks: list[str] = []
    notes: list[str] = []
    logged = await ctx.db.hours_logged(row.id)
    if row.hourly_rate and row.budget and ctx.can(Role.MANAGER):  # as `project stats` shows it
        used = percent(logged * row.hourly_rate, row.budget)
        line = _("Budget used {used}% at {progress}% progress.", used=used,
                 progress=row.progress)
        (risks if used > row.progress + 15 else notes).append(line)
    if row.estimated_hours:
        share = percent(logged, row.estimated_hours)
        line = _("Hours: {logged} of {estimate} estimated ({share}%).",
                 logged=_.number(logged), estimate=_.number(row.estimated_hours), share=share)
        (risks if share > max(row.progress + 15, 100 if row.progress >= 100 else 0)
         else notes).append(line)
    overdue = [i for i in (await ctx.db.action_items(limit=200, project_id=row.id)).rows
               if i.due_date and i.due_date < ctx.today()]
    if overdue:
        risks.append(_.ngettext("{count} overdue action item: {task}.",
                                "{count} overdue action items, the oldest: {task}.",
                                len(overdue), task=overdue[0].text))
    unsummarised = [m for m in await ctx.db.meetings_without_summary(row.id, now)
                    if m.starts_at + timedelta(minutes=m.duration_minutes) < now]
    if unsummarised:
        risks.append(_.ngettext("{count} past meeting has no summary yet: {title}.",
                                "{count} past meetings have no summary yet, e.g. {title}.",
                                len(unsummarised), title=unsummarised[-1].title))
    last = await ctx.db.last_meeting(row.id, now)
    if last is None:
        notes.append(_("No meetings yet."))
    else:
        # Calendar days where the sender is: a call at 3 PM yesterday was "1 day ago".
        days = (ctx.today() - last.starts_at.astimezone(ctx.now().tzinfo).date()).days
        line = (_.ngettext("Last meeting {count} day ago ({title}).",
                           "Last meeting {count} days ago ({title}).", days, title=last.title)
                if days else _("Last meeting today ({title}).", title=last.title))
        active = row.status in {ProjectStatus.ACTIVE, ProjectStatus.PLANNING}
        (risks if days > 14 and active else notes).append(line)
    if row.due_date and row.due_date < ctx.today() and row.status not in {
            ProjectStatus.COMPLETED, ProjectStatus.CANCELLED}:
        risks.append(_("Past its due date ({date}).", date=_.date(row.due_date)))
    return risks, notes
