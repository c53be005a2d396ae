"""Grounded answers: `ask` and `search` about a project, from its meetings and its numbers."""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta
from decimal import Decimal

from bot.commands import registry
from bot.commands.common import percent
from bot.commands.risks import project_risks
from bot.commands.transcripts import actions, same_word, words_of
from bot.context import Context
from bot.core import Citation, Reply, Role, UserError
from bot.i18n import N_
from bot.parsing import MONTH, WEEKDAY
from bot.registry import MeetingRef, ProjectRef
from bot.retrieval.answers import ASKS_DECISION, Moment, Retriever
from bot.routing import (
    PROMISED,
    each_named_by_a_word,
    mentioned,
    named_by_a_word,
    project_mentioned,
)
from bot.transcripts.pipeline import summary_reply
from bot.transcripts.summarize import STOP_WORDS, fold
from storage.models import Client, ConversationTurn, ItemKind, Meeting, Project, ProjectStatus

log = logging.getLogger("v1tr0.answers")

# Hours logged, asked without a stretch of time: "who logged the most hours?".
_LOGGING = re.compile(r"\b(?:log|logged|worked|spent|tracked|registr\w*|trabaj\w*|dedic\w*|"
                      r"llev\w*|imput\w*)\b", re.IGNORECASE)
# "Who logged the most hours?": people, not projects.
_BY_PERSON = re.compile(r"\b(?:who|whom|qui[eé]n(?:es)?)\b", re.IGNORECASE)
# "What did Pedro say …?", "¿qué dijo Sofía …?": a person's words asked for.
_SAID_BY = re.compile(r"\bwhat did (?P<en>[^\W\d_]+) (?:say|said|think|propose|suggest|mention|"
                      r"want)\b|\bqu[eé] (?:dijo|opin[oó]|propuso|coment[oó]|pens[oó]|"
                      r"quer[ií]a) (?P<es>[^\W\d_]+)\b", re.IGNORECASE)
_NOT_A_PERSON = frozenset({
    "we", "you", "they", "i", "he", "she", "the", "everyone", "everybody", "people", "anyone",
    "someone", "team", "client", "customer", "nosotros", "el", "la", "los", "las", "todos",
    "alguien", "equipo", "cliente", "usted", "ustedes", "ellos", "ella"})
# "How many hours did Marco log?", "¿cuántas horas registró Marco?": someone's hours.
_HOURS_OF = re.compile(r"\bhow many hours (?:did|has) (?P<en>[^\W\d_]+) (?:log|logged|work|"
                       r"worked|spend|spent)\b|\bcu[aá]ntas horas (?:registr[oó]|trabaj[oó]|"
                       r"llev[aó]|dedic[oó]|ha registrado|ha trabajado) (?P<es>[^\W\d_]+)\b",
                       re.IGNORECASE)
# A project named as one: "the intranet project", "proyecto intranet".
_SAID_PROJECT = re.compile(r"\b(?:(?P<before>[^\W\d_][\w-]*)\s+project|(?:project|proyecto)\s+"
                           r"(?:de\s+|del\s+)?(?P<after>[^\W\d_][\w-]*))\b|\b(?:budget|status|"
                           r"deadline|progress|presupuesto|estado|entrega|progreso|avance)\s+(?:of|"
                           r"for|de|del)\s+(?:the\s+|la\s+|el\s+)?(?P<last>[^\W\d_][\w-]*)"
                           r"\s*[?.!]*$", re.IGNORECASE)
_NOT_A_PROJECT = frozenset({
    "the", "this", "that", "our", "my", "your", "a", "an", "which", "what", "each", "every",
    "any", "same", "whole", "new", "current", "el", "la", "este", "ese", "nuestro", "mi", "cada",
    "nuevo", "actual", "is", "was", "are", "status", "budget", "es", "está", "esta", "it",
    "everything", "all", "todo", "todos", "today", "hoy", "week", "month", "year", "semana",
    "mes", "año", "ello", "eso", "esto"})
# Hours asked of oneself: "how many hours did I log?", "¿cuántas horas he registrado?".
_MINE = re.compile(r"\b(?:did i|have i|i(?:'ve| have)? (?:logged|worked|spent)|my hours|"
                   r"mis horas|he (?:registrado|trabajado|dedicado|metido|imputado)|"
                   r"registr[eé]|trabaj[eé]|dediqu[eé]|llevo)\b", re.IGNORECASE)
# A follow-up ("and the budget?", "¿y las horas?") leans on the thread's last question.
_FOLLOW_UP = re.compile(r"^\s*[¿(]*\s*(and|y|what about|qué tal|e)\b", re.IGNORECASE)
FOLLOW_UP_WINDOW = timedelta(minutes=30)
# The day a question names for its meeting: "yesterday", "last Monday", "Monday's call",
# "ayer", "el lunes pasado", "la reunión del lunes", "the meeting of Nov 19". A bare weekday
# is left alone: "who sends the budget on Friday?" is about Friday, not about a meeting held
# on one.
_MEETING_DAY = re.compile(
    rf"\b(?:(?P<day>yesterday|today|ayer|hoy)|(?P<now>this (?:morning|afternoon)|esta "
    rf"(?:mañana|tarde))|last (?P<last>{WEEKDAY})|(?P<owner>{WEEKDAY})'s (?:meeting|call|"
    rf"sync|review|standup)|(?:el )?(?P<pasado>{WEEKDAY}) pasado|(?:reuni[oó]n|llamada) del "
    rf"(?P<del>{WEEKDAY})|(?:on|el) (?P<on>{WEEKDAY}|{MONTH}\.? \d{{1,2}}(?:st|nd|rd|th)?|"
    rf"\d{{1,2}} de {MONTH})|(?:meeting|call|sync|review|standup|"
    rf"reuni[oó]n|llamada) (?:of|on|from|del|de|el) (?P<date>{MONTH}\.? \d{{1,2}}"
    rf"(?:st|nd|rd|th)?|\d{{1,2}} de {MONTH}))\b", re.IGNORECASE)
# "What did we decide last week?": the meetings of that week.
_LAST_WEEK = re.compile(r"\b(?:last week|la semana pasada)\b", re.IGNORECASE)
# "What did we decide on Monday?": a weekday after "on" names a meeting held only when the
# question looks back; "what is due on Monday?" does not.
_LOOKS_BACK = re.compile(r"\b(?:did|was|were|said|decided|agreed|discussed|talked|dijo|"
                         r"dijeron|decidimos|decidieron|acordamos|acordaron|hablamos|hablaron|"
                         r"pas[oó]|comentamos|comentaron|dijimos)\b", re.IGNORECASE)
# A request for a meeting's whole summary ("summarize", "recap", "¿qué pasó…?").
_ASKS_SUMMARY = re.compile(r"\b(?:summari[sz]e|summary|recap|overview|what happened|notes|"
                           r"minutes|resum\w*|acta|notas|qu[eé] pas[oó]|de qu[eé] se habl[oó])"
                           r"\b", re.IGNORECASE)
# A request for action items ("what are the open tasks?", "¿qué tareas salieron?").
_ASKS_ACTIONS = re.compile(r"\b(?:action items?|tasks?|to-?dos?|tareas?|pendientes?)\b",
                           re.IGNORECASE)
# "The last meeting", "la última reunión": the latest one that has started.
_LAST_MEETING = re.compile(r"\b(?:(?:last|latest|previous|most recent) (?:meeting|call|sync)|"
                           r"(?:[uú]ltima|anterior) (?:reuni[oó]n|llamada)|(?:reuni[oó]n|"
                           r"llamada) anterior)\b", re.IGNORECASE)
# Words a request may say besides its cue and the meeting without naming a subject.
_NO_SUBJECT = frozenset({
    "meeting", "meetings", "call", "sync", "review", "standup", "session", "give", "tell",
    "show", "please", "can", "could", "quick", "short", "brief", "reunion", "llamada", "sesion",
    "dame", "dime", "muestrame", "puedes", "breve", "rapido", "open", "abiertas", "abiertos"})
