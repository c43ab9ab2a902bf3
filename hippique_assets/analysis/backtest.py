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

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from hippique_assets.analysis import factors
from hippique_assets.analysis.abstentions import reason_category
from hippique_assets.analysis.config import AnalysisConfig
from hippique_assets.analysis.edge import EdgeEvidence, evidence_from_scores
from hippique_assets.analysis.history import QueryRunner
from hippique_assets.analysis.market import check_market, market_probabilities
from hippique_assets.analysis.metrics import (
    bootstrap_roi_ci,
    brier_score,
    calibration_error,
    calibration_table,
    clustered_mean_se,
    log_loss,
    roi,
)
from hippique_assets.analysis.model import FittedModel, fit_model, predict, single_winner_races
from hippique_assets.analysis.payout import PayoutModel, fit_payout
from hippique_assets.analysis.pipeline import (
    PreparedRace,
    assemble_inputs,
    finale_probabilities,
    prepare_race,
    score_race,
)
from hippique_assets.analysis.report import BacktestReport
from hippique_assets.analysis.settlement import settle

MODES = ("walk_forward", "stored", "factors")
Progress = Callable[[str, date], None]

RACES_SQL = """
select race_key, race_date, start_utc from pmu.races
where race_date >= %(since)s and race_date <= %(until)s
"""
RUNS_SQL = """
select p.race_date, p.race_key, p.number, p.horse_id, p.jockey, p.trainer, p.musique,
       coalesce(p.non_runner, false) as non_runner, p.odds_direct, p.odds_reference, p.finish_rank
from pmu.participants p
where p.race_date >= %(since)s and p.race_date <= %(until)s
"""
SNAPSHOTS_SQL = """
select race_key, phase, captured_at, number, odds_direct, odds_reference,
       coalesce(non_runner, false) as non_runner
from pmu.odds_snapshots where race_date >= %(since)s and race_date <= %(until)s
"""
PERFORMANCES_SQL = """
select horse_id, past_race_date, reduction_km_s, discipline from pmu.performances
where past_race_date < %(until)s
"""
DIVIDENDS_SQL = """
select race_key, bet_type, combination, combination_numbers, has_non_runner, dividend_per_eur
from pmu.dividends where race_date >= %(since)s and race_date <= %(until)s
"""


class NoDataError(LookupError):
    """The requested period holds nothing to backtest or fit on."""


@dataclass
class History:
    """The stored rows a period's analysis reads, for ``since`` .. ``until`` (plus the win-rate window)."""

    since: date
    until: date
    races: pd.DataFrame
    runs: pd.DataFrame
    snapshots: pd.DataFrame
    performances: pd.DataFrame
    dividends: pd.DataFrame

    @property
    def racing_days(self) -> list[date]:
        return sorted(set(self.races["race_date"])) if not self.races.empty else []


def load_history(db: QueryRunner, since: date, until: date, config: AnalysisConfig) -> History:
    """Races, runners, snapshots, performances and dividends of ``since`` .. ``until`` from Postgres."""
    if until < since:
        raise ValueError(f"--to {until} is before --from {since}")
    for table in ("pmu.races", "pmu.participants"):
        if not db.table_exists(table):
            raise NoDataError(f"{table} does not exist: ingest some days first (hippique ingest)")
    params = {"since": since, "until": until}
    races = db.query_frame(RACES_SQL, params)
    races["race_date"] = pd.to_datetime(races["race_date"]).dt.date
    window = timedelta(days=config.factors.history_window_days)
    runs = db.query_frame(RUNS_SQL, {"since": since - window, "until": until})
    runs["race_date"] = pd.to_datetime(runs["race_date"]).dt.date
    runs["number"] = runs["number"].astype(int)
    runs["won"] = runs["finish_rank"].astype("Float64").eq(1).fillna(False).astype(bool)
    runs["non_runner"] = runs["non_runner"].astype(bool)
    snapshots = pd.DataFrame(
        columns=["race_key", "phase", "captured_at", "number", "odds_direct", "odds_reference", "non_runner"]
    )
    if db.table_exists("pmu.odds_snapshots"):
        snapshots = db.query_frame(SNAPSHOTS_SQL, params)
    snapshots["number"] = snapshots["number"].astype(int)
    snapshots["captured_at"] = pd.to_datetime(snapshots["captured_at"], utc=True)
    performances = pd.DataFrame(columns=["horse_id", "past_race_date", "reduction_km_s", "discipline"])
    if db.table_exists("pmu.performances"):
        performances = db.query_frame(PERFORMANCES_SQL, {"until": until})
    performances["past_race_date"] = pd.to_datetime(performances["past_race_date"]).dt.date
    dividends = pd.DataFrame(
        columns=[
            "race_key",
            "bet_type",
            "combination",
            "combination_numbers",
            "has_non_runner",
            "dividend_per_eur",
        ]
    )
    if db.table_exists("pmu.dividends"):
        dividends = db.query_frame(DIVIDENDS_SQL, params)
    return History(since, until, races, runs, snapshots, performances, dividends)


