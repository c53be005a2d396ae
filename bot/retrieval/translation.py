"""Questions asked in one language about meetings held in the other.

The agency speaks English and Spanish, and a question in one about a meeting in the other
finds little: BM25 matches words, and the embedded MiniLM reads English only. So the
question is translated into the language of the meetings first, by Apertium, the
rule-based machine translation engine (Debian's ``apertium-eng-spa``): offline, a
millisecond a question once its pipeline runs, and no model file to pin.

:func:`language_of` tells which language a question (or a transcript) is in (py3langid,
restricted to the two). :class:`ApertiumTranslator` keeps one Apertium pipeline per
direction running in null-flush mode, so each question costs a write and a read instead of
starting thirteen programs. People's and companies' names (capitalised words inside a
sentence) pass through untouched, as Apertium would turn "Marco" into "Frame"; the agency's
own words are written in from :data:`GLOSSARY`, as it would make the budget an "estimate".

Example::

    >>> translator = ApertiumTranslator.installed()                 # doctest: +SKIP
    >>> translator.translate("¿Qué decidimos sobre el presupuesto de Marco?", "es", "en")
    ... # doctest: +SKIP
    'What decide on the budget of Marco?'
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import select
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Protocol

log = logging.getLogger("v1tr0.translation")

LANGUAGES = ("en", "es")
# Below this a short question ("website budget", "hola") could be either language: it is
# searched as written.
MIN_CONFIDENCE = 0.9
_PAIRS = {("es", "en"): "spa-eng", ("en", "es"): "eng-spa"}
_END = b"[\x01]"  # no question holds it: _as_stream drops control characters
_TIMEOUT = 2.0  # seconds; a pipeline that takes longer is restarted and the question kept
# Apertium's stream format gives these a meaning; escaped, they are plain text.
_SPECIAL = re.compile(r"([\^$\[\]{}/\\@<>])")
_UNESCAPE = re.compile(r"\\(.)")
_OUR_BRACKETS = re.compile(r"(?<!\\)[\[\]]")
# A word and what sits around it: punctuation before and after, letters in between.
_WORD = re.compile(r"(?P<before>[^\w\s]*)(?P<word>[\w'-]+)?(?P<after>\S*)")
_SENTENCE_END = re.compile(r"[.!?:;]$")
# The agency's own words, which Apertium gets wrong ("presupuesto" -> "estimate", "jefe de
# proyecto" -> "boss of project", "billing" -> "enunciando"): written in as said here
# (longer phrases first). Chosen from the product's vocabulary, not from any benchmark's
# questions.
GLOSSARY: dict[tuple[str, str], dict[str, str]] = {
    ("es", "en"): {
        r"fechas? de lanzamiento": "launch date", r"presupuestos?": "budget",
        r"jef[ea]s? de proyectos?": "project manager",
        r"fechas? de entrega": "due date", r"fechas? l[ií]mite": "deadline",
        r"plazos?": "deadline", r"facturaci[oó]n": "billing", r"facturas?": "invoice",
        r"tiendas? (?:en l[ií]nea|online)": "online store", r"maquetas?": "mockup",
        r"cronogramas?": "timeline", r"cotizaci[oó]n(?:es)?": "quote", r"hitos?": "milestone",
        r"lanzamientos?": "launch", r"entregables?": "deliverable",
    },
    ("en", "es"): {
        r"launch dates?": "fecha de lanzamiento", r"project managers?": "jefe de proyecto",
        r"due dates?": "fecha de entrega",
        r"billing": "facturación", r"launch(?:es)?": "lanzamiento", r"quotes?": "presupuesto",
        r"mock-?ups?": "maqueta", r"timelines?": "cronograma", r"deliverables?": "entregable",
    },
}
# Months, which Apertium leaves as they are ("january") or, capitalised, would be taken for
# names here: the question's words must meet the meeting's ("lanzamos en enero").
_MONTHS = {"january": "enero", "february": "febrero", "march": "marzo", "april": "abril",
           "may": "mayo", "june": "junio", "july": "julio", "august": "agosto",
           "september": "septiembre", "october": "octubre", "november": "noviembre",
           "december": "diciembre"}
GLOSSARY[("en", "es")] |= {month: es for month, es in _MONTHS.items() if month != "may"}
GLOSSARY[("es", "en")] |= {spanish: month for month, spanish in _MONTHS.items()}
_NOT_NAMES = frozenset(_MONTHS) - {"may"}  # "May I …" stays a verb
# A glossary word, or a bracketed name to leave alone.
_TERMS = {direction: re.compile(r"(\[[^\]]*\])|\b(" + "|".join(f"(?:{term})" for term in terms)
                                + r")\b", re.IGNORECASE)
          for direction, terms in GLOSSARY.items()}


class QuestionTranslator(Protocol):
    """Translates a question between the languages the bot speaks."""

    def translate(self, text: str, source: str, target: str) -> str | None:
        """``text`` in ``target``, or None when it cannot be translated now."""
        ...


@functools.cache
def _identifier():  # py3langid has no type hints
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def language_of(text: str) -> str | None:
    """``en`` or ``es`` when the text (a question, a transcript) is clearly in it, else None.

    Example:
        >>> language_of("¿Qué decidimos sobre la fecha de lanzamiento?")
        'es'
        >>> language_of("website") is None
        True
    """
    if not re.search(r"[^\W\d_]", text):
        return None
    language, confidence = _identifier().classify(text)
    return language if confidence >= MIN_CONFIDENCE else None


def _escaped(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def _as_stream(text: str, direction: tuple[str, str] = ("es", "en")) -> str:
    """``text`` in Apertium's stream format, with the glossary's words and people's names in
    brackets, which Apertium passes through unchanged.

    Example:
        >>> _as_stream("¿Qué opinaba Marco sobre el presupuesto? Dijo que sí, Ana. a/b")
        '¿Qué opinaba [Marco] sobre el [budget]? Dijo que sí, [Ana]. a\\\\/b'
    """
    terms, found = GLOSSARY[direction], _TERMS[direction]
    tokens: list[str] = []
    starts_sentence = True
    printable = "".join(c if c.isprintable() else " " for c in text)  # no NUL, no end mark
    for token in " ".join(printable.split()).split(" "):
        parts = _WORD.fullmatch(token)  # any token does
        assert parts is not None
        word = parts["word"]
        if word and word[0].isupper() and not starts_sentence and not parts["before"] \
                and word.casefold() not in _NOT_NAMES:
            tokens.append(f"[{word}]{_escaped(parts['after'])}")
        else:
            tokens.append(_escaped(token))
        starts_sentence = bool(_SENTENCE_END.search(token))
    return found.sub(lambda match: match[1] or "[" + next(
        said for term, said in terms.items() if re.fullmatch(term, match[2], re.IGNORECASE)
    ) + "]", " ".join(tokens))


def _from_stream(text: str) -> str:
    return " ".join(_UNESCAPE.sub(r"\1", _OUR_BRACKETS.sub("", text)).split())


class _Pipeline:
    """One direction's Apertium programs, started once and fed a question at a time."""

    def __init__(self, command: str, direction: tuple[str, str] = ("es", "en"), *,
                 timeout: float = _TIMEOUT) -> None:
        self._command = command
        self._direction = direction
        self._timeout = timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._pending = b""
        self._lock = threading.Lock()

    def translate(self, text: str) -> str | None:
        with self._lock:
            try:
                return self._translate(text)
            except (OSError, TimeoutError) as error:
                log.warning("apertium failed (%s); the question is searched as written",
                            error)
                self.close()
                return None

    def _translate(self, text: str) -> str:
        process = self._process
        if process is None or process.poll() is not None:
            # $1 -n: unknown words without Apertium's '*' marks; $2: the tagger's defaults.
            process = self._process = subprocess.Popen(
                ["bash", "-c", self._command, "apertium", "-n", ""], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
            self._pending = b""
        assert process.stdin is not None and process.stdout is not None
        # A bracketed mark ends each question (Apertium passes it through), so the answer is
        # what comes before it, even an empty one. The NULs flush the pipeline: several, as
        # some of its programs read one character ahead.
        process.stdin.write(_as_stream(text, self._direction).encode() + b" " + _END
                            + b"\n" + b"\0" * 4)
        process.stdin.flush()
        deadline = time.monotonic() + self._timeout
        ready = select.poll()  # not select(): a busy process has descriptors past 1024
        ready.register(process.stdout, select.POLLIN)
        while _END not in self._pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not ready.poll(remaining * 1000):
                raise TimeoutError(f"no translation within {self._timeout:g} s")
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                raise OSError("the apertium pipeline stopped")
            self._pending += chunk
        translation, _, self._pending = self._pending.partition(_END)
        return _from_stream(translation.replace(b"\0", b"").decode(errors="replace"))

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()


class ApertiumTranslator:
    """Apertium's English-Spanish pair, each direction a pipeline kept running.

    Args:
        modes: The folder holding Apertium's ``spa-eng.mode`` and ``eng-spa.mode`` (the
            installed pair's, by default).
    """

    def __init__(self, modes: Path) -> None:
        self._pipelines: dict[tuple[str, str], _Pipeline] = {}
        for direction, mode in _PAIRS.items():
            # apertium-wblank-mode writes the pipeline the way `apertium -z` runs it.
            command = subprocess.run(["apertium-wblank-mode", "-z", str(modes / f"{mode}.mode")],
                                     check=True, capture_output=True, text=True).stdout
            self._pipelines[direction] = _Pipeline(command, direction)

    @classmethod
    def installed(cls) -> ApertiumTranslator | None:
        """The translator of the installed ``apertium-eng-spa``, or None (logged) without it."""
        apertium = shutil.which("apertium")
        modes = (Path(apertium).resolve().parent.parent / "share" / "apertium" / "modes"
                 if apertium else None)
        if (modes is None or shutil.which("apertium-wblank-mode") is None
                or not all((modes / f"{mode}.mode").exists() for mode in _PAIRS.values())):
            log.info("Apertium's English-Spanish pair is not installed (apt-get install "
                     "apertium-eng-spa): questions are searched in the language they are asked")
            return None
        try:
            return cls(modes)
        except (OSError, subprocess.CalledProcessError) as error:
            log.warning("Apertium is installed but its pipelines could not be read (%s): "
                        "questions are searched in the language they are asked", error)
            return None

    def translate(self, text: str, source: str, target: str) -> str | None:
        """``text`` from ``source`` into ``target`` (``en``/``es``); None if it failed."""
        pipeline = self._pipelines.get((source, target))
        if pipeline is None or not text.strip():
            return None
        return pipeline.translate(text) or None

    def close(self) -> None:
        """Stop the pipelines (they start again when next needed)."""
        for pipeline in self._pipelines.values():
            pipeline.close()
