"""A whole generated day played with the simulated clock: plan, race clock, every race's H-30, H-5
and H+15 runs, tickets, settlements, the ledger and the workbook."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from dagster import DagsterInstance
from openpyxl import load_workbook

from hippique_assets.definitions import ALL_ASSETS
from hippique_assets.defs.day_player import DayPlayer
from hippique_assets.defs.resources import build_resources
from hippique_assets.racing.clock import FixedClock
from hippique_assets.replay.server import ReplayServer
from hippique_assets.replay.sources import GeneratedSource
from hippique_assets.settings import Settings
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets_tests.configs import mechanics_config

DAY = date(2026, 6, 14)
SEED = 5

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def played(tmp_path_factory, pg_url):
    """The day played once for the module (about three minutes)."""
    import uuid

    import psycopg2

    name = f"hippique_day_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(pg_url)
    admin.autocommit = True
    admin.cursor().execute(f'create database "{name}"')
    url = pg_url.rsplit("/", 1)[0] + f"/{name}"
    home = tmp_path_factory.mktemp("day")
    clock = FixedClock(DayPlayer.morning(DAY))
    mp = pytest.MonkeyPatch()
    mp.setenv("HIPPIQUE_PG_URL", url)
    try:
        with ReplayServer(GeneratedSource(seed=SEED), clock=clock) as server:
            settings = Settings(
                env="local",
                home=home,
                pg_url_set=True,
                files_uri=str(home / "files"),
                pmu_base_url=server.base_url,
                rate_limit_per_s=0.0,
                concurrency=4,
                # The day is about the race-day mechanics: bet without the out-of-sample edge rule.
                analysis_config=str(mechanics_config(home / "gpi-mechanics.toml")),
            )
            player = DayPlayer(
                DAY,
                settings,
                ALL_ASSETS,
                build_resources(settings),
                DagsterInstance.ephemeral(),
                clock,
                refresh_every=timedelta(hours=2),
            )
            report = player.play()
        yield report, PostgresResource(url=url), home
    finally:
        mp.undo()
        admin.cursor().execute(f'drop database if exists "{name}" with (force)')
        admin.close()


def test_every_race_fires_each_phase_exactly_once(played):
    report, _, _ = played
    assert report.failures == [], [(r.label, r.error) for r in report.failures]
    expected = report.races - report.cancelled
    assert expected > 40
    for phase in ("h30", "h5", "result"):
        partitions = [r.partition for r in report.phase_runs(phase)]
        assert len(partitions) == expected, phase
        assert len(set(partitions)) == expected, phase
    # Each phase ran at its due instant on the simulated clock.
    assert all(r.ran_at == r.due for r in report.runs if r.phase in ("h30", "h5", "result"))


def test_h30_and_h5_snapshots_differ(played):
    _, postgres, _ = played
    frame = postgres.query_frame(
        "select race_key, number, max(odds_direct) filter (where phase = 'h30') as h30, "
        "max(odds_direct) filter (where phase = 'h5') as h5 from pmu.odds_snapshots group by 1, 2"
    )
    changed = (frame["h30"] != frame["h5"]) & frame["h30"].notna() & frame["h5"].notna()
    assert changed.mean() > 0.5


def test_tickets_settlements_ledger_and_workbook(played):
    report, postgres, home = played
    decisions = postgres.query_frame("select * from betting.decisions")
    assert len(decisions) == report.races - report.cancelled
    tickets = postgres.query_frame("select race_key, stake_eur from betting.tickets")
    assert len(tickets) > 0
    assert tickets.groupby("race_key")["stake_eur"].sum().max() <= 5.0 + 1e-9
    settled = postgres.query_frame("select race_key, outcome from betting.settlements")
    assert set(settled["race_key"]) == set(tickets["race_key"])
    assert set(settled["outcome"]) <= {"won", "lost", "refunded"}
    ledger = postgres.query_frame("select * from betting.ledger")
    assert len(ledger) == len(decisions) and ledger["settled"].all()
    assert ledger["log_loss"].notna().all() and ledger["market_log_loss"].notna().all()
    workbook = (
        Path(home) / "files" / "artifacts" / "betting" / DAY.isoformat() / f"hippique-{DAY.isoformat()}.xlsx"
    )
    book = load_workbook(workbook)
    assert book.sheetnames == ["Planning", "ROI prévisionnel", "ROI observé", "Suivi"]
    assert book["Planning"].max_row == report.races + 1
