"""Roles, settings, help and languages."""

from __future__ import annotations

from tests.conftest import Chat, text_of


async def test_first_person_owns_the_workspace_and_others_are_members(chat: Chat) -> None:
    await chat.ok("help")
    bea = chat.as_user("U2", "Bea")
    await bea.ok("help")
    roles = text_of(await chat.ok("role"))
    assert "Ana · owner" in roles and "Bea · member" in roles
    assert text_of(await chat.ok("role list")) == text_of(await chat.ok("roles")) == roles


async def test_role_changes_are_guarded(chat: Chat) -> None:
    await chat.ok("help")
    bea, carl = chat.as_user("U2", "Bea"), chat.as_user("U3", "Carl")
    await bea.ok("help")
    await carl.ok("help")

    denied = await bea.say("role Carl admin")
    assert denied.status == "error" and "Only the admin role and above" in denied.text

    await chat.ok("role @Bea admin")
    await bea.ok("role carl manager")
    assert "Carl is manager" in (await chat.ok("role carl")).text
    assert (await bea.ok("role carl manager")).text == "Carl is already manager."
    # A role's name in the other language is that role too, whatever the asker's language.
    assert (await bea.ok("role carl gestor")).text == "Carl is already manager."
    no_owner = await bea.say("role carl owner")
    assert no_owner.status == "error" and "Only the owner role" in no_owner.text
    # An admin makes admins, but only an owner unmakes one.
    await bea.ok("role carl admin")
    demoted = await bea.say("role carl guest")
    assert demoted.status == "error" and "change another admin's role" in demoted.text
    await chat.ok("role carl manager")

    only_owner = await chat.say("role Ana member")
    assert only_owner.status == "error" and "only owner" in only_owner.text
    await chat.ok("role bea owner")
    await chat.ok("role ana member")  # now there is another owner
    assert "Ana is member" in (await bea.ok("role ana")).text

    by_mention = await chat.say("role <@U3>")
    assert "Carl is manager" in by_mention.text
    unknown = await chat.say("role Zed manager")
    assert unknown.status == "error" and "Nobody called `Zed`" in unknown.text
    bad_role = await bea.say("role carl boss")
    assert bad_role.status == "error" and "guest, member, manager, admin, owner" in bad_role.text


async def test_settings_for_the_workspace_and_for_me(chat: Chat) -> None:
    bea = chat.as_user("U2", "Bea")
    await chat.ok("help")
    await bea.ok("help")
    reply = await chat.ok("settings timezone:europe/madrid language:es currency:eur")
    assert reply.title == "Ajustes actualizados"
    shown = text_of(reply)
    assert "Europe/Madrid" in shown and "EUR" in shown
    for said, code in (("£", "GBP"), ("dólares", "USD"), ("euros", "EUR")):  # as amounts read
        assert code in text_of(await chat.ok(f"settings currency:{said}")), said

    # Everyone now gets Spanish, until they choose otherwise for themselves.
    assert (await bea.ok("help")).title == "Comandos de V1tr0 Bot"
    denied = await bea.say("settings language:en")
    assert denied.status == "error" and "administrador" in denied.text
    await bea.ok("settings language:en --me")
    theirs = await bea.say("settings reminder:5 --me")  # not one of hers: named as typed
    assert theirs.status == "error" and theirs.text.startswith(
        "`reminder:`: workspace settings; leave out `--me`."), theirs.text
    assert (await bea.ok("help")).title == "V1tr0 Bot commands"
    assert (await chat.ok("help")).title == "Comandos de V1tr0 Bot"
    # Given empty, her own is the workspace's again; an empty value is no other option.
    cleared = text_of(await bea.ok('settings language:"" --me'))
    assert "Tu idioma: igual que el espacio de trabajo" in cleared, cleared
    assert (await bea.ok("help")).title == "Comandos de V1tr0 Bot"

    await chat.ok('project create Web budget:1000')
    assert "1.000,00" in text_of(await chat.ok("project show web"))  # EUR, Spanish format

    bad_zone = await chat.say("settings timezone:Europe/Madird")
    assert bad_zone.status == "error" and "Europe/Madrid" in bad_zone.text
    # An offset gets the fixed zone that is that offset ("Etc/GMT-2" is UTC+2), not the
    # one of the same name two hours the other way.
    offset = await chat.say("settings timezone:GMT+2")
    assert offset.status == "error" and "`Etc/GMT-2`" in offset.text, offset.text
    eastern = await chat.say("settings timezone:EST")  # a name, but of an offset all the same
    assert eastern.status == "error" and "`Etc/GMT+5`" in eastern.text, eastern.text
    nowhere = await chat.say("settings timezone:GMT+99")  # no zone is that far off
    assert nowhere.status == "error" and "Etc/GMT" not in nowhere.text, nowhere.text
    nothing_like = await chat.say("settings timezone:bogus")
    assert nothing_like.status == "error" and "Did you mean" not in nothing_like.text
    # A city that only one zone has is that zone.
    assert "America/Mexico_City" in text_of(await chat.ok('settings timezone:"mexico city" --me'))
    # Two names of one zone are one zone.
    assert "America/Argentina/Buenos_Aires" in text_of(
        await chat.ok('settings timezone:"Buenos Aires" --me'))
    bad_locale = await chat.say("settings language:klingon")
    assert bad_locale.status == "error" and "en, es" in bad_locale.text
    # An option's name written without its colon: the reply shows how to write it.
    spaced = await chat.say("settings language en")
    assert spaced.status == "error" and "`language:en`" in spaced.text


async def test_spanish_input_and_output(chat: Chat) -> None:
    await chat.ok("settings language:es")
    created = await chat.ok("project create Web status:activo")  # a translated choice
    assert created.text == "Proyecto *Web* creado (#1)."
    assert "activo" in text_of(await chat.ok("project list"))
    await chat.ok("project update web status:\"en pausa\"")
    assert "en pausa" in text_of(await chat.ok("project show web"))
    await chat.ok("project log 1,5 web on:ayer")
    assert "1,5" in text_of(await chat.ok("project show web"))
    error = await chat.say("project log mucho web")
    assert error.status == "error" and "Uso:" in error.text


async def test_help_lists_and_explains(chat: Chat) -> None:
    overview = text_of(await chat.ok("help"))
    for group in ("/project", "/client", "/role", "/settings", "/help"):
        assert group in overview
    for asked in ("help me", "help me please!", "ayuda por favor"):
        assert text_of(await chat.ok(asked)) == overview, asked
    assert "`/transcript delete <transcript> [--yes]`" in text_of(await chat.ok("help transcript"))
    group = text_of(await chat.ok("help project"))
    assert "/project log <hours> [project]" in group
    one = await chat.ok("help project create")
    assert "/project create <name>" in one.text and "Needs the manager role" in one.text
    assert any(f.label == "[budget:<money>]" for f in one.fields)
    # Topics in everyday words, in either language.
    for asked, title in (("help meetings", "/meeting"), ("help tasks", "/actions"),
                         ("ayuda con las horas", "/project log"), ("ayuda reuniones", "/meeting"),
                         ("help agenda", "/day"), ("ayuda con mi día", "/day")):
        assert (await chat.ok(asked)).title == title, asked
    unknown = await chat.say("help projetc")
    assert unknown.status == "error" and "`project`" in unknown.text
    unlike = await chat.say("help nonexistent")  # like nothing: no far-fetched guess
    assert unlike.status == "error" and "Did you mean" not in unlike.text
