"""Project commands end to end through the dispatcher, on every database backend."""

from __future__ import annotations

from datetime import date, timedelta

from tests.conftest import Chat, text_of


async def test_create_show_list_and_update(chat: Chat) -> None:
    await chat.ok("client create Acme")
    reply = await chat.ok('/project create "Website redesign" client:acme budget:12000 '
                          "rate:85 estimate:140 due:2027-03-01")
    assert "Website redesign" in reply.text and "#1" in reply.text
    shown = text_of(await chat.ok("project show website redesign"))
    assert "Acme" in shown and "$12,000.00" in shown and "$85.00" in shown
    assert "Mar 1, 2027" in shown

    await chat.ok("project update #1 status:active progress:40")
    listed = text_of(await chat.ok("project list status:active"))
    assert "Website redesign" in listed and "40%" in listed
    assert "No projects match" in text_of(await chat.ok("project list status:completed"))
    assert "Website" in text_of(await chat.ok("project list client:acme"))
    assert "Website" in text_of(await chat.ok("project list redesign"))
    # Other words for a status, in either language.
    for word, status in (("done", "completed"), ("pausado", "on hold"),
                         ('"in progress"', "active"), ("planificación", "planning")):
        await chat.ok(f"project update #1 status:{word}")
        assert f"Status: {status}" in text_of(await chat.ok("project show #1")), word
    await chat.ok("project update #1 status:completed")
    lower = await chat.say("project update #1 progress:70")  # refused, not silently odd
    assert lower.status == "error" and "is completed, so at 100%; `/project update #1 " \
        "status:active progress:70` reopens it at 70%." in lower.text, lower.text
    assert "Progress: 100%" in text_of(await chat.ok("project show #1"))
    unknown = await chat.say("project update #1 status:someday")
    assert unknown.status == "error" and "must be one of: planning, active" in unknown.text
    # One currency for the budget and the rate: a new one is said, never slipped in.
    slipped = await chat.say('project update #1 budget:"15000 EUR"')
    assert slipped.status == "error" and "are in USD; to change both to EUR, add " \
        "`currency:EUR`" in slipped.text
    await chat.ok('project update #1 budget:"15000 EUR" currency:EUR')
    assert "€85.00" in text_of(await chat.ok("project show #1"))
    for mixed in ('project create Mixed budget:"8000 EUR" rate:"90 USD"',
                  'project create Mixed budget:"8000 EUR" currency:GBP'):
        refused = await chat.say(mixed)
        assert refused.status == "error" and "in one currency" in refused.text, mixed
    finished = text_of(await chat.ok("project create Done status:completed"))
    assert "Progress: 100%" in finished


async def test_create_rejects_duplicates_and_bad_values(chat: Chat) -> None:
    await chat.ok('project create "Website"')
    duplicate = await chat.say("project create website")
    assert duplicate.status == "error" and "already exists" in duplicate.text

    bad_budget = await chat.say("project create Other budget:lots")
    assert bad_budget.status == "error" and "amount" in bad_budget.text
    assert "Usage: `/project create <name>" in bad_budget.text

    bad_date = await chat.say("project create Other due:31/31/2027")
    assert bad_date.status == "error" and "must be a date" in bad_date.text

    for option in ("budget:999999999999999999999", "rate:99999999999999999999",
                   "estimate:99999999999999999999"):  # refused before the database sees it
        huge = await chat.say(f"project create Other {option}")
        assert huge.status == "error" and "is too large: at most 999,999,999,999.99" in \
            huge.text, option
    beyond = await chat.say("project log 100000000000000000000000000 website")  # 28 digits
    assert beyond.status == "error" and "is too large" in beyond.text
    await chat.ok("project create Big budget:999999999999")  # the largest fits, exactly
    assert "$999,999,999,999.00" in text_of(await chat.ok("project show big"))

    for blank in ('project update website name:""', 'project update website name:"   "'):
        unnamed = await chat.say(blank)  # a project without a name could not be named again
        assert unnamed.status == "error" and "`name` cannot be empty" in unnamed.text, blank
    bad_progress = await chat.say("project update website progress:140")
    assert bad_progress.status == "error" and "between 0 and 100" in bad_progress.text

    missing = await chat.say("project create")
    assert missing.status == "error" and "Missing <name>" in missing.text
    assert "Usage:" in missing.text

    unknown_client = await chat.say("project create Other client:acmee")
    assert unknown_client.status == "error" and "No client called" in unknown_client.text


async def test_unknown_project_suggests_the_closest(chat: Chat) -> None:
    await chat.ok('project create "Website redesign"')
    await chat.ok('project create "Mobile app"')
    reply = await chat.say("project show webiste redesing")
    assert reply.status == "error"
    assert "No project called `webiste redesing`" in reply.text
    assert "Did you mean: `Website redesign`" in reply.text
    # Part of one name, in whole words, is that one; part of several is asked about.
    assert (await chat.ok("project show website")).title.startswith("#1 Website redesign")
    assert (await chat.ok("project show APP")).title.startswith("#2 Mobile app")
    for said in ("the website project", "el proyecto website"):  # "project" is no name's word
        assert (await chat.ok(f"project show {said}")).title.startswith("#1 Website"), said
    await chat.ok('project create "Website hosting"')
    several = await chat.say("project show website")
    assert several.status == "error" and "Did you mean" in several.text
    assert (await chat.say("project show web")).status == "error"  # not a whole word