_TOPICS = {
    "budget": r"budget|cost|spent|spend|money|burn|presupuesto|gastos?|gastado|gastamos|"
              r"coste|costo|dinero",
    "hours": r"hours?|time logged|horas|tiempo",
    "rate": r"(?:hourly )?rates?|per hour|tarifas?|precio por hora",
    # "website is 60% done?", "mobile is on hold?": asked, not said
    "status": r"status|progress|state|estado|progreso|avance|on hold|en pausa|\d{1,3}(?=\s*%)",
    "due": r"due|deadline|delivery|end date|late|behind(?: schedule)?|overdue|delayed|entrega|"
           r"plazo|fecha l[ií]mite|vence\w*|vencimiento|atrasad[oa]s?|retras\w*",
    # "When do we meet?", "the next meetings"; not "what did Marco say in the meeting?",
    # which is about what was said there (see ``_SCHEDULE``).
    "meetings": r"meet|reunimos|(?:meetings?|calls?|reuni[oó]n|reuniones|llamadas?)",
    "actions": r"action items?|actions|tasks?|to-?dos?|pending|pendientes?|tareas?",
    "risks": r"risks?|risky|at risk|riesgos?|insights?",
    # Asked of the client, not said in passing: "the contact form" ("el formulario de
    # contacto"), "older phones" and "el paso del teléfono" are about the work.
    "contact": r"contacts?(?! form)|contact details|e-?mail address|phone number|(?:client|"
               r"customer)'?s? (?:phone|e-?mail)|(?:phone|e-?mail) (?:of|for) the (?:client|"
               r"customer)|who(?:'s| is) the client|(?<!formulario de )contactos?|"
               r"datos de contacto|(?:tel[eé]fono|correo|e-?mail) del (?:cliente|contacto)|"
               r"qui[eé]n es el cliente",
    "billing": r"billing|invoices?|invoicing|tax id|factura\w*|facturaci[oó]n",
    # Who is on it: "who is working on the website?", "¿quién trabaja en la app?".
    "team": r"who(?:'s| is| are)? (?:working|worked|works|involved|on)|who(?:'s| is) on the "
            r"team|who(?: has| have)? logged|(?:the )?team (?:on|of|for|behind)|qui[eé]n(?:es)? "
            r"(?:trabaja|trabajan|est[aá]n? en|participa|participan|lleva|llevan|(?:ha |han )?"
            r"registrad[oa])|(?:el )?equipo (?:de|del)",
}
# A meeting is asked about as a date in the calendar ("when is the next meeting?", "¿cuándo
# nos reunimos?"), not as where something was said ("what did the meeting say about photos?").
_SCHEDULE = re.compile(r"\b(?:when|next|upcoming|scheduled?|coming up|cu[aá]ndo|"
                       r"pr[oó]xim[ao]s?|agendad[ao]s?|programad[ao]s?)\b", re.IGNORECASE)
# "And the client?", "and its phone?" after a question about a project: its client's record.
_CLIENT_FOLLOW_UP = re.compile(r"^\W*(?:and|y)\s+(?:the\s+|its\s+|el\s+|su\s+)?(?:client|cliente|"
                               r"contact|contacto|phone|e-?mail|tel[eé]fono|correo)\W*$",
                               re.IGNORECASE)
# The days a question about hours counts: "this week", "la semana pasada".
_PERIOD = re.compile(
    r"\b(?:(?P<today>today|hoy)|(?P<yesterday>yesterday|ayer)|(?P<this_week>this week|esta "
    r"semana)|(?P<last_week>last week|(?:la )?semana pasada)|(?P<this_month>this month|este "
    r"mes)|(?P<last_month>last month|(?:el )?mes pasado))\b", re.IGNORECASE)
# A contact detail, asked of a client by name: "what is Globex's email?".
_CONTACT_WORDS = (r"e-?mails?|phones?|phone numbers?|correos?|tel[eé]fonos?|addresse?s?|"
                  r"direcci[oó]n|contact details")
_CONTACT_DETAIL = re.compile(rf"\b(?:{_CONTACT_WORDS})\b", re.IGNORECASE)
_PHONE = re.compile(r"\b(?:phones?|tel[eé]fonos?|m[oó]vil|mobile number)\b", re.IGNORECASE)
_EMAIL = re.compile(r"\b(?:e-?mails?|correos?)\b", re.IGNORECASE)
# A question the records answer alone: whom to reach ("the client's phone", "el teléfono
# de Acme"), who is on the project.
_WHO_TO_REACH = re.compile(rf"\b(?:{_TOPICS['contact']}|{_TOPICS['billing']}|{_CONTACT_WORDS}|"
                           rf"clients?|clientes?|{_TOPICS['team']})\b", re.IGNORECASE)
_OVERDUE = re.compile(r"\b(?:overdue|late|behind|atrasad[oa]s?|vencid[oa]s?|retrasad[oa]s?)\b",
                      re.IGNORECASE)
_CLIENT_RECORD = re.compile(rf"\b(?:{_TOPICS['contact']}|{_TOPICS['billing']}|{_CONTACT_WORDS})\b",
                            re.IGNORECASE)
# "How is the website doing?", "¿cómo va la web?", "¿qué tal va?": its numbers at a glance.
_HOW_IS_IT_GOING = re.compile(r"\bhow(?:'s| is| are)\b.*\b(?:doing|going|coming along)\b|"
                              r"\bwhat'?s up with\b|\b(?:c[oó]mo|qu[eé] tal) (?:va|van|vamos|"
                              r"anda|andan|andamos)\b|\bon (?:track|schedule)\b|"
                              r"\b(?:a tiempo|al d[ií]a|en plazo)\b", re.IGNORECASE)
# The project a status question is of: "how is the website doing?", "¿qué tal va mobile?".
_STATUS_OF = re.compile(r"\bhow(?:'s| is| are)\s+(?:the\s+)?(?P<en>[^\W\d_][\w-]*)\s+"
                        r"(?:project\s+)?(?:doing|going|coming along)\b|\bwhat'?s up with\s+"
                        r"(?:the\s+)?(?P<up>[^\W\d_][\w-]*)\W*$|\b(?:c[oó]mo|qu[eé] tal)\s+"
                        r"(?:va|anda)\s+(?:el\s+|la\s+)?(?P<es>[^\W\d_][\w-]*)\W*$",
                        re.IGNORECASE)


