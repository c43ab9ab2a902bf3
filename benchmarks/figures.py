"""What the benchmarks share: how a series of measurements is printed, and when a run is over."""

from __future__ import annotations

import statistics

from dagster import DagsterRunStatus

# A run in one of these states will not change any more.
DONE = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}


def spread(values: list[float], digits: int = 2, unit: str = "") -> str:
    """``min / median / max`` of ``values``, each ``digits`` after the point, then ``unit``."""
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"{low:6.{digits}f} / {mid:6.{digits}f} / {high:6.{digits}f}{unit}"
