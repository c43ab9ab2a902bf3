"""One generated day and what it looks like at any instant.

:class:`DayModel` holds the day's core, lazily computed histories, markets and times, and answers
questions that depend on the instant ``as_of``: has a race started, is its result in, were its
dividends published, which non-runners are already declared, what are the odds right now.

Race timeline (UTC instants derived from the local Paris start):

* morning reference odds at 09:00 local (or an hour before an earlier start); no odds before;
* ``PROGRAMMEE`` until three minutes before the off, then ``DEPART_DANS_TROIS_MINUTES``;
* ``DEPART_CONFIRME`` while running; ``FIN_COURSE`` with the arrival from ``start + 2 min``;
* final dividends (``rapports-definitifs``) from ``start + 8 min``;
* a cancelled race turns ``COURSE_ANNULEE`` an hour before its start.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property

import numpy as np

from hippique_replay import gen_market as mk
from hippique_replay.gen_core import DayCore, ReunionPlan, softmax
from hippique_replay.gen_history import History, histories
from hippique_replay.gen_race import PARIS, RaceTimes, race_times, start_utc
from hippique_replay.gen_rules import NON_PARTANT
from hippique_replay.world import World, world

ARRIVAL_AFTER = timedelta(minutes=2)
RAPPORTS_AFTER = timedelta(minutes=8)
IMMINENT = timedelta(minutes=3)
CANCEL_NOTICE = timedelta(minutes=60)
REFERENCE_CLOCK = time(9, 0)
FINAL = datetime.max.replace(tzinfo=UTC)


class Phase(enum.IntEnum):
    """Where a race stands at an instant."""

    PLANNED = 0
    IMMINENT = 1
    RUNNING = 2
    ARRIVED = 3
    FINAL = 4
    CANCELLED = 5


@dataclass(frozen=True)
class Quote:
    """A runner's odds at an instant (decimal, for 1 euro) and when they were computed."""

    odds: float
    at_ms: int
    favourite: bool


def as_instant(as_of: datetime | None) -> datetime:
    """``as_of`` in UTC; None means the end of time (every race final)."""
    if as_of is None:
        return FINAL
    if as_of.tzinfo is None:
        raise ValueError(f"as_of must be timezone-aware, got naive {as_of.isoformat()}")
    return as_of.astimezone(UTC)


