"""A replayed day played by the real Dagster daemon (``hippique day``): the race clock sensor requests
every H-30, H-10 watcher, H-5, last-call and H+15 run, the queued run coordinator launches them, the
ledger sensor builds the ledger after the last result; then the minute captures, the last call against
the off, tickets, settlements, the ledger and the workbook are checked."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from pathlib import Path

import pytest
from dagster import DagsterInstance, RunsFilter
from openpyxl import load_workbook

from hippique_assets.settings import load_settings
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets_tests.configs import mechanics_config
from hippique_assets_tests.conftest import (
    PLAYED_DAY_PRIORITY,
    RACE_DAY_LEAD_WALL_S,
    played_day_environment,
)
from hippique_replay.day_play import DayPlay

DAY = date(2026, 3, 23)
SEED = 7
# The four races of the day closest together (seven minutes from the first start to the last, two of
# them at the same minute): every phase of one race overlaps the others', and the day plays in half
# the time eight races spread over 35 minutes took.
RACES = 4
LAST_CALL_MINUTES = 4
# x8 from each race's watcher (H-10) to a minute after its off; six times faster elsewhere (the
# lead-in, the H-30 snapshots, the results and the ledger), where nothing is timed in seconds.
FACTOR, IDLE_FACTOR = 8.0, 48.0
# Every race gets its minute watcher from H-10.
WATCHED = True

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def played(tmp_path_factory, pg_url):
    """The day played once for the module (about five minutes)."""
    home = tmp_path_factory.mktemp("day")
    with (
        played_day_environment("hippique_day", home, watched=WATCHED) as url,
        pytest.MonkeyPatch.context() as mp,
    ):
        # The day is about the race-day mechanics: bet without the out-of-sample edge rule.
        # The last call 4 minutes before the off: 30 wall seconds at x8 (2 minutes would leave 15), H-5
        # 37.5 s, for the sensor tick, the queue, the run's start and its decision on a busy machine.
        config = mechanics_config(
            home / "gpi-mechanics.toml",
            **{"last_call_minutes = 2": f"last_call_minutes = {LAST_CALL_MINUTES}"},
        )
        mp.setenv("HIPPIQUE_ANALYSIS_CONFIG", str(config))
        lines: list[str] = []
        play = DayPlay(
            DAY,
            load_settings(),
            races=RACES,
            factor=FACTOR,
            idle_factor=IDLE_FACTOR,
            seed=SEED,
            echo=lines.append,
            priority=PLAYED_DAY_PRIORITY,
            lead_wall_s=RACE_DAY_LEAD_WALL_S,
        )
        report = play.play()
        instance = DagsterInstance.get()
        yield report, PostgresResource(url=url), home, instance, lines
        instance.dispose()


def test_every_race_gets_one_run_of_each_phase_and_the_ledger(played):
    report, _, _, _, lines = played
    print("\n".join(lines))
    assert report.problems() == [], "\n".join(lines)
    assert len(report.races) == RACES
    counts = report.summary_line().split()
    assert counts[1:4] == [f"h30={RACES}", f"watch={RACES}", f"h5={RACES}"]
    assert counts[5:7] == [f"result={RACES}", "ledger=1"]


def test_the_last_call_is_decided_before_the_off_or_recorded_missed(played):
    report, postgres, _, _, _ = played
    runs = report.by_phase("last_call")
    assert len({r.partition for r in runs}) == RACES and len(runs) == RACES
    done = [r for r in runs if r.success]
    # At x8 the last call has 30 wall seconds from its due instant to the off: on a busy machine some
    # start too late and are refused; what matters is that none decides after the off.
    assert done, [r.partition for r in runs if not r.success]
    decisions = postgres.query_frame(
        "select d.race_key, d.decided_at, d.odds_captured_at, d.placed, p.start_utc "
        "from racing.phase_decisions d join racing.race_plan p using (race_key) where d.phase = 'last_call'"
    )
    assert set(decisions["race_key"]) == {r.partition for r in done}
    assert (decisions["decided_at"] < decisions["start_utc"]).all()
    assert (decisions["odds_captured_at"] < decisions["start_utc"]).all()
    assert not decisions["placed"].any()  # H-5 places by default
    snapshots = postgres.query_frame(
        "select s.captured_at, p.start_utc from pmu.odds_snapshots s join racing.race_plan p using (race_key) "
        "where s.phase = 'last_call'"
    )
    assert (snapshots["captured_at"] < snapshots["start_utc"]).all()
    missed = postgres.query_frame("select race_key from racing.missed_runs where phase = 'last_call'")
    assert set(missed["race_key"]) == {r.partition for r in runs if not r.success}


def test_each_race_is_watched_from_h10_to_the_off_by_one_run(played):
    report, postgres, _, _, _ = played
    watchers = report.by_phase("watch")
    assert sorted(r.partition for r in watchers) == sorted(report.races)
    assert all(r.success for r in watchers)
    captures = postgres.query_frame(
        "select distinct s.race_key, s.captured_at, p.start_utc as off from pmu.odds_snapshots s "
        "join racing.race_plan p using (race_key) where s.phase = 'watch' order by 1, 2"
    )
    assert set(captures["race_key"]) == set(report.races)
    assert (captures["captured_at"] < captures["off"]).all()
    gaps = postgres.query_frame("select race_key, gap_from, gap_to from racing.odds_capture_gaps")
    recorded = {(k, a, b) for k, a, b in zip(gaps["race_key"], gaps["gap_from"], gaps["gap_to"], strict=True)}
    # From H-10 to the off, captures at most a minute apart; a longer stretch is a recorded gap.
    for key, race in captures.groupby("race_key"):
        off = race["off"].iloc[0]
        edges = [off - timedelta(minutes=10), *race["captured_at"], off]
        for before, after in itertools.pairwise(edges):
            if after - before > timedelta(minutes=1):
                assert (key, before, after) in recorded, (key, before, after)


def test_the_daemon_launched_the_runs_from_the_sensors(played):
    report, _, _, instance, _ = played
    runs = {run.run_id: run for run in instance.get_runs(RunsFilter(run_ids=[r.run_id for r in report.runs]))}
    for played_run in report.runs:
        run = runs[played_run.run_id]
        expected = "day_ledger" if played_run.phase == "ledger" else "race_clock"
        if run.tags.get("hippique/restart"):
            expected = "race_run_failures"  # a watcher that died, started again
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
