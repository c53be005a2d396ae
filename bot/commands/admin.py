"""Workspace commands: roles, settings and help."""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, available_timezones

from rapidfuzz import fuzz, process

from bot.commands import registry
from bot.commands.common import currency_of
from bot.commands.meetings import FOLLOWUP_MINUTES, REMINDER_MINUTES
from bot.context import Context
from bot.core import Field, Reply, Role, UserError
from bot.i18n import SUPPORTED_LOCALES, normalize_locale, translator
from bot.meetings.jitsi import MIN_SECRET_BYTES, normalize_server
from bot.meetings.links import workspace_jitsi
from bot.registry import Command, MemberRef, Range
from bot.transcripts.summarize import fold
from storage.models import MemberRole

MinutesArg = Annotated[int, Range(0, 24 * 60)]


@registry.command("role", role=Role.MEMBER, aliases=("roles", "role list"))
async def role(ctx: Context, person: MemberRef | None = None, new_role: MemberRole | None = None,
               ) -> Reply:
    """See who has which role, or give someone a role (admins and owners).

    Args:
        person: The person: a mention, @name or name. Leave out to list everyone.
        new_role: guest, member, manager, admin or owner.

    Examples:
        /role
        /role @ana manager
    """
    _ = ctx._
    if person is None:
        members = await ctx.db.members()
        return Reply(title=_("Roles"), items=[
            f"{m.name} · {ctx.role_label(Role.parse(m.role))}" for m in members])
    target = await ctx.person(person)
    if new_role is None:
        return Reply(text=_("{name} is {role}.", name=target.name,
                            role=ctx.role_label(Role.parse(target.role))))
    ctx.require(Role.ADMIN, _("change roles"))
    wanted, current = Role.parse(new_role), Role.parse(target.role)
    if Role.OWNER in {wanted, current}:
        ctx.require(Role.OWNER, _("grant or take away the owner role"))
    if current is Role.ADMIN and target.id != ctx.member_id:
        # As in Slack: an admin may make admins, but only an owner unmakes one.
        ctx.require(Role.OWNER, _("change another admin's role"))
    if current is Role.OWNER and wanted is not Role.OWNER and await ctx.db.count_owners() <= 1:
        raise UserError(_("{name} is the only owner; make someone else owner first.",
                          name=target.name))
    if wanted is current:
        return Reply(text=_("{name} is already {role}.", name=target.name,
                            role=ctx.role_label(wanted)), status="info")
    target.role = new_role
    return Reply(text=_("{name} is now {role}.", name=target.name,
                        role=ctx.role_label(wanted)))


@registry.command("settings", role=Role.GUEST)
async def settings(ctx: Context, *, timezone: str | None = None, language: str | None = None,
                   currency: str | None = None, reminder: MinutesArg | None = None,
                   followup: MinutesArg | None = None, jitsi_url: str | None = None,
                   jitsi_app_id: str | None = None, jitsi_secret: str | None = None,
                   me: bool = False) -> Reply:
    """Show or change the workspace's time zone, language and currency, or your own.

    Args:
        timezone: A time zone such as Europe/Madrid or America/Mexico_City.
        language: en or es (English or Spanish).
        currency: Default currency code for new projects, e.g. EUR.
        reminder: Minutes before a meeting to post its link (default 10).
        followup: Minutes after a meeting to ask for its recording (default 5).
        jitsi_url: Your own Jitsi server, e.g. https://meet.example.com ("" for meet.jit.si).
        jitsi_app_id: The app id of your Jitsi server's token authentication.
        jitsi_secret: Its shared secret; links then carry a signed token per person.
        me: Change your own time zone and language instead of the workspace's ("" for the
            workspace's again).

    Examples:
        /settings
        /settings timezone:Europe/Madrid language:es
        /settings language:en --me
        /settings timezone:"" --me
    """
    _ = ctx._
    workspace = await ctx.db.workspace()
    member = await ctx.db.member(ctx.member_id)
    assert member is not None  # the sender, read in this transaction
    # Your own, given empty: the workspace's again.
    unset = {name for name, value in (("timezone", timezone), ("language", language))
             if me and value is not None and not value.strip()}
    timezone = None if "timezone" in unset else timezone
    language = None if "language" in unset else language
    zone = _timezone(ctx, timezone) if timezone is not None else None
    chosen = None
    if language is not None:
        chosen = normalize_locale(language)
        if chosen is None:
            raise UserError(_("`{value}` is not a language I speak; use one of: {options}.",
                              value=language, options=", ".join(SUPPORTED_LOCALES)))
    if currency is not None:
        currency = currency_of(ctx, (), currency, "USD")
    extra = _workspace_extras(ctx, currency=currency, reminder=reminder, followup=followup,
                              jitsi_url=jitsi_url, jitsi_app_id=jitsi_app_id,
                              jitsi_secret=jitsi_secret)
    if me:
        if extra:
            said = {"currency": currency, "reminder": reminder, "followup": followup,
                    "jitsi_url": jitsi_url, "jitsi_app_id": jitsi_app_id,
                    "jitsi_secret": jitsi_secret}  # as typed: `reminder:`, not its key
            raise UserError(_("{names}: workspace settings; leave out `--me`.", names=", ".join(
                f"`{name}:`" for name, value in said.items() if value is not None)))
        member.timezone = None if "timezone" in unset else zone or member.timezone
        member.locale = None if "language" in unset else chosen or member.locale
    elif zone or chosen or extra:
        ctx.require(Role.ADMIN, _("change workspace settings"))
        workspace.timezone = zone or workspace.timezone
        workspace.locale = chosen or workspace.locale
        workspace.settings = {key: value for key, value in {**workspace.settings,
                              **extra}.items() if value is not None}
    changed = bool(zone or chosen or extra or unset)
    ctx.settings_changed = changed
    _ = translator(member.locale or workspace.locale)  # answer in the language just chosen
    options = workspace.settings
    jitsi = options.get("jitsi_url") or ctx.services.jitsi.server
    jitsi_config = workspace_jitsi(options, ctx.services.jitsi)
    signed = jitsi_config.signed
    if options.get("jitsi_url") and not signed and (
            options.get("jitsi_app_id") or options.get("jitsi_secret")):
        jitsi += " " + _("(links unsigned until both `jitsi_app_id` and `jitsi_secret` are set)")
    return Reply(title=_("Settings updated") if changed else _("Settings"), fields=[
        Field(_("Workspace time zone"), workspace.timezone),
        Field(_("Workspace language"), workspace.locale),
        Field(_("Currency"), options.get("currency", "USD")),
        Field(_("Meeting reminder"), _("{minutes} min before", minutes=options.get(
            "reminder_minutes", REMINDER_MINUTES))),
        Field(_("Meeting follow-up"), _("{minutes} min after", minutes=options.get(
            "followup_minutes", FOLLOWUP_MINUTES))),
        Field(_("Jitsi server"), jitsi + (" " + _("(signed links)") if signed else "")),
        Field(_("Your time zone"), member.timezone or _("same as the workspace")),
        Field(_("Your language"), member.locale or _("same as the workspace")),
    ])


