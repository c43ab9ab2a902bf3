"""The simple-gagnant payout to expect at post time, given the H-5 odds.

PMU's win odds are pari-mutuel: the H-5 price is the pool's state five minutes out, and the
dividend is computed from the final pool. A bet's value is ``P(win) x E[dividend | win]``, and among
winners the final dividend differs from the H-5 price in a systematic way (money keeps arriving
on the horses that go on to win). The ratio ``dividend / H-5 odds`` is averaged over the winners
of earlier days in bands of H-5 odds, each band shrunk towards the overall mean by
``prior_winners`` pseudo-winners so thin bands do not swing the estimate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class PayoutModel:
    """``E[dividend | win] = odds_h5 x ratios[band]``; bands are split at ``edges`` (H-5 odds)."""

    edges: tuple[float, ...]
    ratios: tuple[float, ...]
    winners: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.ratios) != len(self.edges) + 1 or len(self.winners) != len(self.ratios):
            raise ValueError(
                f"payout model needs one ratio and count per band: {len(self.edges)} edges, "
                f"{len(self.ratios)} ratios, {len(self.winners)} counts"
            )

    @classmethod
    def identity(cls) -> PayoutModel:
        """The H-5 odds taken as the payout (no winners seen yet)."""
        return cls((), (1.0,), (0,))

    @property
    def is_identity(self) -> bool:
        return sum(self.winners) == 0

    def band(self, odds: np.ndarray) -> np.ndarray:
        return np.searchsorted(np.asarray(self.edges, dtype=float), odds, side="right")

    def expected(self, odds_h5: Sequence[float] | np.ndarray) -> np.ndarray:
        odds = np.asarray(odds_h5, dtype=float)
        return odds * np.asarray(self.ratios, dtype=float)[self.band(odds)]

    def to_dict(self) -> dict[str, Any]:
        return {"edges": list(self.edges), "ratios": list(self.ratios), "winners": list(self.winners)}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> PayoutModel:
        return cls(tuple(raw["edges"]), tuple(raw["ratios"]), tuple(int(n) for n in raw["winners"]))

    def table(self) -> list[dict[str, Any]]:
        bounds = [1.0, *self.edges, float("inf")]
        return [
            {"odds_h5": f"{lo:g}-{hi:g}", "winners": n, "ratio": round(r, 4)}
            for lo, hi, n, r in zip(bounds[:-1], bounds[1:], self.winners, self.ratios, strict=True)
        ]


def fit_payout(
    odds_h5: Sequence[float] | np.ndarray,
    dividend: Sequence[float] | np.ndarray,
    edges: Sequence[float],
    prior_winners: float,
) -> PayoutModel:
    """Band ratios from winners' H-5 odds and their official dividends (per euro)."""
    odds = np.asarray(odds_h5, dtype=float)
    paid = np.asarray(dividend, dtype=float)
    usable = np.isfinite(odds) & np.isfinite(paid) & (odds > 1.0) & (paid > 0)
    odds, paid = odds[usable], paid[usable]
    if odds.size == 0:
        return PayoutModel(tuple(edges), (1.0,) * (len(edges) + 1), (0,) * (len(edges) + 1))
    ratio = paid / odds
    overall = float(ratio.mean())
    model = PayoutModel(tuple(float(e) for e in edges), (1.0,) * (len(edges) + 1), (0,) * (len(edges) + 1))
    bands = model.band(odds)
    ratios, counts = [], []
    for b in range(len(edges) + 1):
        inside = ratio[bands == b]
        ratios.append(
            float((inside.sum() + prior_winners * overall) / (inside.size + prior_winners))
            if inside.size or prior_winners
            else overall
        )
        counts.append(int(inside.size))
    return PayoutModel(model.edges, tuple(ratios), tuple(counts))
