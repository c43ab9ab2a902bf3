"""Two real racing days, served over loopback from the shared archive, ingested, with their real
odds captures loaded: the live H-5 assets and the backtest decide each race identically, payouts come
from the official dividends, an impossible market never gets a ticket, and the CLI reports."""

from __future__ import annotations

import tarfile
import uuid
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg2
import pytest
from click.testing import CliRunner
from dagster import DagsterInstance, materialize

from hippique_assets.analysis.backtest import backtest, load_history
from hippique_assets.analysis.config import load_config
from hippique_assets.analysis.model import load_model
from hippique_assets.cli.main import cli
from hippique_assets.defs.betting.model import gpi_model, load_captures
from hippique_assets.defs.betting.race_assets import race_analysis_h5
from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.partitions import RACES_PARTITIONS_NAME
from hippique_assets.defs.race_live.assets import odds_snapshot_h5, odds_snapshot_h30
from hippique_assets.defs.resources import build_resources
from hippique_assets.lib.runner import run_job_partitions
from hippique_assets.pmu.schema.live_odds import ODDS_SNAPSHOTS
from hippique_assets.settings import Settings
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets.storage.tables import column_names
from hippique_assets_tests.configs import mechanics_config
from hippique_replay.server import ReplayServer
from hippique_replay.sources import FolderSource

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

FIT_DAY = date(2025, 12, 24)  # 26 races: the model's history
DAY = date(2025, 12, 25)  # 6 races, all with captures before H-5
FOLDER = "train-2025-10-24_2026-03-31"
COMPARED = [
    "x_market_logit",
    "x_drift_logit",
    "x_reference_logit",
    "x_jockey",
    "x_trainer",
    "x_form",
    "x_drift",
    "odds_h5",
    "odds_h30",
    "p_market",
    "p_finale",
    "payout_win",
]


def _extract_days(tarball: Path, days: list[date], target: Path) -> Path:
    """Only the programme files of ``days`` (the archive is a whole season)."""
    stamps = [d.strftime("%d%m%Y") for d in days]
    with tarfile.open(tarball) as archive:
        members = [
            m
            for m in archive.getmembers()
            if any(f"/programme/{s}" in m.name for s in stamps) and (m.isfile() or m.isdir())
        ]
        archive.extractall(target, members=members, filter="data")
    return target / FOLDER


def _test_config(path: Path) -> Path:
    """Betting mechanics on (no edge rule, every bet type, EV above 0 is enough) and a model on the
    factor scores, so the identity test has tickets to compare."""
    return mechanics_config(
        path,
        "test-real-1",
        **{
            "min_ev = 0.40": "min_ev = 0.0",
            "min_train_races = 300": "min_train_races = 10",
            'features = ["market_logit", "market_shape_low", "market_shape_high"]': 'features = ["market_logit", "drift_logit", "jockey", "trainer", "form"]',
        },
    )


@pytest.fixture(scope="module")
def real_world(real_races_dir: Path, pg_url: str, tmp_path_factory):
    """The two days ingested through the replay server, their captures loaded, a model fitted."""
    name = f"hippique_real_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(pg_url)
    admin.autocommit = True
    admin.cursor().execute(f'create database "{name}"')
    url = pg_url.rsplit("/", 1)[0] + f"/{name}"
    home = tmp_path_factory.mktemp("real")
    captures = real_races_dir / "snapshots" / "odds_snapshots.csv.gz"
    folder = _extract_days(
        real_races_dir / "train-2025-10-24_2026-03-31.tar.gz", [FIT_DAY, DAY], home / "src"
    )
    config_path = _test_config(home / "gpi-test.toml")
    mp = pytest.MonkeyPatch()
    mp.setenv("HIPPIQUE_PG_URL", url)
    mp.setenv("HIPPIQUE_HOME", str(home))
    mp.setenv("HIPPIQUE_FILES_DIR", str(home / "files"))
    mp.setenv("HIPPIQUE_ANALYSIS_CONFIG", str(config_path))
    try:
        with ReplayServer(FolderSource(folder)) as server:
            settings = Settings(
                env="local",
                home=home,
                pg_url_set=True,
                files_uri=str(home / "files"),
                pmu_base_url=server.base_url,
                rate_limit_per_s=0.0,
                concurrency=4,
                analysis_config=str(config_path),
            )
            resources = build_resources(settings)
            instance = DagsterInstance.ephemeral()
            outcomes = run_job_partitions(
                "ingest_day", [FIT_DAY.isoformat(), DAY.isoformat()], settings, instance
            )
            assert all(o.success for o in outcomes), [o.error for o in outcomes]
            postgres = PostgresResource(url=url)
            imported, new = load_captures(postgres, captures, FIT_DAY, DAY)
            fitted = materialize(
                [gpi_model],
                resources=resources,
                instance=instance,
                run_config={
                    "ops": {"gpi_model": {"config": {"fit_from": "2025-12-24", "fit_to": "2025-12-24"}}}
                },
            )
            assert fitted.success
            yield {
                "url": url,
                "home": home,
                "postgres": postgres,
                "resources": resources,
                "instance": instance,
                "settings": settings,
                "config": load_config(config_path),
                "config_path": config_path,
                "imported": imported,
                "captures": captures,
                "new": new,
                "server": server,
            }
    finally:
        mp.undo()
        admin.cursor().execute(f'drop database if exists "{name}" with (force)')
        admin.close()


