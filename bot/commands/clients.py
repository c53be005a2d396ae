"""Client commands: list, create, show, update, delete and archive."""

from __future__ import annotations

import re

from bot.commands import registry
from bot.commands.common import (
    PageNumber,
    add_pager,
    changed_options,
    confirm,
    editable_state,
    filter_words,
    optional_text,
    page_window,
    refuse_past_the_end,
)
from bot.commands.projects import STATUS_LABELS
from bot.context import Context
from bot.core import Field, Reply, Role, UserError
from bot.i18n import N_
from bot.meetings.when import EMAIL
from bot.registry import ClientRef
from storage import name_key
from storage.models import Client, Priority

PRIORITY_LABELS = {Priority.LOW: N_("low"), Priority.MEDIUM: N_("medium"),
                   Priority.HIGH: N_("high")}
_EMAIL = re.compile(rf"^{EMAIL.pattern}$")  # "marta@acme.com?" is no address
_PHONE = re.compile(r"^\+?[\d\s().-]{6,20}$")


def _check(ctx: Context, email: str | None, billing_email: str | None,
           phone: str | None) -> None:
    for value in (email, billing_email):
        if value and not _EMAIL.match(value):
            raise UserError(ctx._("`{value}` is not an email address; write one like "
                                  "ana@acme.com.",
                                  value=value))
    if phone and not _PHONE.match(phone):
        raise UserError(ctx._("`{value}` is not a phone number; write one like "
                              "+34 600 123 456.",
                              value=phone))


