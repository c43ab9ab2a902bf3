"""The race plan built from programme rows: keys, Paris and UTC times, due instants, checks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd

from hippique_assets.racing.plan import (
    build_race_plan,
    check_non_empty,
    check_starts_within_day,
    is_cancelled,
)
from hippique_assets.racing.tables import RACE_PLAN
from hippique_assets.storage.tables import column_names

PLANNED_AT = datetime(2026, 3, 23, 8, 0, tzinfo=UTC)


def _races(day: date, rows: list[tuple[int, int, datetime | None, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "race_date": day,
                "reunion": r,
                "course": c,
                "name": f"PRIX {r}-{c}",
                "start_utc": start,
                "discipline": "ATTELE",
                "distance_m": 2700,
                "n_declared": 12,
                "status": status,
                "category_status": "A_PARTIR",
            }
            for r, c, start, status in rows
        ]
    )


def _reunions() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"reunion": 1, "hippodrome_name": "VINCENNES", "country_code": "FRA"},
            {"reunion": 2, "hippodrome_name": "CAGNES-SUR-MER", "country_code": "FRA"},
        ]
    )


def test_plan_sorted_by_start_with_keys_paris_time_and_due_instants():
    day = date(2026, 3, 23)
    races = _races(
        day,
        [
            (1, 1, datetime(2026, 3, 23, 13, 50, tzinfo=UTC), "PROGRAMMEE"),
            (2, 1, datetime(2026, 3, 23, 11, 0, tzinfo=UTC), "PROGRAMMEE"),
        ],
    )
    plan = build_race_plan(races, _reunions(), day, planned_at=PLANNED_AT)
    assert list(plan.columns) == column_names(RACE_PLAN)
    assert list(plan["race_key"]) == ["2026-03-23-R2C1", "2026-03-23-R1C1"]
    first = plan.iloc[0]
    assert first["hippodrome"] == "CAGNES-SUR-MER"
    assert first["start_paris_time"] == "12:00"  # UTC+1 in winter
    assert first["h30_due_utc"] == pd.Timestamp("2026-03-23T10:30Z")
    assert first["h5_due_utc"] == pd.Timestamp("2026-03-23T10:55Z")
    assert first["result_due_utc"] == pd.Timestamp("2026-03-23T11:15Z")
    assert first["start_source"] == "pmu" and not first["cancelled"]


def test_duplicate_race_rows_keep_the_one_with_a_start_time():
    day = date(2026, 3, 23)
    races = _races(
        day,
        [
            (1, 1, None, "PROGRAMMEE"),
            (1, 1, datetime(2026, 3, 23, 13, 50, tzinfo=UTC), "PROGRAMMEE"),
        ],
    )
    plan = build_race_plan(races, _reunions(), day, planned_at=PLANNED_AT)
    assert len(plan) == 1
    assert plan.iloc[0]["start_utc"] == pd.Timestamp("2026-03-23T13:50Z")
    assert plan["race_key"].is_unique


def test_summer_time_day_uses_utc_plus_two():
    # 2026-03-29 is the last Sunday of March: clocks go from 02:00 to 03:00 in Paris.
    day = date(2026, 3, 29)
    races = _races(day, [(1, 1, datetime(2026, 3, 29, 12, 15, tzinfo=UTC), "PROGRAMMEE")])
    plan = build_race_plan(races, _reunions(), day, planned_at=PLANNED_AT)
    assert plan.iloc[0]["start_paris_time"] == "14:15"
    assert check_starts_within_day(plan, day) == []


def test_race_near_midnight_belongs_to_its_paris_day():
    # 23:45 Paris on 25 October 2026 (last Sunday of October, back to UTC+1) is 22:45 UTC.
    day = date(2026, 10, 25)
    races = _races(day, [(1, 9, datetime(2026, 10, 25, 22, 45, tzinfo=UTC), "PROGRAMMEE")])
    plan = build_race_plan(races, _reunions(), day, planned_at=PLANNED_AT)
    row = plan.iloc[0]
    assert row["start_paris_time"] == "23:45"
    assert row["result_due_utc"] == pd.Timestamp("2026-10-25T23:00Z")
    assert check_starts_within_day(plan, day) == []
    assert check_starts_within_day(plan, day + timedelta(days=1)) != []


def test_cancelled_race_is_flagged_and_start_problems_reported():
    day = date(2026, 3, 23)
    races = _races(
        day,
        [
            (1, 1, datetime(2026, 3, 23, 13, 50, tzinfo=UTC), "COURSE_ANNULEE"),
            (1, 2, None, "PROGRAMMEE"),
            (1, 3, datetime(2026, 3, 24, 0, 30, tzinfo=UTC), "PROGRAMMEE"),
        ],
    )
    plan = build_race_plan(races, _reunions(), day, planned_at=PLANNED_AT)
    flagged = dict(zip(plan["race_key"], plan["cancelled"], strict=True))
    assert flagged == {"2026-03-23-R1C1": True, "2026-03-23-R1C2": False, "2026-03-23-R1C3": False}
    problems = check_starts_within_day(plan, day)
    assert problems == [
        "2026-03-23-R1C3: starts 2026-03-24T00:30:00+00:00 (2026-03-24 in Paris)",
        "2026-03-23-R1C2: no start time",
    ]
    assert plan.set_index("race_key").loc["2026-03-23-R1C2", "start_source"] == "none"


def test_empty_programme_gives_empty_plan_and_the_non_empty_check_knows_why():
    day = date(2026, 3, 23)
    empty = build_race_plan(_races(day, [])[[]], _reunions(), day, planned_at=PLANNED_AT)
    assert empty.empty
    assert list(empty.columns) == column_names(RACE_PLAN)
    assert check_non_empty(empty, had_programme=False) == []
    assert check_non_empty(empty, had_programme=True) == ["the programme has races but the plan is empty"]


def test_cancellation_statuses():
    assert is_cancelled("COURSE_ANNULEE")
    assert is_cancelled("PROGRAMMEE", "ANNULEE")
    assert not is_cancelled("PROGRAMMEE", "A_PARTIR")
    assert not is_cancelled(None, None)
