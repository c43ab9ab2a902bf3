"""A race clock H-5 run that only starts once the race is off takes nothing and is recorded missed;
one that starts late but before the off goes on; a run launched by hand is never refused for its time."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest
from dagster import DagsterInstance, materialize

from hippique_assets.defs.betting.resources import AnalysisResource
from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.partitions import RACES_PARTITIONS_NAME
from hippique_assets.defs.race_live.assets import odds_snapshot_h5
from hippique_assets.defs.race_runs import DUE_TAG, STARTED_LATE
from hippique_assets.defs.resources import PmuApiResource
from hippique_assets.pmu.tables import ODDS_SNAPSHOTS
from hippique_assets.racing.tables import MISSED_RUNS
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


def _run_h5(postgres: PostgresResource, tmp_path, now: datetime, tags: dict[str, str]):
    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(RACES_PARTITIONS_NAME, [RACE])
    # Nothing listens there: a run that goes as far as the API fails on the connection instead.
    pmu = PmuApiResource(base_url=f"http://127.0.0.1:{_closed_port()}", max_attempts=1, backoff_s=0)
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


def test_a_snapshot_launched_by_hand_is_not_refused_for_its_time(fresh_pg_url, tmp_path):
    postgres = PostgresResource(url=fresh_pg_url)
    result = _run_h5(postgres, tmp_path, DUE + timedelta(days=3), {})
    assert "nothing is taken" not in _failure_message(result)
    assert postgres.query_frame(f"select count(*) as n from {MISSED_RUNS.fullname}")["n"].iloc[0] == 0
