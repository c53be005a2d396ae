"""Meeting summaries: an extractive summariser that needs no model, and one that asks an LLM.

:class:`ExtractiveSummarizer` is the embedded default. It picks the most central sentences of
the transcript (TF-IDF sentence vectors, a cosine-similarity graph and PageRank, with a word
budget and redundancy control) and finds decisions, action items and next steps from cue
phrases in English and Spanish. Everything it returns is a sentence, or part of one, of the
transcript, so every item can be traced back to its segment.

:class:`LLMSummarizer` asks any OpenAI-compatible endpoint for a structured summary (a JSON
Schema response format), checks the reply itself, splits long transcripts into parts that
fit the model's context and merges the parts' summaries. A part that cannot be summarised is
named in :attr:`Summary.problems`, never dropped silently.

:func:`make_summarizer` picks the LLM when an API key is configured, else the extractive one.
"""

from __future__ import annotations

import asyncio
import calendar
import functools
import json
import logging
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.transcripts.model import ActionItem, Point, Segment, Summarizer, Summary

if TYPE_CHECKING:
    import openai

log = logging.getLogger(__name__)

LANGUAGES = ("en", "es")
_LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}

# --------------------------------------------------------------------------------------------
# Text: cleaning, sentences, accent folding
# --------------------------------------------------------------------------------------------

# QMSum-style annotation tokens ({disfmarker}, {vocalsound}, ...) and bracketed ASR tags.
_ANNOTATION = re.compile(
    r"\{\w+\}|\[(?:laughter|laughs|noise|inaudible|crosstalk|music|applause|silence|"
    r"risas|ruido|música|aplausos|silencio)\]", re.IGNORECASE)
# Hesitations carry no content; a comma after one goes with it ("So , uh , we" -> "So, we").
_FILLER = re.compile(
    r"(?<![\w'-])(?:u+h+|u+m+|u+h+m+|e+r+m+|h+m+|m+h*m+|mm-hmm|uh-huh|e+h+m*|a+h+)(?![\w'-])"
    r"(?:\s*,)?", re.IGNORECASE)
# Transcripts tokenised like QMSum's put spaces before punctuation and clitics ("we 're .").
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:?!%)])")
_SPACE_BEFORE_CLITIC = re.compile(r"\s+('(?:s|re|ve|ll|d|m|t)\b|n't\b)", re.IGNORECASE)
_STRAY_COMMAS = re.compile(r"(?:^|(?<=[,.;:?!¿¡]))\s*,|,(?=\s*[,.;:?!])")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


