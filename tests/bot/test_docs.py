"""The README's command table is generated from the registry and kept current."""

from __future__ import annotations

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
