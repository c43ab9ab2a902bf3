"""Partial failures stay partial: a request that fails for good, or values that break their rules,
cost only their own race or runner; the day's gaps are named; a retry requests only what is missing;
two ingests of the same day at once both succeed."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import yaml
from dagster import DagsterInstance

from hippique_assets.defs.pmu.assets import FETCH_TAG
from hippique_assets.inventory import summarize_tables
from hippique_assets.lib.runner import PartitionOutcome, local_instance_config, run_job_partitions
from hippique_assets.settings import Settings
from hippique_assets.storage.postgres import query_frame
from hippique_replay.faults import Burst, FaultPlan
from hippique_replay.server import ReplayServer
from hippique_replay.sources import GeneratedSource, SourceAnswer, json_answer
from hippique_replay.subset import RaceSubsetSource, closest_races

DAY = date(2026, 3, 23)
SEED = 11
RACES = 6

pytestmark = pytest.mark.slow


def _settings(home: Path, base_url: str) -> Settings:
    return Settings.replayed(home, base_url, retry_backoff_s=0.01)


@pytest.fixture(scope="module")
def source() -> RaceSubsetSource:
    world = GeneratedSource(seed=SEED)
    programme = json.loads(world.respond(f"/programme/{DAY:%d%m%Y}", None).body)
    return RaceSubsetSource(world, DAY, closest_races(programme, RACES))


def _ingest(url: str, home: Path, base_url: str, monkeypatch, **tags: str) -> PartitionOutcome:
    monkeypatch.setenv("HIPPIQUE_PG_URL", url)
    with DagsterInstance.ephemeral() as instance:
        [outcome] = run_job_partitions(
            "ingest_day", [DAY.isoformat()], _settings(home, base_url), instance, tags=tags or None
        )
    return outcome


def _checksums(url: str) -> dict[str, tuple[int, str | None]]:
    return {
        s.table: (s.rows, s.checksum)
        for s in summarize_tables(url, start=DAY)
        if s.table != "pmu.ingest_gaps"
    }


@pytest.fixture(scope="module")
def clean(source, pg_url, tmp_path_factory) -> dict[str, tuple[int, str | None]]:
    """Row counts and checksums of a clean ingest of the day."""
    from hippique_assets_tests.conftest import database

    home = tmp_path_factory.mktemp("clean")
    mp = pytest.MonkeyPatch()
    try:
        with database("hippique_clean") as url, ReplayServer(source) as server:
            assert _ingest(url, home, server.base_url, mp).success
            yield _checksums(url)
    finally:
        mp.undo()


def _first_race_path(source: RaceSubsetSource, endpoint: str) -> str:
    reunion, course = sorted(source.kept)[0]
    return f"/programme/{DAY:%d%m%Y}/R{reunion}/C{course}/{endpoint}"


def test_a_request_that_fails_for_good_costs_only_its_race_and_a_retry_fetches_only_it(
    source, clean, fresh_pg_url, tmp_path, monkeypatch
):
    failing = _first_race_path(source, "participants")
    # Five 503 in a row: every one of the client's five attempts, so the first landing fails for good.
    faults = FaultPlan(path_pattern=f"{failing}$", bursts=(Burst("503", start=0, count=5),))
    with ReplayServer(source, faults=faults) as server:
        first = _ingest(fresh_pg_url, tmp_path, server.base_url, monkeypatch)
        assert not first.success
        assert "ingest_gaps" in first.error and failing in first.error and "503" in first.error
        gaps = query_frame(fresh_pg_url, "select endpoint, kind, path, status, race_key from pmu.ingest_gaps")
        assert gaps.to_dict("records") == [
            {
                "endpoint": "participants",
                "kind": "request_failed",
                "path": failing,
                "status": 503,
                "race_key": gaps["race_key"].iloc[0],
            }
        ]
        # Every other race landed: only the failed race's runners are missing.
        counts = query_frame(fresh_pg_url, "select race_key, count(*) as n from pmu.participants group by 1")
        assert len(counts) == RACES - 1 and gaps["race_key"].iloc[0] not in set(counts["race_key"])

        before = len(server.request_log)
        again = _ingest(fresh_pg_url, tmp_path, server.base_url, monkeypatch, **{FETCH_TAG: "missing"})
        assert again.success, again.error
        asked = [r.path for r in server.request_log[before:]]
    # The re-run asked for the programme's races only where something was missing.
    assert [p for p in asked if p.endswith("/participants")] == [failing]
    assert not any(p.endswith("/performances-detaillees/pretty") for p in asked)
    assert query_frame(fresh_pg_url, "select count(*) as n from pmu.ingest_gaps")["n"].iloc[0] == 0
    assert _checksums(fresh_pg_url) == clean


class Corrupting:
    """A source whose answer for one path is passed through ``mutate`` first."""

    def __init__(self, inner: RaceSubsetSource, path: str, mutate: Callable[[dict], dict]) -> None:
        self.inner, self.path, self.mutate = inner, path, mutate

    def respond(self, api_path: str, now) -> SourceAnswer:
        answer = self.inner.respond(api_path, now)
        if api_path.split("?")[0] != self.path or answer.status != 200:
            return answer
        return json_answer(self.mutate(json.loads(answer.body)))


def test_values_that_break_their_rules_reject_their_runner_and_are_named(
    source, fresh_pg_url, tmp_path, monkeypatch
):
    path = _first_race_path(source, "participants")
    broken = {
        0: ("numPmu", -3),
        1: ("age", -5),
        2: ("handicapPoids", -580),
        3: ("nombreCourses", 2**63),
        4: ("dernierRapportDirect", {"rapport": "NaN", "dateRapport": 1774270000000}),
        5: ("nom", {"first": "NOT A NAME"}),
    }

    def corrupt(payload: dict) -> dict:
        for index, (field, value) in broken.items():
            payload["participants"][index][field] = value
        return payload

    with ReplayServer(Corrupting(source, path, corrupt)) as server:
        outcome = _ingest(fresh_pg_url, tmp_path, server.base_url, monkeypatch)
    # The source's values are wrong for good: a retry would get them again, so the gap is named and
    # warned about (a failed warning check) but does not fail the day's run.
    assert outcome.success, outcome.error
    assert "ingest_gaps:values_valid" in outcome.failed_checks
    assert "ingest_gaps:day_complete" not in outcome.failed_checks
    race = query_frame(
        fresh_pg_url, "select race_key from pmu.ingest_gaps where kind = 'rejected_row' limit 1"
    )
    key = race["race_key"].iloc[0]
    rejected = query_frame(
        fresh_pg_url,
        "select runner, field from pmu.ingest_gaps where kind = 'rejected_row' and endpoint = 'participants' "
        "and race_key = %s order by runner",
        (key,),
    )
    assert set(rejected["field"]) == {
        "number",
        "age",
        "weight_kg",
        "career_starts",
        "odds_direct",
        "horse_name",
    }
    stored = query_frame(fresh_pg_url, "select number from pmu.participants where race_key = %s", (key,))
    total = len(json.loads(source.respond(path, None).body)["participants"])
    # The six bad runners are out, every other runner of the race and of the day is in.
    assert len(stored) == total - 6
    assert (
        query_frame(fresh_pg_url, "select count(distinct race_key) as n from pmu.participants")["n"].iloc[0]
        == RACES
    )


def test_two_ingests_of_the_same_day_at_once(source, clean, fresh_pg_url, tmp_path, monkeypatch):
    monkeypatch.setenv("HIPPIQUE_PG_URL", fresh_pg_url)
    failures: list[str] = []
    with ReplayServer(source) as server:
        for trial in range(20):

            def ingest(n: int, trial: int = trial) -> None:
                # Disposed in the thread that made it: its SQLite connections must not be left for
                # the garbage collector to close in another thread.
                with DagsterInstance.ephemeral() as instance:
                    outcome = run_job_partitions(
                        "ingest_day",
                        [DAY.isoformat()],
                        _settings(tmp_path / f"h{n}", server.base_url),
                        instance,
                    )[0]
                if not outcome.success:
                    failures.append(f"trial {trial} writer {n}: {outcome.error}")

            threads = [threading.Thread(target=ingest, args=(n,)) for n in (1, 2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    assert failures == []
    assert _checksums(fresh_pg_url) == clean


def test_http_retries_show_in_the_run_log(source, fresh_pg_url, tmp_path, monkeypatch):
    failing = _first_race_path(source, "participants")
    faults = FaultPlan(path_pattern=f"{failing}$", bursts=(Burst("503", start=0, count=1),))
    python_logs = yaml.safe_load(local_instance_config())["python_logs"]
    monkeypatch.setenv("HIPPIQUE_PG_URL", fresh_pg_url)
    with (
        ReplayServer(source, faults=faults) as server,
        DagsterInstance.local_temp(overrides={"python_logs": python_logs}) as instance,
    ):
        [outcome] = run_job_partitions(
            "ingest_day", [DAY.isoformat()], _settings(tmp_path, server.base_url), instance
        )
        assert outcome.success, outcome.error
        messages = [entry.user_message for entry in instance.all_logs(outcome.run_id)]
    assert any("retrying" in m and failing in m for m in messages), messages[:20]
