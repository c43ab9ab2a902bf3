"""The numeric core of a generated day: meetings, races, fields and outcomes as compact arrays, without
any text.

:class:`DayCore` is what later stages read (histories, markets, the JSON bodies); it is built by
:func:`hippique_replay.gen_fields.build_core` from the meetings of
:mod:`hippique_replay.gen_meetings`. A runner's win probability is the :func:`softmax` of its
strength among the runners that start.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from hippique_replay.gen_racecourses import Racecourse


@dataclass
class ReunionPlan:
    """One meeting of the day."""

    number: int
    racecourse: Racecourse
    country: str
    country_label: str
    nature: str
    main: bool
    regional: bool
    first_course: int
    races: list[int] = field(default_factory=list)  # indices into the race arrays, in course order


@dataclass
class DayCore:
    """Everything about a day that later days' histories need, as compact arrays."""

    ordinal: int
    day: date
    reunions: list[ReunionPlan]
    # races (one element per race)
    race_reunion: np.ndarray  # index into ``reunions``
    race_course: np.ndarray  # numOrdre
    race_circuit: np.ndarray
    race_discipline: np.ndarray
    race_distance: np.ndarray
    race_prize: np.ndarray  # euros
    race_start: np.ndarray  # local Paris minutes after midnight
    race_quinte: np.ndarray
    race_handicap: np.ndarray
    race_cancelled: np.ndarray
    race_first: np.ndarray  # first runner index; runners of race i are first[i]:first[i+1]
    # runners (one element per declared runner, grouped by race, ordered by number)
    run_slot: np.ndarray
    run_generation: np.ndarray
    run_race: np.ndarray
    run_number: np.ndarray
    run_rider: np.ndarray
    run_trainer: np.ndarray
    run_ability: np.ndarray
    run_strength: np.ndarray
    run_status: np.ndarray  # CLASSIFIED, NON_PARTANT or an incident
    run_rank: np.ndarray  # finishing rank (0: not classified); dead heats share a rank
    run_perf: np.ndarray  # performance on the day (strength + luck), for margins and times
    run_np_minute: np.ndarray  # local minute a non-runner was declared (-1: the day before)
    run_recul: np.ndarray  # trotters starting 25 m behind
    by_slot: np.ndarray  # runner indices sorted by slot, for lookups
    slots_sorted: np.ndarray

    @property
    def n_races(self) -> int:
        return int(self.race_course.size)

    def runners(self, race: int) -> range:
        return range(int(self.race_first[race]), int(self.race_first[race + 1]))

    def find(self, slots: np.ndarray) -> np.ndarray:
        """Runner index of each slot on this day, or -1 where the slot did not run."""
        pos = np.searchsorted(self.slots_sorted, slots)
        pos = np.minimum(pos, max(self.slots_sorted.size - 1, 0))
        if self.slots_sorted.size == 0:
            return np.full(slots.shape, -1, dtype=np.int64)
        hit = self.slots_sorted[pos] == slots
        return np.where(hit, self.by_slot[pos], -1)

    def race_index(self, reunion: int, course: int) -> int | None:
        """Race index of R``reunion``C``course``, or None."""
        for plan in self.reunions:
            if plan.number == reunion:
                for race in plan.races:
                    if int(self.race_course[race]) == course:
                        return race
        return None


def softmax(values: np.ndarray) -> np.ndarray:
    """Numerically stable softmax of a 1-D array."""
    if values.size == 0:
        return values
    shifted = values - values.max()
    e = np.exp(shifted)
    return e / e.sum()
