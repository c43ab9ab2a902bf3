"""A generated day served over loopback, ingested into the machine's Postgres through Dagster."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from dagster import DagsterInstance

from hippique_assets.inventory import summarize_tables
from hippique_assets.lib.runner import run_job_partitions
from hippique_assets.settings import Settings
from hippique_replay.generator import generate_day
from hippique_replay.server import ReplayServer
from hippique_replay.sources import GeneratedSource

DAY = date(2026, 3, 23)
SEED = 11

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def replay_server():
    with ReplayServer(GeneratedSource(seed=SEED)) as server:
        yield server


def _settings(home: Path, base_url: str) -> Settings:
    return Settings.replayed(home, base_url)


def test_replayed_day_lands_in_tables_and_files_and_reruns_identically(
    replay_server, fresh_pg_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("HIPPIQUE_PG_URL", fresh_pg_url)
    settings = _settings(tmp_path, replay_server.base_url)
    instance = DagsterInstance.ephemeral()

    first = run_job_partitions("ingest_day", [DAY.isoformat()], settings, instance)
    assert first[0].success, first[0].error
    assert first[0].failed_checks == []
    before = {s.table: s for s in summarize_tables(fresh_pg_url, start=DAY)}

    generated = generate_day(DAY, seed=SEED)
    races = generated.races()
    assert before["pmu.races"].rows == len(races)
    runners = sum(len(generated.participants(r.reunion, r.course)["participants"]) for r in races)
    assert before["pmu.participants"].rows == runners
    assert before["pmu.reunions"].rows == len({r.reunion for r in races})
    for table in ("pmu.horses", "pmu.performances", "pmu.bets", "pmu.dividends"):
        assert before[table].rows > 0, table

    # Every request's body is kept as a file whose path follows the API path.
    programme_file = tmp_path / "files" / "pmu" / "2026-03-23" / "programme" / "23032026.json"
    assert json.loads(programme_file.read_bytes())["programme"]["reunions"]
    first_race = races[0]
    participants_file = (
        programme_file.parent / "23032026" / f"R{first_race.reunion}" / f"C{first_race.course}"
    )
    assert (participants_file / "participants.json").is_file()

    again = run_job_partitions("ingest_day", [DAY.isoformat()], settings, instance)
    assert again[0].success, again[0].error
    after = {s.table: s for s in summarize_tables(fresh_pg_url, start=DAY)}
    assert {t: (s.rows, s.checksum) for t, s in after.items()} == {
        t: (s.rows, s.checksum) for t, s in before.items()
    }


def test_a_day_without_racing_gives_empty_tables(replay_server, fresh_pg_url, tmp_path, monkeypatch):
    monkeypatch.setenv("HIPPIQUE_PG_URL", fresh_pg_url)
    # The replay serves a recorded-only folder for this test: nothing recorded means 204 everywhere.
    from hippique_replay.sources import FolderSource

    with ReplayServer(FolderSource(tmp_path / "empty")) as server:
        settings = _settings(tmp_path, server.base_url)
        outcome = run_job_partitions("ingest_day", ["2026-03-24"], settings, DagsterInstance.ephemeral())[0]
    assert outcome.success, outcome.error
    counts = {s.table: s.rows for s in summarize_tables(fresh_pg_url, start=date(2026, 3, 24))}
    assert counts["pmu.races"] == 0 and counts["pmu.participants"] == 0