def _workspace_extras(ctx: Context, **given: object) -> dict[str, object]:
    """The workspace-only options given, checked, under the names they are stored by."""
    _ = ctx._
    extra: dict[str, object] = {}
    if given["currency"] is not None:
        extra["currency"] = currency_of(ctx, (), str(given["currency"]), "USD")
    for name in ("reminder", "followup"):
        if given[name] is not None:
            extra[f"{name}_minutes"] = given[name]
    if given["jitsi_url"] is not None:
        try:
            extra["jitsi_url"] = normalize_server(str(given["jitsi_url"])) \
                if given["jitsi_url"] else None
        except ValueError:
            raise UserError(_("`{value}` is not a server address; use one like "
                              "https://meet.example.com.", value=given["jitsi_url"])) from None
    for name in ("jitsi_app_id", "jitsi_secret"):
        if given[name] is not None:
            extra[name] = str(given[name]) or None
    if extra.get("jitsi_secret") and len(str(extra["jitsi_secret"]).encode()) < MIN_SECRET_BYTES:
        raise UserError(_("`jitsi_secret` must be at least {count} characters long; a shorter "
                          "one can be guessed.", count=MIN_SECRET_BYTES))
    return extra


_FIXED_ZONES = {"EST": -5, "MST": -7, "HST": -10}  # names of offsets, summer time never
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?00)?$", re.IGNORECASE)


@functools.cache
def _zones_by_city() -> tuple[tuple[str, ...], dict[str, list[str]]]:
    """Every time zone, and the zones each city name (its last part) belongs to."""
    zones = tuple(sorted(available_timezones()))
    cities: dict[str, list[str]] = {}
    for zone in zones:
        if zone.startswith("Etc/"):
            continue  # "GMT+2" there is two hours behind UTC: never a city's name
        cities.setdefault(zone.rsplit("/", 1)[-1].casefold(), []).append(zone)
    for city, named in cities.items():  # "America/Buenos_Aires" is another name of
        if len(named) > 1:              # "America/Argentina/Buenos_Aires": one zone
            clocks = {_clock(zone): zone for zone in sorted(named, key=len)}
            cities[city] = sorted(clocks.values())
    return zones, cities


def _clock(zone: str) -> tuple[timedelta | None, ...]:
    """A zone's offsets from UTC four times a year since 1970: equal for two names of one."""
    place = ZoneInfo(zone)
    return tuple(datetime(year, month, 1, tzinfo=UTC).astimezone(place).utcoffset()
                 for year in range(1970, 2038) for month in (1, 4, 7, 10))


