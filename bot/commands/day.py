"""Your day: the meetings you are in and the action items you owe."""

from __future__ import annotations

from datetime import date, timedelta

from bot.commands import registry
from bot.context import Context
from bot.core import Reply, Role
from bot.meetings.links import meeting_end


@registry.command("day", role=Role.MEMBER)
async def your_day(ctx: Context, when: date | None = None, *, week: bool = False) -> Reply:
    """Your day: the meetings you are in and your open action items due by then.

    Args:
        when: Which day, e.g. tomorrow or friday (default today).
        week: The whole week of that day, Monday to Sunday (from today for this week).

    Examples:
        /day
        /day tomorrow
        /day --week
        /day next week --week
    """
    _ = ctx._
    first = when or ctx.today()
    if week:  # any day of a week stands for it: from its Monday, or from today in this one
        monday = first - timedelta(days=first.weekday())
        first = monday if monday >= ctx.today() or first < ctx.today() else ctx.today()
    end = first + timedelta(days=7 - first.weekday() if week else 1)  # the day after
    last = end - timedelta(days=1)
    meetings = await ctx.db.meetings_of(ctx.member_id, after=ctx.midnight(first),
                                        before=ctx.midnight(end))
    # Due by then, so what is already late comes too.
    owed = (await ctx.db.action_items(owner_id=ctx.member_id, due_before=end, limit=20)).rows
    if not meetings and not owed:
        return Reply(text=_("Nothing on {date}: no meeting you are in and no action item due.",
                            date=_.date(first)) if last == first else _(
            "Nothing from {first} to {last}: no meeting you are in and no action item due.",
            first=_.date(first), last=_.date(last)), status="info")
    projects = dict(await ctx.db.project_names())
    at = _.time if last == first else _.datetime  # over a week, each meeting's day too
    now = ctx.now()
    items = [f"{at(m.starts_at, ctx.timezone)} · *{m.title}*"
             + ("" if m.title == projects[m.project_id] else f" · {projects[m.project_id]}")
             # One that has ended is not joined any more.
             + (f" (`/meeting join #{m.id}`)" if meeting_end(m) > now else f" · {_('ended')}")
             for m in meetings]
    today = ctx.today()
    items += [f"#{i.id} {i.text} · {_('due')} {_.date(i.due_date)}"
              + (f" ⚠ {_('overdue')}" if i.due_date and i.due_date < today else "")
              for i in owed]
    return Reply(title=_("Your agenda for {date}", date=_.date(first)) if last == first else
                 _("Your agenda from {first} to {last}", first=_.date(first),
                   last=_.date(last)), items=items)
