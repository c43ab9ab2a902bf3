"""A race clock H-5 run that only starts once the race is off takes nothing and is recorded missed;
one that starts late but before the off goes on; a run launched by hand is not refused for the race clock's
windows, but stores nothing once the race is off (or when its start is unknown).
The failure sensor records a failed race clock snapshot run missed, keeping an earlier reason."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest
from dagster import DagsterInstance, build_run_status_sensor_context, materialize

from hippique_assets.defs.betting.resources import AnalysisResource
from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.partitions import RACES_PARTITIONS_NAME
from hippique_assets.defs.race_day.run_failures import build_run_failure_sensor
from hippique_assets.defs.race_live.assets import odds_snapshot_h5
from hippique_assets.defs.resources import PmuApiResource
from hippique_assets.lib.race_runs import DUE_TAG, PHASE_TAG, RACE_TAG, RUN_FAILED, STARTED_LATE
from hippique_assets.pmu.schema.live_odds import ODDS_SNAPSHOTS
from hippique_assets.racing.tables import MISSED_RUNS
from hippique_assets.settings import load_settings
from hippique_assets.storage.files import FilesResource
from hippique_assets.storage.io_manager import PostgresPandasIOManager
from hippique_assets.storage.postgres import PostgresResource

pytestmark = pytest.mark.postgres

RACE = "2026-03-23-R1C1"
DUE = datetime(2026, 3, 23, 13, 45, tzinfo=UTC)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_h5(
    postgres: PostgresResource,
    tmp_path,
    now: datetime,
    tags: dict[str, str],
    instance: DagsterInstance | None = None,
):
    instance = instance or DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(RACES_PARTITIONS_NAME, [RACE])
    # Nothing listens there: a run that goes as far as the API fails on the connection instead.
    pmu = PmuApiResource(
        base_url=f"http://127.0.0.1:{_closed_port()}", max_attempts=1, backoff_s=0, rate_limit_per_s=0
    )
    return materialize(
        [odds_snapshot_h5],
        partition_key=RACE,
        instance=instance,
        tags=tags,
        raise_on_error=False,
        resources={
            "pmu": pmu,
            "files": FilesResource(base_uri=str(tmp_path / "files")),
            "clock": ClockResource(spec=f"at:{now.isoformat()}"),
            "analysis": AnalysisResource(),
            "postgres": postgres,
            "pg_io_manager": PostgresPandasIOManager(postgres=postgres),
        },
    )


def _failure_message(result) -> str:
    [failure] = [e for e in result.all_events if e.is_step_failure]
    return failure.step_failure_data.error.message


def test_an_h5_run_starting_after_the_off_takes_nothing_and_is_recorded_missed(fresh_pg_url, tmp_path):
    postgres = PostgresResource(url=fresh_pg_url)
    late = DUE + timedelta(minutes=20)
    result = _run_h5(postgres, tmp_path, late, {DUE_TAG: DUE.isoformat()})
    assert not result.success
    assert "nothing is taken" in _failure_message(result)
    missed = postgres.query_frame(f"select run_key, phase, due_utc, reason from {MISSED_RUNS.fullname}")
    assert missed.to_dict("records") == [
        {"run_key": f"{RACE}:h5:20260323T134500Z", "phase": "h5", "due_utc": DUE, "reason": STARTED_LATE}
    ]
    assert postgres.query_frame(f"select count(*) as n from {ODDS_SNAPSHOTS.fullname}")["n"].iloc[0] == 0
    assert not (tmp_path / "files").exists() or not any((tmp_path / "files").rglob("*.json"))


@pytest.mark.parametrize("late", [timedelta(minutes=3), timedelta(minutes=4, seconds=50)])
def test_an_h5_run_starting_before_the_off_goes_on_to_the_api(fresh_pg_url, tmp_path, late):
    # 4 min 50 s: past the race clock's 4-minute window for requests, still before the off.
    postgres = PostgresResource(url=fresh_pg_url)
    result = _run_h5(postgres, tmp_path, DUE + late, {DUE_TAG: DUE.isoformat()})
    assert not result.success
    assert "nothing is taken" not in _failure_message(result)
    assert postgres.query_frame(f"select count(*) as n from {MISSED_RUNS.fullname}")["n"].iloc[0] == 0


def _plan_start(postgres: PostgresResource, start: datetime) -> None:
    postgres.execute(
        "insert into racing.race_plan (race_date, race_key, reunion, course, start_utc, cancelled, "
        "start_source, identity_source, planned_at) values (%s, %s, 1, 1, %s, false, 'pmu', 'pmu', %s)",
        (start.date(), RACE, start, start - timedelta(hours=4)),
    )


def test_a_snapshot_launched_by_hand_is_not_refused_for_its_time(fresh_pg_url, tmp_path):
    postgres = PostgresResource(url=fresh_pg_url)
    result = _run_h5(postgres, tmp_path, DUE + timedelta(days=3), {})
    assert "nothing is taken" not in _failure_message(result)
    assert postgres.query_frame(f"select count(*) as n from {MISSED_RUNS.fullname}")["n"].iloc[0] == 0


def test_a_snapshot_launched_by_hand_for_a_race_that_is_off_stores_nothing(fresh_pg_url, tmp_path):
    postgres = PostgresResource(url=fresh_pg_url)
    _plan_start(postgres, DUE + timedelta(minutes=5))
    result = _run_h5(postgres, tmp_path, datetime(2026, 12, 4, 10, 0, tzinfo=UTC), {})
    assert not result.success
    message = _failure_message(result)
    assert f"{RACE} h5: the race started at 2026-03-23 13:50Z; a snapshot taken now" in message
    assert "as its H-5 odds, so nothing is stored" in message and "\n" not in message.strip()
    assert postgres.query_frame(f"select count(*) as n from {ODDS_SNAPSHOTS.fullname}")["n"].iloc[0] == 0
    assert postgres.query_frame(f"select count(*) as n from {MISSED_RUNS.fullname}")["n"].iloc[0] == 0


def test_a_snapshot_launched_by_hand_for_an_unknown_start_stores_nothing(fresh_pg_url, tmp_path):
    postgres = PostgresResource(url=fresh_pg_url)
    result = _run_h5(postgres, tmp_path, DUE, {})
    assert "no start time is stored for this race" in _failure_message(result)
    assert postgres.query_frame(f"select count(*) as n from {ODDS_SNAPSHOTS.fullname}")["n"].iloc[0] == 0


def test_a_snapshot_launched_by_hand_before_the_off_goes_on(fresh_pg_url, tmp_path):
    postgres = PostgresResource(url=fresh_pg_url)
    _plan_start(postgres, DUE + timedelta(minutes=5))
    result = _run_h5(postgres, tmp_path, DUE + timedelta(minutes=2), {})
    # It reaches the API (nothing listens there in this test).
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert "connection refused" in failure.step_failure_data.error.cause.message.lower()


RACE_CLOCK_TAGS = {DUE_TAG: DUE.isoformat(), PHASE_TAG: "h5", RACE_TAG: RACE}


def _failure_sensor_sees(postgres: PostgresResource, instance: DagsterInstance, result, now: datetime):
    sensor = build_run_failure_sensor(load_settings({}))
    context = build_run_status_sensor_context(
        sensor_name=sensor.name,
        dagster_event=result.get_run_failure_event(),
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources={"postgres": postgres, "clock": ClockResource(spec=f"at:{now.isoformat()}")},
    ).for_run_failure()
    sensor(context)
    return postgres.query_frame(f"select run_key, phase, due_utc, reason from {MISSED_RUNS.fullname}")


def test_a_failed_h5_run_is_recorded_missed_by_the_failure_sensor(fresh_pg_url, tmp_path):
    postgres = PostgresResource(url=fresh_pg_url)
    instance = DagsterInstance.ephemeral()
    now = DUE + timedelta(minutes=1)
    result = _run_h5(postgres, tmp_path, now, RACE_CLOCK_TAGS, instance)
    assert not result.success
    missed = _failure_sensor_sees(postgres, instance, result, now)
    assert missed.to_dict("records") == [
        {"run_key": f"{RACE}:h5:20260323T134500Z", "phase": "h5", "due_utc": DUE, "reason": RUN_FAILED}
    ]
    tags = instance.get_run_by_id(result.dagster_run.run_id).tags
    assert tags["hippique/failed_step"] == "odds_snapshot_h5"
    assert "connection refused" in tags["hippique/failure"]


def test_the_failure_sensor_keeps_the_started_late_reason(fresh_pg_url, tmp_path):
    postgres = PostgresResource(url=fresh_pg_url)
    instance = DagsterInstance.ephemeral()
    late = DUE + timedelta(minutes=20)
    result = _run_h5(postgres, tmp_path, late, RACE_CLOCK_TAGS, instance)
    missed = _failure_sensor_sees(postgres, instance, result, late + timedelta(seconds=30))
    assert list(missed["reason"]) == [STARTED_LATE]


def test_a_failed_run_launched_by_hand_is_not_a_missed_phase(fresh_pg_url, tmp_path):
    postgres = PostgresResource(url=fresh_pg_url)
    instance = DagsterInstance.ephemeral()
    result = _run_h5(postgres, tmp_path, DUE, {}, instance)
    assert not result.success
    assert _failure_sensor_sees(postgres, instance, result, DUE).empty
