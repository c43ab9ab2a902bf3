"""The analysis on real races: feature choice on the first two thirds of the racing days, then the
closing figures on the last third, every race decided on the odds captured before H-5 and H-30.

    .venv/bin/python benchmarks/eval_real_races.py --pg-url postgresql://postgres@127.0.0.1:5432/hippique_real
    .venv/bin/python benchmarks/eval_real_races.py --setup      # builds a scratch database first (~9 min)
    .venv/bin/python benchmarks/eval_real_races.py --smoke      # --setup on 8 days only (CI)

The database must hold the real races (``hippique ingest`` from ``hippique replay serve --folder``)
and their captures (``hippique snapshots load``); ``--setup`` does both from ``--real-dir`` into a
throw-away database. Nothing from the last third is used to choose anything: the selection part
reads only the earlier days, and the test part applies the packaged ``gpi.toml`` as it is.

Walk-forward everywhere: each day is predicted by a model fitted on the days before it only.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tarfile
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from scratch_db import scratch_database

from hippique_assets.analysis.backtest import (
    History,
    backtest,
    fit_live_model,
    load_history,
    prepare_period,
    walk_forward,
)
from hippique_assets.analysis.config import AnalysisConfig, FactorWeights, default_config
from hippique_assets.analysis.metrics import clustered_mean_se
from hippique_assets.storage.postgres import PostgresResource

# The hand-set weights of gpi-2026.11.1, chosen on generated days: measured here, not used.
OLD_WEIGHTS = FactorWeights(jockey=0.4, trainer=0.3, form=0.3, chrono=0.2, drift=0.5)
CANDIDATES = [
    ["market_logit"],
    ["market_logit", "market_logit_sq"],
    ["market_logit", "drift_logit"],
    ["market_logit", "reference_logit"],
    ["market_logit", "jockey"],
    ["market_logit", "trainer"],
    ["market_logit", "form"],
    ["market_logit", "drift"],
    ["market_logit", "drift_logit", "reference_logit"],
    ["market_logit", "drift_logit", "reference_logit", "jockey", "trainer", "form"],
]


ARCHIVE = "train-2025-10-24_2026-03-31"
FIRST_DAY, LAST_DAY = date(2025, 10, 24), date(2026, 3, 31)
# A smoke run: a week of the archive before Christmas (with captures).
SMOKE_DAYS = (date(2025, 12, 19), date(2025, 12, 26))


def setup_database(url: str, real_dir: Path, first: date = FIRST_DAY, last: date = LAST_DAY) -> None:
    """Ingest the archive's days ``first`` .. ``last`` through the loopback replay server and load
    their captures."""
    from hippique_assets.cli.main import cli
    from hippique_replay.server import ReplayServer
    from hippique_replay.sources import FolderSource

    work = Path(tempfile.mkdtemp(prefix="hippique-eval-"))
    stamps = [(first + timedelta(days=n)).strftime("%d%m%Y") for n in range((last - first).days + 1)]
    with tarfile.open(real_dir / f"{ARCHIVE}.tar.gz") as archive:
        whole = (first, last) == (FIRST_DAY, LAST_DAY)
        members = [
            m
            for m in archive.getmembers()
            if whole or "/programme/" not in m.name or any(f"/programme/{s}" in m.name for s in stamps)
        ]
        archive.extractall(work, members=members, filter="data")
    os.environ.update(
        {
            "HIPPIQUE_PG_URL": url,
            "HIPPIQUE_HOME": str(work / "home"),
            "HIPPIQUE_FILES_DIR": str(work / "files"),
        }
    )
    with ReplayServer(FolderSource(work / ARCHIVE)) as server:
        args = [
            "ingest",
            "--date",
            first.isoformat(),
            "--to",
            last.isoformat(),
            "--base-url",
            server.base_url,
        ]
        cli.main([*args, "--rate-limit", "0"], prog_name="hippique", standalone_mode=False)
    capture_file = str(real_dir / "snapshots" / "odds_snapshots.csv.gz")
    load = [
        "snapshots",
        "load",
        "--file",
        capture_file,
        "--from",
        first.isoformat(),
        "--to",
        last.isoformat(),
    ]
    cli.main(load, prog_name="hippique", standalone_mode=False)


def _with(config: AnalysisConfig, **model: object) -> AnalysisConfig:
    return dataclasses.replace(config, model=dataclasses.replace(config.model, **model))


def selection(
    history: History, days: list[date], config: AnalysisConfig, candidates: list[list[str]] = CANDIDATES
) -> str:
    """Every candidate feature set, walk-forward on the selection days only."""
    period = prepare_period(history, days, config)
    features = period.features
    lines = [
        "## Selection: first two thirds of the racing days, walk-forward",
        "",
        f"{len(days)} racing days {days[0]} .. {days[-1]}; races not decidable: "
        + ", ".join(
            f"{k} {v}"
            for k, v in period.races["status"].map(lambda s: s.split(":")[0]).value_counts().items()
            if k != "ok"
        ),
        "",
        "| features | races | log-loss | vs H-5 market (SE) | vs market_logit only (SE) | last coefficients |",
        "|---|---|---|---|---|---|",
    ]
    reference = walk_forward(features, days, _with(config, features=("market_logit",))).scores
    reference = reference.set_index("race_key")
    for names in candidates:
        wf = walk_forward(features, days, _with(config, features=tuple(names)))
        scores = wf.scores.set_index("race_key")
        vs_market = clustered_mean_se(scores["log_loss"] - scores["market_log_loss"], scores["race_date"])
        joined = scores.join(reference, rsuffix="_ref")
        vs_ref = clustered_mean_se(joined["log_loss"] - joined["log_loss_ref"], joined["race_date"])
        coef = list(wf.models.values())[-1].coef
        lines.append(
            f"| {' + '.join(names)} | {len(scores)} | {scores['log_loss'].mean():.4f} "
            f"| {vs_market[0]:+.4f} ({vs_market[1]:.4f}) | {vs_ref[0]:+.4f} ({vs_ref[1]:.4f}) "
            f"| {', '.join(f'{c:+.3f}' for c in coef)} |"
        )
    # The market itself: Shin against proportional, on the same races.
    single = features[features.groupby("race_key")["won"].transform("sum") == 1]
    rows = []
    for _, race in single.groupby("race_key"):
        odds = race["odds_h5"].to_numpy(float)
        winner = int(np.flatnonzero(race["won"].to_numpy(bool))[0])
        p_prop = (1 / odds) / (1 / odds).sum()
        rows.append(
            {
                "race_date": race["race_date"].iloc[0],
                "shin": -np.log(race["p_market"].to_numpy(float)[winner]),
                "proportional": -np.log(p_prop[winner]),
            }
        )
    markets = pd.DataFrame(rows)
    diff = clustered_mean_se(markets["shin"] - markets["proportional"], markets["race_date"])
    lines += [
        "",
        f"H-5 market, all decidable selection races ({len(markets)}): Shin {markets['shin'].mean():.4f}, "
        f"proportional {markets['proportional'].mean():.4f}, Shin - proportional {diff[0]:+.4f} ({diff[1]:.4f})",
    ]
    old = dataclasses.replace(config, factors=dataclasses.replace(config.factors, weights=OLD_WEIGHTS))
    factors_report = backtest(history, days[0], days[-1], old, mode="factors")
    row = factors_report.differences.iloc[0]
    lines.append(
        f"Factors mode with the gpi-2026.11.1 hand-set weights: log-loss {factors_report.score(factors_report.scores['probabilities'].iloc[0]):.4f}, "
        f"{row['log_loss_minus_market']:+.4f} ({row['se']:.4f}) against the H-5 market; calibration error "
        f"{factors_report.calibration_errors['p_finale']:.4f} vs market {factors_report.calibration_errors['market']:.4f}"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", default=None, help="A database holding the real races and captures.")
    parser.add_argument(
        "--setup", action="store_true", help="Build a scratch database from --real-dir first."
    )
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("HIPPIQUE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument(
        "--real-dir", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "real-races"
    )
    parser.add_argument("--out", type=Path, default=None, help="Also write the figures to this file.")
    parser.add_argument(
        "--smoke", action="store_true", help="--setup on 8 days only: checks the script still runs"
    )
    args = parser.parse_args()
    if args.smoke:
        if not (args.real_dir / f"{ARCHIVE}.tar.gz").exists():
            print(f"skipped: no archive of real races in {args.real_dir}")
            return
        with scratch_database(args.admin_url) as url:
            setup_database(url, args.real_dir, *SMOKE_DAYS)
            evaluate(url, args.out, smoke=True)
    elif args.setup:
        with scratch_database(args.admin_url) as url:
            setup_database(url, args.real_dir)
            evaluate(url, args.out)
    elif args.pg_url:
        evaluate(args.pg_url, args.out)
    else:
        parser.error("give --pg-url or --setup")


def evaluate(url: str, out: Path | None, *, smoke: bool = False) -> None:
    began = time.perf_counter()
    config = default_config()
    candidates = CANDIDATES
    if smoke:
        # A few days hold fewer races than the model asks for before it fits; two candidates
        # are enough to run every step.
        config = _with(config, min_train_races=20)
        candidates = CANDIDATES[:2]
    db = PostgresResource(url=url)
    history = load_history(db, date(2000, 1, 1), date(2100, 1, 1), config)
    days = history.racing_days
    cut = len(days) - len(days) // 3
    chosen_on, test = days[:cut], days[cut:]
    parts = [f"# Real races, {days[0]} .. {days[-1]} ({len(days)} racing days), config {config.version}", ""]
    parts.append(selection(history, chosen_on, config, candidates))
    # The stored model as the live analysis would have had it on the first test day.
    fit_history = dataclasses.replace(history, races=history.races[history.races["race_date"] < test[0]])
    stored, _ = fit_live_model(fit_history, config)
    for mode, model in (("walk_forward", None), ("stored", stored), ("factors", None)):
        report = backtest(history, test[0], test[-1], config, mode=mode, stored_model=model)
        parts += ["", f"## Test third, mode {mode}", "", report.markdown(with_days=False)]
    # What the previous settings would have done on the same races (measured, not chosen on).
    previous = dataclasses.replace(
        config,
        factors=dataclasses.replace(config.factors, weights=OLD_WEIGHTS),
        bets=dataclasses.replace(
            config.bets, types=("SIMPLE_GAGNANT", "SIMPLE_PLACE", "COUPLE_GAGNANT", "TRIO")
        ),
        edge=dataclasses.replace(config.edge, require_edge=False),
    )
    report = backtest(history, test[0], test[-1], previous, mode="factors")
    parts += [
        "",
        "## Test third, gpi-2026.11.1 factor weights, every bet type, no edge rule (for comparison)",
        "",
        report.markdown(with_days=False),
    ]
    text = "\n".join(parts) + f"\n\n_{time.perf_counter() - began:.0f} s_\n"
    print(text)
    if out is not None:
        out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
