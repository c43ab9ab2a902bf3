"""Place, couplé and trio probabilities from win probabilities (Harville's model).

Harville: the chance that ``j`` finishes second given ``i`` won is ``p_j / (1 - p_i)``, and so on.
Exact and fast with numpy for the field sizes of racing (up to about 20 runners).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np


def paid_places(n_runners: int) -> int:
    """Places paid by PMU's simple placé: 3 with 8 runners or more, 2 with 4 to 7, 1 below."""
    if n_runners >= 8:
        return 3
    if n_runners >= 4:
        return 2
    return 1


def _win_array(win: np.ndarray) -> np.ndarray:
    p = np.asarray(win, dtype=float)
    if p.ndim != 1 or p.size == 0 or (p < 0).any() or not np.isclose(p.sum(), 1.0, atol=1e-6):
        raise ValueError(
            f"win probabilities must be a non-empty vector of non-negatives summing to 1, got {p}"
        )
    return p


def ordered_pair_matrix(win: np.ndarray) -> np.ndarray:
    """``M[i, j]`` = P(i first and j second)."""
    p = _win_array(win)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.outer(p, p) / (1.0 - p)[:, None]
    m[~np.isfinite(m)] = 0.0
    np.fill_diagonal(m, 0.0)
    return m


def ordered_triple_tensor(win: np.ndarray) -> np.ndarray:
    """``T[i, j, k]`` = P(i first, j second, k third)."""
    p = _win_array(win)
    pair = ordered_pair_matrix(p)
    remaining = 1.0 - p[:, None] - p[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = pair[:, :, None] * p[None, None, :] / remaining[:, :, None]
    t[~np.isfinite(t)] = 0.0
    n = p.size
    idx = np.arange(n)
    t[idx, :, idx] = 0.0
    t[:, idx, idx] = 0.0
    t[idx, idx, :] = 0.0
    return t


def place_probabilities(win: np.ndarray, places: int) -> np.ndarray:
    """P(runner finishes in the first ``places``), for ``places`` in 1..3."""
    p = _win_array(win)
    if places not in (1, 2, 3):
        raise ValueError(f"places must be 1, 2 or 3, got {places}")
    if places == 1 or p.size == 1:
        return p.copy()
    pair = ordered_pair_matrix(p)
    result = p + pair.sum(axis=0)
    if places == 3 and p.size >= 3:
        result = result + ordered_triple_tensor(p).sum(axis=(0, 1))
    return np.minimum(result, 1.0)


def couple_probabilities(win: np.ndarray) -> dict[tuple[int, ...], float]:
    """P(i and j are first and second in either order), for index pairs ``i < j``."""
    pair = ordered_pair_matrix(win)
    both = pair + pair.T
    return {(i, j): float(both[i, j]) for i, j in combinations(range(len(pair)), 2)}


def trio_probabilities(win: np.ndarray) -> dict[tuple[int, ...], float]:
    """P(i, j and k are the first three in any order), for index triples ``i < j < k``."""
    t = ordered_triple_tensor(win)
    n = t.shape[0]
    if n < 3:
        return {}
    sym = (
        t
        + t.transpose(0, 2, 1)
        + t.transpose(1, 0, 2)
        + t.transpose(1, 2, 0)
        + t.transpose(2, 0, 1)
        + t.transpose(2, 1, 0)
    )
    return {(i, j, k): float(sym[i, j, k]) for i, j, k in combinations(range(n), 3)}
