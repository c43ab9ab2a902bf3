"""A replayed day played by the real Dagster daemon (``hippique day``): the race clock sensor requests
every H-30, H-5 and H+15 run, the queued run coordinator launches them, the ledger sensor builds the
ledger after the last result; then tickets, settlements, the ledger and the workbook are checked."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from dagster import DagsterInstance, RunsFilter
from openpyxl import load_workbook

from hippique_assets.settings import load_settings
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets_tests.configs import mechanics_config
from hippique_assets_tests.conftest import played_day_environment
from hippique_replay.day_play import DayPlay

DAY = date(2026, 3, 23)
SEED = 7
RACES = 8

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def played(tmp_path_factory, pg_url):
    """The day played once for the module (about five minutes)."""
    home = tmp_path_factory.mktemp("day")
    with played_day_environment("hippique_day", home) as url, pytest.MonkeyPatch.context() as mp:
        # The day is about the race-day mechanics: bet without the out-of-sample edge rule.
        mp.setenv("HIPPIQUE_ANALYSIS_CONFIG", str(mechanics_config(home / "gpi-mechanics.toml")))
        lines: list[str] = []
        play = DayPlay(DAY, load_settings(), races=RACES, factor=20.0, seed=SEED, echo=lines.append)
        report = play.play()
        instance = DagsterInstance.get()
        yield report, PostgresResource(url=url), home, instance, lines
        instance.dispose()


def test_every_race_gets_one_run_of_each_phase_and_the_ledger(played):
    report, _, _, _, lines = played
    assert report.problems() == [], "\n".join(lines)
    assert len(report.races) == RACES
    assert report.summary_line() == f"runs: h30={RACES} h5={RACES} result={RACES} ledger=1 missed=0 failed=0"


def test_the_daemon_launched_the_runs_from_the_sensors(played):
    report, _, _, instance, _ = played
    runs = {run.run_id: run for run in instance.get_runs(RunsFilter(run_ids=[r.run_id for r in report.runs]))}
    for played_run in report.runs:
        run = runs[played_run.run_id]
        expected = "day_ledger" if played_run.phase == "ledger" else "race_clock"
        assert run.tags.get("dagster/sensor_name") == expected, (played_run.phase, run.tags)
        if played_run.phase != "ledger":
            assert run.tags["hippique/race_phase"] == f"{played_run.partition}:{played_run.phase}"
    # The ledger came after the last result, without anyone asking for it.
    [ledger] = report.by_phase("ledger")
    assert ledger.start_wall >= max(r.end_wall for r in report.by_phase("result"))


def test_h30_and_h5_snapshots_differ(played):
    _, postgres, _, _, _ = played
    frame = postgres.query_frame(
        "select race_key, number, max(odds_direct) filter (where phase = 'h30') as h30, "
        "max(odds_direct) filter (where phase = 'h5') as h5 from pmu.odds_snapshots group by 1, 2"
    )
    changed = (frame["h30"] != frame["h5"]) & frame["h30"].notna() & frame["h5"].notna()
    assert changed.mean() > 0.5


def test_tickets_settlements_ledger_and_workbook(played):
    report, postgres, home, _, _ = played
    decisions = postgres.query_frame("select * from betting.decisions")
    assert len(decisions) == len(report.races)
    tickets = postgres.query_frame("select race_key, stake_eur from betting.tickets")
    assert len(tickets) > 0
    assert tickets.groupby("race_key")["stake_eur"].sum().max() <= 5.0 + 1e-9
    settled = postgres.query_frame("select race_key, outcome from betting.settlements")
    assert set(settled["race_key"]) == set(tickets["race_key"])
    assert set(settled["outcome"]) <= {"won", "lost", "refunded"}
    ledger = postgres.query_frame("select * from betting.ledger")
    assert len(ledger) == len(decisions) and ledger["settled"].all()
    assert ledger["market_log_loss"].notna().all()
    workbook = (
        Path(home) / "files" / "artifacts" / "betting" / DAY.isoformat() / f"hippique-{DAY.isoformat()}.xlsx"
    )
    book = load_workbook(workbook)
    assert book.sheetnames == ["Planning", "ROI prévisionnel", "ROI observé", "Suivi", "Graphiques"]
    assert book["Planning"].max_row == len(report.races) + 1