# ---------------------------------------------------------------------------------------------
# Features of every race of a period


@dataclass
class PreparedPeriod:
    """Every race of a period prepared as the H-5 run would have prepared it.

    ``races``: one row per race (race_key, race_date, status, winner, n_starters, h5_age_min,
    odds_source); status is ``ok`` or the reason the race cannot be decided.
    ``features``: runner rows of the decidable races, with ``race_date`` and ``won``.
    ``runs_by_race``: the stored runner rows of every race of the history, by race key.
    """

    races: pd.DataFrame
    features: pd.DataFrame
    prepared: dict[str, PreparedRace]
    runs_by_race: dict[str, pd.DataFrame]


def _history_runs(runs: pd.DataFrame, day: date) -> pd.DataFrame:
    done = runs[(runs["race_date"] < day) & runs["finish_rank"].notna() & ~runs["non_runner"]]
    return done[["race_date", "jockey", "trainer", "won"]]


def _winner(race_runs: pd.DataFrame) -> int | None:
    winners = race_runs.loc[race_runs["won"], "number"].astype(int).tolist()
    return winners[0] if len(winners) == 1 else None


def _performances_of(history: History, day: date) -> pd.DataFrame:
    """The performances of the horses that run on ``day``: the only ones its races look up."""
    performances = history.performances
    if performances.empty:
        return performances
    horses = history.runs.loc[history.runs["race_date"] == day, "horse_id"]
    return performances[performances["horse_id"].isin(horses)]


def prepare_period(
    history: History,
    days: Iterable[date],
    config: AnalysisConfig,
    *,
    odds_source: str = "snapshots",
    progress: Progress | None = None,
) -> PreparedPeriod:
    """Features of every race of ``days``, each built from what was known at its H-5 instant."""
    window, prior = config.factors.history_window_days, config.factors.prior_rides
    snapshots = {key: rows for key, rows in history.snapshots.groupby("race_key", sort=False)}
    no_snapshots = history.snapshots.iloc[0:0]
    runs_by_race = {key: rows for key, rows in history.runs.groupby("race_key", sort=False)}
    race_rows, frames, prepared_races = [], [], {}
    for day in sorted(days):
        today = history.races[history.races["race_date"] == day]
        if today.empty:
            continue
        past = _history_runs(history.runs, day)
        jockeys = factors.win_rates(past, "jockey", day, window, prior)
        trainers = factors.win_rates(past, "trainer", day, window, prior)
        best = factors.best_reduction(_performances_of(history, day), day)
        for race in today.sort_values("race_key").itertuples(index=False):
            key = str(race.race_key)
            race_runs = runs_by_race.get(key)
            if race_runs is None or race_runs.empty:
                race_rows.append({"race_key": key, "race_date": day, "status": "no participants stored"})
                continue
            inputs = assemble_inputs(
                key,
                day,
                race.start_utc,
                race_runs,
                snapshots.get(key, no_snapshots),
                past,
                history.performances,
                config,
                odds_source=odds_source,
                jockey_rates=jockeys,
                trainer_rates=trainers,
                best_reduction=best,
            )
            prepared = prepare_race(inputs, config)
            prepared_races[key] = prepared
            winner = _winner(race_runs)
            row = {
                "race_key": key,
                "race_date": day,
                "status": prepared.skip_reason or "ok",
                "winner": winner,
                "n_starters": len(prepared.runners),
                "odds_source": prepared.odds_source,
                "h5_age_min": inputs.h5.age_min,
                "start_utc": race.start_utc,
            }
            if prepared.decidable:
                runners = prepared.runners.assign(race_date=day)
                runners["won"] = runners["number"].eq(winner) if winner is not None else False
                if winner is not None and not runners["won"].any():
                    row["status"] = "winner not among the H-5 starters"
                frames.append(runners)
            race_rows.append(row)
        if progress is not None:
            progress("features", day)
    features = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return PreparedPeriod(pd.DataFrame(race_rows), features, prepared_races, runs_by_race)


