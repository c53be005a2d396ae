"""The router: free text to a command, through a language model's tool call or the rules."""

from __future__ import annotations

import json
import logging
import re
import unicodedata

from bot.ports import LanguageModel
from bot.registry import Registry
from bot.routing.names import without_article
from bot.routing.rules import ProjectLookup, Routed, first_rule

log = logging.getLogger("v1tr0.routing")

# "Search the launch date", "busca pagos": the matching moments.
_SEARCH = re.compile(r"^(?:please\s+|por favor\s+)?(?:search(?:\s+for)?|look\s+for|"
                     r"find(?!\s+out\b)|busca(?:r|me)?|encuentra)\s+(?P<query>.+?)[.!]?$",
                     re.IGNORECASE)
# A question: ends with "?", starts with "¿" or with a question word.
_QUESTION = re.compile(
    r"\?\s*$|^\s*¿|^(?:what|who|whom|whose|when|where|why|how|which|did|do|does|is|are|was|"
    r"were|can|could|should|will|have|has|qu[eé]|qui[eé]n|cu[aá]ndo|d[oó]nde|por qu[eé]|"
    r"c[oó]mo|cu[aá]l|cu[aá]nto|cu[aá]ntas?|hubo|hay|se)\b", re.IGNORECASE)
# "Tell me about the launch", "cuéntame qué se decidió": a question put as a request.
_REQUEST = re.compile(
    r"^(?:please\s+|por favor\s+)?(?:tell me|show me|give me|explain|summari[sz]e|"
    r"remind me (?:what|who|when|where|why|how|which|about|of)|recap|"
    r"i (?:want|need|would like) to know|cu[eé]ntame|dime|dame|p[aá]same|recu[eé]rdame "
    r"(?:qu[eé]|qui[eé]n|cu[aá]ndo|c[oó]mo|d[oó]nde)|mu[eé]strame|expl[ií]came|res[uú]me(?:me)?|"
    r"quiero saber|"
    r"necesito saber|(?:the\s+)?(?:summary|recap|notes|minutes|decisions|action items|"
    r"takeaways)\s+(?:of|from|for)|(?:el\s+|las?\s+)?(?:resumen|acta|notas|decisiones)\s+"
    r"(?:de|del))\b", re.IGNORECASE)
# What a file sent with a few words is: "here's the recording of yesterday's standup",
# "transcripción de la reunión del lunes" name the meeting it belongs to.
_UPLOAD = re.compile(
    r"^(?:(?:here(?:'s| is| are)|this is|attached(?: is)?|aqu[ií] (?:est[aá]|tienes|va)|"
    r"te paso|adjunto)\s+)?(?:the\s+|la\s+|el\s+)?(?:recording|audio|transcript|notes|file|"
    r"grabaci[oó]n|transcripci[oó]n|archivo|notas)\s+(?:of|for|from|de|del|para)\s+"
    r"(?P<which>.+)$", re.IGNORECASE)
# A line that starts with a verb asks for something done: not words to look for.
_DO = re.compile(r"^(?:please|join|send|start|open|create|delete|remove|add|update|change|set|"
                 r"make|book|schedule|move|invite|cancel|remind|email|call|close|mark|"
                 r"[uú]nete|env[ií]a|manda|m[aá]ndame|empieza|inicia|abre|crea|borra|"
                 r"elimina|añade|agrega|cambia|pon|mueve|pasa|invita|cancela|recu[eé]rdame|"
                 r"llama|cierra|marca)\b", re.IGNORECASE)
_BARE_WORDS = 4  # at most, for a line without a verb to be asked about as it is
# "Thanks!", "¡gracias!": nothing to do but answer kindly.
_THANKS = re.compile(r"^[¡]?(?:thanks?(?: a lot| you(?: (?:very|so) much)?| so much)?|thx|ty|"
                     r"cheers|great,? thanks|(?:muchas )?gracias(?: por todo)?|genial,? "
                     r"gracias)[^\w?]*$", re.IGNORECASE)
# "Yes", "sí, bórralo": a yes to nothing the bot can hold on to (its confirmations are
# buttons, or the command again with --yes).
_YES = re.compile(r"^[¡]?(?:yes|yep|yeah|y|confirm(?:ed)?|do it|go ahead|delete it|s[ií]|"
                  r"confirmo|confirmado|hazlo|adelante|b[oó]rralo)(?:,? (?:please|por favor|do "
                  r"it|delete it|hazlo|b[oó]rralo))?[\s.!]*$", re.IGNORECASE)


