"""What the benchmark scripts share: their figures and their work folder."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path


def percentile_ms(seconds: Sequence[float], q: float) -> float:
    """Nearest-rank percentile ``q`` (0-100) of durations in seconds, in milliseconds."""
    ordered = sorted(seconds)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1] * 1000


@contextlib.contextmanager
def work_folder(given: Path | None, prefix: str) -> Iterator[Path]:
    """``given`` (made if missing, and kept), else a temporary folder removed afterwards."""
    if given is not None:
        given.mkdir(parents=True, exist_ok=True)
        yield given
        return
    with tempfile.TemporaryDirectory(prefix=prefix) as name:
        yield Path(name)
