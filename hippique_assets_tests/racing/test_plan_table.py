"""``racing.race_plan`` on Postgres: revision 0013 adds when the odds watcher and the last call are due
(the watcher's filled in for the rows already planned), a plan written and read back keeps every due
instant, and the race clock reads the same plan as before."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from hippique_assets.defs.race_day.plan_queries import read_plan_window
from hippique_assets.racing.plan import DUE_COLUMNS, build_race_plan
from hippique_assets.racing.race_clock import evaluate
from hippique_assets.racing.tables import RACE_PLAN
from hippique_assets.storage import migrate
from hippique_assets.storage.migrate import current_revision, head_revision
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets_tests.storage.sample_tables import fetch_all

pytestmark = pytest.mark.postgres

DAY = date(2026, 3, 23)
START = datetime(2026, 3, 23, 13, 50, tzinfo=UTC)
NEW_COLUMNS = ["watch_due_utc", "last_call_due_utc"]


def _columns(url: str) -> list[str]:
    return [
        name
        for (name,) in fetch_all(
            url,
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'racing' "
            "AND table_name = 'race_plan' ORDER BY ordinal_position",
        )
    ]


def test_revision_0013_adds_the_watch_and_last_call_due_instants(empty_pg_url: str) -> None:
    migrate.upgrade(empty_pg_url, "0012")
    assert not set(NEW_COLUMNS) & set(_columns(empty_pg_url))
    postgres = PostgresResource(url=empty_pg_url)
    for course, start in ((1, START), (2, None)):
        postgres.execute(
            "insert into racing.race_plan (race_date, race_key, reunion, course, start_utc, h5_due_utc, "
            "cancelled, start_source, identity_source, planned_at) "
            "values (%s, %s, 1, %s, %s, %s, false, 'pmu', 'pmu', %s)",
            (
                DAY,
                f"{DAY}-R1C{course}",
                course,
                start,
                start - timedelta(minutes=5) if start else None,
                START - timedelta(hours=5),
            ),
        )

    migrate.upgrade(empty_pg_url)
    assert current_revision(empty_pg_url) == head_revision()
    assert _columns(empty_pg_url)[-2:] == NEW_COLUMNS
    rows = fetch_all(
        empty_pg_url, "SELECT race_key, watch_due_utc, last_call_due_utc FROM racing.race_plan ORDER BY 1"
    )
    # The watcher's lead is fixed: planned rows get theirs. The last call's came from a config the
    # table did not keep: unknown until the next plan refresh.
    assert rows == [(f"{DAY}-R1C1", START - timedelta(minutes=10), None), (f"{DAY}-R1C2", None, None)]
    [(comment,)] = fetch_all(
        empty_pg_url,
        "SELECT col_description('racing.race_plan'::regclass, (SELECT attnum FROM pg_attribute "
        "WHERE attrelid = 'racing.race_plan'::regclass AND attname = 'last_call_due_utc'))",
    )
    assert "last_call_minutes" in comment

    migrate.downgrade(empty_pg_url, "0012")
    assert not set(NEW_COLUMNS) & set(_columns(empty_pg_url))
    assert fetch_all(empty_pg_url, "SELECT count(*) FROM racing.race_plan") == [(2,)]


def test_a_stored_plan_says_when_each_run_is_due_and_the_race_clock_reads_it(fresh_pg_url: str) -> None:
    postgres = PostgresResource(url=fresh_pg_url)
    races = pd.DataFrame(
        [
            {
                "race_date": DAY,
                "reunion": 7,
                "course": course,
                "name": f"PRIX {course}",
                "start_utc": START + timedelta(minutes=20 * (course - 1)),
                "discipline": "PLAT",
                "distance_m": 1600,
                "n_declared": 10,
                "status": "PROGRAMMEE",
                "category_status": "A_PARTIR",
            }
            for course in (1, 2)
        ]
    )
    reunions = pd.DataFrame([{"reunion": 7, "hippodrome_name": "PAU", "country_code": "FRA"}])
    plan = build_race_plan(races, reunions, DAY, planned_at=START - timedelta(hours=5), last_call_minutes=4)
    postgres.write_frame(RACE_PLAN, plan, partition_values=[DAY])

    stored = postgres.read_frame(RACE_PLAN, partition_values=[DAY]).set_index("race_key")
    first = stored.loc[f"{DAY}-R7C1"]
    expected = {
        "h30_due_utc": START - timedelta(minutes=30),
        "watch_due_utc": START - timedelta(minutes=10),
        "h5_due_utc": START - timedelta(minutes=5),
        "last_call_due_utc": START - timedelta(minutes=4),
        "result_due_utc": START + timedelta(minutes=15),
    }
    assert {column: first[column].to_pydatetime() for column in DUE_COLUMNS.values()} == expected

    # The race clock still reads the races and their starts from the plan, and fires at the instants
    # the plan shows.
    now = START - timedelta(minutes=4)
    window = read_plan_window(postgres, now)
    assert window is not None
    assert {race.race_key: race.start_utc for race in window} == {
        f"{DAY}-R7C1": START,
        f"{DAY}-R7C2": START + timedelta(minutes=20),
    }
    due = evaluate(window, now, previous_tick=now - timedelta(seconds=10), last_call_minutes=4).due
    fired = {(run.race_key, run.phase): run.due for run in due if run.race_key == f"{DAY}-R7C1"}
    assert fired == {
        (f"{DAY}-R7C1", "watch"): expected["watch_due_utc"],
        (f"{DAY}-R7C1", "h5"): expected["h5_due_utc"],
        (f"{DAY}-R7C1", "last_call"): expected["last_call_due_utc"],
    }