@registry.command("ask", role=Role.MEMBER)
async def ask(ctx: Context, question: str, *, project: ProjectRef | None = None,
              meeting: MeetingRef | None = None) -> Reply:
    """Ask about a project: answered from its meetings and data, citing who said it and when.

    Args:
        question: Your question, e.g. "what did we decide about the launch date?".
        project: Project name or #id; defaults to the channel's project, else the one
            the text names, else the one whose meetings match best.
        meeting: Only this meeting (title or #id); the project defaults to its own.

    Examples:
        /ask what did we decide about the launch date?
        /ask ¿quién se encarga del presupuesto? project:website
        /ask who owns the budget? meeting:"Launch review"
        /ask what did we agree on yesterday's call?
        /ask summarize the last meeting project:website
    """
    _ = ctx._
    _need_words(ctx, "question", question, "/ask what did we decide about the launch date?")
    # "What did Luis promise?": his tasks, as the words say it outside `ask` too.
    if (promised := next(filter(None, (p.match(question.strip()) for p in PROMISED)), None)) \
            and promised["who"].casefold() not in _NOT_A_PERSON:
        return await actions(ctx, project, owner=promised["who"])
    thread = _thread(ctx)
    # In a thread, every earlier turn is context; elsewhere (a channel, a direct message, the
    # console) only a question asked a few minutes ago is.
    earlier = await ctx.db.recent_turns(thread, limit=2, since=None if ctx.request.thread_id
                                        else ctx.now() - FOLLOW_UP_WINDOW)
    # "and the budget?" means the budget in the light of the last question: look both ways,
    # in the project that question was about unless another is named. A question given its
    # project or meeting follows nothing.
    last = earlier[-1] if earlier and project is None and meeting is None and (
        _FOLLOW_UP.match(question) or len(question.split()) <= 4) else None
    # "And mobile?" asks the last question again, of Mobile: so it is remembered, and the
    # next "and brand?" asks it again too.
    if last and (again := await _asked_of_another(ctx, question, last)):
        question, project, last, earlier = again[0], ProjectRef(f"#{again[1].id}"), None, []
    # A client whose name stands for no one project: its record, or why not; "the budget of
    # website and mobile": each one's numbers.
    if project is None and meeting is None and (alone := await _client_alone(
            ctx, question, f"{last.question} {question}" if last else question)
            or await _each_project(ctx, question)):
        alone.in_thread = True
        await ctx.db.remember_turn(thread, ctx.member_id, None, question, alone.text,
                                   at=ctx.now())
        return alone
    # Hours across projects, unless it follows up a question about one project.
    if project is None and meeting is None and (last is None or last.project_id is None) and (
            everywhere := await _hours_everywhere(ctx, question, " ".join(
                t.question for t in earlier) if last and _FOLLOW_UP.match(question) else None)):
        reply, row, only = everywhere, None, None
    else:
        reply, row, only = await _answer(ctx, question, project, meeting, last, earlier)
    reply.in_thread = True
    await ctx.db.remember_turn(thread, ctx.member_id, row.id if row else None, question,
                               reply.text, at=ctx.now(), meeting_id=only.id if only else None)
    return reply


async def _answer(ctx: Context, question: str, project: ProjectRef | None,
                  meeting: MeetingRef | None, last: ConversationTurn | None,
                  earlier: list[ConversationTurn],
                  ) -> tuple[Reply, Project, Meeting | None]:
    """The reply to a question, with the project and the meeting (if one) it answers from."""
    _ = ctx._
    follows = last.question if last else None
    topic = _topic(question)
    row, only = await _scope(ctx, project, meeting, question,
                             follows=last.project_id if last else None)
    implied = await _implied_meeting(ctx, row, question, last) if only is None else None
    asked = only or implied
    # (A follow-up may be about someone of another project: asked afresh below.)
    if last is None and (unheard := await _nobody_called(ctx, row, asked, question)):
        # "What did Sofía say yesterday?": yesterday's other meeting, if she spoke in it;
        # not when the meeting was named by its title ("… in the launch review?").
        if project is None and meeting is None and not (
                implied and mentioned(question, [(0, implied.title)]) is not None) and (
                theirs := await _project_of_speaker(ctx, question)) and theirs.id != row.id:
            return await _answer(ctx, question, ProjectRef(f"#{theirs.id}"), None, None, [])
        return _about(ctx, unheard, row, asked), row, asked
    # "What did we decide last Monday?" with nothing held that day: the project's other
    # meetings answer, saying so first.
    missed_days = _meeting_days(ctx, question) if asked is None else None
    if asked and _only_asks(_ASKS_SUMMARY, question, row, asked):
        return await _meeting_summary(ctx, row, asked), row, asked
    # "What were the action items from the launch review?": that meeting's open ones (else
    # the project's), as `actions` lists them.
    if _only_asks(_ASKS_ACTIONS, question, row, asked):
        return await actions(ctx, ProjectRef(f"#{row.id}"),
                             meeting=MeetingRef(f"#{asked.id}") if asked else None), row, asked
    # "What did we decide (yesterday)?" names no subject for a line to be close to: the
    # decisions the summary recorded are the answer.
    if _only_asks(ASKS_DECISION, question, row, asked):
        if found := await _decisions(ctx, row, asked):
            held, moments = found
            reply = _extractive_answer(ctx, [], moments[:5])
            # Nothing held that day: the heading names no meeting of another day.
            return _about(ctx, _noting_days(ctx, reply, row, missed_days), row,
                          None if missed_days else held), row, held
        if asked is not None:  # that meeting's, not another's passed off as its
            reply = (Reply(text=_("No decision was recorded in {meeting}.",
                                  meeting=asked.title), status="info")
                     if await ctx.db.summarised_transcript(asked.id)
                     else await _meeting_summary(ctx, row, asked))
            return _about(ctx, reply, row, asked), row, asked
    only, moments, facts = await _findings(ctx, row, only, implied, question, topic, follows)
    # Short, it was taken for a follow-up; when the question alone finds nothing there, it
    # may be a new one about another project ("who handles SSO?" or "¿qué dijo Sofía?" after
    # one about Website), rather than the earlier question's lines again.
    if (not facts and last and project is None and meeting is None
            and not _FOLLOW_UP.match(question)  # "and the X?" is about the same project
            and row.id == last.project_id
            and (not moments or not await _moments(
                ctx, row, _FOLLOW_UP.sub("", topic).strip() or topic, meeting=only))
            and (other := await _project_about(ctx, question)) and other.id != row.id):
        return await _answer(ctx, question, ProjectRef(f"#{other.id}"), None, None, [])
    if not facts and not moments:
        answer = (_("I found nothing about that in {meeting}.", meeting=only.title) if only
                  else _("I found nothing about that in {project}'s meetings or data.",
                         project=row.name))
        reply = Reply(text=await _still_processing(ctx, row, only) or answer, status="info")
    elif ctx.services.llm is not None and moments:
        reply = await _llm_answer(ctx, row, question, facts, moments, earlier)
    else:
        reply = _extractive_answer(ctx, facts, moments)
    if moments and await ctx.db.transcripts_not_searchable(row.id, only.id if only else None):
        # The newest meeting may say otherwise: the answer says what it could not read yet.
        reply.text += "\n" + _("Some of its transcripts are still being processed; ask again "
                               "once their summaries are posted.")
    return _about(ctx, _noting_days(ctx, reply, row, missed_days), row, only), row, only


async def _each_project(ctx: Context, question: str) -> Reply | None:
    """For a question about the numbers of two or more projects it names by a word each
    ("what's the budget of website and mobile?"), each one's; None for any other."""
    if not any(_names_topic(topic, question) for topic in ("budget", "hours", "status", "due",
                                                           "rate")) \
            and not _HOW_IS_IT_GOING.search(question):
        return None
    names = await ctx.db.project_names()
    if len(named := each_named_by_a_word(question, names)) < 2:
        return None
    lines = []
    for project_id in named:
        row = await ctx.db.project(project_id)
        assert row is not None
        lines.append(f"*{row.name}*: " + " ".join(await _facts(ctx, row, question)))
    return Reply(title=ctx._("About {project}", project=ctx._.join(
        [name for n, name in names if n in named])), text="\n".join(lines))


async def _client_alone(ctx: Context, question: str, intent: str) -> Reply | None:
    """For a question naming a client (and no project) whose name stands for no one project:
    its contact details when ``intent`` asks for them, else why it cannot be answered (it
    has several projects under way, or none yet). None for any other question."""
    # By a word of its name only when the question asks for a record or a project's numbers:
    # "the energy label" names no client called "Green Energy".
    about_records = bool(_WHO_TO_REACH.search(intent) or _HOW_IS_IT_GOING.search(intent)
                         or any(_names_topic(t, intent) for t in ("budget", "hours", "status",
                                                                   "due")))
    finders = (mentioned, named_by_a_word) if about_records else (mentioned,)
    clients = await ctx.db.client_names()
    if all(find(question, clients) is None for find in finders):
        return None  # most questions name no client: the projects' names are not read
    projects = await ctx.db.project_names()
    for find in finders:
        if find(question, projects) is not None:
            return None
        if (client_id := find(question, clients)) is not None:
            break
    else:
        return None
    if await ctx.db.current_project(client_id) or not (client := await ctx.db.client(client_id)):
        return None
    # Its contact or billing details are the client's, whatever its projects.
    if not _CLIENT_RECORD.search(intent) and (
            await ctx.db.open_projects(client_id) or not _WHO_TO_REACH.search(intent)):
        raise await ctx.no_one_project(client)
    return Reply(title=ctx._("About {project}", project=client.name), text="\n".join(
        _client_facts(ctx, client, intent, billing=_names_topic("billing", intent))))


