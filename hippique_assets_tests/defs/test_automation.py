"""The race-clock sensor against a real Postgres plan, the failure sensor, and the schedules."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
import yaml
from dagster import DagsterInstance, SensorResult, build_schedule_context, build_sensor_context

from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.partitions import RACES_PARTITIONS_NAME
from hippique_assets.defs.race_day.automation import build_automation, build_race_clock_sensor
from hippique_assets.defs.race_day.ledger_sensor import build_ledger_sensor
from hippique_assets.defs.race_day.run_failures import watch_restart
from hippique_assets.lib.race_runs import NOT_FIRED
from hippique_assets.lib.runner import local_instance_config
from hippique_assets.racing.plan import build_race_plan
from hippique_assets.racing.results import RACE_RESULTS
from hippique_assets.racing.tables import MISSED_RUNS, RACE_PLAN
from hippique_assets.settings import Settings, load_settings
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets.storage.tables import column_names

pytestmark = pytest.mark.postgres

DAY = date(2026, 3, 23)
SETTINGS = load_settings({})


def _plan(
    starts: dict[tuple[int, int], datetime], cancelled: set[tuple[int, int]] = frozenset()
) -> pd.DataFrame:
    races = pd.DataFrame(
        [
            {
                "race_date": DAY,
                "reunion": r,
                "course": c,
                "name": "PRIX",
                "start_utc": start,
                "discipline": "PLAT",
                "distance_m": 1600,
                "n_declared": 10,
                "status": "COURSE_ANNULEE" if (r, c) in cancelled else "PROGRAMMEE",
                "category_status": "A_PARTIR",
            }
            for (r, c), start in starts.items()
        ]
    )
    reunions = pd.DataFrame(
        [{"reunion": r, "hippodrome_name": "LONGCHAMP", "country_code": "FRA"} for r in range(1, 30)]
    )
    return build_race_plan(races, reunions, DAY, planned_at=datetime(2026, 3, 23, 8, tzinfo=UTC))


@pytest.fixture
def postgres(fresh_pg_url: str) -> PostgresResource:
    return PostgresResource(url=fresh_pg_url)


def _tick(
    postgres: PostgresResource,
    instance: DagsterInstance,
    now: datetime,
    cursor: str | None = None,
    settings: Settings = SETTINGS,
):
    sensor = build_race_clock_sensor(settings)
    context = build_sensor_context(
        instance=instance,
        cursor=cursor,
        resources={"postgres": postgres, "clock": ClockResource(spec=f"at:{now.isoformat()}")},
    )
    result = sensor(context)
    assert isinstance(result, SensorResult)
    return result


def test_no_plan_table_yet_skips_with_a_reason(empty_pg_url: str):
    postgres = PostgresResource(url=empty_pg_url)
    result = _tick(postgres, DagsterInstance.ephemeral(), datetime(2026, 3, 23, 12, tzinfo=UTC))
    assert result.run_requests == []
    assert "no race plan yet" in result.skip_reason.skip_message


def test_due_phases_become_run_requests_for_the_phase_jobs(postgres: PostgresResource):
    start = datetime(2026, 3, 23, 14, 0, tzinfo=UTC)
    postgres.write_frame(
        RACE_PLAN, _plan({(1, 1): start, (1, 2): start + timedelta(hours=1)}), partition_values=[DAY]
    )
    instance = DagsterInstance.ephemeral()
    now = start - timedelta(minutes=14)
    result = _tick(
        postgres, instance, now, cursor=json.dumps({"last_tick": (now - timedelta(seconds=30)).isoformat()})
    )
    # H-30 (13:30) is 16 minutes late but inside its 20-minute window; R1C2 is an hour away.
    [h30] = result.run_requests
    assert h30.run_key == "2026-03-23-R1C1:h30:20260323T133000Z"
    assert h30.job_name == "race_h30" and h30.partition_key == "2026-03-23-R1C1"
    assert h30.tags["hippique/phase"] == "h30"
    assert h30.tags["hippique/late_s"] == str(16 * 60)
    # The race partition is registered when the plan asset has not done it.
    assert result.dynamic_partitions_requests[0].partition_keys == ["2026-03-23-R1C1"]
    assert json.loads(result.cursor)["last_tick"] == now.isoformat()


def test_cancelled_race_fires_nothing(postgres: PostgresResource):
    start = datetime(2026, 3, 23, 14, 0, tzinfo=UTC)
    postgres.write_frame(RACE_PLAN, _plan({(1, 1): start}, cancelled={(1, 1)}), partition_values=[DAY])
    result = _tick(postgres, DagsterInstance.ephemeral(), start - timedelta(minutes=5))
    assert result.run_requests == []


def test_missed_phase_is_recorded_once_in_postgres(postgres: PostgresResource):
    start = datetime(2026, 3, 23, 14, 0, tzinfo=UTC)
    postgres.write_frame(RACE_PLAN, _plan({(1, 1): start}), partition_values=[DAY])
    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(RACES_PARTITIONS_NAME, ["2026-03-23-R1C1"])
    # The sensor was down from H-31 until H-2: H-30's window (20 min) closed unseen; the watcher's
    # (9 min) and H-5's (4 min) did not, and the last call is due right now.
    previous = json.dumps({"last_tick": (start - timedelta(minutes=31)).isoformat()})
    result = _tick(postgres, instance, start - timedelta(minutes=2), cursor=previous)
    assert [r.run_key for r in result.run_requests] == [
        "2026-03-23-R1C1:watch:20260323T135000Z",
        "2026-03-23-R1C1:h5:20260323T135500Z",
        "2026-03-23-R1C1:last_call:20260323T135800Z",
    ]
    assert result.dynamic_partitions_requests == []
    missed = postgres.query_frame(f"select run_key, phase, reason from {MISSED_RUNS.fullname}")
    assert list(missed["run_key"]) == ["2026-03-23-R1C1:h30:20260323T133000Z"]
    assert list(missed["reason"]) == [NOT_FIRED]
    _tick(postgres, instance, start - timedelta(minutes=1), cursor=result.cursor)
    assert len(postgres.query_frame(f"select * from {MISSED_RUNS.fullname}")) == 1


def test_with_the_odds_watch_off_no_watcher_is_requested_nor_missed(postgres: PostgresResource):
    start = datetime(2026, 3, 23, 14, 0, tzinfo=UTC)
    postgres.write_frame(RACE_PLAN, _plan({(1, 1): start}), partition_values=[DAY])
    instance = DagsterInstance.ephemeral()
    settings = load_settings({"HIPPIQUE_ODDS_WATCH": "off"})
    previous = json.dumps({"last_tick": (start - timedelta(minutes=11)).isoformat()})
    # The watcher's instant (H-10) passes, then its window (9 minutes) closes: never asked, never missed.
    ticks = [start - timedelta(minutes=9), start - timedelta(minutes=3), start - timedelta(seconds=30)]
    requested = []
    cursor = previous
    for now in ticks:
        result = _tick(postgres, instance, now, cursor=cursor, settings=settings)
        requested.extend(r.run_key for r in result.run_requests)
        cursor = result.cursor
    assert requested == [
        "2026-03-23-R1C1:h5:20260323T135500Z",
        "2026-03-23-R1C1:last_call:20260323T135800Z",
    ]
    assert postgres.query_frame(f"select * from {MISSED_RUNS.fullname}").empty


def test_two_hundred_races_due_in_one_tick(postgres: PostgresResource):
    start = datetime(2026, 3, 23, 14, 0, tzinfo=UTC)
    starts = {(r, c): start for r in range(1, 21) for c in range(1, 11)}
    postgres.write_frame(RACE_PLAN, _plan(starts), partition_values=[DAY])
    now = start - timedelta(minutes=5)
    result = _tick(
        postgres, DagsterInstance.ephemeral(), now, cursor=json.dumps({"last_tick": now.isoformat()})
    )
    # Each race's H-5 and its odds watcher (due at H-10, nine minutes of grace).
    assert len(result.run_requests) == 400
    assert {r.tags["hippique/phase"] for r in result.run_requests} == {"h5", "watch"}
    assert len({r.run_key for r in result.run_requests}) == 400


@pytest.mark.parametrize(
    ("name", "tick", "partition"),
    [
        ("morning_plan", datetime(2026, 3, 29, 7, 0, tzinfo=UTC), "2026-03-29"),
        ("plan_refresh", datetime(2026, 3, 23, 21, 40, tzinfo=UTC), "2026-03-23"),
        ("next_morning_consolidation", datetime(2026, 3, 24, 6, 30, tzinfo=UTC), "2026-03-23"),
    ],
)
def test_schedules_target_the_right_paris_day(name: str, tick: datetime, partition: str):
    schedules, _ = build_automation(SETTINGS)
    schedule = next(s for s in schedules if s.name == name)
    assert schedule.execution_timezone == "Europe/Paris"
    context = build_schedule_context(scheduled_execution_time=tick)
    request = schedule(context)
    assert request.partition_key == partition


def test_plan_time_is_configurable():
    settings = load_settings({"HIPPIQUE_PLAN_CRON": "30 8 * * *", "HIPPIQUE_AUTOMATION": "on"})
    schedules, sensors = build_automation(settings)
    assert next(s for s in schedules if s.name == "morning_plan").cron_schedule == "30 8 * * *"
    assert next(s for s in sensors if s.name == "race_clock").default_status.value == "RUNNING"


def test_race_runs_carry_the_tags_the_instance_limits_key_on(postgres: PostgresResource):
    start = datetime(2026, 3, 23, 14, 0, tzinfo=UTC)
    postgres.write_frame(RACE_PLAN, _plan({(1, 1): start}), partition_values=[DAY])
    requests = _tick(postgres, DagsterInstance.ephemeral(), start - timedelta(minutes=5)).run_requests
    [h5] = [r for r in requests if r.tags["hippique/phase"] == "h5"]
    assert h5.tags["hippique/race_phase"] == "2026-03-23-R1C1:h5"
    assert h5.tags["hippique/off"] == start.isoformat()
    assert h5.tags["dagster/priority"] == "30"
    limits = yaml.safe_load(local_instance_config())["concurrency"]["runs"]["tag_concurrency_limits"]
    assert {limit["key"] for limit in limits} <= set(h5.tags)


def test_h5_runs_leave_the_queue_before_h30_runs_and_results(postgres: PostgresResource):
    now = datetime(2026, 3, 23, 14, 0, tzinfo=UTC)
    # At 14:00 one race is at H-5, one at H-30 and one at H+15.
    starts = {(1, 1): now + timedelta(minutes=5), (1, 2): now + timedelta(minutes=30)}
    starts[(1, 3)] = now - timedelta(minutes=15)
    postgres.write_frame(RACE_PLAN, _plan(starts), partition_values=[DAY])
    requests = _tick(postgres, DagsterInstance.ephemeral(), now).run_requests
    priority = {r.tags["hippique/phase"]: int(r.tags["dagster/priority"]) for r in requests}
    assert priority["h5"] > priority["h30"] > priority["result"] > 0


def test_unreachable_postgres_skips_the_tick_with_the_reason():
    down = PostgresResource(url="postgresql://postgres@127.0.0.1:9/nowhere")
    now = datetime(2026, 3, 23, 12, tzinfo=UTC)
    cursor = json.dumps({"last_tick": (now - timedelta(seconds=30)).isoformat()})
    result = _tick(down, DagsterInstance.ephemeral(), now, cursor=cursor)
    assert result.run_requests == []
    assert "Postgres unreachable" in result.skip_reason.skip_message
    assert "127.0.0.1:9" in result.skip_reason.skip_message
    # The cursor stays where it was: the next good tick judges the whole gap.
    assert result.cursor == cursor
    ledger = build_ledger_sensor(SETTINGS)
    context = build_sensor_context(
        instance=DagsterInstance.ephemeral(),
        resources={"postgres": down, "clock": ClockResource(spec=f"at:{now.isoformat()}")},
    )
    assert "Postgres unreachable" in ledger(context).skip_message


def _ledger_tick(postgres: PostgresResource, now: datetime, settings: Settings = SETTINGS):
    context = build_sensor_context(
        instance=DagsterInstance.ephemeral(),
        resources={"postgres": postgres, "clock": ClockResource(spec=f"at:{now.isoformat()}")},
    )
    return build_ledger_sensor(settings)(context)


def test_without_every_result_the_ledger_waits_the_configured_time_after_the_last_start(
    postgres: PostgresResource,
):
    last = datetime(2026, 3, 23, 15, 0, tzinfo=UTC)
    postgres.write_frame(RACE_PLAN, _plan({(1, 1): last}), partition_values=[DAY])
    assert "no day closed yet" in _ledger_tick(postgres, last + timedelta(minutes=59)).skip_message
    assert len(_ledger_tick(postgres, last + timedelta(minutes=60)).run_requests) == 1
    half_hour = load_settings({"HIPPIQUE_RESULTS_WAIT_MIN": "30"})
    assert "no day closed yet" in _ledger_tick(postgres, last + timedelta(minutes=29), half_hour).skip_message
    [request] = _ledger_tick(postgres, last + timedelta(minutes=30), half_hour).run_requests
    assert request.run_key == "ledger:2026-03-23:0"


def test_the_ledger_follows_the_last_result(postgres: PostgresResource):
    first, last = datetime(2026, 3, 23, 14, 0, tzinfo=UTC), datetime(2026, 3, 23, 15, 0, tzinfo=UTC)
    plan = _plan({(1, 1): first, (1, 2): last, (1, 3): last}, cancelled={(1, 3)})
    postgres.write_frame(RACE_PLAN, plan, partition_values=[DAY])
    # No results table yet: the day is still waiting.
    waiting = _ledger_tick(postgres, last + timedelta(minutes=16))
    assert "2026-03-23 0/2" in waiting.skip_message
    results = pd.DataFrame(
        [
            {
                "race_key": key,
                "race_date": DAY,
                "reunion": 1,
                "course": course,
                "official": True,
                "source": "pmu",
                "arrival_order": [3, 1, 2],
                "arrival_ranks": [1, 2, 3],
                "non_runners": [],
                "n_dividends": 4,
                "resulted_at": last,
            }
            for key, course in (("2026-03-23-R1C1", 1), ("2026-03-23-R1C2", 2))
        ]
    ).reindex(columns=column_names(RACE_RESULTS))
    postgres.write_frame(RACE_RESULTS, results.iloc[:1], partition_values=["2026-03-23-R1C1"])
    assert "1/2" in _ledger_tick(postgres, last + timedelta(minutes=20)).skip_message
    postgres.write_frame(RACE_RESULTS, results.iloc[1:], partition_values=["2026-03-23-R1C2"])
    [request] = _ledger_tick(postgres, last + timedelta(minutes=20)).run_requests
    assert request.partition_key == "2026-03-23"
    assert request.run_key == "ledger:2026-03-23:2"


def test_a_dead_watcher_is_started_again_under_its_own_key_until_the_off_three_times_at_most():
    off = datetime(2026, 3, 23, 14, 0, tzinfo=UTC)
    due = off - timedelta(minutes=10)
    tags = {
        "hippique/phase": "watch",
        "hippique/race": "2026-03-23-R1C1",
        "hippique/due": due.isoformat(),
        "hippique/off": off.isoformat(),
        "hippique/race_phase": "2026-03-23-R1C1:watch",
        "dagster/priority": "5",
        "dagster/sensor_name": "race_clock",
    }
    first = watch_restart(tags, off - timedelta(minutes=6), ":sim1")
    assert first is not None and first.job_name == "race_watch" and first.partition_key == "2026-03-23-R1C1"
    assert first.run_key == "2026-03-23-R1C1:watch:20260323T135000Z:restart1:sim1"
    assert (
        first.tags["hippique/restart"] == "1"
        and first.tags["hippique/race_phase"] == tags["hippique/race_phase"]
    )
    assert "dagster/sensor_name" not in first.tags
    second = watch_restart(first.tags, off - timedelta(minutes=5))
    assert second is not None and second.run_key.endswith(":restart2")
    assert watch_restart({**tags, "hippique/restart": "3"}, off - timedelta(minutes=4)) is None
    assert watch_restart(tags, off) is None  # the race is off: nothing left to watch
    assert watch_restart({**tags, "hippique/phase": "h5"}, off - timedelta(minutes=6)) is None