def _scorable(features: pd.DataFrame) -> pd.DataFrame:
    return single_winner_races(features) if not features.empty else features


def _winners_payout_rows(features: pd.DataFrame, dividends: pd.DataFrame) -> pd.DataFrame:
    """Winners' H-5 odds and their official simple-gagnant dividend, by race."""
    winners = _scorable(features)
    winners = winners.loc[winners["won"], ["race_key", "race_date", "number", "odds_h5"]]
    wins = dividends[(dividends["bet_type"] == "SIMPLE_GAGNANT") & ~dividends["has_non_runner"].astype(bool)]
    paid = {
        (str(k), int(nums[0])): float(v)
        for k, nums, v in zip(
            wins["race_key"], wins["combination_numbers"], wins["dividend_per_eur"], strict=True
        )
        if nums is not None and len(nums) == 1 and v is not None and not pd.isna(v)
    }
    winners = winners.assign(
        dividend=[
            paid.get((k, int(n)), np.nan) for k, n in zip(winners["race_key"], winners["number"], strict=True)
        ]
    )
    return winners.dropna(subset=["dividend"])


def payout_model_from(winners: pd.DataFrame, config: AnalysisConfig) -> PayoutModel:
    return fit_payout(
        winners["odds_h5"].to_numpy(float),
        winners["dividend"].to_numpy(float),
        config.payout.odds_bands,
        config.payout.prior_winners,
    )


