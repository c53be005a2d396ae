"""Transcript and action-item commands: add, list, show, resummarize, delete; actions and
actions done."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from bot.commands import registry
from bot.commands.common import (
    PageNumber,
    add_pager,
    confirm,
    forget_after_commit,
    language_code,
    page_window,
    refuse_past_the_end,
)
from bot.context import Context
from bot.core import Reply, Role, UserError
from bot.i18n import N_
from bot.registry import MeetingRef, ProjectRef
from bot.transcripts.model import TranscriptError
from bot.transcripts.pipeline import clock_time, summary_reply
from bot.transcripts.summarize import STOP_WORDS, fold
from storage.models import SummaryItem, Transcript, TranscriptStatus

STATUS_LABELS = {
    TranscriptStatus.PENDING: N_("waiting"), TranscriptStatus.TRANSCRIBING: N_("transcribing"),
    TranscriptStatus.INDEXING: N_("indexing"), TranscriptStatus.SUMMARISING: N_("summarising"),
    TranscriptStatus.DONE: N_("done"), TranscriptStatus.FAILED: N_("failed"),
}


@registry.command("transcript add", role=Role.MEMBER)
async def transcript_add(ctx: Context, meeting: MeetingRef, *,
                         language: str | None = None) -> Reply:
    """Add a meeting's recording or transcript (attach the file); the summary follows.

    Args:
        meeting: The meeting: #id, title or words ("yesterday's standup").
        language: The language spoken, e.g. en or es (default: the one a text transcript
            is written in, else the project's).

    Examples:
        /transcript add #12   (with the file attached; in the console: /upload #12 call.wav)
    """
    _ = ctx._
    pipeline = ctx.services.transcripts
    if pipeline is None:
        raise UserError(_("Transcripts are not set up in this process."))
    if ctx.request.unreadable:
        raise UserError(_("I could not read `{name}`: check that the file exists, then send "
                          "it again.", name=ctx.request.unreadable[0]))
    if not ctx.request.files:
        raise UserError(_("Attach the recording or the transcript to the command (in the "
                          "console: `/upload #12 path/to/file`)."))
    row = await ctx.meeting(meeting, past=True)
    if row.starts_at > ctx.now():
        raise UserError(_("{meeting} starts {when}; add its recording or transcript once it "
                          "has taken place (or add it to the meeting it belongs to).",
                          meeting=row.title, when=_.datetime(row.starts_at, ctx.timezone)))
    project = await ctx.db.project(row.project_id)
    assert project is not None
    spoken = (language_code(ctx, language) or project.language
              or (await ctx.db.workspace()).locale).lower()
    replies, added = [], 0
    earlier = await ctx.db.meeting_transcript(row.id)
    for upload in ctx.request.files:
        try:
            result = await pipeline.ingest(ctx.db, row, upload.filename, upload.content,
                                           created_by=ctx.member_id, language=spoken,
                                           detect_language=language is None)
        except TranscriptError as error:
            raise UserError(_(error.message, **error.values)) from None
        transcript = result.transcript
        added += result.new
        if result.new:
            replies.append(_("`{name}` is transcript #{id} of {title}; I will post the summary "
                             "here when it is ready.", name=transcript.filename,
                             id=transcript.id, title=row.title))
            if earlier is not None and earlier.id != transcript.id:
                # The meeting's summary and answers come from its latest transcript.
                replies.append(_("It takes the place of transcript #{id} (`{name}`) in the "
                                 "meeting's summary; `/transcript delete #{id}` removes that "
                                 "one.", id=earlier.id, name=earlier.filename))
                earlier = transcript
        elif transcript.meeting_id == row.id:
            replies.append(_("`{name}` was already added as transcript #{id}.",
                             name=upload.filename, id=transcript.id))
        else:  # added to another meeting: say which, and how to move it
            held = await ctx.db.meeting(transcript.meeting_id)
            assert held is not None
            replies.append(_("`{name}` was already added as transcript #{id} of {title} "
                             "({date}). If that is the wrong meeting, delete it with "
                             "`/transcript delete #{id}` and add the file again.",
                             name=upload.filename, id=transcript.id, title=held.title,
                             date=_.date(held.starts_at.astimezone(ctx.now().tzinfo).date())))
    ctx.after_commit.append(ctx.services.transcripts_changed)
    # Every file added before: nothing new, which a script (`v1tr0 ingest`) must tell.
    return Reply(text="\n".join(replies), status="ok" if added else "info")


@registry.command("transcript list", role=Role.MEMBER)
async def transcript_list(ctx: Context, project: ProjectRef | None = None, *,
                          page: PageNumber = 1) -> Reply:
    """List transcripts and where each one is in the pipeline.

    Args:
        project: Only this project's transcripts.
        page: Which page of results.
    """
    _ = ctx._
    row = await ctx.project(project) if project else None
    offset, limit = page_window(page)
    found = await ctx.db.transcripts(project_id=row.id if row else None, offset=offset,
                                     limit=limit)
    refuse_past_the_end(ctx, page, found)
    if not found.rows:
        held = (await ctx.started_meetings(row.id if row else None))[:1]
        return Reply(text=_("No transcripts yet. Add one with `/transcript add {meeting}` and "
                            "the file attached.", meeting=f"#{held[0].id}" if held
                            else "<meeting>"), status="info")
    meetings = await ctx.db.meetings_by_id(sorted({t.meeting_id for t in found.rows}))
    reply = Reply(title=_("Transcripts"), items=[
        _line(ctx, t, meetings[t.meeting_id].title if t.meeting_id in meetings else None)
        for t in found.rows])
    add_pager(ctx, reply, page=page, total=found.total,
              command=f'transcript list "{row.name}"' if row else "transcript list")
    return reply


@registry.command("transcript show", role=Role.MEMBER)
async def transcript_show(ctx: Context, transcript: str) -> Reply:
    """Show a transcript's summary, decisions and action items, or its progress.

    Args:
        transcript: The transcript's number, or its meeting in words ("yesterday's call").

    Examples:
        /transcript show 12
        /transcript show the launch review
    """
    _ = ctx._
    row = await _transcript_named(ctx, transcript)
    meeting = await ctx.db.meeting(row.meeting_id)
    assert meeting is not None
    if row.status is not TranscriptStatus.DONE:
        text = _line(ctx, row)
        if row.last_error:
            text += "\n" + _("Last error: {error}",
                             error=TranscriptError.shown(row.last_error, _))
        return Reply(title=_("Transcript #{id}", id=row.id), text=text)
    project = await ctx.db.project(meeting.project_id)
    assert project is not None
    return summary_reply(_, row, meeting, project, await ctx.db.summary_items(row.id),
                         await ctx.db.segments(row.id))


@registry.command("transcript resummarize", role=Role.MEMBER)
async def transcript_resummarize(ctx: Context, transcript: str) -> Reply:
    """Summarise a transcript again (after a failure, or with a better model configured).

    Args:
        transcript: The transcript's number, or its meeting in words ("yesterday's call").
    """
    _ = ctx._
    row = await _transcript_named(ctx, transcript)
    if row.status in {TranscriptStatus.PENDING, TranscriptStatus.TRANSCRIBING}:
        raise UserError(_("Transcript #{id} is still being transcribed.", id=row.id))
    if not await ctx.db.segments(row.id):
        raise UserError(_("Transcript #{id} has no text to summarise; add the file again.",
                          id=row.id))
    row.status, row.attempts, row.last_error = TranscriptStatus.SUMMARISING, 0, None
    row.next_attempt_at, row.claimed_at, row.posted_at = ctx.services.clock(), None, None
    ctx.after_commit.append(ctx.services.transcripts_changed)
    return Reply(text=_("Summarising transcript #{id} again; the new summary will be posted.",
                        id=row.id))


@registry.command("transcript delete", role=Role.MANAGER, aliases=("transcript remove",))
async def transcript_delete(ctx: Context, transcript: str, *, yes: bool = False) -> Reply:
    """Delete a transcript with its summary and action items; asks for confirmation first.

    For a file added to the wrong meeting: delete it, then add it to the right one.

    Args:
        transcript: The transcript's number, or its meeting in words ("yesterday's call").
        yes: Confirm without asking.
    """
    _ = ctx._
    row = await _transcript_named(ctx, transcript)
    meeting = await ctx.db.meeting(row.meeting_id)
    assert meeting is not None
    if not yes:
        return confirm(ctx, _("This deletes transcript #{id} ({name}) of {meeting}, with its "
                              "summary and action items.", id=row.id, name=row.filename,
                              meeting=meeting.title), f"transcript delete #{row.id}")
    await ctx.db.delete(row)
    forget_after_commit(ctx, transcript_id=row.id)
    return Reply(text=_("Transcript #{id} deleted.", id=row.id))


@registry.command("actions", role=Role.MEMBER)
async def actions(ctx: Context, project: ProjectRef | None = None, *,
                  meeting: MeetingRef | None = None, owner: str | None = None,
                  mine: bool = False, overdue: bool = False, done: bool = False,
                  every: bool = False, page: PageNumber = 1) -> Reply:
    """Action items from meetings: open ones first by due date, with owner and source.

    Args:
        project: Only this project's action items; defaults to the channel's project
            (unless `--mine` or `owner:` is given), else every project's.
        meeting: Only those of this meeting (#id, title or words: "yesterday's call").
        owner: Only those of this person, as the meetings name them.
        mine: Only those assigned to you.
        overdue: Only open ones past their due date.
        done: Show finished ones instead.
        every: Every project's, even in a channel bound to one.
        page: Which page of results.

    Examples:
        /actions website --mine
        /actions owner:Marco --overdue
    """
    _ = ctx._
    if overdue and done:
        raise UserError(_("`--overdue` lists open action items; leave out `--done`."))
    owner = " ".join((owner or "").lstrip("@").split()) or None
    if owner and owner.startswith("<@"):  # a mention, as Slack and Discord write it
        owner = (await ctx.person(owner)).name
    if owner and mine:
        raise UserError(_("Give `owner:` or `--mine`, not both."))
    if every and project is not None:
        raise UserError(_("Name a project or give `--every`, not both."))
    # In a project's channel, its items; a person's own are theirs across projects.
    channel = ctx.request.channel_id
    row = (await ctx.project(project) if project else None
           if every or mine or owner or meeting or not channel
           else await ctx.db.bound_project(channel))
    held = await ctx.meeting(meeting, past=True, project_id=row.id if row else None) \
        if meeting else None
    offset, limit = page_window(page)
    today = ctx.today()
    found = await ctx.db.action_items(project_id=row.id if row else None,
                                      meeting_id=held.id if held else None,
                                      owner_id=ctx.member_id if mine else None,
                                      owner_name=owner, done=done,
                                      due_before=today if overdue else None,
                                      offset=offset, limit=limit)
    refuse_past_the_end(ctx, page, found)
    if not found.rows:
        return Reply(text=_("Nothing is overdue.") if overdue else _(
            "No action items for {owner}.", owner=owner) if owner else _(
            "No open action items from {meeting}.", meeting=held.title) if held and not done
            else _("No action items here."), status="info")
    # Across projects, each item says whose it is.
    projects = (await ctx.db.item_projects([i.id for i in found.rows])
                if row is None and held is None else {})
    if projects and len(await ctx.db.project_names()) < 2:
        projects = {}  # the workspace's only project goes without saying
    items = []
    for item in found.rows:
        due = ""
        if item.due_date:
            late = not done and item.due_date < today
            due = f" · {_('due')} {_.date(item.due_date)}" + (f" ⚠ {_('overdue')}" if late
                                                                 else "")
        where = f" · *{projects[item.id]}*" if item.id in projects else ""
        items.append(f"#{item.id} {item.text} — {item.owner_name or _('no owner')}{due}{where}")
    reply = Reply(title=_("Action items for {owner}", owner=owner) if owner else _(
        "Action items from {meeting}", meeting=held.title) if held else _(
        "Action items of {project}", project=row.name) if row else _("Action items"),
                  items=items)
    flags = " ".join(f for f in (owner and f'owner:"{owner}"', mine and "--mine",
                                 overdue and "--overdue", done and "--done",
                                 every and "--every") if f)
    add_pager(ctx, reply, page=page, total=found.total,
              command=" ".join(p for p in ("actions", row and f'"{row.name}"',
                                           held and f"meeting:#{held.id}", flags) if p))
    return reply


@registry.command("actions done", role=Role.MEMBER)
async def actions_done(ctx: Context, item: str, *, undo: bool = False) -> Reply:
    """Mark an action item as done, or open again with `--undo`.

    Args:
        item: The action item's number, from `actions`, or what it says ("the contact form").
        undo: Open it again: it was not done after all.

    Examples:
        /actions done 12
        /actions done the contact form
        /actions done 12 --undo
    """
    _ = ctx._
    if number := _ITEM_NUMBER.fullmatch(item.strip()):
        row = await ctx.db.summary_item(int(number[1]))
        if row is None or row.kind != "action":
            raise UserError(_("There is no action item #{id}.", id=number[1]))
    elif undo:
        raise UserError(_("Give the number of the action item to open again, from `actions "
                          "--done`."))
    else:
        row = await _open_item_said(ctx, item)
    said = f"#{row.id} {row.text}" + (f" ({row.owner_name})" if row.owner_name else "")
    if undo:
        if row.done_at is None:
            raise UserError(_("Action item #{id} is not done.", id=row.id))
        row.done_at, row.done_by = None, None
        return Reply(text=_("Open again: {task}", task=said))
    if row.done_at:
        raise UserError(_("Action item #{id} is already done.", id=row.id))
    row.done_at, row.done_by = ctx.services.clock(), ctx.member_id
    return Reply(text=_("Done: {task}", task=said))


# "12", "#12", "task 12", "la tarea 12": a number.
_ITEM_NUMBER = re.compile(r"(?:(?:the|la|el)\s+)?(?:task|action(?:\s+item)?|item|tarea|"
                          r"acci[oó]n)?\s*#?(\d{1,12})", re.IGNORECASE)
# Words that tell nothing of which task: "the", "task", "lo de", "ya".
_NOT_THE_TASK = re.compile(r"\b(?:the|my|a|an|task|action(?: item)?|item|work on|lo|los|las|"
                           r"la|el|de|del|tarea|mi|mis|ya)\b", re.IGNORECASE)


def words_of(text: str) -> set[str]:
    return {word for word in re.findall(r"[^\W\d_]{3,}", fold(text).casefold())
            if word not in STOP_WORDS}


def same_word(said: str, written: str) -> bool:
    """"diseños" is "diseño", "forms" is "form"; a slip of a letter too."""
    return said == written or (min(len(said), len(written)) >= 4 and (
        said.startswith(written) or written.startswith(said))) or fuzz.ratio(said, written) >= 85


async def _open_item_said(ctx: Context, words: str) -> SummaryItem:
    """The open action item ``words`` describe ("the contact form" for "fix the contact
    form"): every word said is in it, and they are most of it unless there are two or more;
    the sender's own first, in the channel's project when it is bound to one. Several that
    fit are listed rather than one guessed."""
    _ = ctx._
    wanted = words_of(_NOT_THE_TASK.sub(" ", words))
    bound = await ctx.db.bound_project(ctx.request.channel_id) \
        if ctx.request.channel_id else None
    items = (await ctx.db.action_items(project_id=bound.id if bound else None,
                                       limit=500)).rows
    # "The homepage copy draft is done" says a word ("draft") that "review the homepage
    # copy" does not: not that task.
    fits = [item for item in items if wanted and all(
        any(same_word(word, written) for written in words_of(item.text)) for word in wanted)]
    # One word must be most of the task: "the launch is done" says nothing of "book the load
    # test before the launch".
    sure = [item for item in fits
            if len(wanted) >= 2 or 2 * len(wanted) >= len(words_of(item.text))]
    member = await ctx.db.member(ctx.member_id)
    first_name = fold(member.name).casefold().split()[:1] if member else []
    # By name too: who joined after the meeting was summarised owns their tasks all the same.
    mine = [item for item in sure if item.owner_member_id == ctx.member_id or (
        item.owner_member_id is None and item.owner_name and first_name
        and fold(item.owner_name).casefold().split()[:1] == first_name)]
    if len(sure) == 1 or len(mine) == 1:
        return (mine or sure)[0]
    if fits:
        raise UserError(_("`{words}` could be any of these; use its number: {items}.",
                          words=words, items="; ".join(
                              f"#{item.id} {item.text}" for item in fits[:5])))
    raise UserError(_("No open action item matches `{words}`; `actions` lists them with "
                      "their numbers.", words=words))


async def _transcript_named(ctx: Context, ref: str) -> Transcript:
    """A transcript by its number, else the latest of the meeting the words name."""
    if number := re.fullmatch(r"#?(\d{1,12})", ref.strip()):
        return await _transcript(ctx, int(number[1]))
    held = await ctx.meeting(ref, past=True)
    if (found := await ctx.db.meeting_transcript(held.id)) is None:
        raise UserError(ctx._("{meeting} has no transcript yet; add one with `/transcript add "
                              "#{id}` and a file.", meeting=held.title, id=held.id))
    return found


async def _transcript(ctx: Context, number: int) -> Transcript:
    row = await ctx.db.transcript(number)
    if row is None:
        raise UserError(ctx._("There is no transcript #{id}.", id=number))
    return row


def _line(ctx: Context, transcript: Transcript, meeting: str | None = None) -> str:
    """The transcript's number, meeting (when given), file, stage and length."""
    _ = ctx._
    state = _(STATUS_LABELS[transcript.status])
    if transcript.status not in {TranscriptStatus.DONE, TranscriptStatus.FAILED}:
        state += f" {round(transcript.progress * 100)}%"
    length = f" · {clock_time(transcript.duration_seconds)}" \
        if transcript.duration_seconds else ""
    of = f" *{meeting}* ·" if meeting else ""
    return f"#{transcript.id}{of} {transcript.filename} · {state}{length}"

