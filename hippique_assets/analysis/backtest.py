"""The backtest over stored history, and the model fit that feeds the live analysis.

Every race is decided as the live H-5 run decides it: :func:`assemble_inputs` picks the odds
known at H-5 and H-30 from ``pmu.odds_snapshots`` (the live snapshots of a played day, or the
recorded captures imported with their real capture times), :func:`prepare_race` builds the
features and :func:`score_race` makes p_finale, the EVs and the tickets. Tickets are settled on the
official dividends of ``pmu.dividends``; a ticket whose bet type has no dividend stored is counted
as unsettled, not lost.

Three ways to make p_finale:
- ``walk_forward``: each day, a model fitted on the earlier days only (refit every day);
- ``stored``: the stored model (``gpi_model``) as it is;
- ``factors``: the hand-set factor weights of ``gpi.toml``.

The betting rule's evidence is always from earlier days: the walk-forward and factors modes score
their own predictions of the days before the one being decided; the stored model carries the
evidence recorded when it was fitted.

``odds_source="final_proxy"`` replaces the H-5 odds with the final ones for days without snapshots.
It is optimistic (the final odds are published after the decision instant and they are also the
simple-gagnant dividend) and every report made with it says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from hippique_assets.analysis.abstentions import reason_category
from hippique_assets.analysis.bet_outcomes import favourite_ticket, money_table, settle_race
from hippique_assets.analysis.clv import win_prices, with_clv
from hippique_assets.analysis.config import AnalysisConfig
from hippique_assets.analysis.edge import EdgeEvidence, evidence_from_scores
from hippique_assets.analysis.live_model import fit_live_model, payout_model_from, winners_payout_rows
from hippique_assets.analysis.market import market_probabilities
from hippique_assets.analysis.metrics import (
    calibration_error,
    calibration_table,
)
from hippique_assets.analysis.model import FittedModel
from hippique_assets.analysis.offsets import offset_study
from hippique_assets.analysis.payout import PayoutModel
from hippique_assets.analysis.period import PreparedPeriod, prepare_period
from hippique_assets.analysis.pipeline import (
    score_race,
)
from hippique_assets.analysis.report import BacktestReport
from hippique_assets.analysis.scores import (
    final_market,
    h30_market,
    oos_scores,
    race_scores,
    scorable,
    score_rows,
)
from hippique_assets.analysis.snapshots import phase_offset
from hippique_assets.analysis.stored_history import History, NoDataError, Progress, load_history
from hippique_assets.analysis.walk_forward import factor_predictions, walk_forward

# What callers of the backtest use, wherever it now lives.
__all__ = [
    "MODES",
    "History",
    "NoDataError",
    "PreparedPeriod",
    "backtest",
    "fit_live_model",
    "load_history",
    "prepare_period",
    "walk_forward",
]

MODES = ("walk_forward", "stored", "factors")


def _earlier_evidence_and_payout(
    day: date, oos: pd.DataFrame, payout_rows: pd.DataFrame, config: AnalysisConfig
) -> tuple[EdgeEvidence | None, PayoutModel | None]:
    """The edge evidence and the payout estimate a decision on ``day`` may use: earlier days only."""
    earlier = oos[oos["race_date"] < day] if not oos.empty else oos
    evidence = evidence_from_scores(earlier) if not earlier.empty else None
    winners = payout_rows[payout_rows["race_date"] < day] if not payout_rows.empty else payout_rows
    payout = payout_model_from(winners, config) if not winners.empty else None
    return evidence, payout


def _comparison_columns(
    runners: pd.DataFrame, race_runs: pd.DataFrame, winner: int | None, config: AnalysisConfig
) -> pd.DataFrame:
    """The decided runners with the outcome and every probability the report compares p_finale to."""
    runners["won"] = runners["number"].eq(winner) if winner is not None else False
    final = final_market(race_runs, runners["number"].astype(int).tolist(), config)
    runners["pfinal_market"] = final if final is not None else np.nan
    h30 = h30_market(runners, config)
    runners["ph30_market"] = h30 if h30 is not None else np.nan
    odds_h5 = runners["odds_h5"].to_numpy(float)
    runners["p_market_shin"] = market_probabilities(odds_h5, "shin")
    runners["p_market_proportional"] = market_probabilities(odds_h5, "proportional")
    runners["p_uniform"] = 1.0 / len(runners)
    return runners


def backtest(
    history: History,
    start: date,
    end: date,
    config: AnalysisConfig,
    *,
    mode: str = "walk_forward",
    stored_model: FittedModel | None = None,
    odds_source: str = "snapshots",
    progress: Progress | None = None,
    seed: int = 0,
    decision_phase: str = "h5",
    offsets: Sequence[int] = (),
) -> BacktestReport:
    """Decide, settle and score every race of ``start`` .. ``end`` as the live H-5 run would have.

    ``decision_phase`` (``h<minutes>``) decides on the latest capture at or before that many minutes
    before the off instead of H-5 (the report's "H-5" columns then hold those odds). ``offsets``
    (minutes) adds the market and walk-forward model at each offset, and the final odds, side by side
    on the same races (:mod:`hippique_assets.analysis.offsets`)."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}: use one of {MODES}")
    if mode == "stored" and stored_model is None:
        raise NoDataError("mode 'stored' needs a stored model: materialize gpi_model (hippique model fit)")
    if end < start:
        raise ValueError(f"--to {end} is before --from {start}")
    in_range = [d for d in history.racing_days if start <= d <= end]
    if not in_range:
        raise NoDataError(f"no race stored between {start} and {end}")
    phase_offset(decision_phase)  # refuses an unknown phase before any work
    report = BacktestReport(start, end, mode, odds_source, config.version)
    if decision_phase != "h5":
        report.notes.append(
            f"Decisions at {decision_phase.upper().replace('H', 'H-')}: the latest capture at or before that "
            "instant; the tables' H-5 columns hold those odds."
        )
    if odds_source == "final_proxy":
        report.notes.append(
            "OPTIMISTIC (final_proxy): decisions use the final odds, published after the H-5 instant, and "
            "the simple-gagnant dividend is close to those same odds; the figures overstate what H-5 allows."
        )
    # Walk-forward and factors evidence need the days before the range, too.
    all_days = [d for d in history.racing_days if d <= end]
    prepared_days = in_range if mode == "stored" else all_days
    period = prepare_period(
        history,
        prepared_days,
        config,
        odds_source=odds_source,
        decision_phase=decision_phase,
        progress=progress,
    )
    features = period.features
    # Out-of-sample scores of every day (the edge evidence) and the model of each day.
    oos, models = pd.DataFrame(), {}
    if mode == "walk_forward":
        wf = walk_forward(features, all_days, config, progress=progress)
        oos, models = wf.scores, wf.models
    elif mode == "factors":
        predicted = factor_predictions(features, config) if not features.empty else pd.DataFrame()
        oos = oos_scores(predicted) if not predicted.empty else pd.DataFrame()
    else:
        assert stored_model is not None
        report.model_version = stored_model.version
        # The stored model decides with the evidence and payout estimate it was fitted with.
        report.last_evidence, report.payout = stored_model.evidence, stored_model.payout
        if stored_model.fitted_to >= start:
            report.notes.append(
                f"IN-SAMPLE: the stored model was fitted on {stored_model.fitted_from} .. "
                f"{stored_model.fitted_to}, which overlaps the range; its scores there are not out of sample."
            )
    payout_rows = winners_payout_rows(features, history.dividends) if not features.empty else pd.DataFrame()
    dividends = {key: rows for key, rows in history.dividends.groupby("race_key", sort=False)}
    no_dividends = history.dividends.iloc[0:0]
    race_rows, scored_frames, ticket_frames, favourite_frames, per_day = [], [], [], [], []
    for day in in_range:
        if mode == "stored":
            model, evidence, payout = stored_model, None, None  # None: score_race takes the model's own
        else:
            model = models.get(day)
            evidence, payout = _earlier_evidence_and_payout(day, oos, payout_rows, config)
        day_races = period.races[period.races["race_date"] == day]
        day_stake = day_return = 0.0
        for race in day_races.itertuples(index=False):
            key = str(race.race_key)
            row = {
                "race_key": key,
                "race_date": day,
                "status": race.status,
                "abstained": True,
                "reason": None,
                "h5_age_min": getattr(race, "h5_age_min", np.nan),
            }
            prepared = period.prepared.get(key)
            if prepared is None or race.status != "ok":
                row["reason"] = race.status
                race_rows.append(row)
                continue
            if mode == "walk_forward" and model is None:
                row["status"] = row["reason"] = (
                    f"no model yet (fewer than {config.model.min_train_races} earlier races)"
                )
                race_rows.append(row)
                continue
            analysis = score_race(prepared, config, model, evidence=evidence, payout=payout)
            decision = analysis.decision
            race_runs = period.runs_by_race.get(key, history.runs.iloc[0:0])
            winner = (
                int(race.winner)
                if isinstance(race.winner, int | float) and race.winner == race.winner
                else None
            )
            runners = _comparison_columns(analysis.runners.assign(race_date=day), race_runs, winner, config)
            scored_frames.append(runners)
            best_win = decision.candidates.loc[decision.candidates["bet_type"] == "SIMPLE_GAGNANT", "ev"]
            row.update(
                {
                    "abstained": decision.abstained,
                    "reason": decision.reason,
                    "best_win_ev": float(best_win.max()) if not best_win.empty else np.nan,
                    "best_ev": float(decision.candidates["ev"].max())
                    if not decision.candidates.empty
                    else np.nan,
                }
            )
            race_divs = dividends.get(key, no_dividends)
            if not decision.tickets.empty:
                priced = decision.tickets.assign(
                    decision_odds=win_prices(decision.tickets, _odds_by_number(runners, "odds_h5"))
                )
                settled = with_clv(
                    settle_race(priced, race_divs, race_runs), _odds_by_number(race_runs, "odds_direct")
                ).assign(race_date=day)
                ticket_frames.append(settled)
                done = settled[settled["outcome"] != "unsettled"]
                day_stake += float(done["stake_eur"].astype(float).sum())
                day_return += float(done["return_eur"].astype(float).sum())
                row["stake_eur"] = float(settled["stake_eur"].astype(float).sum())
            if winner is not None:
                fav = settle_race(favourite_ticket(runners).assign(race_key=key), race_divs, race_runs)
                favourite_frames.append(fav.assign(race_date=day))
            race_rows.append(row)
        if model is not None:
            report.last_coef = dict(zip(model.features, np.round(model.coef, 4).tolist(), strict=True))
        if mode != "stored":
            report.last_evidence = evidence
            report.payout = payout
        per_day.append({"day": day, "stake_eur": round(day_stake, 2), "return_eur": round(day_return, 2)})
        if progress is not None:
            progress("decide", day)
    report.races = pd.DataFrame(race_rows)
    report.scored = pd.concat(scored_frames, ignore_index=True) if scored_frames else pd.DataFrame()
    _fill_scores(report, config)
    settled = pd.concat(ticket_frames, ignore_index=True) if ticket_frames else pd.DataFrame()
    report.tickets = settled
    report.by_bet_type = money_table(settled, seed)
    favourites = pd.concat(favourite_frames, ignore_index=True) if favourite_frames else pd.DataFrame()
    report.favourite = money_table(favourites, seed)
    _fill_counts(report, config)
    _fill_per_day(report, pd.DataFrame(per_day))
    if offsets:
        report.offsets = offset_study(history, start, end, config, offsets=offsets)
    return report


