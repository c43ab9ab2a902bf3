"""Win probabilities implied by the market's odds, with the bookmaker's margin (overround) removed.

Functions take the odds of priced runners only (decimal odds > 1, as PMU shows them); callers drop
non-runners and unpriced runners first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def _odds_array(odds: Sequence[float] | np.ndarray) -> np.ndarray:
    values = np.asarray(odds, dtype=float)
    bad = [(i, v) for i, v in enumerate(values.tolist()) if not np.isfinite(v) or v <= 1.0]
    if bad:
        raise ValueError(f"odds must be finite and > 1; bad (index, value): {bad[:5]}")
    if values.size == 0:
        raise ValueError("no odds given")
    return values


def implied(odds: Sequence[float] | np.ndarray) -> np.ndarray:
    """Raw implied probabilities 1/odds (they sum to 1 + overround)."""
    return 1.0 / _odds_array(odds)


def overround(odds: Sequence[float] | np.ndarray) -> float:
    """The market's margin: sum(1/odds) - 1."""
    return float(implied(odds).sum() - 1.0)


def proportional(odds: Sequence[float] | np.ndarray) -> np.ndarray:
    """1/odds normalised to sum to 1 (the margin spread in proportion to each price)."""
    raw = implied(odds)
    return raw / raw.sum()


@dataclass(frozen=True)
class ShinResult:
    probabilities: np.ndarray
    z: float


def _shin_probs(raw: np.ndarray, total: float, z: float) -> np.ndarray:
    return (np.sqrt(z * z + 4.0 * (1.0 - z) * raw * raw / total) - z) / (2.0 * (1.0 - z))


def shin(odds: Sequence[float] | np.ndarray) -> ShinResult:
    """Shin's (1993) probabilities: the margin is attributed to a share ``z`` of insider money, which
    takes more margin from long shots than from favourites. ``z`` is solved so the probabilities sum to 1."""
    from scipy.optimize import brentq  # imported here: scipy.optimize takes 0.4 s to import

    raw = implied(odds)
    total = raw.sum()
    if total <= 1.0 + 1e-12:
        return ShinResult(raw / total, 0.0)

    def excess(z: float) -> float:
        return float(_shin_probs(raw, total, z).sum() - 1.0)

    z = brentq(excess, 0.0, 0.999, xtol=1e-12)
    probs = _shin_probs(raw, total, z)
    return ShinResult(probs / probs.sum(), float(z))


def market_probabilities(odds: Sequence[float] | np.ndarray, method: str) -> np.ndarray:
    """Win probabilities with the overround removed by ``method`` (``shin`` or ``proportional``)."""
    if method == "shin":
        return shin(odds).probabilities
    if method == "proportional":
        return proportional(odds)
    raise ValueError(f"unknown overround method {method!r}: use shin or proportional")


def check_market(
    numbers: Sequence[int], odds: Sequence[float] | np.ndarray, overround_min: float, overround_max: float
) -> str | None:
    """Why a race's win market cannot be used, or None when it is plausible.

    Incomplete: fewer than two starters, or a starter without odds (small pools leave horses
    unpriced; their chance cannot be read from the market). Impossible: odds at or below 1 (PMU
    pays at least the stake back, so such a price is an error in the source), or a sum of 1/odds
    outside ``[overround_min, overround_max]`` (runners missing from the pool, or prices from
    different instants mixed together).
    """
    values = np.asarray(odds, dtype=float)
    if values.size < 2:
        return f"incomplete market: fewer than 2 starters ({values.size})"
    unpriced = [int(n) for n, v in zip(numbers, values, strict=True) if not np.isfinite(v)]
    if unpriced:
        return f"incomplete market: starters without odds {unpriced}"
    too_low = [int(n) for n, v in zip(numbers, values, strict=True) if v <= 1.0]
    if too_low:
        return f"impossible market: odds at or below 1 for {too_low}"
    total = float((1.0 / values).sum())
    if not overround_min <= total <= overround_max:
        return f"impossible market: sum of 1/odds {total:.3f} outside [{overround_min:g}, {overround_max:g}]"
    return None
