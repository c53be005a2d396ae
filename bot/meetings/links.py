"""The Jitsi server and links of a meeting, per workspace and per participant."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.meetings.jitsi import JitsiConfig, meeting_link
from storage.models import Meeting

# A personal link works from a little before the start until a while after the end.
OPENS_BEFORE = timedelta(minutes=15)
CLOSES_AFTER = timedelta(hours=1)
# A meeting that started up to this long ago is still one ahead: listed as upcoming, and what
# "tomorrow's standup" may name.
STILL_AHEAD = timedelta(hours=2)


def workspace_jitsi(settings: dict[str, Any], default: JitsiConfig) -> JitsiConfig:
    """The workspace's own Jitsi server and credentials, else the bot's default."""
    if not settings.get("jitsi_url"):
        return default
    return JitsiConfig(server=settings["jitsi_url"], app_id=settings.get("jitsi_app_id"),
                       secret=settings.get("jitsi_secret"))


def meeting_end(meeting: Meeting) -> datetime:
    return meeting.starts_at + timedelta(minutes=meeting.duration_minutes)


def personal_link(config: JitsiConfig, meeting: Meeting, *, user_id: str, name: str,
                  email: str | None = None, host: bool = False) -> str:
    """A link for one person: signed for them when the server checks tokens."""
    return meeting_link(config, meeting.room_name, user_id=user_id, name=name, email=email,
                        moderator=host, not_before=meeting.starts_at - OPENS_BEFORE,
                        expires=meeting_end(meeting) + CLOSES_AFTER)


def public_link(config: JitsiConfig, meeting: Meeting) -> str:
    """The room's address without a token (what a channel sees)."""
    return f"{config.server}/{meeting.room_name}"
