"""Calendar invites (.ics, RFC 5545 / iTIP) for meetings, built with icalendar.

Every time is written in UTC so that any calendar client shows the right local time
without needing a VTIMEZONE definition.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event, vCalAddress

INVITE_MIME = "text/calendar"
PRODID = "-//V1tr0 Bot//Meetings//EN"
UID_DOMAIN = "v1tr0"
ALARM_BEFORE = timedelta(minutes=10)
FILENAME_MAX = 60
FILENAME_FALLBACK = "meeting"

_NOT_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class Invitee:
    """A person on an invite; only those with an e-mail appear in the .ics.

    Attributes:
        name: Display name (the ``CN`` parameter).
        email: Address the calendar client replies to, if known.
    """

    name: str
    email: str | None = None


def _utc(moment: datetime, what: str) -> datetime:
    """``moment`` converted to UTC.

    Raises:
        ValueError: If ``moment`` is naive, whose instant would be a guess.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware.")
    return moment.astimezone(UTC)


def _address(person: Invitee, *, attendee: bool = False) -> vCalAddress:
    """A ``mailto:`` calendar address with the person's name as ``CN``.

    Args:
        person: Someone with an e-mail.
        attendee: Add the participant parameters (required, reply requested).
    """
    # vCalAddress.new adds "mailto:" and refuses CR/LF; icalendar escapes quotes in CN.
    if attendee:
        return vCalAddress.new(person.email or "", cn=person.name or None,
                               role="REQ-PARTICIPANT", rsvp=True)
    return vCalAddress.new(person.email or "", cn=person.name or None)


def _full_uid(uid: str) -> str:
    """A globally unique UID: a bare id gets the bot's domain (RFC 5545 3.8.4.7)."""
    return uid if "@" in uid else f"{uid}@{UID_DOMAIN}"


def _description(description: str, join: str) -> str:
    """The event's text: the caller's description, then the join line."""
    return f"{description.rstrip()}\n\n{join}" if description.strip() else join


def _alarm(title: str) -> Alarm:
    """A display reminder shortly before the start."""
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", title)  # DESCRIPTION is required for DISPLAY alarms
    alarm.add("trigger", -ALARM_BEFORE)
    return alarm


def ics_invite(*, uid: str, title: str, start: datetime, end: datetime, link: str,
               description: str = "", organizer: Invitee | None = None,
               attendees: Sequence[Invitee] = (), sequence: int = 0, cancelled: bool = False,
               now: datetime | None = None, join: str | None = None) -> bytes:
    """A one-event calendar invite (or its cancellation) as .ics bytes.

    Args:
        uid: Stable id of the meeting; the same for updates and the cancellation so
            clients replace the event instead of adding another.
        title: The event's summary.
        start: Aware start time.
        end: Aware end time.
        link: The meeting address (location, URL and in the description).
        description: Optional text placed before the join link.
        join: The line with the link, in the reader's language (default ``Join: <link>``).
        organizer: Written as ORGANIZER when they have an e-mail.
        attendees: Written as ATTENDEE, those with an e-mail only.
        sequence: Revision number; raise it on every change so clients accept it.
        cancelled: Produce a ``METHOD:CANCEL`` that removes the event.
        now: Aware DTSTAMP; defaults to the current time.

    Returns:
        The serialised VCALENDAR.

    Raises:
        ValueError: For naive datetimes, an end not after the start, or an address
            icalendar refuses (e.g. containing a line break).
    """
    start_utc, end_utc = _utc(start, "start"), _utc(end, "end")
    if end_utc <= start_utc:
        raise ValueError("end must be after start.")
    stamp = _utc(now, "now") if now is not None else datetime.now(UTC)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")

    event = Event()
    event.add("uid", _full_uid(uid))
    event.add("dtstamp", stamp)
    event.add("dtstart", start_utc)
    event.add("dtend", end_utc)
    event.add("summary", title)
    event.add("location", link)
    event.add("url", link)
    event.add("description", _description(description, join or f"Join: {link}"))
    event.add("sequence", sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if organizer is not None and organizer.email:
        event.add("organizer", _address(organizer))
    for person in attendees:
        if person.email:
            event.add("attendee", _address(person, attendee=True))
    event.add_component(_alarm(title))
    calendar.add_component(event)
    return calendar.to_ical()


def invite_filename(title: str) -> str:
    """A safe ASCII attachment name for an invite, e.g. ``Kick-off_Diseno.ics``.

    Args:
        title: The meeting's title, any text.

    Returns:
        Letters, digits, ``.``, ``_`` and ``-`` only, ending in ``.ics``.
    """
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    # Leading dots would hide the file on Unix; runs of separators read badly.
    name = _NOT_FILENAME.sub("_", ascii_title).strip("._-")[:FILENAME_MAX].rstrip("._-")
    return f"{name or FILENAME_FALLBACK}.ics"
