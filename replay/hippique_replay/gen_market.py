"""The betting market of a generated race: odds through the day, and pari-mutuel dividends.

The market is a noisy, biased view of the hidden truth. Its morning logits are
``LAMBDA * strength + noise + rider popularity``: ``LAMBDA < 1`` flattens the field (outsiders
over-bet, favourites under-bet: the favourite-longshot bias). Late money then moves the market
part of the way back towards the truth, mostly in the last half hour (weight
``exp(-minutes_to_start / 20)``), with a little minute-to-minute noise; so odds at H-30 and H-5
differ and the drift carries information.

Pari-mutuel: a pool keeps its take and shares the rest among the winning stakes, so a dividend
is about ``(1 - take) / p`` where ``p`` is the market's probability of the winning combination,
rounded down to 10 centimes, never below 1.10 euro. Combination probabilities use Harville's
formulas on the final win probabilities.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations, permutations

import numpy as np

from hippique_replay import gen_hash as hx

LAMBDA = 0.75
MORNING_NOISE = 0.32
RIDER_POPULARITY = 0.2
LATE_SHARE = 0.35
LATE_NOISE = 0.12
MINUTE_NOISE = 0.04
LATE_MINUTES = 20.0
TAKE = {
    "SIMPLE_GAGNANT": 0.16,
    "SIMPLE_PLACE": 0.17,
    "COUPLE_GAGNANT": 0.25,
    "COUPLE_PLACE": 0.25,
    "TRIO": 0.26,
    "QUINTE_PLUS": 0.35,
}
MIN_DIVIDEND = 1.10
T_MARKET, T_MINUTE = 201, 202


@dataclass(frozen=True)
class Market:
    """Market logits of one race's declared runners (non-runners included, masked when used)."""

    morning: np.ndarray
    late: np.ndarray

    def logits(self, minutes_to_start: float, minute_noise: np.ndarray | None) -> np.ndarray:
        """Logits at an instant ``minutes_to_start`` before the off (<= 0: the final market)."""
        if minutes_to_start <= 0:
            return self.morning + self.late
        weight = math.exp(-minutes_to_start / LATE_MINUTES)
        logits = self.morning + self.late * weight
        if minute_noise is not None:
            logits = logits + MINUTE_NOISE * (1 - weight) * minute_noise
        return logits


def build_market(seed: int, ordinal: int, race: int, strength: np.ndarray, rider_skill: np.ndarray) -> Market:
    """The market of one race from its runners' true strengths and their riders' skills."""
    index = np.arange(strength.size)
    morning = (
        LAMBDA * strength
        + MORNING_NOISE * hx.normal_array(seed ^ T_MARKET, ordinal, race, index)
        + RIDER_POPULARITY * rider_skill
    )
    late = LATE_SHARE * (LAMBDA * strength - morning) + LATE_NOISE * hx.normal_array(
        seed ^ T_MARKET, ordinal, race, index + 1000
    )
    return Market(morning=morning, late=late)


def minute_noise(seed: int, ordinal: int, race: int, n: int, minute: int) -> np.ndarray:
    """The small moves of the odds in one minute (one value per runner)."""
    return hx.normal_array(seed ^ T_MINUTE, ordinal, race, np.arange(n), minute)


def probabilities(logits: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Softmax over the active runners; inactive ones get 0."""
    out = np.zeros(logits.size)
    if not active.any():
        return out
    values = logits[active]
    e = np.exp(values - values.max())
    out[active] = e / e.sum()
    return out


def display_odds(probability: float, take: float = TAKE["SIMPLE_GAGNANT"]) -> float:
    """Decimal odds as the PMU shows them: one decimal below 20, whole numbers above."""
    raw = (1 - take) / max(probability, 1e-6)
    raw = min(raw, 999.0)
    if raw < 20:
        return max(MIN_DIVIDEND, round(raw, 1))
    return float(round(raw))


def dividend_centimes(probability: float, take: float, share: float = 1.0) -> int:
    """Pari-mutuel dividend for 1 euro, in centimes, rounded down to 10 centimes, at least 1.10."""
    euros = (1 - take) * share / max(probability, 1e-12)
    tenths = math.floor(euros * 10 + 1e-9)
    return max(int(MIN_DIVIDEND * 100), tenths * 10)


# --- Harville combination probabilities ---------------------------------------------------------


def order_probability(p: np.ndarray, order: tuple[int, ...]) -> float:
    """Probability that the runners at these indices finish first, second... in this order."""
    remaining = 1.0
    prob = 1.0
    for index in order:
        if remaining <= 0:
            return 0.0
        prob *= p[index] / remaining
        remaining -= p[index]
    return prob


def set_probability(p: np.ndarray, members: tuple[int, ...]) -> float:
    """Probability that these runners take the first ``len(members)`` places in any order."""
    return sum(order_probability(p, order) for order in permutations(members))


def top_k_probabilities(p: np.ndarray, k: int) -> np.ndarray:
    """Probability that each runner finishes in the first ``k`` (k <= 3)."""
    n = p.size
    first = p.copy()
    if k == 1 or n < 2:
        return first
    q = p / np.maximum(1 - p, 1e-12)
    second = p * (q.sum() - q)
    if k == 2 or n < 3:
        return first + second
    pair = np.outer(q, p)  # P(j first, k second) = p_j * p_k / (1 - p_j)
    np.fill_diagonal(pair, 0.0)
    rest = 1 - p[:, None] - p[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(rest > 1e-12, pair / rest, 0.0)
    np.fill_diagonal(weight, 0.0)
    total = weight.sum()
    third = p * (total - weight.sum(axis=1) - weight.sum(axis=0))
    return first + second + third


def pair_in_top3_probability(p: np.ndarray, a: int, b: int) -> float:
    """Probability that runners ``a`` and ``b`` both finish in the first three."""
    total = 0.0
    for c in range(p.size):
        if c not in (a, b):
            total += set_probability(p, (a, b, c))
    return total


def covered_by_top5_probability(p: np.ndarray, members: tuple[int, ...]) -> float:
    """Probability that all ``members`` (at most five) are among the first five."""
    others = [i for i in range(p.size) if i not in members]
    missing = 5 - len(members)
    if missing < 0 or len(others) < missing:
        return 0.0
    return sum(set_probability(p, (*members, *extra)) for extra in combinations(others, missing))


def pairs(items: list[int]) -> list[tuple[int, int]]:
    """Unordered pairs in listing order."""
    return list(combinations(items, 2))
