"""Adjustment factors from our own history: jockey and trainer win rates, musique form, best
reduction kilométrique, and the odds drift between H-30 and H-5.

Each factor becomes a within-race score (0 = the race's average runner) so that one weight means
the same thing in a field of 6 and of 18. p_finale multiplies the market probability by
``exp(sum(weight x score))`` and renormalises.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import numpy as np
import pandas as pd

from hippique_assets.analysis.config import FACTOR_NAMES
from hippique_assets.analysis.musique import MusiqueError, form_score, parse_musique


def win_rates(
    history: pd.DataFrame,
    who: str,
    as_of: date,
    window_days: int,
    prior_rides: float,
    prior_rate: float | None = None,
) -> pd.DataFrame:
    """Win rate of each ``who`` (jockey or trainer) over the window before ``as_of``, shrunk towards
    ``prior_rate`` (default: the window's overall rate) by ``prior_rides`` pseudo-rides."""
    columns = [who, "rides", "wins", "rate"]
    if history.empty:
        return pd.DataFrame(columns=columns)
    dates = pd.to_datetime(history["race_date"]).dt.date
    window = history[(dates < as_of) & (dates >= as_of - timedelta(days=window_days))]
    window = window.dropna(subset=[who])
    if window.empty:
        return pd.DataFrame(columns=columns)
    won = window["won"].astype(bool)
    overall = float(won.mean()) if prior_rate is None else prior_rate
    grouped = window.assign(won=won).groupby(who)["won"].agg(rides="size", wins="sum").reset_index()
    return shrunk_rates(grouped, who, overall, prior_rides)


def shrunk_rates(counts: pd.DataFrame, who: str, overall: float, prior_rides: float) -> pd.DataFrame:
    """``counts`` (``who``, rides, wins) with each win rate shrunk towards ``overall`` by
    ``prior_rides`` pseudo-rides: the one formula of :func:`win_rates` and of the H-5 query."""
    out = counts[[who, "rides", "wins"]].copy()
    out["rate"] = (out["wins"] + prior_rides * overall) / (out["rides"] + prior_rides)
    return out[[who, "rides", "wins", "rate"]]


def best_reduction(performances: pd.DataFrame, as_of: date) -> pd.Series:
    """Best (lowest) reduction kilométrique in seconds per km of each horse's races before ``as_of``."""
    if performances.empty:
        return pd.Series(dtype=float)
    dates = pd.to_datetime(performances["past_race_date"]).dt.date
    past = performances[(dates < as_of) & performances["reduction_km_s"].notna()]
    return past.groupby("horse_id")["reduction_km_s"].min().astype(float)


def odds_drift(odds_h30: pd.Series, odds_h5: pd.Series) -> pd.Series:
    """log(odds H-30 / odds H-5) by runner: positive when the horse was backed in the last 25 minutes."""
    aligned_h30, aligned_h5 = odds_h30.astype(float).align(odds_h5.astype(float))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = aligned_h30 / aligned_h5
        return pd.Series(np.log(ratio.to_numpy(float)), index=ratio.index)


def _standardise(values: pd.Series) -> pd.Series:
    """Centred and scaled within the race, clipped to +-3; missing values count as average (0)."""
    x = values.to_numpy(dtype=float)
    present = x[np.isfinite(x)]
    if present.size < 2 or present.std() == 0:
        return pd.Series(np.zeros(x.size), index=values.index)
    z = np.clip((x - present.mean()) / present.std(), -3.0, 3.0)
    return pd.Series(np.where(np.isfinite(z), z, 0.0), index=values.index)


def _form(musique: object) -> float:
    try:
        return form_score(parse_musique(musique if isinstance(musique, str) else None))
    except MusiqueError:
        return np.nan


def race_features(
    runners: pd.DataFrame,
    jockey_rates: pd.DataFrame,
    trainer_rates: pd.DataFrame,
    best_red: pd.Series,
    drift: pd.Series | None,
) -> pd.DataFrame:
    """One row per runner: ``number``, the within-race scores of :data:`FACTOR_NAMES`, ``drift_available``.

    ``runners``: number, horse_id, jockey, trainer, musique.
    """
    out = pd.DataFrame({"number": runners["number"].astype(int).to_numpy()})
    for name, rates in (("jockey", jockey_rates), ("trainer", trainer_rates)):
        rate = (
            runners[name].map(rates.set_index(name)["rate"])
            if not rates.empty
            else pd.Series(np.nan, index=runners.index)
        )
        logs = pd.Series(np.log(rate.to_numpy(float)), index=rate.index)
        out[name] = _standardise(logs.reset_index(drop=True))
    out["form"] = _standardise(runners["musique"].map(_form).astype(float).reset_index(drop=True))
    reduction = (
        runners["horse_id"].map(best_red) if not best_red.empty else pd.Series(np.nan, index=runners.index)
    )
    out["chrono"] = _standardise(-reduction.astype(float).reset_index(drop=True))
    if drift is None:
        out["drift"] = 0.0
        out["drift_available"] = False
    else:
        out["drift"] = _standardise(runners["number"].map(drift).astype(float).reset_index(drop=True))
        out["drift_available"] = True
    return out


def combine(
    p_market: np.ndarray, features: pd.DataFrame, weights: Mapping[str, float]
) -> tuple[np.ndarray, pd.DataFrame]:
    """p_finale proportional to p_market x exp(sum_k w_k x_k), and each factor's log-scale contribution."""
    p = np.asarray(p_market, dtype=float)
    contributions = pd.DataFrame(
        {name: float(weights.get(name, 0.0)) * features[name].to_numpy(dtype=float) for name in FACTOR_NAMES}
    )
    scores = np.log(p) + contributions.sum(axis=1).to_numpy()
    scores -= scores.max()
    p_finale = np.exp(scores)
    return p_finale / p_finale.sum(), contributions
