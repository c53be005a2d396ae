"""``insights``: the risks in a project's numbers, or in every active project's."""

from __future__ import annotations

import json
import logging

from bot.commands import registry
from bot.commands.risks import project_risks
from bot.context import Context
from bot.core import Reply, Role, UserError
from bot.registry import ProjectRef
from storage.models import Project, ProjectStatus

log = logging.getLogger("v1tr0.insights")


@registry.command("insights", role=Role.MEMBER)
async def insights(ctx: Context, project: ProjectRef | None = None, *,
                   every: bool = False) -> Reply:
    """Risks in a project's numbers: budget against progress, hours, overdue actions, meetings.

    Args:
        project: Project name or #id; defaults to the channel's project, else every active
            project.
        every: Every active project, even in a channel bound to one.

    Examples:
        /insights website
        /insights --every
    """
    _ = ctx._
    if every and project is not None:
        raise UserError(_("Name a project or give `--every`, not both."))
    if project is None:
        channel = ctx.request.channel_id
        if every or not (row := await ctx.db.bound_project(channel) if channel else None):
            return await _every_project_insights(ctx)
    else:
        row = await ctx.project(project)
    risks, notes = await project_risks(ctx, row)
    text = _("No risks found.") if not risks else ""
    if ctx.services.llm is not None and (risks or notes):
        text = await _narrative(ctx, row, risks, notes) or text
    return Reply(title=_("Insights for {project}", project=row.name), text=text,
                 items=[f"⚠ {r}" for r in risks] + notes)


async def _every_project_insights(ctx: Context) -> Reply:
    """The risks of every active or planned project, each line naming its project."""
    _ = ctx._
    rows = [row for status in (ProjectStatus.ACTIVE, ProjectStatus.PLANNING)
            for row in (await ctx.db.projects(status=status, limit=100)).rows]
    if not rows:
        raise UserError(_("There are no active or planned projects; name one with "
                          "`insights <project>`."))
    items: list[str] = []
    at_risk = 0
    for row in sorted(rows, key=lambda r: r.name.casefold()):
        risks, _notes = await project_risks(ctx, row)
        at_risk += bool(risks)
        items += [f"⚠ *{row.name}*: {risk}" for risk in risks]
    text = (_.ngettext("{count} of {total} active or planned projects has risks.",
                       "{count} of {total} active or planned projects have risks.", at_risk,
                       total=len(rows)) if at_risk
            else _("No risks found in {total} active or planned projects.", total=len(rows)))
    return Reply(title=_("Insights for every active or planned project"), text=text, items=items)


async def _narrative(ctx: Context, project: Project, risks: list[str],
                     notes: list[str]) -> str | None:
    llm = ctx.services.llm
    assert llm is not None
    try:
        completion = await llm.client.chat.completions.create(
            model=llm.model, max_completion_tokens=200, messages=[
                {"role": "system", "content": "Write two or three plain sentences for a "
                 f"project manager, in {ctx._.locale}, about these findings. No new facts."},
                {"role": "user", "content": json.dumps(
                    {"project": project.name, "risks": risks, "notes": notes},
                    ensure_ascii=False)}])
        return (completion.choices[0].message.content or "").strip() or None
    except Exception:
        log.exception("the language model failed; insights without a narrative")
        return None
