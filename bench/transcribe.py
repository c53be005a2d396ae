"""Speed and accuracy of the embedded speech-to-text on this machine, in English and Spanish.

What it measures:
    A meeting-like text (a few paragraphs, cut or cycled to length), in English and in
    Spanish, is spoken by ``espeak-ng`` (``-s 150 -g 8``, voices ``en-us`` and ``es``) into
    WAVs of about ``--seconds`` seconds each (default 60). Then the two models of
    :class:`bot.transcripts.stt.EmbeddedWhisper` -- the shipped ``tiny.en`` for English and
    the shipped multilingual ``base`` for every other language, both int8 with
    ``cpu_threads=2`` -- transcribe them:

    * each model is loaded first (``load()``) and that time is reported on its own, and a
      short clip is transcribed once untimed, so one-time set-up (the VAD model, the first
      CTranslate2 allocations) is not charged to the measurement;
    * the timed figure is the wall time of ``await transcriber.transcribe(wav, language=...)``
      (median of ``--runs``), which includes decoding the WAV and the VAD pass.

    Reported per configuration: audio seconds, processing seconds, real-time factor
    (RTF = processing / audio; lower is better) and its inverse (x real time), and the word
    error rate against the source text (word-level Levenshtein distance / source words, after
    lower-casing and dropping punctuation; the texts have no digits, so "three" vs "3" cannot
    count against them).

    Baselines, in the same run: ``tiny.en`` with ``beam_size=5`` (faster-whisper's default)
    against ours, greedy ``beam_size=1``; ``base`` greedy against ours, ``beam_size=5``, in
    Spanish; and ``base`` on the English audio, which is why English stays on ``tiny.en``.
    The ratios of processing times are printed.

    The script exits with status 1 if a transcript comes back empty.

How to run (from the repository root; needs espeak-ng; a few minutes with the defaults):
    .venv/bin/python bench/transcribe.py [--seconds N] [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/transcribe.py`

from bot.transcripts.stt import (
    MULTILINGUAL_MODEL,
    WhisperTranscriber,
    audio_duration,
    multilingual_model,
)

PARAGRAPHS = [
    "Good morning everyone, thanks for joining the weekly project review. Ana will start with "
    "the budget, then Marco will give us an update on the website launch, and we will finish "
    "with the client feedback from last week.",
    "The budget proposal is almost ready. Ana will send the final version to the client by "
    "Friday. We agreed to keep the design hours as they are, but the development estimate "
    "needs another look because the payment integration is more complex than we expected.",
    "On the website, the new landing page is finished and the team is testing the contact "
    "form. Marco found a problem with the mobile menu on older phones. He will fix it before "
    "Wednesday and ask Laura to review the change.",
    "We decided to launch in March instead of February. The client wants more time to prepare "
    "the product photos, and a later date gives us room to finish the translations into "
    "Spanish.",
    "The client feedback was mostly positive. They liked the new colours and the simpler "
    "navigation, but they asked for a larger search box and a clearer price table. Laura will "
    "prepare two options and share them in the channel tomorrow afternoon.",
    "Before we close, please remember to log your hours for this project every day. Next "
    "steps: Ana sends the budget, Marco fixes the menu, Laura prepares the price table, and we "
    "meet again next Monday at ten in the morning. Thank you all.",
]
PARRAFOS = [
    "Buenos días a todos, gracias por venir a la revisión semanal del proyecto. Ana empieza con "
    "el presupuesto, luego Marco nos cuenta cómo va el lanzamiento de la web, y terminamos con "
    "los comentarios del cliente de la semana pasada.",
    "La propuesta de presupuesto está casi lista. Ana va a enviar la versión final al cliente "
    "el viernes. Acordamos mantener las horas de diseño como están, pero hay que revisar la "
    "estimación de desarrollo porque la integración de pagos es más compleja de lo esperado.",
    "En la web, la nueva página de inicio está terminada y el equipo está probando el "
    "formulario de contacto. Marco encontró un problema con el menú en teléfonos antiguos. Lo "
    "va a arreglar antes del miércoles y le pedirá a Laura que revise el cambio.",
    "Decidimos lanzar en marzo en lugar de febrero. El cliente quiere más tiempo para preparar "
    "las fotos de los productos, y una fecha más tarde nos deja terminar las traducciones al "
    "inglés.",
    "Los comentarios del cliente fueron sobre todo positivos. Les gustaron los nuevos colores y "
    "la navegación más sencilla, pero pidieron un buscador más grande y una tabla de precios "
    "más clara. Laura va a preparar dos opciones y las compartirá en el canal mañana por la "
    "tarde.",
]
WORDS_PER_SECOND = 2.0  # espeak-ng at -s 150 -g 8 on this text, measured (76 s for 155 words)


@dataclass
class Result:
    """One configuration: its timings and how close its transcript is to the text."""

    label: str
    load_seconds: float
    audio_seconds: float
    runs: list[float]
    errors: int  # word edits
    reference_words: int
    hypothesis: str

    @property
    def seconds(self) -> float:
        return statistics.median(self.runs)

    @property
    def rtf(self) -> float:
        return self.seconds / self.audio_seconds

    @property
    def wer(self) -> float:
        return self.errors / self.reference_words


def words(text: str) -> list[str]:
    """Lower-case words without punctuation (keeps apostrophes inside words)."""
    return re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text.lower())


def edit_distance(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Levenshtein distance over words: substitutions + deletions + insertions."""
    previous = list(range(len(hypothesis) + 1))
    for i, expected in enumerate(reference, 1):
        current = [i]
        for j, heard in enumerate(hypothesis, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (expected != heard)))
        previous = current
    return previous[-1]


