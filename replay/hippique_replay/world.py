"""The generated racing world: the static entities of a seed and the days built from them.

:class:`World` is a :class:`~hippique_replay.population.Population` (horses, riders and trainers
that recur from one day to the next) with a cache of the days' numeric cores
(:mod:`hippique_replay.gen_core`) and of the rendered past races, shared by the replay server's
threads. Everything is a pure function of the seed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache

from hippique_replay.gen_core import DayCore
from hippique_replay.gen_fields import build_core
from hippique_replay.population import Population

CORE_CACHE_DAYS = 1700  # longer than any career (1600 days), so a stream of days never recomputes one


class World(Population):
    """All static entities of one seed, and a cache of the days' cores."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self._cores: OrderedDict[int, DayCore] = OrderedDict()
        self.lock = threading.RLock()
        # Rendered summaries of past races (see gen_race.past_race_view), bounded like the cores.
        self.race_views: OrderedDict[tuple[int, int], object] = OrderedDict()

    def core(self, ordinal: int) -> DayCore:
        """The numeric core of a day (cached; see :mod:`hippique_replay.gen_core`)."""
        # The replay server answers from several threads; the cache is shared.
        with self.lock:
            found = self._cores.get(ordinal)
            if found is not None:
                self._cores.move_to_end(ordinal)
                return found
            core = build_core(self, ordinal)
            self._cores[ordinal] = core
            if len(self._cores) > CORE_CACHE_DAYS:
                self._cores.popitem(last=False)
            return core

    def clear_cache(self) -> None:
        """Forget every computed day (the results are pure, so this only costs time)."""
        with self.lock:
            self._cores.clear()
            self.race_views.clear()
        super().clear_cache()


@lru_cache(maxsize=4)
def world(seed: int) -> World:
    """The world of a seed (built once per process, ~20k horse slots)."""
    return World(seed)
