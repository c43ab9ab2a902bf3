"""Walk-forward backtest over stored history, and the model fit that feeds the live analysis.

For every day of the period: features are computed as of that day (history strictly before it),
the conditional logit is fitted on the days before, p_finale predicted, tickets built with the same
code as the H-5 asset and settled on the day's official dividends. Stored days hold no H-5/H-30
snapshots, so the final direct odds stand in for H-5 and the morning reference odds for H-30.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from hippique_assets.analysis import factors
from hippique_assets.analysis.config import AnalysisConfig
from hippique_assets.analysis.history import QueryRunner
from hippique_assets.analysis.metrics import calibration_table, race_scores, roi
from hippique_assets.analysis.model import FittedModel, fit_model, predict
from hippique_assets.analysis.pipeline import RaceInputs, prepare_race
from hippique_assets.analysis.settlement import settle
from hippique_assets.analysis.tickets import build_tickets

RUNS_SQL = """
select p.race_date, p.race_key, p.number, p.horse_id, p.jockey, p.trainer, p.musique,
       coalesce(p.non_runner, false) as non_runner, p.odds_direct, p.odds_reference, p.finish_rank
from pmu.participants p
where p.race_date >= %(since)s and p.race_date <= %(until)s
"""
PERFORMANCES_SQL = """
select horse_id, past_race_date, reduction_km_s, discipline from pmu.performances
where past_race_date >= %(since)s and past_race_date < %(until)s
"""
DIVIDENDS_SQL = """
select race_key, bet_type, combination, combination_numbers, has_non_runner, dividend_per_eur
from pmu.dividends where race_date >= %(since)s and race_date <= %(until)s
"""


def load_runs(db: QueryRunner, since: date, until: date) -> pd.DataFrame:
    runs = db.query_frame(RUNS_SQL, {"since": since, "until": until})
    runs["race_date"] = pd.to_datetime(runs["race_date"]).dt.date
    runs["number"] = runs["number"].astype(int)
    runs["won"] = runs["finish_rank"].astype("Float64").eq(1).fillna(False).astype(bool)
    return runs


def day_features(
    runs: pd.DataFrame, performances: pd.DataFrame, day: date, config: AnalysisConfig
) -> pd.DataFrame:
    """Prepared runner rows (features as of ``day``) of every race of ``day`` that has a result."""
    history = runs[(runs["race_date"] < day) & runs["finish_rank"].notna() & ~runs["non_runner"]]
    history = history[["race_date", "jockey", "trainer", "won"]]
    today = runs[runs["race_date"] == day]
    window, prior = config.factors.history_window_days, config.factors.prior_rides
    jockeys = factors.win_rates(history, "jockey", day, window, prior)
    trainers = factors.win_rates(history, "trainer", day, window, prior)
    horses = set(today["horse_id"].dropna())
    best = factors.best_reduction(performances[performances["horse_id"].isin(horses)], day)
    frames = []
    for race_key, race in today.groupby("race_key", sort=True):
        if not race["won"].any():
            continue
        odds_h5 = race.set_index("number")["odds_direct"].astype(float)
        odds_h30 = race.set_index("number")["odds_reference"].astype(float)
        inputs = RaceInputs(
            race_key=race_key,
            as_of=day,
            runners=race[["number", "horse_id", "jockey", "trainer", "musique", "non_runner"]],
            odds_h5=odds_h5,
            odds_h30=odds_h30 if odds_h30.notna().any() else None,
            history=history,
            performances=performances,
            jockey_rates=jockeys,
            trainer_rates=trainers,
            best_reduction=best,
        )
        prepared = prepare_race(inputs, config)
        if prepared.empty:
            continue
        prepared["race_date"] = day
        prepared["won"] = prepared["number"].map(race.set_index("number")["won"]).fillna(False).astype(bool)
        frames.append(prepared)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def feature_table(
    db: QueryRunner,
    days: Iterable[date],
    config: AnalysisConfig,
    *,
    progress: Callable[[date], None] | None = None,
) -> pd.DataFrame:
    days = sorted(days)
    window = timedelta(days=config.factors.history_window_days)
    runs = load_runs(db, days[0] - window, days[-1])
    performances = db.query_frame(
        PERFORMANCES_SQL, {"since": days[0] - window - timedelta(days=3650), "until": days[-1]}
    )
    performances["past_race_date"] = pd.to_datetime(performances["past_race_date"]).dt.date
    frames = []
    for day in days:
        frames.append(day_features(runs, performances, day, config))
        if progress is not None:
            progress(day)
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def fit_on(features: pd.DataFrame, config: AnalysisConfig, start: date, end: date) -> FittedModel:
    return fit_model(features, config.model.features, start, end, l2=config.model.l2)


@dataclass
class BacktestReport:
    start: date
    end: date
    days: int = 0
    races: int = 0
    model_log_loss: float | None = None
    market_log_loss: float | None = None
    model_brier: float | None = None
    market_brier: float | None = None
    tickets: int = 0
    won: int = 0
    stake_eur: float = 0.0
    return_eur: float = 0.0
    calibration: pd.DataFrame = field(default_factory=pd.DataFrame)
    per_day: pd.DataFrame = field(default_factory=pd.DataFrame)
    last_coef: dict[str, float] = field(default_factory=dict)

    @property
    def roi(self) -> float | None:
        return roi(self.stake_eur, self.return_eur)

    @property
    def log_loss_gain(self) -> float | None:
        if self.model_log_loss is None or self.market_log_loss is None:
            return None
        return self.market_log_loss - self.model_log_loss

    def markdown(self) -> str:
        def fmt(v: float | None, pattern: str = "{:.4f}") -> str:
            return "-" if v is None else pattern.format(v)

        lines = [
            f"# Backtest {self.start} .. {self.end}",
            "",
            f"- days {self.days}, races scored {self.races}",
            f"- log-loss: model {fmt(self.model_log_loss)}, market {fmt(self.market_log_loss)}, "
            f"gain {fmt(self.log_loss_gain)}",
            f"- Brier: model {fmt(self.model_brier)}, market {fmt(self.market_brier)}",
            f"- tickets {self.tickets} ({self.won} won), stake {self.stake_eur:.2f} EUR, "
            f"return {self.return_eur:.2f} EUR, ROI {fmt(self.roi, '{:+.1%}')}",
            f"- last model coefficients: {', '.join(f'{k} {v:+.3f}' for k, v in self.last_coef.items())}",
            "",
            "## Calibration of p_finale by decile",
            "",
            self.calibration.round(4).to_markdown(index=False) if not self.calibration.empty else "_none_",
            "",
            "## Per day",
            "",
            self.per_day.round(4).to_markdown(index=False) if not self.per_day.empty else "_none_",
        ]
        return "\n".join(lines)


def walk_forward(
    db: QueryRunner,
    start: date,
    end: date,
    config: AnalysisConfig,
    *,
    min_train_races: int = 100,
    progress: Callable[[str, date], None] | None = None,
) -> BacktestReport:
    """Fit on the past only, predict each day, bet and settle; compare with the market baseline."""
    if end < start:
        raise ValueError(f"--to {end} is before --from {start}")
    first = db.query_frame("select min(race_date) as first from pmu.races")["first"].iloc[0]
    if first is None:
        raise LookupError("pmu.races is empty: ingest some days first")
    first = pd.Timestamp(first).date()
    all_days = [first + timedelta(days=i) for i in range((end - first).days + 1)]
    features = feature_table(
        db, all_days, config, progress=(lambda d: progress("features", d)) if progress else None
    )
    if features.empty:
        raise LookupError(f"no finished race stored up to {end}")
    dividends = db.query_frame(DIVIDENDS_SQL, {"since": start, "until": end})
    report = BacktestReport(start, end)
    scored, per_day = [], []
    for offset in range((end - start).days + 1):
        day = start + timedelta(days=offset)
        today = features[features["race_date"] == day]
        past = features[features["race_date"] < day]
        if progress is not None:
            progress("walk", day)
        if today.empty or past["race_key"].nunique() < min_train_races:
            continue
        model = fit_on(past, config, pd.Timestamp(past["race_date"].min()).date(), day - timedelta(days=1))
        report.last_coef = dict(zip(model.features, np.round(model.coef, 4).tolist(), strict=True))
        today = today.assign(p_finale=predict(today, model.coef, model.features))
        scored.append(today)
        day_stake = day_return = 0.0
        for race_key, race in today.groupby("race_key"):
            decision = build_tickets(
                race_key,
                race[["number", "p_finale", "p_market"]].assign(odds=race["odds_h5"].astype(float)),
                config,
            )
            if decision.abstained:
                continue
            race_divs = dividends[dividends["race_key"] == race_key]
            if race_divs.empty:
                continue
            non_runners: list[int] = []
            arrival = [int(race.loc[race["won"], "number"].iloc[0])]
            settled = settle(decision.tickets, race_divs, non_runners, arrival)
            report.tickets += len(settled)
            report.won += int((settled["outcome"] == "won").sum())
            day_stake += float(settled["stake_eur"].sum())
            day_return += float(settled["return_eur"].sum())
        report.stake_eur += day_stake
        report.return_eur += day_return
        model_scores, market_scores = race_scores(today, "p_finale"), race_scores(today, "p_market")
        per_day.append(
            {
                "day": day,
                "races": len(model_scores),
                "model_log_loss": model_scores["log_loss"].mean(),
                "market_log_loss": market_scores["log_loss"].mean(),
                "stake_eur": day_stake,
                "return_eur": day_return,
            }
        )
        report.days += 1
    if scored:
        all_scored = pd.concat(scored, ignore_index=True)
        model_scores, market_scores = race_scores(all_scored, "p_finale"), race_scores(all_scored, "p_market")
        report.races = len(model_scores)
        report.model_log_loss = float(model_scores["log_loss"].mean())
        report.market_log_loss = float(market_scores["log_loss"].mean())
        report.model_brier = float(model_scores["brier"].mean())
        report.market_brier = float(market_scores["brier"].mean())
        report.calibration = calibration_table(all_scored["p_finale"], all_scored["won"])
    report.per_day = pd.DataFrame(per_day)
    return report
