"""One race's H-5 analysis, from its stored rows to features, p_finale, EVs and tickets.

The ``race_analysis_h5`` asset and the backtest both go through :func:`assemble_inputs`,
:func:`prepare_race` and :func:`score_race`, so a race backtested on stored snapshots is decided
exactly as the live H-5 run decided it. Inputs are plain frames; reading them from Postgres is
:mod:`hippique_assets.analysis.history` (one race) and :mod:`hippique_assets.analysis.backtest`
(a period).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from hippique_assets.analysis import factors
from hippique_assets.analysis.combinations import paid_places, place_probabilities
from hippique_assets.analysis.config import MODEL_FEATURES, AnalysisConfig
from hippique_assets.analysis.edge import EdgeEvidence, edge_gate
from hippique_assets.analysis.market import check_market, market_probabilities, proportional
from hippique_assets.analysis.model import FittedModel, predict
from hippique_assets.analysis.payout import PayoutModel
from hippique_assets.analysis.price_shape import shape_columns
from hippique_assets.analysis.snapshots import PhaseOdds, final_proxy_odds, phase_odds
from hippique_assets.analysis.tickets import TicketDecision, abstention, build_tickets

RUNNER_COLUMNS = ["number", "horse_id", "jockey", "trainer", "musique"]
ODDS_SOURCES = ("snapshots", "final_proxy")


@dataclass
class RaceInputs:
    """What the analysis of one race needs, all known at its H-5 decision instant.

    ``runners``: number, horse_id, jockey, trainer, musique (the race's participants).
    ``h5`` / ``h30``: the odds known at each phase (:mod:`hippique_assets.analysis.snapshots`); a
    runner is a starter when the H-5 odds do not mark it as a non-runner.
    ``history``: past runs (race_date, jockey, trainer, won) for the win rates.
    ``performances``: horse_id, past_race_date, reduction_km_s, discipline.
    """

    race_key: str
    as_of: date
    runners: pd.DataFrame
    h5: PhaseOdds
    h30: PhaseOdds
    history: pd.DataFrame
    performances: pd.DataFrame
    # Precomputed for a whole day by the backtest (None: computed from history and performances).
    jockey_rates: pd.DataFrame | None = None
    trainer_rates: pd.DataFrame | None = None
    best_reduction: pd.Series | None = None


@dataclass
class PreparedRace:
    """A race's starters with their features, or the reason it cannot be decided."""

    race_key: str
    runners: pd.DataFrame
    skip_reason: str | None
    odds_source: str
    h5_captured_at: pd.Timestamp | None
    h30_captured_at: pd.Timestamp | None
    drift_available: bool

    @property
    def decidable(self) -> bool:
        return self.skip_reason is None


@dataclass
class RaceAnalysis:
    runners: pd.DataFrame
    decision: TicketDecision
    method: str
    drift_available: bool
    prepared: PreparedRace


def assemble_inputs(
    race_key: str,
    as_of: date,
    start_utc: datetime | pd.Timestamp | None,
    runners: pd.DataFrame,
    snapshots: pd.DataFrame,
    history: pd.DataFrame,
    performances: pd.DataFrame,
    config: AnalysisConfig,
    *,
    odds_source: str = "snapshots",
    decision_phase: str = "h5",
    jockey_rates: pd.DataFrame | None = None,
    trainer_rates: pd.DataFrame | None = None,
    best_reduction: pd.Series | None = None,
) -> RaceInputs:
    """The inputs of one race from its stored rows.

    ``odds_source="snapshots"`` reads the odds known at H-5 and H-30 from ``snapshots`` (rows of
    ``pmu.odds_snapshots``). ``"final_proxy"`` is the explicitly optimistic mode for days without
    snapshots: ``runners`` must then carry odds_direct, odds_reference and non_runner.
    ``decision_phase`` moves the decision instant (``h2``: the odds known 2 minutes before the off);
    the decision's odds still fill the ``h5`` slot of the inputs.
    """
    if odds_source == "snapshots":
        max_age = config.decision.max_capture_age_min
        h5 = phase_odds(snapshots, start_utc, decision_phase, max_age)
        h30 = phase_odds(snapshots, start_utc, "h30", max_age)
    elif odds_source == "final_proxy":
        h5, h30 = final_proxy_odds(runners, "h5"), final_proxy_odds(runners, "h30")
    else:
        raise ValueError(f"unknown odds source {odds_source!r}: use one of {ODDS_SOURCES}")
    return RaceInputs(
        race_key=race_key,
        as_of=as_of,
        runners=runners[RUNNER_COLUMNS].copy(),
        h5=h5,
        h30=h30,
        history=history,
        performances=performances,
        jockey_rates=jockey_rates,
        trainer_rates=trainer_rates,
        best_reduction=best_reduction,
    )


def starters(inputs: RaceInputs) -> pd.DataFrame:
    """Runners not marked as non-runners at H-5, with their H-5, H-30 and reference odds."""
    runners = inputs.runners.copy()
    runners["number"] = runners["number"].astype(int)
    runners = runners[~runners["number"].isin(inputs.h5.non_runners)]
    runners["odds_h5"] = runners["number"].map(inputs.h5.odds).astype(float)
    runners["odds_h30"] = (
        runners["number"].map(inputs.h30.odds).astype(float) if inputs.h30.available else np.nan
    )
    runners["odds_ref"] = runners["number"].map(inputs.h5.reference).astype(float)
    return runners.sort_values("number").reset_index(drop=True)


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
    if runners["odds_h30"].notna().any():
        drift = factors.odds_drift(
            runners.set_index("number")["odds_h30"].astype(float),
            runners.set_index("number")["odds_h5"].astype(float),
        )
    return factors.race_features(runners, jockeys, trainers, best, drift)


def _log_ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = numerator.astype(float) / denominator.astype(float)
        value = pd.Series(np.log(ratio.to_numpy(float)), index=ratio.index)
    return value.where(np.isfinite(value), 0.0).fillna(0.0)


def prepare_race(inputs: RaceInputs, config: AnalysisConfig) -> PreparedRace:
    """The starters with p_market (overround removed), the factor scores and the market features.

    A race without usable H-5 odds, or whose H-5 market is impossible (an unpriced starter, odds at
    or below 1, a sum of 1/odds outside the plausible band), comes back empty with the reason.
    """
    drift_available = inputs.h30.available
    base: dict[str, Any] = dict(
        race_key=inputs.race_key,
        odds_source=inputs.h5.source,
        h5_captured_at=inputs.h5.captured_at,
        h30_captured_at=inputs.h30.captured_at if drift_available else None,
    )
    if not inputs.h5.available:
        reason = f"no H-5 odds: {inputs.h5.problem or 'none stored'}"
        return PreparedRace(runners=pd.DataFrame(), skip_reason=reason, drift_available=False, **base)
    runners = starters(inputs)
    problem = check_market(
        runners["number"].tolist(),
        runners["odds_h5"].to_numpy(float),
        config.decision.overround_min,
        config.decision.overround_max,
    )
    if problem is not None:
        return PreparedRace(
            runners=runners.iloc[0:0],
            skip_reason=problem,
            drift_available=drift_available,
            **base,
        )
    odds = runners["odds_h5"].to_numpy(float)
    p_market = market_probabilities(odds, config.market.overround_method)
    runners["p_market"] = p_market
    runners["market_logit"] = np.log(p_market)
    runners["market_logit_sq"] = runners["market_logit"] ** 2
    for name, values in shape_columns(
        runners["market_logit"].to_numpy(float), config.model.shape_knots
    ).items():
        runners[name] = values
    # log(odds H-30 / odds H-5), unscaled: positive when the horse was backed; 0 when H-30 is missing.
    runners["drift_logit"] = _log_ratio(runners["odds_h30"], runners["odds_h5"])
    # The reference price against the direct one, both as known at H-5 (0 when a price is missing).
    reference = runners["odds_ref"].to_numpy(float)
    if np.isfinite(reference).all() and (reference > 1.0).all():
        runners["reference_logit"] = np.log(proportional(reference)) - np.log(proportional(odds))
    else:
        runners["reference_logit"] = 0.0
    features = race_features(inputs, runners, config).set_index("number").reindex(runners["number"])
    for name in factors.FACTOR_NAMES:
        runners[name] = features[name].to_numpy(dtype=float)
    runners["drift_available"] = drift_available
    runners["race_key"] = inputs.race_key
    return PreparedRace(runners=runners, skip_reason=None, drift_available=drift_available, **base)


def finale_probabilities(
    prepared: pd.DataFrame, config: AnalysisConfig, model: FittedModel | None
) -> tuple[np.ndarray, pd.DataFrame, str]:
    """p_finale of a prepared race, each factor's contribution, and the method used."""
    if model is None:
        weights = config.factors.weights
        weight_map = {name: getattr(weights, name) for name in factors.FACTOR_NAMES}
        p_factors, contributions = factors.combine(
            prepared["p_market"].to_numpy(dtype=float), prepared, weight_map
        )
        return p_factors, contributions, "factors"
    p_model = predict(prepared, model.coef, model.features)
    # With a model, a factor's contribution is its coefficient times its score.
    fitted = dict(zip(model.features, model.coef, strict=True))
    contributions = pd.DataFrame(
        {name: fitted.get(name, 0.0) * prepared[name].to_numpy(dtype=float) for name in factors.FACTOR_NAMES}
    )
    return p_model, contributions, f"model:{model.version}"


def score_race(
    prepared: PreparedRace,
    config: AnalysisConfig,
    model: FittedModel | None = None,
    *,
    evidence: EdgeEvidence | None = None,
    payout: PayoutModel | None = None,
) -> RaceAnalysis:
    """p_finale (the model when given, else the weighted factors), EVs at the expected post-time
    payout, and the tickets, or an abstention with its reason.

    ``evidence`` and ``payout`` default to the model's own (recorded when it was fitted); without
    a model there is no out-of-sample evidence, and the edge rule abstains when it is on.
    """
    if model is not None:
        evidence = evidence if evidence is not None else model.evidence
        payout = payout if payout is not None else model.payout
    payout = payout if payout is not None else PayoutModel.identity()
    if not prepared.decidable:
        decision = abstention(str(prepared.skip_reason))
        return RaceAnalysis(prepared.runners, decision, "none", prepared.drift_available, prepared)
    p_finale, contributions, method = finale_probabilities(prepared.runners, config, model)
    runners = prepared.runners.copy()
    for name in MODEL_FEATURES:
        runners[f"x_{name}"] = runners[name].to_numpy(dtype=float)
    runners["p_finale"] = p_finale
    for name in factors.FACTOR_NAMES:
        runners[name] = contributions[name].to_numpy()
    runners["p_place"] = place_probabilities(np.asarray(p_finale), paid_places(len(runners)))
    runners["payout_win"] = payout.expected(runners["odds_h5"].to_numpy(dtype=float))
    runners["ev_win"] = runners["p_finale"] * runners["payout_win"] - 1.0
    decision = build_tickets(
        prepared.race_key,
        runners[["number", "p_finale", "p_market"]].assign(odds=runners["payout_win"]),
        config,
        blocked=edge_gate(evidence, config.edge),
    )
    return RaceAnalysis(runners, decision, method, prepared.drift_available, prepared)


def analyse_race(
    inputs: RaceInputs, config: AnalysisConfig, model: FittedModel | None = None
) -> RaceAnalysis:
    """:func:`prepare_race` then :func:`score_race` with the model's own evidence and payout."""
    return score_race(prepare_race(inputs, config), config, model)
