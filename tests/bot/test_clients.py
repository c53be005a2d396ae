"""Client commands end to end."""

from __future__ import annotations

from tests.conftest import Chat, text_of


async def test_create_show_update_and_history(chat: Chat) -> None:
    await chat.ok('client create Acme company:"Acme Corp" contact:"Ana Ruiz" '
                  'email:ana@acme.com phone:"+34 600 123 456" billing_email:billing@acme.com '
                  'billing_address:"Calle Mayor 1, Madrid" tax_id:B12345678 segment:retail '
                  'priority:high tags:"vip, retail"')
    # No project yet: said after its details, where they would be listed.
    assert text_of(await chat.ok("client show acme")).endswith("\nProjects: none yet")
    await chat.ok('project create "Website" client:acme status:active')
    # By its company's name too; a client's name stands for its current project.
    assert (await chat.ok('client show "acme corp"')).title == "#1 Acme"
    assert (await chat.ok("client history acme")).title == "#1 Acme"  # its projects too
    assert (await chat.ok("project show acme")).title == "#1 Website"
    shown = text_of(await chat.ok("client show acme"))
    for expected in ("Acme Corp", "Ana Ruiz", "ana@acme.com", "+34 600 123 456", "retail",
                     "high", "retail, vip", "billing@acme.com", "Calle Mayor 1", "B12345678",
                     "Website"):
        assert expected in shown

    # Names are one without their accents, as people type them either way.
    await chat.ok('client create "Café Ñandú"')
    twin = await chat.say('client create "cafe nandu"')
    assert twin.status == "error" and "already exists" in twin.text
    assert (await chat.ok("client show cafe nandu")).title.endswith("Café Ñandú")
    # Invisible characters do not make a look-alike name, nor a name at all.
    twin = await chat.say('client create "Café Ñandú\u200b"')
    assert twin.status == "error" and "already exists" in twin.text, twin.text
    blank = await chat.say('client create "\u200b\u2060"')
    assert blank.status == "error" and "`name` cannot be empty" in blank.text, blank.text
    flipped = await chat.ok('client create "\u202eevil\u202c Ltd"')
    assert "*evil Ltd*" in flipped.text, flipped.text
    updated = await chat.ok('client update acme phone:"+34 611 000 000" priority:low '
                            'notes:"Pays late" billing_email:pay@acme.com')
    assert updated.text == "Client *Acme* updated: billing email, notes, phone, priority."
    await chat.ok("settings language:es --me")  # what changed is named in the asker's words
    spanish = await chat.ok("client update acme tax_id:B87654321 phone:\"+34 611 000 000\"")
    assert spanish.text == "Cliente *Acme* actualizado: identificación fiscal, teléfono."
    await chat.ok("settings language:en --me")
    shown = text_of(await chat.ok("client show #1"))
    assert "+34 611 000 000" in shown and "low" in shown and "Pays late" in shown
    await chat.ok('client update acme notes:""')
    assert "Pays late" not in text_of(await chat.ok("client show acme"))
    await chat.ok('client update acme email:"" phone:"+34 622 000 000"')  # "" then another
    shown = text_of(await chat.ok("client show acme"))
    assert "ana@acme.com" not in shown and "+34 622 000 000" in shown
    same = await chat.ok('client update acme phone:"+34 622 000 000" priority:low')
    assert same.status == "info" and same.text == "*Acme* already has that; nothing changed."


async def test_billing_is_for_managers_and_up(chat: Chat) -> None:
    await chat.ok("client create Acme email:ana@acme.com billing_email:billing@acme.com")
    member = chat.as_user("U2", "Bea")
    await member.ok("help")  # joins the workspace as a member
    seen_by_member = text_of(await member.ok("client show acme"))
    assert "ana@acme.com" in seen_by_member and "billing@acme.com" not in seen_by_member
    await chat.ok("role Bea manager")
    assert "billing@acme.com" in text_of(await member.ok("client show acme"))


async def test_bad_contact_details_are_rejected(chat: Chat) -> None:
    email = await chat.say("client create Acme email:not-an-email")
    assert email.status == "error" and "not an email address" in email.text
    phone = await chat.say("client create Acme phone:call-me")
    assert phone.status == "error" and "not a phone number" in phone.text
    priority = await chat.say("client create Acme priority:whenever")
    assert priority.status == "error" and "low, medium, high" in priority.text
    assert "No clients yet" in text_of(await chat.ok("client list"))


async def test_list_filters_and_archive(chat: Chat) -> None:
    await chat.ok("client create Acme segment:retail")
    await chat.ok("client create Globex segment:logistics")
    await chat.ok('client create "Initech" company:"Initech Retail Group"')
    assert [i.split("*")[1] for i in (await chat.ok("client list segment:retail")).items] == \
        ["Acme"]
    # The words match a company or a segment; "in" or "for" only introduce them.
    for said in ("clients in retail", "clientes en retail", "list clients in retail"):
        assert [i.split("*")[1] for i in (await chat.ok(said)).items] == ["Acme", "Initech"]
    # Accents count for nothing, in a segment or a contact as in a name.
    await chat.ok('client create "Café Ñandú" contact:"Marta Gómez" segment:hostelería')
    for said in ("client list hosteleria", "client list segment:hosteleria",
                 "client list gomez", "client list GÓMEZ"):
        assert [i.split("*")[1] for i in (await chat.ok(said)).items] == ["Café Ñandú"], said
    await chat.ok("client delete café ñandú --yes")
    await chat.ok("project create Shop client:acme")
    await chat.ok("project create Intranet client:initech")
    for said in ("projects acme", "projects for acme", "project list retail group"):
        assert [i.split("*")[1] for i in (await chat.ok(said)).items] == (
            ["Intranet"] if "group" in said else ["Shop"]), said
    await chat.ok("client archive globex")
    assert "Globex" not in text_of(await chat.ok("client list"))
    assert "Globex" in text_of(await chat.ok("client list --archived"))
    again = await chat.ok("client archive globex")
    assert again.status == "info" and "already archived" in again.text
    hidden = await chat.ok("project create Portal client:globex")  # likely not meant: said
    assert "Globex is archived; `/client archive #2 --undo` brings it back." in hidden.text
    await chat.ok("client archive globex --undo")
    assert "Globex" in text_of(await chat.ok("client list"))
    assert "is not archived" in (await chat.ok("client archive globex --undo")).text


async def test_delete_keeps_projects(chat: Chat) -> None:
    await chat.ok("client create Acme")
    await chat.ok("project create Web client:acme")
    ask = await chat.ok("client delete acme")
    assert "Its projects (1) stay" in ask.text
    await chat.ok(ask.buttons[0].command)
    assert (await chat.say("client show acme")).status == "error"
    shown = text_of(await chat.ok("project show web"))
    assert "Web" in shown and "Acme" not in shown
