"""The accelerated clock of a played day: fast between the races, slower around each off.

Around each off run the phases that must beat it: the H-10 watcher's minute captures, H-5 and the
last call. Elsewhere (the lead-in, the H-30 snapshots, the wait for results and the ledger) nothing
is measured in seconds, so the simulated time may pass faster there without changing what a day
plays.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from hippique_assets.racing.clock import AcceleratedClock

# The minutes before an off that run at the play's factor: the watcher starts at H-10 ...
BUSY_BEFORE = timedelta(minutes=11)
# ... and without watchers (HIPPIQUE_ODDS_WATCH=off) the first phase timed in seconds is H-5.
BUSY_BEFORE_UNWATCHED = timedelta(minutes=6)
# ... and after it: a run that began just before the off ends (or is refused) at that speed too.
BUSY_AFTER = timedelta(minutes=1)
# The first H-30 comes this long before the first off.
FIRST_PHASE_BEFORE = timedelta(minutes=30)


def busy_windows(starts: Iterable[datetime], *, watched: bool = True) -> list[tuple[datetime, datetime]]:
    """The stretches around the offs (from H-11, or H-6 when the races are not ``watched``),
    overlapping ones merged, in order."""
    before = BUSY_BEFORE if watched else BUSY_BEFORE_UNWATCHED
    merged: list[tuple[datetime, datetime]] = []
    for start in sorted(starts):
        begin, end = start - before, start + BUSY_AFTER
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def day_clock(
    starts: list[datetime],
    factor: float,
    *,
    idle_factor: float | None = None,
    lead_wall_s: float = 0.0,
    watched: bool = True,
) -> AcceleratedClock:
    """A clock that shows the first H-30 ``lead_wall_s`` wall seconds from now and runs ``factor``
    times faster than the wall around each off (from H-10 and its watcher, or from H-5 when the races
    are not ``watched``) and ``idle_factor`` times (default: ``factor``) elsewhere."""
    if not starts:
        raise ValueError("a played day needs at least one start")
    idle = idle_factor or factor
    if factor <= 0 or idle <= 0:
        raise ValueError(f"clock factors must be positive, got {factor} and {idle}")
    origin = min(starts) - FIRST_PHASE_BEFORE - timedelta(seconds=lead_wall_s * idle)
    if idle == factor:
        return AcceleratedClock(origin, factor)
    changes: list[tuple[datetime, float]] = []
    for begin, end in busy_windows(starts, watched=watched):
        changes += [(begin, factor), (end, idle)]
    return AcceleratedClock(origin, idle, changes=tuple(changes))
