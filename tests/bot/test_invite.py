"""Calendar invites (.ics)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event, vCalAddress

from bot.meetings.invite import INVITE_MIME, Invitee, ics_invite, invite_filename

MADRID = ZoneInfo("Europe/Madrid")
START = datetime(2030, 3, 4, 10, 30, tzinfo=MADRID)  # 09:30 UTC (CET, +01:00)
END = START + timedelta(minutes=45)
NOW = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)
LINK = "https://meet.example.com/kick-off-abcdef?jwt=a.b.c"
ORGANIZER = Invitee("Laura Pérez", "laura@agency.example")
ATTENDEES = (Invitee("Ana", "ana@client.example"), Invitee("No Mail"),
             Invitee('Bob "B", Jr.', "bob@client.example"))


def _invite(**changes: object) -> bytes:
    arguments: dict[str, object] = {
        "uid": "meeting-7", "title": "Kick-off: Diseño Web", "start": START, "end": END,
        "link": LINK, "description": "Agenda: scope and dates.", "organizer": ORGANIZER,
        "attendees": ATTENDEES, "now": NOW}
    arguments.update(changes)
    return ics_invite(**arguments)  # type: ignore[arg-type]


def _parse(data: bytes) -> tuple[Calendar, Event]:
    calendar = Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def _addresses(event: Event, name: str) -> list[vCalAddress]:
    # icalendar returns one value for a single property, a list for repeated ones.
    value = event.get(name, [])
    return value if isinstance(value, list) else [value]


def test_invite_is_a_request_with_the_event() -> None:
    data = _invite()
    assert isinstance(data, bytes)
    calendar, event = _parse(data)
    assert str(calendar["PRODID"]) == "-//V1tr0 Bot//Meetings//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == "meeting-7@v1tr0"
    assert str(event["SUMMARY"]) == "Kick-off: Diseño Web"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("SEQUENCE") == 0
    assert event.decoded("DTSTAMP") == NOW


def test_times_are_written_in_utc() -> None:
    data = _invite()
    assert b"DTSTART:20300304T093000Z" in data
    assert b"DTEND:20300304T101500Z" in data
    assert b"TZID" not in data
    _, event = _parse(data)
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == START and end == END
    assert start.utcoffset() == timedelta(0) and end.utcoffset() == timedelta(0)


def test_link_is_in_location_url_and_description() -> None:
    _, event = _parse(_invite())
    assert str(event["LOCATION"]) == LINK
    assert str(event["URL"]) == LINK
    assert str(event["DESCRIPTION"]) == f"Agenda: scope and dates.\n\nJoin: {LINK}"
    _, bare = _parse(_invite(description=""))
    assert str(bare["DESCRIPTION"]) == f"Join: {LINK}"


def test_only_people_with_email_are_attendees() -> None:
    _, event = _parse(_invite())
    attendees = _addresses(event, "ATTENDEE")
    assert [str(a) for a in attendees] == ["mailto:ana@client.example", "mailto:bob@client.example"]
    ana, bob = attendees
    assert ana.params["CN"] == "Ana"
    assert ana.params["ROLE"] == "REQ-PARTICIPANT"
    assert ana.params["RSVP"] == "TRUE"
    # Quotes and commas in names survive the round trip (RFC 6868 escaping).
    assert bob.params["CN"] == 'Bob "B", Jr.'


def test_single_attendee_and_no_attendees() -> None:
    _, one = _parse(_invite(attendees=[Invitee("Ana", "ana@client.example")]))
    assert [str(a) for a in _addresses(one, "ATTENDEE")] == ["mailto:ana@client.example"]
    _, none = _parse(_invite(attendees=[Invitee("No Mail")]))
    assert "ATTENDEE" not in none


def test_organizer_needs_an_email() -> None:
    _, event = _parse(_invite())
    assert str(event["ORGANIZER"]) == "mailto:laura@agency.example"
    assert event["ORGANIZER"].params["CN"] == "Laura Pérez"
    _, without = _parse(_invite(organizer=Invitee("Laura")))
    assert "ORGANIZER" not in without
    _, absent = _parse(_invite(organizer=None))
    assert "ORGANIZER" not in absent


def test_invite_has_a_display_alarm_ten_minutes_before() -> None:
    _, event = _parse(_invite())
    alarms = event.walk("VALARM")
    assert len(alarms) == 1
    assert str(alarms[0]["ACTION"]) == "DISPLAY"
    assert alarms[0].decoded("TRIGGER") == timedelta(minutes=-10)
    assert b"TRIGGER:-PT10M" in _invite()


def test_cancellation() -> None:
    calendar, event = _parse(_invite(cancelled=True, sequence=3))
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.decoded("SEQUENCE") == 3
    assert str(event["UID"]) == "meeting-7@v1tr0"


def test_uid_with_domain_is_kept() -> None:
    _, event = _parse(_invite(uid="abc@agency.example"))
    assert str(event["UID"]) == "abc@agency.example"


def test_dtstamp_defaults_to_now_in_utc() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    _, event = _parse(_invite(now=None))
    stamp = event.decoded("DTSTAMP")
    assert stamp.utcoffset() == timedelta(0)
    assert before <= stamp <= datetime.now(UTC)


@pytest.mark.parametrize("field", ["start", "end", "now"])
def test_naive_datetimes_are_refused(field: str) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        _invite(**{field: datetime(2030, 3, 4, 10, 30)})


def test_end_must_follow_start() -> None:
    with pytest.raises(ValueError):
        _invite(end=START)


def test_filename_and_mime() -> None:
    assert INVITE_MIME == "text/calendar"
    assert invite_filename("Kick-off: Diseño Web") == "Kick-off_Diseno_Web.ics"
    assert invite_filename("../../etc/passwd") == "etc_passwd.ics"
    assert invite_filename("") == "meeting.ics"
    assert invite_filename("日本語") == "meeting.ics"
    long_name = invite_filename("x" * 500)
    assert long_name.endswith(".ics") and len(long_name) <= 64
    assert long_name.isascii()
