"""The race plan built from programme rows: keys, Paris and UTC times, due instants, checks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from hippique_assets.racing.plan import (
    DUE_COLUMNS,
    build_race_plan,
    check_starts_within_day,
    due_instants,
    gate_plan,
    is_cancelled,
    with_due_instants,
)
from hippique_assets.racing.race_clock import PHASES, PlannedRace, evaluate
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
    assert first["watch_due_utc"] == pd.Timestamp("2026-03-23T10:50Z")
    assert first["last_call_due_utc"] == pd.Timestamp("2026-03-23T10:58Z")  # 2 minutes by default
    assert first["start_source"] == "pmu" and not first["cancelled"]


def test_the_last_call_is_due_at_the_configured_lead_and_every_run_has_its_column():
    day = date(2026, 3, 23)
    start = datetime(2026, 3, 23, 13, 50, tzinfo=UTC)
    plan = build_race_plan(
        _races(day, [(1, 1, start, "PROGRAMMEE"), (1, 2, None, "PROGRAMMEE")]),
        _reunions(),
        day,
        planned_at=PLANNED_AT,
        last_call_minutes=4,
    )
    assert list(DUE_COLUMNS) == list(PHASES)  # one column per race-clock run
    row = plan.set_index("race_key").loc["2026-03-23-R1C1"]
    assert row["last_call_due_utc"] == pd.Timestamp("2026-03-23T13:46Z")
    assert row["watch_due_utc"] == pd.Timestamp("2026-03-23T13:40Z")
    # No start, no due instant.
    assert plan.set_index("race_key").loc["2026-03-23-R1C2", list(DUE_COLUMNS.values())].isna().all()
    with pytest.raises(ValueError, match="last_call_minutes must be a whole number from 1 to 5"):
        build_race_plan(_races(day, []), _reunions(), day, planned_at=PLANNED_AT, last_call_minutes=6)


@pytest.mark.parametrize("minutes", [1, 2, 5])
def test_the_plan_says_when_the_race_clock_requests_each_run(minutes: int):
    # The due instants a person reads in the plan are those the race clock fires at.
    day = date(2026, 3, 29)  # the day Paris goes to summer time
    start = datetime(2026, 3, 29, 12, 15, tzinfo=UTC)
    plan = build_race_plan(
        _races(day, [(1, 1, start, "PROGRAMMEE")]),
        _reunions(),
        day,
        planned_at=PLANNED_AT,
        last_call_minutes=minutes,
    )
    row = plan.iloc[0]
    stored = {phase: row[column].to_pydatetime() for phase, column in DUE_COLUMNS.items()}
    fired: dict[str, datetime] = {}
    race = PlannedRace(row["race_key"], start)
    for offset in range(-31, 20):
        now = start + timedelta(minutes=offset)
        for run in evaluate([race], now, previous_tick=now, last_call_minutes=minutes).due:
            fired.setdefault(run.phase, run.due)
    assert stored == fired == due_instants(start, last_call_minutes=minutes)
    assert due_instants(start, ["h5"]) == {"h5": start - timedelta(minutes=5)}


def test_a_start_found_after_the_plan_was_built_gets_its_due_instants():
    day = date(2026, 3, 23)
    plan = build_race_plan(_races(day, [(1, 1, None, "PROGRAMMEE")]), _reunions(), day, planned_at=PLANNED_AT)
    assert plan["h5_due_utc"].isna().all()
    plan.loc[0, "start_utc"] = pd.Timestamp("2026-03-23T15:00Z")  # as a web card fills it in
    filled = with_due_instants(plan, last_call_minutes=3).iloc[0]
    assert filled["h5_due_utc"] == pd.Timestamp("2026-03-23T14:55Z")
    assert filled["last_call_due_utc"] == pd.Timestamp("2026-03-23T14:57Z")
    assert list(with_due_instants(plan).columns) == column_names(RACE_PLAN)


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


def test_empty_programme_gives_empty_plan_and_the_gates_keep_the_previous_one():
    day = date(2026, 3, 23)
    empty = build_race_plan(_races(day, [])[[]], _reunions(), day, planned_at=PLANNED_AT)
    assert empty.empty
    assert list(empty.columns) == column_names(RACE_PLAN)
    assert gate_plan(empty, empty, day).problems == {
        "starts_within_day": [],
        "no_race_lost": [],
        "within_caps": [],
    }
    previous = build_race_plan(
        _races(day, [(1, 1, datetime(2026, 3, 23, 13, 50, tzinfo=UTC), "PROGRAMMEE")]),
        _reunions(),
        day,
        planned_at=PLANNED_AT,
    )
    gated = gate_plan(empty, previous, day)
    assert list(gated.plan["race_key"]) == ["2026-03-23-R1C1"]
    assert gated.problems["no_race_lost"] == [
        "2026-03-23-R1C1: missing from the new programme, previous row kept"
    ]


def test_cancellation_statuses():
    assert is_cancelled("COURSE_ANNULEE")
    assert is_cancelled("PROGRAMMEE", "ANNULEE")
    assert not is_cancelled("PROGRAMMEE", "A_PARTIR")
    assert not is_cancelled(None, None)


def _plan(day: date, rows: list[tuple[int, int, datetime | None, str]]) -> pd.DataFrame:
    return build_race_plan(_races(day, rows), _reunions(), day, planned_at=PLANNED_AT)


def test_a_race_off_the_day_is_set_aside_alone_and_keeps_its_previous_row():
    day = date(2026, 3, 23)
    previous = _plan(
        day,
        [
            (1, 1, datetime(2026, 3, 23, 13, 50, tzinfo=UTC), "PROGRAMMEE"),
            (1, 2, datetime(2026, 3, 23, 14, 20, tzinfo=UTC), "PROGRAMMEE"),
        ],
    )
    new = _plan(
        day,
        [
            (1, 1, datetime(2026, 3, 23, 13, 55, tzinfo=UTC), "PROGRAMMEE"),
            (1, 2, datetime(2026, 3, 25, 14, 20, tzinfo=UTC), "PROGRAMMEE"),
            (1, 3, datetime(2026, 3, 26, 9, 0, tzinfo=UTC), "PROGRAMMEE"),
            (1, 4, datetime(2026, 3, 23, 15, 0, tzinfo=UTC), "PROGRAMMEE"),
        ],
    )
    gated = gate_plan(new, previous, day)
    starts = dict(zip(gated.plan["race_key"], gated.plan["start_utc"], strict=True))
    # R1C1 moved and takes its new time; R1C2's new start is off the day: its previous row stays;
    # R1C3 has no previous row and stays out; R1C4 is new and planned.
    assert starts == {
        "2026-03-23-R1C1": pd.Timestamp("2026-03-23T13:55Z"),
        "2026-03-23-R1C2": pd.Timestamp("2026-03-23T14:20Z"),
        "2026-03-23-R1C4": pd.Timestamp("2026-03-23T15:00Z"),
    }
    assert list(gated.plan["race_key"]) == ["2026-03-23-R1C1", "2026-03-23-R1C2", "2026-03-23-R1C4"]
    assert set(gated.set_aside) == {"2026-03-23-R1C2", "2026-03-23-R1C3"}
    assert gated.kept == ["2026-03-23-R1C2"] and gated.lost == [] and gated.refused is None


def test_a_cancelled_race_stays_in_the_plan_flagged_and_a_vanished_one_is_kept():
    day = date(2026, 3, 23)
    previous = _plan(
        day,
        [
            (1, 1, datetime(2026, 3, 23, 13, 50, tzinfo=UTC), "PROGRAMMEE"),
            (2, 1, datetime(2026, 3, 23, 14, 50, tzinfo=UTC), "PROGRAMMEE"),
        ],
    )
    new = _plan(day, [(1, 1, datetime(2026, 3, 23, 13, 50, tzinfo=UTC), "COURSE_ANNULEE")])
    gated = gate_plan(new, previous, day)
    cancelled = dict(zip(gated.plan["race_key"], gated.plan["cancelled"], strict=True))
    assert cancelled == {"2026-03-23-R1C1": True, "2026-03-23-R2C1": False}
    assert gated.lost == ["2026-03-23-R2C1"]


def test_a_plan_above_the_cap_is_refused_whole():
    day = date(2026, 3, 23)
    previous = _plan(day, [(1, 1, datetime(2026, 3, 23, 13, 50, tzinfo=UTC), "PROGRAMMEE")])
    start = datetime(2026, 3, 23, 10, 0, tzinfo=UTC)
    new = _plan(day, [(r, c, start, "PROGRAMMEE") for r in range(1, 4) for c in range(1, 5)])
    gated = gate_plan(new, previous, day, max_races=10)
    assert list(gated.plan["race_key"]) == ["2026-03-23-R1C1"]
    assert gated.refused == "12 races for 2026-03-23, above the cap of 10: the previous plan stays"
    assert gated.problems["within_caps"] == [gated.refused]


def test_each_day_takes_its_own_reunions_venue():
    days = [date(2026, 3, 21), date(2026, 3, 22)]
    races = pd.concat(
        [_races(d, [(3, 5, datetime(d.year, d.month, d.day, 14, 0, tzinfo=UTC), "PROGRAMMEE")]) for d in days]
    )
    reunions = pd.DataFrame(
        [
            {"race_date": days[0], "reunion": 3, "hippodrome_name": "TOULOUSE", "country_code": "FRA"},
            {"race_date": days[1], "reunion": 3, "hippodrome_name": "CARPENTRAS", "country_code": "FRA"},
        ]
    )
    venues = [build_race_plan(races, reunions, d, planned_at=PLANNED_AT)["hippodrome"].iloc[0] for d in days]
    assert venues == ["TOULOUSE", "CARPENTRAS"]


def test_the_plan_metadata_shows_each_run_due_in_paris_time():
    from hippique_assets.defs.race_day.assets import plan_preview

    day = date(2026, 3, 23)
    start = datetime(2026, 3, 23, 13, 50, tzinfo=UTC)  # 14:50 Paris
    plan = build_race_plan(
        _races(day, [(1, 1, start, "PROGRAMMEE"), (1, 2, None, "PROGRAMMEE")]),
        _reunions(),
        day,
        planned_at=PLANNED_AT,
        last_call_minutes=3,
    )
    header, _, first, second = plan_preview(plan).splitlines()
    cells = [cell.strip() for cell in first.split("|")[1:-1]]
    names = [cell.strip() for cell in header.split("|")[1:-1]]
    assert dict(zip(names, cells, strict=True)) == {
        "race_key": "2026-03-23-R1C1",
        "start_paris_time": "14:50",
        "hippodrome": "VINCENNES",
        "discipline": "ATTELE",
        "status": "PROGRAMMEE",
        "H-30": "14:20",
        "H-10 watch": "14:40",
        "H-5": "14:45",
        "last call": "14:47",
        "H+15": "15:05",
    }
    assert [cell.strip() for cell in second.split("|")[1:-1]][5:] == [""] * 5  # no start, nothing due
    assert plan_preview(plan.iloc[0:0]) == "_no races_"
