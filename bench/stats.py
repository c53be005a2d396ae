"""Figures the benchmark scripts share."""

from __future__ import annotations

from collections.abc import Sequence


def percentile_ms(seconds: Sequence[float], q: float) -> float:
    """Nearest-rank percentile ``q`` (0-100) of durations in seconds, in milliseconds."""
    ordered = sorted(seconds)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1] * 1000
