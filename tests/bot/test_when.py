"""Meeting times in natural language: splitting the line, durations, starts, DST, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import UserError
from bot.i18n import Translator
from bot.meetings.when import (
    MeetingSpec,
    MissingTimeError,
    NonexistentTimeError,
    parse_duration,
    parse_meeting,
    parse_start,
    split_schedule_text,
)

EN = Translator("en")
ES = Translator("es")
MADRID = "Europe/Madrid"
NEW_YORK = "America/New_York"
# A Wednesday, 13:00 in Madrid (CET, +1): the clocks go forward on Sunday the 28th.
NOW = datetime(2027, 3, 24, 12, 0, tzinfo=UTC)
# Well before every DST change of 2027 below, so none of those times has passed.
EARLY = datetime(2027, 1, 1, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def meeting(text: str, *, translator: Translator = EN, timezone: str = MADRID,
            now: datetime = NOW) -> MeetingSpec:
    return parse_meeting(text, _=translator, timezone=timezone, now=now)


# -- the examples, in both languages ------------------------------------------------------


EXAMPLES = [
    ("tomorrow 3pm for 45m with @ana @luis Design review",
     utc(2027, 3, 25, 14, 0), timedelta(minutes=45), ("@ana", "@luis"), "Design review"),
    ("next tuesday 10:00 for 1h30 Kick-off",  # after the change: CEST, +2
     utc(2027, 3, 30, 8, 0), timedelta(minutes=90), (), "Kick-off"),
    ("in 2 minutes", NOW + timedelta(minutes=2), None, (), None),
    ("mañana a las 15:00 por 1h con @ana Revisión de diseño",
     utc(2027, 3, 25, 14, 0), timedelta(hours=1), ("@ana",), "Revisión de diseño"),
    ("el viernes a las 9:30 durante 30 minutos",
     utc(2027, 3, 26, 8, 30), timedelta(minutes=30), (), None),
    ("2027-03-29 10:00 for 1h with <@U123> <@U456|bea> Planning",
     utc(2027, 3, 29, 8, 0), timedelta(hours=1), ("<@U123>", "<@U456|bea>"), "Planning"),
    ("tomorrow 3pm Design review", utc(2027, 3, 25, 14, 0), None, (), "Design review"),
    # A range of hours is a start and a duration; so is "an hour and a half".
    ("tomorrow 3-4pm Review", utc(2027, 3, 25, 14, 0), timedelta(hours=1), (), "Review"),
    ("mañana de 10 a 11:30", utc(2027, 3, 25, 9, 0), timedelta(minutes=90), (), None),
    ("tomorrow from 9am to 9:45am", utc(2027, 3, 25, 8, 0), timedelta(minutes=45), (), None),
    ("tomorrow 3pm for an hour and a half", utc(2027, 3, 25, 14, 0), timedelta(minutes=90),
     (), None),
    ("el 26 de marzo a las 5 de la tarde", utc(2027, 3, 26, 16, 0), None, (), None),
]


@pytest.mark.parametrize("translator", [EN, ES], ids=["en", "es"])
@pytest.mark.parametrize("text, start, duration, mentions, title", EXAMPLES)
def test_examples(translator: Translator, text: str, start: datetime,
                  duration: timedelta | None, mentions: tuple[str, ...],
                  title: str | None) -> None:
    spec = meeting(text, translator=translator)
    assert spec == MeetingSpec(start=start, duration=duration, mentions=mentions, title=title)
    assert spec.start.tzinfo is UTC


@pytest.mark.parametrize("translator", [EN, ES], ids=["en", "es"])
@pytest.mark.parametrize("text, start", [
    ("tomorrow at 3pm", utc(2027, 3, 25, 14, 0)),
    ("at 3pm", utc(2027, 3, 24, 14, 0)),
    ("3pm", utc(2027, 3, 24, 14, 0)),
    ("15:00", utc(2027, 3, 24, 14, 0)),
    ("15h", utc(2027, 3, 24, 14, 0)),  # dateparser alone reads it as "in 15 hours"
    ("a las 15:00", utc(2027, 3, 24, 14, 0)),
    ("a las 15h", utc(2027, 3, 24, 14, 0)),
    ("mañana 15h30", utc(2027, 3, 25, 14, 30)),
    ("tomorrow at 10", utc(2027, 3, 25, 9, 0)),  # dateparser alone drops a bare hour
    ("mañana a las 10", utc(2027, 3, 25, 9, 0)),
    ("mañana a la 1", utc(2027, 3, 25, 12, 0)),  # a meeting at one is after lunch
    ("tomorrow at 3", utc(2027, 3, 25, 14, 0)),
    ("el viernes a las 3", utc(2027, 3, 26, 14, 0)),
    ("tomorrow at 3 am", utc(2027, 3, 25, 2, 0)),
    ("mañana a las 3 de la madrugada", utc(2027, 3, 25, 2, 0)),
    ("tomorrow at 7", utc(2027, 3, 25, 6, 0)),  # from 7 on, the morning
    ("a las 3 de la tarde", utc(2027, 3, 24, 14, 0)),
    ("mañana a las 9 de la mañana", utc(2027, 3, 25, 8, 0)),
    ("el próximo martes a las 10:00", utc(2027, 3, 30, 8, 0)),
    ("martes que viene a las 10:00", utc(2027, 3, 30, 8, 0)),
    ("viernes 9:30", utc(2027, 3, 26, 8, 30)),
    ("noon", utc(2027, 3, 25, 11, 0)),  # 12:00 today has passed: tomorrow's
    ("tomorrow 12:00", utc(2027, 3, 25, 11, 0)),  # noon is a time, not the title
    ("pasado mañana a las 15:00", utc(2027, 3, 26, 14, 0)),
    ("mañana a las 12", utc(2027, 3, 25, 11, 0)),
    ("3pm UTC", utc(2027, 3, 24, 15, 0)),  # a zone in the text wins
    ("in 2 hours", NOW + timedelta(hours=2)),
    ("in 90 minutes", NOW + timedelta(minutes=90)),
    ("in 2h", NOW + timedelta(hours=2)),
    ("dentro de 30 minutos", NOW + timedelta(minutes=30)),
    ("en 2 horas", NOW + timedelta(hours=2)),
    ("en una hora", NOW + timedelta(hours=1)),
    ("2027-03-29T10:00", utc(2027, 3, 29, 8, 0)),
    ("29 march 10:00", utc(2027, 3, 29, 8, 0)),
    ("29 de marzo a las 10:00", utc(2027, 3, 29, 8, 0)),
    ("the day after tomorrow 10am", utc(2027, 3, 26, 9, 0)),
    # The clock said in words: quarters and halves, hours in words, noon, "9.30".
    ("mañana a las 9 y media", utc(2027, 3, 25, 8, 30)),
    ("mañana a las 9 y cuarto", utc(2027, 3, 25, 8, 15)),
    ("mañana a las 10 menos cuarto", utc(2027, 3, 25, 8, 45)),
    ("mañana a la una y media", utc(2027, 3, 25, 12, 30)),  # in the afternoon, as "a la 1"
    ("mañana a las nueve", utc(2027, 3, 25, 8, 0)),
    ("mañana a mediodía", utc(2027, 3, 25, 11, 0)),
    ("tomorrow half past 9", utc(2027, 3, 25, 8, 30)),
    ("tomorrow at quarter to 4", utc(2027, 3, 25, 14, 45)),
    ("tomorrow 9.30", utc(2027, 3, 25, 8, 30)),
    ("tomorrow at 3:30", utc(2027, 3, 25, 14, 30)),  # "at 3:30" like "at 3": the afternoon
    ("tomorrow at 9.30pm", utc(2027, 3, 25, 20, 30)),
    ("mañana a las 05:00", utc(2027, 3, 25, 4, 0)),  # its zero says the 24-hour clock
    ("tomorrow at 04:30", utc(2027, 3, 25, 3, 30)),
    ("mañana al mediodía", utc(2027, 3, 25, 11, 0)),
    ("mañana a medianoche", utc(2027, 3, 24, 23, 0)),
    # The part of the day says which half of the clock: "tonight at 9" is 21:00.
    ("tonight at 9", utc(2027, 3, 24, 20, 0)),
    ("this evening at 8", utc(2027, 3, 24, 19, 0)),
    ("esta noche a las 9", utc(2027, 3, 24, 20, 0)),
    ("mañana por la tarde a las 4", utc(2027, 3, 25, 15, 0)),
    ("tomorrow morning at 3", utc(2027, 3, 25, 2, 0)),
    # Today's weekday is today while its time is ahead; "next" is a week on.
    ("este miércoles a las 5", utc(2027, 3, 24, 16, 0)),
    ("wednesday at 3pm", utc(2027, 3, 24, 14, 0)),
    ("next wednesday at 3pm", utc(2027, 3, 31, 13, 0)),
    # A weekday and a day of the month: the next date they both fit.
    ("el martes 30 a las 10", utc(2027, 3, 30, 8, 0)),
])
def test_ways_to_say_a_time(translator: Translator, text: str, start: datetime) -> None:
    assert meeting(text, translator=translator).start == start


@pytest.mark.parametrize("translator, start", [
    (EN, utc(2027, 4, 5, 8, 0)),  # month first: 5 April
    (ES, utc(2027, 5, 4, 8, 0)),  # day first: 4 May
], ids=["en", "es"])
def test_numeric_dates_follow_the_language(translator: Translator, start: datetime) -> None:
    assert meeting("04/05/2027 10:00", translator=translator).start == start


def test_a_day_first_date_that_cannot_be_month_first_reads_in_english_too() -> None:
    assert meeting("13/04/2027 10:00").start == utc(2027, 4, 13, 8, 0)


# -- splitting the line -------------------------------------------------------------------


@pytest.mark.parametrize("text, parts", [
    ("tomorrow 3pm for 45m with @ana @luis Design review",
     ("tomorrow 3pm", "45m", ("@ana", "@luis"), "Design review")),
    ("next tuesday 10:00 for 1h30 Kick-off", ("next tuesday 10:00", "1h30", (), "Kick-off")),
    ("in 2 minutes", ("in 2 minutes", None, (), None)),
    ("mañana a las 15:00 por 1h con @ana Revisión de diseño",
     ("mañana a las 15:00", "1h", ("@ana",), "Revisión de diseño")),
    ("el viernes a las 9:30 durante 30 minutos",
     ("el viernes a las 9:30", "30 minutos", (), None)),
    ("2027-03-29 10:00 for 1h with <@U123> <@U456|bea> Planning",
     ("2027-03-29 10:00", "1h", ("<@U123>", "<@U456|bea>"), "Planning")),
    # No keyword: the longest prefix that reads as a time.
    ("tomorrow 3pm Design review", ("tomorrow 3pm", None, (), "Design review")),
    ("at 3pm Weekly sync", ("at 3pm", None, (), "Weekly sync")),
    # Two-token and spelled-out durations.
    ("tomorrow 3pm for 1h 30m Retro", ("tomorrow 3pm", "1h 30m", (), "Retro")),
    ("tomorrow 3pm for 90 minutes", ("tomorrow 3pm", "90 minutes", (), None)),
    ("tomorrow 3pm for 1 hour Retro", ("tomorrow 3pm", "1 hour", (), "Retro")),
    ("mañana 10:00 por 2 horas Taller", ("mañana 10:00", "2 horas", (), "Taller")),
    ("tomorrow 3pm for 1 hour 30 minutes Retro",
     ("tomorrow 3pm", "1 hour 30 minutes", (), "Retro")),
    ("mañana 10:00 durante media hora", ("mañana 10:00", "media hora", (), None)),
    ("tomorrow 3pm for 1:30", ("tomorrow 3pm", "1:30", (), None)),
    # Mentions without "with", with "and"/"y"/commas, Discord and Slack forms, repeated.
    ("tomorrow 3pm @ana Sync", ("tomorrow 3pm", None, ("@ana",), "Sync")),
    ("tomorrow 3pm with @ana and @luis, Sync", ("tomorrow 3pm", None, ("@ana", "@luis"), "Sync")),
    ("mañana 10:00 con @ana y @luis Café", ("mañana 10:00", None, ("@ana", "@luis"), "Café")),
    ("tomorrow 3pm <@!123> <@456> <@U9|Bea Smith> Sync",
     ("tomorrow 3pm", None, ("<@!123>", "<@456>", "<@U9|Bea Smith>"), "Sync")),
    ("tomorrow 3pm @ana @ana", ("tomorrow 3pm", None, ("@ana",), None)),
    ("tomorrow 3pm with @ana for 1h Review", ("tomorrow 3pm", "1h", ("@ana",), "Review")),
    # An outside guest's email counts as a mention.
    ("tomorrow 3pm with ana@acme.com and @luis Sync",
     ("tomorrow 3pm", None, ("ana@acme.com", "@luis"), "Sync")),
    # Title words before the keywords, and keywords that are only words.
    ("tomorrow 3pm Design review for 1h", ("tomorrow 3pm", "1h", (), "Design review")),
    ("tomorrow 3pm Lunch with the team", ("tomorrow 3pm", None, (), "Lunch with the team")),
    ("tomorrow 3pm Plan for launch", ("tomorrow 3pm", None, (), "Plan for launch")),
    ("tomorrow 3pm and more", ("tomorrow 3pm", None, (), "and more")),
    ("tomorrow 3pm called Design review", ("tomorrow 3pm", None, (), "Design review")),
    ("tomorrow at 3 p.m. Sync", ("tomorrow at 3 pm", None, (), "Sync")),
    # Clock words are part of the when, never of the title.
    ("mañana a las 9 y media Revisión", ("mañana a las 9:30", None, (), "Revisión")),
    # A number after "for" is taken as the duration, so its error can explain durations.
    ("tomorrow 3pm for 90 Review", ("tomorrow 3pm", "90", (), "Review")),
    # Nothing that reads as a time: all of it is the when (and the error quotes it).
    ("Design review", ("Design review", None, (), None)),
    ("with @ana", ("", None, ("@ana",), None)),
    ("", ("", None, (), None)),
])
def test_split_schedule_text(text: str, parts: tuple[object, ...]) -> None:
    assert split_schedule_text(text) == parts


# -- durations ----------------------------------------------------------------------------


@pytest.mark.parametrize("text, minutes", [
    ("45m", 45), ("1h", 60), ("1h30", 90), ("1h 30m", 90), ("1:30", 90), ("90 minutes", 90),
    ("90 min", 90), ("2 horas", 120), ("1 hora", 60), ("30 minutos", 30), ("1 hour", 60),
    ("1.5h", 90), ("1,5 horas", 90), ("half an hour", 30), ("media hora", 30),
    ("an hour", 60), ("5m", 5), ("12h", 720), ("12:00", 720), ("50m", 50), ("1H 7M", 67),
])
def test_parse_duration(text: str, minutes: int) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)


def test_no_duration_is_none() -> None:
    assert parse_duration(None) is None


@pytest.mark.parametrize("text", [
    "", "soon", "90", "1.5", "4m", "0h", "12h01m", "13h", "2 days", "-1h", "1:75",
    "9" * 40 + "h", "1h30 and a bit",
])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


# -- daylight saving time -----------------------------------------------------------------


@pytest.mark.parametrize("timezone, text, start", [
    # Madrid springs forward on 2027-03-28 at 02:00 (+1 -> +2).
    (MADRID, "2027-03-27 10:00", utc(2027, 3, 27, 9, 0)),
    (MADRID, "2027-03-28 01:30", utc(2027, 3, 28, 0, 30)),
    (MADRID, "2027-03-28 03:30", utc(2027, 3, 28, 1, 30)),
    (MADRID, "2027-03-29 10:00", utc(2027, 3, 29, 8, 0)),
    # ...and falls back on 2027-10-31 at 03:00 (+2 -> +1).
    (MADRID, "2027-10-30 10:00", utc(2027, 10, 30, 8, 0)),
    (MADRID, "2027-10-31 01:30", utc(2027, 10, 30, 23, 30)),
    (MADRID, "2027-10-31 03:30", utc(2027, 10, 31, 2, 30)),
    (MADRID, "2027-11-01 10:00", utc(2027, 11, 1, 9, 0)),
    # New York springs forward on 2027-03-14 at 02:00 (-5 -> -4).
    (NEW_YORK, "2027-03-13 10:00", utc(2027, 3, 13, 15, 0)),
    (NEW_YORK, "2027-03-14 01:30", utc(2027, 3, 14, 6, 30)),
    (NEW_YORK, "2027-03-14 03:30", utc(2027, 3, 14, 7, 30)),
    (NEW_YORK, "2027-03-15 10:00", utc(2027, 3, 15, 14, 0)),
    # ...and falls back on 2027-11-07 at 02:00 (-4 -> -5).
    (NEW_YORK, "2027-11-06 10:00", utc(2027, 11, 6, 14, 0)),
    (NEW_YORK, "2027-11-07 03:00", utc(2027, 11, 7, 8, 0)),
    (NEW_YORK, "2027-11-08 10:00", utc(2027, 11, 8, 15, 0)),
])
def test_wall_times_use_the_offset_of_their_own_date(timezone: str, text: str,
                                                     start: datetime) -> None:
    assert meeting(text, timezone=timezone, now=EARLY).start == start


@pytest.mark.parametrize("timezone, text, start", [
    # A repeated wall time is the first of the two (fold=0): still summer time.
    (MADRID, "2027-10-31 02:30", utc(2027, 10, 31, 0, 30)),  # CEST, not 01:30 CET
    (NEW_YORK, "2027-11-07 01:30", utc(2027, 11, 7, 5, 30)),  # EDT, not 06:30 EST
])
def test_a_repeated_time_is_the_first_one(timezone: str, text: str, start: datetime) -> None:
    assert meeting(text, timezone=timezone, now=EARLY).start == start
    assert parse_start(text, timezone=timezone, locale="en", now=EARLY) == start


@pytest.mark.parametrize("translator", [EN, ES], ids=["en", "es"])
@pytest.mark.parametrize("timezone, text, shown", [
    (MADRID, "2027-03-28 02:30", "2027-03-28 02:30"),
    (MADRID, "28/03/2027 02:00", "2027-03-28 02:00"),
    (NEW_YORK, "2027-03-14 02:30", "2027-03-14 02:30"),
])
def test_a_skipped_time_is_refused(translator: Translator, timezone: str, text: str,
                                   shown: str) -> None:
    with pytest.raises(UserError) as error:
        meeting(text, translator=translator, timezone=timezone, now=EARLY)
    if translator is EN:
        assert error.value.message.startswith(f"{shown} does not exist in {timezone} "
                                              "(the clocks change that day)")
    with pytest.raises(NonexistentTimeError):
        parse_start(text, timezone=timezone, locale=translator.locale, now=EARLY)


def test_a_relative_time_across_a_change_counts_real_time() -> None:
    # 01:30 CET on the night the clocks skip 02:00-03:00: two hours later is 04:30 CEST.
    now = utc(2027, 3, 28, 0, 30)
    assert meeting("in 2 hours", now=now).start == utc(2027, 3, 28, 2, 30)
    # 01:30 CEST on the night 02:00-03:00 happens twice: two hours later is 02:30 CET.
    now = utc(2027, 10, 30, 23, 30)
    assert meeting("in 2 hours", now=now).start == utc(2027, 10, 31, 1, 30)


def test_tomorrow_across_a_change_uses_tomorrows_offset() -> None:
    now = utc(2027, 3, 27, 12, 0)  # Saturday 13:00 CET
    assert meeting("tomorrow 3pm", now=now).start == utc(2027, 3, 28, 13, 0)  # 15:00 CEST
    now = utc(2027, 11, 6, 16, 0)  # Saturday 12:00 EDT
    assert meeting("tomorrow 3pm", timezone=NEW_YORK, now=now).start == utc(2027, 11, 7, 20, 0)


# -- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize("text, problem", [
    ("banana", "I could not read `banana` as a time. Try: tomorrow 3pm"),
    ("asdf qwerty for 1h", "I could not read `asdf qwerty` as a time."),
    ("Design review tomorrow 3pm", "I could not read `Design review tomorrow 3pm`"),
    ("25:99", "I could not read `25:99`"),
    ("`soon`", "I could not read `'soon'`"),  # a backtick would end the code span
    ("x" * 500, f"I could not read `{'x' * 59}…`"),
    ("", "Say when the meeting starts. Try: tomorrow 3pm"),
    ("with @ana for 1h", "Say when the meeting starts."),
    ("tomorrow", "`tomorrow` is a day without a time. Add one"),
    ("next friday with @ana", "`next friday` is a day without a time."),
    ("mañana", "`mañana` is a day without a time."),
    ("el viernes", "`el viernes` is a day without a time."),
    ("2027-03-29 Planning", "`2027-03-29` is a day without a time."),
    ("in 2 days", "`in 2 days` is a day without a time."),
    ("today 10:00", "`today 10:00` has already passed; pick a time in the future,"),
    ("2027-03-20 10:00", "`2027-03-20 10:00` has already passed"),
    ("now", "`now` has already passed"),
    ("in 0 minutes", "has already passed"),
    ("2027-02-30 10:00", "`2027-02-30` is not a date on the calendar."),
    ("31/31/2027", "`31/31/2027` is not a date on the calendar."),
    ("2027-13-01 10:00", "`2027-13-01` is not a date on the calendar."),  # not 13 January
    ("2027/04/31 10:00", "`2027/04/31` is not a date on the calendar."),
    ("30/02/2027 10:00", "`30/02/2027` is not a date on the calendar."),
    ("February 30 at 3pm", "`February 30` is not a date on the calendar."),  # in words too
    ("el 31 de abril a las 10", "`31 de abril` is not a date on the calendar."),
    ("tomorrow 3pm for 2m", "A meeting lasts between 5 minutes and 12 hours, like 30m or 1h30."),
    ("tomorrow 3pm for 13h", "A meeting lasts between 5 minutes and 12 hours"),
    ("tomorrow 3pm for 90 Review", "A meeting lasts between 5 minutes and 12 hours"),
    ("mañana 10:00 durante 0 minutos", "A meeting lasts between 5 minutes and 12 hours"),
    ("2027-03-28 02:30", "2027-03-28 02:30 does not exist in Europe/Madrid"),
    ("9999-12-31 23:50", "`9999-12-31 23:50` is too far off for a meeting"),
])
def test_refusals_say_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(UserError) as error:
        meeting(text)
    assert problem in error.value.message
    with pytest.raises(UserError):
        meeting(text, translator=ES)


@pytest.mark.parametrize(("text", "start"), [
    ("yesterday 3pm", utc(2027, 3, 23, 14, 0)),
    ("monday 10:00", utc(2027, 3, 22, 9, 0)),  # the last Monday, not the next one
    ("el lunes a las 10:00", utc(2027, 3, 22, 9, 0)),
    ("2 hours ago", NOW - timedelta(hours=2)),
])
def test_a_meeting_that_took_place_reads_days_backwards(text: str, start: datetime) -> None:
    assert parse_meeting(text, _=EN, timezone=MADRID, now=NOW, past=True).start == start
    with pytest.raises(UserError, match="is still to come"):
        parse_meeting("tomorrow 3pm", _=EN, timezone=MADRID, now=NOW, past=True)


def test_parse_start_tells_a_missing_time_from_an_unreadable_one() -> None:
    with pytest.raises(MissingTimeError):
        parse_start("tomorrow", timezone=MADRID, locale="en", now=NOW)
    assert parse_start("banana", timezone=MADRID, locale="en", now=NOW) is None
    # A start in the past is returned: refusing it is the meeting's business.
    assert parse_start("2027-03-20 10:00", timezone=MADRID, locale="es",
                       now=NOW) == utc(2027, 3, 20, 9, 0)


# -- any text -----------------------------------------------------------------------------


def _check_any_text(text: str, translator: Translator, timezone: str) -> None:
    try:
        spec = meeting(text, translator=translator, timezone=timezone)
    except UserError as error:
        assert error.message
        return
    assert spec.start.tzinfo is not None and spec.start.utcoffset() == timedelta(0)
    assert spec.start > NOW
    assert spec.duration is None or timedelta(minutes=5) <= spec.duration <= timedelta(hours=12)
    assert all(mention in text for mention in spec.mentions)


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=60), translator=st.sampled_from([EN, ES]),
       timezone=st.sampled_from([MADRID, NEW_YORK, "UTC", "Asia/Kolkata"]))
def test_any_text_gives_a_future_meeting_or_a_user_error(text: str, translator: Translator,
                                                         timezone: str) -> None:
    _check_any_text(text, translator, timezone)


_WORDS = ["tomorrow", "mañana", "next", "tuesday", "el", "viernes", "a", "las", "at", "3pm",
          "15:00", "15h", "10", "9:30", "in", "en", "2", "minutes", "horas", "for", "por",
          "durante", "45m", "1h30", "1", "hour", "with", "con", "@ana", "<@U1>", "<@U2|bea>",
          "y", "and", "Design", "review", "2027-03-29", "2027-02-30", "31/31/2027", "de",
          "la", "tarde", "próximo", "que", "viene", "now", "today", "`", "{x}", "UTC"]


@settings(max_examples=100, deadline=None)
@given(words=st.lists(st.sampled_from(_WORDS), max_size=10),
       translator=st.sampled_from([EN, ES]))
def test_any_mix_of_the_vocabulary_gives_a_meeting_or_a_user_error(
        words: list[str], translator: Translator) -> None:
    _check_any_text(" ".join(words), translator, MADRID)


@pytest.mark.parametrize("text, start", [
    ("el lunes pasado a las 15:00", utc(2027, 3, 22, 14, 0)),
    ("el miércoles pasado a las 3", utc(2027, 3, 17, 14, 0)),
    ("last monday at 3pm", utc(2027, 3, 22, 14, 0)),
])
def test_a_past_weekday_said_either_way(text: str, start: datetime) -> None:
    assert parse_start(text, timezone=MADRID, locale="es", now=NOW, past=True) == start
