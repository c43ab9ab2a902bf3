"""When is each race's work due? The pure logic behind the race-clock sensor.

Every tick the sensor reads the plan (one query) and asks :func:`evaluate` which phases are due.
A phase is due from its instant (start - 30 min, start - 5 min, start + 15 min) until the end of its
grace window; a late tick inside the window still fires. Dagster drops a run request whose run key
it has already seen, so asking again on the next tick is harmless.

The run key holds the due instant: when a race's start moves, its phases get new keys and fire at
the new time. A phase is *missed* when its whole window passed between two ticks (sensor down, daemon
late): it is reported once, on the first tick after the window closed, and never fired.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hippique_assets.racing.plan import PHASE_OFFSETS

PHASES = tuple(PHASE_OFFSETS)
DEFAULT_GRACE: dict[str, timedelta] = {
    "h30": timedelta(minutes=20),
    "h5": timedelta(minutes=4),
    "result": timedelta(hours=6),
}
# How far back and ahead a tick needs to look at the plan: the longest grace after the latest phase.
LOOKBACK = max(PHASE_OFFSETS.values()) + max(DEFAULT_GRACE.values())
LOOKAHEAD = -min(PHASE_OFFSETS.values())


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

    @property
    def run_key(self) -> str:
        return f"{self.race_key}:{self.phase}:{self.due.strftime('%Y%m%dT%H%M%SZ')}"


@dataclass
class Evaluation:
    due: list[PhaseRun] = field(default_factory=list)
    missed: list[PhaseRun] = field(default_factory=list)
    next_due: datetime | None = None


# How long after its due instant a snapshot run may still start: an "H-30" snapshot means nothing
# once H-5 is due, an "H-5" snapshot and its tickets nothing once the race is off. Results have no
# limit (a late result is still the result).
START_DEADLINE: dict[str, timedelta] = {
    "h30": PHASE_OFFSETS["h5"] - PHASE_OFFSETS["h30"],
    "h5": -PHASE_OFFSETS["h5"],
}


def too_late_to_start(phase: str, due: datetime, now: datetime) -> bool:
    """Whether a run of ``phase`` due at ``due`` that starts at ``now`` should take nothing."""
    deadline = START_DEADLINE.get(phase)
    return deadline is not None and now - due >= deadline


def evaluate(
    races: Iterable[PlannedRace],
    now: datetime,
    *,
    previous_tick: datetime | None,
    grace: dict[str, timedelta] | None = None,
) -> Evaluation:
    """Phases due at ``now``, phases missed since ``previous_tick``, and the next instant to wake up.

    ``now`` and the start instants are timezone-aware. With no previous tick (first evaluation
    ever), every window that already closed counts as missed.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    windows = {**DEFAULT_GRACE, **(grace or {})}
    result = Evaluation()
    for race in races:
        if race.cancelled or race.start_utc is None:
            continue
        for phase in PHASES:
            run = PhaseRun(race.race_key, phase, race.start_utc + PHASE_OFFSETS[phase])
            if run.due > now:
                if result.next_due is None or run.due < result.next_due:
                    result.next_due = run.due
            elif now - run.due <= windows[phase]:
                result.due.append(run)
            elif previous_tick is None or previous_tick < run.due:
                # No tick fell inside [due, due + grace]: the phase was never requested.
                result.missed.append(run)
    result.due.sort(key=lambda r: (r.due, r.race_key, r.phase))
    result.missed.sort(key=lambda r: (r.due, r.race_key, r.phase))
    return result
