from datetime import UTC, date, datetime, timedelta

import pytest

from hippique_assets.racing.day_close import DayProgress, closed_days

LAST = datetime(2026, 3, 23, 20, 0, tzinfo=UTC)


def _day(races: int, resulted: int, last_start: datetime | None = LAST) -> DayProgress:
    return DayProgress(date(2026, 3, 23), races, resulted, last_start)


def test_a_day_closes_when_every_race_has_its_result():
    assert closed_days([_day(10, 10)], LAST + timedelta(minutes=16)) == [_day(10, 10)]


def test_a_day_waits_for_missing_results_then_closes_without_them():
    day = _day(10, 9)
    assert closed_days([day], LAST + timedelta(minutes=59)) == []
    assert closed_days([day], LAST + timedelta(hours=1)) == [day]


def test_a_late_result_gives_a_new_run_key():
    assert _day(10, 9).run_key == "ledger:2026-03-23:9"
    assert _day(10, 10).run_key != _day(10, 9).run_key


def test_a_day_without_races_never_closes():
    assert closed_days([_day(0, 0, None)], LAST + timedelta(days=1)) == []


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        closed_days([], datetime(2026, 3, 23))
