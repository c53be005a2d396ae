"""Questions in one language about meetings in the other: language detection and Apertium."""

from __future__ import annotations

import doctest
import logging
import os
import signal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.retrieval import translation
from bot.retrieval.translation import ApertiumTranslator, _Pipeline, language_of


def test_the_language_of_a_question() -> None:
    assert language_of("¿Qué decidimos sobre la fecha de lanzamiento?") == "es"
    assert language_of("resume lo que dijo Ana") == "es"
    assert language_of("What did Marco say about the remote?") == "en"
    # Too short or wordless to tell: searched as written.
    for unclear in ("website", "hola", "#12 ???", ""):
        assert language_of(unclear) is None


def test_questions_are_translated_in_step_with_names_kept(apertium: ApertiumTranslator) -> None:
    # Each answer must belong to its own question: the pipeline never lags one behind.
    for number in range(1, 31):
        translated = apertium.translate(
            f"¿Qué dijo Marco sobre el presupuesto del punto {number}?", "es", "en")
        # Not "What said Frame on the estimate…": a name inside the sentence is kept as
        # said, and the agency's words as the glossary has them.
        assert translated == f"What said Marco on the budget of the point {number}?"
    assert apertium.translate("What did we decide about the launch date?", "en", "es") \
        == "Qué decidimos sobre el fecha de lanzamiento?"
    assert apertium.translate("¿Qué opinaba la jefa de proyecto del plazo?", "es", "en") \
        == "What thought the project manager of the deadline?"
    # Months are translated, capitalised or not; "May" is also a verb, and stays.
    assert apertium.translate("When do we launch in January or february?", "en", "es") \
        == "Cuando nosotros lanzamiento en enero o febrero?"
    assert apertium.translate("¿Qué decidimos en enero?", "es", "en") == "What decide in january?"
    # Apertium's own markup characters are plain text here.
    assert apertium.translate("¿Por qué [no] $5 / a^b <x> @c?", "es", "en") \
        == "Why [no] $5 / to^b <x> @c?"
    assert apertium.translate("   ", "es", "en") is None
    assert apertium.translate("hola", "en", "fr") is None


def test_a_stopped_pipeline_starts_again(apertium: ApertiumTranslator) -> None:
    assert apertium.translate("la reunión", "es", "en") == "The meeting"
    pipeline = apertium._pipelines[("es", "en")]
    assert pipeline._process is not None
    os.killpg(pipeline._process.pid, signal.SIGKILL)
    pipeline._process.wait()
    assert apertium.translate("la factura", "es", "en") == "The invoice"


def test_a_pipeline_that_hangs_is_given_up_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    silent = _Pipeline("cat >/dev/null", timeout=0.2)
    with caplog.at_level(logging.WARNING, logger="v1tr0.translation"):
        assert silent.translate("¿Qué decidimos?") is None
    assert "no translation within 0.2 s" in caplog.text
    assert silent._process is None  # stopped; the next question starts a fresh one


def test_the_examples_in_the_docstrings_hold() -> None:
    failed, attempted = doctest.testmod(translation)
    assert attempted >= 3 and failed == 0


def test_without_apertium_questions_are_searched_as_asked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    with caplog.at_level(logging.INFO, logger="v1tr0.translation"):
        assert ApertiumTranslator.installed() is None
    assert "apt-get install apertium-eng-spa" in caplog.text
    # Installed but broken: the programs are there and fail.
    (tmp_path / "bin").mkdir()
    for program in ("apertium", "apertium-wblank-mode"):
        (tmp_path / "bin" / program).write_text("#!/bin/sh\nexit 3\n")
        (tmp_path / "bin" / program).chmod(0o755)
    modes = tmp_path / "share" / "apertium" / "modes"
    modes.mkdir(parents=True)
    for mode in ("spa-eng", "eng-spa"):
        (modes / f"{mode}.mode").write_text("lt-proc\n")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="v1tr0.translation"):
        assert ApertiumTranslator.installed() is None
    assert "could not be read" in caplog.text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcXYZ ñáÉ¿?¡!.,;:'-_0123\t\n^$[]{}/\\@<>*#", max_size=60))
def test_any_text_comes_back_whole_through_the_pipeline_protocol(text: str) -> None:
    # `cat` in Apertium's place: what goes in must come out, escapes and brackets undone.
    echo = _Pipeline("cat")
    try:
        assert echo.translate(text) == " ".join(text.split())
        assert echo.translate("second") == "second"  # still in step
    finally:
        echo.close()
