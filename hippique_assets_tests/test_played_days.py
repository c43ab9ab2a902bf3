"""The days played on the daemon at a raised priority keep their busy stretches apart.

Each played day is the first module of its pytest worker, so the plays start together; from each
play's start, its clock (the lead-in, its factors, its races' offs) fixes when its runs are due seconds
before an off. Two such stretches at once on two cores put H-5 runs past the off, so the lead-ins of
the hostile day, the race day and the daemon-restart day are chosen to keep them apart, in that order
(conftest.py), and this checks it whenever a day's races or clock change.
"""

from __future__ import annotations

from itertools import pairwise
from types import ModuleType

from hippique_assets_tests import test_hostile_day, test_race_day
from hippique_assets_tests.conftest import HOSTILE_LEAD_WALL_S, RACE_DAY_LEAD_WALL_S, RESTART_DAY_LEAD_WALL_S
from hippique_assets_tests.deployed import test_daemon_restart
from hippique_replay.day_clock import FIRST_PHASE_BEFORE, busy_windows, day_clock
from hippique_replay.day_play import played_source, start_times

# Wall seconds between two days' busy stretches, for the workers' start-up differences.
MARGIN_S = 10.0


def _busy_wall(day: ModuleType, lead: float) -> list[tuple[float, float]]:
    """The busy stretches of the play a test module (its DAY, SEED, RACES, FACTOR, IDLE_FACTOR and
    WATCHED) makes, in wall seconds from its start (its clock as DayPlay makes it)."""
    starts = start_times(played_source(day.DAY, day.SEED, day.RACES), day.DAY, day.SEED)
    clock = day_clock(starts, day.FACTOR, idle_factor=day.IDLE_FACTOR, lead_wall_s=lead, watched=day.WATCHED)
    origin = clock.wall_time(starts[0] - FIRST_PHASE_BEFORE) - lead
    windows = busy_windows(starts, watched=day.WATCHED)
    return [(clock.wall_time(begin) - origin, clock.wall_time(end) - origin) for begin, end in windows]


def test_the_raised_priority_days_are_never_busy_at_the_same_time():
    hostile = _busy_wall(test_hostile_day, HOSTILE_LEAD_WALL_S)
    race_day = _busy_wall(test_race_day, RACE_DAY_LEAD_WALL_S)
    restart_day = _busy_wall(test_daemon_restart, RESTART_DAY_LEAD_WALL_S)
    days = {"hostile day": hostile, "race day": race_day, "daemon-restart day": restart_day}
    print(days)
    stretches = sorted((begin, end, name) for name, windows in days.items() for begin, end in windows)
    for (b1, e1, first), (b2, e2, then) in pairwise(stretches):
        assert first == then or e1 + MARGIN_S <= b2, (
            f"{first} {b1:.0f}-{e1:.0f} s, {then} {b2:.0f}-{e2:.0f} s"
        )
    # The daemon-restart day's outage ends in a burst of catch-up runs after its last off: it comes last.
    assert max(b for b, _, _ in stretches) == restart_day[-1][0]