async def test_log_hours_and_stats(chat: Chat) -> None:
    today = date.today()
    due = today + timedelta(days=30)
    await chat.ok(f"project create Web rate:100 budget:2000 estimate:10 due:{due}")
    await chat.ok("project log 2.5 web note:\"kick-off\"")
    await chat.ok("project log 1h30 web on:yesterday")
    await chat.ok(f"project log 90m web on:{today - timedelta(days=3)}")
    # Written as in a sentence: a unit after the number, "on the …" before the project.
    await chat.ok("project log 2 hours on the web")
    await chat.ok("project log 1h 30m for web")
    stats = text_of(await chat.ok("project stats web"))
    assert "Hours logged: 9" in stats  # 2.5 + 1.5 + 1.5 + 2 + 1.5
    assert "9 of 10 (90%)" in stats
    assert "$900.00 of $2,000.00 (45%)" in stats  # 9 h × 100
    assert "days left: 30" in stats
    assert "Ana: 9 h" in stats
    # The burn counts from the first hour logged (a week at least), not over four weeks.
    first = today - timedelta(days=3)
    assert f"Burn per week: 9 h (since {first:%b} {first.day}, {first.year})" in stats, stats
    assert "Budget runs out" in stats
    await chat.ok("project create Unrated budget:2000")
    unrated = text_of(await chat.ok("project stats unrated"))
    assert "Budget used: unknown of $2,000.00: no hourly rate is set" in unrated, unrated

    future = await chat.say(f"project log 1 web on:{today + timedelta(days=2)}")
    assert future.status == "error" and "future day" in future.text
    too_many = await chat.say("project log 30 web")
    assert too_many.status == "error" and "between 0.01 and 24" in too_many.text
    await chat.ok("settings language:es --me")
    assert "entre 0,01 y 24" in (await chat.say("project log 30 web")).text  # its numbers too
    await chat.ok("settings language:en --me")
    bad = await chat.say("project log lots web")
    assert bad.status == "error" and "number of hours" in bad.text
    # Before the project started, on a cancelled one, or for someone else: refused.
    await chat.ok(f"project update web start:{today - timedelta(days=5)}")
    early = await chat.say(f"project log 1 web on:{today - timedelta(days=6)}")
    assert early.status == "error" and "log hours from then on" in early.text
    for_ana = await chat.say("project log 1 web note:@ana")
    assert for_ana.status == "error" and "ask @ana to log theirs" in for_ana.text
    await chat.as_user("U2", "Bea").ok("help")
    for said in ("log 1h on web for bea", "log 1h for bea on web", "registra 1 hora para bea "
                 "en web", "log 1h on web on behalf of Bea"):
        for_bea = await chat.say(said)
        assert for_bea.status == "error" and "ask Bea to log theirs" in for_bea.text, said
    # A day has 24 hours, however many entries they are logged in.
    await chat.ok("project log 20 web on:yesterday")
    full = await chat.say("project log 3 web on:yesterday")
    assert full.status == "error" and "You already logged 21.5 h on" in full.text, full.text
    await chat.ok("project update web status:cancelled")
    closed = await chat.say("project log 1 web")
    assert closed.status == "error" and "Web is cancelled; reopen it" in closed.text
    closed_stats = text_of(await chat.ok("project stats web"))
    assert "Hours logged: 29" in closed_stats  # none of them
    assert "Budget runs out" not in closed_stats  # no forecast for a closed project


async def test_stats_warn_about_burn_and_overdue(chat: Chat) -> None:
    past_due = date.today() - timedelta(days=3)
    await chat.ok(f"project create Late rate:100 budget:500 estimate:4 due:{past_due}")
    await chat.ok("project log 6 late")
    stats = text_of(await chat.ok("project stats late"))
    assert "days overdue: 3" in stats
    assert "budget is used up" in stats
    assert "over the estimate" in stats
    assert "past its due date" in stats


async def test_channel_binding_sets_the_default_project(chat: Chat) -> None:
    empty = await chat.say("project log 1")
    assert empty.status == "error" and "/project create" in empty.text
    await chat.ok("project create Web")
    unbound = await chat.say("project log 1")
    assert unbound.status == "error" and "project bind" in unbound.text
    await chat.ok("project bind web")
    await chat.ok("project log 1")
    assert "Hours logged: 1" in text_of(await chat.ok("project show"))
    other_channel = await Chat(chat.dispatcher, channel="C2").say("project log 1")
    assert other_channel.status == "error"
    await chat.ok("project bind --off")
    assert (await chat.say("project log 1")).status == "error"


