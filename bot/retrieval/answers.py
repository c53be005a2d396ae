"""Grounded answers: the moments of a project's meetings that answer a question, cited.

Retrieval is hybrid (Chroma vectors and BM25, fused) and always scoped by the code to the
workspace's collection and the asked project; the best lines inside the retrieved chunks
are then picked by their similarity to the question. The embedded answer is made of those
lines, each cited; with a language model, the model writes the answer from them and any
citation that names no source is removed. A question asked in one language about meetings
held in the other is translated first (:mod:`bot.retrieval.translation`).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np

from bot.i18n import Translator
from bot.retrieval.chunking import clean_text
from bot.retrieval.translation import QuestionTranslator, language_of
from bot.transcripts.pipeline import clock_time
from storage import WorkspaceStore
from storage.models import ItemKind

if TYPE_CHECKING:  # chromadb is slow to import; only the composition root loads it
    from storage.search_index import Hit, SearchIndex

MIN_SIMILARITY = 0.3  # below this a line does not answer the question (MiniLM cosine)
# A line sharing no word of the question's subject must be this close: "what did we agree
# about SharePoint?" is 0.34 from "thanks for joining the launch review", by its shape alone.
MIN_SIMILARITY_WITHOUT_WORDS = 0.45
MIN_WORDS = 4
# "What did we decide…?": the decisions the summary found are the answer, so they rank
# higher, as much as a named speaker's lines do. Not tuned: QMSum's meetings rarely say "we
# decided" (0.6 decisions a meeting in val's summaries), and no quote of val changes.
DECISION_WEIGHT = 0.25
# Rankings of a question and of its translations are fused by rank, as the index fuses its
# two sides (its RRF_K).
_FUSION_K = 20
# What "what did Ana say?" may ask with besides her name: nothing it is about.
# Words about someone saying, deciding or taking something on, and where ("in the
# meeting"): no subject of theirs. A line that shares only "decidimos" with "¿qué decidimos
# sobre la fiesta?" does not answer it.
_SAYING = ("say said says saying think thought thinks talk talked talking mention mentioned "
           "speak spoke opinion view decir dijo dice dijeron hablar hablo pensar piensa penso "
           "opinar opina opino opinion comentar comento mencionar menciono meeting call "
           "reunion reunión llamada decide decides decided decision decisions agree agreed "
           "agreement conclude concluded handle handles handling charge decidir decidimos "
           "decidieron decidió decisión decisiones acordar acordamos acordaron acordó acuerdo "
           "concluimos encarga encargan encargo encargó encargamos encargado encargada")
ASKS_DECISION = re.compile(r"\b(?:decid\w*|decision\w*|decisi[oó]n\w*|agree\w*|acord\w*|"
                            r"conclu\w*)", re.IGNORECASE)
# "Why?", "¿por qué?": the reason is said around the line that answers, most often just
# before it ("launching on the first is too tight …", then "so we decided to move it").
_ASKS_WHY = re.compile(r"\b(?:why|reasons?|how come|por qu[eé]|motivos?|raz[oó]n(?:es)?)\b",
                       re.IGNORECASE)
_BECAUSE = re.compile(
    r"\b(?:because|since|due to|as a result|so that|in order to|otherwise|too \w+|the reason|"
    r"that's why|which is why|porque|ya que|puesto que|debido a|por eso|as[ií] que|para que|"
    r"demasiad[oa]s?|el motivo|la raz[oó]n)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Moment:
    """A line said in a meeting, with everything a citation needs."""

    project_id: int
    meeting_id: int
    meeting_title: str
    meeting_start: datetime
    transcript_id: int
    position: int
    speaker: str | None
    seconds: float
    text: str
    score: float

    def cite(self, _: Translator, timezone: str) -> str:
        who = self.speaker or _("someone")
        day = _.date(self.meeting_start.astimezone(ZoneInfo(timezone)))
        return f"{self.meeting_title} · {day} · {who} · {clock_time(self.seconds)}"


class Retriever:
    """Finds the moments of one project's meetings that best match a question.

    Args:
        index: The search index.
        chunks: How many chunks to read lines from.
        translator: Translates a question asked in one language about meetings held in the
            other; without one, questions are searched as asked.
    """

    def __init__(self, index: SearchIndex, *, chunks: int = 6,
                 translator: QuestionTranslator | None = None) -> None:
        self.index = index
        self.chunks = chunks
        self.translator = translator

    async def moments(self, store: WorkspaceStore, project_id: int | None, query: str,
                      *, limit: int = 5, meeting_id: int | None = None,
                      written_in: str | None = None, by_word: bool = False) -> list[Moment]:
        """The ``limit`` lines of the project's meetings (or of one of them) closest to
        ``query``, best first; none below :data:`MIN_SIMILARITY`.

        ``project_id`` None searches every project of the workspace: to find which one a
        question is about, never to answer it (an answer cites one project only).
        ``written_in``: the asker's language, taken when the query's words do not tell.
        ``by_word``: as a search box does, a line holding a word of the query counts however
        far its meaning is ("Salesforce" in a long line about leads).
        """
        versions = await self.translations(store.workspace_id, project_id, query,
                                           written_in=written_in)
        hits = await self.search(store.workspace_id, query, versions, project_id=project_id,
                                 meeting_id=meeting_id, as_typed=by_word)
        # The filter is the code's, not the index's alone: a hit of another project or
        # workspace can never become a citation.
        hits = [h for h in hits if project_id in (None, h.chunk.project_id)
                and h.chunk.workspace_id == store.workspace_id
                and meeting_id in (None, h.chunk.meeting_id)]
        if not hits:
            return []
        meetings = await store.meetings_by_id(sorted({h.chunk.meeting_id for h in hits}))
        lines: list[tuple[Moment, str]] = []
        seen: set[tuple[int, int]] = set()
        languages = {hit.chunk.transcript_id: hit.chunk.language for hit in hits}
        for hit in hits:
            meeting = meetings.get(hit.chunk.meeting_id)
            if meeting is None or meeting.project_id != hit.chunk.project_id:
                continue
            for segment in await store.segments_between(
                    hit.chunk.transcript_id, hit.chunk.first_segment, hit.chunk.last_segment):
                text = clean_text(segment.text)
                key = (hit.chunk.transcript_id, segment.position)
                if len(text.split()) < MIN_WORDS or key in seen:
                    continue
                seen.add(key)
                lines.append((Moment(meeting.project_id, meeting.id, meeting.title,
                                     meeting.starts_at, hit.chunk.transcript_id,
                                     segment.position, segment.speaker, segment.start, text,
                                     0.0), text))
        if not lines:
            return []
        vectors = await self._vectors(store.workspace_id, lines)
        # Loaded with the index already; importing it at the top would load chromadb.
        from storage.search_index import SPEAKER_WEIGHT, named_speakers

        named = named_speakers(query, {m.speaker for m, _t in lines if m.speaker})
        transcripts = sorted({m.transcript_id for m, _t in lines})
        subject = self._subject(query, named) if named else query
        if named and not subject:
            # "What did Ana say?" names nobody's subject: the answer is what she said that
            # mattered most, the lines the summary took from her first, then those closest
            # to the rest of her speech (how the summariser picks its sentences too).
            theirs = [n for n, (m, _t) in enumerate(lines) if m.speaker in named]
            if not theirs:
                return []
            lines, vectors = [lines[n] for n in theirs], vectors[theirs]
            similarity = vectors @ _unit(vectors.mean(axis=0))
            recorded = await store.said_at(transcripts, ItemKind.DECISION, ItemKind.ACTION)
            scored = sorted(((float(s) + ((m.transcript_id, m.position) in recorded), m)
                             for s, (m, _t) in zip(similarity, lines, strict=True)),
                            key=lambda item: -item[0])
            return [replace(m, score=rank) for rank, m in scored][:limit]
        similarity = await self._closeness(vectors, lines, languages, query, versions)
        # "What did Ana say about photos?" is further from her line on the photos than
        # "photos" is: the threshold reads the closer of the two.
        relevance = np.maximum(similarity, await self._closeness(
            vectors, lines, languages, subject,
            {language: self._subject(text, named) for language, text in versions.items()})
        ) if named else similarity
        # "What did Marta say about ...": her lines first, as the search favoured her
        # passages; "what did we decide ...": the decisions first. The threshold reads the
        # similarity without these weights, so nothing off-topic gets in.
        decided = (await store.said_at(transcripts, ItemKind.DECISION)
                   if ASKS_DECISION.search(query) else set())
        scored = sorted(((float(s) * (1 + SPEAKER_WEIGHT * (m.speaker in named))
                          * (1 + DECISION_WEIGHT * ((m.transcript_id, m.position) in decided)),
                          float(r), m)
                         for s, r, (m, _t) in zip(similarity, relevance, lines, strict=True)),
                        key=lambda item: -item[0])
        # In a language the model was not trained on, any two sentences look alike (MiniLM
        # puts "¿cuántas horas llevamos?" at 0.62 from "decidimos quitar el paso"): there a
        # line must also share a word of the question's subject, and two with a translated
        # one, where a single word is often the translation's coincidence ("log" ->
        # "registro"), unless it is one the translation kept as asked: a name ("Shopify").
        trusted: frozenset[str] | None = getattr(self.index.embedding, "languages", None)
        unread = set() if trusted is None else set(languages.values()) - trusted
        analyzer = self.index.analyzer
        asked = {language: set(analyzer(self._subject(versions.get(language, query), named),
                                        language)) for language in set(languages.values())}
        if by_word:  # a search box's words count as typed too: "Stripe" is no "raya"
            for language in asked:
                asked[language] |= set(analyzer(self._subject(query, named), language))
        # Kept as asked: a word written the same in the question and in its translation
        # ("Shopify"), not one whose stem merely matches ("decide", "decidimos").
        verbatim = {language: " ".join(
            set(re.findall(r"\w+", query.casefold()))
            & set(re.findall(r"\w+", versions[language].casefold())))
            for language in unread if language in versions}
        kept = {language: asked[language] & set(analyzer(words, language))
                for language, words in verbatim.items()}

        # A decision need not repeat its subject ("¿qué decidimos sobre el registro?" is
        # answered by "decidimos quitar el paso del teléfono"), as long as its meeting talks
        # about it: one on "la fiesta de Navidad" is not answered by it.
        # Asking about it is not talking about it: "¿decidimos algo sobre el envío gratuito?"
        # does not make the meeting's other decisions answers.
        talked_about = {m.transcript_id for m, text in lines if decided
                        and not text.rstrip().endswith("?")
                        and asked[languages[m.transcript_id]]
                        & set(analyzer(text, languages[m.transcript_id]))}
        # "¿Y el hosting?" "Acordamos pasar a Vercel.": a decision right after the subject is
        # asked in the meeting answers it.
        asked_there = [(m.transcript_id, m.position) for m, text in lines
                       if text.rstrip().endswith("?") and asked[languages[m.transcript_id]]
                       & set(analyzer(text, languages[m.transcript_id]))]
        answering = {(transcript, position + step) for transcript, position in asked_there
                     for step in (1, 2)} & decided
        shared_words: dict[tuple[int, int], int] = {}  # by (transcript, position)

        def close_enough(m: Moment, r: float) -> bool:
            language = languages[m.transcript_id]
            terms = asked[language]
            shared = terms & set(analyzer(m.text, language))
            shared_words[m.transcript_id, m.position] = len(shared)
            if by_word and shared:
                return True
            if (m.transcript_id, m.position) in decided and (
                    m.transcript_id in talked_about or (m.transcript_id, m.position) in answering):
                return r >= MIN_SIMILARITY
            if language in unread:  # two words of a translation, or one it kept as asked
                needed = min(2, len(terms)) if language in versions else 1
                return r >= MIN_SIMILARITY and (len(shared) >= max(1, needed)
                                                or bool(shared & kept.get(language, set())))
            return r >= MIN_SIMILARITY_WITHOUT_WORDS or (r >= MIN_SIMILARITY and bool(shared))

        found = [replace(m, score=rank) for rank, r, m in scored if close_enough(m, r)]
        # When a decision says the subject ("decidimos usar Stripe para los pagos"), the
        # meeting's decisions that do not are about something else.
        if any(shared_words[key] for m in found
               if (key := (m.transcript_id, m.position)) in decided):
            found = [m for m in found if (key := (m.transcript_id, m.position)) not in decided
                     or shared_words[key] or key in answering]
        # The decision that answers the question asked in the meeting before the asking.
        found.sort(key=lambda m: (m.transcript_id, m.position) not in answering)
        if project_id is None:
            # Telling projects apart, MiniLM's closeness is not comparable across languages
            # (any two Spanish sentences look alike to it): the line that shares more of
            # the question's words, as asked or translated, names the project; as many
            # shared as asked weigh more than through a translation.
            found.sort(key=lambda m: (-shared_words[m.transcript_id, m.position],
                                      languages[m.transcript_id] in versions))
        found = found[:limit]
        if found and limit > 1 and _ASKS_WHY.search(query):
            found = await self._with_reasons(store, found, limit)
        return found

    async def translations(self, workspace_id: int, project_id: int | None, query: str, *,
                           written_in: str | None = None) -> dict[str, str]:
        """The question in each language of the searched meetings it was not asked in
        (none without a translator, or when the question's language is unclear and
        ``written_in``, the asker's, is not given: "titular" is a Spanish word to a Spanish
        speaker)."""
        if self.translator is None or (asked := language_of(query) or written_in) is None:
            return {}
        held = await self.index.languages(workspace_id, project_id)
        if held <= {asked}:
            return {}
        versions: dict[str, str] = {}
        for language in sorted(held - {asked}):
            text = await asyncio.to_thread(self.translator.translate, query, asked, language)
            if text:
                versions[language] = text
        return versions

    async def search(self, workspace_id: int, query: str, versions: dict[str, str], *,
                     project_id: int | None, meeting_id: int | None = None,
                     as_typed: bool = False) -> list[Hit]:
        """The best chunks for the question as asked and for each of its ``versions``
        (:meth:`translations`).

        Meetings held only in other languages are searched with the translations alone,
        unless ``as_typed`` (a search box's words, names among them, are looked for as
        typed too); with several, the rankings are fused by their ranks.
        """
        texts = list(versions.values())
        # As asked, for the meetings held in the question's own language.
        if as_typed or not versions or (
                await self.index.languages(workspace_id, project_id) - versions.keys()):
            texts.insert(0, query)
        rankings = [await self.index.search(workspace_id, text, project_id=project_id,
                                            meeting_id=meeting_id, k=self.chunks)
                    for text in texts]
        if len(rankings) == 1:
            return rankings[0]
        fused: dict[str, tuple[float, Hit]] = {}
        for ranking in rankings:
            for rank, hit in enumerate(ranking, start=1):
                score, first = fused.get(hit.chunk.chunk_id, (0.0, hit))
                fused[hit.chunk.chunk_id] = (score + 1 / (_FUSION_K + rank), first)
        return [hit for _s, hit in sorted(fused.values(), key=lambda item: -item[0])
                ][:self.chunks]

    async def _closeness(self, vectors: np.ndarray, lines: list[tuple[Moment, str]],
                         languages: dict[int, str], question: str,
                         versions: dict[str, str]) -> np.ndarray:
        """Each line's similarity to the question in the line's own language."""
        spoken = [languages[m.transcript_id] for m, _t in lines]
        by_language = {language: await self._query_vector(versions.get(language, question))
                       for language in dict.fromkeys(spoken)}
        return np.einsum("ij,ij->i", vectors, np.stack([by_language[s] for s in spoken]))

    async def _with_reasons(self, store: WorkspaceStore, found: list[Moment],
                            limit: int) -> list[Moment]:
        """The best line, then the lines around it that give a reason (at most two, in the
        order they were said), then the others, ``limit`` in all."""
        best = found[0]
        near = await store.segments_between(best.transcript_id, best.position - 3,
                                            best.position + 2)
        reasons = sorted((replace(best, position=s.position, speaker=s.speaker,
                                  seconds=s.start, text=text)
                          for s in near if s.position != best.position
                          and len((text := clean_text(s.text)).split()) >= MIN_WORDS
                          and _BECAUSE.search(text)),
                         key=lambda m: abs(m.position - best.position))[:min(2, limit - 1)]
        said = [best, *sorted(reasons, key=lambda m: m.position)]
        placed = {m.position for m in said}
        return (said + [m for m in found[1:] if (m.transcript_id != best.transcript_id
                                                 or m.position not in placed)])[:limit]

    def _subject(self, query: str, named: frozenset[str]) -> str:
        """The words a question asks about, beyond the people it names and their saying it
        ("what did Ana say?" has none; "what did Ana say about her proposal?" has "proposal")."""
        analyzer = self.index.analyzer
        ignored = {term for speaker in named for term in analyzer(speaker)}
        ignored.update(analyzer(_SAYING))
        return " ".join(word for word in query.split()
                        if any(term not in ignored for term in analyzer(word)))

    async def _query_vector(self, text: str) -> np.ndarray:
        return _unit(await asyncio.to_thread(self.index.query_vector, text))

    async def _vectors(self, workspace_id: int, lines: list[tuple[Moment, str]]) -> np.ndarray:
        """Each line's unit vector, as stored at indexing time (embedding ~60 lines per
        question would cost most of a second on two cores)."""
        stored: dict[tuple[int, int], np.ndarray] = {}
        for transcript_id in {m.transcript_id for m, _t in lines}:
            positions = [m.position for m, _t in lines if m.transcript_id == transcript_id]
            found = await self.index.line_vectors(workspace_id, transcript_id, positions)
            stored |= {(transcript_id, p): v for p, v in found.items()}
        missing = [text for m, text in lines if (m.transcript_id, m.position) not in stored]
        fresh = iter(await asyncio.to_thread(self.index.embedding.embed, missing)
                     if missing else [])
        return _unit(np.stack([stored[key] if (key := (m.transcript_id, m.position)) in stored
                               else next(fresh) for m, _t in lines]))


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)