def _person_asked(question: str) -> str | None:
    """Whose words a question asks for ("what did Pedro say …?"), if it names someone."""
    if not (said := _SAID_BY.search(question)):
        return None
    who: str = said["en"] or said["es"]
    return None if who.casefold() in _NOT_A_PERSON else who


def _among(who: str, speakers: list[str]) -> bool:
    """Whether ``who`` is one of ``speakers`` ("Luis" of "Luis Pérez"), case and accents aside."""
    return any(fold(who).casefold() in fold(speaker).casefold().split() for speaker in speakers)


async def _nobody_called(ctx: Context, project: Project, meeting: Meeting | None,
                         question: str) -> Reply | None:
    """"What did Pedro say …?" when nobody called Pedro speaks in the meeting asked about
    (else in the project's meetings): saying so, rather than quoting the others."""
    if not (who := _person_asked(question)) or not (speakers := await ctx.db.speakers(
            project.id, meeting_id=meeting.id if meeting else None)) or _among(who, speakers):
        return None
    people = ctx._.join(speakers[:6])
    return Reply(status="info", text=ctx._(
        "Nobody called {name} speaks in {meeting}; those who do: {people}.", name=who,
        meeting=meeting.title, people=people) if meeting else ctx._(
        "Nobody called {name} speaks in {project}'s meetings; those who do: {people}.",
        name=who, project=project.name, people=people))


async def _project_of_speaker(ctx: Context, question: str) -> Project | None:
    """The only project in whose meetings the person a question asks about speaks."""
    who = _person_asked(question) or ""
    found = [project_id for project_id, _name in await ctx.db.project_names()
             if _among(who, await ctx.db.speakers(project_id))]
    return await ctx.db.project(found[0]) if len(found) == 1 else None


async def _asked_of_another(ctx: Context, question: str,
                            last: ConversationTurn) -> tuple[str, Project] | None:
    """For "and mobile?", "¿y brand?" (a follow-up that names another project and nothing
    else), the last question as if asked of that project, and the project."""
    if not _FOLLOW_UP.match(question) or not (
            named := await project_mentioned(ctx.db, question, by_a_word=True)) \
            or named.id == last.project_id:
        return None
    # "And globex?": the client's name stands for its project.
    rest = _without_name(_FOLLOW_UP.sub(" ", question), *await _names_of(ctx, named))
    if _content_words(rest):
        return None  # "and mobile's budget?" asks its own question
    earlier = await ctx.db.project(last.project_id) if last.project_id else None
    renamed = _without_name(last.question, *await _names_of(ctx, earlier),
                            instead=named.name) if earlier else last.question
    return renamed, named


async def _names_of(ctx: Context, project: Project) -> list[str]:
    """The names a project goes by: its own and its client's."""
    client = await ctx.db.client(project.client_id) if project.client_id else None
    return [project.name, *((client.name, client.company) if client else ())]


def _without_name(text: str, *names: str | None, instead: str = " ") -> str:
    """``text`` with the ``names``, or the words of them, said in it replaced."""
    said = [name for name in names if name]
    words = [*map(re.escape, said), *(re.escape(word) for name in said for word in re.findall(
        r"[^\W\d_]{3,}", name) if fold(word).casefold() not in STOP_WORDS)]
    return re.sub(rf"\b(?:{'|'.join(words)})(?:\s+(?:{'|'.join(words)}))*\b", instead, text,
                  flags=re.IGNORECASE)


def _noting_days(ctx: Context, reply: Reply, project: Project,
                 days: tuple[date, date] | None) -> Reply:
    """The reply, first saying that no meeting was held on the day (or in the week) the
    question named."""
    if days is not None and (reply.citations or reply.status == "info"):
        said = (ctx._("No meeting of {project} was held on {date}.", project=project.name,
                      date=ctx._.date(days[0])) if days[0] == days[1] else
                ctx._("No meeting of {project} was held from {first} to {last}.",
                      project=project.name, first=ctx._.date(days[0]),
                      last=ctx._.date(days[1])))
        reply.text = f"{said} " + (ctx._("From its other meetings:") + "\n"
                                   if reply.citations else "") + reply.text
    return reply


def _about(ctx: Context, reply: Reply, project: Project, meeting: Meeting | None) -> Reply:
    """The reply headed with what it answers from."""
    reply.title = (ctx._("About {project} · {meeting}", project=project.name,
                         meeting=meeting.title) if meeting
                   else ctx._("About {project}", project=project.name))
    return reply


@registry.command("search", role=Role.MEMBER)
async def search(ctx: Context, query: str, *, project: ProjectRef | None = None,
                 meeting: MeetingRef | None = None) -> Reply:
    """Find the moments in a project's meetings that match, with who said them and when.

    Args:
        query: What to look for.
        project: Project name or #id; defaults to the channel's project, else the one
            the text names, else the one whose meetings match best.
        meeting: Only this meeting (title or #id); the project defaults to its own.

    Examples:
        /search launch date project:website
        /search budget meeting:#12
    """
    _ = ctx._
    _need_words(ctx, "query", query, "/search launch date")
    row, only = await _scope(ctx, project, meeting, query, by_word=True)
    moments = await _moments(ctx, row, query, limit=8, meeting=only, by_word=True)
    if not moments:
        nothing = (_("Nothing in {meeting} matches `{query}`.", meeting=only.title, query=query)
                   if only else _("Nothing in {project}'s meetings matches `{query}`.",
                                  project=row.name, query=query))
        return Reply(text=await _still_processing(ctx, row, only) or nothing, status="info")
    return Reply(title=_("Moments matching `{query}`", query=query), items=[
        f"[{n}] “{_snippet(m.text, query)}” — {m.cite(_, ctx.timezone)}"
        for n, m in enumerate(moments, 1)])


async def _findings(ctx: Context, project: Project, only: Meeting | None,
                    implied: Meeting | None, question: str, topic: str,
                    follows: str | None) -> tuple[Meeting | None, list[Moment], list[str]]:
    """The meeting answered from (if one), the best moments and the project's facts."""
    # Within the project its name tells nothing: "hours on the website this week" would only
    # find the lines that say it ("welcome to the website redesign review"), unless it is
    # all the question is about ("when is the launch?" in project Launch).
    unnamed = _without_name(topic, project.name)
    if subject := bool(_content_words(unnamed)):
        topic = " ".join(unnamed.split())
    moments: list[Moment] = []
    # Its title tells which meeting, not what about: "what did Laura say in the
    # accessibility audit?" asks for what Laura said there, not for lines on accessibility.
    if implied and (untitled := re.sub(re.escape(implied.title), " ", topic,
                                       flags=re.IGNORECASE)) != topic \
            and _content_words(untitled):
        topic = " ".join(untitled.split())
    # The meeting it implies is searched alone; when it has nothing on this, the whole
    # project is asked instead.
    if implied and (moments := await _answer_moments(ctx, project, topic, follows, implied)):
        only = implied
    if not moments:
        moments = await _answer_moments(ctx, project, topic, follows, only)
    # The meeting's title is not a topic: "the budget call" asks about neither calls nor
    # the budget as such.
    facts = await _facts(ctx, project, re.sub(re.escape(only.title), " ", question,
                                              flags=re.IGNORECASE) if only else question)
    # "How is the website doing?" asks for its numbers, not for the lines that say "website";
    # "how many hours did we log?" for the hours logged, not for lines that mention hours.
    # "And the hours?" too: nothing but the hours.
    if facts and ((not subject and _HOW_IS_IT_GOING.search(question)) or (
            _names_topic("hours", question) and (_LOGGING.search(question) or not _content_words(
                re.sub(rf"\b(?:{_TOPICS['hours']})\b", " ", unnamed, flags=re.IGNORECASE))))):
        moments = []
    # "Who is the contact for Acme?", "who is working on it?": the records answer; a line
    # that happens to say "contact" would only be noise.
    if facts and moments and _CLIENT_FOLLOW_UP.match(question) and project.client_id:
        moments = []  # "and its phone?": the record's, not "older phones"
    elif facts and moments and _WHO_TO_REACH.search(question):
        client = await ctx.db.client(project.client_id) if project.client_id else None
        if _only_asks(_WHO_TO_REACH, question, project, only,
                      also=client.name if client else ""):
            moments = []
    return only, moments, facts


