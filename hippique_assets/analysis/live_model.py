"""The fitted model the live analysis uses, with its post-time payout estimate and its
out-of-sample evidence."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hippique_assets.analysis.config import AnalysisConfig
from hippique_assets.analysis.edge import evidence_from_scores
from hippique_assets.analysis.model import FittedModel
from hippique_assets.analysis.payout import PayoutModel, fit_payout
from hippique_assets.analysis.period import PreparedPeriod, prepare_period
from hippique_assets.analysis.scores import scorable
from hippique_assets.analysis.stored_history import History, NoDataError, Progress
from hippique_assets.analysis.walk_forward import fit_on, walk_forward


def winners_payout_rows(features: pd.DataFrame, dividends: pd.DataFrame) -> pd.DataFrame:
    """Winners' H-5 odds and their official simple-gagnant dividend, by race."""
    winners = scorable(features)
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
    usable = scorable(period.features)
    if usable.empty or usable["race_key"].nunique() < config.model.min_train_races:
        found = 0 if usable.empty else usable["race_key"].nunique()
        raise NoDataError(
            f"{found} decidable finished races between {history.since} and {history.until}, "
            f"the model needs {config.model.min_train_races} (model.min_train_races)"
        )
    oos = walk_forward(period.features, days, config, progress=progress)
    model = fit_on(usable, config)
    model.payout = payout_model_from(winners_payout_rows(period.features, history.dividends), config)
    model.evidence = evidence_from_scores(oos.scores) if not oos.scores.empty else None
    return model, period
