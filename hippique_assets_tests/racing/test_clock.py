import time
from datetime import UTC, datetime, timedelta

import pytest

from hippique_assets.racing.clock import AcceleratedClock, FixedClock, SystemClock, parse_clock


def test_fixed_clock_converts_to_utc_and_advances():
    clock = FixedClock(datetime.fromisoformat("2026-03-29T03:30+02:00"))
    assert clock.now() == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    clock.advance(timedelta(minutes=5))
    assert clock.now() == datetime(2026, 3, 29, 1, 35, tzinfo=UTC)


def test_naive_instants_are_refused():
    with pytest.raises(ValueError, match="naive"):
        FixedClock(datetime(2026, 3, 23, 12, 0))


def test_accelerated_clock_runs_faster_than_the_wall():
    start = datetime(2026, 3, 23, 9, tzinfo=UTC)
    clock = AcceleratedClock(start, factor=60.0, wall_start=time.time() - 10.0)
    # Ten wall seconds ago the simulated clock showed 09:00; at 60x it now shows about 09:10.
    assert start + timedelta(minutes=9, seconds=59) <= clock.now() <= start + timedelta(minutes=11)
    assert clock.wall_time(start + timedelta(minutes=1)) == pytest.approx(clock.wall_start + 1.0)


def test_a_pinned_fast_clock_is_the_same_clock_in_every_process():
    clock = AcceleratedClock(datetime(2026, 3, 23, 9, tzinfo=UTC), factor=30.0, wall_start=time.time() - 5)
    twin = parse_clock(clock.spec)
    assert isinstance(twin, AcceleratedClock)
    assert (twin.start, twin.factor) == (clock.start, clock.factor)
    assert abs(twin.wall_start - clock.wall_start) < 0.001
    assert abs((twin.now() - clock.now()).total_seconds()) < 1.0


def test_a_clock_can_change_speed_at_simulated_instants():
    start = datetime(2026, 3, 23, 9, tzinfo=UTC)
    slow_from, fast_again = start + timedelta(minutes=30), start + timedelta(minutes=40)
    clock = AcceleratedClock(start, 30.0, 1000.0, ((slow_from, 10.0), (fast_again, 30.0)))
    # 30 simulated minutes at x30 take 60 wall seconds, the next 10 at x10 another 60.
    assert clock.wall_time(slow_from) == pytest.approx(1060.0)
    assert clock.wall_time(fast_again) == pytest.approx(1120.0)
    assert clock.at(1090.0) == slow_from + timedelta(minutes=5)
    assert clock.at(1130.0) == fast_again + timedelta(minutes=5)
    # Before the start the first speed holds, as with one speed.
    assert clock.at(990.0) == start - timedelta(minutes=5)
    for wall in (990.0, 1000.0, 1059.9, 1060.0, 1061.0, 1119.0, 1500.0):
        assert clock.wall_time(clock.at(wall)) == pytest.approx(wall)
    twin = parse_clock(clock.spec)
    assert isinstance(twin, AcceleratedClock) and twin.changes == clock.changes
    assert twin.at(1130.0) == clock.at(1130.0)


@pytest.mark.parametrize(
    "changes",
    [
        ((datetime(2026, 3, 23, 8, tzinfo=UTC), 10.0),),
        ((datetime(2026, 3, 23, 10, tzinfo=UTC), 10.0), (datetime(2026, 3, 23, 10, tzinfo=UTC), 20.0)),
        ((datetime(2026, 3, 23, 10, tzinfo=UTC), 0.0),),
    ],
)
def test_speed_changes_come_in_order_with_a_positive_speed(changes):
    with pytest.raises(ValueError):
        AcceleratedClock(datetime(2026, 3, 23, 9, tzinfo=UTC), 30.0, 0.0, changes)


def test_parse_clock_specs():
    assert isinstance(parse_clock("real"), SystemClock)
    assert parse_clock("at:2026-03-23T13:30+01:00").now() == datetime(2026, 3, 23, 12, 30, tzinfo=UTC)
    fast = parse_clock("fast:2026-03-23T09:00+01:00:60")
    assert isinstance(fast, AcceleratedClock) and fast.factor == 60.0
    assert fast.start == datetime(2026, 3, 23, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    "bad",
    [
        "soon",
        "at:",
        "fast:2026-03-23T09:00+01:00:zero",
        "fast:2026-03-23T09:00+01:00:-2",
        "fast:2026-03-23T09:00+01:00:10@yesterday",
        "fast:2026-03-23T09:00+01:00:10@0,2026-03-23T10:00+01:00",
        "fast:2026-03-23T09:00+01:00:10@0,2026-03-23T08:00+01:00:20",
    ],
)
def test_bad_clock_specs(bad):
    with pytest.raises(ValueError):
        parse_clock(bad)
