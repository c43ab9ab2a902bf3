"""How often each race-day sensor ticks, from the race clock's interval: the race clock as set, the
sensors that follow the runs and the day never more than once every 5 s (each tick builds a Dagster
instance), production's default unchanged."""

from __future__ import annotations

import pytest

from hippique_assets.definitions import build_definitions
from hippique_assets.settings import Settings

FOLLOWERS = ("race_run_failures", "run_failure_alerts")
DAY_SENSORS = ("day_ledger", "race_day_watch")


def _intervals(tmp_path, race_clock_interval_s: int) -> dict[str, int | None]:
    settings = Settings.replayed(tmp_path, "http://127.0.0.1:1", race_clock_interval_s=race_clock_interval_s)
    repository = build_definitions(settings).get_repository_def()
    return {
        name: repository.get_sensor_def(name).minimum_interval_seconds
        for name in ("race_clock", *FOLLOWERS, *DAY_SENSORS)
    }


@pytest.mark.parametrize(
    ("race_clock", "followers", "day_sensors"),
    [
        (1, 5, 5),  # a replayed day's accelerated clock
        (3, 5, 6),
        (10, 10, 20),  # the default
        (45, 45, 60),
    ],
)
def test_the_followers_tick_no_faster_than_every_five_seconds(tmp_path, race_clock, followers, day_sensors):
    intervals = _intervals(tmp_path, race_clock)
    assert intervals["race_clock"] == race_clock
    assert {intervals[name] for name in FOLLOWERS} == {followers}
    assert {intervals[name] for name in DAY_SENSORS} == {day_sensors}