def _races(world, day: date) -> pd.DataFrame:
    return world["postgres"].query_frame(
        "select race_key, start_utc from pmu.races where race_date = %s order by reunion, course", (day,)
    )


def _live_h5(world, race_key: str, start_utc: pd.Timestamp, *, with_snapshots: bool) -> None:
    """The H-5 run of one race at its due instant: optionally the H-30 and H-5 snapshots first."""
    instance, resources = world["instance"], dict(world["resources"])
    instance.add_dynamic_partitions(RACES_PARTITIONS_NAME, [race_key])
    if with_snapshots:
        for asset, minutes in ((odds_snapshot_h30, 30), (odds_snapshot_h5, 5)):
            due = (start_utc - timedelta(minutes=minutes)).isoformat()
            run = materialize(
                [asset],
                partition_key=race_key,
                resources={**resources, "clock": ClockResource(spec=f"at:{due}")},
                instance=instance,
            )
            assert run.success
    due = (start_utc - timedelta(minutes=5)).isoformat()
    run = materialize(
        [race_analysis_h5],
        partition_key=race_key,
        resources={**resources, "clock": ClockResource(spec=f"at:{due}")},
        instance=instance,
    )
    assert run.success


def test_real_captures_load_with_their_capture_times(real_world):
    imported = real_world["imported"]
    assert imported.races == 32 and real_world["new"] == len(imported.rows) > 10_000
    stored = real_world["postgres"].query_frame(
        "select s.captured_at, r.start_utc from pmu.odds_snapshots s join pmu.races r using (race_key) "
        "where s.phase = 'capture'"
    )
    assert len(stored) == len(imported.rows)
    # Pre-start captures only, and their real instants (spread over the day, not one load time).
    assert (stored["captured_at"] < stored["start_utc"]).all()
    assert stored["captured_at"].nunique() > 50
    _, again = load_captures(real_world["postgres"], real_world["captures"], FIT_DAY, DAY)
    assert again == 0  # loading twice adds nothing


def test_live_h5_and_backtest_decide_each_race_identically(real_world):
    races = _races(real_world, DAY)
    assert len(races) == 6
    # Two races decided on the real captures alone, one on live snapshots taken over loopback.
    plan = {races["race_key"].iloc[i]: i == 2 for i in range(3)}
    for key, with_snapshots in plan.items():
        start = pd.Timestamp(races.set_index("race_key").loc[key, "start_utc"])
        _live_h5(real_world, key, start, with_snapshots=with_snapshots)
    postgres = real_world["postgres"]
    keys = list(plan)
    live = postgres.query_frame("select * from betting.runner_analysis where race_key = any(%s)", (keys,))
    decisions = postgres.query_frame("select * from betting.decisions where race_key = any(%s)", (keys,))
    live_tickets = postgres.query_frame("select * from betting.tickets where race_key = any(%s)", (keys,))
    assert set(decisions["odds_source"]) == {"capture", "h5"}

    config = real_world["config"]
    model = load_model(real_world["home"] / "files" / "models" / "gpi_model.json")
    history = load_history(postgres, FIT_DAY, DAY, config)
    report = backtest(history, DAY, DAY, config, mode="stored", stored_model=model)
    scored = report.scored[report.scored["race_key"].isin(keys)]
    assert set(scored["race_key"]) == set(keys)

    merged = live.merge(scored, on=["race_key", "number"], suffixes=("_live", "_bt"))
    assert len(merged) == len(live) == len(scored)
    for column in COMPARED:
        np.testing.assert_allclose(
            merged[f"{column}_live"].astype(float), merged[f"{column}_bt"].astype(float), rtol=0, atol=1e-9
        )
    # The live race decided on its own snapshots used them, not the earlier captures.
    snapshot_race = keys[2]
    h5 = postgres.query_frame(
        "select number, odds_direct from pmu.odds_snapshots where race_key = %s and phase = 'h5'",
        (snapshot_race,),
    )
    used = live[live["race_key"] == snapshot_race].set_index("number")["odds_h5"]
    assert used.to_dict() == h5.set_index("number")["odds_direct"].loc[used.index].to_dict()

    columns = ["race_key", "bet_type", "combination", "stake_eur", "probability", "payout_estimate", "ev"]
    bt_tickets = report.tickets[report.tickets["race_key"].isin(keys)] if not report.tickets.empty else None
    assert len(live_tickets) > 0, "the test config should make tickets"
    assert bt_tickets is not None
    left = live_tickets[columns].sort_values(columns[:3]).reset_index(drop=True)
    right = bt_tickets[columns].sort_values(columns[:3]).reset_index(drop=True)
    left["stake_eur"] = left["stake_eur"].astype(float)
    right["stake_eur"] = right["stake_eur"].astype(float)
    pd.testing.assert_frame_equal(left, right, check_dtype=False, atol=1e-9, rtol=0)


