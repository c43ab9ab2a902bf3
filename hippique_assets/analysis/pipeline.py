"""One race's H-5 analysis, from its runners and odds to p_finale, EVs and tickets.

Shared by the ``race_analysis_h5`` asset and the walk-forward backtest so that both decide the same
way. Inputs are plain frames; reading them from Postgres is :mod:`hippique_assets.analysis.history`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from hippique_assets.analysis import factors
from hippique_assets.analysis.combinations import paid_places, place_probabilities
from hippique_assets.analysis.config import AnalysisConfig
from hippique_assets.analysis.market import market_probabilities
from hippique_assets.analysis.model import FittedModel, predict
from hippique_assets.analysis.tickets import TicketDecision, build_tickets

# Columns a fitted model may use: the factor scores, the market's log-probability and the raw drift.
MODEL_FEATURES = (*factors.FACTOR_NAMES, "market_logit", "drift_logit")


@dataclass
class RaceInputs:
    """What the analysis of one race needs.

    ``runners``: number, horse_id, jockey, trainer, musique, non_runner (the race's participants).
    ``odds_h5`` / ``odds_h30``: direct odds by runner number (``odds_h30`` None when no H-30 snapshot).
    ``history``: past runs (race_date, jockey, trainer, won) for the win rates.
    ``performances``: horse_id, past_race_date, reduction_km_s, discipline.
    """

    race_key: str
    as_of: date
    runners: pd.DataFrame
    odds_h5: pd.Series
    odds_h30: pd.Series | None
    history: pd.DataFrame
    performances: pd.DataFrame
    # Precomputed for a whole day by the backtest (None: computed from history and performances).
    jockey_rates: pd.DataFrame | None = None
    trainer_rates: pd.DataFrame | None = None
    best_reduction: pd.Series | None = None


@dataclass
class RaceAnalysis:
    runners: pd.DataFrame
    decision: TicketDecision
    method: str
    drift_available: bool


def priced_runners(inputs: RaceInputs) -> pd.DataFrame:
    """Runners that start and have usable H-5 odds (> 1), with their odds attached."""
    runners = inputs.runners.copy()
    runners["odds_h5"] = runners["number"].map(inputs.odds_h5)
    runners["odds_h30"] = runners["number"].map(inputs.odds_h30) if inputs.odds_h30 is not None else np.nan
    starting = ~runners["non_runner"].fillna(False).astype(bool)
    priced = pd.to_numeric(runners["odds_h5"], errors="coerce") > 1.0
    return runners[starting & priced].sort_values("number").reset_index(drop=True)


def race_features(inputs: RaceInputs, runners: pd.DataFrame, config: AnalysisConfig) -> pd.DataFrame:
    window, prior = config.factors.history_window_days, config.factors.prior_rides
    jockeys = inputs.jockey_rates
    if jockeys is None:
        jockeys = factors.win_rates(inputs.history, "jockey", inputs.as_of, window, prior)
    trainers = inputs.trainer_rates
    if trainers is None:
        trainers = factors.win_rates(inputs.history, "trainer", inputs.as_of, window, prior)
    best = inputs.best_reduction
    if best is None:
        best = factors.best_reduction(inputs.performances, inputs.as_of)
    drift = None
    if inputs.odds_h30 is not None:
        drift = factors.odds_drift(
            runners.set_index("number")["odds_h30"].astype(float),
            runners.set_index("number")["odds_h5"].astype(float),
        )
    return factors.race_features(runners, jockeys, trainers, best, drift)


def prepare_race(inputs: RaceInputs, config: AnalysisConfig) -> pd.DataFrame:
    """Priced runners with p_market (overround removed), the factor scores and ``market_logit``.

    Fewer than two priced runners give an empty frame: there is nothing to compare.
    """
    runners = priced_runners(inputs)
    if len(runners) < 2:
        return runners.iloc[0:0]
    p_market = market_probabilities(
        runners["odds_h5"].astype(float).to_numpy(), config.market.overround_method
    )
    runners["p_market"] = p_market
    runners["market_logit"] = np.log(p_market)
    # log(odds H-30 / odds H-5), unscaled: 0 when a snapshot is missing.
    drift = np.log(runners["odds_h30"].astype(float) / runners["odds_h5"].astype(float))
    runners["drift_logit"] = drift.where(np.isfinite(drift), 0.0).fillna(0.0)
    features = race_features(inputs, runners, config).set_index("number").reindex(runners["number"])
    for name in (*factors.FACTOR_NAMES, "drift_available"):
        runners[name] = features[name].to_numpy()
    runners["race_key"] = inputs.race_key
    return runners


def finale_probabilities(
    prepared: pd.DataFrame, config: AnalysisConfig, model: FittedModel | None
) -> tuple[np.ndarray, pd.DataFrame, str]:
    """p_finale of a prepared race, each factor's contribution, and the method used."""
    weights = config.factors.weights
    weight_map = {name: getattr(weights, name) for name in factors.FACTOR_NAMES}
    p_market = prepared["p_market"].to_numpy(dtype=float)
    p_factors, contributions = factors.combine(p_market, prepared, weight_map)
    if model is None:
        return p_factors, contributions, "factors"
    p_model = predict(prepared, model.coef, model.features)
    # With a model, a factor's contribution is its coefficient times its score.
    fitted = dict(zip(model.features, model.coef, strict=True))
    contributions = pd.DataFrame(
        {name: fitted.get(name, 0.0) * prepared[name].to_numpy(dtype=float) for name in factors.FACTOR_NAMES}
    )
    return p_model, contributions, f"model:{model.version}"


def analyse_race(
    inputs: RaceInputs, config: AnalysisConfig, model: FittedModel | None = None
) -> RaceAnalysis:
    """p_market (overround removed), p_finale (model when given, else weighted factors), EVs, tickets."""
    prepared = prepare_race(inputs, config)
    drift_available = bool(
        inputs.odds_h30 is not None and prepared.get("odds_h30", pd.Series()).notna().any()
    )
    if prepared.empty:
        empty = prepared.assign(p_market=np.nan, p_finale=np.nan, odds=np.nan)
        return RaceAnalysis(empty, build_tickets(inputs.race_key, empty, config), "none", drift_available)
    p_finale, contributions, method = finale_probabilities(prepared, config, model)
    runners = prepared.copy()
    runners["p_finale"] = p_finale
    for name in factors.FACTOR_NAMES:
        runners[name] = contributions[name].to_numpy()
    runners["p_place"] = place_probabilities(np.asarray(p_finale), paid_places(len(runners)))
    runners["ev_win"] = runners["p_finale"] * runners["odds_h5"].astype(float) - 1.0
    runners["drift_available"] = drift_available
    decision = build_tickets(
        inputs.race_key,
        runners[["number", "p_finale", "p_market"]].assign(odds=runners["odds_h5"].astype(float)),
        config,
    )
    return RaceAnalysis(runners, decision, method, drift_available)
