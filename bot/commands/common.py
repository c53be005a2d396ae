"""Small helpers the command modules share."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Annotated, Any

from babel import Locale, UnknownLocaleError
from babel.numbers import is_currency

from bot.context import Context
from bot.core import Button, Reply, UserError
from bot.i18n import N_
from bot.parsing import currency_named
from bot.registry import Money, Range
from storage import Page

PAGE_SIZE = 10


# Which page of a list: the first is 1.
PageNumber = Annotated[int, Range(1, 100_000)]


def page_window(page: int | None) -> tuple[int, int]:
    """``(offset, limit)`` for a 1-based page number."""
    return ((page or 1) - 1) * PAGE_SIZE, PAGE_SIZE


def refuse_past_the_end(ctx: Context, page: int | None, found: Page[Any]) -> None:
    """A page past the last one is a mistake, not an empty list ("No projects yet")."""
    if not found.rows and found.total and (page or 1) > 1:
        raise UserError(ctx._("Page {page} is past the end; the last is `page:{last}`.",
                              page=page, last=_pages(found.total)))


def _pages(total: int) -> int:
    """How many pages ``total`` items fill (one, even when there are none)."""
    return max(1, -(-total // PAGE_SIZE))


def add_pager(ctx: Context, reply: Reply, *, page: int, total: int, command: str) -> None:
    """Say which page this is and offer the next one."""
    pages = _pages(total)
    if pages > 1:
        reply.text += "\n" + ctx._("Page {page} of {pages} ({total} in all).", page=page,
                                   pages=pages, total=total)
    if page < pages:
        reply.buttons.append(Button(ctx._("Next page"), "page.next",
                                    f"{command} page:{page + 1}"))


def currency_of(ctx: Context, amounts: Sequence[Money | None], explicit: str | None,
                fallback: str) -> str:
    """The one currency of money arguments: given apart, named in them, or the default.

    Raises:
        UserError: an unknown code, or amounts (and ``currency:``) naming different ones.
    """
    named = {money.currency.upper() for money in amounts if money and money.currency}
    if explicit:
        named.add(currency_named(explicit) or explicit.upper())  # "€", "euros": EUR
    if len(named) > 1:
        raise UserError(ctx._("A project's budget and rate are in one currency; got {codes}.",
                              codes=", ".join(sorted(named))))
    code = (named.pop() if named else fallback).upper()
    if not is_currency(code):
        raise UserError(ctx._("`{code}` is not a currency code; use one like USD, EUR or MXN.",
                              code=code))
    return code


def confirm(ctx: Context, question: str, command: str) -> Reply:
    """Ask before something that cannot be undone; the button re-runs it with ``--yes``."""
    return Reply(
        title=ctx._("Are you sure?"),
        text=question + "\n" + ctx._("Press Confirm, or run `/{command} --yes`.", command=command),
        buttons=[Button(ctx._("Confirm"), "confirm.yes", f"{command} --yes", style="danger")],
        ephemeral=True, status="info")


def forget_after_commit(ctx: Context, *, project_id: int | None = None,
                        transcript_id: int | None = None) -> None:
    """Once a deleted project or transcript is committed, drop it from the search index
    too; a process that stops in between leaves it to the next start's sweep."""
    pipeline = ctx.services.transcripts
    if pipeline is None or (indexer := pipeline.indexer) is None:
        return
    workspace_id = ctx.workspace_id
    if project_id is not None:
        ctx.after_commit.append(lambda: indexer.forget_project(workspace_id, project_id))
    if transcript_id is not None:
        ctx.after_commit.append(lambda: indexer.forget_transcript(workspace_id, transcript_id))


def filter_words(text: str | None) -> str | None:
    """A list's filter without the word that introduces it: "for acme", "in retail"."""
    if text is None:
        return None
    return re.sub(r"^(?:for|of|in|from|with|at|de|del|en|para|con)\s+", "", text.strip(),
                  flags=re.IGNORECASE) or text


def optional_text(value: str | None) -> str | None:
    """Empty text (``notes:""``) clears a field."""
    if value is None:
        return None
    return value.strip() or None


def percent(part: Decimal, whole: Decimal) -> int:
    """``part`` as a whole percentage of ``whole`` (0 when there is no whole)."""
    return round(part * 100 / whole) if whole else 0


# What an option changes, as a reply names it ("updated: budget, hourly rate").
OPTION_LABELS = {
    "name": N_("name"), "status": N_("status"), "progress": N_("progress"),
    "client": N_("client"), "budget": N_("budget"), "currency": N_("currency"),
    "rate": N_("hourly rate"), "estimate": N_("estimate"), "start": N_("start date"),
    "due": N_("due date"), "language": N_("language"), "description": N_("description"),
    "company": N_("company"), "contact": N_("contact"), "email": N_("email"),
    "phone": N_("phone"), "billing_email": N_("billing email"),
    "billing_address": N_("billing address"), "tax_id": N_("tax id"), "notes": N_("notes"),
    "tags": N_("tags"), "priority": N_("priority"),
}


def changed_options(ctx: Context, options: Iterable[str]) -> str:
    """The options a command changed, named in the asker's language, in its order."""
    return ", ".join(sorted(ctx._(OPTION_LABELS.get(option, option)) for option in options))


def language_code(ctx: Context, code: str | None) -> str | None:
    """A language code speech-to-text understands (``en``, ``es``, ``pt``...), from
    ``es-MX`` or ``ES`` too; None for None.

    Raises:
        UserError: ``code`` names no language.
    """
    if code is None:
        return None
    wanted = code.strip().lower().replace("_", "-").split("-")[0]
    try:
        Locale.parse(wanted)
    except (ValueError, UnknownLocaleError):
        raise UserError(ctx._("`{value}` is not a language code; use one like en or es.",
                              value=code)) from None
    return wanted


def editable_state(row: Any) -> tuple[object, ...]:
    """What an update command may change of a record, to tell whether it changed."""
    return tuple(getattr(row, column.key) for column in type(row).__table__.columns
                 if column.key not in {"id", "workspace_id", "created_at", "updated_at"})
