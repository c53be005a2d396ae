"""The README's command table is generated from the registry and kept current; the
docstrings' examples run."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

from bot.docs import END, START, command_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_command_table_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    table = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert table == command_table(), "run `make docs` to regenerate the README's table"


def test_readme_starts_with_the_two_commands() -> None:
    opening = README.read_text(encoding="utf-8")[:600]
    assert "make run" in opening and "make test" in opening


def test_the_examples_in_every_docstring_hold() -> None:
    """Each module's docstring examples run as written (doctest), so none goes stale."""
    root = README.parent
    modules = sorted(
        ".".join(path.relative_to(root).with_suffix("").parts)
        for package in ("bot", "storage", "jobs", "adapters")
        for path in (root / package).rglob("*.py") if ">>>" in path.read_text(encoding="utf-8"))
    attempted = 0
    for name in modules:
        result = doctest.testmod(importlib.import_module(name))
        assert result.failed == 0, f"{name}: {result.failed} docstring examples failed"
        attempted += result.attempted
    assert len(modules) >= 10 and attempted >= 40
