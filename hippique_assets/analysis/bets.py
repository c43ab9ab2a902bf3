"""The bet types, one record each: what a ticket names, when it is offered, how likely it is to win,
what it is expected to pay before the race and how it is settled on the official rapports.

The ticket builder (:mod:`hippique_assets.analysis.tickets`), the settlement
(:mod:`hippique_assets.analysis.settlement`), the config's list of known types and the replay's
rapports read these records. A new bet type is a :func:`register` call here, its takeout and its
name in ``gpi.toml`` (``[bets]``) and, for the generated world to pay it, its dividends in the
replay's rapports.

Payouts before the race are estimates: for simple gagnant the payout expected at post time from
the H-5 odds (:mod:`hippique_assets.analysis.payout`); for the other types, whose pools PMU does not
show per combination, the fair payout of the *market's* probability after the pool's takeout,
``(1 - takeout) / p_market`` (at least :data:`MIN_PLACE_PAYOUT` for the simple placé).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from hippique_assets.analysis.combinations import (
    couple_probabilities,
    paid_places,
    place_probabilities,
    trio_probabilities,
)

# Combination (runner indices; in finishing order for an ordered bet, increasing otherwise) ->
# probability that it wins, from the runners' win probabilities.
Probabilities = Callable[[np.ndarray], dict[tuple[int, ...], float]]
# (market probability of the combination, the pool's takeout, the payout expected at post time for a
# simple gagnant on the combination's first horse) -> estimated euros paid per euro staked.
Payout = Callable[[float, float, float], float]

# What a dividend is looked up by: the exact order for an ordered bet, the set otherwise.
Combination = tuple[int, ...] | frozenset[int]

MIN_PLACE_PAYOUT = 1.10


@dataclass(frozen=True)
class BetType:
    """One bet type. ``code`` is PMU's ``typePari``, as the rapports and the tickets name it."""

    code: str
    horses: int
    min_runners: int
    ordered: bool
    probabilities: Probabilities
    payout: Payout

    def combination(self, numbers: Iterable[int]) -> list[int]:
        """A ticket's saddle numbers as it names them: in finishing order when the bet is ordered."""
        found = [int(n) for n in numbers]
        return found if self.ordered else sorted(found)


def settlement_key(ordered: bool, numbers: Iterable[int]) -> Combination:
    found = (int(n) for n in numbers)
    return tuple(found) if ordered else frozenset(found)


def _win_probabilities(win: np.ndarray) -> dict[tuple[int, ...], float]:
    return {(i,): win[i] for i in range(len(win))}


def _place_probabilities(win: np.ndarray) -> dict[tuple[int, ...], float]:
    placed = place_probabilities(win, paid_places(len(win)))
    return {(i,): placed[i] for i in range(len(win))}


def expected_odds(market_probability: float, takeout: float, odds: float) -> float:
    """The simple gagnant pays what its H-5 odds are expected to pay at post time."""
    return float(odds)


def place_payout(market_probability: float, takeout: float, odds: float) -> float:
    return max(MIN_PLACE_PAYOUT, (1.0 - takeout) / market_probability)


def pool_payout(market_probability: float, takeout: float, odds: float) -> float:
    return (1.0 - takeout) / market_probability if market_probability > 0 else 0.0


_REGISTRY: dict[str, BetType] = {}


def register(bet: BetType) -> BetType:
    """Make ``bet`` known to the config, the ticket builder and the settlement."""
    if bet.code in _REGISTRY:
        raise ValueError(f"bet type {bet.code} is already registered")
    if bet.horses < 1 or bet.min_runners < bet.horses:
        raise ValueError(f"bet type {bet.code}: needs 1 <= horses <= min_runners")
    _REGISTRY[bet.code] = bet
    return bet


def unregister(code: str) -> None:
    _REGISTRY.pop(code, None)


def bet_type(code: str) -> BetType:
    found = _REGISTRY.get(code)
    if found is None:
        raise KeyError(f"unknown bet type {code}; known: {list(_REGISTRY)}")
    return found


def known() -> tuple[str, ...]:
    """The registered codes, in the order tickets are listed."""
    return tuple(_REGISTRY)


def is_ordered(code: str) -> bool:
    """Whether ``code`` pays on the exact order; a type the rapports publish but nothing here bets on
    (couplé placé, quinté+) is matched as a set."""
    found = _REGISTRY.get(code)
    return found is not None and found.ordered


SIMPLE_GAGNANT = register(BetType("SIMPLE_GAGNANT", 1, 2, False, _win_probabilities, expected_odds))
SIMPLE_PLACE = register(BetType("SIMPLE_PLACE", 1, 4, False, _place_probabilities, place_payout))
COUPLE_GAGNANT = register(BetType("COUPLE_GAGNANT", 2, 4, False, couple_probabilities, pool_payout))
TRIO = register(BetType("TRIO", 3, 8, False, trio_probabilities, pool_payout))