def _says_only(pattern: re.Pattern[str], text: str) -> bool:
    """Whether all ``text`` says is what ``pattern`` matches."""
    return bool(pattern.match(text.strip()))


def is_a_yes(text: str) -> bool:
    """Whether ``text`` is a bare yes, as if to a confirmation.

    Example:
        >>> is_a_yes("yes"), is_a_yes("Sí, bórralo"), is_a_yes("yes, log 2h on website")
        (True, True, False)
    """
    return _says_only(_YES, text)


# "OK", "got it", "vale": nothing to do but acknowledge it.
_ACKNOWLEDGEMENT = re.compile(r"^[¡]?(?:ok(?:ay)?|k|cool|great|perfect|nice|got it|noted|sure|"
                              r"sounds good|vale|perfecto|genial|entendido|de acuerdo|listo|"
                              r"bien|claro)[\s.!👍]*$", re.IGNORECASE)


def is_thanks(text: str) -> bool:
    """Whether free text only says thank you.

    Example:
        >>> is_thanks("Thanks a lot!"), is_thanks("¡Muchas gracias!"), is_thanks("thanks, log 2h")
        (True, True, False)
    """
    return _says_only(_THANKS, text)


def is_acknowledgement(text: str) -> bool:
    """Whether free text only acknowledges ("ok", "got it", "vale").

    Example:
        >>> is_acknowledgement("OK!"), is_acknowledgement("vale"), is_acknowledgement("ok, log 2h")
        (True, True, False)
    """
    return _says_only(_ACKNOWLEDGEMENT, text)


# Said around a request and no part of it: "hey v1tr0, could you log 2h on website
# yesterday, thanks! 🙏".
_GREETING = re.compile(r"^(?:(?:hey|hi|hello|hola|oye)\b[\s,!]*)?(?:@?v1tr0(?:\s+bot)?\b[\s,:!]*)?",
                       re.IGNORECASE)
_PLEASE = re.compile(r"^(?:please|pls|plz|por favor)(?:[,\s]+|$)", re.IGNORECASE)
_ASKING = re.compile(r"^¿?(?:(?:can|could|would) you|puedes|podr[ií]as)(?:\s+(?:please|por "
                     r"favor))?[,\s]+", re.IGNORECASE)
_ASKED_TO_DO = re.compile(r"(?:log|track|add|registra|registrar|apunta|apuntar|anota|anotar|"
                          r"carga|cargar|mueve|mover|"
                          r"cancel|cancela|cancelar|schedule|set up|book|move|invite|invita|"
                          r"mark|marca|create|crea|agenda|agendar)\b", re.IGNORECASE)
_COURTESY = re.compile(r"(?:[\s,]+(?:please|pls|plz|thanks|thank you|thx|ty|cheers|por favor|"
                       r"gracias))+[\s.!]*$", re.IGNORECASE)


def without_courtesy(text: str) -> str:
    """A request without the greeting, "please", "thanks" or emoji around it (the text as it
    is when nothing else is left).

    Example:
        >>> without_courtesy("hey v1tr0, could you log 2h on website yesterday, thanks! 🙏")
        'log 2h on website yesterday'
        >>> without_courtesy("could you check if website is on track?")
        'could you check if website is on track?'
    """
    core = text.rstrip()
    while core and unicodedata.category(core[-1]) in {"So", "Sk", "Mn", "Cf"}:
        core = core[:-1].rstrip()  # "… yesterday 🙏", "task #13 done ✅" (and their joiners)
    if len((rest := _GREETING.sub("", core)).split()) > 1:  # "hi there" stays a greeting
        core = rest
    core = _PLEASE.sub("", core) or core  # "please, log …", "por favor, registra …"
    # "Could you log 2h on website?" asks for it done; "could you check …?" stays a question.
    if (asked := _ASKING.match(core)) and _ASKED_TO_DO.match(rest := core[asked.end():]):
        core = rest.rstrip(" ?")
    core = _COURTESY.sub("", core).strip()
    return core or text


# "What did we decide yesterday? project:"landing page"": options written at the end of
# free text, as a command would take them.
_LAST_OPTION = re.compile(
    r'\s+(?P<name>project|meeting):(?:"(?P<quoted>[^"]*)"|(?P<plain>\S+))\s*$', re.IGNORECASE)


