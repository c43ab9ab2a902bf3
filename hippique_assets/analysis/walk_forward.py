"""Out-of-sample probabilities: each day predicted by a model fitted on the days before it only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from hippique_assets.analysis.config import AnalysisConfig
from hippique_assets.analysis.model import FittedModel, fit_model, predict
from hippique_assets.analysis.pipeline import (
    finale_probabilities,
)
from hippique_assets.analysis.scores import oos_scores, scorable
from hippique_assets.analysis.stored_history import Progress


@dataclass
class WalkForward:
    """Out-of-sample predictions: each day predicted by a model fitted on the days before it."""

    models: dict[date, FittedModel]
    scores: pd.DataFrame  # per race: race_date, log_loss, market_log_loss


def fit_on(races: pd.DataFrame, config: AnalysisConfig) -> FittedModel:
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
    usable = scorable(features)
    for day in sorted(days):
        today = features[features["race_date"] == day] if not features.empty else features
        if today.empty:
            continue
        past = usable[usable["race_date"] < day]
        if past["race_key"].nunique() < config.model.min_train_races:
            continue
        model = fit_on(past, config)
        models[day] = model
        frames.append(today.assign(p_model=predict(today, model.coef, model.features)))
        if progress is not None:
            progress("walk-forward", day)
    predicted = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    scores = oos_scores(predicted) if not predicted.empty else pd.DataFrame()
    return WalkForward(models, scores)


def factor_predictions(features: pd.DataFrame, config: AnalysisConfig) -> pd.DataFrame:
    """Runner rows with ``p_model`` = the factor-weighted probabilities (no fit)."""
    frames = []
    for _, race in features.groupby("race_key", sort=False):
        p, _, _ = finale_probabilities(race, config, None)
        frames.append(race.assign(p_model=p))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