def meeting_text(seconds: float, paragraphs: Sequence[str] = PARAGRAPHS) -> str:
    """Sentences of the paragraphs, cycled, until there are words for about ``seconds``."""
    sentences = [s for p in paragraphs for s in re.split(r"(?<=\.) ", p)]
    chosen: list[str] = []
    while sum(len(s.split()) for s in chosen) < seconds * WORDS_PER_SECOND:
        chosen.append(sentences[len(chosen) % len(sentences)])
    return " ".join(chosen)


def speak(text: str, path: Path, voice: str = "en-us") -> Path:
    subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-g", "8", "-w", str(path), text],
                   check=True, capture_output=True)
    return path


async def measure(label: str, transcriber: WhisperTranscriber, audio: Path, warmup: Path,
                  reference: str, runs: int, language: str = "en") -> Result:
    """Load, warm up, then time ``runs`` transcriptions of ``audio``."""
    start = time.perf_counter()
    transcriber.load()
    load_seconds = time.perf_counter() - start
    await transcriber.transcribe(warmup, language=language)
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        segments = await transcriber.transcribe(audio, language=language)
        timings.append(time.perf_counter() - start)
        print(f"  ... {label}: {timings[-1]:.2f} s", file=sys.stderr, flush=True)
    hypothesis = " ".join(segment.text for segment in segments)
    expected = words(reference)
    return Result(label, load_seconds, audio_duration(audio), timings,
                  edit_distance(expected, words(hypothesis)), len(expected), hypothesis)


def table(results: list[Result]) -> str:
    """The figures as a markdown table."""
    lines = ["| configuration | audio s | load s | processing s | RTF | x real time | WER "
             "| word edits |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r.label} | {r.audio_seconds:.1f} | {r.load_seconds:.2f} | "
                     f"{r.seconds:.2f} | {r.rtf:.3f} | {1 / r.rtf:.1f} | {r.wer:.1%} | "
                     f"{r.errors}/{r.reference_words} |")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=60.0,
                        help="target length of the synthesized meeting (default 60)")
    parser.add_argument("--runs", type=int, default=1,
                        help="timed transcriptions per configuration; the median is shown")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.runs < 1:
        parser.error("--seconds must be > 0 and --runs >= 1")
    return args


async def run(args: argparse.Namespace) -> int:
    if shutil.which("espeak-ng") is None:
        print("espeak-ng is not installed (apt-get install espeak-ng)", file=sys.stderr)
        return 2
    english, spanish = meeting_text(args.seconds), meeting_text(args.seconds, PARRAFOS)
    with tempfile.TemporaryDirectory(prefix="v1tr0-bench-") as directory:
        folder = Path(directory)
        audio_en = speak(english, folder / "meeting.wav")
        warmup_en = speak(PARAGRAPHS[0], folder / "warmup.wav")
        audio_es = speak(spanish, folder / "reunion.wav", "es")
        warmup_es = speak(PARRAFOS[0], folder / "calentar.wav", "es")
        base = str(await asyncio.to_thread(multilingual_model, folder / "models"))
        results = [
            await measure("tiny.en int8, beam 1 (ours for English)", WhisperTranscriber(),
                          audio_en, warmup_en, english, args.runs),
            await measure("tiny.en int8, beam 5 (faster-whisper's default)",
                          WhisperTranscriber(beam_size=5), audio_en, warmup_en, english,
                          args.runs),
            await measure(f"{MULTILINGUAL_MODEL} int8, beam 1, English",
                          WhisperTranscriber(base), audio_en, warmup_en, english, args.runs),
            await measure(f"{MULTILINGUAL_MODEL} int8, beam 1, Spanish",
                          WhisperTranscriber(base), audio_es, warmup_es, spanish, args.runs,
                          "es"),
            await measure(f"{MULTILINGUAL_MODEL} int8, beam 5 (ours for Spanish)",
                          WhisperTranscriber(base, beam_size=5), audio_es, warmup_es, spanish,
                          args.runs, "es"),
        ]
    tiny, tiny_beam5, base_en, base_es_beam1, base_es = results
    print()
    print(f"Embedded transcription benchmark: {tiny.audio_seconds:.1f} s of English and "
          f"{base_es.audio_seconds:.1f} s of Spanish espeak-ng speech "
          f"({len(words(english))} and {len(words(spanish))} words), cpu_threads=2 on "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, median of {args.runs} run(s)")
    print()
    print(table(results))
    print()
    print(f"English, beam 5 / beam 1 processing time: {tiny_beam5.seconds / tiny.seconds:.2f}x; "
          f"{MULTILINGUAL_MODEL} / tiny.en: {base_en.seconds / tiny.seconds:.2f}x")
    print(f"Spanish, beam 5 / beam 1 processing time: "
          f"{base_es.seconds / base_es_beam1.seconds:.2f}x")
    print()
    print(f"English transcript (ours): {tiny.hypothesis}")
    print(f"Spanish transcript (ours): {base_es.hypothesis}")
    empty = [r.label for r in results if not r.hypothesis.strip()]
    for label in empty:
        print(f"FAILED: {label}: empty transcript", file=sys.stderr)
    return 1 if empty else 0


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING)
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
