"""Background work on a clock or a queue; drives :mod:`bot` services and never a platform SDK."""

from jobs.scheduler import ReminderScheduler

__all__ = ["ReminderScheduler"]
