"""Settlement on official dividends: wins, places, dead heats, non-runner refunds, couplé 1 NP."""

from __future__ import annotations

import pandas as pd
import pytest

from hippique_assets.analysis.settlement import SettlementError, settle


def _tickets(rows) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"bet_type": b, "combination": "-".join(map(str, n)), "numbers": n, "stake_eur": s}
            for b, n, s in rows
        ]
    )


DIVIDENDS = pd.DataFrame(
    [
        ("SIMPLE_GAGNANT", "5", [5], False, 3.4),
        ("SIMPLE_GAGNANT", "2", [2], False, 2.9),  # dead heat for first
        ("SIMPLE_PLACE", "5", [5], False, 1.6),
        ("SIMPLE_PLACE", "2", [2], False, 1.4),
        ("SIMPLE_PLACE", "7", [7], False, 2.1),
        ("COUPLE_GAGNANT", "2-5", [2, 5], False, 6.2),
        ("COUPLE_GAGNANT", "5-NP", [5], True, 2.5),
    ],
    columns=["bet_type", "combination", "combination_numbers", "has_non_runner", "dividend_per_eur"],
)


def test_settlement_outcomes():
    tickets = _tickets(
        [
            ("SIMPLE_GAGNANT", [5], 1.0),
            ("SIMPLE_GAGNANT", [2], 0.5),
            ("SIMPLE_GAGNANT", [7], 1.0),
            ("SIMPLE_PLACE", [7], 2.0),
            ("SIMPLE_GAGNANT", [9], 1.5),  # non-runner: refunded
            ("COUPLE_GAGNANT", [2, 5], 0.3),
            ("COUPLE_GAGNANT", [5, 9], 0.2),  # one non-runner: the 1 NP dividend
            ("COUPLE_GAGNANT", [3, 9], 0.2),  # one non-runner, the other unplaced: lost
        ]
    )
    settled = settle(tickets, DIVIDENDS, non_runners=[9], arrival=[5, 2, 7])
    assert list(settled["outcome"]) == ["won", "won", "lost", "won", "refunded", "won", "won", "lost"]
    assert list(settled["return_eur"]) == pytest.approx([3.4, 1.45, 0.0, 4.2, 1.5, 1.86, 0.5, 0.0])
    assert settled["profit_eur"].sum() == pytest.approx(
        settled["return_eur"].sum() - tickets["stake_eur"].sum()
    )


def test_no_dividends_for_a_finished_race_is_an_error():
    with pytest.raises(SettlementError):
        settle(_tickets([("SIMPLE_GAGNANT", [5], 1.0)]), DIVIDENDS.iloc[0:0], [], [5, 2])


def test_a_bet_type_without_dividends_is_unsettled_not_lost():
    tickets = _tickets([("SIMPLE_GAGNANT", [7], 1.0), ("TRIO", [2, 5, 7], 0.5)])
    settled = settle(tickets, DIVIDENDS, non_runners=[], arrival=[5, 2, 7])
    assert list(settled["outcome"]) == ["lost", "unsettled"]
    assert settled["return_eur"].iloc[0] == 0.0 and pd.isna(settled["return_eur"].iloc[1])
    assert pd.isna(settled["profit_eur"].iloc[1])
