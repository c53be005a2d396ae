"""A demo workspace: a few clients and projects with hours, made through the real commands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from bot.core import Reply, Request
from bot.dispatcher import Dispatcher


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
    return lines


async def load_demo(dispatcher: Dispatcher, make_request: Callable[[str], Request],
                    today: date) -> list[Reply]:
    """Run the demo script; ``make_request(text)`` builds a request as the workspace owner."""
    return [await dispatcher.handle(make_request(text)) for text in demo_script(today)]
