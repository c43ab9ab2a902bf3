"""Candidate bets, the EV gate, Kelly stakes with caps and rounding, and abstentions."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from hippique_assets.analysis.config import default_config
from hippique_assets.analysis.tickets import allocate_stakes, build_tickets, kelly_fraction

WIN_ONLY = dataclasses.replace(
    default_config(), bets=dataclasses.replace(default_config().bets, types=("SIMPLE_GAGNANT",))
)
ALL_TYPES = dataclasses.replace(
    default_config(),
    bets=dataclasses.replace(
        default_config().bets, types=("SIMPLE_GAGNANT", "SIMPLE_PLACE", "COUPLE_GAGNANT", "TRIO")
    ),
)


def _runners(p_finale, p_market, odds) -> pd.DataFrame:
    return pd.DataFrame(
        {"number": range(1, len(odds) + 1), "p_finale": p_finale, "p_market": p_market, "odds": odds}
    )


def test_kelly_by_hand():
    # p = 0.5 at 3.0: b = 2, f = (0.5*2 - 0.5)/2 = 0.25
    assert kelly_fraction(0.5, 3.0) == pytest.approx(0.25)
    assert kelly_fraction(0.2, 3.0) == 0.0


def test_one_value_bet_staked_with_half_kelly_and_the_horse_cap():
    runners = _runners([0.5, 0.3, 0.2], [0.3, 0.4, 0.3], [3.0, 2.2, 3.0])
    decision = build_tickets("2026-03-23-R1C1", runners, WIN_ONLY)
    assert not decision.abstained
    [ticket] = decision.tickets.to_dict("records")
    assert ticket["combination"] == "1" and ticket["bet_type"] == "SIMPLE_GAGNANT"
    assert ticket["ev"] == pytest.approx(0.5)
    # half Kelly 0.125 x 5 EUR = 0.625 -> rounded down to 0.60 (under the 3 EUR horse cap)
    assert ticket["stake_eur"] == pytest.approx(0.60)


def test_cap_per_horse_and_budget_then_rounding():
    chosen = pd.DataFrame(
        {"numbers": [[1], [1, 2], [3]], "kelly_fraction_raw": [0.9, 0.9, 0.9], "ev": [1.0, 1.0, 1.0]}
    )
    stakes = allocate_stakes(chosen, default_config())
    # raw 2.25 each; horse 1 holds 4.50 > cap 3.00 -> both scaled to 1.50; total 5.25 > 5 -> x 0.952
    assert list(stakes) == [1.4, 1.4, 2.1]
    assert stakes.sum() <= 5.0


def test_abstains_when_nothing_passes_min_ev():
    runners = _runners([0.34, 0.33, 0.33], [0.34, 0.33, 0.33], [2.8, 2.9, 2.9])
    decision = build_tickets("k", runners, WIN_ONLY)
    assert decision.abstained and decision.tickets.empty
    assert decision.reason.startswith("no bet reaches min EV (best EV ")


def test_abstains_without_priced_runners():
    decision = build_tickets("k", _runners([], [], []), default_config())
    assert decision.abstained and decision.reason == "no priced runners"


def test_all_bet_types_within_budget():
    p = [0.30, 0.20, 0.12, 0.10, 0.08, 0.07, 0.05, 0.04, 0.04]
    q = [0.15, 0.15, 0.12, 0.12, 0.12, 0.10, 0.08, 0.08, 0.08]
    odds = [1 / x * 0.85 for x in q]
    decision = build_tickets("k", _runners(p, q, odds), ALL_TYPES)
    assert not decision.abstained
    assert decision.tickets["stake_eur"].sum() <= 5.0 + 1e-9
    assert set(decision.candidates["bet_type"]) == {
        "SIMPLE_GAGNANT",
        "SIMPLE_PLACE",
        "COUPLE_GAGNANT",
        "TRIO",
    }
    assert (decision.tickets["ev"] >= 0.40).all()
    cents = (decision.tickets["stake_eur"] * 100).round(6)
    assert ((cents % 10) == 0).all()


def test_a_blocked_race_keeps_its_candidates_but_gets_no_ticket():
    runners = _runners([0.5, 0.3, 0.2], [0.3, 0.4, 0.3], [3.0, 2.2, 3.0])
    decision = build_tickets("k", runners, WIN_ONLY, blocked="no out-of-sample edge: none recorded")
    assert decision.abstained and decision.tickets.empty
    assert decision.reason == "no out-of-sample edge: none recorded"
    assert decision.candidates["ev"].max() == pytest.approx(0.5)
