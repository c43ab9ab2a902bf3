"""Closing-line value of tickets: decision price against the final price, per ticket and rolled up."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from hippique_assets.analysis.clv import clv_summary_markdown, clv_totals, win_prices, with_clv


def _tickets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "bet_type": ["SIMPLE_GAGNANT", "SIMPLE_GAGNANT", "SIMPLE_PLACE", "SIMPLE_GAGNANT"],
            "numbers": [[3], [5], [3], [9]],
            "stake_eur": [1.0, 3.0, 2.0, 1.0],
            "race_date": [date(2026, 1, 2), date(2026, 1, 2), date(2026, 1, 2), date(2026, 1, 3)],
        }
    )


def test_only_win_tickets_get_the_horse_price():
    prices = win_prices(_tickets(), {3: 6.0, 5: 4.0, 9: 10.0})
    assert prices.tolist()[:2] == [6.0, 4.0] and pd.isna(prices.iloc[2]) and prices.iloc[3] == 10.0


def test_clv_is_decision_over_final_minus_one_and_beat_means_a_longer_price():
    tickets = _tickets().assign(decision_odds=[6.0, 4.0, None, 10.0])
    # 3 shortened from 6 to 4.8; 5 drifted from 4 to 5; 9 has no final price (unpriced at the off).
    scored = with_clv(tickets, {3: 4.8, 5: 5.0})
    assert scored["clv"].iloc[0] == pytest.approx(6.0 / 4.8 - 1)
    assert scored["clv"].iloc[1] == pytest.approx(4.0 / 5.0 - 1)
    assert scored["clv"].iloc[2:].isna().all()
    assert scored["beat_final"].tolist() == [True, False, None, None]
    mean, share, count = clv_totals(scored)
    assert count == 2 and share == 0.5
    assert mean == pytest.approx((1.0 * 0.25 + 3.0 * -0.2) / 4.0)  # stake-weighted
    assert "2 tickets" in clv_summary_markdown(scored) and "50.0% beat" in clv_summary_markdown(scored)


def test_no_ticket_no_clv():
    assert clv_totals(pd.DataFrame()) == (None, None, 0)
    assert clv_summary_markdown(pd.DataFrame()).startswith("_no simple-gagnant ticket")
