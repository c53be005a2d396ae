"""The terminal front door: the same commands, acting as the owner of a local workspace."""

from adapters.console.console import ConsoleAdapter, render

__all__ = ["ConsoleAdapter", "render"]