def _race_scores(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """race_key, race_date, log_loss, brier of ``column`` on single-winner races."""
    rows = []
    for key, race in _scorable(frame).groupby("race_key", sort=False):
        p = race[column].to_numpy(float)
        winner = int(np.flatnonzero(race["won"].to_numpy(bool))[0])
        rows.append(
            {
                "race_key": key,
                "race_date": race["race_date"].iloc[0],
                "log_loss": log_loss(p, winner),
                "brier": brier_score(p, winner),
            }
        )
    return pd.DataFrame(rows, columns=["race_key", "race_date", "log_loss", "brier"])


def _oos_scores(predicted: pd.DataFrame) -> pd.DataFrame:
    model = _race_scores(predicted, "p_model")
    market = _race_scores(predicted, "p_market").rename(
        columns={"log_loss": "market_log_loss", "brier": "market_brier"}
    )
    return model.merge(market[["race_key", "market_log_loss", "market_brier"]], on="race_key")


@dataclass
class WalkForward:
    """Out-of-sample predictions: each day predicted by a model fitted on the days before it."""

    models: dict[date, FittedModel]
    scores: pd.DataFrame  # per race: race_date, log_loss, market_log_loss


def _fit(races: pd.DataFrame, config: AnalysisConfig) -> FittedModel:
    """The conditional logit of ``config`` fitted on ``races`` (runner rows of finished races)."""
    return fit_model(
        races,
        config.model.features,
        min(races["race_date"]),
        max(races["race_date"]),
        l2=config.model.l2,
        config_version=config.version,
    )


def walk_forward(
    features: pd.DataFrame,
    days: Iterable[date],
    config: AnalysisConfig,
    *,
    progress: Progress | None = None,
) -> WalkForward:
    """Refit the conditional logit before each of ``days`` on the earlier days and predict the day."""
    models: dict[date, FittedModel] = {}
    frames = []
    usable = _scorable(features)
    for day in sorted(days):
        today = features[features["race_date"] == day] if not features.empty else features
        if today.empty:
            continue
        past = usable[usable["race_date"] < day]
        if past["race_key"].nunique() < config.model.min_train_races:
            continue
        model = _fit(past, config)
        models[day] = model
        frames.append(today.assign(p_model=predict(today, model.coef, model.features)))
        if progress is not None:
            progress("walk-forward", day)
    predicted = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    scores = _oos_scores(predicted) if not predicted.empty else pd.DataFrame()
    return WalkForward(models, scores)


def factor_predictions(features: pd.DataFrame, config: AnalysisConfig) -> pd.DataFrame:
    """Runner rows with ``p_model`` = the factor-weighted probabilities (no fit)."""
    frames = []
    for _, race in features.groupby("race_key", sort=False):
        p, _, _ = finale_probabilities(race, config, None)
        frames.append(race.assign(p_model=p))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


# ---------------------------------------------------------------------------------------------
# The fitted model for the live analysis


def fit_live_model(
    history: History,
    config: AnalysisConfig,
    *,
    odds_source: str = "snapshots",
    progress: Progress | None = None,
) -> tuple[FittedModel, PreparedPeriod]:
    """The model the H-5 analysis will use: fitted on every finished race of the history, with the
    post-time payout estimate and the out-of-sample evidence of a walk-forward over the same days."""
    days = history.racing_days
    if not days:
        raise NoDataError(f"no race stored between {history.since} and {history.until}")
    period = prepare_period(history, days, config, odds_source=odds_source, progress=progress)
    usable = _scorable(period.features)
    if usable.empty or usable["race_key"].nunique() < config.model.min_train_races:
        found = 0 if usable.empty else usable["race_key"].nunique()
        raise NoDataError(
            f"{found} decidable finished races between {history.since} and {history.until}, "
            f"the model needs {config.model.min_train_races} (model.min_train_races)"
        )
    oos = walk_forward(period.features, days, config, progress=progress)
    model = _fit(usable, config)
    model.payout = payout_model_from(_winners_payout_rows(period.features, history.dividends), config)
    model.evidence = evidence_from_scores(oos.scores) if not oos.scores.empty else None
    return model, period


# ---------------------------------------------------------------------------------------------
# The backtest


def _settle_race(tickets: pd.DataFrame, dividends: pd.DataFrame, race_runs: pd.DataFrame) -> pd.DataFrame:
    if tickets.empty:
        return tickets.assign(outcome=[], dividend_per_eur=[], return_eur=[], profit_eur=[])
    if dividends.empty:
        return tickets.assign(
            outcome="unsettled", dividend_per_eur=np.nan, return_eur=np.nan, profit_eur=np.nan
        )
    scratched = race_runs.loc[race_runs["non_runner"], "number"].astype(int).tolist()
    placed = race_runs.dropna(subset=["finish_rank"]).sort_values("finish_rank")
    return settle(tickets, dividends, scratched, placed["number"].astype(int).tolist())


def _favourite_ticket(race: pd.DataFrame) -> pd.DataFrame:
    """1 EUR on the shortest H-5 price (split evenly between joint favourites)."""
    odds = race["odds_h5"].to_numpy(float)
    favourites = race.loc[odds == odds.min(), "number"].astype(int).tolist()
    stake = 1.0 / len(favourites)
    return pd.DataFrame(
        {
            "bet_type": "SIMPLE_GAGNANT",
            "combination": [str(n) for n in favourites],
            "numbers": [[n] for n in favourites],
            "stake_eur": stake,
        }
    )


def _money_table(settled: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Tickets, stakes, returns and ROI by bet type (settled tickets only) with a bootstrap CI."""
    columns = [
        "bet_type",
        "tickets",
        "unsettled",
        "won",
        "refunded",
        "stake_eur",
        "return_eur",
        "roi",
        "roi_ci_low",
        "roi_ci_high",
    ]
    if settled.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    groups = [*sorted(settled["bet_type"].unique()), "all"]
    for bet_type in groups:
        part = settled if bet_type == "all" else settled[settled["bet_type"] == bet_type]
        done = part[part["outcome"] != "unsettled"]
        stake = float(done["stake_eur"].astype(float).sum())
        returned = float(done["return_eur"].astype(float).sum())
        ci = bootstrap_roi_ci(done["stake_eur"], done["return_eur"], done["race_date"], seed=seed)
        rows.append(
            {
                "bet_type": bet_type,
                "tickets": len(done),
                "unsettled": int((part["outcome"] == "unsettled").sum()),
                "won": int((done["outcome"] == "won").sum()),
                "refunded": int((done["outcome"] == "refunded").sum()),
                "stake_eur": round(stake, 2),
                "return_eur": round(returned, 2),
                "roi": roi(stake, returned),
                "roi_ci_low": ci[0] if ci else None,
                "roi_ci_high": ci[1] if ci else None,
            }
        )
    return pd.DataFrame(rows, columns=columns)


def _final_market(race_runs: pd.DataFrame, starters: list[int], config: AnalysisConfig) -> np.ndarray | None:
    """The final-odds market on the H-5 starters, when it is complete and plausible."""
    final = race_runs[~race_runs["non_runner"]].set_index("number")
    if sorted(final.index.astype(int)) != sorted(starters):
        return None
    return _plausible_market(starters, final.loc[starters, "odds_direct"].astype(float).to_numpy(), config)


def _h30_market(runners: pd.DataFrame, config: AnalysisConfig) -> np.ndarray | None:
    """The H-30 market on the H-5 starters, when every one of them was priced then."""
    return _plausible_market(
        runners["number"].astype(int).tolist(), runners["odds_h30"].to_numpy(float), config
    )


def _plausible_market(numbers: list[int], odds: np.ndarray, config: AnalysisConfig) -> np.ndarray | None:
    """The market probabilities of ``odds``; None when the market fails the decision's checks."""
    if check_market(numbers, odds, config.decision.overround_min, config.decision.overround_max):
        return None
    return market_probabilities(odds, config.market.overround_method)


def _score_rows(scored: pd.DataFrame, columns: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean log-loss and Brier of each probability column with SEs clustered by day, and each
    one's difference from the decision-instant market."""
    per_race = {name: _race_scores(scored, column) for name, column in columns.items()}
    rows, diffs = [], []
    market = per_race.get("market (Shin, H-5)")
    for name, table in per_race.items():
        if table.empty:
            continue
        ll, ll_se = clustered_mean_se(table["log_loss"], table["race_date"])
        br, br_se = clustered_mean_se(table["brier"], table["race_date"])
        rows.append(
            {
                "probabilities": name,
                "races": len(table),
                "log_loss": ll,
                "log_loss_se": ll_se,
                "brier": br,
                "brier_se": br_se,
            }
        )
        if market is not None and name != "market (Shin, H-5)":
            joined = table.merge(market, on=["race_key", "race_date"], suffixes=("", "_m"))
            d_ll, d_ll_se = clustered_mean_se(joined["log_loss"] - joined["log_loss_m"], joined["race_date"])
            d_br, d_br_se = clustered_mean_se(joined["brier"] - joined["brier_m"], joined["race_date"])
            diffs.append(
                {
                    "probabilities": name,
                    "log_loss_minus_market": d_ll,
                    "se": d_ll_se,
                    "brier_minus_market": d_br,
                    "brier_se": d_br_se,
                }
            )
    return pd.DataFrame(rows), pd.DataFrame(diffs)


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
    final = _final_market(race_runs, runners["number"].astype(int).tolist(), config)
    runners["p_final_market"] = final if final is not None else np.nan
    h30 = _h30_market(runners, config)
    runners["p_h30_market"] = h30 if h30 is not None else np.nan
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
) -> BacktestReport:
    """Decide, settle and score every race of ``start`` .. ``end`` as the live H-5 run would have."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}: use one of {MODES}")
    if mode == "stored" and stored_model is None:
        raise NoDataError("mode 'stored' needs a stored model: materialize gpi_model (hippique model fit)")
    if end < start:
        raise ValueError(f"--to {end} is before --from {start}")
    in_range = [d for d in history.racing_days if start <= d <= end]
    if not in_range:
        raise NoDataError(f"no race stored between {start} and {end}")
    report = BacktestReport(start, end, mode, odds_source, config.version)
    if odds_source == "final_proxy":
        report.notes.append(
            "OPTIMISTIC (final_proxy): decisions use the final odds, published after the H-5 instant, and "
            "the simple-gagnant dividend is close to those same odds; the figures overstate what H-5 allows."
        )
    # Walk-forward and factors evidence need the days before the range, too.
    all_days = [d for d in history.racing_days if d <= end]
    prepared_days = in_range if mode == "stored" else all_days
    period = prepare_period(history, prepared_days, config, odds_source=odds_source, progress=progress)
    features = period.features
    # Out-of-sample scores of every day (the edge evidence) and the model of each day.
    oos, models = pd.DataFrame(), {}
    if mode == "walk_forward":
        wf = walk_forward(features, all_days, config, progress=progress)
        oos, models = wf.scores, wf.models
    elif mode == "factors":
        predicted = factor_predictions(features, config) if not features.empty else pd.DataFrame()
        oos = _oos_scores(predicted) if not predicted.empty else pd.DataFrame()
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
    payout_rows = _winners_payout_rows(features, history.dividends) if not features.empty else pd.DataFrame()
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
            winner = race.winner if race.winner is not None and not pd.isna(race.winner) else None
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
                settled = _settle_race(decision.tickets, race_divs, race_runs).assign(race_date=day)
                ticket_frames.append(settled)
                done = settled[settled["outcome"] != "unsettled"]
                day_stake += float(done["stake_eur"].astype(float).sum())
                day_return += float(done["return_eur"].astype(float).sum())
                row["stake_eur"] = float(settled["stake_eur"].astype(float).sum())
            if winner is not None:
                fav = _settle_race(_favourite_ticket(runners).assign(race_key=key), race_divs, race_runs)
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
    report.by_bet_type = _money_table(settled, seed)
    favourites = pd.concat(favourite_frames, ignore_index=True) if favourite_frames else pd.DataFrame()
    report.favourite = _money_table(favourites, seed)
    _fill_counts(report, config)
    _fill_per_day(report, pd.DataFrame(per_day))
    return report


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
    report.scores, report.differences = _score_rows(scored, columns)
    for title, column, name in (
        ("the final odds", "p_final_market", "market (Shin, final odds)"),
        ("the H-30 odds", "p_h30_market", "market (Shin, H-30)"),
    ):
        subset = scored[scored[column].notna()]
        if subset.empty:
            continue
        table, diffs = _score_rows(
            subset,
            {
                f"p_finale: {label}": "p_finale",
                "market (Shin, H-5)": "p_market_shin",
                name: column,
            },
        )
        report.comparisons[title] = (table, diffs)
    single = _scorable(scored)
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
    model = _race_scores(report.scored, "p_finale")
    market = _race_scores(report.scored, "p_market")
    daily = (
        model.groupby("race_date")
        .agg(races=("race_key", "size"), log_loss=("log_loss", "mean"))
        .join(market.groupby("race_date").agg(market_log_loss=("log_loss", "mean")))
        .reset_index()
        .rename(columns={"race_date": "day"})
    )
    report.per_day = daily.merge(money, on="day", how="outer").sort_values("day")
