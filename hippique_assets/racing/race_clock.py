"""When is each race's work due? The pure logic behind the race-clock sensor.

Every tick the sensor reads the plan (one query) and asks :func:`evaluate` which phases are due.
A phase is due from its instant until the end of its grace window; a late tick inside the window
still fires. Dagster drops a run request whose run key it has already seen, so asking again on the
next tick is harmless. The phases of a race, relative to its start (the off):

- ``h30`` (start - 30 min): an odds snapshot;
- ``watch`` (start - 10 min): one run that captures the odds about twice a minute until the off;
- ``h5`` (start - 5 min): a snapshot, the analysis and its decision;
- ``last_call`` (start - ``last_call_minutes``, 2 by default, 1 to 5): a snapshot and a decision on
  the latest odds; the analysis config says whether it or H-5 places the tickets;
- ``result`` (start + 15 min): the official result and the settlement.

The run key holds the due instant: when a race's start moves, its phases get new keys and fire at
the new time. A phase is *missed* when its whole window passed between two ticks (sensor down, daemon
late): it is reported once, on the first tick after the window closed, and never fired.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hippique_assets.racing.plan import (
    DEFAULT_LAST_CALL_MINUTES,
    LAST_CALL,
    PHASE_OFFSETS,
    WATCH,
    check_last_call_minutes,
    phase_offsets,
)

PHASES = ("h30", WATCH, "h5", LAST_CALL, "result")
# Each phase as a person names it (alerts, reports).
PHASE_LABEL = {"h30": "H-30", WATCH: "H-10 watch", "h5": "H-5", LAST_CALL: "last call", "result": "H+15"}
# Phases whose run takes odds that lose their meaning at a deadline (never retried; a failure or a
# late start is recorded as missed).
SNAPSHOT_PHASES = ("h30", "h5", LAST_CALL)
DEFAULT_GRACE: dict[str, timedelta] = {
    "h30": timedelta(minutes=20),
    WATCH: timedelta(minutes=9),
    "h5": timedelta(minutes=4),
    "result": timedelta(hours=6),
}
# How far back and ahead a tick needs to look at the plan: the longest grace after the latest phase.
LOOKBACK = max(PHASE_OFFSETS.values()) + max(DEFAULT_GRACE.values())
LOOKAHEAD = -min(PHASE_OFFSETS.values())


def grace_windows(last_call_minutes: int = DEFAULT_LAST_CALL_MINUTES) -> dict[str, timedelta]:
    """How long after its due instant each phase may still be requested. The last call may be
    requested until 20 seconds before the off: a run needs a few seconds to start and decide."""
    lead = timedelta(minutes=check_last_call_minutes(last_call_minutes))
    return {**DEFAULT_GRACE, LAST_CALL: lead - timedelta(seconds=20)}


@dataclass(frozen=True)
class PlannedRace:
    race_key: str
    start_utc: datetime | None
    cancelled: bool = False


@dataclass(frozen=True)
class PhaseRun:
    """One phase of one race at one due instant."""

    race_key: str
    phase: str
    due: datetime
    # The race's start when the phase was evaluated: a last call must start before it.
    off: datetime | None = field(default=None, compare=False)

    @property
    def run_key(self) -> str:
        return f"{self.race_key}:{self.phase}:{self.due.strftime('%Y%m%dT%H%M%SZ')}"


@dataclass
class Evaluation:
    due: list[PhaseRun] = field(default_factory=list)
    missed: list[PhaseRun] = field(default_factory=list)
    next_due: datetime | None = None


# How long after its due instant a snapshot run may still start: an "H-30" snapshot means nothing
# once H-5 is due, an "H-5" snapshot and its tickets nothing once the race is off. The last call's
# limit is the off too (its lead is configurable, see :func:`start_limit`). Results have no limit (a
# late result is still the result); the watcher stops by itself at the off.
START_DEADLINE: dict[str, timedelta] = {
    "h30": PHASE_OFFSETS["h5"] - PHASE_OFFSETS["h30"],
    "h5": -PHASE_OFFSETS["h5"],
}


def start_limit(phase: str, due: datetime, off: datetime | None = None) -> timedelta | None:
    """How long after ``due`` a run of ``phase`` may start; None when it has no limit. A last call
    must start before the off: ``off`` when known, else its default lead."""
    if phase == LAST_CALL:
        return (off - due) if off is not None else timedelta(minutes=DEFAULT_LAST_CALL_MINUTES)
    return START_DEADLINE.get(phase)


def too_late_to_start(phase: str, due: datetime, now: datetime, off: datetime | None = None) -> bool:
    """Whether a run of ``phase`` due at ``due`` that starts at ``now`` should take nothing."""
    deadline = start_limit(phase, due, off)
    return deadline is not None and now - due >= deadline


def evaluate(
    races: Iterable[PlannedRace],
    now: datetime,
    *,
    previous_tick: datetime | None,
    grace: dict[str, timedelta] | None = None,
    last_call_minutes: int = DEFAULT_LAST_CALL_MINUTES,
    switched_off: frozenset[str] = frozenset(),
) -> Evaluation:
    """Phases due at ``now``, phases missed since ``previous_tick``, and the next instant to wake up;
    the phases in ``switched_off`` are left out of all three.

    ``now`` and the start instants are timezone-aware. With no previous tick (first evaluation
    ever), every window that already closed counts as missed.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    offsets = phase_offsets(last_call_minutes)
    windows = {**grace_windows(last_call_minutes), **(grace or {})}
    result = Evaluation()
    for race in races:
        if race.cancelled or race.start_utc is None:
            continue
        for phase in PHASES:
            if phase in switched_off:
                continue
            run = PhaseRun(race.race_key, phase, race.start_utc + offsets[phase], race.start_utc)
            if run.due > now:
                if result.next_due is None or run.due < result.next_due:
                    result.next_due = run.due
            elif now - run.due <= windows[phase]:
                result.due.append(run)
            elif previous_tick is None or previous_tick < run.due:
                # No tick fell inside [due, due + grace]: the phase was never requested.
                result.missed.append(run)
    order = {phase: i for i, phase in enumerate(PHASES)}
    result.due.sort(key=lambda r: (r.due, r.race_key, order[r.phase]))
    result.missed.sort(key=lambda r: (r.due, r.race_key, order[r.phase]))
    return result