def _only_asks(cue: re.Pattern[str], question: str, project: Project,
               meeting: Meeting | None, *, also: str = "") -> bool:
    """Whether ``question`` asks for ``cue`` and about no subject: nothing is left once the
    cue, the meeting (by title or time), the project, the name ``also`` and words like
    "please" are gone.

    So "summarize yesterday's meeting on Website" asks for a whole summary and "what did we
    decide?" for every decision, but "summarize the budget talk" is about the budget.
    """
    if not cue.search(question):
        return False
    rest = _LAST_MEETING.sub(" ", _LAST_WEEK.sub(" ", _MEETING_DAY.sub(" ", question)))
    if meeting is not None:
        rest = re.sub(re.escape(meeting.title), " ", rest, flags=re.IGNORECASE)
    named = _NO_SUBJECT | set(re.findall(r"\w+", fold(f"{project.name} {also}").casefold()))
    return not [word for word in _content_words(cue.sub(" ", rest)) if word not in named]


def _content_words(text: str) -> list[str]:
    """The words of ``text`` that may carry a subject: three letters or more, no stop word."""
    return [word for word in re.findall(r"[^\W\d_]{3,}", fold(text).casefold())
            if word not in STOP_WORDS]


async def _decisions(ctx: Context, project: Project,
                     meeting: Meeting | None) -> tuple[Meeting, list[Moment]] | None:
    """The decisions the summary of ``meeting`` recorded (else those of the project's latest
    meeting whose summary recorded any), each with where it was said; None when there are
    none."""
    meetings = [meeting] if meeting else (await ctx.started_meetings(project.id))[:20]
    for held in meetings:
        if done := await ctx.db.summarised_transcript(held.id):
            said = {s.position: s for s in await ctx.db.segments(done.id)}
            moments = [Moment(project.id, held.id, held.title, held.starts_at, done.id,
                              item.segment_position, said[item.segment_position].speaker,
                              said[item.segment_position].start, item.text, 1.0)
                       for item in await ctx.db.summary_items(done.id)
                       if item.kind == ItemKind.DECISION and item.segment_position in said]
            if moments:
                return held, moments
    return None


async def _meeting_summary(ctx: Context, project: Project, meeting: Meeting) -> Reply:
    """The meeting's posted summary, or why there is none yet."""
    done = await ctx.db.summarised_transcript(meeting.id)
    if done is None:
        return Reply(status="info", text=await _still_processing(ctx, project, meeting) or ctx._(
            "{meeting} has no summary yet: add its recording or transcript with "
            "`/transcript add #{id}`.", meeting=meeting.title, id=meeting.id))
    return summary_reply(ctx._, done, meeting, project, await ctx.db.summary_items(done.id),
                         await ctx.db.segments(done.id))


async def _still_processing(ctx: Context, project: Project,
                            meeting: Meeting | None) -> str | None:
    """Why nothing was found, when some of the transcripts asked about cannot be searched yet."""
    if not await ctx.db.transcripts_not_searchable(project.id, meeting.id if meeting else None):
        return None
    return ctx._("Nothing about that in {project} yet: some of its transcripts are still being "
                 "processed. Ask again once their summaries are posted.", project=project.name)


# -- helpers ------------------------------------------------------------------------------


def _need_words(ctx: Context, name: str, text: str, example: str) -> None:
    """Refuse a question or query without a single letter or digit ("???")."""
    if not re.search(r"[^\W_]", text):
        raise UserError(ctx._("`{name}` needs words to look for, e.g. `{example}`.", name=name,
                              example=example))


def _thread(ctx: Context) -> str:
    request = ctx.request
    return f"{request.platform}:{request.channel_id or '-'}:{request.thread_id or '-'}"


async def _scope(ctx: Context, project: ProjectRef | None, meeting: MeetingRef | None,
                 question: str, *, follows: int | None = None,
                 by_word: bool = False) -> tuple[Project, Meeting | None]:
    """The project asked about and, when one is named, the meeting searched within it
    (``follows``: the project of the question this one follows up; ``by_word``: a search
    box's words, found in a line whatever its meaning)."""
    if meeting is None:
        # "The budget of the website", "how is mobile doing?": that project, in a channel
        # bound to another too; "the budget of the intranet project": that project, or no
        # answer from another.
        if project is None and (name := _project_said(question)):
            if named := await project_mentioned(ctx.db, name):
                return named, None
            if not await project_mentioned(ctx.db, question):
                project = ProjectRef(name)
        elif project is None and (status := _STATUS_OF.search(question)) and (
                named := await project_mentioned(ctx.db, status["en"] or status["up"]
                                                 or status["es"])):
            return named, None
        if project is not None:
            return await ctx.project(project), None
        if about := await _project_about(ctx, question, follows, by_word=by_word):
            return about, None
        if ctx.services.retriever is not None and len(await ctx.db.project_names()) > 1:
            raise UserError(ctx._("Nothing in any project's meetings matches that. Name the "
                                  "project you mean (for example `project:\"Website\"`), or "
                                  "bind this channel to one with `project bind`."))
        return await ctx.project(None), None
    row = await ctx.project(project) if project is not None else None
    found = await ctx.meeting(meeting, past=True, project_id=row.id if row else None)
    if row is None:
        row = await ctx.project(f"#{found.project_id}")
    elif found.project_id != row.id:
        raise UserError(ctx._("Meeting #{id} ({title}) is not one of {project}'s; leave out "
                              "`project:` to ask about it.", id=found.id, title=found.title,
                              project=row.name))
    return row, found


def _project_said(question: str) -> str | None:
    """The name a question gives a project ("the intranet project", "el presupuesto de
    intranet"), if it gives one."""
    if not (said := _SAID_PROJECT.search(question)):
        return None
    if said["last"] and (ASKS_DECISION.search(question) or _LOOKS_BACK.search(question)):
        return None  # "¿qué decidimos sobre el presupuesto de anuncios?": said in a meeting
    name: str = said["before"] or said["after"] or said["last"]
    return None if name.casefold() in _NOT_A_PROJECT else name