def _tags(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return sorted({tag.strip().lstrip("#") for tag in text.split(",") if tag.strip()})


@registry.command("client list", role=Role.MEMBER, aliases=("clients",))
async def client_list(ctx: Context, text: str | None = None, *, segment: str | None = None,
                      archived: bool = False, page: PageNumber = 1) -> Reply:
    """List clients, optionally filtered.

    Args:
        text: Words to look for in the name, company or contact.
        segment: Only clients in this segment.
        archived: List archived clients instead.
        page: Which page of results.

    Examples:
        /client list
        /client list segment:retail
    """
    offset, limit = page_window(page)
    found = await ctx.db.clients(text=filter_words(text), segment=segment, archived=archived,
                                 offset=offset, limit=limit)
    refuse_past_the_end(ctx, page, found)
    if not found.rows:
        hint = ctx._("No clients match.") if (text or segment or archived) else ctx._(
            "No clients yet. Add one with `/client create \"Acme\" email:ana@acme.com`.")
        return Reply(text=hint, status="info")
    items = [f"#{c.id} *{c.name}*" + (f" · {c.company}" if c.company else "")
             + (f" · {c.segment}" if c.segment else "")
             + f" · {ctx._(PRIORITY_LABELS[c.priority])}" for c in found.rows]
    reply = Reply(title=ctx._("Clients"), items=items)
    filters = " ".join(part for part in (text and f'"{text}"', segment and f'segment:"{segment}"',
                                         archived and "--archived") if part)
    add_pager(ctx, reply, page=page, total=found.total, command=f"client list {filters}".strip())
    return reply


@registry.command("client create", role=Role.MANAGER)
async def client_create(ctx: Context, name: str, *, company: str | None = None,
                        contact: str | None = None, email: str | None = None,
                        phone: str | None = None, billing_email: str | None = None,
                        billing_address: str | None = None, tax_id: str | None = None,
                        segment: str | None = None, priority: Priority = Priority.MEDIUM,
                        tags: str | None = None, notes: str | None = None) -> Reply:
    """Add a client.

    Args:
        name: The client's name, unique in the workspace.
        company: Legal company name.
        contact: Contact person.
        email: Contact email.
        phone: Contact phone.
        billing_email: Where invoices go.
        billing_address: Postal address for invoices.
        tax_id: Tax identifier (VAT, NIF, RFC...).
        segment: Market segment, e.g. retail.
        priority: low, medium or high.
        tags: Comma-separated tags.
        notes: Free notes.

    Examples:
        /client create Acme company:"Acme Corp" contact:"Ana Ruiz" email:ana@acme.com
    """
    _ = ctx._
    name = " ".join(name.split())
    if await ctx.db.client_by_name(name):
        raise UserError(_("A client called `{name}` already exists.", name=name))
    _check(ctx, email, billing_email, phone)
    client = await ctx.db.add(Client(
        name=name, name_key=name_key(name), company=optional_text(company),
        contact_name=optional_text(contact), email=optional_text(email),
        phone=optional_text(phone), billing_email=optional_text(billing_email),
        billing_address=optional_text(billing_address), tax_id=optional_text(tax_id),
        segment=optional_text(segment), priority=priority, tags=_tags(tags) or [],
        notes=optional_text(notes), archived=False))
    return Reply(text=_("Client {name} created (#{id}).", name=f"*{client.name}*", id=client.id))


@registry.command("client show", role=Role.MEMBER, aliases=("client history",))
async def client_show(ctx: Context, client: ClientRef) -> Reply:
    """Show a client's contact details, billing (managers and up) and project history.

    Args:
        client: Client name or #id.
    """
    _ = ctx._
    row = await ctx.client(client)
    fields = [Field(label, value) for label, value in (
        (_("Company"), row.company), (_("Contact"), row.contact_name), (_("Email"), row.email),
        (_("Phone"), row.phone), (_("Segment"), row.segment),
        (_("Priority"), _(PRIORITY_LABELS[row.priority])),
        (_("Tags"), ", ".join(row.tags) if row.tags else None)) if value]
    if ctx.can(Role.MANAGER):
        fields += [Field(label, value, inline=False) for label, value in (
            (_("Billing email"), row.billing_email), (_("Billing address"), row.billing_address),
            (_("Tax ID"), row.tax_id)) if value]
    projects = await ctx.db.client_projects(row.id)
    items = [f"#{p.id} *{p.name}* · {_(STATUS_LABELS[p.status])} · {p.progress}%"
             + (f" · {_('due')} {_.date(p.due_date)}" if p.due_date else "") for p in projects]
    title = f"#{row.id} {row.name}" + (f" ({_('archived')})" if row.archived else "")
    if not items:  # said where its projects would be listed, after its details
        fields.append(Field(_("Projects"), _("none yet")))
    return Reply(title=title, text=row.notes or "", fields=fields, items=items)


@registry.command("client update", role=Role.MANAGER, aliases=("client edit",))
async def client_update(ctx: Context, client: ClientRef, *, name: str | None = None,
                        company: str | None = None, contact: str | None = None,
                        email: str | None = None, phone: str | None = None,
                        billing_email: str | None = None, billing_address: str | None = None,
                        tax_id: str | None = None, segment: str | None = None,
                        priority: Priority | None = None, tags: str | None = None,
                        notes: str | None = None) -> Reply:
    """Change a client's details; only the options given change ("" clears one).

    Args:
        client: Client name or #id.
        name: New name.
        company: Legal company name.
        contact: Contact person.
        email: Contact email.
        phone: Contact phone.
        billing_email: Where invoices go.
        billing_address: Postal address for invoices.
        tax_id: Tax identifier.
        segment: Market segment.
        priority: low, medium or high.
        tags: Comma-separated tags (replaces the current ones).
        notes: Free notes.

    Examples:
        /client update acme phone:"+34 600 123 456" priority:high
    """
    _ = ctx._
    row = await ctx.client(client)
    texts = {"company": company, "contact": contact, "email": email, "phone": phone,
             "billing_email": billing_email, "billing_address": billing_address,
             "tax_id": tax_id, "segment": segment, "notes": notes}
    given = {key: value for key, value in texts.items() if value is not None}
    if not given and name is None and priority is None and tags is None:
        raise UserError(_("Say what to change, for example `email:ana@acme.com`."))
    _check(ctx, optional_text(email), optional_text(billing_email), optional_text(phone))
    before = editable_state(row)
    if name is not None:
        name = " ".join(name.split())
        other = await ctx.db.client_by_name(name)
        if other and other.id != row.id:
            raise UserError(_("A client called `{name}` already exists.", name=name))
        row.name, row.name_key = name, name_key(name)
    for option, value in given.items():  # the reply names the options, as they were given
        setattr(row, "contact_name" if option == "contact" else option, optional_text(value))
    if priority is not None:
        row.priority = priority
    if tags is not None:
        row.tags = _tags(tags) or []
    if editable_state(row) == before:  # the same email given again
        return Reply(text=_("{name} already has that; nothing changed.", name=f"*{row.name}*"),
                     status="info")
    changed = [*given, *(k for k, v in (("name", name), ("priority", priority), ("tags", tags))
                         if v is not None)]
    return Reply(text=_("Client {name} updated: {changes}.", name=f"*{row.name}*",
                        changes=changed_options(ctx, changed)))


@registry.command("client archive", role=Role.MANAGER)
async def client_archive(ctx: Context, client: ClientRef, *, undo: bool = False) -> Reply:
    """Archive a client (hidden from lists, kept with its history), or bring it back.

    Args:
        client: Client name or #id.
        undo: Bring an archived client back.
    """
    row = await ctx.client(client)
    name = f"*{row.name}*"
    if row.archived != undo:  # already as asked
        return Reply(text=ctx._("Client {name} is not archived.", name=name) if undo else
                     ctx._("Client {name} is already archived; `--undo` brings it back.",
                           name=name), status="info")
    row.archived = not undo
    return Reply(text=ctx._("Client {name} restored.", name=name) if undo
                 else ctx._("Client {name} archived.", name=name))


@registry.command("client delete", role=Role.ADMIN, aliases=("client remove",))
async def client_delete(ctx: Context, client: ClientRef, *, yes: bool = False) -> Reply:
    """Delete a client; its projects stay, without a client. Asks for confirmation first.

    Args:
        client: Client name or #id.
        yes: Confirm without asking.
    """
    row = await ctx.client(client)
    if not yes:
        count = len(await ctx.db.client_projects(row.id))
        return confirm(ctx, ctx._("This deletes {name}. Its projects ({count}) stay, without a "
                                  "client.", name=f"*{row.name}*", count=count),
                       f"client delete #{row.id}")
    await ctx.db.delete(row)
    return Reply(text=ctx._("Client {name} deleted.", name=f"*{row.name}*"))
