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
    clock = AcceleratedClock(datetime(2026, 3, 23, 9, tzinfo=UTC), factor=3600.0, wall_start=0.0)
    # wall_start=0 means "the wall clock has run for time.monotonic() seconds": simulated time is far ahead.
    assert clock.now() > datetime(2026, 3, 23, 10, tzinfo=UTC)


def test_parse_clock_specs():
    assert isinstance(parse_clock("real"), SystemClock)
    assert parse_clock("at:2026-03-23T13:30+01:00").now() == datetime(2026, 3, 23, 12, 30, tzinfo=UTC)
    fast = parse_clock("fast:2026-03-23T09:00+01:00:60")
    assert isinstance(fast, AcceleratedClock) and fast.factor == 60.0
    assert fast.start == datetime(2026, 3, 23, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    "bad", ["soon", "at:", "fast:2026-03-23T09:00+01:00:zero", "fast:2026-03-23T09:00+01:00:-2"]
)
def test_bad_clock_specs(bad):
    with pytest.raises(ValueError):
        parse_clock(bad)
