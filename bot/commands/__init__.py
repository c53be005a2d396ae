"""The built-in commands. Importing this package declares them all in :data:`registry`."""

from bot.i18n import N_
from bot.registry import Registry

registry = Registry()
# Groups in the order help and the README list them.
registry.group("project", N_("Projects: status, budget, hours and stats."))
registry.group("client", N_("Clients: contacts, billing and project history."))
registry.group("meeting", N_("Meetings: secure Jitsi links, schedules, invites and reminders."))
registry.group("transcript", N_("Transcripts: meeting recordings and transcripts, and their "
                                "summaries."))

from bot.commands import (  # noqa: E402  (they register on import)
    admin,
    answers,
    clients,
    day,
    insights,
    meetings,
    projects,
    transcripts,
)

__all__ = ["admin", "answers", "clients", "day", "insights", "meetings", "projects", "registry",
           "transcripts"]
