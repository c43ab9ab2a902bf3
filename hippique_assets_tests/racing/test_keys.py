from datetime import date

import pytest

from hippique_assets.racing.keys import RaceId, parse_race_key, pmu_date, race_key


def test_race_key_round_trip():
    key = race_key(date(2026, 3, 23), 1, 4)
    assert key == "2026-03-23-R1C4"
    assert parse_race_key(key) == RaceId(date(2026, 3, 23), 1, 4)
    assert parse_race_key("2026-12-31-R12C10").rc == "R12C10"


def test_race_keys_are_safe_partition_keys():
    key = race_key(date(2026, 10, 25), 10, 9)
    assert "," not in key and "|" not in key


@pytest.mark.parametrize(
    "bad", ["2026-03-23-R1", "2026-3-23-R1C4", "2026-03-23-R1C4 ", "R1C4", "2026-02-30-R1C1"]
)
def test_bad_keys_are_rejected(bad):
    with pytest.raises(ValueError):
        parse_race_key(bad)


def test_numbers_start_at_one():
    with pytest.raises(ValueError, match="start at 1"):
        race_key(date(2026, 3, 23), 0, 1)


def test_pmu_date_format():
    assert pmu_date(date(2025, 3, 30)) == "30032025"
