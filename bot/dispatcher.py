"""The dispatcher: one request in, one reply out, one transaction in between."""

from __future__ import annotations

import inspect
import logging
import re
import secrets
import time
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.exc import IntegrityError

from bot.context import Context
from bot.core import Reply, Request, Role, UnknownCommand, UserError
from bot.i18n import DEFAULT_LOCALE, Translator, normalize_locale, translator
from bot.parsing import ConvertContext, bind, convert_all, find_command, tokenize
from bot.ports import Services
from bot.registry import Command, Registry
from bot.routing import (
    Router,
    is_a_yes,
    is_acknowledgement,
    is_thanks,
    mentioned,
    named_by_a_word,
    project_mentioned,
    the_one_holding,
)
from storage import Database, Identity, Store, WorkspaceStore
from storage.models import Member, ValueTooLong, Workspace

log = logging.getLogger("v1tr0.dispatcher")

# Control characters other than tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SENDER_TTL = 60.0  # seconds; roles are re-read in every transaction, so this only saves I/O


@dataclass(frozen=True, slots=True)
class Sender:
    """Who a platform user is in our database, cached between requests."""

    workspace_id: int
    member_id: int
    role: Role
    locale: str
    timezone: str
    expires: float


@dataclass(frozen=True, slots=True)
class _WorkspaceProjects:
    """The routing rules' view of one workspace's projects (see ``ProjectLookup``)."""

    db: Database
    workspace_id: int
    channel_id: str | None

    async def bound(self) -> str | None:
        if self.channel_id is None:
            return None
        async with self.db.transaction() as store:
            project = await store.scoped(self.workspace_id).bound_project(self.channel_id)
            return f"#{project.id}" if project else None

    async def named(self, name: str) -> str | None:
        async with self.db.transaction() as store:
            scoped = store.scoped(self.workspace_id)
            project = await scoped.project_by_name(name)
            if project is None and (client := await scoped.client_called(name)):
                # its current project, or none when it has several under way (the command
                # then asks which): a word of one of their names is no answer
                project = await scoped.current_project(client.id)
                return f"#{project.id}" if project else None
            if project is None and (
                    only := the_one_holding(name, await scoped.project_names())) is not None:
                return f"#{only}"
            return f"#{project.id}" if project else None

    async def mentioned(self, text: str) -> str | None:
        async with self.db.transaction() as store:
            project = await project_mentioned(store.scoped(self.workspace_id), text)
            return f"#{project.id}" if project else None

    async def client(self, text: str, *, exact: bool = False) -> str | None:
        async with self.db.transaction() as store:
            if exact:
                called = await store.scoped(self.workspace_id).client_called(text)
                return f"#{called.id}" if called else None
            names = await store.scoped(self.workspace_id).client_names()
            found = mentioned(text, names)
            found = found if found is not None else named_by_a_word(text, names)
            return f"#{found}" if found is not None else None


# "Who is the contact at Acme?", "el teléfono de acme": a client's record, not a project card.
_CLIENT_DETAILS = re.compile(r"\b(?:contacts?|e-?mails?|phones?|billing|invoices?|tax id|"
                             r"contactos?|correos?|tel[eé]fonos?|factura\w*)\b", re.IGNORECASE)


