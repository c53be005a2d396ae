"""The text parser and the value converters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.commands import registry
from bot.core import Reply, UserError
from bot.i18n import Translator
from bot.parsing import ConvertContext, parse, parse_date, parse_hours, parse_money, tokenize
from bot.registry import Money, Registry

EN = Translator("en")


def test_tokens_keep_quoted_parts_together() -> None:
    tokens = tokenize('/project create "Website redesign" client:acme note:"a b" “curly one”')
    assert [t.value for t in tokens] == [
        "/project", "create", "Website redesign", "client:acme", "note:a b", "curly one"]
    assert [t.quoted for t in tokens] == [False, False, True, False, False, True]
    assert [t.value for t in tokenize('say "unclosed quote')] == ["say", "unclosed quote"]
    assert [t.value for t in tokenize('empty ""')] == ["empty", ""]
    # Apostrophes are not quotes: the option after them is still an option.
    assert [t.value for t in tokenize("ask what's in Marta's notes? project:web")] == [
        "ask", "what's", "in", "Marta's", "notes?", "project:web"]
    assert [t.value for t in tokenize("note:'a b' 'c d'")] == ["note:a b", "c d"]


@given(st.text())
def test_tokenizer_never_raises(text: str) -> None:
    assert all(isinstance(t.value, str) for t in tokenize(text))


def test_issue_example_parses() -> None:
    parsed = parse(registry, '/project create "Website redesign" client:acme budget:12000 '
                   "due:2027-03-01", EN)
    assert parsed.command.name == "project create"
    assert parsed.values == {"name": "Website redesign", "client": "acme", "budget": "12000",
                             "due": "2027-03-01"}


def test_last_positional_text_takes_the_rest_of_the_line() -> None:
    parsed = parse(registry, "project log 2 Website redesign note:review", EN)
    assert parsed.values == {"hours": "2", "project": "Website redesign", "note": "review"}
    assert parse(registry, "project delete web --yes", EN).values == {"project": "web",
                                                                      "yes": True}
    assert parse(registry, "project log 2 on: yesterday", EN).values == {"hours": "2",
                                                                         "on": "yesterday"}


def test_other_names_reach_the_same_command() -> None:
    moved = parse(registry, "meeting reschedule #3 friday 10:00 duration:45m", EN)
    assert moved.command.name == "meeting update"
    assert moved.values == {"meeting": "#3", "when": "friday 10:00", "duration": "45m"}
    assert parse(registry, "projects status:active", EN).command.name == "project list"
    with pytest.raises(UserError) as typo:
        parse(registry, "meeting resched #3 friday", EN)
    assert "reschedule" in typo.value.suggestions
    # One name per command for the front doors that list them (slash commands, AI tools).
    assert "meeting_reschedule" not in {t["function"]["name"] for t in registry.tool_schemas()}
    fresh = Registry()

    async def overview(ctx: object) -> Reply:
        """Show every project."""
        return Reply()

    fresh.command("project list", aliases=("projects",))(overview)
    with pytest.raises(ValueError, match="declared twice"):
        fresh.command("project overview", aliases=("projects",))(overview)


def test_a_colon_that_is_not_an_option_stays_text() -> None:
    parsed = parse(registry, "project create Phase 2: launch", EN)
    assert parsed.values == {"name": "Phase 2: launch"}


@pytest.mark.parametrize("text, problem", [
    ("project log", "Missing <hours>"),
    ("project log 2 web --force", "Unknown option `--force`"),
    ("project log 2 web noet:x", "Unknown option `noet:`"),
    # Another command's option is a mistake, not more of the name.
    ("project create Web progress:10",
     "`/project create` has no `progress:` option; `/project update` has."),
    # Any command's option after a name is a mistake too; a question may quote one.
    ("project create Web3 title:x", "`/project create` has no `title:` option."),
    ("client create Foo status:active", "`/client create` has no `status:` option."),
    ("project create Foo titel:x", "`/project create` has no `titel:` option."),
    ("project create Bar estado:activo", "Unknown option `estado:`"),  # said in Spanish
    # Nor is it part of a project, client or member named by position.
    ("project log 2 website foo:bar", "`/project log` has no `foo:` option."),
    ("client create Foo company:A company:B", "`company:` is given twice; say it once."),
    ("client show acme teléfono:1", "`/client show` has no `teléfono:` option."),
    ("ask how is it going? proyecto:web", "Unknown option `proyecto:`"),
    ("ask what does estado:activo mean?", None),  # not an option of `ask`, in any language
    ("meeting now web title:\"Sync: status\"", None),
    ("meeting schedule web tomorrow 3pm see http://x.example/a", None),
    ("ask what does status:active mean?", None),  # no other `ask` takes `status:`
    ("project stats web extra", None),  # greedy: "web extra" is the project name
    ("help project log extra words", None),
    # A question may quote "foo:bar", not another command's option; a flag it lacks gets no
    # suggestion of its other options.
    ("search launch page:2", "`/search` has no `page:` option."),
    ("search launch foo:bar", None),
    ("ask launch date --yes", "Unknown option `--yes`"),
    ("nonsense", "Unknown command `nonsense`"),
    ("", "Type a command"),
])
def test_parse_errors(text: str, problem: str | None) -> None:
    if problem is None:
        parse(registry, text, EN)
        return
    with pytest.raises(UserError, match=problem.replace("<", ".").replace(">", ".")):
        parse(registry, text, EN)


@pytest.mark.parametrize("text, hours", [
    ("2", "2.00"), ("2.5", "2.50"), ("2,5", "2.50"), ("1h30", "1.50"), ("1h 30m", "1.50"),
    ("90m", "1.50"), ("1:45", "1.75"), ("3 hours", "3.00"), ("2 horas", "2.00"), ("45min", "0.75"),
    ("half an hour", "0.50"), ("An hour", "1.00"), ("media hora", "0.50"),
    ("hora y media", "1.50"),
    # The part of an hour said after the whole number.
    ("2 and a half hours", "2.50"), ("3 hours and a half", "3.50"), ("2 horas y media", "2.50"),
    ("1 hour and 15 minutes", "1.25"), ("1 hora y cuarto", "1.25"),
    ("5 and three quarters", "5.75"),
])
def test_hours(text: str, hours: str) -> None:
    assert parse_hours(text) == Decimal(hours)


@pytest.mark.parametrize("text", ["lots", "1:75", "h", "-", "1.2.3"])
def test_not_hours(text: str) -> None:
    assert parse_hours(text) is None


@pytest.mark.parametrize("text, locale, money", [
    ("12000", "en", Money(Decimal("12000.00"))),
    ("12,000", "en", Money(Decimal("12000.00"))),
    ("12k", "en", Money(Decimal("12000.00"))),
    ("1.5m", "en", Money(Decimal("1500000.00"))),
    ("12000 EUR", "en", Money(Decimal("12000.00"), "EUR")),
    ("USD 5,000.50", "en", Money(Decimal("5000.50"), "USD")),
    ("€1.500,50", "es", Money(Decimal("1500.50"), "EUR")),
    ("1.500", "es", Money(Decimal("1500.00"))),
    ("$85", "en", Money(Decimal("85.00"), "USD")),
    # Three digits after a single mark group thousands in either language.
    ("€8.000", "en", Money(Decimal("8000.00"), "EUR")),
    ("99.999", "en", Money(Decimal("99999.00"))),
    ("8,000", "es", Money(Decimal("8000.00"))),
    ("8,50", "es", Money(Decimal("8.50"))),
    ("8.5", "en", Money(Decimal("8.50"))),
    # Thousands and millions in words, and currencies by name.
    ("20 mil euros", "es", Money(Decimal("20000.00"), "EUR")),
    ("5 mil", "es", Money(Decimal("5000.00"))),
    ("1,5 millones", "es", Money(Decimal("1500000.00"))),
    ("2 million USD", "en", Money(Decimal("2000000.00"), "USD")),
    ("300 dollars", "en", Money(Decimal("300.00"), "USD")),
])
def test_money(text: str, locale: str, money: Money) -> None:
    assert parse_money(text, locale) == money


@pytest.mark.parametrize("text", ["12.345,678", "3,14159", "lots", "1,2,3"])
def test_not_money(text: str) -> None:
    assert parse_money(text, "es") is None  # a thousandth is a typo, not rounded away


def test_dates_in_both_languages() -> None:
    today = date.today()
    english = ConvertContext(EN, "UTC")
    spanish = ConvertContext(Translator("es"), "UTC")
    assert parse_date("2027-03-01", english) == date(2027, 3, 1)
    assert parse_date("tomorrow", english) == today + timedelta(days=1)
    assert parse_date("mañana", spanish) == today + timedelta(days=1)
    assert parse_date("in 2 weeks", english) == today + timedelta(days=14)
    assert parse_date("en 3 días", spanish) == today + timedelta(days=3)
    assert parse_date("31/31/2027", english) is None
    # Day first in Spanish, month first in English.
    assert parse_date("1/2/2027", spanish) == date(2027, 2, 1)
    assert parse_date("1/2/2027", english) == date(2027, 1, 2)
    assert parse_date("15/12/2027", english) == date(2027, 12, 15)  # only one way to read it
    assert parse_date("whenever", english) is None
    # Relative to the services' clock, not the machine's: a Wednesday's "next monday".
    wednesday = ConvertContext(EN, "UTC", lambda: datetime(2027, 3, 3, 12, 0, tzinfo=UTC))
    assert parse_date("next monday", wednesday) == date(2027, 3, 8)
    assert parse_date("tomorrow", wednesday) == date(2027, 3, 4)
    # A part of a day names that day: "esta mañana" is this morning, not tomorrow.
    spanish_wednesday = ConvertContext(Translator("es"), "UTC", wednesday.now)
    for said, day in (("last night", 2), ("anoche", 2), ("ayer por la tarde", 2),
                      ("this morning", 3), ("esta mañana", 3), ("tonight", 3)):
        assert parse_date(said, spanish_wednesday) == date(2027, 3, day), said
    # "La semana que viene" and "el mes que viene", as "la próxima semana" is read.
    for said in ("la semana que viene", "la próxima semana", "next week"):
        assert parse_date(said, spanish_wednesday) == date(2027, 3, 10), said
    assert parse_date("el mes que viene", spanish_wednesday) == date(2027, 4, 3)
    # A year no calendar arithmetic survives is no date.
    assert parse_date("9999-12-31", english) is None and parse_date("0001-01-02", english) is None


def test_an_option_named_in_spanish_points_to_its_english_name() -> None:
    with pytest.raises(UserError) as raised:
        parse(registry, 'client update acme teléfono:"+34 600 111 222"', EN)
    assert raised.value.suggestions == ["phone:"]


def test_an_unknown_flag_is_offered_only_flags() -> None:
    with pytest.raises(UserError) as raised:
        parse(registry, "search launch --every", EN)
    assert raised.value.suggestions == []  # not `--query`, which is no flag
    with pytest.raises(UserError) as raised:
        parse(registry, "actions --mien", EN)
    assert raised.value.suggestions == ["--mine"]