class DayModel:
    """A generated day: the core plus everything derived from it, cached."""

    def __init__(self, day: date, seed: int) -> None:
        self.day = day
        self.seed = seed
        self.ordinal = day.toordinal()
        self.world: World = world(seed)
        self._markets: dict[int, mk.Market] = {}
        self._times: dict[int, RaceTimes] = {}

    @cached_property
    def core(self) -> DayCore:
        return self.world.core(self.ordinal)

    @cached_property
    def histories(self) -> list[History]:
        return histories(self.world, self.core)

    @cached_property
    def starts(self) -> list[datetime]:
        return [start_utc(self.day, int(m)) for m in self.core.race_start]

    # --- lookups -----------------------------------------------------------------------------

    def reunion_plan(self, reunion: int) -> ReunionPlan | None:
        for plan in self.core.reunions:
            if plan.number == reunion:
                return plan
        return None

    def race_index(self, reunion: int, course: int) -> int | None:
        return self.core.race_index(reunion, course)

    def runners(self, race: int) -> range:
        return self.core.runners(race)

    # --- timeline ----------------------------------------------------------------------------

    def reference_time(self, race: int) -> datetime:
        """When the morning reference odds are set."""
        morning = datetime.combine(self.day, REFERENCE_CLOCK, tzinfo=PARIS).astimezone(UTC)
        return min(morning, self.starts[race] - timedelta(hours=1))

    def phase(self, race: int, at: datetime) -> Phase:
        start = self.starts[race]
        if bool(self.core.race_cancelled[race]) and at >= start - CANCEL_NOTICE:
            return Phase.CANCELLED
        if at < start - IMMINENT:
            return Phase.PLANNED
        if at < start:
            return Phase.IMMINENT
        if at < start + ARRIVAL_AFTER:
            return Phase.RUNNING
        if at < start + RAPPORTS_AFTER:
            return Phase.ARRIVED
        return Phase.FINAL

    def declared_non_runner(self, runner: int, at: datetime) -> bool:
        """Is this runner a declared non-runner at that instant?"""
        if int(self.core.run_status[runner]) != NON_PARTANT:
            return False
        minute = int(self.core.run_np_minute[runner])
        if minute < 0:
            return True
        declared = start_utc(self.day, minute)
        return at >= declared

    def active(self, race: int, at: datetime) -> np.ndarray:
        """Runners of a race not (yet) declared non-runners at an instant (boolean per runner)."""
        return np.asarray([not self.declared_non_runner(i, at) for i in self.runners(race)], dtype=bool)

    # --- truth and market --------------------------------------------------------------------

    def true_probabilities(self, race: int) -> np.ndarray:
        """Hidden win probability of each runner (0 for non-runners)."""
        runners = self.runners(race)
        strength = self.core.run_strength[runners.start : runners.stop].astype(np.float64)
        starters = self.core.run_status[runners.start : runners.stop] != NON_PARTANT
        out = np.zeros(strength.size)
        out[starters] = softmax(strength[starters])
        return out

    def market(self, race: int) -> mk.Market:
        found = self._markets.get(race)
        if found is None:
            runners = self.runners(race)
            strength = self.core.run_strength[runners.start : runners.stop].astype(np.float64)
            riders = self.core.run_rider[runners.start : runners.stop].astype(np.int64)
            found = mk.build_market(self.seed, self.ordinal, race, strength, self.world.riders.skill[riders])
            self._markets[race] = found
        return found

    def final_market_probabilities(self, race: int) -> np.ndarray:
        """The market's win probabilities when betting closed (starters only)."""
        runners = self.runners(race)
        starters = self.core.run_status[runners.start : runners.stop] != NON_PARTANT
        return mk.probabilities(self.market(race).logits(0.0, None), starters)

    def quotes(self, race: int, at: datetime) -> dict[int, Quote] | None:
        """Direct odds of each active runner (runner index -> quote), None before the market opens."""
        reference_at = self.reference_time(race)
        if at < reference_at:
            return None
        start = self.starts[race]
        active = self.active(race, min(at, start))
        if at >= start:
            logits = self.market(race).logits(0.0, None)
            at_ms = _ms(start)
        else:
            minute = int(at.timestamp() // 60)
            minutes_to_start = (start - at).total_seconds() / 60
            noise = mk.minute_noise(self.seed, self.ordinal, race, active.size, minute)
            logits = self.market(race).logits(minutes_to_start, noise)
            at_ms = max(minute * 60_000, _ms(reference_at))
        return self._quotes_from(race, logits, active, at_ms)

    def reference_quotes(self, race: int, at: datetime) -> dict[int, Quote] | None:
        """The morning reference odds (fixed once set), None before they are set."""
        reference_at = self.reference_time(race)
        if at < reference_at:
            return None
        start = self.starts[race]
        minutes_to_start = (start - reference_at).total_seconds() / 60
        minute = int(reference_at.timestamp() // 60)
        active = self.active(race, reference_at)
        noise = mk.minute_noise(self.seed, self.ordinal, race, active.size, minute)
        logits = self.market(race).logits(minutes_to_start, noise)
        return self._quotes_from(race, logits, active, _ms(reference_at))

    def _quotes_from(self, race: int, logits: np.ndarray, active: np.ndarray, at_ms: int) -> dict[int, Quote]:
        p = mk.probabilities(logits, active)
        first = self.runners(race).start
        odds = {first + i: mk.display_odds(float(p[i])) for i in np.flatnonzero(active).tolist()}
        if not odds:
            return {}
        best = min(odds, key=lambda i: (odds[i], i))
        return {i: Quote(o, at_ms, i == best) for i, o in odds.items()}

    # --- results -----------------------------------------------------------------------------

    def times(self, race: int) -> RaceTimes:
        found = self._times.get(race)
        if found is None:
            found = race_times(self.world, self.core, race)
            self._times[race] = found
        return found

    def arrival(self, race: int) -> list[list[int]]:
        """``ordreArrivee`` of the programme: numbers grouped by rank (dead heats together)."""
        runners = self.runners(race)
        groups: dict[int, list[int]] = {}
        for i in runners:
            rank = int(self.core.run_rank[i])
            if rank > 0:
                groups.setdefault(rank, []).append(int(self.core.run_number[i]))
        return [sorted(groups[rank]) for rank in sorted(groups)]


def _ms(instant: datetime) -> int:
    return round(instant.timestamp() * 1000)
