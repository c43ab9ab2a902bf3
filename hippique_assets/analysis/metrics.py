"""How good were the probabilities and the bets: Brier score, log-loss, calibration, ROI."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

EPS = 1e-12


def brier_score(probabilities: Sequence[float], winner_index: int) -> float:
    """Multi-class Brier score of one race: sum over runners of (p - won)^2 (0 is perfect, 2 the worst)."""
    p = np.asarray(probabilities, dtype=float)
    outcome = np.zeros_like(p)
    outcome[winner_index] = 1.0
    return float(((p - outcome) ** 2).sum())


def log_loss(probabilities: Sequence[float], winner_index: int, eps: float = EPS) -> float:
    """-ln of the probability given to the winner."""
    return float(-np.log(max(float(np.asarray(probabilities, dtype=float)[winner_index]), eps)))


def race_scores(frame: pd.DataFrame, prob_col: str) -> pd.DataFrame:
    """One row per race (race_key, brier, log_loss) from runner rows (race_key, ``prob_col``, won).

    Races without exactly one winner among the rows are skipped.
    """
    rows = []
    for race_key, race in frame.groupby("race_key", sort=True):
        won = race["won"].fillna(False).astype(bool).to_numpy()
        if won.sum() != 1:
            continue
        p = race[prob_col].to_numpy(dtype=float)
        winner = int(np.flatnonzero(won)[0])
        rows.append({"race_key": race_key, "brier": brier_score(p, winner), "log_loss": log_loss(p, winner)})
    return pd.DataFrame(rows, columns=["race_key", "brier", "log_loss"])


def calibration_table(p: Sequence[float], won: Sequence[bool], bins: int = 10) -> pd.DataFrame:
    """Runners grouped by predicted probability into ``bins`` equal-count bins: mean p vs hit rate."""
    frame = pd.DataFrame({"p": np.asarray(p, dtype=float), "won": np.asarray(won, dtype=bool)}).dropna()
    if frame.empty:
        return pd.DataFrame(columns=["bin", "n", "mean_p", "hit_rate"])
    frame["bin"] = pd.qcut(frame["p"].rank(method="first"), q=min(bins, len(frame)), labels=False) + 1
    grouped = frame.groupby("bin").agg(n=("p", "size"), mean_p=("p", "mean"), hit_rate=("won", "mean"))
    return grouped.reset_index()


def roi(stake: float, returned: float) -> float | None:
    """(returned - stake) / stake; None when nothing was staked."""
    if stake <= 0:
        return None
    return (returned - stake) / stake