def _odds_by_number(rows: pd.DataFrame, column: str) -> dict[int, float]:
    """Win odds by runner number (a stored runner row's ``odds_direct`` is its final odds)."""
    return {int(n): float(o) for n, o in zip(rows["number"], rows[column], strict=True) if pd.notna(o)}


def _fill_scores(report: BacktestReport, config: AnalysisConfig) -> None:
    scored = report.scored
    if scored.empty:
        return
    label = "model (walk-forward)" if report.mode == "walk_forward" else report.mode
    columns = {
        f"p_finale: {label}": "p_finale",
        "market (Shin, H-5)": "p_market_shin",
        "market (proportional, H-5)": "p_market_proportional",
        "uniform": "p_uniform",
    }
    report.scores, report.differences = score_rows(scored, columns)
    for title, column, name in (
        ("the final odds", "pfinal_market", "market (Shin, final odds)"),
        ("the H-30 odds", "ph30_market", "market (Shin, H-30)"),
    ):
        subset = scored[scored[column].notna()]
        if subset.empty:
            continue
        table, diffs = score_rows(
            subset,
            {
                f"p_finale: {label}": "p_finale",
                "market (Shin, H-5)": "p_market_shin",
                name: column,
            },
        )
        report.comparisons[title] = (table, diffs)
    single = scorable(scored)
    report.calibration = calibration_table(single["p_finale"], single["won"]).merge(
        calibration_table(single[columns["market (Shin, H-5)"]], single["won"]),
        on="bin",
        suffixes=("", "_market"),
    )
    report.calibration_errors = {
        "p_finale": calibration_error(single["p_finale"], single["won"]),
        "market": calibration_error(single[columns["market (Shin, H-5)"]], single["won"]),
    }


