"""A conditional logit per race (McFadden): P(i wins) = exp(beta . x_i) / sum_j exp(beta . x_j).

The features are the factor scores plus the market's log-probability, so the fitted ``beta`` says
how much to trust the market and how much each factor adds. Fitted by L-BFGS with an analytic
gradient and a small L2 penalty; saved as JSON with its version, the analysis config version it
was fitted under, the post-time payout estimate and its out-of-sample evidence.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from hippique_assets.analysis.edge import EdgeEvidence
from hippique_assets.analysis.payout import PayoutModel

FORMAT_VERSION = 2


@dataclass
class FittedModel:
    version: str
    features: tuple[str, ...]
    coef: np.ndarray
    n_races: int
    n_runners: int
    log_loss: float
    fitted_from: date
    fitted_to: date
    fitted_at: datetime
    config_version: str = ""
    payout: PayoutModel = field(default_factory=PayoutModel.identity)
    evidence: EdgeEvidence | None = None


def _groups(frame: pd.DataFrame, race_col: str) -> tuple[np.ndarray, np.ndarray]:
    codes, _ = pd.factorize(frame[race_col], sort=False)
    order = np.argsort(codes, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0])
    return order, starts


def _race_softmax(utility: np.ndarray, starts: np.ndarray) -> np.ndarray:
    maxima = np.maximum.reduceat(utility, starts)
    sizes = np.diff(np.r_[starts, len(utility)])
    shifted = np.exp(utility - np.repeat(maxima, sizes))
    return shifted / np.repeat(np.add.reduceat(shifted, starts), sizes)


def fit_conditional_logit(
    frame: pd.DataFrame,
    features: Sequence[str],
    race_col: str = "race_key",
    won_col: str = "won",
    l2: float = 1e-3,
) -> np.ndarray:
    """Coefficients maximising the penalised likelihood of the winners (one per race)."""
    from scipy.optimize import minimize  # imported here: scipy.optimize takes 0.4 s to import

    order, starts = _groups(frame, race_col)
    x = frame[list(features)].to_numpy(dtype=float)[order]
    y = frame[won_col].to_numpy(dtype=bool)[order].astype(float)
    n_races = len(starts)

    def objective(beta: np.ndarray) -> tuple[float, np.ndarray]:
        p = _race_softmax(x @ beta, starts)
        loss = -np.sum(y * np.log(np.clip(p, 1e-300, None))) / n_races + l2 * beta @ beta
        grad = x.T @ (p - y) / n_races + 2 * l2 * beta
        return float(loss), grad

    result = minimize(objective, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B")
    return result.x


def predict(
    frame: pd.DataFrame, coef: np.ndarray, features: Sequence[str], race_col: str = "race_key"
) -> np.ndarray:
    """Win probabilities in ``frame``'s row order, summing to 1 within each race."""
    order, starts = _groups(frame, race_col)
    x = frame[list(features)].to_numpy(dtype=float)[order]
    p_sorted = _race_softmax(x @ np.asarray(coef, dtype=float), starts)
    p = np.empty_like(p_sorted)
    p[order] = p_sorted
    return p


def single_winner_races(
    frame: pd.DataFrame, race_col: str = "race_key", won_col: str = "won"
) -> pd.DataFrame:
    """Rows of races with exactly one winner (dead heats and unresolved races are left out)."""
    winners = frame.groupby(race_col)[won_col].transform("sum")
    return frame[winners == 1]


def fit_model(
    frame: pd.DataFrame,
    features: Sequence[str],
    fitted_from: date,
    fitted_to: date,
    l2: float = 1e-3,
    *,
    config_version: str = "",
) -> FittedModel:
    usable = single_winner_races(frame)
    if usable.empty:
        raise ValueError(
            f"no race with exactly one winner between {fitted_from} and {fitted_to}: nothing to fit"
        )
    coef = fit_conditional_logit(usable, features, l2=l2)
    p = predict(usable, coef, features)
    loss = float(-np.log(np.clip(p[usable["won"].to_numpy(dtype=bool)], 1e-12, None)).mean())
    now = datetime.now(UTC)
    return FittedModel(
        version=f"clogit-{fitted_to:%Y%m%d}-{now:%H%M%S}",
        features=tuple(features),
        coef=coef,
        n_races=int(usable["race_key"].nunique()),
        n_runners=len(usable),
        log_loss=loss,
        fitted_from=fitted_from,
        fitted_to=fitted_to,
        fitted_at=now,
        config_version=config_version,
    )


def model_to_json(model: FittedModel) -> str:
    return json.dumps(
        {
            "format": FORMAT_VERSION,
            "version": model.version,
            "features": list(model.features),
            "coef": [float(c) for c in model.coef],
            "n_races": model.n_races,
            "n_runners": model.n_runners,
            "log_loss": model.log_loss,
            "fitted_from": model.fitted_from.isoformat(),
            "fitted_to": model.fitted_to.isoformat(),
            "fitted_at": model.fitted_at.isoformat(),
            "config_version": model.config_version,
            "payout": model.payout.to_dict(),
            "evidence": model.evidence.to_dict() if model.evidence is not None else None,
        },
        indent=2,
    )


def model_from_json(text: str, where: str = "model") -> FittedModel:
    raw = json.loads(text)
    if raw.get("format") != FORMAT_VERSION:
        raise ValueError(
            f"{where}: model format {raw.get('format')!r}, this code reads {FORMAT_VERSION}: "
            "materialize gpi_model (or run hippique model fit) again"
        )
    return FittedModel(
        version=raw["version"],
        features=tuple(raw["features"]),
        coef=np.asarray(raw["coef"], dtype=float),
        n_races=raw["n_races"],
        n_runners=raw["n_runners"],
        log_loss=raw["log_loss"],
        fitted_from=date.fromisoformat(raw["fitted_from"]),
        fitted_to=date.fromisoformat(raw["fitted_to"]),
        fitted_at=datetime.fromisoformat(raw["fitted_at"]),
        config_version=raw.get("config_version", ""),
        payout=PayoutModel.from_dict(raw["payout"]),
        evidence=EdgeEvidence.from_dict(raw["evidence"]) if raw.get("evidence") else None,
    )


def save_model(model: FittedModel, path: str | Path) -> None:
    Path(path).write_text(model_to_json(model), encoding="utf-8")


def load_model(path: str | Path) -> FittedModel:
    return model_from_json(Path(path).read_text(encoding="utf-8"), str(path))
