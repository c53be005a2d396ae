"""Meeting summaries: the extractive summariser (English, Spanish, QMSum) and the LLM one
against a local OpenAI-compatible server (structured output, retries, parts, merge)."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import openai
import pytest

from bot.transcripts.model import Segment, Summary
from bot.transcripts.summarize import (
    RESPONSE_FORMAT,
    ExtractiveSummarizer,
    LLMSummarizer,
    SummarizationError,
    clean_text,
    estimate_tokens,
    find_action_items,
    find_decisions,
    make_summarizer,
    split_sentences,
)
from tests.fakes.openai_server import FakeOpenAI

MEETING_DATE = date(2027, 3, 24)  # a Wednesday
QMSUM_VAL = Path(__file__).resolve().parents[3] / "shared" / "eval-data" / "qmsum" / "val"

ENGLISH = [
    ("Ana", "Good morning everyone. Today we review the website redesign for the Acme client "
            "and plan the launch."),
    ("Ben", "The new homepage design is finished and the client liked the darker colour "
            "palette."),
    ("Carla", "The mobile layout still has problems on small screens, especially the "
              "navigation menu."),
    ("Ana", "How long would it take to fix the navigation menu on small screens?"),
    ("Carla", "About two days of work, if nobody changes the design again."),
    ("Ben", "The client also asked about the budget for the extra landing pages."),
    ("Ana", "After some discussion we decided to move the launch to the 12th of April."),
    ("Ana", "Ana will send the budget proposal to the client by Friday."),
    ("Ben", "I'll update the landing page copy before the 15th."),
    ("Ana", "Carla, can you fix the navigation menu for next week?"),
    ("Carla", "Yes, no problem."),
    ("Ben", "We agreed to keep the darker colour palette for the whole website."),
    ("Carla", "The analytics show that most visitors of the Acme website use their phones."),
    ("Ana", "That is why the mobile layout of the website matters so much for the launch."),
    ("Ana", "Next steps: test the website on real phones and review the analytics again for "
            "the next meeting."),
    ("Ben", "Thanks, bye."),
]

SPANISH = [
    ("Lucía", "Buenos días a todos. Hoy revisamos la campaña de redes sociales del cliente "
              "Nova."),
    ("Luis", "Los anuncios de la campaña en Instagram funcionan mejor que los de Facebook."),
    ("Marta", "El presupuesto de la campaña se está gastando más rápido de lo previsto."),
    ("Lucía", "¿Cuánto presupuesto queda para los anuncios de este mes?"),
    ("Marta", "Queda un tercio del presupuesto mensual de la campaña."),
    ("Lucía", "Después de hablarlo, decidimos concentrar el presupuesto de anuncios en "
              "Instagram."),
    ("Luis", "Me encargo de preparar el informe de resultados para el viernes."),
    ("Lucía", "Marta se encarga de renegociar el presupuesto con el cliente antes del lunes."),
    ("Marta", "Vale, lo hago."),
    ("Luis", "QUEDA ACORDADO que los anuncios nuevos usarán vídeos cortos."),
    ("Lucía", "¿Quién puede revisar el contrato de la campaña?"),
    ("Marta", "Yo me encargo."),
    ("Luis", "Los vídeos cortos de la campaña tienen el doble de interacción que las "
             "imágenes."),
    ("Lucía", "El próximo paso es presentar los resultados de la campaña al cliente en la "
              "próxima reunión."),
]


def segments_of(turns: list[tuple[str, str]]) -> list[Segment]:
    return [Segment(speaker, i * 10.0, i * 10.0 + 9.0, text)
            for i, (speaker, text) in enumerate(turns)]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_traceable(summary: Summary, segments: list[Segment]) -> None:
    """Every sentence given is a sentence of the (cleaned) segment it cites."""
    for point in [*summary.summary, *summary.key_points, *summary.decisions,
                  *summary.next_steps]:
        assert squash(point.text) in squash(clean_text(segments[point.segment].text)), point
    for item in summary.action_items:
        assert 0 <= item.segment < len(segments)


async def extract(turns: list[tuple[str, str]], language: str) -> tuple[Summary, list[Segment]]:
    segments = segments_of(turns)
    summary = await ExtractiveSummarizer().summarize(segments, language=language,
                                                     meeting_date=MEETING_DATE)
    return summary, segments


# -- extractive --------------------------------------------------------------------------------


async def test_english_meeting_decisions_actions_and_summary() -> None:
    summary, segments = await extract(ENGLISH, "en")

    assert [(d.segment, d.text) for d in summary.decisions] == [
        (6, "After some discussion we decided to move the launch to the 12th of April."),
        (11, "We agreed to keep the darker colour palette for the whole website."),
    ]
    actions = {(a.owner, a.task, a.due, a.segment) for a in summary.action_items}
    assert actions == {
        ("Ana", "send the budget proposal to the client", date(2027, 3, 26), 7),  # named
        ("Ben", "update the landing page copy", date(2027, 4, 15), 8),  # the speaker
        ("Carla", "fix the navigation menu", date(2027, 3, 31), 9),  # the one asked
    }
    assert [p.segment for p in summary.next_steps] == [14]
    assert summary.participants == ["Ana", "Ben", "Carla"]
    assert summary.problems == []

    assert summary.summary and summary.key_points
    assert sum(len(p.text.split()) for p in summary.summary) <= 110
    assert [p.segment for p in summary.summary] == sorted(p.segment for p in summary.summary)
    assert not {p.text for p in summary.summary} & {p.text for p in summary.key_points}
    # A decision, task or next step is listed as such, not again among the key points.
    listed = {p.segment for p in (*summary.decisions, *summary.next_steps)} | {
        a.segment for a in summary.action_items}
    assert not {p.segment for p in summary.key_points} & listed
    for point in [*summary.summary, *summary.key_points]:
        assert squash(point.text) in squash(segments[point.segment].text)  # verbatim
        assert len(point.text.split()) >= 4
    assert_traceable(summary, segments)


async def test_spanish_meeting_decisions_actions_and_summary() -> None:
    summary, segments = await extract(SPANISH, "es")

    assert [d.segment for d in summary.decisions] == [5, 9]
    assert summary.decisions[1].text == ("QUEDA ACORDADO que los anuncios nuevos usarán "
                                         "vídeos cortos.")
    actions = {(a.owner, a.task, a.due, a.segment) for a in summary.action_items}
    assert actions == {
        ("Luis", "preparar el informe de resultados", date(2027, 3, 26), 6),
        ("Marta", "renegociar el presupuesto con el cliente", date(2027, 3, 29), 7),
        # "Yo me encargo." takes its task from the question it answers.
        ("Marta", "revisar el contrato de la campaña", None, 11),
    }
    assert [p.segment for p in summary.next_steps] == [13]
    listed = {p.segment for p in (*summary.decisions, *summary.next_steps)} | {
        a.segment for a in summary.action_items}
    assert summary.key_points and not {p.segment for p in summary.key_points} & listed
    assert summary.participants == ["Lucía", "Luis", "Marta"]
    for point in summary.summary:
        assert squash(point.text) in squash(segments[point.segment].text)
    assert_traceable(summary, segments)


@pytest.mark.parametrize(("speaker", "text", "language", "expected"), [
    ("Ben", "I will call the printer before the 15th.", "en",
     ("Ben", "call the printer", date(2027, 4, 15))),
    ("Ben", "I'm going to draft the contract by end of the week.", "en",
     ("Ben", "draft the contract", date(2027, 3, 26))),
    ("Ben", "Then Ana will book the venue tomorrow.", "en",
     ("Ana", "book the venue", date(2027, 3, 25))),
    ("Ben", "Action item: Carla to review the invoices by next Monday.", "en",
     ("Carla", "review the invoices", date(2027, 3, 29))),
    ("Ben", "TODO: update the style guide.", "en", (None, "update the style guide", None)),
    ("Ben", "The signed contract is due by April 3.", "en",
     (None, "The signed contract is due", date(2027, 4, 3))),
    ("Ben", "I'll send it on Wednesday.", "en", ("Ben", "send it", date(2027, 3, 31))),
    ("Ben", "Agreed. I will tell the client by Friday.", "en",
     ("Ben", "tell the client", date(2027, 3, 26))),
    ("Ben", "Let me check with the designer and get back to you by Monday.", "en",
     ("Ben", "check with the designer and get back to you", date(2027, 3, 29))),
    ("Ben", "I can take the wireframes.", "en", ("Ben", "take the wireframes", None)),
    ("Ben", "Luis, please update the budget sheet.", "en",
     ("Luis", "update the budget sheet", None)),
    ("Luis", "Marta se encarga del diseño del logo para el lunes.", "es",
     ("Marta", "diseño del logo", date(2027, 3, 29))),
    ("Luis", "Me toca a mí revisar los textos.", "es", ("Luis", "revisar los textos", None)),
    ("Luis", "Quedo en llamar al cliente el martes.", "es",
     ("Luis", "llamar al cliente", date(2027, 3, 30))),
    ("Luis", "Voy a llamar al cliente el próximo lunes.", "es",
     ("Luis", "llamar al cliente", date(2027, 3, 29))),
    ("Luis", "Ana va a preparar la demo para la semana que viene.", "es",
     ("Ana", "preparar la demo", date(2027, 3, 31))),
    ("Luis", "Tarea: revisar los textos antes del 15.", "es",
     (None, "revisar los textos", date(2027, 4, 15))),
    ("Luis", "Queda pendiente enviar la factura para manana.", "es",  # no accent: still read
     (None, "enviar la factura", date(2027, 3, 25))),
    ("Luis", "Ines se encargara de las fotos para el fin de mes.", "es",
     ("Ines", "las fotos", date(2027, 3, 31))),
    ("Luis", "Voy a enviar el presupuesto mañana.", "es",
     ("Luis", "enviar el presupuesto", date(2027, 3, 25))),
    ("Luis", "Voy a revisar los anuncios por la mañana.", "es",  # "morning", not "tomorrow"
     ("Luis", "revisar los anuncios por la mañana", None)),
    # Addressed by name with a deadline, asked to take it on, or a first-person verb.
    ("Lucía", "Javier, prepara también el presupuesto de la pasarela antes del 10 de abril.",
     "es", ("Javier", "prepara también el presupuesto de la pasarela", date(2027, 4, 10))),
    ("Marta", "Marco, encárgate de comprimir las imágenes antes del jueves.", "es",
     ("Marco", "comprimir las imágenes", date(2027, 3, 25))),
    ("Pablo", "El formulario falla en Safari, lo arreglo para el martes.", "es",
     ("Pablo", "El formulario falla en Safari, lo arreglo", date(2027, 3, 30))),
    ("Ben", "Marco, check the footer before Friday.", "en",
     ("Marco", "check the footer", date(2027, 3, 26))),
    ("Ben", "Javier, please have the wireframes ready by April fourth.", "en",  # in words
     ("Javier", "have the wireframes ready", date(2027, 4, 4))),
    # Spanish future tense, theirs or the speaker's, and "I have to".
    ("Luis", "Marta revisará los textos antes del 5 de abril.", "es",
     ("Marta", "revisar los textos", date(2027, 4, 5))),
    ("Luis", "Enviaré el informe mañana.", "es", ("Luis", "enviar el informe", date(2027, 3, 25))),
    ("Sofía", "Tengo que preparar los colores para mañana.", "es",
     ("Sofía", "preparar los colores", date(2027, 3, 25))),
    ("Ben", "I have to send the invoice by Friday.", "en",
     ("Ben", "send the invoice", date(2027, 3, 26))),
    # A span of days, weeks or months from the meeting, and a date with its month alone.
    ("Luis", "Marta revisará los textos dentro de dos semanas.", "es",
     ("Marta", "revisar los textos", date(2027, 4, 7))),
    ("Luis", "Voy a enviar la factura en 3 días.", "es",
     ("Luis", "enviar la factura", date(2027, 3, 27))),
    ("Ben", "I'll renew the domain within a month.", "en",
     ("Ben", "renew the domain", date(2027, 4, 24))),
    ("Luis", "Enviaré el informe el primero de abril.", "es",
     ("Luis", "enviar el informe", date(2027, 4, 1))),
    ("Ben", "I'll send the deck April 2nd.", "en", ("Ben", "send the deck", date(2027, 4, 2))),
    # Short months, slash dates (month first in English), a weekday with its day.
    ("Ben", "Ana, can you send the contract to Acme by Apr 4?", "en",
     ("Ana", "send the contract to Acme", date(2027, 4, 4))),
    ("Ben", "I'll fix the staging server by 12/15.", "en",
     ("Ben", "fix the staging server", date(2027, 12, 15))),
    ("Diego", "Yo me encargo de subir la build a TestFlight el 15/12.", "es",
     ("Diego", "subir la build a TestFlight", date(2027, 12, 15))),
    ("Ben", "I'll deliver the icons on Friday the 2nd.", "en",
     ("Ben", "deliver the icons", date(2027, 4, 2))),
    ("Ben", "I have to update the roadmap tomorrow morning.", "en",
     ("Ben", "update the roadmap", date(2027, 3, 25))),
    ("Ana", "Tengo que renovar el certificado a finales de mes.", "es",
     ("Ana", "renovar el certificado", date(2027, 3, 31))),
    # The one named last is asked; of two named, the first owns it.
    ("Ben", "Can you review the pull request, Diego?", "en",
     ("Diego", "review the pull request", None)),
    ("Ben", "Laura and Diego will run the usability test next Tuesday.", "en",
     ("Laura", "run the usability test", date(2027, 3, 30))),
    ("Sofía", "Luis y Diego prepararán la demo para el 10 de abril.", "es",
     ("Luis", "preparar la demo", date(2027, 4, 10))),
    # A Spanish first-person verb after its pronoun, with a day: the speaker's.
    ("Núria", "Vale, lo arreglo para el martes.", "es", ("Núria", "lo arreglo", date(2027, 3, 30))),
    ("Diego", "Sí, lo mando mañana.", "es", ("Diego", "lo mando", date(2027, 3, 25))),
    ("Marta", "Pedro tiene que subir las fotos dentro de 3 días.", "es",
     ("Pedro", "subir las fotos", date(2027, 3, 27))),
    ("Marta", "Hay que pedir al cliente los textos legales antes del viernes.", "es",
     (None, "pedir al cliente los textos legales", date(2027, 3, 26))),
])
async def test_commitments_owner_task_and_due_date(
        speaker: str, text: str, language: str,
        expected: tuple[str | None, str, date | None]) -> None:
    summary, _segments = await extract([(speaker, text)], language)
    assert [(a.owner, a.task, a.due) for a in summary.action_items] == [expected]


async def test_a_vague_yes_takes_the_task_asked_before_it() -> None:
    friday, monday, tomorrow = date(2027, 3, 26), date(2027, 3, 29), date(2027, 3, 25)
    for asked, answer, language, task, due in (
            ("Can someone update the tracking plan?", "Sure, I'll do that.", "en",
             "update the tracking plan", None),
            ("¿Quién puede revisar el contrato?", "Sí, me encargo yo.", "es",
             "revisar el contrato", None),
            # One task, not the request and its yes twice, due when either of them says.
            ("Can you update the tracking plan by Monday?", "Sure, I'll do that.", "en",
             "update the tracking plan", monday),
            ("Marco, can you update the tracking plan?", "Yes, I'll do it by Friday.", "en",
             "update the tracking plan", friday),
            ("Someone has to call the printer.", "I'll take care of it tomorrow.", "en",
             "call the printer", tomorrow),
            ("Hay que revisar el contrato.", "Me encargo yo, para el viernes.", "es",
             "revisar el contrato", friday),
            ("¿Puedes preparar las capturas?", "Sí, las preparo para el viernes.", "es",
             "preparar las capturas", friday),
            ("Hay que revisar el contrato.", "Me encargo yo de revisar el contrato.", "es",
             "revisar el contrato", None)):
        summary, _segments = await extract([("Ana", asked), ("Marco", answer)], language)
        assert [(a.owner, a.task, a.due) for a in summary.action_items] == [
            ("Marco", task, due)], answer


@pytest.mark.parametrize("text", [
    "I'll be honest with you, it is a tough market.",
    "I will say that the numbers look fine.",
    "I'll tell you what, the numbers look fine.",
    "Let me share my screen.",
    "I can see the numbers now.",
    "Please note that the office is closed.",
    "Can you hear me now?",
    "This will take a while to load.",
    "Esto va a ser difícil de explicar.",
    "We met on Friday to talk about the budget.",
    "They will not have the photos until the end of the month.",
    "By the end of the day we come up with a great product.",
    # An amount after "by" is no day of the month.
    "We decided to increase the marketing budget by 10%.",
    "We agreed to cut the hosting costs by 15 percent.",
])
async def test_not_commitments(text: str) -> None:
    summary, _segments = await extract([("Ben", text)], "en")
    assert summary.action_items == []


@pytest.mark.parametrize("text", [
    "We've decided to drop the print campaign.", "OK, let's go with the blue logo.",
    "Agreed: the invoice goes out monthly.", "The final decision is to hire two designers.",
    "Hemos decidido cambiar el proveedor.", "Nos quedamos con la opción B.",
    "La decision es esperar al cliente.", "La DECISIÓN es esperar al cliente.",
    "Acordamos revisar el presupuesto.",
    "Agreed, we will use stock footage for the hero.", "Good, Plausible it is.",
    "The fair got postponed, so we moved it to December tenth.",
    "We're going with Astro for the blog.",
])
async def test_decision_cues_in_both_languages(text: str) -> None:
    summary, _segments = await extract([("Ana", text)], "es" if "ó" in text else "en")
    assert [(d.text, d.segment) for d in summary.decisions] == [(text, 0)]


@pytest.mark.parametrize("text", ["That is just how it is.", "It is what it is, sadly.",
                                  "We met to talk about the budget."])
async def test_not_decisions(text: str) -> None:
    summary, _segments = await extract([("Ana", text)], "en")
    assert summary.decisions == []


async def test_a_point_said_with_its_label_is_not_labelled_twice() -> None:
    summary, segments = await extract([
        ("Ana", "Next step: a go or no-go call the day before the launch."),
        ("Luis", "Próximos pasos: enviar las fotos nuevas al cliente.")], "en")
    assert [p.text for p in summary.next_steps] == [
        "a go or no-go call the day before the launch.",
        "enviar las fotos nuevas al cliente."]
    assert_traceable(summary, segments)


async def test_a_yes_to_a_task_is_neither_a_second_task_nor_a_decision() -> None:
    summary, _segments = await extract([
        ("Marta", "Lucía enviará la propuesta al cliente antes del 15 de abril."),
        ("Lucía", "De acuerdo, la mando antes del 15 de abril.")], "es")
    assert [(a.owner, a.task, a.due) for a in summary.action_items] == [
        ("Lucía", "enviar la propuesta al cliente", date(2027, 4, 15))]
    assert summary.decisions == []


async def test_a_task_or_decision_taken_up_by_another_is_listed_once() -> None:
    english, _segments = await extract([
        ("Marta", "Pedro, please fix the Android crash by Thursday."),
        ("Pedro", "OK, I will fix it by Thursday."),
        ("Laura", "Ana will send the proposal by Friday."),
        ("Laura", "And Ana will send the proposal by Friday, as I said."),
        ("Marco", "We decided to move hosting to Vercel."),
        ("Luis", "Agreed, Vercel it is.")], "en")
    assert [(a.owner, a.task) for a in english.action_items] == [
        ("Pedro", "fix the Android crash"), ("Ana", "send the proposal")]
    assert [d.text for d in english.decisions] == ["We decided to move hosting to Vercel."]
    spanish, _segments = await extract([
        ("Sofía", "Hay que revisar el contrato de mantenimiento."),
        ("Diego", "Me encargo yo, dentro de 3 días lo tienes.")], "es")
    assert [(a.owner, a.task) for a in spanish.action_items] == [
        ("Diego", "revisar el contrato de mantenimiento")]


async def test_a_request_turned_down_or_a_point_said_again_is_not_listed_twice() -> None:
    summary, _segments = await extract([
        ("Marta", "Ana, can you send the contract to Acme by Friday?"),
        ("Ana", "No, I can't this week, sorry."),
        ("Marco", "I'll fix the login bug by Friday."),
        ("Ana", "We decided to move the release to April 10."),
        ("Marta", "So to recap: Marco will fix the login bug by Friday, and Laura will update "
                  "the release notes tomorrow."),
        ("Ana", "And again, we decided to move the release to April 10.")], "en")
    assert [(a.owner, a.task) for a in summary.action_items] == [("Marco", "fix the login bug")]
    assert [d.segment for d in summary.decisions] == [3]


def test_clean_text_drops_annotations_and_fillers() -> None:
    assert clean_text("So , uh , we 're done {disfmarker} I think . Um , yeah .") == \
        "So, we're done I think. yeah."
    assert clean_text("{vocalsound} {pause}") == ""


async def test_empty_and_speakerless_transcripts() -> None:
    empty = await ExtractiveSummarizer().summarize([], language="en", meeting_date=MEETING_DATE)
    assert empty == Summary()
    segments = [Segment(None, 0.0, 1.0, "Uh."), Segment(None, 1.0, 2.0, "{gap}")]
    summary = await ExtractiveSummarizer().summarize(segments, language="en",
                                                     meeting_date=MEETING_DATE)
    assert summary.summary == [] and summary.participants == []


def _qmsum(name: str) -> list[Segment]:
    path = QMSUM_VAL / f"{name}.json"
    if not path.exists():
        pytest.skip(f"QMSum data not found at {QMSUM_VAL}")
    record = json.loads(path.read_text(encoding="utf-8"))
    return [Segment(t["speaker"], float(i), float(i + 1), t["content"])
            for i, t in enumerate(record["meeting_transcripts"])]


@pytest.mark.parametrize("name", ["ES2006a", "Bmr005", "education_0"])
async def test_real_qmsum_meeting_is_summarised_within_budget(name: str) -> None:
    segments = _qmsum(name)
    summary = await ExtractiveSummarizer().summarize(segments, language="en",
                                                     meeting_date=MEETING_DATE)
    words = sum(len(p.text.split()) for p in summary.summary)
    assert 60 <= words <= 110
    assert len(summary.key_points) == 5
    assert_traceable(summary, segments)
    assert not any("{" in p.text for p in summary.summary)  # annotation tokens are gone
    assert summary.participants == list(dict.fromkeys(s.speaker for s in segments))


async def test_a_long_meeting_is_quick_and_does_not_block_the_loop() -> None:
    segments = [s for name in ("ES2006a", "ES2006b", "ES2006c", "ES2006d", "Bmr005")
                for s in _qmsum(name)]
    assert len(segments) > 2000
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    ticker = asyncio.create_task(tick())
    started = time.perf_counter()
    summary = await ExtractiveSummarizer().summarize(segments, language="en",
                                                     meeting_date=MEETING_DATE)
    elapsed = time.perf_counter() - started
    ticker.cancel()
    assert elapsed < 3.0
    assert ticks >= 3  # the event loop kept running: the work is in a thread
    assert summary.summary and sum(len(p.text.split()) for p in summary.summary) <= 110


# -- LLM ---------------------------------------------------------------------------------------

Handler = Callable[[dict[str, Any]], Any]
LINE = re.compile(r"^\[(\d+)\] ", re.MULTILINE)


def reply(**fields: Any) -> str:
    """A reply of the required shape; unspecified lists are empty."""
    empty: dict[str, Any] = {key: [] for key in ("summary", "key_points", "decisions",
                                                 "action_items", "next_steps", "participants")}
    return json.dumps(empty | fields)


def system_of(body: dict[str, Any]) -> str:
    return body["messages"][0]["content"]


def user_of(body: dict[str, Any]) -> str:
    return body["messages"][1]["content"]


def is_merge(body: dict[str, Any]) -> bool:
    return "merge" in system_of(body)


def lines_of(body: dict[str, Any]) -> list[int]:
    return [int(n) for n in LINE.findall(user_of(body))]


def part_reply(body: dict[str, Any]) -> str:
    """A valid reply citing the first segment of the part it was sent."""
    first = lines_of(body)[0]
    return reply(summary=[{"text": f"Part from {first}.", "segment": first}],
                 decisions=[{"text": f"Decision {first}.", "segment": first}],
                 action_items=[{"task": "send the deck", "owner": "Ana", "due": "2027-03-26",
                                "segment": first}])


def merge_reply(body: dict[str, Any]) -> str:
    """A valid merge that keeps every summary point of the parts it was sent."""
    parts = json.loads(user_of(body))
    return reply(summary=[p for part in parts for p in part["summary"]],
                 decisions=[{"text": "All decisions.", "segment": parts[0]["decisions"][0][
                     "segment"]}],
                 action_items=parts[0]["action_items"])


class ScriptedOpenAI(FakeOpenAI):
    """The fake server answering every chat request with one handler, whatever their order.

    Parts are summarised concurrently, so which part arrives first is not fixed; the
    handler looks at the request to decide.
    """

    def __init__(self, handler: Handler) -> None:
        super().__init__()
        self.chat.extend([handler] * 100)

    def chat_requests(self) -> list[dict[str, Any]]:
        return [body for path, body in self.requests
                if path == "/v1/chat/completions" and body is not None]


def client_for(fake: FakeOpenAI, **options: Any) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=fake.base_url, api_key="test", **options)


def long_meeting(count: int = 30) -> list[Segment]:
    return [Segment("Ana" if i % 2 else "Ben", i * 30.0, i * 30.0 + 29.0,
                    f"Point number {i} about the website launch. " * 6)
            for i in range(count)]


SMALL = {"max_context_tokens": 2000, "max_output_tokens": 300}  # ~1,000 tokens a part


async def test_structured_output_is_mapped_with_segment_indices() -> None:
    segments = segments_of(ENGLISH[:5])
    answer = reply(
        summary=[{"text": "The team reviewed the Acme redesign.", "segment": 0}],
        key_points=[{"text": "Mobile layout needs work.", "segment": 2}],
        decisions=[{"text": "Keep the dark palette.", "segment": 1}],
        action_items=[{"task": "fix the menu", "owner": "Carla", "due": "2027-03-31",
                       "segment": 4},
                      {"task": "check the budget", "owner": None, "due": None, "segment": 3}],
        next_steps=[{"text": "Test on phones.", "segment": 4}],
        participants=["Ana", "Ben"])
    async with FakeOpenAI() as fake:
        fake.chat.append(answer)
        summarizer = LLMSummarizer(client_for(fake), "test-model")
        summary = await summarizer.summarize(segments, language="es",
                                             meeting_date=MEETING_DATE)

    assert summarizer.name == "llm:test-model"
    assert [(p.text, p.segment) for p in summary.summary] == [
        ("The team reviewed the Acme redesign.", 0)]
    assert [(p.text, p.segment) for p in summary.key_points] == [("Mobile layout needs work.", 2)]
    assert [p.segment for p in summary.decisions] == [1]
    assert [(a.task, a.owner, a.due, a.segment) for a in summary.action_items] == [
        ("fix the menu", "Carla", date(2027, 3, 31), 4), ("check the budget", None, None, 3)]
    assert [p.segment for p in summary.next_steps] == [4]
    assert summary.participants == ["Ana", "Ben", "Carla"]  # the speakers, not the model's
    assert summary.problems == []

    [(path, body)] = fake.requests
    assert path == "/v1/chat/completions" and body is not None
    assert body["model"] == "test-model"
    assert body["response_format"] == RESPONSE_FORMAT
    assert body["response_format"]["json_schema"]["strict"] is True
    assert "Spanish" in system_of(body) and "Wednesday 2027-03-24" in system_of(body)
    assert user_of(body).splitlines()[1] == (
        "[1] Ben (00:10): The new homepage design is finished and the client liked the darker "
        "colour palette.")


async def test_invalid_json_is_retried_once() -> None:
    good = reply(summary=[{"text": "Fine.", "segment": 0}])
    async with FakeOpenAI() as fake:
        fake.chat += ["Sure! Here is the summary: {not json", good]
        summary = await LLMSummarizer(client_for(fake), "m").summarize(
            segments_of(ENGLISH[:3]), language="en", meeting_date=MEETING_DATE)
    assert [p.text for p in summary.summary] == ["Fine."]
    assert len(fake.requests) == 2
    retry = fake.requests[1][1]
    assert retry is not None
    first = fake.requests[0][1]
    assert first is not None and retry["messages"][:2] == first["messages"]
    assert [m["role"] for m in retry["messages"]] == ["system", "user", "user"]
    assert "not valid: the reply: Invalid JSON" in retry["messages"][-1]["content"]


async def test_wrong_shape_is_retried_and_a_markdown_fence_is_accepted() -> None:
    wrong = json.dumps({"summary": "one string, not a list"})
    good = "```json\n" + reply(summary=[{"text": "Fine.", "segment": 1}]) + "\n```"
    async with FakeOpenAI() as fake:
        fake.chat += [wrong, good]
        summary = await LLMSummarizer(client_for(fake), "m").summarize(
            segments_of(ENGLISH[:3]), language="en", meeting_date=MEETING_DATE)
    assert [(p.text, p.segment) for p in summary.summary] == [("Fine.", 1)]
    assert len(fake.requests) == 2


async def test_citations_out_of_range_or_outside_the_part_are_dropped() -> None:
    segments = segments_of(ENGLISH[:4])
    answer = reply(summary=[{"text": "Real.", "segment": 2}, {"text": "Made up.", "segment": 9},
                            {"text": "Negative.", "segment": -1}],
                   action_items=[{"task": "ghost task", "owner": None, "due": None,
                                  "segment": 4}])
    async with FakeOpenAI() as fake:
        fake.chat.append(answer)
        summary = await LLMSummarizer(client_for(fake), "m").summarize(
            segments, language="en", meeting_date=MEETING_DATE)
    assert [(p.text, p.segment) for p in summary.summary] == [("Real.", 2)]
    assert summary.action_items == []

    # In a transcript of several parts, a part may cite only its own segments.
    def cross_citing(body: dict[str, Any]) -> str:
        if is_merge(body):
            return merge_reply(body)
        first, last = lines_of(body)[0], lines_of(body)[-1]
        return reply(summary=[{"text": f"own {first}", "segment": first},
                              {"text": f"other {first}", "segment": last + 1}],
                     decisions=[{"text": "d", "segment": first}])

    async with ScriptedOpenAI(cross_citing) as fake:
        summary = await LLMSummarizer(client_for(fake), "m", **SMALL).summarize(
            long_meeting(), language="en", meeting_date=MEETING_DATE)
    assert summary.summary and all(p.text.startswith("own") for p in summary.summary)


async def test_a_long_transcript_is_split_into_parts_then_merged() -> None:
    segments = long_meeting()
    async with ScriptedOpenAI(lambda body: merge_reply(body) if is_merge(body)
                              else part_reply(body)) as fake:
        summarizer = LLMSummarizer(client_for(fake), "m", **SMALL)
        summary = await summarizer.summarize(segments, language="en",
                                             meeting_date=MEETING_DATE)
        bodies = fake.chat_requests()

    parts = [body for body in bodies if not is_merge(body)]
    merges = [body for body in bodies if is_merge(body)]
    assert len(parts) >= 3 and len(merges) == 1 and len(bodies) == len(parts) + 1
    covered = sorted(i for body in parts for i in lines_of(body))
    assert covered == list(range(len(segments)))  # every segment once, cut at boundaries
    schema_tokens = estimate_tokens(json.dumps(RESPONSE_FORMAT))
    for body in parts:
        prompt = estimate_tokens(system_of(body)) + estimate_tokens(user_of(body))
        assert prompt + schema_tokens + SMALL["max_output_tokens"] <= SMALL["max_context_tokens"]
        assert body["max_completion_tokens"] == SMALL["max_output_tokens"]
        assert re.search(r"part \d of \d", system_of(body))

    firsts = sorted(lines_of(body)[0] for body in parts)
    assert [p.segment for p in summary.summary] == firsts  # the merge kept every part's point
    assert [(d.text, d.segment) for d in summary.decisions] == [("All decisions.", 0)]
    assert summary.problems == []


async def test_a_part_invalid_twice_is_reported_and_the_others_kept() -> None:
    segments = long_meeting()
    bad_part: set[int] = set()

    def handler(body: dict[str, Any]) -> str:
        if is_merge(body):
            return merge_reply(body)
        if "part 2 of" in system_of(body):
            bad_part.update(lines_of(body))
            return "I cannot do that."
        return part_reply(body)

    async with ScriptedOpenAI(handler) as fake:
        summary = await LLMSummarizer(client_for(fake), "m", **SMALL).summarize(
            segments, language="en", meeting_date=MEETING_DATE)
        bodies = fake.chat_requests()

    parts = len([b for b in bodies if not is_merge(b)]) - 1  # part 2 was asked twice
    first, last = min(bad_part), max(bad_part)
    [problem] = summary.problems
    assert problem.startswith(f"part 2 of {parts} (segments {first}-{last}) could not be "
                              "summarised: the reply was not JSON of the required shape")
    assert len([b for b in bodies if is_merge(b)]) == 1
    assert summary.summary and all(not first <= p.segment <= last for p in summary.summary)
    assert summary.action_items  # the other parts' items still count


async def test_a_failed_merge_falls_back_to_the_parts_items() -> None:
    def handler(body: dict[str, Any]) -> str:
        return "nope" if is_merge(body) else part_reply(body)

    async with ScriptedOpenAI(handler) as fake:
        summary = await LLMSummarizer(client_for(fake), "m", **SMALL).summarize(
            long_meeting(), language="en", meeting_date=MEETING_DATE)
        bodies = fake.chat_requests()

    assert len([b for b in bodies if is_merge(b)]) == 2  # the merge and its one retry
    parts = [b for b in bodies if not is_merge(b)]
    assert [p.segment for p in summary.summary] == sorted(lines_of(b)[0] for b in parts)
    assert len(summary.action_items) == 1  # the same task from every part, once
    assert summary.problems == []


async def test_rate_limits_are_retried_by_the_client() -> None:
    async with FakeOpenAI() as fake:
        fake.fail_next(status=429)
        fake.chat.append(reply(summary=[{"text": "Fine.", "segment": 0}]))
        summary = await LLMSummarizer(client_for(fake, max_retries=2), "m").summarize(
            segments_of(ENGLISH[:2]), language="en", meeting_date=MEETING_DATE)
    assert [p.text for p in summary.summary] == ["Fine."]
    assert len(fake.requests) == 2


async def test_a_part_whose_request_fails_is_reported() -> None:
    def handler(body: dict[str, Any]) -> Any:
        if is_merge(body):
            return merge_reply(body)
        if "part 1 of" in system_of(body):
            from aiohttp import web

            return web.json_response({"error": {"message": "boom", "type": "server_error"}},
                                     status=500)
        return part_reply(body)

    async with ScriptedOpenAI(handler) as fake:
        summary = await LLMSummarizer(client_for(fake, max_retries=0), "m", **SMALL).summarize(
            long_meeting(), language="en", meeting_date=MEETING_DATE)
    [problem] = summary.problems
    assert problem.startswith("part 1 of ") and "(segments 0-" in problem
    assert problem.endswith("could not be summarised: the model server answered 500")
    assert summary.summary


async def test_timeouts_on_every_part_raise() -> None:
    async with FakeOpenAI() as fake:
        fake.delay_next(2.0, times=10)
        summarizer = LLMSummarizer(client_for(fake, timeout=0.5, max_retries=0), "m", **SMALL)
        started = time.perf_counter()
        with pytest.raises(SummarizationError) as raised:
            await summarizer.summarize(long_meeting(), language="en",
                                       meeting_date=MEETING_DATE)
        elapsed = time.perf_counter() - started
    problems = raised.value.problems
    assert len(problems) >= 3
    assert all("could not be summarised: the request timed out" in p for p in problems)
    assert isinstance(raised.value.__cause__, openai.APITimeoutError)
    assert elapsed < 3.0  # parts run side by side, each cut off after 0.5 s


async def test_a_short_transcript_that_fails_raises() -> None:
    async with FakeOpenAI() as fake:
        fake.chat += ["bad", "still bad"]
        with pytest.raises(SummarizationError, match="part 1 of 1"):
            await LLMSummarizer(client_for(fake), "m").summarize(
                segments_of(ENGLISH[:2]), language="en", meeting_date=MEETING_DATE)


def test_make_summarizer_picks_the_llm_only_with_a_key() -> None:
    assert make_summarizer(openai_api_key=None, openai_base_url=None).name == "extractive"
    assert make_summarizer(openai_api_key="", openai_base_url="http://x/v1").name == "extractive"
    llm = make_summarizer(openai_api_key="sk-test", openai_base_url="http://127.0.0.1:9/v1",
                          model="local-model")
    assert isinstance(llm, LLMSummarizer) and llm.name == "llm:local-model"
    assert str(llm.client.base_url).startswith("http://127.0.0.1:9/v1")


def test_a_context_too_small_for_the_prompt_is_refused() -> None:
    client = openai.AsyncOpenAI(base_url="http://127.0.0.1:9/v1", api_key="test")
    with pytest.raises(ValueError, match="max_context_tokens"):
        LLMSummarizer(client, "m", max_context_tokens=1000, max_output_tokens=500)


def test_a_question_or_a_denial_is_no_decision_and_a_refusal_no_task() -> None:
    said = [Segment("Luis", 0, 3, "¿Decidimos algo sobre el color del menú la última vez?"),
            Segment("Diego", 4, 8, "No, nunca lo decidimos. Y esta semana no voy a poder "
                                   "mirarlo."),
            Segment("Bea", 9, 11, "I will not send it."),
            Segment("Ana", 12, 15, "Decidimos quitar el paso del teléfono."),
            Segment("Marco", 16, 20, "We decided to move the launch, we did not decide the "
                                     "price yet.")]
    sentences = split_sentences(said)
    assert [point.text for point in find_decisions(sentences)] == [
        "Decidimos quitar el paso del teléfono.",
        "We decided to move the launch, we did not decide the price yet."]
    assert find_action_items(sentences, said, language="es",
                             meeting_date=date(2026, 11, 25)) == []
