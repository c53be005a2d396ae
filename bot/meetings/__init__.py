"""Meetings: secure Jitsi links, natural-language times, invites and reminders."""