async def _project_about(ctx: Context, question: str, follows: int | None = None, *,
                         guess: bool = True, by_word: bool = False) -> Project | None:
    """The project of a question without ``project:``: the project or client it names,
    else the one of the question it follows up (``follows``), else the channel's, else the
    workspace's only project, else (with ``guess``) that of the meeting it names by title
    ("the launch review", when one project has meetings of that title) or by time
    ("yesterday's call", "the last meeting"), else the one whose meetings hold the closest
    line. In a bound channel only a whole name counts: "the mobile layout" is not about
    "Mobile app"."""
    channel = ctx.request.channel_id
    bound = await ctx.db.bound_project(channel) if channel else None
    names = await ctx.db.project_names()
    # A follow-up keeps its project unless another's whole name is said: "and the mobile
    # version?" asks about the intranet's, not about "Mobile app".
    if named := await project_mentioned(ctx.db, question,
                                        by_a_word=bound is None and follows is None,
                                        projects=names):
        return named
    if follows is not None and (earlier := await ctx.db.project(follows)):
        return earlier
    if bound:
        return bound
    if len(names) == 1:
        return await ctx.db.project(names[0][0])
    if not guess:
        return None
    started = await ctx.started_meetings()
    # "What did we decide in the launch review?": the project whose meetings have that title.
    project_names = {name.casefold() for _id, name in names}
    titled = {m.project_id for m in started if mentioned(question, [(0, m.title)]) is not None
              and m.title.casefold() not in project_names}
    if len(titled) == 1:
        return await ctx.db.project(titled.pop())
    if held := _meetings_by_time(ctx, question, started):
        # "What did we decide yesterday?" when two projects met: the one whose meeting has
        # a summary, or where the person asked about speaks; else which one is for the
        # sender to say, not for the later meeting to decide.
        if len({m.project_id for m in held}) > 1:
            held = [m for m in held if await ctx.db.summarised_transcript(m.id)] or held
        if len({m.project_id for m in held}) > 1 and (who := _person_asked(question)):
            held = [m for m in held if _among(who, await ctx.db.speakers(m.project_id))] or held
        if len({m.project_id for m in held}) > 1:
            project_of = dict(names)
            raise UserError(ctx._(
                "Meetings of several projects were held then: {meetings}. Ask again naming "
                "the project (`project:\"{project}\"`) or the meeting (`meeting:#{id}`).",
                meetings="; ".join(f"#{m.id} {m.title} ({project_of.get(m.project_id, '?')}), "
                                   f"{ctx._.datetime(m.starts_at, ctx.timezone)}"
                                   for m in held[:5]),
                project=project_of.get(held[0].project_id, ""), id=held[0].id))
        return await ctx.db.project(held[0].project_id)
    retriever: Retriever | None = ctx.services.retriever
    if retriever is None or not names:
        return None
    best = await retriever.moments(ctx.db, None, _topic(question), limit=1,
                                   written_in=ctx._.locale, by_word=by_word)
    return await ctx.db.project(best[0].project_id) if best else None


async def _implied_meeting(ctx: Context, project: Project, question: str,
                           last: ConversationTurn | None) -> Meeting | None:
    """The meeting a question without ``meeting:`` is about: the project's past meeting whose
    title it says ("what did we decide in the launch review?"; the latest of that title),
    else the one held on the day it names ("what did we decide yesterday?"), else the one
    the thread's last question (``last``) was about. The meetings of a series share their
    subject, so the one meant is searched alone rather than outranked by its siblings."""
    started = await ctx.started_meetings(project.id)  # newest first
    latest = {m.title.casefold(): m for m in reversed(started)}  # newest last, so it stays
    latest.pop(project.name.casefold(), None)  # "on Website" names the project itself
    titles = list(latest.values())
    if (found := mentioned(question, [(n, m.title) for n, m in enumerate(titles)])) is not None:
        return titles[found]
    if found := _meeting_by_time(ctx, question, started):
        return found
    if _meeting_days(ctx, question) is not None:
        return None  # a day was named and nothing was held on it: not the last one's meeting
    if last and last.meeting_id and last.project_id == project.id:
        return await ctx.db.meeting(last.meeting_id)
    return None


def _meeting_by_time(ctx: Context, question: str, started: list[Meeting]) -> Meeting | None:
    """Of ``started`` (newest first), the one "the last meeting" means, or the latest held on
    the day the question names ("yesterday", "el lunes pasado")."""
    return next(iter(_meetings_by_time(ctx, question, started)), None)


def _meetings_by_time(ctx: Context, question: str, started: list[Meeting]) -> list[Meeting]:
    """Of ``started`` (newest first), the one "the last meeting" means, or those held on the
    day or in the week the question names, newest first."""
    if _LAST_MEETING.search(question) and started:
        return started[:1]
    if (days := _meeting_days(ctx, question)) is not None:
        first, last = days
        return [m for m in started
                if first <= m.starts_at.astimezone(ctx.now().tzinfo).date() <= last]
    return []


def _topic(question: str) -> str:
    """The question without the day it names: "yesterday" picks a meeting; it is not what
    the answer is about."""
    return " ".join(_MEETING_DAY.sub(" ", question).split()) or question


def _meeting_days(ctx: Context, question: str) -> tuple[date, date] | None:
    """The day (first and last the same) or the week a question names for its meeting (see
    ``_MEETING_DAY``), where the sender is."""
    if _LAST_WEEK.search(question) and _LOOKS_BACK.search(question) \
            and not _names_topic("hours", question):  # hours logged then count that week
        monday = ctx.today() - timedelta(days=ctx.today().weekday() + 7)
        return monday, monday + timedelta(days=6)
    if not (match := _MEETING_DAY.search(question)) or (
            match["on"] and not _LOOKS_BACK.search(question)):
        return None
    phrase = "today" if match["now"] else next(group for group in match.groups() if group)
    import dateparser  # loaded on first use: it takes a moment

    parsed = dateparser.parse(phrase, languages=["en", "es"], settings={
        "RELATIVE_BASE": ctx.now().replace(tzinfo=None), "PREFER_DATES_FROM": "past"})
    return (parsed.date(), parsed.date()) if parsed else None


async def _answer_moments(ctx: Context, project: Project, question: str, follows: str | None,
                          meeting: Meeting | None) -> list[Moment]:
    """The best three moments for a question and, for a follow-up, for both questions."""
    moments = await _moments(ctx, project, _FOLLOW_UP.sub("", question).strip() or question,
                             meeting=meeting)
    if follows:
        also = await _moments(ctx, project, f"{follows} {question}", meeting=meeting)
        named = {m.speaker for m in moments
                 if m.speaker and mentioned(question, [(0, m.speaker)]) is not None}
        if named and all(m.speaker in named for m in moments):
            # "And Diego?": his lines on the earlier subject first, then his others.
            moments = [*(m for m in also if m.speaker in named), *moments]
        else:
            # "And the budget?": the lines on the budget first, then what the two together
            # find.
            moments = [*moments, *also]
        once: dict[tuple[int, int], Moment] = {}
        for m in moments:
            once.setdefault((m.transcript_id, m.position), m)
        moments = list(once.values())[:3]
    return moments


async def _moments(ctx: Context, project: Project, query: str, limit: int = 3, *,
                   meeting: Meeting | None = None, by_word: bool = False) -> list[Moment]:
    retriever: Retriever | None = ctx.services.retriever
    if retriever is None:
        raise UserError(ctx._("Searching meetings is not set up in this process."))
    return await retriever.moments(ctx.db, project.id, query, limit=limit,
                                   written_in=ctx._.locale, by_word=by_word,
                                   meeting_id=meeting.id if meeting else None)