def clean_text(text: str) -> str:
    """Drop annotation tokens and fillers, and tidy the spacing around punctuation.

    Sentences of a summary are sentences of this cleaned text, so this is also what a point
    is traced back to.

    Example:
        >>> clean_text("So , uh , we 're done {disfmarker} I think .")
        "So, we're done I think."
    """
    text = _ANNOTATION.sub(" ", text)
    text = _FILLER.sub(" ", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _SPACE_BEFORE_CLITIC.sub(r"\1", text)
    text = " ".join(text.split())
    text = _STRAY_COMMAS.sub("", text)
    return " ".join(text.split())


@functools.cache
def _fold_char(char: str) -> str:
    if char in "\u2019\u2018\u00b4`":  # typographic apostrophes, as speech-to-text writes them
        return "'"
    return unicodedata.normalize("NFD", char)[0]


def fold(text: str) -> str:
    """The text without accents, case kept, one character for each one of ``text``.

    Cue phrases are matched on the folded text (so ``decision`` matches ``decisión`` and a
    transcript without accents still matches), and a match's offsets are valid in ``text``.
    """
    return text if text.isascii() else "".join(map(_fold_char, text))


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of the cleaned transcript, who said it and the segment it came from."""

    text: str
    segment: int
    speaker: str | None
    words: int  # as ``text.split()`` counts them, like the word budget


def split_sentences(segments: Sequence[Segment]) -> list[Sentence]:
    """Cut every segment's cleaned text into sentences, keeping each one's segment index."""
    sentences: list[Sentence] = []
    for index, segment in enumerate(segments):
        for part in _SENTENCE_END.split(clean_text(segment.text)):
            part = part.strip(" ,;")
            if _WORD.search(part):
                sentences.append(Sentence(part, index, segment.speaker, len(part.split())))
    return sentences


# --------------------------------------------------------------------------------------------
# Centrality: TF-IDF vectors, cosine graph, PageRank
# --------------------------------------------------------------------------------------------

def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Compact stop lists (folded: no accents), plus what people say in meetings that carries no
# topic ("yeah", "okay", "bueno"): without those, chit-chat sentences look central.
_STOP_EN = _word_set("""
a about above after again against all am an and any are aren't as at be because been before
being below between both but by can can't cannot could couldn't did didn't do does doesn't
doing don't down during each few for from further get got had hadn't has hasn't have haven't
having he he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll
i'm i've if in into is isn't it it's its itself let's me more most mustn't my myself no nor
not of off on once only or other ought our ours ourselves out over own same shan't she she'd
she'll she's should shouldn't so some such than that that's the their theirs them themselves
then there there's these they they'd they'll they're they've this those through to too under
until up very was wasn't we we'd we'll we're we've were weren't what what's when when's where
where's which while who who's whom why why's will with won't would wouldn't you you'd you'll
you're you've your yours yourself yourselves also just really actually yeah yes yep okay ok
oh well like know mean think guess gonna wanna kinda sort right sure um uh hmm mm thing things
stuff something anything lot lots bit maybe probably one two go going get getting got say
said see thank thanks good great kind way want need us let now even still much many alright
anyway basically sorta somebody someone everybody everyone cool fine nice wow hey hi bye gotta
put make made take come came look looks looking use used using lemme whatever wait quite pretty
already sometimes
""")
_STOP_ES = _word_set("""
a al algo algun alguna algunas alguno algunos ante antes aqui asi aun bien cada casi como con
contra cual cuales cuando de del desde donde dos el ella ellas ello ellos en entre era eran
eres es esa esas ese eso esos esta estaba estaban estamos estan estar estas este esto estos
estoy fue fueron ha hace hacer hacia han has hasta hay he hemos la las le les lo los mas me
mi mis mucho muy nada ni no nos nosotros o os otra otras otro otros para pero poco por porque
que quien se sea ser si sin sobre solo son su sus tambien te tener tengo ti tiene tienen todo
todos tu tus un una unas uno unos usted ustedes va vamos van voy y ya yo bueno vale pues
entonces claro vez cosa cosas creo digo dice sea verdad oye mira gracias eh este
""")
STOP_WORDS = _STOP_EN | _STOP_ES


def _terms(text: str) -> list[str]:
    """The content words of a sentence, folded and lower-cased, plural ``-s`` cut off."""
    terms = []
    for word in _WORD.findall(fold(text).lower()):
        if word in STOP_WORDS or len(word) < 3 or word.isdigit():
            continue
        # A crude stem, the same in both languages: "proposal(s)", "presupuesto(s)".
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        terms.append(word)
    return terms


@dataclass(frozen=True, slots=True)
class TfIdf:
    """Unit-length TF-IDF sentence vectors as a sparse matrix (coordinate lists)."""

    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    shape: tuple[int, int]

    def dot(self, vector: np.ndarray) -> np.ndarray:
        """``X @ vector`` (one value per sentence)."""
        return np.bincount(self.rows, self.values * vector[self.cols], minlength=self.shape[0])

    def tdot(self, vector: np.ndarray) -> np.ndarray:
        """``X.T @ vector`` (one value per term)."""
        return np.bincount(self.cols, self.values * vector[self.rows], minlength=self.shape[1])

    def similarity(self, sentence: int) -> np.ndarray:
        """Cosine similarity of one sentence with every sentence."""
        row = np.zeros(self.shape[1])
        mask = self.rows == sentence
        row[self.cols[mask]] = self.values[mask]
        return self.dot(row)


def tfidf(texts: Sequence[str]) -> TfIdf:
    """TF-IDF vectors of ``texts`` (sublinear term frequency, smoothed IDF, L2-normalised).

    Kept sparse by hand because numpy is what is installed; every product the graph needs
    is a ``bincount``, so memory and time grow with the number of words, not its square.
    """
    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for row, text in enumerate(texts):
        for term in _terms(text):
            rows.append(row)
            cols.append(vocabulary.setdefault(term, len(vocabulary)))
    n, v = len(texts), len(vocabulary)
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return TfIdf(empty, empty, np.zeros(0), (n, v))
    keys, counts = np.unique(np.asarray(rows, dtype=np.int64) * v + np.asarray(cols),
                             return_counts=True)
    row_index, col_index = keys // v, keys % v
    document_frequency = np.bincount(col_index, minlength=v)
    idf = np.log((1 + n) / (1 + document_frequency)) + 1.0
    values = (1.0 + np.log(counts)) * idf[col_index]
    norms = np.sqrt(np.bincount(row_index, values**2, minlength=n))
    values = values / norms[row_index]
    return TfIdf(row_index, col_index, values, (n, v))


def pagerank(matrix: TfIdf, *, damping: float = 0.85, iterations: int = 100,
             tolerance: float = 1e-8) -> np.ndarray:
    """PageRank of the sentences on the graph weighted by cosine similarity (LexRank).

    The graph ``W = X Xᵀ`` (without self-loops) is never built: each step multiplies by
    ``X`` and ``Xᵀ``, which keeps a 2,000-segment meeting to milliseconds.

    Returns:
        One score per sentence, summing to 1.
    """
    n = matrix.shape[0]
    if n == 0:
        return np.zeros(0)
    self_similarity = np.bincount(matrix.rows, matrix.values**2, minlength=n)

    def weights(vector: np.ndarray) -> np.ndarray:
        return matrix.dot(matrix.tdot(vector)) - self_similarity * vector

    degree = weights(np.ones(n))
    dangling = degree <= 1e-12  # a sentence sharing no term with any other
    inverse_degree = np.where(dangling, 0.0, 1.0 / np.where(dangling, 1.0, degree))
    rank = np.full(n, 1.0 / n)
    for _ in range(iterations):
        spread = weights(rank * inverse_degree) + rank[dangling].sum() / n
        new = (1.0 - damping) / n + damping * spread
        new /= new.sum()
        done = np.abs(new - rank).sum() < tolerance
        rank = new
        if done:
            break
    return rank


# --------------------------------------------------------------------------------------------
# Cue phrases: decisions, action items, due dates, next steps
# --------------------------------------------------------------------------------------------

# Matched on folded text (no accents), case-insensitively.
_DECISION = re.compile(
    r"\b(?:we(?:'ve| have)? (?:all )?decided|we(?:'ve| have)? (?:all )?agreed|"
    r"let'?s go with|we'?ll go with|we will go with|the decision is|agreed:|final decision|"
    r"we(?:'ve| have)? (?:moved|postponed|switched)|we(?:'re| are) going with|"
    r"decidimos|hemos decidido|queda acordado|acordamos|hemos acordado|vamos con|"
    r"nos quedamos con|nos vamos con|la decision es|decision final|movimos|aplazamos|"
    r"pospusimos)(?!\w)|"
    # "Agreed, we use stock footage", "Plausible it is.", "de acuerdo, vamos con Astro".
    r"^(?:(?:ok(?:ay)?|good|great|fine|so|vale|bien),?\s+)?(?:agreed|de acuerdo),"
    # "De acuerdo, la mando mañana", "agreed, I'll send it": a yes to a task, no decision.
    r"(?!\s*(?:i\b|i'll|yo\b|(?:lo|la|los|las|le|les|me)\s+[a-z]+o\b))|"
    r"(?<=[\s,])(?-i:[A-Z][\w-]*) it is[.!]*$", re.IGNORECASE)
# Said just before a cue: "we never decided", "no lo decidimos", "no voy a …".
_NOT_DECIDED = re.compile(r"\b(?:never|not|haven'?t|didn'?t|nunca|no)(?:\s+\w+)?\s*$",
                          re.IGNORECASE)
_NEXT_STEP = re.compile(
    r"\b(?:next steps?|next time|for the next meeting|(?:at|in) the next meeting|"
    r"proximos? pasos?|siguientes? pasos?|(?:la|para la) (?:proxima|siguiente) reunion|"
    r"la proxima vez)\b", re.IGNORECASE)

_NAME = r"\b(?-i:(?P<name>[A-Z][\w'-]+(?: [A-Z][\w'-]+)?))"
# "Laura and Diego will …": the first named is the owner.
_AND_ANOTHER = r"(?:,?\s+(?:and|y)\s+(?-i:[A-Z][\w'-]+))?"
# First-person commitments: the owner is the speaker.
_MINE = re.compile(
    r"\b(?:i'll|i will|i'm going to|i am going to|i'm gonna|i can take care of|"
    r"i can(?= (?:take|handle|send|prepare|draft|write|look into)\b)|"
    r"i have to|i need to|i've got to|"
    r"(?:yo )?me encargo(?: yo)?(?: del?)?|(?:yo )?me ocupo(?: yo)?(?: del?)?|(?:yo )?voy a|"
    r"me comprometo a|"
    r"quedo en|me toca(?: a mi)?|(?:yo )?tengo que)\b",
    re.IGNORECASE)
# Spanish commitments in the future tense: "Marta revisará los textos" (hers), "Enviaré el
# informe" (the speaker's). Folded, so "revisara"; the verb becomes the task's infinitive.
_FUTURE_THEIRS_ES = re.compile(_NAME + _AND_ANOTHER
                               + r",?\s+(?P<task>(?P<verb>[a-z]{3,}(?:ara|era|ira)n?)\b.*)")
_FUTURE_MINE_ES = re.compile(r"^(?:(?:y|vale|bueno|ok|pues|entonces|si),?\s+)?(?:yo\s+)?"
                             r"(?P<task>(?P<verb>[a-z]{3,}(?:are|ere|ire))\b.*)", re.IGNORECASE)
# "I'll do that", "me encargo yo": the task is the one asked just before, not these words.
_VAGUE_TASK = re.compile(r"^(?:(?:do|handle|take care of|check|sort out)\s+)?(?:that|it|this|"
                         r"yo|eso|esto|lo)$|^(?:yo,?\s+)?(?:lo|la|los|las|eso|esto)\s+"
                         r"(?:tienes|tienen|tendras|tendran)$",
                         re.IGNORECASE)  # "me encargo yo, dentro de 3 días lo tienes"
# "Fix it", "send that": right after a task asked of them, that task taken on.
_PRONOUN_OBJECT = re.compile(r"^[a-z]+\s+(?:it|that|this|them)$", re.IGNORECASE)
# A deadline said by whoever speaks: "Let me check with the designer by Monday".
_SPEAKER_LEADS = re.compile(r"^(?:(?:ok(?:ay)?|so|vale|bueno),?\s+)?(?:let me|yo)\s+",
                            re.IGNORECASE)
# Someone named commits or is committed: the owner is that person.
_THEIRS = re.compile(
    _NAME + _AND_ANOTHER + r",?\s+(?:will|is going to|is gonna|va a|tiene que|"
    r"se encarga(?:ra)? del?|"
    r"se ocupa(?:ra)? del?|se compromete a)\s+(?P<task>.+)", re.IGNORECASE)
# A request: the owner is the person addressed, if the sentence or the reply tells who.
_REQUEST = re.compile(
    r"(?:" + _NAME + r",\s*)?(?:¿\s*)?\b(?:(?:can|could) you(?: please)?|puedes|podrias|"
    r"te encargas de|te puedes encargar de|encargate del?|ocupate del?)\s+(?P<task>.+)",
    re.IGNORECASE)
# Someone addressed by name and asked: "Luis, please update the sheet".
_ADDRESSED = re.compile(_NAME + r",\s*(?:please|por favor,?)\s+(?P<task>.+)", re.IGNORECASE)
_LABELLED = re.compile(
    r"\b(?:action items?|todo|to-do|tarea|pendiente)\s*:\s*(?P<task>.+)|"
    r"\bqueda pendiente\s+(?:que\s+)?(?P<task_es>.+)", re.IGNORECASE)
# "Javier, prepara el presupuesto antes del 10": with a deadline, the person addressed.
_LEADING_OWNER = re.compile(_NAME + r"(?:\s*:\s*|\s*,\s*(?:please\s+|por favor,?\s+)?|"
                            r"\s+(?:to|needs to|has to|should|must|tiene que|debe|debera)\s+)"
                            r"(?P<task>.+)", re.IGNORECASE)
# "Lo arreglo para el martes": a Spanish first-person verb after its object pronoun; with a
# deadline, the speaker's.
_MINE_ES = re.compile(r"\b(?:lo|la|los|las|le|les|se lo|se la)\s+[a-z]{3,}o\b")

_WEEKDAY = (r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
            r"lunes|martes|miercoles|jueves|viernes|sabado|domingo)")
_WEEKDAY_NUMBERS = {  # as date.weekday() counts them: Monday is 0
    **dict.fromkeys(("monday", "lunes"), 0), **dict.fromkeys(("tuesday", "martes"), 1),
    **dict.fromkeys(("wednesday", "miercoles"), 2), **dict.fromkeys(("thursday", "jueves"), 3),
    **dict.fromkeys(("friday", "viernes"), 4), **dict.fromkeys(("saturday", "sabado"), 5),
    **dict.fromkeys(("sunday", "domingo"), 6)}
_MONTH = (r"(?:january|february|march|april|may|june|july|august|september|october|"
          r"november|december|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|"
          r"setiembre|octubre|noviembre|diciembre|(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|"
          r"nov|dec|ene|abr|ago|dic)\.?)")
# Days of the month in words, as speech-to-text writes them: "by December fourth".
_ORDINALS = {word: number for number, word in enumerate((
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth", "twentieth", "twenty-first", "twenty-second",
    "twenty-third", "twenty-fourth", "twenty-fifth", "twenty-sixth", "twenty-seventh",
    "twenty-eighth", "twenty-ninth", "thirtieth", "thirty-first"), 1)}
_ORDINAL = "|".join(sorted(_ORDINALS, key=len, reverse=True))
_DAY = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{_ORDINAL})"
# How many days, weeks or months: "in two weeks", "dentro de 3 días", "en una semana".
_COUNTS = {word: number for number, words in enumerate((
    "", "a an one un una uno", "two dos", "three tres", "four cuatro", "five cinco",
    "six seis", "seven siete", "eight ocho", "nine nueve", "ten diez"))
    for word in words.split()} | {"fifteen": 15, "quince": 15}
_COUNT = r"(?:\d{1,3}|" + "|".join(sorted(_COUNTS, key=len, reverse=True)) + ")"
_RELATIVE_WHEN = (
    # "Friday the 4th", "el viernes 4": that Friday, not the next one.
    rf"(?:el )?{_WEEKDAY},? (?:the )?\d{{1,2}}(?:st|nd|rd|th)?(?! ?(?::|[ap]m\b|h\b))|"
    rf"(?:(?:next|this|el|el proximo|el siguiente|este|proximo) )?{_WEEKDAY}(?: que viene)?|"
    r"(?:tomorrow|today)(?: (?:morning|afternoon|evening))?|tonight|pasado manana|manana|hoy|"
    r"(?:the )?end of (?:the |this |next )?(?:day|week|month)|"
    r"(?:a )?(?:el |los )?(?:fin|final|finales) de(?: la| esta| este)? (?:semana|mes)|"
    r"next (?:week|month)|(?:la )?(?:proxima|siguiente) semana|(?:la )?semana que viene|"
    r"(?:el )?(?:proximo|siguiente) mes|(?:el )?mes que viene|"
    rf"(?:in|within|dentro de|en) {_COUNT} (?:days?|weeks?|months?|dias?|semanas?|mes(?:es)?)|"
    # A date with its month needs no preposition: "el 1 de abril", "April 2nd", "el 15/12".
    rf"(?:el )?(?:dia )?(?:\d{{1,2}}|primero) de {_MONTH}|{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?|"
    r"el \d{1,2}/\d{1,2}(?:/\d{2,4})?"
)
_DATED_WHEN = (
    r"\d{1,2}/\d{1,2}(?:/\d{2,4})?|"  # "12/15": month first in English, day first in Spanish
    rf"(?:the )?{_DAY}(?: (?:of|de) {_MONTH})?|{_MONTH} {_DAY}|"
    rf"(?:el )?(?:dia )?\d{{1,2}}(?: de {_MONTH})?|\d{{4}}-\d{{2}}-\d{{2}}"
)
_DEADLINE_PREP = (r"by|before|until|till|no later than|on|for|para|antes del?|"
                  r"hasta(?: el)?|a mas tardar(?: el)?")
# Prepositions that make a sentence a task on their own ("the deck is due by Friday"); "on",
# "for" and "until" do not ("we met on Friday", "the plan for next week", "they will not
# have the photos until the end of the month").
_DUE_ALONE = re.compile(r"by|before|no later than|para|antes.*|a mas tardar.*",
                        re.IGNORECASE)
# A deadline: a relative one may stand alone ("I'll send it tomorrow"); a date needs its
# preposition ("by the 15th"), or every number in a sentence would look like a day.
# "By 10%", "by 15 percent", "un 20 por ciento": an amount, not a day of the month.
_NOT_A_DAY = r"(?!\s*(?:%|percent\b|per cent\b|por ciento\b|points?\b|puntos\b))"
_DEADLINE = re.compile(
    rf"(?:\b(?P<prep>{_DEADLINE_PREP})\s+)?\b(?P<when>{_RELATIVE_WHEN})\b{_NOT_A_DAY}|"
    rf"\b(?P<prep2>{_DEADLINE_PREP})\s+(?P<when2>{_DATED_WHEN})\b{_NOT_A_DAY}",
    re.IGNORECASE)
# "By the end of the day we come up with a great product": eventually, not a deadline.
_IDIOM = re.compile(r"(?:the )?end of the day", re.IGNORECASE)
# "Mañana" is also "morning": "por la mañana", "esta mañana" are no deadline.
_MORNING = re.compile(r"\b(?:la|esta|una|cada|toda la)\s+$", re.IGNORECASE)

# "Vale, …", "Sí, …", "Sure, …": a yes before what is said.
_INTERJECTION = re.compile(r"^(?:(?:ok(?:ay)?|vale|bueno|s[ií]|yes|yeah|sure|claro|perfecto|"
                           r"genial|great|de acuerdo)\b[,.!]?\s*)+", re.IGNORECASE)
# "Lo mando mañana", "las preparo para el viernes": a Spanish first-person verb after its
# object pronoun, the whole of what is said.
_PRONOUN_TASK = re.compile(r"(?:yo )?(?:lo|la|los|las|le|les|se lo|se la) [a-z]{3,}o(?: yo)?")
# "No, I can't this week": a request turned down.
_TURNED_DOWN = re.compile(r"^\W*(?:no[,.!]+(?!\s*(?:problem|worries|hay problema))|"
                          r"no,? (?:i|sorry|lo siento|puedo)\b|nope\b|sorry,? (?:i|we) can|"
                          r"i can'?t\b|i cannot\b|i won'?t\b|no puedo\b|no voy a poder\b|"
                          r"lo siento\b)", re.IGNORECASE)

# Clauses that follow the commitment and are not part of the task.
_TASK_TAIL = re.compile(
    # "… by Friday, and Laura will update the notes": Laura's is another task.
    r",?\s+(?:and|y)\s+(?-i:[A-Z][\w'-]+)\s+(?:will|is going to|va a|se encarga)\b.*$|"
    r",?\s+\b(?:but|because|since|so that|although|unless|as soon as|pero|porque|aunque|"
    r"ya que|a menos que|en cuanto)\b.*$|,\s*(?:so|and then|then|if|which|y luego|luego|si)\b.*$|"
    # "…, as I said", "…, como dije": said before, not part of the task
    r",?\s+(?:as (?:i|we) (?:said|mentioned)|like i said|como (?:dije|dijimos|te dije))\b.*$",
    re.IGNORECASE)
_TASK_HEAD = re.compile(r"^(?:(?:hay que|and|y|just|also|then|probably|definitely|quickly|"
                        r"go ahead and|"
                        r"please|basically|actually|really|maybe|mostly|tambien|luego|"
                        r"despues|ya|que)\s+)+", re.IGNORECASE)
# Not commitments: "I'll be honest", "I will say", "voy a ser breve", "can you hear me".
_NOT_TASKS = _word_set("""
be say guess think admit bet wait hear imagine believe mention stop pass repeat explain
see go show start continue read presume need leave
ser decir ver estar contar pensar oir repetir
""")
# "I'll tell you what" is talk; "I'll tell the client by Friday" is a task.
_TELLING_US = re.compile(r"^tell (?:you|ya|u|us|y'all)\b")
# Capitalised words that start a sentence but are nobody's name.
_NOT_NAMES = STOP_WORDS | _word_set("""
everyone everybody someone somebody nobody anyone anybody team people i it this that there
alguien nadie todos todas equipo gente esto eso ello
""")
_QUESTION_LEAD = re.compile(
    r"^.*?\b(?:who can|who will|who's going to|who is going to|someone (?:has|needs) to|"
    r"can someone|could someone|quien puede|quien va a|quien se encarga de|alguien puede|"
    r"alguien tiene que|hay que)\s+", re.IGNORECASE)


def _resolve_due(when: str, language: str, meeting_date: date) -> date | None:
    """The date a deadline phrase names, counted from the meeting's date.

    dateparser reads most phrases; this adds what it misses or reads otherwise: a weekday
    is the next one after the meeting ("by Friday" said on a Friday is a week later, and
    Spanish articles and ``próximo``/``que viene`` around it change nothing), the end of a
    week or month, and a bare day of the month ("the 15th", "el 15"), which is the next
    such day, not one in the past.
    """
    phrase = re.sub(r"\s+", " ", when.strip().lower())
    phrase = re.sub(rf"\b(?:{_ORDINAL})\b", lambda said: str(_ORDINALS[said[0]]), phrase)
    weekday = meeting_date.weekday()
    if day_name := re.search(_WEEKDAY, phrase):
        wanted = _WEEKDAY_NUMBERS[day_name[0]]
        if number := re.search(r"\d{1,2}", phrase):  # "Friday the 4th": the 4th on a Friday
            return next((day for offset in range(1, 63)
                         if (day := meeting_date + timedelta(days=offset)).day == int(number[0])
                         and day.weekday() == wanted),
                        _next_day_of_month(int(number[0]), meeting_date))
        # "Friday", "next Friday", "el próximo viernes", "viernes que viene": the next one.
        return meeting_date + timedelta(days=(wanted - weekday) % 7 or 7)
    if slash := re.fullmatch(r"(?:el )?(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?", phrase):
        return _slash_date(slash, language, meeting_date)
    phrase = re.sub(r"^(?:the|el|la|los|este|esta|a)\s+", "", phrase)
    if phrase in {"today", "tonight", "hoy", "end of day", "end of the day"}:
        return meeting_date
    if phrase == "pasado manana":
        return meeting_date + timedelta(days=2)
    if re.fullmatch(r"end of (?:the |this )?week|(?:fin|final|finales) de(?: la| esta)? semana",
                    phrase):
        return meeting_date + timedelta(days=(4 - weekday) % 7)  # this week's Friday
    if phrase == "end of next week":
        return meeting_date + timedelta(days=(4 - weekday) % 7 + 7)
    if re.fullmatch(r"end of (?:the |this )?month|(?:fin|final|finales) de(?: este)? mes",
                    phrase):
        last = calendar.monthrange(meeting_date.year, meeting_date.month)[1]
        return meeting_date.replace(day=last)
    if phrase in {"semana que viene", "proxima semana", "siguiente semana"}:
        phrase = "next week"
    if phrase in {"mes que viene", "proximo mes", "siguiente mes"}:
        phrase = "next month"
    if day := re.fullmatch(r"(?:dia )?(\d{1,2})(?:st|nd|rd|th)?", phrase):
        return _next_day_of_month(int(day[1]), meeting_date)
    if span := re.fullmatch(rf"(?:in|within|dentro de|en) ({_COUNT}) (\w+)", phrase):
        count = int(span[1]) if span[1].isdigit() else _COUNTS[span[1]]
        if span[2].startswith(("month", "mes")):
            return _months_later(meeting_date, count)
        return meeting_date + timedelta(days=count * (7 if span[2].startswith(("week", "sem"))
                                                       else 1))
    phrase = re.sub(r"^(?:dia )?primero de ", "1 de ", phrase)
    import dateparser  # imported on first use: it takes a moment

    languages = [language] if language in LANGUAGES else []
    languages += [other for other in LANGUAGES if other not in languages]
    base = datetime(meeting_date.year, meeting_date.month, meeting_date.day)
    settings: dict[str, Any] = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future"}
    if languages[0] == "es":
        settings["DATE_ORDER"] = "DMY"
    try:
        found = dateparser.parse(phrase, languages=languages, settings=settings)
    except Exception:  # dateparser raises assorted errors on odd text: it just does not read
        return None
    return found.date() if found is not None else None


def _slash_date(said: re.Match[str], language: str, meeting_date: date) -> date | None:
    """"12/15" (month first) or, said in Spanish, "15/12" (day first); without a year, the
    next such day from the meeting on."""
    first, second = int(said[1]), int(said[2])
    month, day = (second, first) if language == "es" else (first, second)
    years = ([int(said[3]) + (2000 if len(said[3]) == 2 else 0)] if said[3]
             else [meeting_date.year, meeting_date.year + 1])
    for year in years:
        try:
            found = date(year, month, day)
        except ValueError:
            return None
        if said[3] or found >= meeting_date:
            return found
    return None


def _months_later(start: date, count: int) -> date:
    """The same day ``count`` months later, or that month's last day when it is shorter."""
    year, month = divmod(start.month - 1 + count, 12)
    year += start.year
    month += 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _next_day_of_month(day: int, after: date) -> date | None:
    """The first date on ``day`` of a month, on or after ``after``."""
    year, month = after.year, after.month
    for _ in range(13):
        if day <= calendar.monthrange(year, month)[1] and date(year, month, day) >= after:
            return date(year, month, day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _deadline(folded: str) -> re.Match[str] | None:
    """The first deadline phrase in a folded sentence, if any."""
    for match in _DEADLINE.finditer(folded):
        when = match["when"] or match["when2"]
        if when.lower() == "manana" and _MORNING.search(folded, 0, match.start()):
            continue
        return match
    return None


def _tidy_task(text: str) -> str:
    """Trim a commitment clause to the task: no "vale," before it, no trailing clause,
    filler adverb or full stop."""
    text = _TASK_TAIL.sub("", _INTERJECTION.sub("", text.strip()))
    text = _TASK_HEAD.sub("", text.strip(" ¿¡"))
    return " ".join(text.split()).strip(" ,;:.?!¿¡-")


def _name(value: str | None) -> str | None:
    """The person's name in ``value``, without a capitalised lead-in ("Then Ana" -> "Ana").

    ``None`` when nothing is left: "This", "Everyone" or "Esto" are nobody's name.
    """
    words = (value or "").split()
    while words and fold(words[0]).lower() in _NOT_NAMES:
        words.pop(0)
    return " ".join(words) or None


def find_decisions(sentences: Sequence[Sentence]) -> list[Point]:
    """Sentences that state a decision ("we decided", "queda acordado"); not a question
    ("¿decidimos algo sobre el menú?") nor a denial ("no, nunca lo decidimos")."""
    decisions: list[Point] = []
    said: set[str] = set()
    for point in _cued(sentences, _DECISION):
        folded = fold(point.text)
        if point.text.rstrip().endswith("?") or point.text.lstrip().startswith("¿") \
                or _denied(folded):
            continue
        # "We decided to move hosting to Vercel." "Agreed, Vercel it is.": one decision.
        if decisions and point.segment == decisions[-1].segment + 1 and _AGREES.match(folded):
            continue
        # "And again, we decided to move the release": said once already.
        cue = _DECISION.search(folded)
        if (decided := " ".join(re.findall(r"\w+", folded[cue.start() if cue else 0:].lower()))) \
                not in said:
            said.add(decided)
            decisions.append(point)
    return decisions


_AGREES = re.compile(r"^\W*(?:agreed|ok(?:ay)?|yes|yeah|sure|right|perfect|great|de acuerdo|"
                     r"vale|si|perfecto|genial|claro)\b", re.IGNORECASE)


def _denied(folded: str) -> bool:
    """Whether the decision a sentence names is denied just before it ("nunca lo
    decidimos", "we never agreed")."""
    cue = _DECISION.search(folded)
    return bool(cue and _NOT_DECIDED.search(folded[:cue.start()]))


def find_next_steps(sentences: Sequence[Sentence]) -> list[Point]:
    """Sentences about what comes next ("next steps", "la próxima reunión")."""
    return _cued(sentences, _NEXT_STEP)


# "Next step: a go/no-go call." The summary shows its own label before each point.
_SAID_LABEL = re.compile(r"^(?:next steps?|decision|pr[oó]ximos? pasos?|siguientes? pasos?|"
                         r"decisi[oó]n)\s*:\s*(?=\w)", re.IGNORECASE)


def _cued(sentences: Sequence[Sentence], cue: re.Pattern[str]) -> list[Point]:
    points: list[Point] = []
    for sentence in sentences:
        text = _SAID_LABEL.sub("", sentence.text.strip())
        if cue.search(fold(sentence.text)) and all(p.text != text for p in points):
            points.append(Point(text, sentence.segment))
    return points


def find_action_items(sentences: Sequence[Sentence], segments: Sequence[Segment], *,
                      language: str, meeting_date: date) -> list[ActionItem]:
    """Commitments and requests, with their owner and due date where the sentence says.

    The owner is the speaker for "I'll…"/"me encargo de…" (and "let me…" with a deadline),
    the person named for "Ana will…"/"Luis se encarga de…"/"Luis, please…", and for "can
    you…" the person addressed by name or, failing that, whoever speaks next. The task is
    the clause after the cue, without its deadline.
    """
    items: list[ActionItem] = []
    last_position = -1
    for position in range(len(sentences)):
        found = _action_item(sentences, position, segments, language, meeting_date)
        if found is None:
            continue
        item, takes_on_previous = found
        if takes_on_previous and items and last_position == position - 1:
            # "Can you update the plan?" "Sure, I'll do that by Friday.": one task, the
            # replier's, due when either says.
            items[-1] = replace(items[-1], owner=item.owner or items[-1].owner,
                                due=items[-1].due or item.due)
        # A task said again ("so to recap: Marco will fix the login bug") is listed once.
        elif all((i.owner, fold(i.task).lower()) != (item.owner, fold(item.task).lower())
                 for i in items):
            items.append(item)
            last_position = position
    return items


def _action_item(sentences: Sequence[Sentence], position: int, segments: Sequence[Segment],
                 language: str, meeting_date: date) -> tuple[ActionItem, bool] | None:
    """The action item a sentence states, and whether it takes on the task of the sentence
    before it ("I'll do that"), or ``None``."""
    sentence = sentences[position]
    text = sentence.text
    folded = fold(text)
    owner: str | None = None
    infinitive, said_verb = "", ""
    start = end = -1
    if mine := list(_MINE.finditer(folded)):
        if _NOT_DECIDED.search(folded[:mine[-1].start()]) or re.match(
                r"\s*(?:not|never)\b", folded[mine[-1].end():]):
            return None  # "no voy a poder mirarlo", "I will not send it": turned down
        # Speech restarts ("I'll do some... I'll rub the features"): the last cue wins.
        owner = sentence.speaker
        start, end = mine[-1].end(), len(text)
    elif (match := _THEIRS.search(folded) or _ADDRESSED.search(folded)) and (
            owner := _name(text[slice(*match.span("name"))])):
        start, end = match.span("task")
    elif language == "es" and (
            ((match := _FUTURE_THEIRS_ES.search(folded)) and _future(text, match)
             and (owner := _name(text[slice(*match.span("name"))])))
            or ((match := _FUTURE_MINE_ES.match(folded)) and _future(text, match)
                and (owner := sentence.speaker))):
        start, end = match.span("task")
        # "revisara" -> "revisar", "Enviare" -> "enviar", "prepararan" -> "preparar".
        said_verb = match["verb"]
        infinitive = said_verb.removesuffix("n")[:-1].lower()
    elif match := _REQUEST.search(folded):
        start, end = match.span("task")
        # "Can you review the pull request, Diego?": the one named last is asked.
        if (last := _NAMED_LAST.search(text, start, end)) and (named := _name(last["name"])):
            owner, end = named, last.start()
        elif match["name"]:
            owner = _name(text[slice(*match.span("name"))])
        else:
            owner = _next_speaker(segments, sentence.segment)
        if _turned_down(sentences, position, owner):
            return None  # "No, I can't this week, sorry."
    elif match := _LABELLED.search(folded):
        group = "task" if match["task"] is not None else "task_es"
        start, end = match.span(group)
        if lead := _LEADING_OWNER.match(folded, start):
            owner = _name(text[slice(*lead.span("name"))])
            start = lead.start("task")
    elif language == "es" and _PRONOUN_TASK.fullmatch(
            _tidy_task(_DEADLINE.sub(" ", folded)).lower()) and _deadline(folded):
        # "Vale, lo mando mañana", "Lo hago yo el viernes": the speaker's.
        owner, start, end = sentence.speaker, 0, len(text)
    elif (deadline := _deadline(folded)) and _DUE_ALONE.fullmatch(
            deadline["prep"] or deadline["prep2"] or "") and not _IDIOM.fullmatch(
                deadline["when"] or ""):
        start, end = 0, len(text)
        if (lead := _LEADING_OWNER.match(folded)) and (
                named := _name(text[slice(*lead.span("name"))])):
            owner, start = named, lead.start("task")
        elif lead := _SPEAKER_LEADS.match(folded):
            owner, start = sentence.speaker, lead.end()
        elif language == "es" and _MINE_ES.search(folded):
            owner = sentence.speaker
    else:
        return None
    task_text, task_folded = text[start:end], folded[start:end]
    if infinitive:
        task_text = infinitive + task_text[len(said_verb):]
        task_folded = fold(task_text)
    due: date | None = None
    if deadline := _deadline(task_folded):
        due = _resolve_due(deadline["when"] or deadline["when2"], language, meeting_date)
        task_text = task_text[:deadline.start()] + task_text[deadline.end():]
    task = _tidy_task(task_text)
    takes_on_previous = False
    vague = not task or bool(_VAGUE_TASK.match(fold(task)))
    if vague or (language == "es" and _PRONOUN_TASK.fullmatch(fold(task).lower())):
        # "Yo me encargo." answers the sentence before it: "¿Quién puede revisar el
        # contrato?", "Someone has to call the printer."; so does "sí, las preparo".
        asked = sentences[position - 1].text if position else ""
        lead = _QUESTION_LEAD.match(fold(asked))
        task = "" if vague else task
        if lead or asked.endswith("?"):
            task_text = asked[lead.end():] if lead else asked
            if deadline := _deadline(fold(task_text)):
                due = due or _resolve_due(deadline["when"] or deadline["when2"], language,
                                          meeting_date)
                task_text = task_text[:deadline.start()] + task_text[deadline.end():]
            task, takes_on_previous = _tidy_task(task_text), True
        elif not vague and position and sentences[position - 1].speaker != sentence.speaker:
            # "Lucía enviará la propuesta…" "De acuerdo, la mando…": the same task, taken on.
            takes_on_previous = True
    elif _PRONOUN_OBJECT.match(fold(task)) and position and \
            sentences[position - 1].speaker != sentence.speaker:
        # "Pedro, please fix the crash." "OK, I will fix it by Thursday.": that one task.
        takes_on_previous = True
    folded = fold(task).lower()
    first_word = folded.split()[0] if task else ""
    if not task or first_word in _NOT_TASKS or _TELLING_US.match(folded) or (
            len(task.split()) < 2 and not owner):
        return None
    item = ActionItem(task=task, segment=sentence.segment, owner=owner, due=due)
    return item, takes_on_previous


# A name said last, after a comma: "…, Diego?".
_NAMED_LAST = re.compile(r",\s*(?P<name>[A-Z][\w'-]+)\s*[?.!]*\s*$")


def _turned_down(sentences: Sequence[Sentence], position: int, owner: str | None) -> bool:
    """Whether the one asked at ``position`` answers no in the next sentence."""
    if position + 1 >= len(sentences):
        return False
    reply = sentences[position + 1]
    return reply.speaker != sentences[position].speaker and (
        owner is None or reply.speaker == owner) and bool(_TURNED_DOWN.match(reply.text))


def _future(text: str, match: re.Match[str]) -> bool:
    """Whether the verb matched is written in the future tense, with its accent: "revisará",
    "enviaré"; "prepara" (do it) or "compare" are not."""
    verb = text[match.start("verb"):match.end("verb")]
    return verb.removesuffix("n")[-1:] in ("á", "é")  # "prepararán" too


def _next_speaker(segments: Sequence[Segment], index: int) -> str | None:
    """Who speaks after segment ``index``, if that is someone else: the one asked."""
    asker = segments[index].speaker
    for segment in segments[index + 1:index + 4]:
        if segment.speaker and segment.speaker != asker:
            return segment.speaker
    return None


def participants(segments: Iterable[Segment]) -> list[str]:
    """Distinct speakers in order of first appearance."""
    seen: dict[str, None] = {}
    for segment in segments:
        if segment.speaker and segment.speaker.strip():
            seen.setdefault(segment.speaker.strip(), None)
    return list(seen)


# --------------------------------------------------------------------------------------------
# The extractive summariser
# --------------------------------------------------------------------------------------------


class ExtractiveSummarizer:
    """Summaries without a model: central sentences, and cue phrases for the rest.

    The defaults were tuned for ROUGE on QMSum's train and validation meetings (see
    ``bench/summaries.py``), and only there.

    Args:
        word_budget: Most words in ``summary`` (QMSum's reference summaries average ~110).
        key_points: How many key points, after the summary's sentences.
        min_words: Shorter sentences are not candidates for summary or key points.
        max_words: Longer ones are not either: they would eat the budget alone.
        redundancy: A candidate whose cosine similarity with a sentence already chosen is
            above this is skipped.
        opening_boost: Centrality is multiplied by up to ``1 + opening_boost`` at the very
            start of the meeting, falling linearly to 1 at ``opening`` of the way through:
            meetings open by saying what they are about.
        opening: The fraction of the segments the boost spans.
    """

    name = "extractive"

    def __init__(self, *, word_budget: int = 110, key_points: int = 5, min_words: int = 8,
                 max_words: int = 40, redundancy: float = 0.4, opening_boost: float = 2.0,
                 opening: float = 0.1) -> None:
        self.word_budget = word_budget
        self.key_points = key_points
        self.min_words = max(min_words, 4)  # a shorter sentence never says enough
        self.max_words = max_words
        self.redundancy = redundancy
        self.opening_boost = opening_boost
        self.opening = opening

    async def summarize(self, segments: Sequence[Segment], *, language: str,
                        meeting_date: date) -> Summary:
        """Summarise in a worker thread: it is CPU work and must not block the event loop."""
        return await asyncio.to_thread(self.summarize_sync, segments, language=language,
                                       meeting_date=meeting_date)

    def summarize_sync(self, segments: Sequence[Segment], *, language: str,
                       meeting_date: date) -> Summary:
        """The same as :meth:`summarize`, in the calling thread."""
        sentences = split_sentences(segments)
        decisions = find_decisions(sentences)
        actions = find_action_items(sentences, segments, language=language,
                                    meeting_date=meeting_date)
        steps = find_next_steps(sentences)
        # A decision, task or next step is listed as such, not again as a key point.
        said = [(p.segment, p.text) for p in (*decisions, *steps)] + [
            (a.segment, a.task) for a in actions]
        listed = {i for i, s in enumerate(sentences)
                  if any(segment == s.segment and text in s.text for segment, text in said)}
        chosen, extra = self.rank(sentences, not_key_points=listed)
        return Summary(
            summary=[Point(sentences[i].text, sentences[i].segment) for i in chosen],
            key_points=[Point(sentences[i].text, sentences[i].segment) for i in extra],
            decisions=decisions, action_items=actions, next_steps=steps,
            participants=participants(segments),
        )

    def rank(self, sentences: Sequence[Sentence], *,
             not_key_points: Collection[int] = ()) -> tuple[list[int], list[int]]:
        """Pick the summary's sentences, then the key points', each in transcript order.

        Args:
            sentences: The transcript's sentences.
            not_key_points: Sentences listed elsewhere (decisions, tasks, next steps).

        Returns:
            Indices into ``sentences``: the summary's, then the key points'.
        """
        if not sentences:
            return [], []
        matrix = tfidf([s.text for s in sentences])
        scores = pagerank(matrix)
        if self.opening > 0:
            where = np.array([s.segment for s in sentences]) / max(sentences[-1].segment, 1)
            scores = scores * (1 + self.opening_boost
                               * np.clip(1 - where / self.opening, 0.0, None))
        words = np.array([s.words for s in sentences])
        eligible = (words >= self.min_words) & (words <= self.max_words)
        order = [int(i) for i in np.argsort(-scores, kind="stable") if eligible[i]]
        closest = np.zeros(len(sentences))  # each sentence's highest similarity to one chosen

        def pick(budget: int, most: int, skip: Collection[int] = ()) -> list[int]:
            nonlocal closest
            chosen: list[int] = []
            used = 0
            for i in order:
                if i in skip:
                    continue
                if len(chosen) >= most or used > budget - self.min_words:
                    break
                if closest[i] <= self.redundancy and used + words[i] <= budget:
                    chosen.append(i)
                    used += int(words[i])
                    closest = np.maximum(closest, matrix.similarity(i))
            return chosen

        summary = pick(self.word_budget, len(sentences))
        rest = pick(self.key_points * self.max_words, self.key_points, not_key_points)
        return sorted(summary), sorted(rest)


# --------------------------------------------------------------------------------------------
# The LLM summariser
# --------------------------------------------------------------------------------------------


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    segment: int = Field(description="The [number] of the transcript line this is based on.")


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid")

    task: str = Field(description="What is to be done, starting with a verb.")
    owner: str | None = Field(description="Who committed or was asked, as named; else null.")
    due: date | None = Field(description="Deadline as YYYY-MM-DD, or null.")
    segment: int = Field(description="The [number] of the transcript line this is based on.")


# What the model must answer: the JSON Schema is generated from this, and replies checked
# against it (no docstring: it would become the schema's description).
class _Reply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    summary: list[_Item]
    key_points: list[_Item]
    decisions: list[_Item]
    action_items: list[_Action]
    next_steps: list[_Item]
    participants: list[str]


RESPONSE_FORMAT: dict[str, Any] = {
    "type": "json_schema",
    "json_schema": {"name": "meeting_summary", "strict": True,
                    "schema": _Reply.model_json_schema()},
}

_PART_PROMPT = """\
You summarise meeting transcripts for a team chat. Each transcript line is \
"[i] Speaker (mm:ss): text", where i is the segment number.
Reply with one JSON object matching the schema, every text in {language}:
- summary: 3 to 6 sentences on what the meeting was about and what came of it;
- key_points: the main points raised;
- decisions: what was decided or agreed;
- action_items: tasks someone committed to or was asked to do; task starts with a verb; \
owner is the person as named in the transcript, or null; due is the deadline as \
YYYY-MM-DD, or null (the meeting was on {weekday} {date}: count "by Friday" from then);
- next_steps: what happens next, or at the next meeting;
- participants: the people who took part.
Every item's segment is the number i of the line it is based on: only numbers that appear \
in the transcript. Use only what the transcript says; use an empty list when there is \
nothing.{part}"""

_MERGE_PROMPT = """\
You merge the summaries of consecutive parts of one meeting into one summary of the whole \
meeting. The input is a JSON list of the parts' summaries, in order.
Reply with one JSON object matching the schema, every text in {language}: a summary of 3 to \
6 sentences for the whole meeting, and the key points, decisions, action items, next steps \
and participants of all parts with duplicates merged. Keep each item's segment number from \
the input; do not invent numbers or facts. The meeting was on {weekday} {date}."""

_RETRY_PROMPT = ("Your previous reply to this was not valid: {error}. Reply with only the JSON "
                 "object, matching the schema.")

_CHARS_PER_TOKEN = 4  # a rough estimate, but on the safe side for English and Spanish
_PARALLEL_REQUESTS = 3  # parts summarised at once: faster, without inviting rate limits
_MIN_PART_TOKENS = 200
_MAX_ERROR_CHARS = 200  # of a validation error quoted back to the model


class SummarizationError(RuntimeError):
    """No part of the transcript could be summarised; ``problems`` says why for each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class _InvalidReply(ValueError):
    """The model's reply is not JSON of the required shape, even after one retry."""


@dataclass(frozen=True, slots=True)
class _Part:
    number: int
    first: int  # index of its first segment
    last: int  # index of its last segment
    lines: list[str]


def estimate_tokens(text: str) -> int:
    """About how many tokens ``text`` takes (~4 characters a token)."""
    return len(text) // _CHARS_PER_TOKEN + 1


def _clock(seconds: float) -> str:
    minutes, secs = divmod(max(int(seconds), 0), 60)
    return f"{minutes:02d}:{secs:02d}"


def _line(index: int, segment: Segment) -> str:
    speaker = (segment.speaker or "").strip() or "?"
    return f"[{index}] {speaker} ({_clock(segment.start)}): {clean_text(segment.text)}"


class LLMSummarizer:
    """Structured summaries from any OpenAI-compatible chat endpoint.

    Args:
        client: The client; its ``timeout`` and ``max_retries`` govern each request
            (timeouts, 5xx and 429 are retried by it, not here).
        model: The model name.
        max_context_tokens: The model's context; a transcript longer than fits (with the
            prompt and the reply) is summarised in parts, then merged.
        max_output_tokens: The most tokens the model may reply with.
    """

    def __init__(self, client: openai.AsyncOpenAI, model: str, *,
                 max_context_tokens: int = 12000, max_output_tokens: int = 1500) -> None:
        self.client = client
        self.model = model
        self.name = f"llm:{model}"
        self.max_context_tokens = max_context_tokens
        self.max_output_tokens = max_output_tokens
        # The longest prompt of all (the part prompt with its widest values, and the note a
        # retry adds) and the schema, which providers add to the context too.
        overhead = estimate_tokens(
            _PART_PROMPT.format(language="Spanish", weekday="Wednesday", date="2000-01-01",
                                part=" " * 120)
            + _RETRY_PROMPT.format(error=" " * _MAX_ERROR_CHARS) + json.dumps(RESPONSE_FORMAT))
        self.input_budget = max_context_tokens - max_output_tokens - overhead
        if self.input_budget < _MIN_PART_TOKENS:
            raise ValueError(f"max_context_tokens={max_context_tokens} leaves no room for the "
                             f"transcript after the prompt and {max_output_tokens} output tokens")

    async def summarize(self, segments: Sequence[Segment], *, language: str,
                        meeting_date: date) -> Summary:
        """Summarise each part, then merge; see the class docstring for failures.

        Raises:
            SummarizationError: Every part failed (the caller should retry later).
        """
        if not segments:
            return Summary()
        parts = self.split(segments)
        limit = asyncio.Semaphore(_PARALLEL_REQUESTS)

        import openai  # imported when used: it takes most of a second to load

        async def run(part: _Part) -> _Reply | BaseException:
            async with limit:
                try:
                    return await self._summarize_part(part, len(parts), language, meeting_date)
                except (openai.OpenAIError, _InvalidReply) as error:
                    return error

        results = await asyncio.gather(*(run(part) for part in parts))
        replies: list[_Reply] = []
        problems: list[str] = []
        last_error: BaseException | None = None
        for part, result in zip(parts, results, strict=True):
            if isinstance(result, BaseException):
                last_error = result
                problems.append(f"part {part.number} of {len(parts)} (segments {part.first}-"
                                f"{part.last}) could not be summarised: {_reason(result)}")
                log.warning("summary %s", problems[-1])
            else:
                replies.append(result)
        if not replies:
            raise SummarizationError(problems) from last_error
        merged = await self._merge(replies, language, meeting_date)
        summary = _to_summary(merged, range(len(segments)), _cited(replies))
        summary.participants = participants(segments) or _dedupe_names(merged.participants)
        summary.problems = problems
        return summary

    def split(self, segments: Sequence[Segment]) -> list[_Part]:
        """Cut the transcript at segment boundaries into parts that fit the context."""
        budget_chars = self.input_budget * _CHARS_PER_TOKEN
        groups: list[tuple[int, list[str]]] = []
        size = 0
        for index, segment in enumerate(segments):
            line = _line(index, segment)
            if len(line) + 1 > budget_chars:  # one segment longer than a part: cut its text
                line = line[:budget_chars - 2] + "…"
            if not groups or size + len(line) + 1 > budget_chars:
                groups.append((index, []))
                size = 0
            groups[-1][1].append(line)
            size += len(line) + 1
        return [_Part(number, first, first + len(lines) - 1, lines)
                for number, (first, lines) in enumerate(groups, start=1)]

    async def _summarize_part(self, part: _Part, parts: int, language: str,
                              meeting_date: date) -> _Reply:
        where = ""
        if parts > 1:
            where = (f"\nThis is part {part.number} of {parts} of the transcript (segments "
                     f"{part.first} to {part.last}).")
        system = _PART_PROMPT.format(language=_LANGUAGE_NAMES.get(language, language),
                                     weekday=meeting_date.strftime("%A"),
                                     date=meeting_date.isoformat(), part=where)
        reply = await self._ask(system, "\n".join(part.lines))
        return _keep_cited(reply, set(range(part.first, part.last + 1)))

    async def _merge(self, replies: list[_Reply], language: str, meeting_date: date) -> _Reply:
        """One reply from many: merged by the model, a batch at a time if they do not fit."""
        system = _MERGE_PROMPT.format(language=_LANGUAGE_NAMES.get(language, language),
                                      weekday=meeting_date.strftime("%A"),
                                      date=meeting_date.isoformat())
        budget = self.input_budget * _CHARS_PER_TOKEN
        while len(replies) > 1:
            batches: list[list[_Reply]] = []
            size = 0
            for reply in replies:
                length = len(reply.model_dump_json()) + 2
                if not batches or size + length > budget:
                    batches.append([])
                    size = 0
                batches[-1].append(reply)
                size += length
            if all(len(batch) == 1 for batch in batches):
                return _concatenate(replies)  # no two fit together: merging cannot shrink it
            replies = [await self._merge_batch(batch, system) if len(batch) > 1 else batch[0]
                       for batch in batches]
        return replies[0]

    async def _merge_batch(self, batch: list[_Reply], system: str) -> _Reply:
        import openai

        content = json.dumps([reply.model_dump(mode="json") for reply in batch],
                             ensure_ascii=False)
        try:
            merged = await self._ask(system, content)
        except (openai.OpenAIError, _InvalidReply) as error:
            log.warning("summary merge failed, concatenating the parts: %s", _reason(error))
            return _concatenate(batch)
        return _keep_cited(merged, _cited(batch))

    async def _ask(self, system: str, content: str) -> _Reply:
        """One request, and one more if the reply is not valid JSON of the required shape."""
        messages: list[dict[str, str]] = [{"role": "system", "content": system},
                                          {"role": "user", "content": content}]
        error = ""
        for _attempt in range(2):
            completion = await self.client.chat.completions.create(
                model=self.model, messages=messages,  # type: ignore[arg-type]
                response_format=RESPONSE_FORMAT,  # type: ignore[arg-type]
                max_completion_tokens=self.max_output_tokens)
            text = completion.choices[0].message.content if completion.choices else None
            try:
                return _parse(text)
            except _InvalidReply as invalid:
                error = str(invalid)[:_MAX_ERROR_CHARS]
                log.info("invalid summary reply, asking again: %s", error)
                # The same request with a note on what was wrong; the bad reply is not sent
                # back, so the retry fits the context just as the first request did.
                messages = [*messages[:2],
                            {"role": "user", "content": _RETRY_PROMPT.format(error=error)}]
        raise _InvalidReply(f"the reply was not JSON of the required shape, twice ({error})")


def _parse(text: str | None) -> _Reply:
    """The model's reply, checked against the schema."""
    if not text or not text.strip():
        raise _InvalidReply("the reply was empty")
    # Some local models wrap JSON in a Markdown fence even when asked for a JSON schema.
    text = re.sub(r"^\s*```(?:json)?\s*|\s*```\s*$", "", text)
    try:
        return _Reply.model_validate_json(text)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the reply"
        raise _InvalidReply(f"{where}: {first['msg']}") from None


def _reason(error: BaseException) -> str:
    import openai

    if isinstance(error, openai.APIStatusError):
        return f"the model server answered {error.status_code}"
    if isinstance(error, openai.APITimeoutError):
        return "the request timed out"
    if isinstance(error, openai.APIConnectionError):
        return "the model server could not be reached"
    return str(error) or type(error).__name__


def _cited(replies: Iterable[_Reply]) -> set[int]:
    """Every segment index the replies cite."""
    cited: set[int] = set()
    for reply in replies:
        for items in (reply.summary, reply.key_points, reply.decisions, reply.next_steps,
                      reply.action_items):
            cited.update(item.segment for item in items)
    return cited


_Cited = TypeVar("_Cited", _Item, _Action)


def _text(item: _Item | _Action) -> str:
    return item.text if isinstance(item, _Item) else item.task


def _keep_cited(reply: _Reply, allowed: set[int] | range) -> _Reply:
    """The reply without items citing a segment outside ``allowed`` (or with no text)."""

    def keep(items: list[_Cited]) -> list[_Cited]:
        return [item for item in items if item.segment in allowed and _text(item).strip()]

    return _Reply(summary=keep(reply.summary), key_points=keep(reply.key_points),
                  decisions=keep(reply.decisions), action_items=keep(reply.action_items),
                  next_steps=keep(reply.next_steps), participants=reply.participants)


def _key(text: str) -> str:
    return " ".join(fold(text).casefold().split()).strip(" .")


def _concatenate(replies: Sequence[_Reply]) -> _Reply:
    """All the replies' items in order, without repeats: the merge when the model's fails."""

    def join(lists: Iterable[list[_Cited]]) -> list[_Cited]:
        seen: set[str] = set()
        out: list[_Cited] = []
        for items in lists:
            for item in items:
                key = _key(_text(item))
                if key not in seen:
                    seen.add(key)
                    out.append(item)
        return out

    return _Reply(summary=join(r.summary for r in replies),
                  key_points=join(r.key_points for r in replies),
                  decisions=join(r.decisions for r in replies),
                  action_items=join(r.action_items for r in replies),
                  next_steps=join(r.next_steps for r in replies),
                  participants=_dedupe_names(n for r in replies for n in r.participants))


def _dedupe_names(names: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        if name.strip():
            seen.setdefault(_key(name), name.strip())
    return list(seen.values())


def _to_summary(reply: _Reply, segments: range, cited: set[int]) -> Summary:
    """Map the checked reply onto :class:`Summary`, keeping only citations of real segments."""
    reply = _keep_cited(reply, {i for i in cited if i in segments})
    return Summary(
        summary=[Point(i.text.strip(), i.segment) for i in reply.summary],
        key_points=[Point(i.text.strip(), i.segment) for i in reply.key_points],
        decisions=[Point(i.text.strip(), i.segment) for i in reply.decisions],
        action_items=[ActionItem(task=a.task.strip(), segment=a.segment,
                                 owner=(a.owner or "").strip() or None, due=a.due)
                      for a in reply.action_items],
        next_steps=[Point(i.text.strip(), i.segment) for i in reply.next_steps],
    )


def make_summarizer(*, openai_api_key: str | None, openai_base_url: str | None,
                    model: str = "gpt-4o-mini") -> Summarizer:
    """The LLM summariser when an API key is configured, else the extractive one."""
    if openai_api_key:
        import openai

        client = openai.AsyncOpenAI(api_key=openai_api_key, base_url=openai_base_url or None)
        return LLMSummarizer(client, model)
    return ExtractiveSummarizer()
