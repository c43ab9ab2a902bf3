"""Per-race log-loss and Brier of a probability column, and tables of them with standard errors
clustered by racing day, side by side with the decision-instant market."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hippique_assets.analysis.config import AnalysisConfig
from hippique_assets.analysis.market import check_market, market_probabilities
from hippique_assets.analysis.metrics import (
    brier_score,
    clustered_mean_se,
    log_loss,
)
from hippique_assets.analysis.model import single_winner_races


def scorable(features: pd.DataFrame) -> pd.DataFrame:
    return single_winner_races(features) if not features.empty else features


def race_scores(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """race_key, race_date, log_loss, brier of ``column`` on single-winner races."""
    rows = []
    for key, race in scorable(frame).groupby("race_key", sort=False):
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


def oos_scores(predicted: pd.DataFrame) -> pd.DataFrame:
    model = race_scores(predicted, "p_model")
    market = race_scores(predicted, "p_market").rename(
        columns={"log_loss": "market_log_loss", "brier": "market_brier"}
    )
    return model.merge(market[["race_key", "market_log_loss", "market_brier"]], on="race_key")


def final_market(race_runs: pd.DataFrame, starters: list[int], config: AnalysisConfig) -> np.ndarray | None:
    """The final-odds market on the H-5 starters, when it is complete and plausible."""
    final = race_runs[~race_runs["non_runner"]].set_index("number")
    if sorted(final.index.astype(int)) != sorted(starters):
        return None
    return plausible_market(starters, final.loc[starters, "odds_direct"].astype(float).to_numpy(), config)


def h30_market(runners: pd.DataFrame, config: AnalysisConfig) -> np.ndarray | None:
    """The H-30 market on the H-5 starters, when every one of them was priced then."""
    return plausible_market(
        runners["number"].astype(int).tolist(), runners["odds_h30"].to_numpy(float), config
    )


def plausible_market(numbers: list[int], odds: np.ndarray, config: AnalysisConfig) -> np.ndarray | None:
    """The market probabilities of ``odds``; None when the market fails the decision's checks."""
    if check_market(numbers, odds, config.decision.overround_min, config.decision.overround_max):
        return None
    return market_probabilities(odds, config.market.overround_method)


def score_rows(scored: pd.DataFrame, columns: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean log-loss and Brier of each probability column with SEs clustered by day, and each
    one's difference from the decision-instant market."""
    per_race = {name: race_scores(scored, column) for name, column in columns.items()}
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