async def test_delete_asks_for_confirmation(chat: Chat) -> None:
    await chat.ok("project create Web")
    await chat.ok("project log 2 web")
    ask = await chat.ok("project delete web")
    assert ask.buttons and ask.buttons[0].command == "project delete #1 --yes"
    assert "web" in text_of(await chat.ok("project list")).lower()
    await chat.ok(ask.buttons[0].command)  # pressing the button runs its command
    assert "No projects yet" in text_of(await chat.ok("project list"))


async def test_list_is_paginated(chat: Chat) -> None:
    for number in range(23):  # numbered as people do: "P2" comes before "P10"
        await chat.ok(f"project create P{number}")
    first = await chat.ok("project list")
    assert len(first.items) == 10 and "Page 1 of 3 (23 in all)" in first.text
    assert [item.split("*")[1] for item in first.items][:3] == ["P0", "P1", "P2"]
    assert first.buttons[0].command == "project list page:2"
    last = await chat.ok("project list page:3")
    assert [item.split("*")[1] for item in last.items] == ["P20", "P21", "P22"]
    for number in (10, 2):
        await chat.ok(f"client create C{number}")
    assert [i.split("*")[1] for i in (await chat.ok("client list")).items] == ["C2", "C10"]
    assert not last.buttons
    beyond = await chat.say("project list page:5")  # past the end: said so, not "no projects"
    assert beyond.status == "error" and "Page 5 is past the end; the last is `page:3`." in \
        beyond.text
    for listing in ("project list", "client list", "meeting list", "actions", "transcript list"):
        before = await chat.say(f"{listing} page:0")  # every list counts its pages from 1
        assert before.status == "error" and "`page` must be between 1 and" in before.text, \
            listing


async def test_words_longer_than_any_name_are_refused_not_searched(chat: Chat) -> None:
    await chat.ok("project create Web")
    for said, option in ((f"project list {'A' * 50_001}", "text"),
                         (f"project show {'A' * 300}", "project"),
                         (f"actions owner:{'A' * 300}", "owner")):
        reply = await chat.say(said)
        assert reply.status == "error" and reply.text.startswith(
            f"`{option}` is too long: at most 200 characters."), reply.text[:300]
    long_note = await chat.say(f"project log 1 web note:{'x' * 2001}")
    assert long_note.text.startswith("`note` is too long: at most 2000 characters.")
    # A bare number is the project's, when no project is called that.
    assert (await chat.ok("project show 1")).title == "#1 Web"


async def test_cancelling_a_project_cancels_its_meetings_ahead(chat: Chat) -> None:
    await chat.ok("project create Brand status:active")
    await chat.ok("meeting schedule brand tomorrow 10am Kickoff")
    await chat.ok("meeting schedule brand in 3 days at 10am Review")
    await chat.ok("meeting log brand yesterday 3pm Intro")  # held: it stays on the record
    cancelled = await chat.ok("project update brand status:cancelled")
    assert cancelled.text.endswith("\nIts 2 meetings still ahead were cancelled too."), \
        cancelled.text
    listed = text_of(await chat.ok("meeting list brand period:all"))
    assert listed.count("cancelled") == 2 and "ended" in listed, listed


async def test_a_closed_project_is_late_no_more(chat: Chat) -> None:
    await chat.ok("project create Landing due:2020-01-02 status:active")
    assert "days overdue" in text_of(await chat.ok("project stats landing"))
    await chat.ok("project update landing status:completed")
    stats = text_of(await chat.ok("project stats landing"))
    assert stats.endswith("Due: Jan 2, 2020") and "overdue" not in stats, stats


async def test_an_update_that_changes_nothing_says_so(chat: Chat) -> None:
    await chat.ok("project create Rain status:cancelled")
    same = await chat.ok("project update rain status:cancelled")
    assert same.status == "info" and same.text == "*Rain* already has that; nothing changed."


async def test_a_deleted_records_number_is_never_given_again(chat: Chat) -> None:
    # A stale "project delete #2 --yes" must not delete the project created after it.
    await chat.ok("project create Website")
    assert "(#2)" in (await chat.ok("project create Newproj")).text
    await chat.ok("project delete #2 --yes")
    assert "(#3)" in (await chat.ok('project create "Client X launch"')).text
    stale = await chat.say("project delete #2 --yes")
    assert stale.status == "error" and "There is no project #2" in stale.text, stale.text
    await chat.ok("client create Umbrella")
    await chat.ok("client delete #1 --yes")
    assert "(#2)" in (await chat.ok("client create Newco")).text


async def test_projects_are_listed_by_status_in_words(chat: Chat) -> None:
    await chat.ok("project create Website status:active")
    await chat.ok('project create Brand status:"on hold"')
    for said, shown, hidden in (("which projects are on hold?", "*Brand*", "*Website*"),
                                ("¿qué proyectos están activos?", "*Website*", "*Brand*"),
                                ("proyectos en pausa", "*Brand*", "*Website*"),
                                ("projects on hold", "*Brand*", "*Website*"),
                                ("active projects", "*Website*", "*Brand*"),
                                ("completed projects", "No projects match", "*Brand*")):
        listed = text_of(await chat.ok(said))
        assert shown in listed and hidden not in listed, said
