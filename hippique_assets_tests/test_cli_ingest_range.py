"""``hippique ingest --date D1 --to Dn`` loads the range in runs over several days, as a backfill does:
the tables hold exactly what a day-by-day ingestion stores, each day still has its own line, and a
day that fails in such a run is run again alone, costing only itself (the others are not requested
again), with the exit code and ``--missing-only`` keeping their meaning."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from dagster import DagsterInstance

from hippique_assets.inventory import summarize_tables
from hippique_replay.faults import Burst, FaultPlan
from hippique_replay.server import ReplayServer
from hippique_replay.sources import GeneratedSource, Source
from hippique_replay.subset import RaceSubsetSource, closest_races

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

HIPPIQUE = str(Path(sys.executable).parent / "hippique")
SEED = 11
DAYS = [date(2026, 3, 20) + timedelta(days=n) for n in range(3)]
# Days of different sizes, so that rows put on the wrong day cannot pass.
RACES = {DAYS[0]: 2, DAYS[1]: 4, DAYS[2]: 3}


@pytest.fixture(scope="module")
def source() -> Source:
    world: Source = GeneratedSource(seed=SEED)
    for day, count in RACES.items():
        world = RaceSubsetSource(world, day, _kept(day, count))
    return world


def _kept(day: date, count: int) -> list[tuple[int, int]]:
    programme = json.loads(GeneratedSource(seed=SEED).respond(f"/programme/{day:%d%m%Y}", None).body)
    return closest_races(programme, count)


def _ingest(home: Path, url: str, base_url: str, *args: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("HIPPIQUE_") and k != "DAGSTER_HOME"}
    environ.update(HIPPIQUE_HOME=str(home), HIPPIQUE_PG_URL=url, HIPPIQUE_RETRY_BACKOFF_S="0.01")
    command = [HIPPIQUE, "ingest", "--date", DAYS[0].isoformat(), "--to", DAYS[-1].isoformat()]
    return subprocess.run(
        [*command, "--base-url", base_url, "--rate-limit", "0", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=environ,
    )


def _checksums(url: str) -> dict[str, tuple[int, str | None]]:
    return {s.table: (s.rows, s.checksum) for s in summarize_tables(url, start=DAYS[0], end=DAYS[-1])}


def _runs(home: Path) -> list[dict[str, str]]:
    with DagsterInstance.from_config(str(home / "dagster_home")) as instance:
        return [dict(run.tags) for run in instance.get_runs()]


def _day_lines(stdout: str) -> dict[str, str]:
    return {
        line.split()[0]: line for line in stdout.splitlines() if line[:10] in {d.isoformat() for d in DAYS}
    }


def test_a_range_in_one_run_stores_what_a_day_by_day_ingestion_stores(source, tmp_path):
    from hippique_assets_tests.conftest import database

    with (
        database("hippique_range") as ranged,
        database("hippique_daily") as daily,
        ReplayServer(source) as server,
    ):
        one_run = _ingest(tmp_path / "ranged", ranged, server.base_url)
        assert one_run.returncode == 0, one_run.stdout + one_run.stderr
        by_day = _ingest(tmp_path / "daily", daily, server.base_url, "--days-per-run", "1")
        assert by_day.returncode == 0, by_day.stdout + by_day.stderr
        ranged_sums, daily_sums = _checksums(ranged), _checksums(daily)
    assert ranged_sums == daily_sums
    assert ranged_sums["pmu.races"][0] == sum(RACES.values())
    assert ranged_sums["pmu.participants"][0] > 0 and ranged_sums["pmu.dividends"][0] > 0
    # One run over the three days, against one run per day.
    [tags] = _runs(tmp_path / "ranged")
    assert (tags["dagster/asset_partition_range_start"], tags["dagster/asset_partition_range_end"]) == (
        DAYS[0].isoformat(),
        DAYS[-1].isoformat(),
    )
    assert sorted(t["dagster/partition"] for t in _runs(tmp_path / "daily")) == [d.isoformat() for d in DAYS]
    # Each day still has its own line, with its own rows.
    lines = _day_lines(one_run.stdout)
    assert list(lines) == [d.isoformat() for d in DAYS]
    for day, count in RACES.items():
        assert " ok " in lines[day.isoformat()] and f"races {count}," in lines[day.isoformat()]
    assert "3/3 day(s) loaded" in one_run.stdout


def test_a_day_failing_in_a_range_run_is_run_again_alone_and_costs_only_itself(
    source, fresh_pg_url, tmp_path
):
    day = DAYS[1]
    reunion, course = sorted(_kept(day, RACES[day]))[0]
    failing = f"/programme/{day:%d%m%Y}/R{reunion}/C{course}/participants"
    # Ten 503 in a row: the client's five attempts in the range run, five again in the day's own run.
    faults = FaultPlan(path_pattern=f"{failing}$", bursts=(Burst("503", start=0, count=10),))
    with ReplayServer(source, faults=faults) as server:
        first = _ingest(tmp_path, fresh_pg_url, server.base_url)
        asked = [r.path for r in server.request_log]
        before = len(server.request_log)
        again = _ingest(tmp_path, fresh_pg_url, server.base_url, "--missing-only")
        asked_again = [r.path for r in server.request_log[before:]]

    assert first.returncode == 1, first.stdout + first.stderr
    lines = _day_lines(first.stdout)
    assert list(lines) == [d.isoformat() for d in DAYS]
    assert "FAILED" in lines[day.isoformat()]
    assert all(" ok " in lines[d.isoformat()] for d in DAYS if d != day)
    assert "run again alone" in first.stdout and "ingest_gaps:day_complete" in first.stdout
    assert f"Failed: {day.isoformat()}" in first.stderr and "--missing-only" in first.stderr
    # The day failed twice (its range run, then alone); the other days were requested once.
    assert asked.count(failing) == 10
    for other in (DAYS[0], DAYS[2]):
        assert asked.count(f"/programme/{other:%d%m%Y}") == 1
    assert asked.count(f"/programme/{day:%d%m%Y}") == 2

    assert again.returncode == 0, again.stdout + again.stderr
    assert [p for p in asked_again if p.endswith("/participants")] == [failing]
    participants = {s.table: s.rows for s in summarize_tables(fresh_pg_url, start=day, end=day)}
    assert participants["pmu.ingest_gaps"] == 0 and participants["pmu.races"] == RACES[day]