def split_options(text: str) -> tuple[str, dict[str, str]]:
    """Free text without the ``project:``/``meeting:`` options it ends with, and those.

    Example:
        >>> split_options('what did we decide? project:"landing page" meeting:#4')
        ('what did we decide?', {'meeting': '#4', 'project': 'landing page'})
    """
    options: dict[str, str] = {}
    while match := _LAST_OPTION.search(text):
        options.setdefault(match["name"].casefold(), match["quoted"] or match["plain"] or "")
        text = text[:match.start()]
    return text, dict(sorted(options.items()))


class Router:
    """Chooses the command that free text asks for.

    Args:
        registry: The commands (their schemas become the model's tools).
    """

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    async def route(self, text: str, *, projects: ProjectLookup,
                    llm: LanguageModel | None = None, mistyped: bool = False,
                    files: bool = False) -> Routed | None:
        """The command for ``text``, or ``None`` when nothing fits (``mistyped``: its first
        word is a slip of a command's name, so a few bare words are not taken for a question;
        ``files``: it comes with files, a meeting's recording or transcript)."""
        cleaned = re.sub(r"^(?:<@[\w|.-]+>|@\w+)[,:]?\s*", "", text.strip())  # the mention
        if files:  # "here's the recording of yesterday's standup", or nothing said at all
            said = _UPLOAD.match(cleaned)
            which = said["which"] if said else cleaned
            return Routed("transcript add", {"meeting": which.strip(" .!") or "the last meeting"})
        # Typed without "ñ", as on many keyboards: "que reuniones hay manana".
        cleaned = re.sub(r"\bmanana\b", "mañana", cleaned, flags=re.IGNORECASE)
        cleaned, options = split_options(without_courtesy(cleaned))
        if not cleaned:
            return None
        routed = await self._with_model(cleaned, llm) if llm is not None else None
        routed = routed or await self._with_rules(cleaned, projects, mistyped=mistyped)
        command = self.registry.get(routed.command) if routed else None
        if routed and command:  # "… project:website" said at the end, as a command takes it
            routed.args.update({name: value for name, value in options.items()
                                if command.param(name) and name not in routed.args})
        return routed

    async def _with_rules(self, text: str, projects: ProjectLookup, *,
                          mistyped: bool = False) -> Routed | None:
        if routed := await first_rule(text, projects):
            return routed
        # `search` and `ask` find the project the text names themselves, as they do for a
        # command (a whole name even in a channel bound to another project).
        if (match := _SEARCH.match(text)) and not text.rstrip().endswith("?"):
            return Routed("search", {"query": match["query"]})
        if not re.search(r"[^\W_]", text):  # "¿?", "😀": no word to go on
            return None
        if _QUESTION.search(text) or _REQUEST.match(text):
            return Routed("ask", {"question": text})
        # A few bare words, as typed in a search box: a client's or project's name (or one
        # word of just one name) shows it; anything else is asked about ("website budget",
        # "Marco", "launch date": the numbers, what Marco said, the lines).
        if len(text.split()) <= _BARE_WORDS and not mistyped and not _DO.match(text):
            name = without_article(text.strip(" .!"))
            one_word = len(name.split()) == 1
            if one_word and (client := await projects.client(name)):
                return Routed("client show", {"client": client})
            if project := await projects.named(name) or (
                    one_word and await projects.mentioned(name)):
                return Routed("project show", {"project": project})
            return Routed("ask", {"question": text})
        return None

    async def _with_model(self, text: str, llm: LanguageModel) -> Routed | None:
        tools = self.registry.tool_schemas()
        by_name = {tool["function"]["name"]: " ".join(tool["function"]["name"].split("_"))
                   for tool in tools}
        try:
            completion = await llm.client.chat.completions.create(
                model=llm.model, tools=tools, tool_choice="auto", messages=[
                    {"role": "system", "content": "You turn a chat message to a project-desk "
                     "bot into one tool call. Questions about a project go to `ask`."},
                    {"role": "user", "content": text}])
        except Exception:
            log.exception("routing with the language model failed; using the rules")
            return None
        message = completion.choices[0].message
        for call in message.tool_calls or []:
            command = by_name.get(call.function.name)
            if command is None or self.registry.get(command) is None:
                continue
            try:
                args = json.loads(call.function.arguments or "{}")
            except json.JSONDecodeError:
                continue
            if isinstance(args, dict):
                return Routed(command, args)
        return None