def _timezone(ctx: Context, value: str) -> str:
    """A time zone by its name ("Europe/Madrid") or, when only one has it, its city ("madrid")."""
    zones, cities = _zones_by_city()
    wanted = value.strip().replace(" ", "_").casefold()
    match = next((z for z in zones if z.casefold() == wanted), None)
    if match and match not in _FIXED_ZONES:
        return match
    # "EST" never follows summer time; Etc/GMT-14 to Etc/GMT+12 exist: "GMT+99" is nowhere.
    hours = _FIXED_ZONES.get(match or "")
    if hours is None and (offset := _OFFSET.match(wanted)) and -12 <= (
            signed := int(offset[2]) * (1 if offset[1] == "+" else -1)) <= 14:
        hours = signed
    if hours is not None:
        # "Etc/GMT-2" is two hours ahead of UTC: those names invert the sign.
        raise UserError(ctx._("`{value}` is a fixed offset: name a place, like Europe/Madrid, "
                              "so that summer time is followed; a fixed offset is `{zone}`.",
                              value=value, zone=f"Etc/GMT{-hours:+d}" if hours else "UTC"))
    if len(found := cities.get(wanted, [])) == 1:
        return found[0]
    close = process.extract(wanted, list(cities), scorer=fuzz.WRatio, limit=3, score_cutoff=80)
    raise UserError(ctx._("`{value}` is not a time zone; use a name like Europe/Madrid.",
                          value=value),
                    suggestions=[zone for name, _score, _i in close for zone in cities[name]][:3])


# "help me", "help me please": words asking for help itself, not a topic.
_NOT_A_TOPIC = frozenset({"me", "please", "pls", "us", "por", "favor", "porfa"})
# Topics asked for in everyday words, in either language ("help meetings", "ayuda tareas").
_TOPIC_WORDS = {
    "meetings": "meeting", "reuniones": "meeting", "reunion": "meeting", "calls": "meeting",
    "projects": "project", "proyectos": "project", "proyecto": "project",
    "clients": "client", "clientes": "client", "cliente": "client",
    "tasks": "actions", "task": "actions", "action items": "actions", "tareas": "actions",
    "hours": "project log", "horas": "project log", "time": "project log",
    "questions": "ask", "preguntas": "ask", "risks": "insights", "riesgos": "insights",
    "roles": "role", "ajustes": "settings", "transcripts": "transcript add",
    "transcripciones": "transcript add", "recordings": "transcript add",
    "agenda": "day", "my day": "day", "mi dia": "day", "today": "day", "hoy": "day",
}


@registry.command("help", role=Role.GUEST, transactional=False)
async def help_command(ctx: Context, topic: str | None = None) -> Reply:
    """List the commands, or explain one command or group.

    Args:
        topic: A command or group, e.g. "project log" or client.

    Examples:
        /help
        /help project log
    """
    _ = ctx._
    if topic is None or set(re.findall(r"\w+", topic.casefold())) <= _NOT_A_TOPIC:
        items = [f"`/{group}` — {_(summary)}" for group, summary in ctx.registry.groups.items()]
        items += [f"`/{c.name}` — {_(c.summary)}" for c in ctx.registry
                  if c.group not in ctx.registry.groups]
        return Reply(title=_("V1tr0 Bot commands"), items=items,
                     text=_("Type `help <command>` for details, e.g. `help project create`. "
                            "Or just write: “what did we decide about the launch date?”, “log "
                            "3h on Website”, “move tomorrow's standup to 4pm”, “what's "
                            "overdue?”."),
                     ephemeral=True)
    wanted = " ".join(fold(topic).casefold().lstrip("/").split())
    wanted = re.sub(r"^(?:with|on|about|for|con|sobre|de|para)\s+(?:the\s+|las?\s+|los\s+|el\s+)?",
                    "", wanted)  # "help with meetings", "help on the hours"
    wanted = _TOPIC_WORDS.get(wanted, wanted)
    if command := ctx.registry.get(wanted):
        return _command_help(ctx, command)
    if wanted in ctx.registry.groups:
        return Reply(title=f"/{wanted}", text=_(ctx.registry.groups[wanted]), ephemeral=True,
                     items=[f"`{c.usage()}` — {_(c.summary)}"
                            for c in ctx.registry.in_group(wanted)])
    names = [c.name for c in ctx.registry] + list(ctx.registry.groups)
    close = process.extract(wanted, names, scorer=fuzz.WRatio, limit=3, score_cutoff=70)
    raise UserError(_("There is no command `{topic}`.", topic=topic),
                    suggestions=[c[0] for c in close])


def _command_help(ctx: Context, command: Command) -> Reply:
    _ = ctx._
    fields = [Field(p.placeholder(), _(p.help), inline=False) for p in command.params]
    text = _(command.summary) + "\n" + _("Usage: `{usage}`", usage=command.usage())
    if command.role > Role.GUEST:
        text += "\n" + _("Needs the {role} role or higher.", role=ctx.role_label(command.role))
    if command.aliases:
        text += "\n" + _("Also: {names}", names=", ".join(f"`/{a}`" for a in command.aliases))
    if command.examples:
        text += "\n" + _("Examples:") + "\n" + "\n".join(f"`{e}`" for e in command.examples)
    return Reply(title=f"/{command.name}", text=text, fields=fields, ephemeral=True)