class Dispatcher:
    """Runs commands for every front door.

    It resolves the workspace and member (the first member of a new workspace becomes its
    owner), parses and converts the arguments, checks the role, runs the handler in one
    transaction, and turns mistakes into clear messages and faults into a reference.

    Example:
        >>> dispatcher = Dispatcher(Database("sqlite:///data/v1tr0.db"), registry)  # doctest: +SKIP
        >>> reply = await dispatcher.handle(  # doctest: +SKIP
        ...     Request("console", "local", "me", "project list"))
    """

    def __init__(self, db: Database, registry: Registry, *, services: Services | None = None,
                 default_locale: str = DEFAULT_LOCALE, default_timezone: str = "UTC") -> None:
        self.db = db
        self.registry = registry
        self.services = services or Services()
        self.router = Router(registry)
        self.default_locale = default_locale
        self.default_timezone = default_timezone
        self._senders: dict[tuple[str, str, str], Sender] = {}

    async def handle(self, request: Request) -> Reply:
        """Answer one request. Never raises: every outcome is a :class:`Reply`."""
        request = _without_control_characters(request)
        _ = translator(normalize_locale(request.locale) or self.default_locale)
        command: Command | None = None
        try:
            sender = await self._sender(request)
            _ = translator(sender.locale)
            tokens = tokenize(request.text.strip())
            try:
                command, used = find_command(self.registry, tokens, _)
                values = bind(command, tokens[used:], _, self.registry) if request.args is None \
                    else request.args
            except UnknownCommand as unknown:
                if request.text.lstrip().startswith("/") or request.args is not None:
                    raise  # a mistyped slash command: say so, with suggestions
                if is_thanks(request.text):
                    return Reply(text=_("You're welcome!"), status="info")
                if is_acknowledgement(request.text):
                    return Reply(text="👍", status="info")
                if is_a_yes(request.text):
                    return Reply(status="info", text=_(
                        "Nothing here is waiting for a yes: to confirm, press Confirm on the "
                        "message that asks, or run its command again with `--yes`."))
                command, values = await self._route(request, sender, _, unknown)
            if not command.transactional:
                return await self._run(command, values, self._context(request, command, sender))
            async with self.db.transaction() as store:
                # The role is read again inside the transaction: the cache only saves I/O.
                identity = await store.workspaces.identity(sender.member_id)
                if identity is None:  # the member or workspace was removed meanwhile
                    self._senders.pop(_key(request), None)
                    raise LookupError("member vanished between requests")
                sender = self._remember(request, identity)
                _ = translator(sender.locale)
                ctx = self._context(request, command, sender, store.scoped(sender.workspace_id))
                reply = await self._run(command, values, ctx)
            if ctx.settings_changed:
                self.forget_workspace(sender.workspace_id)
            for callback in ctx.after_commit:
                try:
                    if inspect.isawaitable(done := callback()):
                        await done
                except Exception:  # committed already: the reply stands; the log says why
                    log.exception("after %s: %s failed", command.name, callback)
            return reply
        except UserError as error:
            return _error_reply(error, command, _)
        except ValueTooLong as error:
            return _error_reply(UserError(_("`{name}` is too long: at most {limit} characters.",
                                            name=error.field, limit=error.limit)), command, _)
        except Exception:
            ref = secrets.token_hex(4)
            log.exception("ref %s: %s %s/%s %r failed", ref, request.platform, request.team_id,
                          request.user_id, request.text[:500])  # a 100 KB line stays there
            return Reply(text=_("Something went wrong (ref {ref}). It has been logged; "
                                "please try again.", ref=ref), status="error", ephemeral=True)

    async def _run(self, command: Command, values: dict[str, Any], ctx: Context) -> Reply:
        _ = ctx._
        if ctx.role < command.role:
            raise UserError(_("`{command}` needs the {role} role or higher; you are {mine}. "
                              "Ask an admin to change your role.", command=command.name,
                              role=ctx.role_label(command.role),
                              mine=ctx.role_label(ctx.role)))
        args = convert_all(command, values, ConvertContext(_, ctx.timezone, ctx.services.clock))
        return await command.handler(ctx, **args)

    async def _route(self, request: Request, sender: Sender, _: Translator,
                     unknown: UnknownCommand) -> tuple[Command, dict[str, Any]]:
        """Free text (a mention, a direct message) to the command it asks for."""

        projects = _WorkspaceProjects(self.db, sender.workspace_id, request.channel_id)
        routed = await self.router.route(
            request.text, projects=projects, llm=self.services.llm,
            mistyped=unknown.mistyped, files=bool(request.files))
        if routed and routed.problem:
            raise UserError(_(routed.problem))
        command = self.registry.get(routed.command) if routed else None
        if command is not None and command.name == "ask" and (
                card := await self._card_instead(sender, command, request.text, projects)):
            return card
        if routed is None or command is None:
            if unknown.mistyped or not request.text.strip():
                raise unknown  # "projct list": the command's name, mistyped; or nothing
            raise UserError(_("I did not catch that. Try a question (\"what did we decide "
                              "about the launch date?\"), \"log 3h on Website\", \"set up a "
                              "call with Acme next Tuesday at 3pm\", or `help`."))
        return command, routed.args

    async def _card_instead(self, sender: Sender, ask: Command, text: str,
                            projects: _WorkspaceProjects) -> tuple[Command, dict[str, Any]] | None:
        """For a guest asking about a project ("what's the status of website?"), its card,
        which guests may see, rather than a refusal of `ask` (the role is read afresh: the
        cache may be older than a role change). Not for a client's details: the card holds
        none, and a guest may not see them."""
        card = self.registry.get("project show")
        if _CLIENT_DETAILS.search(text):
            return None
        async with self.db.transaction() as store:
            identity = await store.workspaces.identity(sender.member_id)
        role = Role.parse(identity.role) if identity else sender.role
        if card is None or role >= ask.role or role < card.role or not (
                project := await projects.mentioned(text)):
            return None
        return card, {"project": project}

    def _context(self, request: Request, command: Command, sender: Sender,
                 store: WorkspaceStore | None = None) -> Context:
        return Context(request=request, command=command, role=sender.role,
                       _=translator(sender.locale), timezone=sender.timezone,
                       registry=self.registry, workspace_id=sender.workspace_id,
                       member_id=sender.member_id, store=store, services=self.services)

    async def _sender(self, request: Request) -> Sender:
        cached = self._senders.get(_key(request))
        if cached and cached.expires > time.monotonic():
            return cached
        for attempt in range(2):
            try:
                async with self.db.transaction() as store:
                    workspace, member = await self._find_or_create(store, request)
                return self._remember(request, Identity(
                    workspace.id, member.id, member.role, member.locale, member.timezone,
                    workspace.locale, workspace.timezone))
            except IntegrityError:
                if attempt:  # two first contacts raced; the second attempt finds the rows
                    raise
        raise AssertionError("unreachable")

    async def _find_or_create(self, store: Store, request: Request) -> tuple[Workspace, Member]:
        workspace, member = await store.workspaces.find_identity(
            request.platform, request.team_id, request.user_id)
        if workspace is None:
            workspace = await store.workspaces.add_workspace(
                platform=request.platform, external_id=request.team_id,
                name=(request.workspace_name or request.team_id)[:200],
                locale=normalize_locale(request.locale) or self.default_locale,
                timezone=self.default_timezone, settings={})
        if member is None:
            member = await store.workspaces.add_member(
                workspace, request.user_id, (request.user_name or request.user_id)[:200])
        elif request.user_name and member.name != request.user_name[:200]:
            member.name = request.user_name[:200]
        return workspace, member

    def _remember(self, request: Request, identity: Identity) -> Sender:
        sender = Sender(
            workspace_id=identity.workspace_id, member_id=identity.member_id,
            role=Role.parse(identity.role),
            locale=identity.member_locale or normalize_locale(request.locale)
            or identity.workspace_locale,
            timezone=identity.member_timezone or identity.workspace_timezone,
            expires=time.monotonic() + _SENDER_TTL)
        self._senders[_key(request)] = sender
        return sender

    def forget_workspace(self, workspace_id: int) -> None:
        """Drop cached senders of a workspace (after its settings change)."""
        for key in [k for k, v in self._senders.items() if v.workspace_id == workspace_id]:
            del self._senders[key]


def _without_control_characters(request: Request) -> Request:
    """The request with no control characters in its text or arguments: no chat sends them,
    and PostgreSQL refuses NUL in text."""
    args = request.args
    if args is not None and any(isinstance(v, str) and _CONTROL.search(v) for v in args.values()):
        args = {k: _CONTROL.sub("", v) if isinstance(v, str) else v for k, v in args.items()}
    if args is request.args and not _CONTROL.search(request.text):
        return request
    return replace(request, text=_CONTROL.sub("", request.text), args=args)


def _key(request: Request) -> tuple[str, str, str]:
    return (request.platform, request.team_id, request.user_id)


def _error_reply(error: UserError, command: Command | None, _: Translator) -> Reply:
    lines = [error.message]
    if error.suggestions:
        lines.append(_("Did you mean: {names}?", names=", ".join(f"`{s}`" for s in
                                                               error.suggestions)))
    if command is not None:
        lines.append(_("Usage: `{usage}`", usage=command.usage()))
    return Reply(text="\n".join(lines), status="error", ephemeral=True)