async def _facts(ctx: Context, project: Project, question: str) -> list[str]:
    """Answers from the project's own numbers, for the topics the question names."""
    _ = ctx._
    asked = {topic for topic in _TOPICS if _names_topic(topic, question)}
    if _CLIENT_FOLLOW_UP.match(question):
        asked.add("contact")
    if _HOW_IS_IT_GOING.search(question):
        asked |= {"status", "budget", "hours", "due", "risks"}
    # "Globex's email", "el teléfono de Initech": the client named is asked for its details.
    # Read only when the question may need it: most questions do not.
    wants_client = bool(asked & {"contact", "billing"} or _CONTACT_DETAIL.search(question))
    client = await ctx.db.client(project.client_id) \
        if project.client_id and wants_client else None
    if client and _CONTACT_DETAIL.search(question) and mentioned(
            question, [(0, name) for name in (client.name, client.company) if name]) is not None:
        asked.add("contact")
    facts: list[str] = []
    if asked & {"budget", "rate"} and not ctx.can(Role.MANAGER):
        facts.append(_("Budgets and rates are shown to managers and up."))
    logged = await ctx.db.hours_logged(project.id)
    by_member = await ctx.db.hours_by_member(project.id) if asked & {"hours", "team"} else []
    if "budget" in asked and ctx.can(Role.MANAGER):
        spent = logged * (project.hourly_rate or Decimal(0))
        if (budget := project.budget) is None:
            facts.append(_("No budget is set."))
        elif project.hourly_rate is None and logged:
            # Hours without a rate cost nothing that can be counted: not "0 € used".
            facts.append(_("Budget: {budget}; with no hourly rate set, what the {hours} h "
                           "logged used of it is not known (`/project update #{id} rate:…`).",
                           budget=_.money(budget, project.currency), hours=_.number(logged),
                           id=project.id))
        else:
            said = {"spent": _.money(spent, project.currency),
                    "budget": _.money(budget, project.currency),
                    "percent": percent(spent, budget),
                    "rest": _.money(abs(budget - spent), project.currency)}
            facts.append(_("Budget: {spent} used of {budget} ({percent}%), {rest} left.", **said)
                         if spent <= budget else
                         _("Budget: {spent} used of {budget} ({percent}%), {rest} over.",
                           **said))
    if "rate" in asked and ctx.can(Role.MANAGER):
        facts.append(_("No hourly rate is set.") if project.hourly_rate is None else _(
            "Hourly rate: {rate}.", rate=_.money(project.hourly_rate, project.currency)))
    if "hours" in asked and (period := _period(ctx, question)):
        label, first, last = period
        spent = sum(hours for day, hours in await ctx.db.hours_by_day(project.id, first)
                    if day <= last)
        facts.append(_("Hours logged {period}: {hours} ({total} in all).", period=_(label),
                       hours=_.number(spent), total=_.number(logged)))
    elif "hours" in asked:
        facts.append(_("Hours logged: {hours}", hours=_.number(logged)) + (
            " " + _("of {estimate} estimated.", estimate=_.number(project.estimated_hours))
            if project.estimated_hours else "."))
        # "How many hours did Bea log?": hers too; "did I log?": the sender's.
        if (who := mentioned(question, list(enumerate(name for name, _h in by_member)))) \
                is not None:
            name, hours = by_member[who]
            facts.append(_("{name}: {hours} h.", name=name, hours=_.number(hours)))
        elif _MINE.search(question) and (me := await ctx.db.member(ctx.member_id)):
            mine = sum((hours for name, hours in by_member if name == me.name), Decimal(0))
            facts.append(_("{name}: {hours} h.", name=me.name, hours=_.number(mine)))
    if "status" in asked:
        facts.append(_("Status: {status}, {progress}% done.",
                       status=_(project.status.value.replace("_", " ")),
                       progress=project.progress))
    if "due" in asked and _OVERDUE.search(question):
        # "How many overdue tasks?", "¿qué está atrasado?": the action items past due (and,
        # unless tasks alone are asked about, the project's own due date below).
        late = await ctx.db.action_items(project_id=project.id, due_before=ctx.today(),
                                         limit=3)
        facts.append(_("Overdue action items: {count}.", count=late.total) + "".join(
            f" #{i.id} {i.text} ({i.owner_name or _('no owner')}, {_.date(i.due_date)})."
            for i in late.rows if i.due_date))
        asked -= {"due", "actions"} if "actions" in asked else {"actions"}
    if "due" in asked and (task := await _task_due(ctx, project, question)):
        facts.append(task)  # "when is the footer due?": that task's day, not the project's
        asked.discard("due")
    if "due" in asked and not project.due_date:
        facts.append(_("No due date is set."))
    elif "due" in asked:
        days, due = (project.due_date - ctx.today()).days, _.date(project.due_date)
        if project.status in {ProjectStatus.COMPLETED, ProjectStatus.CANCELLED}:
            facts.append(_("Due {date}; it is closed.", date=due))  # late no more
        elif days > 0:
            facts.append(_.ngettext("Due {date} (in {count} day).",
                                    "Due {date} (in {count} days).", days, date=due))
        elif days < 0:
            facts.append(_.ngettext("Due {date} ({count} day overdue).",
                                    "Due {date} ({count} days overdue).", -days, date=due))
        else:
            facts.append(_("Due today, {date}.", date=due))
    if "meetings" in asked:
        now = ctx.services.clock()
        upcoming = await ctx.db.next_meeting(project.id, now)
        facts.append(_("Next meeting: {title}, {when}.", title=upcoming.title,
                       when=_.datetime(upcoming.starts_at, ctx.timezone)) if upcoming
                     else _("No meeting is scheduled."))
        if last := await ctx.db.last_meeting(project.id, now):
            facts.append(_("Last meeting: {title}, {when}.", title=last.title,
                           when=_.datetime(last.starts_at, ctx.timezone)))
    if "risks" in asked:
        risks, _notes = await project_risks(ctx, project)
        facts += [f"⚠ {risk}" for risk in risks] or [_("No risks found.")]
    if asked & {"contact", "billing"} and client is not None:
        facts += _client_facts(ctx, client, question, billing="billing" in asked)
    elif asked & {"contact", "billing"} and project.client_id is None:
        facts.append(_("{project} has no client; set one with `/project update #{id} "
                       "client:…`.", project=project.name, id=project.id))
    if "team" in asked:
        facts += await _team_facts(ctx, project, by_member)
    if "actions" in asked:
        open_items = (await ctx.db.action_items(project_id=project.id, limit=3))
        facts.append(_("Open action items: {count}.", count=open_items.total) + "".join(
            f" #{i.id} {i.text} ({i.owner_name or _('no owner')})." for i in open_items.rows))
    return facts


async def _task_due(ctx: Context, project: Project, question: str) -> str | None:
    """When the one open action item the question's other words name is due ("when is the
    footer due?"); None when its words name no one task."""
    said = re.sub(_TOPICS["due"], " ", question, flags=re.IGNORECASE)
    words = words_of(said) - words_of(project.name)
    if not words:
        return None
    items = (await ctx.db.action_items(project_id=project.id, limit=500)).rows
    fits = [item for item in items if all(
        any(same_word(word, written) for written in words_of(item.text)) for word in words)]
    if len(fits) != 1:
        return None
    [item], _ = fits, ctx._
    owner = item.owner_name or _("no owner")
    return _("#{id} {task} ({owner}) is due {date}.", id=item.id, task=item.text, owner=owner,
             date=_.date(item.due_date)) if item.due_date else _(
        "#{id} {task} ({owner}) has no due date.", id=item.id, task=item.text, owner=owner)


def _period(ctx: Context, question: str) -> tuple[str, date, date] | None:
    """The stretch of days a question about hours names ("this week", "el mes pasado"): its
    label and first and last day, where the sender is."""
    if not (match := _PERIOD.search(question)):
        return None
    today = ctx.today()
    monday = today - timedelta(days=today.weekday())
    first_of_month = today.replace(day=1)
    last_month_end = first_of_month - timedelta(days=1)
    key = next(name for name, said in match.groupdict().items() if said)
    return {
        "today": (N_("today"), today, today),
        "yesterday": (N_("yesterday"), today - timedelta(days=1), today - timedelta(days=1)),
        "this_week": (N_("this week"), monday, today),
        "last_week": (N_("last week"), monday - timedelta(days=7), monday - timedelta(days=1)),
        "this_month": (N_("this month"), first_of_month, today),
        "last_month": (N_("last month"), last_month_end.replace(day=1), last_month_end),
    }[key]


