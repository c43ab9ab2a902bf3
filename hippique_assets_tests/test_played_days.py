"""The days played on the daemon at a raised priority keep their busy stretches apart.

Each played day is the first module of its pytest worker, so the plays start together; from each
play's start, its clock (the lead-in, its factors, its races' offs) fixes when its runs are due seconds
before an off. Two such stretches at once on two cores put H-5 runs past the off, so the lead-ins of
the hostile day and the race day are chosen to keep them apart (conftest.py), and this checks it
whenever a day's races or clock change. The daemon-restart day plays at the workers' niceness beside
them: it yields to both, and records and accepts its late runs.
"""

from __future__ import annotations

from datetime import date

from hippique_assets_tests import test_hostile_day, test_race_day
from hippique_assets_tests.conftest import HOSTILE_LEAD_WALL_S, RACE_DAY_LEAD_WALL_S
from hippique_replay.day_clock import FIRST_PHASE_BEFORE, busy_windows, day_clock
from hippique_replay.day_play import played_source, start_times

# Wall seconds between two days' busy stretches, for the workers' start-up differences.
MARGIN_S = 10.0


def _busy_wall(
    day: date, seed: int, races: int, factor: float, idle: float, lead: float, watched: bool
) -> list[tuple[float, float]]:
    """The busy stretches of a play, in wall seconds from its start (its clock as DayPlay makes it)."""
    starts = start_times(played_source(day, seed, races), day, seed)
    clock = day_clock(starts, factor, idle_factor=idle, lead_wall_s=lead, watched=watched)
    origin = clock.wall_time(starts[0] - FIRST_PHASE_BEFORE) - lead
    windows = busy_windows(starts, watched=watched)
    return [(clock.wall_time(begin) - origin, clock.wall_time(end) - origin) for begin, end in windows]


def test_the_raised_priority_days_are_never_busy_at_the_same_time():
    hostile = _busy_wall(
        test_hostile_day.DAY,
        test_hostile_day.SEED,
        test_hostile_day.RACES,
        test_hostile_day.FACTOR,
        test_hostile_day.IDLE_FACTOR,
        HOSTILE_LEAD_WALL_S,
        watched=False,
    )
    race_day = _busy_wall(
        test_race_day.DAY,
        test_race_day.SEED,
        test_race_day.RACES,
        test_race_day.FACTOR,
        test_race_day.IDLE_FACTOR,
        RACE_DAY_LEAD_WALL_S,
        watched=True,
    )
    print({"hostile day": hostile, "race day": race_day})
    for b1, e1 in hostile:
        for b2, e2 in race_day:
            assert e1 + MARGIN_S <= b2 or e2 + MARGIN_S <= b1, (
                f"hostile day {b1:.0f}-{e1:.0f} s, race day {b2:.0f}-{e2:.0f} s"
            )
