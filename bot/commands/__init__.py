"""The built-in commands. Importing this package declares them all in :data:`registry`."""

from bot.registry import Registry

registry = Registry()

from bot.commands import admin, clients, projects  # noqa: E402  (they register on import)

__all__ = ["admin", "clients", "projects", "registry"]