def test_backtest_settles_on_dividends_and_leaves_missing_ones_unsettled(real_world):
    config = real_world["config"]
    history = load_history(real_world["postgres"], FIT_DAY, DAY, config)
    report = backtest(history, DAY, DAY, config, mode="factors")
    tickets = report.tickets
    assert not tickets.empty
    # The archive has simple-gagnant dividends only: other bet types are unsettled, never lost.
    others = tickets[tickets["bet_type"] != "SIMPLE_GAGNANT"]
    assert not others.empty and (others["outcome"] == "unsettled").all()
    wins = tickets[(tickets["bet_type"] == "SIMPLE_GAGNANT") & (tickets["outcome"] == "won")]
    dividends = (
        real_world["postgres"]
        .query_frame(
            "select race_key, combination, dividend_per_eur from pmu.dividends "
            "where bet_type = 'SIMPLE_GAGNANT' and race_date = %s",
            (DAY,),
        )
        .set_index(["race_key", "combination"])["dividend_per_eur"]
    )
    for row in wins.itertuples():
        # The return is the official dividend, not the odds the decision used.
        assert row.return_eur == pytest.approx(
            round(row.stake_eur * dividends.loc[(row.race_key, row.combination)], 2)
        )
    # Closing-line value: the decision's H-5 odds of the horse against its final odds.
    runners = report.scored.set_index(["race_key", "number"])
    final = history.runs.set_index(["race_key", "number"])["odds_direct"].astype(float)
    win_tickets = tickets[tickets["bet_type"] == "SIMPLE_GAGNANT"]
    for row in win_tickets.itertuples():
        horse = (row.race_key, int(row.numbers[0]))
        assert row.decision_odds == pytest.approx(runners.loc[horse, "odds_h5"])
        assert row.final_odds == pytest.approx(final.loc[horse])
        assert row.clv == pytest.approx(row.decision_odds / row.final_odds - 1)
        assert row.beat_final == (row.decision_odds > row.final_odds)
    assert others["clv"].isna().all()
    assert "## Closing-line value" in report.markdown() and "beat the final price" in report.markdown()
    table = report.by_bet_type.set_index("bet_type")
    assert table.loc["all", "unsettled"] == len(others)
    assert table.loc["all", "tickets"] == len(tickets) - len(others)
    assert report.favourite.set_index("bet_type").loc["SIMPLE_GAGNANT", "tickets"] >= report.races_scored


def test_an_impossible_market_is_skipped_and_gets_no_ticket(real_world):
    races = _races(real_world, DAY)
    key, start = races["race_key"].iloc[-1], pd.Timestamp(races["start_utc"].iloc[-1])
    postgres = real_world["postgres"]
    runners = postgres.query_frame(
        "select race_key, race_date, reunion, course, number, horse_id from pmu.participants where race_key = %s",
        (key,),
    )
    # A source error: the favourite priced at 0.8, the others as the final odds.
    bad = runners.assign(
        phase="h5",
        captured_at=start - timedelta(minutes=5),
        odds_direct=[0.8] + [9.0] * (len(runners) - 1),
        odds_direct_at=pd.Series(pd.NaT, index=runners.index, dtype="datetime64[ns, UTC]"),
        odds_reference=np.nan,
        odds_reference_at=pd.Series(pd.NaT, index=runners.index, dtype="datetime64[ns, UTC]"),
        non_runner=False,
    )
    postgres.write_frame(ODDS_SNAPSHOTS, bad.reindex(columns=column_names(ODDS_SNAPSHOTS)))
    _live_h5(real_world, key, start, with_snapshots=False)
    decision = postgres.query_frame("select * from betting.decisions where race_key = %s", (key,)).iloc[0]
    assert decision["abstained"] and decision["reason"].startswith("impossible market: odds at or below 1")
    assert (
        postgres.query_frame("select count(*) as n from betting.tickets where race_key = %s", (key,))["n"][0]
        == 0
    )

    config = real_world["config"]
    report = backtest(load_history(postgres, FIT_DAY, DAY, config), DAY, DAY, config, mode="factors")
    assert report.skipped.set_index("reason").loc["impossible market", "races"] == 1
    assert key not in set(report.scored["race_key"])
    assert report.tickets.empty or key not in set(report.tickets["race_key"])


