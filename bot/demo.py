"""A demo workspace made through the real commands: clients, projects with hours, and two
meetings that took place, with what was said in them, so ``ask``, ``search`` and
``actions`` have something to work on from the first minute (``v1tr0 run`` processes the
transcripts in the background, in seconds)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.core import Reply, Request, Upload
from bot.dispatcher import Dispatcher

LAUNCH_REVIEW = """\
[00:04] Ana: Thanks for joining the launch review for the website redesign.
[00:15] Marco: The staging site passed QA yesterday, except for the contact form on older phones.
[00:41] Ana: The client wants the new product photos on the site before it goes live, and they \
will not have them until the end of the month.
[01:05] Laura: Then launching on the first is too tight for the content freeze.
[01:20] Ana: So we decided to move the launch date to the twelfth, after the photos and the \
translations are in.
[01:42] Marco: I will fix the contact form by Friday.
[01:58] Laura: I'll send the client the new timeline tomorrow.
[02:15] Ana: On the budget, we have used about a third, which is in line with the progress.
[02:30] Ana: Next step: a go or no-go call the day before the launch.
"""
ONBOARDING = """\
[00:03] Luis: Buenos días, hoy repasamos el registro de la app con los resultados de las \
pruebas.
[00:20] Sofía: Las pruebas con usuarios muestran que el registro tiene demasiados pasos.
[00:45] Luis: Decidimos quitar el paso del teléfono y pedirlo después de la primera compra.
[01:10] Sofía: Me encargo de actualizar los diseños para el miércoles.
[01:30] Diego: Voy a preparar la versión de prueba para el viernes.
[01:50] Luis: El cliente quiere ver la demo la semana que viene.
"""


@dataclass(frozen=True, slots=True)
class DemoMeeting:
    """A meeting of the demo that took place yesterday, and its transcript."""

    project: str
    title: str
    time: str
    language: str
    filename: str
    transcript: str


MEETINGS = (
    DemoMeeting("Website redesign", "Launch review", "15:00", "en", "launch-review.txt",
                LAUNCH_REVIEW),
    DemoMeeting("Mobile app MVP", "Revisión del registro", "10:00", "es", "registro.txt",
                ONBOARDING),
)


def demo_script(today: date) -> list[str]:
    """The commands that build the demo, with dates relative to ``today``."""

    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).isoformat()

    lines = [
        'client create Acme company:"Acme Corp" contact:"Ana Ruiz" email:ana@acme.com '
        'phone:"+34 600 123 456" billing_email:billing@acme.com segment:retail priority:high',
        'client create Globex company:"Globex S.A. de C.V." contact:"Luis Pérez" '
        'email:luis@globex.mx segment:logistics',
        'client create Initech contact:"Bill Lumbergh" email:bill@initech.com segment:finance '
        'priority:low',
        f'project create "Website redesign" client:Acme budget:"12000 EUR" rate:85 estimate:140 '
        f'start:{day(-40)} due:{day(45)} status:active',
        f'project create "Mobile app MVP" client:Globex budget:"30000 USD" rate:95 '
        f'estimate:320 start:{day(-20)} due:{day(100)} status:active',
        f'project create "Brand refresh" client:Initech budget:"4000 USD" rate:70 estimate:50 '
        f'start:{day(-60)} due:{day(-5)} status:active',
        'project update "Website redesign" progress:35',
        'project update "Mobile app MVP" progress:10',
        'project update "Brand refresh" progress:80',
    ]
    for offset, hours, project, note in [
        (-27, 6, "Website redesign", "discovery workshop"), (-20, 7.5, "Website redesign",
        "wireframes"), (-13, 8, "Website redesign", "visual design"), (-6, 5, "Website redesign",
        "design review"), (-1, 3.5, "Website redesign", "component library"),
        (-15, 8, "Mobile app MVP", "architecture"), (-8, 6, "Mobile app MVP", "API spike"),
        (-2, 7, "Mobile app MVP", "onboarding screens"), (-30, 12, "Brand refresh", "logo"),
        (-16, 20, "Brand refresh", "brand book"), (-3, 18, "Brand refresh", "final assets"),
    ]:
        lines.append(f'project log {hours} "{project}" note:"{note}" on:{day(offset)}')
    lines += [f'meeting log "{m.project}" "{day(-1)} {m.time}" title:"{m.title}"'
              for m in MEETINGS]
    return lines


async def load_demo(dispatcher: Dispatcher,
                    make_request: Callable[[str, tuple[Upload, ...]], Request],
                    today: date) -> list[Reply]:
    """Run the demo script, then add the meetings' transcripts.

    Args:
        dispatcher: Runs each command.
        make_request: Builds a request as the workspace owner from a command's text and
            the files that come with it.
        today: The day the demo's dates count from.
    """
    replies = [await dispatcher.handle(make_request(text, ())) for text in demo_script(today)]
    for meeting in MEETINGS:
        upload = Upload(meeting.filename, meeting.transcript.encode())
        replies.append(await dispatcher.handle(make_request(
            f'transcript add "{meeting.title}" language:{meeting.language}', (upload,))))
    return replies
