from datetime import UTC, datetime, timedelta

import pytest

from hippique_replay.day_clock import BUSY_AFTER, BUSY_BEFORE, busy_windows, day_clock

OFF = datetime(2026, 3, 23, 18, 59, tzinfo=UTC)


def _minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def test_busy_windows_surround_each_off_and_merge_when_they_overlap():
    starts = [OFF + _minutes(7), OFF, OFF + _minutes(4), OFF + _minutes(40)]
    assert busy_windows(starts) == [
        (OFF - BUSY_BEFORE, OFF + _minutes(7) + BUSY_AFTER),
        (OFF + _minutes(40) - BUSY_BEFORE, OFF + _minutes(40) + BUSY_AFTER),
    ]


def test_one_speed_without_an_idle_factor():
    clock = day_clock([OFF, OFF + _minutes(7)], 8.0, lead_wall_s=45.0)
    assert clock.changes == () and clock.factor == 8.0
    # The first H-30 comes 45 wall seconds after the clock's start.
    assert clock.wall_time(OFF - _minutes(30)) - clock.wall_start == pytest.approx(45.0)


def test_the_clock_runs_at_the_factor_around_each_off_and_faster_elsewhere():
    starts = [OFF, OFF + _minutes(40)]
    clock = day_clock(starts, 10.0, idle_factor=30.0, lead_wall_s=45.0)
    assert clock.wall_time(OFF - _minutes(30)) - clock.wall_start == pytest.approx(45.0)
    for start in starts:
        # From the watcher's start to a minute after the off: 12 simulated minutes at x10.
        window = clock.wall_time(start + BUSY_AFTER) - clock.wall_time(start - BUSY_BEFORE)
        assert window == pytest.approx(12 * 60 / 10)
        # H-5 to the off: 30 wall seconds, as on a clock at x10 throughout.
        assert clock.wall_time(start) - clock.wall_time(start - _minutes(5)) == pytest.approx(30.0)
    # Between the two windows (28 simulated minutes) and from the first H-30 to the first window
    # (19 minutes) the clock runs at x30.
    gap = clock.wall_time(OFF + _minutes(40) - BUSY_BEFORE) - clock.wall_time(OFF + BUSY_AFTER)
    assert gap == pytest.approx(28 * 60 / 30)
    lead_in = clock.wall_time(OFF - BUSY_BEFORE) - clock.wall_time(OFF - _minutes(30))
    assert lead_in == pytest.approx(19 * 60 / 30)
    assert clock.at(clock.wall_time(OFF - _minutes(2))) == OFF - _minutes(2)


def test_without_watchers_the_clock_slows_down_at_h5_less_one_minute():
    starts = [OFF, OFF + _minutes(8)]
    watched = day_clock(starts, 10.0, idle_factor=30.0)
    unwatched = day_clock(starts, 10.0, idle_factor=30.0, watched=False)
    # Eight minutes apart, the two windows no longer overlap.
    assert busy_windows(starts, watched=False) == [
        (OFF - _minutes(6), OFF + BUSY_AFTER),
        (OFF + _minutes(2), OFF + _minutes(8) + BUSY_AFTER),
    ]
    assert [factor for _, factor in unwatched.changes] == [10.0, 30.0, 10.0, 30.0]
    for start in starts:
        # H-5 to the off: still 30 wall seconds at x10.
        assert unwatched.wall_time(start) - unwatched.wall_time(start - _minutes(5)) == pytest.approx(30.0)
    # The first H-10 to H-6 passes at x30 instead of x10: 16 wall seconds saved.
    saved = (watched.wall_time(OFF) - watched.wall_time(OFF - _minutes(30))) - (
        unwatched.wall_time(OFF) - unwatched.wall_time(OFF - _minutes(30))
    )
    assert saved == pytest.approx(5 * 60 / 10 - 5 * 60 / 30)


def test_a_day_without_races_has_no_clock():
    with pytest.raises(ValueError, match="at least one start"):
        day_clock([], 10.0)
