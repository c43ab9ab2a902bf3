"""The bet-type records: a type registered in one place gets candidates, tickets, a config entry and
a settlement; an ordered bet is paid on the exact order only."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from hippique_assets.analysis import bets
from hippique_assets.analysis.bets import BetType, pool_payout
from hippique_assets.analysis.combinations import ordered_pair_matrix
from hippique_assets.analysis.config import AnalysisConfig, ConfigError, default_config, parse_config
from hippique_assets.analysis.settlement import settle
from hippique_assets.analysis.tickets import build_tickets, candidate_bets

ORDERED = "TEST_COUPLE_ORDRE"


def _ordered_pairs(win: np.ndarray) -> dict[tuple[int, ...], float]:
    m = ordered_pair_matrix(win)
    return {(i, j): float(m[i, j]) for i in range(len(win)) for j in range(len(win)) if i != j}


@pytest.fixture
def ordered_bet() -> Iterator[BetType]:
    bet = bets.register(BetType(ORDERED, 2, 3, True, _ordered_pairs, pool_payout))
    try:
        yield bet
    finally:
        bets.unregister(ORDERED)


def _config(types: tuple[str, ...]) -> AnalysisConfig:
    base = default_config()
    takeout = {**base.bets.takeout, ORDERED: 0.25}
    return dataclasses.replace(base, bets=dataclasses.replace(base.bets, types=types, takeout=takeout))


def _runners() -> pd.DataFrame:
    # The model likes 3 much more than the market does: the pairs with 3 are value bets.
    return pd.DataFrame(
        {
            "number": [1, 2, 3, 4],
            "p_finale": [0.30, 0.10, 0.55, 0.05],
            "p_market": [0.40, 0.30, 0.10, 0.20],
            "odds": [2.2, 3.0, 8.5, 4.5],
        }
    )


def test_the_built_in_types_keep_their_rules() -> None:
    assert bets.known()[:4] == ("SIMPLE_GAGNANT", "SIMPLE_PLACE", "COUPLE_GAGNANT", "TRIO")
    assert {code: bets.bet_type(code).min_runners for code in bets.known()[:4]} == {
        "SIMPLE_GAGNANT": 2,
        "SIMPLE_PLACE": 4,
        "COUPLE_GAGNANT": 4,
        "TRIO": 8,
    }
    assert not any(bets.is_ordered(code) for code in bets.known())
    assert not bets.is_ordered("QUINTE_PLUS")  # published, bet on by nothing here: matched as a set


def test_a_registered_type_is_accepted_by_the_config(ordered_bet: BetType) -> None:
    raw = {
        "version": "test",
        "budget": dataclasses.asdict(default_config().budget),
        "market": dataclasses.asdict(default_config().market),
        "bets": {"types": [ORDERED], "takeout": {ORDERED: 0.25}},
        "factors": {
            **{k: v for k, v in dataclasses.asdict(default_config().factors).items() if k != "weights"},
            "weights": dataclasses.asdict(default_config().factors.weights),
        },
        "model": {**dataclasses.asdict(default_config().model), "features": ["market_logit"]},
        "decision": dataclasses.asdict(default_config().decision),
        "edge": dataclasses.asdict(default_config().edge),
        "payout": {**dataclasses.asdict(default_config().payout), "odds_bands": [3.0, 5.0]},
    }
    assert parse_config(raw).bets.types == (ORDERED,)
    bets.unregister(ORDERED)
    with pytest.raises(ConfigError, match="unknown bet types"):
        parse_config(raw)


def test_a_registered_ordered_type_gets_candidates_in_order(ordered_bet: BetType) -> None:
    candidates = candidate_bets(_runners(), _config(("SIMPLE_GAGNANT", ORDERED)))
    mine = candidates[candidates["bet_type"] == ORDERED].set_index("combination")
    assert len(mine) == 4 * 3  # every ordered pair
    assert mine.loc["3-1", "numbers"] == [3, 1]
    assert mine.loc["1-3", "numbers"] == [1, 3]
    p = _runners()["p_finale"].to_numpy()
    assert mine.loc["3-1", "probability"] == pytest.approx(p[2] * p[0] / (1 - p[2]))
    assert mine.loc["3-1", "probability"] != pytest.approx(mine.loc["1-3", "probability"])
    q = _runners()["p_market"].to_numpy()
    assert mine.loc["3-1", "payout_estimate"] == pytest.approx(0.75 / (q[2] * q[0] / (1 - q[2])))
    # Fewer starters than the type needs: not offered.
    three = _runners().iloc[:2]
    assert ORDERED not in set(candidate_bets(three, _config((ORDERED,)))["bet_type"])


def test_a_registered_ordered_type_is_ticketed_and_settled_on_the_exact_order(ordered_bet: BetType) -> None:
    decision = build_tickets("R1C1", _runners(), _config((ORDERED,)))
    assert not decision.abstained
    tickets = decision.tickets
    assert set(tickets["bet_type"]) == {ORDERED}
    assert {"3-1", "1-3"} <= set(tickets["combination"])
    dividends = pd.DataFrame(
        [(ORDERED, "3-1", [3, 1], False, 41.0)],
        columns=["bet_type", "combination", "combination_numbers", "has_non_runner", "dividend_per_eur"],
    )
    settled = settle(tickets, dividends, non_runners=[], arrival=[3, 1, 2, 4]).set_index("combination")
    assert settled.loc["3-1", "outcome"] == "won"
    assert settled.loc["3-1", "return_eur"] == pytest.approx(round(settled.loc["3-1", "stake_eur"] * 41.0, 2))
    assert settled.loc["1-3", "outcome"] == "lost"  # the right horses in the wrong order
    assert (settled.drop(index="3-1")["outcome"] == "lost").all()


def test_an_ordered_bet_is_paid_on_the_exact_order_only(ordered_bet: BetType) -> None:
    tickets = pd.DataFrame(
        [
            {"bet_type": ORDERED, "combination": "5-2", "numbers": [5, 2], "stake_eur": 1.0},
            {"bet_type": ORDERED, "combination": "2-5", "numbers": [2, 5], "stake_eur": 1.0},
            {"bet_type": ORDERED, "combination": "5-9", "numbers": [5, 9], "stake_eur": 1.0},
            {"bet_type": ORDERED, "combination": "9-5", "numbers": [9, 5], "stake_eur": 1.0},
            {"bet_type": "COUPLE_GAGNANT", "combination": "2-5", "numbers": [2, 5], "stake_eur": 1.0},
        ]
    )
    dividends = pd.DataFrame(
        [
            (ORDERED, "5-2", [5, 2], False, 12.0),
            (ORDERED, "5-NP", [5], True, 3.0),
            ("COUPLE_GAGNANT", "5-2", [5, 2], False, 6.0),
        ],
        columns=["bet_type", "combination", "combination_numbers", "has_non_runner", "dividend_per_eur"],
    )
    settled = settle(tickets, dividends, non_runners=[9], arrival=[5, 2, 7])
    # 5-9 and 9-5 with 9 a non-runner both leave 5 running: the "1 NP" dividend.
    assert list(settled["outcome"]) == ["won", "lost", "won", "won", "won"]
    assert list(settled["return_eur"]) == pytest.approx([12.0, 0.0, 3.0, 3.0, 6.0])


def test_a_type_is_registered_once() -> None:
    with pytest.raises(ValueError, match="already registered"):
        bets.register(bets.TRIO)
    with pytest.raises(KeyError, match="unknown bet type"):
        bets.bet_type("NOT_A_BET")
