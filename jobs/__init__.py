"""Background work on a clock or a queue; drives :mod:`bot` services and never a platform SDK."""

from jobs.scheduler import ReminderScheduler
from jobs.transcripts import TranscriptWorker

__all__ = ["ReminderScheduler", "TranscriptWorker"]
