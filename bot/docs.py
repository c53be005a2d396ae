"""The README's command table, generated from the registry (``make docs`` writes it).

Run ``python -m bot.docs README.md`` to rewrite the part between the markers.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.commands import registry
from bot.registry import Registry

START, END = "<!-- commands:start -->", "<!-- commands:end -->"


def command_table(commands: Registry = registry) -> str:
    """A Markdown table: usage, what the command does and the lowest role that may run it."""
    groups = list(commands.groups)
    ordered = sorted(commands, key=lambda c: groups.index(c.group) if c.group in groups
                     else len(groups))
    rows = ["| command | what it does | role |", "|---|---|---|"]
    rows += [f"| `{_cell(c.usage())}` | {_cell(c.summary)}{_also(c.aliases)} | {c.role.label} |"
             for c in ordered]
    return "\n".join(rows)


def _also(aliases: tuple[str, ...]) -> str:
    return " Also: " + ", ".join(f"`/{a}`" for a in aliases) + "." if aliases else ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def update_readme(path: Path) -> bool:
    """Replace the table between the markers; returns whether the file changed."""
    text = path.read_text(encoding="utf-8")
    head, _start, rest = text.partition(START)
    _old, _end, tail = rest.partition(END)
    updated = f"{head}{START}\n{command_table()}\n{END}{tail}"
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return updated != text


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    print(f"{target}: {'updated' if update_readme(target) else 'already current'}")