async def _hours_everywhere(ctx: Context, question: str,
                            follows: str | None = None) -> Reply | None:
    """"How many hours did we log last month?", "who logged the most hours?", asked of no
    project (none named, bound or the only one): each project's hours, or each person's
    across projects, in the stretch it names (else so far); None for other questions. A
    follow-up ("and last week?") asks it again of what it ``follows``."""
    said = f"{follows} {question}" if follows else question
    period = _period(ctx, question) or (_period(ctx, follows) if follows else None)
    if not _names_topic("hours", said) or not (period or _LOGGING.search(said)) or (
            await _project_about(ctx, question, guess=False)):
        return None
    _ = ctx._
    label, first, last = period or (N_("so far"), None, None)
    by_person = bool(_BY_PERSON.search(said))
    # "How many hours did Bea log?": hers, project by project; "did I log?": the sender's.
    everyone = await ctx.db.members()
    members = [member.name for member in everyone]
    named = mentioned(question, list(enumerate(members)))
    if named is None and _MINE.search(question):
        named = next(n for n, member in enumerate(everyone) if member.id == ctx.member_id)
    elif named is None and (asked := _HOURS_OF.search(question)) and (
            who := asked["en"] or asked["es"]).casefold() not in _NOT_A_PERSON:
        # Someone who is no member logged nothing, rather than everyone's hours read as theirs.
        label = (_period(ctx, question) or (N_("so far"), None, None))[0]
        return Reply(text=_("{name} logged no hours {period}.", name=who, period=_(label)),
                     status="info")
    logged: dict[str, Decimal] = {}
    for project_id, name in await ctx.db.project_names():
        if named is not None:
            hers = sum((hours for who, hours in await ctx.db.hours_by_member(
                project_id, first=first, last=last) if who == members[named]), Decimal(0))
            if hers:
                logged[name] = hers
        elif by_person:
            for who, hours in await ctx.db.hours_by_member(project_id, first=first, last=last):
                logged[who] = logged.get(who, Decimal(0)) + hours
        elif hours := await _hours_between(ctx, project_id, first, last):
            logged[name] = hours
    logged = {who: hours for who, hours in logged.items() if hours}
    if not logged:
        return Reply(text=_("{name} logged no hours {period}.", name=members[named],
                            period=_(label)) if named is not None else
                     _("No hours logged {period} in any project.", period=_(label)),
                     status="info")
    total = _.number(sum(logged.values()))
    return Reply(title=_("Hours {name} logged {period}: {hours}", name=members[named],
                         period=_(label), hours=total) if named is not None else
                 _("Hours logged {period}, by person: {hours}", period=_(label),
                   hours=total) if by_person else
                 _("Hours logged {period}: {hours}", period=_(label), hours=total),
                 items=[f"*{who}*: {_.number(hours)} h" for who, hours
                        in sorted(logged.items(), key=lambda item: (-item[1], item[0]))])


def _names_topic(topic: str, text: str) -> bool:
    """Whether ``text`` names one of the project's numbers (a key of ``_TOPICS``)."""
    if topic == "meetings" and not _SCHEDULE.search(text):
        return False
    return re.search(rf"\b(?:{_TOPICS[topic]})\b", text, re.IGNORECASE) is not None


async def _hours_between(ctx: Context, project_id: int, first: date | None,
                         last: date | None) -> Decimal:
    """A project's hours from ``first`` to ``last`` (all of them without ``first``)."""
    if first is None or last is None:
        return await ctx.db.hours_logged(project_id)
    return Decimal(sum(hours for day, hours in await ctx.db.hours_by_day(project_id, first)
                       if day <= last))


async def _team_facts(ctx: Context, project: Project,
                      by_member: list[tuple[str, Decimal]]) -> list[str]:
    """Who logs hours on the project (``by_member``) and who speaks in its meetings."""
    _ = ctx._
    logging = [f"{name} ({_.number(hours)} h)" for name, hours in by_member[:6]]
    speakers = (await ctx.db.speakers(project.id))[:8]
    facts = [_("Hours logged by: {people}.", people=", ".join(logging))] if logging else []
    if speakers:
        facts.append(_("In its meetings: {people}.", people=", ".join(speakers)))
    return facts or [_("Nobody has logged hours on it or spoken in its meetings yet.")]


def _client_facts(ctx: Context, client: Client, question: str, *,
                  billing: bool) -> list[str]:
    """Who to reach at the project's client (saying which detail asked for is missing)
    and, for managers asking, where to bill. Billing alone asked, billing alone answered:
    "Acme's billing email" is not its contact's."""
    _ = ctx._
    facts: list[str] = []
    name = client.company or client.name
    if not billing or _names_topic("contact", question):
        reach = ", ".join(v for v in (client.contact_name, client.email, client.phone) if v)
        facts.append(_("Client: {client} · {contact}.", client=name, contact=reach) if reach
                     else _("Client: {client} (no contact details yet: `/client update #{id} "
                            "contact:… email:…`).", client=name, id=client.id))
        if reach and not client.phone and _PHONE.search(question):
            facts.append(_("{client} has no phone number on record.", client=name))
        if reach and not client.email and _EMAIL.search(question):
            facts.append(_("{client} has no email address on record.", client=name))
    if billing and ctx.can(Role.MANAGER):
        bill = ", ".join(v for v in (client.billing_email, client.billing_address,
                                     client.tax_id) if v)
        facts.append(_("Billing: {details}.", details=bill) if bill
                     else _("No billing details are set."))
    elif billing:  # not the contact's email passed off as the billing one
        facts.append(_("Billing details are shown to managers and up."))
    return facts


def _extractive_answer(ctx: Context, facts: list[str], moments: list[Moment]) -> Reply:
    """The embedded answer: the project's numbers, then the best lines, each cited."""
    _ = ctx._
    lines = list(facts)
    lines += [f"“{m.text}” [{n}]" for n, m in enumerate(moments, 1)]
    return Reply(text="\n".join(lines), citations=[
        Citation(f"[{n}]", m.cite(_, ctx.timezone)) for n, m in enumerate(moments, 1)])


async def _llm_answer(ctx: Context, project: Project, question: str, facts: list[str],
                      moments: list[Moment], earlier: list[ConversationTurn]) -> Reply:
    """A model writes the answer from numbered sources; citations it invents are removed."""
    _ = ctx._
    llm = ctx.services.llm
    assert llm is not None
    sources = "\n".join(f"[{n}] {m.speaker or '?'} in {m.meeting_title}: {m.text}"
                        for n, m in enumerate(moments, 1))
    history = "\n".join(f"Q: {t.question}\nA: {t.answer}" for t in earlier)
    system = (f"You answer questions about the project {project.name!r} using ONLY the "
              "numbered meeting excerpts and project facts given. Cite excerpts as [n]. If "
              "they do not answer the question, say so. Answer in the language of the "
              f"question ({_.locale}), in at most four sentences.")
    user = (f"Earlier in this thread:\n{history or '(nothing)'}\n\nProject facts:\n"
            + ("\n".join(facts) or "(none)") + f"\n\nExcerpts:\n{sources}\n\n"
            f"Question: {question}")
    try:
        completion = await llm.client.chat.completions.create(
            model=llm.model, messages=[{"role": "system", "content": system},
                                       {"role": "user", "content": user}],
            max_completion_tokens=400)
        text = (completion.choices[0].message.content or "").strip()
    except Exception:  # the model is down: the embedded answer still stands
        log.exception("the language model failed; answering extractively")
        return _extractive_answer(ctx, facts, moments)
    cited = sorted({int(n) for n in re.findall(r"\[(\d+)\]", text)})
    valid = [n for n in cited if 1 <= n <= len(moments)]
    text = re.sub(r"\[(\d+)\]", lambda m: m[0] if int(m[1]) in valid else "", text)
    if not valid:
        text += "\n" + _("(The model cited no meeting moment; the closest ones are below.)")
        valid = list(range(1, len(moments) + 1))
    return Reply(text=text, citations=[
        Citation(f"[{n}]", moments[n - 1].cite(_, ctx.timezone)) for n in valid])


def _snippet(text: str, query: str, words: int = 30) -> str:
    """Up to ``words`` words of a long line, around the first word of the query it holds, so
    the reader sees why it matched."""
    parts = text.split()
    if len(parts) <= words:
        return text
    wanted = set(_content_words(query))
    at = next((n for n, part in enumerate(parts) if wanted & set(_content_words(part))), 0)
    start = max(0, min(at - words // 3, len(parts) - words))
    return ("… " if start else "") + " ".join(parts[start:start + words]) + (
        " …" if start + words < len(parts) else "")
