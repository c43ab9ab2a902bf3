"""How good were the probabilities and the bets: Brier score, log-loss, calibration, ROI."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

EPS = 1e-12


def brier_score(probabilities: npt.ArrayLike, winner_index: int) -> float:
    """Multi-class Brier score of one race: sum over runners of (p - won)^2 (0 is perfect, 2 the worst)."""
    p = np.asarray(probabilities, dtype=float)
    outcome = np.zeros_like(p)
    outcome[winner_index] = 1.0
    return float(((p - outcome) ** 2).sum())


def log_loss(probabilities: npt.ArrayLike, winner_index: int, eps: float = EPS) -> float:
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


def calibration_table(p: npt.ArrayLike, won: npt.ArrayLike, bins: int = 10) -> pd.DataFrame:
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


def clustered_mean_se(values: npt.ArrayLike, clusters: npt.ArrayLike) -> tuple[float, float]:
    """Mean of ``values`` and its standard error with observations clustered (e.g. by racing day).

    Races of one day are not independent draws; the cluster-robust variance sums each cluster's
    deviations before squaring. Returns (nan, nan) without values, SE nan with one cluster.
    """
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return float("nan"), float("nan")
    mean = float(x.mean())
    sums = pd.Series(x - mean).groupby(np.asarray(clusters, dtype=object)).sum().to_numpy()
    g = sums.size
    if g < 2:
        return mean, float("nan")
    return mean, float(np.sqrt(g / (g - 1) * (sums**2).sum()) / x.size)


def calibration_error(p: npt.ArrayLike, won: npt.ArrayLike, bins: int = 10) -> float | None:
    """Expected calibration error: the hit-rate gap of each equal-count bin, weighted by its size."""
    table = calibration_table(p, won, bins)
    if table.empty:
        return None
    return float((table["n"] * (table["mean_p"] - table["hit_rate"]).abs()).sum() / table["n"].sum())


def bootstrap_roi_ci(
    stake: npt.ArrayLike,
    returned: npt.ArrayLike,
    clusters: npt.ArrayLike,
    *,
    resamples: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float] | None:
    """Percentile interval of the ROI, resampling whole clusters (racing days) with replacement."""
    frame = pd.DataFrame(
        {
            "stake": np.asarray(stake, float),
            "ret": np.asarray(returned, float),
            "c": np.asarray(clusters, dtype=object),
        }
    )
    if frame.empty or frame["stake"].sum() <= 0:
        return None
    by = frame.groupby("c")[["stake", "ret"]].sum()
    s, r = by["stake"].to_numpy(), by["ret"].to_numpy()
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(by), size=(resamples, len(by)))
    stakes, rets = s[picks].sum(axis=1), r[picks].sum(axis=1)
    ok = stakes > 0
    rois = (rets[ok] - stakes[ok]) / stakes[ok]
    if rois.size == 0:
        return None
    tail = (1 - level) / 2
    return float(np.quantile(rois, tail)), float(np.quantile(rois, 1 - tail))
