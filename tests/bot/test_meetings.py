"""Meetings end to end: scheduling, links, invites, reminders and follow-ups."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import jwt
from icalendar import Calendar

from bot.core import Upload
from bot.dispatcher import Dispatcher
from bot.meetings.reminders import ReminderService
from bot.ports import Services
from storage import Database
from tests.conftest import Chat, Clock, Outbox, text_of

SECRET = "a-shared-secret-of-at-least-32-bytes"
ROOM_LINK = re.compile(r"https://meet\.jit\.si/website-[a-z0-9]{26}\b")


async def _setup(chat: Chat) -> tuple[Chat, Chat]:
    await chat.ok("project create Website")
    bea = chat.as_user("U2", "bea")
    luis = chat.as_user("U3", "luis")
    await bea.ok("help")
    await luis.ok("help")
    return bea, luis


async def test_schedule_posts_link_invite_and_reminders(chat: Chat, db: Database, clock: Clock,
                                                        ) -> None:
    bea, _luis = await _setup(chat)
    await bea.ok("settings timezone:Europe/Madrid --me")
    start = clock.now + timedelta(hours=2)
    reply = await chat.ok("meeting schedule website in 2 hours for 45m with @bea @luis "
                          "Design review")
    assert reply.title == "Meeting scheduled: Design review"
    link = ROOM_LINK.search(reply.text)
    assert link, reply.text
    shown = text_of(reply)
    assert "45 min" in shown and "bea · guest · invited" in shown and "Ana · host" in shown
    assert [b.command for b in reply.buttons][:1] == ["meeting join #1"]

    invite = Calendar.from_ical(reply.attachments[0].content)
    event = invite.walk("VEVENT")[0]
    assert reply.attachments[0].filename.endswith(".ics")
    assert event.decoded("DTSTART") == clock.now + timedelta(hours=2)
    assert event.decoded("DTEND") == clock.now + timedelta(hours=2, minutes=45)
    assert link[0] in str(event.get("LOCATION"))

    outbox = Outbox()
    reminders = ReminderService(db, outbox, clock=clock)
    assert not await reminders.run_due()  # nothing is due yet
    clock.advance(hours=1, minutes=50)  # ten minutes before the start
    assert await reminders.run_due() == {"sent": 1}
    [posted] = outbox.to_channel()
    assert posted.title == "Meeting soon: Design review" and link[0] in posted.text
    people = outbox.to_people()
    assert set(people) == {"U1", "U2", "U3"}  # the host and both guests
    assert all(link[0] in r[0].text for r in people.values())
    # Each person reads the time in their own zone.
    madrid = start.astimezone(ZoneInfo("Europe/Madrid"))
    assert f"Starts {madrid:%a, %b %-d, %Y, %-I:%M}" in people["U2"][0].text, people["U2"][0].text
    assert f"Starts {start:%a, %b %-d, %Y, %-I:%M}" in people["U3"][0].text
    assert not await reminders.run_due()  # sent once, never again

    clock.advance(minutes=10 + 45 + 5)  # five minutes after the end
    assert await reminders.run_due() == {"sent": 1}
    followup = outbox.to_channel()[-1]
    assert followup.title == "How did Design review go?" and "#1" in followup.text
    assert "ended" in text_of(await chat.ok("meeting show #1"))


async def test_a_meeting_soon_gets_its_link_at_once(chat: Chat, db: Database,
                                                   clock: Clock) -> None:
    await _setup(chat)
    await chat.ok("meeting schedule website in 2 minutes for 5m")
    outbox = Outbox()
    assert await ReminderService(db, outbox, clock=clock).run_due() == {"sent": 1}
    assert ROOM_LINK.search(outbox.to_channel()[0].text)


async def test_reschedule_moves_and_cancel_removes_reminders(chat: Chat, db: Database,
                                                             clock: Clock) -> None:
    await _setup(chat)
    await chat.ok("meeting schedule website in 3 hours Planning")
    moved = await chat.ok('meeting update #1 when:"in 5 hours" duration:1h')
    assert moved.title == "Meeting updated: Planning" and "Duration: 1 h\n" in text_of(moved)
    assert Calendar.from_ical(moved.attachments[0].content).walk("VEVENT")[0]["SEQUENCE"] == 1

    outbox = Outbox()
    reminders = ReminderService(db, outbox, clock=clock)
    clock.advance(hours=2, minutes=55)  # when the old reminder was due
    assert not await reminders.run_due()
    clock.advance(hours=1, minutes=55)  # the new one, ten minutes before 5 hours
    assert await reminders.run_due() == {"sent": 1}

    await chat.ok("meeting schedule website in 3 hours Retro")
    cancelled = await chat.ok("meeting cancel #2")
    assert "cancelled" in cancelled.text
    ics = Calendar.from_ical(cancelled.attachments[0].content)
    assert ics["METHOD"] == "CANCEL"
    # Off the agenda: listed only among all meetings, as cancelled.
    assert "Retro" not in text_of(await chat.ok("meeting list"))
    assert text_of(await chat.ok("meeting list period:all")).endswith("· cancelled")
    await chat.ok("settings language:es --me")  # "reunión" is feminine: "cancelada"
    assert text_of(await chat.ok("meeting list period:all")).endswith("· cancelada")
    spanish = await chat.ok("meeting schedule website tomorrow 8am title:Cliente")
    event = Calendar.from_ical(spanish.attachments[0].content).walk("VEVENT")[0]
    assert str(event["DESCRIPTION"]).startswith("Entrar: https://")  # the invite in Spanish
    await chat.ok("settings language:en --me")
    assert (await chat.say("meeting join #2")).text.startswith("Meeting #2 was cancelled.")
    moved = await chat.say("meeting update #2 friday 10am")
    assert moved.text.startswith("Meeting #2 was cancelled. Schedule a new one instead.")
    clock.advance(hours=4)
    assert "cancelled" not in (await reminders.run_due())  # withdrawn, not sent
    assert all("Retro" not in (r.title or "") for r in outbox.to_channel())


async def test_missed_reminders_are_sent_late_within_grace_else_skipped(
        chat: Chat, db: Database, clock: Clock) -> None:
    await _setup(chat)
    await chat.ok("meeting schedule website in 1 hour for 30m Late one")
    await chat.ok("meeting schedule website in 2 hours for 30m Missed one")
    outbox = Outbox()
    # The bot was down until 5 minutes before the first meeting: its link still matters.
    clock.advance(minutes=55)
    assert await ReminderService(db, outbox, clock=clock).run_due() == {"late": 1}
    assert "(Sent late" in outbox.to_channel()[0].text
    # Down again until well after the second meeting started: that link is skipped.
    clock.advance(hours=1, minutes=30)
    outcome = await ReminderService(db, outbox, clock=clock).run_due()
    assert outcome["skipped"] == 1
    assert len([r for r in outbox.to_channel() if "Missed one" in (r.title or "")]) == 0


async def test_two_schedulers_send_each_reminder_once(database_url: str, clock: Clock) -> None:
    first_db, second_db = Database(database_url), Database(database_url)
    try:
        chat = Chat(Dispatcher(first_db, __import__("bot.commands").commands.registry,
                               services=Services(clock=clock)))
        await chat.ok("project create Website")
        for number in range(12):
            await chat.ok(f"meeting schedule website in {number + 20} minutes Call {number}")
        clock.advance(minutes=25)  # every link reminder is due, no follow-up yet
        outbox = Outbox()
        outcomes = await asyncio.gather(*(
            ReminderService(db, outbox, clock=clock).run_due()
            for db in (first_db, second_db, first_db, second_db)))
        assert sum(sum(o.values()) for o in outcomes) == 12
        titles = [r.title for r in outbox.to_channel()]
        assert sorted(titles) == sorted(f"Meeting soon: Call {n}" for n in range(12))
    finally:
        await first_db.dispose()
        await second_db.dispose()


async def test_signed_links_carry_a_token_per_person(chat: Chat, clock: Clock) -> None:
    bea, _luis = await _setup(chat)
    short = await chat.say("settings jitsi_url:meet.agency.test jitsi_secret:guessable")
    assert short.status == "error" and "at least 32 characters" in short.text
    half = text_of(await chat.ok(f"settings jitsi_url:meet.agency.test jitsi_secret:{SECRET}"))
    assert "links unsigned until both `jitsi_app_id`" in half and "(signed links)" not in half
    await chat.ok(f"settings jitsi_url:meet.agency.test jitsi_app_id:v1tr0 jitsi_secret:{SECRET}")
    scheduled = await chat.ok("meeting schedule website in 1 hour with @bea Kick-off")
    assert "https://meet.agency.test/website-" in scheduled.text
    assert "jwt=" not in scheduled.text  # the channel sees the room, not anyone's token
    for person, moderator in ((chat, True), (bea, False)):
        joined = await person.ok("meeting join #1")
        token = re.search(r"jwt=([\w.-]+)", joined.text)
        assert token and joined.ephemeral
        claims = jwt.decode(token[1], SECRET, algorithms=["HS256"], audience="jitsi",
                            issuer="v1tr0", options={"verify_nbf": False})
        assert claims["room"].startswith("website-") and claims["sub"] == "meet.agency.test"
        assert claims["moderator"] is moderator
        assert claims["exp"] == int((clock.now + timedelta(hours=1, minutes=30 + 60))
                                    .timestamp())
    assert "signed links" in text_of(await chat.ok("settings"))


async def test_times_follow_the_workspace_zone_across_dst(dispatcher: Dispatcher,
                                                          clock: Clock) -> None:
    clock.now = datetime(2027, 3, 20, 9, 0, tzinfo=UTC)
    chat = Chat(dispatcher)
    await chat.ok("project create Website")
    await chat.ok("settings timezone:Europe/Madrid")
    before = await chat.ok("meeting schedule website 2027-03-27 10:00 Before DST")
    after = await chat.ok("meeting schedule website 2027-03-29 10:00 After DST")
    starts = [Calendar.from_ical(r.attachments[0].content).walk("VEVENT")[0].decoded("DTSTART")
              for r in (before, after)]
    assert starts == [datetime(2027, 3, 27, 9, 0, tzinfo=UTC),
                      datetime(2027, 3, 29, 8, 0, tzinfo=UTC)]
    assert "10:00" in text_of(before) and "10:00" in text_of(after)  # shown in local time
    # A day or a week later is the same clock time, summer time or not; an hour is an hour.
    for shift, then in (("+1d", "Mar 28, 2027, 10:00"), ("-1d", "Mar 27, 2027, 10:00"),
                        ("+24h", "Mar 28, 2027, 11:00"), ("+1 week", "Apr 4, 2027, 11:00")):
        assert then in text_of(await chat.ok(f'meeting update #1 "{shift}"')), shift


async def test_bad_times_get_examples(chat: Chat) -> None:
    await chat.ok("project create Website")
    past = await chat.say("meeting schedule website yesterday 3pm")
    assert past.status == "error" and "already passed" in past.text
    assert "`/meeting log`" in past.text  # the way to add a meeting that took place
    for bad, time in (("tomorrow at 25:00", "25:00"), ("mañana a las 26:00", "26:00"),
                      ("tomorrow 13pm", "13pm")):
        wrong = await chat.say(f"meeting schedule website {bad}")
        assert wrong.status == "error" and f"`{time}` is not a time of day" in wrong.text
    garbage = await chat.say("meeting schedule website whenever suits")
    assert garbage.status == "error" and "tomorrow 3pm" in garbage.text
    too_long = await chat.say("meeting schedule website tomorrow 3pm duration:20h")
    assert too_long.status == "error" and "12 hours" in too_long.text
    twice = await chat.say("meeting schedule website tomorrow 3pm with the client "
                           "title:Kickoff")
    assert twice.status == "error" and "`with the client` is left over" in twice.text


async def test_an_outside_guest_is_invited_by_email(chat: Chat) -> None:
    await _setup(chat)
    reply = await chat.ok("meeting schedule website tomorrow 3pm with ana.ruiz@acme.com and "
                          "@bea Kickoff")
    assert reply.title == "Meeting scheduled: Kickoff"
    shown = text_of(reply)
    assert "ana.ruiz@acme.com · guest · invited" in shown and "bea · guest" in shown
    event = Calendar.from_ical(reply.attachments[0].content).walk("VEVENT")[0]
    attendee = event.get("ATTENDEE")  # members without an email are not on the .ics
    assert str(attendee) == "mailto:ana.ruiz@acme.com" and attendee.params["CN"] == "ana.ruiz"
    # Invited again by email, in another case: still one guest.
    await chat.ok("meeting invite #1 email:ANA.RUIZ@acme.com")
    assert text_of(await chat.ok("meeting show #1")).count("ana.ruiz") == 1


async def test_a_meeting_that_took_place_is_logged_without_reminders(
        chat: Chat, db: Database, clock: Clock) -> None:
    await _setup(chat)
    reply = await chat.ok("meeting log website yesterday 3pm for 45m with @bea Kick-off")
    assert reply.title == "Meeting added: Kick-off" and "/transcript add #1" in reply.text
    shown = text_of(reply)
    assert "ended" in shown and "45 min" in shown and "bea · guest · left" in shown
    assert not reply.attachments and not reply.buttons  # no link or invite to hand out
    assert not await ReminderService(db, Outbox(), clock=clock).run_due()
    clock.advance(days=2)  # nor a follow-up later
    assert not await ReminderService(db, Outbox(), clock=clock).run_due()
    upcoming = await chat.ok("meeting list")
    assert upcoming.text.startswith("No upcoming meetings") and "period:past" in upcoming.text
    # The example books the project asked about, at a time in the reader's language.
    await chat.ok("settings language:es --me")
    spanish = await chat.ok("meeting list website")
    assert "`/meeting schedule Website mañana 15:00`" in spanish.text, spanish.text
    await chat.ok("settings language:en --me")
    listed = text_of(await chat.ok("meeting list period:past"))
    assert "#1 *Kick-off*" in listed and "ended" in listed
    assert "Link" not in text_of(await chat.ok("meeting show #1"))  # nobody joins it now
    kept = await chat.say("meeting cancel #1")  # it took place: it stays on the record
    assert kept.status == "error" and kept.text.startswith("Meeting #1 has ended. A meeting")
    # In a channel bound to a project, its meetings by default; `--every` for all of them.
    await chat.ok("project create Mobile")
    await chat.ok("meeting schedule mobile tomorrow 10am title:Standup")
    await chat.ok("project bind website")
    bound = await chat.ok("meeting list")
    assert bound.text.startswith("No upcoming meetings in Website;") and "--every" in bound.text
    assert (await chat.ok("meeting list period:past")).title == "Website meetings (past)"
    assert "#2 *Standup*" in text_of(await chat.ok("meeting list --every"))
    # A name of several words may be written unquoted before the time.
    await chat.ok('project create "Landing page"')
    unquoted = await chat.ok("meeting log landing page yesterday 3pm Review")
    assert unquoted.title == "Meeting added: Review" and "Project: Landing page" in \
        text_of(unquoted)
    ahead = await chat.say("meeting log website tomorrow 3pm")
    assert ahead.status == "error" and "`/meeting schedule`" in ahead.text


async def test_join_leave_list_and_permissions(chat: Chat, db: Database, clock: Clock) -> None:
    bea, luis = await _setup(chat)
    started = await chat.ok("meeting now website title:Standup")
    # Whoever starts it is in it, and may leave it rather than cancel it.
    assert "Ana · host · in the call" in text_of(started)
    assert [b.label for b in started.buttons] == ["Join", "Invite (.ics)", "Leave"]
    listed = text_of(await luis.ok("meeting list"))
    assert "#1 *Standup*" in listed and "live" in listed
    await bea.ok("meeting join #1")
    assert "bea · guest · in the call" in text_of(await chat.ok("meeting show 1"))
    invite = await chat.ok("meeting invite #1 email:client@acme.com name:Client")
    event = Calendar.from_ical(invite.attachments[0].content).walk("VEVENT")[0]
    assert "client@acme.com" in str(event.get("ATTENDEE"))
    denied = await luis.say("meeting cancel #1")
    assert denied.status == "error" and denied.text.startswith(
        "Only its host (Ana) or a manager can cancel this meeting.")
    await bea.ok("meeting leave #1")
    assert "live" in text_of(await chat.ok("meeting show #1"))  # the host is still there
    await chat.ok("meeting leave #1")
    left = clock.now
    assert "ended" in text_of(await chat.ok("meeting show #1"))
    assert "Standup" not in text_of(await chat.ok("meeting list"))  # over: no longer ahead
    # Over 25 minutes early: the follow-up asking for the recording comes after this end,
    # and says it.
    outbox = Outbox()
    clock.advance(minutes=6)
    assert await ReminderService(db, outbox, clock=clock).run_due() == {"sent": 1}
    assert [r.title for r in outbox.to_channel()] == ["How did Standup go?"]
    ended = next(f.value for f in outbox.to_channel()[0].fields if f.label == "Ended")
    assert ended.endswith(f"{left:%-I:%M}\u202f{left:%p}"), ended
    other_team = chat.in_team("T2")
    missing = await other_team.say("meeting show #1")
    assert missing.status == "error" and "There is no meeting #1" in missing.text
    # Nobody is invited to a meeting that took place, by email or otherwise.
    late = await chat.say("meeting invite #1 email:client@acme.com name:Client")
    assert late.status == "error" and late.text.startswith("Meeting #1 has ended.")


async def test_in_and_out_before_the_start_ends_nothing(chat: Chat) -> None:
    bea, luis = await _setup(chat)
    await chat.ok("meeting schedule website in 10 minutes with @bea Early")
    await bea.ok("meeting join Early")  # in early, as the link opens 15 minutes before
    await bea.ok("meeting leave Early")
    shown = text_of(await chat.ok("meeting show Early"))
    assert "scheduled" in shown and "ended" not in shown, shown
    assert (await chat.ok("meeting join Early")).text.startswith("Your link for Early")
    # A guest joins only what they were invited to; nobody leaves what is over.
    await chat.ok("role luis guest")
    refused = await luis.say("meeting join Early")
    assert refused.status == "error" and refused.text.startswith(
        "None of the meetings you are invited to is `Early`"), refused.text
    by_number = await luis.say("meeting join #1")  # nor is its title given away
    assert by_number.text.startswith("You are not invited to meeting #1") and \
        "Early" not in by_number.text, by_number.text
    # "The next meeting" of a guest is the next one they are in.
    await chat.ok("meeting schedule website in 20 minutes with luis Open")
    assert (await luis.ok("join the next meeting")).text.startswith("Your link for Open")
    await chat.ok("meeting cancel Early")
    over = await bea.say("meeting leave #1")
    assert over.status == "error" and over.text.startswith("Meeting #1 was cancelled."), over.text


async def test_a_meeting_held_is_named_in_words_too(chat: Chat, clock: Clock) -> None:
    clock.now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    await _setup(chat)
    await chat.ok("meeting log website yesterday 3pm Launch review")
    await chat.ok("meeting schedule website tomorrow 10am Standup")
    for words in ("yesterday's call", '"the launch review"', '"the last meeting"'):
        shown = await chat.ok(f"meeting show {words}")
        assert shown.title == "#1 Launch review", words
    # Its time is refused as for any meeting that is over; its record may be corrected.
    over = await chat.say('meeting update "the launch review" 11am')
    assert over.status == "error" and over.text.startswith("Meeting #1 has ended."), over.text
    fixed = await chat.ok('meeting update #1 title:"Launch review (final)" duration:1h')
    assert fixed.title == "Meeting updated: Launch review (final)" and "Duration: 1 h" in \
        text_of(fixed), text_of(fixed)


async def test_a_meeting_is_named_in_words(chat: Chat, clock: Clock) -> None:
    clock.now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # a Thursday
    await _setup(chat)
    # With nothing scheduled, "the next meeting" is not taken for a title.
    for nothing in ("meeting show the next meeting", "who is coming to the next meeting?"):
        refused = await chat.say(nothing)
        assert refused.status == "error" and refused.text.startswith(
            "Nothing is scheduled ahead, so no meeting is `the next meeting`."), nothing
    held = await chat.say("transcript add the last meeting", files=(
        Upload("notes.txt", b"Ana: We decided to ship on Friday."),))
    assert held.text.startswith("No meeting has been held yet, so none is `the last meeting`")
    await chat.ok("client create Acme")
    await chat.ok("project update website client:acme")
    await chat.ok("project create Mobile")
    await chat.ok("meeting schedule website tomorrow 10am Standup")
    await chat.ok("meeting schedule mobile tomorrow 4pm Standup")
    await chat.ok("meeting schedule website tuesday 3pm Launch")
    # Listed by the day: the rest of this week ends on Sunday, before Tuesday's launch.
    week = await chat.ok("meeting list period:week")
    assert week.title == "Meetings (this week)" and len(week.items) == 2
    assert (await chat.ok("meeting list period:today")).text == "No meetings today."
    assert len((await chat.ok("¿qué reuniones hay mañana?")).items) == 2
    # Next week's (Monday to Sunday) and, a week on, last week's and yesterday's.
    for next_week in ("meeting list period:next_week", "what meetings do we have next week?",
                      "¿qué reuniones tenemos la semana que viene?"):
        listed = await chat.ok(next_week)
        assert [i.split(" · ")[0] for i in listed.items] == ["#3 *Launch*"], next_week
    clock.advance(days=7)
    assert len((await chat.ok("what meetings did we have last week?")).items) == 2
    assert (await chat.ok("meeting list period:yesterday")).text == \
        "There were no meetings yesterday."
    await chat.ok("settings language:es --me")
    assert (await chat.ok("meeting list period:yesterday")).text == "No hubo reuniones ayer."
    await chat.ok("settings language:en --me")
    clock.advance(days=-5)  # Saturday
    assert len((await chat.ok("¿qué reuniones tuvimos ayer?")).items) == 2
    clock.advance(days=-2)
    # By its day, project, client and title, in either language.
    assert (await chat.ok("meeting show the mobile standup")).title == "#2 Standup"
    assert (await chat.ok("meeting show tomorrow's standup with acme")).title == "#1 Standup"
    for tuesday in ("la reunión del martes", "next tuesday's launch", "el martes que viene"):
        assert (await chat.ok(f"meeting show {tuesday}")).title == "#3 Launch", tuesday
    both = await chat.say("meeting show tomorrow's standup")
    assert both.status == "error" and "#1 Standup" in both.text and "#2 Standup" in both.text
    # "The next …": the soonest that fits.
    assert (await chat.ok("meeting show the next meeting")).title == "#1 Standup"
    assert (await chat.ok("meeting show the next mobile call")).title == "#2 Standup"
    # The link, the invite and who is coming, asked in words. A day ahead, asking for the
    # link puts you down as coming, not as in the call.
    link = await chat.ok("what's the link for the next meeting?")
    assert link.text.startswith("Your link for Standup: https://")
    shown = text_of(await chat.ok("meeting show #1"))
    assert "· coming" in shown and "in the call" not in shown
    assert (await chat.ok("send me the invite for the launch meeting")).attachments
    for who in ("who is coming to tuesday's launch call?", "¿quién viene a la reunión del martes?",
                "show me tuesday's launch call", "muéstrame la reunión del martes"):
        assert (await chat.ok(who)).title == "#3 Launch", who
    # Saying you will not come, in words.
    for regrets in ("I can't make it to tuesday's launch call",
                    "no puedo ir a la reunión del martes"):
        assert (await chat.ok(regrets)).text == "Noted: you will not attend Launch.", regrets
    assert "· not coming" in text_of(await chat.ok("meeting show #3"))
    for vague in ("the meeting", "the budget call"):  # tells nothing, or names none
        assert "No meeting called" in (await chat.say(f"meeting show {vague}")).text
    assert (await chat.ok("meeting show tomorrow's 4pm standup")).title == "#2 Standup"
    # A time alone keeps the meeting's own day.
    moved = await chat.ok('meeting update "the mobile standup" 11am')
    assert "Nov 27, 2026, 11:00" in text_of(moved)
    # No meeting about a cancelled project.
    await chat.ok("project create Old status:cancelled")
    for book in ("meeting schedule old tomorrow 3pm", "meeting now old"):
        refused = await chat.say(book)
        assert refused.status == "error" and "Old is cancelled; reopen it" in refused.text, book
    # A day alone keeps its hour.
    moved = await chat.ok('meeting update "the mobile standup" "next monday"')
    assert "Nov 30, 2026, 11:00" in text_of(moved)
    await chat.ok('meeting update "the mobile standup" "friday 11am"')
    # Free text moves and cancels.
    monday = await chat.ok("move the website standup to monday at 10am")
    assert monday.title == "Meeting updated: Standup" and "Nov 30, 2026, 10:00" in text_of(monday)
    assert "Nov 27, 2026, 9:00" in text_of(await chat.ok("pasa la reunión de mobile a las 9"))
    # Later or earlier by some time, longer, renamed: in words too.
    for said, then in (("push the mobile standup by 30 minutes", "Nov 27, 2026, 9:30"),
                       ("move the mobile standup 1 hour later", "Nov 27, 2026, 10:30"),
                       ("adelanta la reunión de mobile media hora", "Nov 27, 2026, 10:00")):
        assert then in text_of(await chat.ok(said)), said
    # Days and weeks count from the meeting too, not from now.
    for shift, then in (("+1d", "Nov 28, 2026, 10:00"), ("+1 week", "Dec 5, 2026, 10:00"),
                        ("-8d", "Nov 27, 2026, 10:00")):
        assert then in text_of(await chat.ok(f'meeting update #2 "{shift}"')), shift
    assert "Duration: 1 h\n" in text_of(await chat.ok("make the mobile standup 1 hour long"))
    renamed = await chat.ok("rename the mobile standup to Daily sync")
    assert renamed.title == "Meeting updated: Daily sync"
    await chat.ok('meeting update "daily sync" title:Standup duration:30m')
    # Invited in words too: members by name, outside guests by email, each once.
    invited = await chat.ok("invite bea and ana@acme.com to the mobile standup")
    assert invited.text == "Invited bea and ana@acme.com to Standup."
    assert "bea · guest · invited" in text_of(await chat.ok("meeting show #2"))
    assert (await chat.ok("meeting invite #2 @bea")).text == "Calendar invite for Standup."
    # Members named without @ after "with" are invited; the rest is the title.
    named = await chat.ok("meeting schedule website tomorrow 6pm with bea, luis and "
                          "marta@acme.com Budget call")
    assert named.title == "Meeting scheduled: Budget call"
    shown = text_of(await chat.ok("meeting show budget call"))
    assert all(f"{who} · guest" in shown for who in ("bea", "luis", "marta@acme.com")), shown
    called = await chat.ok("meeting schedule website tomorrow 7pm with bea called Kickoff")
    assert called.title == "Meeting scheduled: Kickoff"
    nobody = await chat.say("meeting schedule website tomorrow 8pm with bea and pedro")
    assert nobody.status == "error" and "Nobody called `pedro`" in nobody.text, nobody.text
    lunch = await chat.ok("meeting schedule website tomorrow 1pm with the team")
    assert lunch.title == "Meeting scheduled: with the team"  # nobody named: all title
    # A title of several words, unquoted, before the people.
    await chat.ok("meeting schedule website tomorrow 5pm Design review")
    unquoted = await chat.ok("meeting invite design review carl@acme.com")
    assert unquoted.text == "Invited carl@acme.com to Design review."
    nameless = await chat.say('meeting invite #2 name:"Marta"')  # whose email?
    assert nameless.status == "error" and "give their `email:` too" in nameless.text
    await chat.ok('meeting invite #2 pat@acme.com name:"Pat Smith"')  # the email given
    assert "Pat Smith (pat@acme.com) · guest" in text_of(await chat.ok("meeting show #2"))
    assert (await chat.ok("invita a luis a la reunión de mobile")).text.startswith("Invited luis")
    cancelled = await chat.ok("cancela la reunión del martes")
    assert cancelled.text == "Meeting #3 (Launch) is cancelled."
    assert "No meeting called" in (await chat.say("meeting show the launch")).text
    # A title with another word for a meeting, or its number, in words too.
    planning = await chat.ok('meeting schedule mobile tomorrow 2pm title:"Sprint planning"')
    number = planning.buttons[0].command.rsplit("#", 1)[1]
    assert (await chat.ok("who is coming to tomorrow's sprint planning?")).title == \
        f"#{number} Sprint planning"
    moved = await chat.ok("move the sprint planning to 4pm")
    assert moved.title == "Meeting updated: Sprint planning" and ", 4:00" in text_of(moved)
    assert ", 5:00" in text_of(await chat.ok(f"move #{number} to 5pm"))
    assert (await chat.ok(f"cancel #{number}")).text == \
        f"Meeting #{number} (Sprint planning) is cancelled."
    # "Start a call on mobile now": a meeting that starts at once.
    started = await chat.ok("start a call on mobile now")
    assert started.title == "Meeting started: Mobile"


async def test_two_meetings_at_once_for_someone_are_pointed_out(chat: Chat,
                                                                 clock: Clock) -> None:
    clock.now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # the dates below are Friday's
    bea, luis = await _setup(chat)
    await chat.ok("project create Mobile")
    await chat.ok("meeting schedule website tomorrow 3pm with @bea Design review")
    clash = await chat.ok("meeting schedule mobile tomorrow 3:15pm for 1h with @bea Sync")
    assert "bea and you are also in *Design review* (#1) at that time" in clash.text, clash.text
    # Back to back is no clash; nor is a meeting someone declined, or one cancelled.
    assert "at that time" not in (await luis.ok("meeting schedule website tomorrow 4:15pm "
                                                "Retro")).text
    await bea.ok("meeting leave design review")
    alone = await chat.ok("meeting schedule website tomorrow 3:20pm Standup")
    assert "You are also in *Design review* (#1) at that time" in alone.text
    assert "*Sync*" in alone.text and "bea" not in alone.text
    await chat.ok("meeting cancel sync")
    moved = await luis.ok("meeting update retro tomorrow 3pm")
    assert moved.text.splitlines()[1:] == [], moved.text  # Ana is not in the retro
    # Someone invited is checked too, and only they are: Ana's clashes were said already.
    invited = await chat.ok("meeting invite standup @luis")
    assert invited.text.splitlines() == [
        "Invited luis to Standup.",
        "luis is also in *Retro* (#3) at that time (Fri, Nov 27, 2026, 3:00\u202fPM)."
    ], invited.text
    await luis.ok("settings language:es --me")
    spanish = await luis.ok("meeting update retro tomorrow 3:10pm")
    assert spanish.text.splitlines()[1:] == [
        "También estás en *Standup* (#4) a esa hora (vie, 27 nov 2026, 15:20)."], spanish.text


async def test_people_are_taken_off_a_meeting_by_its_host_or_a_manager(chat: Chat) -> None:
    bea, _luis = await _setup(chat)
    review = await chat.ok("meeting schedule website tomorrow 3pm with @bea @luis "
                           "marta@acme.com Review")
    before = Calendar.from_ical(review.attachments[0].content).walk("VEVENT")[0]
    assert "marta@acme.com" in str(before.get("ATTENDEE"))
    refused = await bea.say("meeting uninvite review luis")
    assert refused.status == "error" and "Only its host (Ana) or a manager" in refused.text
    off = await chat.ok("meeting uninvite review luis and MARTA@acme.com")
    assert off.text == "Took luis and marta@acme.com off Review."  # as `meeting show` has her
    event = Calendar.from_ical(off.attachments[0].content).walk("VEVENT")[0]
    assert "marta" not in str(event.get("ATTENDEE")) and int(event.get("SEQUENCE")) == 1
    shown = text_of(await chat.ok("meeting show review"))
    assert "luis" not in shown and "marta" not in shown and "bea · guest" in shown
    for said, error in (("meeting uninvite review luis", "luis is not invited to Review."),
                        ("meeting uninvite review ana", "Ana hosts Review; cancel the meeting "
                                                        "instead.")):
        reply = await chat.say(said)
        assert reply.status == "error" and reply.text.startswith(error), reply.text
    # An outside guest by the name the meeting shows.
    await chat.ok('meeting invite review email:marta@umbrella.es name:"Marta Gómez"')
    assert (await chat.ok('meeting uninvite review "Marta Gómez"')).text == (
        "Took Marta Gómez (marta@umbrella.es) off Review.")
    # "and" or "y" inside an address is part of it.
    for email in ("sales@black-and-white.com", "maria.y.lopez@acme.es", "x@y.com"):
        assert (await chat.ok(f"meeting invite review {email}")).text == \
            f"Invited {email} to Review.", email
        assert (await chat.ok(f"meeting uninvite review {email}")).text == \
            f"Took {email} off Review.", email
    # In words, in either language.
    await chat.ok("invite luis to the review")
    assert (await chat.ok("remove luis from the review")).text == "Took luis off Review."
    await chat.ok("meeting invite review @luis")
    assert (await chat.ok("quita a bea y a luis de la review")).text.startswith("Took bea")
    assert "bea" not in text_of(await chat.ok("meeting show review"))


async def test_invites_follow_what_became_of_the_meeting(chat: Chat, clock: Clock) -> None:
    await _setup(chat)
    # A length in minutes is kept whole: 20m is not 19.
    short = await chat.ok("meeting schedule website tomorrow 6am duration:20m title:Sync")
    assert "Duration: 20 min" in text_of(short)
    # A member whose name is a word of the title is invited, not taken into the title.
    await chat.ok('meeting schedule website tomorrow 5pm title:"Bea onboarding"')
    assert (await chat.ok("meeting invite onboarding bea")).text.startswith("Invited bea")
    # A cancelled meeting's invite is its cancellation; nobody is added to it.
    await chat.ok("meeting schedule website tomorrow 11am title:Gone")
    await chat.ok("meeting cancel gone")
    again = await chat.ok("meeting invite gone")
    event = Calendar.from_ical(again.attachments[0].content)
    assert str(event.get("METHOD")) == "CANCEL", again.text
    assert (await chat.say("meeting invite gone email:pepe@acme.com")).status == "error"
    # Its time passed with nobody joining: it took place, and its people stay.
    await chat.ok("meeting schedule website in 10 minutes for 10m with @bea title:Quick")
    clock.advance(minutes=30)
    passed = await chat.say("meeting uninvite quick bea")
    assert passed.status == "error" and "has ended" in passed.text, passed.text
    # Someone who left a call under way is no longer in it.
    await chat.ok("meeting now website title:Call")
    await chat.ok("meeting leave call")
    assert "at that time" not in (await chat.ok("meeting now website title:Other")).text


async def test_a_meeting_is_asked_after_and_moved_in_words(chat: Chat, clock: Clock) -> None:
    clock.now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    _bea, luis = await _setup(chat)
    await chat.ok("meeting schedule website tomorrow 3pm Pricing call")
    for asked in ("when is the pricing call?", "¿a qué hora es la reunión de pricing?"):
        shown = await chat.ok(asked)
        assert shown.title == "#1 Pricing call" and "Nov 27, 2026, 3:00" in text_of(shown), asked
    for asked in ("what's my next meeting?", "¿cuál es mi próxima reunión?"):
        assert "*Pricing call*" in text_of(await chat.ok(asked)), asked
        # Only the asker's: Luis is in no meeting, and none of every project's is his.
        theirs = await luis.ok(asked)
        assert "Pricing call" not in text_of(theirs) and theirs.status == "info", asked
    listed = await chat.ok("meeting list")  # across projects, each names its own
    assert listed.items[0].startswith("#1 *Pricing call* · Website · "), listed.items
    # The people first and the project last: "with luis … on website".
    await chat.ok("project create Mobile")
    booked = text_of(await chat.ok("schedule a meeting with luis tomorrow at 4 on mobile"))
    assert "Project: Mobile" in booked and "luis · guest · invited" in booked, booked
    alone = text_of(await chat.ok("schedule a meeting tomorrow at 5 on mobile"))  # nobody named
    assert "Project: Mobile" in alone and "5:00" in alone, alone
    # What it is about, or the project, said before the time.
    await chat.ok("client create Acme")
    await chat.ok("project update website client:acme")
    about = await chat.ok("set up a call with Acme about the checkout tomorrow at 5pm")
    assert about.title == "Meeting scheduled: Checkout" and "Project: Website" in \
        text_of(about), text_of(about)
    design = await chat.ok("agenda una reunión sobre website mañana a las 10 para revisar el "
                           "diseño")
    assert design.title == "Meeting scheduled: Diseño" and "Project: Website" in \
        text_of(design), text_of(design)
    moved = await chat.ok("can we move the pricing call to 4pm?")
    assert moved.title == "Meeting updated: Pricing call" and "Nov 27, 2026, 4:00" in \
        text_of(moved)


async def test_participants_may_be_separated_by_commas(chat: Chat) -> None:
    await _setup(chat)
    await chat.ok('meeting schedule website tomorrow 11am title:Plan participants:"bea, luis"')
    shown = text_of(await chat.ok("meeting show Plan"))
    assert "bea · guest · invited" in shown and "luis · guest · invited" in shown, shown


async def test_a_member_and_a_guest_of_one_name_are_told_apart(chat: Chat) -> None:
    await _setup(chat)
    await chat.as_user("U4", "marta").ok("help")
    await chat.ok("meeting schedule website tomorrow 11am Demo")
    await chat.ok("meeting invite Demo marta marta@umbrella.es")
    shown = text_of(await chat.ok("meeting show Demo"))
    assert "marta · guest · invited" in shown and "marta@umbrella.es · guest" in shown, shown
    await chat.ok("meeting uninvite Demo marta")  # the member called so
    shown = text_of(await chat.ok("meeting show Demo"))
    assert "marta · guest" not in shown and "marta@umbrella.es · guest" in shown, shown


async def test_a_member_is_named_whatever_the_accents(chat: Chat) -> None:
    await _setup(chat)
    await chat.as_user("U5", "lucia").ok("help")
    await chat.ok("meeting schedule website tomorrow 10am with Lucía Sync")
    assert "lucia · guest · invited" in text_of(await chat.ok("meeting show Sync"))
    await chat.ok("meeting uninvite Sync lucia")
    assert (await chat.ok("meeting invite Sync Lucía")).text == "Invited lucia to Sync."


async def test_words_that_fit_many_meetings_say_how_many_more(chat: Chat,
                                                              clock: Clock) -> None:
    clock.now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    await _setup(chat)
    for hour in range(10, 17):
        await chat.ok(f"meeting schedule website tomorrow {hour}:00 Sync {hour}")
    many = await chat.say("meeting cancel tomorrow's meeting")
    assert many.status == "error" and len(re.findall(r"#\d", many.text)) == 5 and (
        "2 more fit too: `meeting list` shows them." in many.text), many.text


async def test_a_time_alone_that_has_passed_on_its_day_is_refused(chat: Chat,
                                                                 clock: Clock) -> None:
    clock.now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    await _setup(chat)
    await chat.ok("meeting schedule website today 3pm Review")
    gone = await chat.say("meeting update Review 1am")  # not tomorrow's 1am, unasked
    assert gone.status == "error" and "has already passed" in gone.text, gone.text
    assert "Nov 26, 2026, 11:00" in text_of(await chat.ok("meeting update Review 11am"))