def _fill_counts(report: BacktestReport, config: AnalysisConfig) -> None:
    races = report.races
    if races.empty:
        return
    undecidable = races[races["status"] != "ok"]
    report.skipped = (
        undecidable.assign(reason=undecidable["status"].map(reason_category))
        .groupby("reason")
        .size()
        .rename("races")
        .reset_index()
        .sort_values("races", ascending=False)
    )
    decided = races[races["status"] == "ok"]
    report.abstentions = (
        decided.assign(reason=decided["reason"].map(reason_category))
        .groupby("reason")
        .size()
        .rename("races")
        .reset_index()
        .sort_values("races", ascending=False)
    )
    if "best_win_ev" in decided:
        best = decided["best_win_ev"].astype(float)
        report.ev_rule = {
            "races decided": len(decided),
            f"races whose best simple-gagnant EV reaches min_ev {config.budget.min_ev:g}": int(
                (best >= config.budget.min_ev).sum()
            ),
            "races with a simple-gagnant EV above 0": int((best > 0).sum()),
            "median best simple-gagnant EV": float(best.median()) if best.notna().any() else None,
            "races bet": int((~decided["abstained"].astype(bool)).sum()),
        }


def _fill_per_day(report: BacktestReport, money: pd.DataFrame) -> None:
    if report.scored.empty:
        report.per_day = money
        return
    model = race_scores(report.scored, "p_finale")
    market = race_scores(report.scored, "p_market")
    daily = (
        model.groupby("race_date")
        .agg(races=("race_key", "size"), log_loss=("log_loss", "mean"))
        .join(market.groupby("race_date").agg(market_log_loss=("log_loss", "mean")))
        .reset_index()
        .rename(columns={"race_date": "day"})
    )
    report.per_day = daily.merge(money, on="day", how="outer").sort_values("day")