def test_final_proxy_mode_says_it_is_optimistic(real_world):
    config = real_world["config"]
    history = load_history(real_world["postgres"], FIT_DAY, DAY, config)
    report = backtest(history, DAY, DAY, config, mode="factors", odds_source="final_proxy")
    assert report.optimistic and "OPTIMISTIC" in report.markdown()
    snapshots = backtest(history, DAY, DAY, config, mode="factors")
    assert not snapshots.optimistic and "OPTIMISTIC" not in snapshots.markdown()


def test_cli_backtest_reports_and_exits_2_without_data(real_world):
    runner = CliRunner()
    env = {
        "HIPPIQUE_PG_URL": real_world["url"],
        "HIPPIQUE_HOME": str(real_world["home"]),
        "HIPPIQUE_FILES_DIR": str(real_world["home"] / "files"),
        "HIPPIQUE_ANALYSIS_CONFIG": str(real_world["config_path"]),
    }
    args = ["backtest", "--from", DAY.isoformat(), "--to", DAY.isoformat(), "--mode", "stored"]
    result = runner.invoke(cli, [*args, "--offsets", "60,30,5", "--decide-at", "h2"], env=env)
    assert result.exit_code == 0, result.output
    assert "## What each minute is worth" in result.output and "Decisions at H-2" in result.output
    assert "| market H-60" in result.output or "no race has a complete market" in result.output
    bad = runner.invoke(cli, [*args, "--offsets", "sixty"], env=env)
    assert bad.exit_code == 2 and "offsets" in bad.output
    for heading in (
        "## Probabilities",
        "## Calibration by decile",
        "## Tickets by bet type",
        "## Flat favourite",
    ):
        assert heading in result.output
    empty = runner.invoke(cli, ["backtest", "--from", "2030-01-01", "--to", "2030-01-31"], env=env)
    assert empty.exit_code == 2
    assert "no race stored between 2030-01-01 and 2030-01-31" in empty.output


def test_backtest_asset_reports_with_a_calibration_plot(real_world):
    from hippique_assets.defs.betting.model import backtest_report

    day = DAY.isoformat()
    run = materialize(
        [backtest_report],
        resources=real_world["resources"],
        instance=real_world["instance"],
        run_config={"ops": {"backtest_report": {"config": {"start": day, "end": day, "mode": "stored"}}}},
    )
    assert run.success
    [materialization] = run.asset_materializations_for_node("backtest_report")
    meta = {key: value.value for key, value in materialization.metadata.items()}
    assert meta["calibration"].startswith("![calibration](data:image/png;base64,")
    assert meta["races_scored"] >= 5 and meta["optimistic"] is False
    assert "## Flat favourite" in meta["report"]
    empty = materialize(
        [backtest_report],
        resources=real_world["resources"],
        instance=real_world["instance"],
        run_config={"ops": {"backtest_report": {"config": {"start": "2030-01-01", "end": "2030-01-02"}}}},
        raise_on_error=False,
    )
    assert not empty.success


def test_cli_snapshots_load_materializes_the_captures_asset(real_world, tmp_path):
    env = {
        "HIPPIQUE_PG_URL": real_world["url"],
        "HIPPIQUE_HOME": str(real_world["home"]),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    day = DAY.isoformat()
    args = ["snapshots", "load", "--file", str(real_world["captures"]), "--from", day, "--to", day]
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 0, result.output
    assert "kept for 6 races, 0 new in pmu.odds_snapshots" in result.output
    broken = tmp_path / "broken.csv"
    broken.write_text("date,reunion,course\n2025-12-25,1,1\n")
    failed = CliRunner().invoke(cli, ["snapshots", "load", "--file", str(broken)], env=env)
    assert failed.exit_code == 2 and "missing columns" in failed.output
