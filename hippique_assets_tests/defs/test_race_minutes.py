"""The odds watcher and the last call against a replayed day on loopback, on an accelerated clock.

One race of a generated day is planned once; each test then plays a stretch of its last ten minutes
with the real jobs (``race_watch``, ``race_last_call``, ``race_h5``) and reads what they stored.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from dagster import DagsterInstance

from hippique_assets.analysis.clv import win_prices
from hippique_assets.lib.race_runs import DUE_TAG, OFF_TAG, PHASE_TAG, RACE_TAG, RESTART_TAG, STARTED_LATE
from hippique_assets.lib.runner import PartitionOutcome, run_job_partitions
from hippique_assets.racing.clock import AcceleratedClock
from hippique_assets.racing.minute_odds import GAP_AFTER, LATE_START, RESTARTED
from hippique_assets.settings import Settings
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets_tests.configs import mechanics_config
from hippique_assets_tests.conftest import database
from hippique_replay.server import ReplayServer
from hippique_replay.sources import GeneratedSource
from hippique_replay.subset import RaceSubsetSource, closest_races

pytestmark = pytest.mark.postgres

DAY = date(2026, 3, 23)
SEED = 7
FACTOR = 30.0  # a simulated minute lasts two wall seconds


@dataclasses.dataclass
class World:
    server: ReplayServer
    settings: Settings
    postgres: PostgresResource
    instance: DagsterInstance
    race: str
    off: datetime

    def play(self, job: str, at: datetime, phase: str, due: datetime, **tags: str) -> PartitionOutcome:
        """Run ``job`` for the race as the race clock would request it, the clock showing ``at``."""
        clock = AcceleratedClock(at, FACTOR)
        self.server.clock = clock
        settings = dataclasses.replace(self.settings, clock=clock.spec)
        run_tags = {
            PHASE_TAG: phase,
            DUE_TAG: due.isoformat(),
            RACE_TAG: self.race,
            OFF_TAG: self.off.isoformat(),
            **tags,
        }
        [outcome] = run_job_partitions(job, [self.race], settings, self.instance, tags=run_tags)
        return outcome

    def rows(self, sql: str) -> pd.DataFrame:
        return self.postgres.query_frame(sql, (self.race,))


@pytest.fixture(scope="module")
def world(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    home = tmp_path_factory.mktemp("minutes")
    source = GeneratedSource(seed=SEED)
    programme = json.loads(source.respond(f"/programme/{DAY:%d%m%Y}", None).body)
    [kept] = closest_races(programme, 1)
    subset = RaceSubsetSource(source, DAY, [kept])
    with database("hippique_minutes") as url, ReplayServer(subset) as server:
        mp = pytest.MonkeyPatch()
        mp.setenv("HIPPIQUE_PG_URL", url)
        try:
            config = mechanics_config(home / "gpi.toml")
            settings = Settings.replayed(home, server.base_url, analysis_config=str(config))
            instance = DagsterInstance.ephemeral()
            [plan] = run_job_partitions("plan_day", [DAY.isoformat()], settings, instance)
            assert plan.success, plan.error
            postgres = PostgresResource(url=url)
            [row] = postgres.query_frame("select race_key, start_utc from racing.race_plan").itertuples()
            yield World(server, settings, postgres, instance, row.race_key, row.start_utc.to_pydatetime())
        finally:
            mp.undo()


def _watch_rows(world: World) -> pd.DataFrame:
    return world.rows(
        "select * from pmu.odds_snapshots where race_key = %s and phase = 'watch' order by captured_at, number"
    )


def test_the_watcher_captures_every_field_at_least_once_a_minute_from_h10_to_the_off(world: World):
    h10 = world.off - timedelta(minutes=10)
    outcome = world.play("race_watch", h10, "watch", h10)
    assert outcome.success, outcome.error
    rows = _watch_rows(world)
    captures = sorted(pd.to_datetime(rows["captured_at"], utc=True).unique())
    assert captures[0] - pd.Timestamp(h10) <= GAP_AFTER
    assert pd.Timestamp(world.off) - captures[-1] <= GAP_AFTER
    assert all(b - a <= GAP_AFTER for a, b in itertools.pairwise(captures))
    assert all(c < pd.Timestamp(world.off) for c in captures)
    # Every capture holds the whole field with PMU's own computation instant and the answer's flags.
    per_capture = rows.groupby("captured_at")
    assert per_capture["number"].nunique().nunique() == 1
    starters = rows[~rows["non_runner"]]
    assert starters["odds_direct"].notna().all() and starters["odds_direct_at"].notna().all()
    assert starters["odds_direct_trend"].notna().all() and starters["odds_direct_trend_sign"].notna().all()
    assert starters["odds_direct_large_bet"].notna().all()
    assert (starters.groupby("captured_at")["odds_direct_favourite"].sum() >= 1).all()
    # The market moves during the last ten minutes, and each capture kept its own odds.
    assert starters.groupby("number")["odds_direct"].nunique().max() > 1
    assert world.rows("select * from racing.odds_capture_gaps where race_key = %s").empty


def test_a_restarted_watcher_records_its_gap_and_never_fills_it(world: World):
    world.postgres.execute("delete from pmu.odds_snapshots where phase = 'watch'")
    h10 = world.off - timedelta(minutes=10)
    late = world.off - timedelta(minutes=4)
    outcome = world.play("race_watch", late, "watch", h10, **{RESTART_TAG: "1"})
    assert outcome.success, outcome.error
    captures = pd.to_datetime(_watch_rows(world)["captured_at"], utc=True)
    assert captures.min() >= pd.Timestamp(late)  # nothing stored for the minutes nobody watched
    gaps = world.rows("select * from racing.odds_capture_gaps where race_key = %s order by gap_from")
    [gap] = gaps.to_dict("records")
    assert gap["reason"] == RESTARTED
    assert pd.Timestamp(gap["gap_from"]) == pd.Timestamp(h10)
    assert pd.Timestamp(gap["gap_to"]) == captures.min()
    world.postgres.execute("delete from racing.odds_capture_gaps")
    # A first watcher that starts late says so.
    world.postgres.execute("delete from pmu.odds_snapshots where phase = 'watch'")
    outcome = world.play("race_watch", world.off - timedelta(minutes=3), "watch", h10)
    assert outcome.success, outcome.error
    [gap] = world.rows("select reason from racing.odds_capture_gaps where race_key = %s")["reason"]
    assert gap == LATE_START
    world.postgres.execute("delete from racing.odds_capture_gaps")


def test_the_last_call_snapshots_decides_and_keeps_its_decision_beside_h5(world: World):
    h5 = world.off - timedelta(minutes=5)
    outcome = world.play("race_h5", h5, "h5", h5)
    assert outcome.success, outcome.error
    last_call = world.off - timedelta(minutes=2)
    outcome = world.play("race_last_call", last_call, "last_call", last_call)
    assert outcome.success, outcome.error
    snapshot = world.rows("select * from pmu.odds_snapshots where race_key = %s and phase = 'last_call'")
    assert not snapshot.empty
    assert (pd.to_datetime(snapshot["captured_at"], utc=True) >= pd.Timestamp(last_call)).all()
    assert (pd.to_datetime(snapshot["captured_at"], utc=True) < pd.Timestamp(world.off)).all()
    decisions = world.rows("select * from racing.phase_decisions where race_key = %s order by phase")
    assert list(decisions["phase"]) == ["h5", "last_call"]
    # H-5 places by default: its tickets are the race's; the last call's are kept for comparison.
    placed = dict(zip(decisions["phase"], decisions["placed"], strict=True))
    assert placed == {"h5": True, "last_call": False}
    lc = decisions.set_index("phase").loc["last_call"]
    assert pd.Timestamp(lc["decided_at"]) < pd.Timestamp(world.off)
    assert pd.Timestamp(lc["odds_captured_at"]) == pd.to_datetime(snapshot["captured_at"], utc=True).max()
    assert lc["odds_source"] == "last_call"
    h5_decision = world.rows("select * from betting.decisions where race_key = %s").iloc[0]
    assert h5_decision["odds_source"] == "h5"
    assert len(json.loads(lc["tickets"])) == int(lc["n_tickets"])


def test_when_the_last_call_places_h5_tickets_leave_and_the_last_calls_are_stored(
    world: World, tmp_path: Path
):
    config = mechanics_config(
        tmp_path / "gpi.toml", **{'placing_phase = "h5"': 'placing_phase = "last_call"'}
    )
    placing = dataclasses.replace(
        world, settings=dataclasses.replace(world.settings, analysis_config=str(config))
    )
    h5 = world.off - timedelta(minutes=5)
    outcome = placing.play("race_h5", h5, "h5", h5)
    assert outcome.success, outcome.error
    h5_row = world.rows("select * from betting.decisions where race_key = %s").iloc[0]
    assert h5_row["abstained"] and h5_row["reason"].startswith("not placed")
    assert world.rows("select * from betting.tickets where race_key = %s").empty
    last_call = world.off - timedelta(minutes=2)
    outcome = placing.play("race_last_call", last_call, "last_call", last_call)
    assert outcome.success, outcome.error
    decision = world.rows("select * from betting.decisions where race_key = %s").iloc[0]
    assert decision["odds_source"] == "last_call"
    tickets = world.rows("select * from betting.tickets where race_key = %s")
    kept = world.rows(
        "select * from racing.phase_decisions where race_key = %s and phase = 'last_call'"
    ).iloc[0]
    assert bool(kept["placed"]) and len(tickets) == int(kept["n_tickets"]) == int(decision["n_tickets"])
    # Placed by the last call, a ticket carries what H-5's would: its price at the decision (for the
    # closing-line value at H+15) and the names of the horses it backs.
    assert not tickets.empty
    assert tickets["horse_names"].str.len().gt(0).all()
    captured = world.rows(
        "select number, odds_direct from pmu.odds_snapshots where race_key = %s and phase = 'last_call' "
        "order by captured_at"
    )
    last_odds = dict(zip(captured["number"].astype(int), captured["odds_direct"].astype(float), strict=True))
    expected = win_prices(tickets, last_odds).to_numpy(float)
    assert np.allclose(tickets["decision_odds"].to_numpy(float), expected, equal_nan=True)


def test_a_last_call_that_would_start_after_the_off_takes_nothing_and_is_recorded_missed(world: World):
    world.postgres.execute("delete from pmu.odds_snapshots where phase = 'last_call'")
    last_call = world.off - timedelta(minutes=2)
    outcome = world.play("race_last_call", world.off + timedelta(seconds=1), "last_call", last_call)
    assert not outcome.success
    assert world.rows("select * from pmu.odds_snapshots where race_key = %s and phase = 'last_call'").empty
    missed = world.rows("select phase, reason from racing.missed_runs where race_key = %s")
    assert missed.to_dict("records") == [{"phase": "last_call", "reason": STARTED_LATE}]
