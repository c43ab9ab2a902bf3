"""The daily ledger from decisions, tickets, settlements, runner analysis and results."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from hippique_assets.betting.ledger import (
    LedgerInputError,
    abstentions_by_reason,
    race_ledger,
    reason_key,
    summarize_day,
    summary_figures,
    summary_markdown,
)
from hippique_assets.betting.tables import LEDGER
from hippique_assets.storage.tables import column_names

DAY = date(2026, 3, 23)


def _frames():
    decisions = pd.DataFrame(
        [
            {
                "race_key": "2026-03-23-R1C2",
                "reunion": 1,
                "course": 2,
                "abstained": True,
                "reason": "no priced runners",
            },
            {"race_key": "2026-03-23-R1C1", "reunion": 1, "course": 1, "abstained": False, "reason": None},
        ]
    )
    tickets = pd.DataFrame(
        [
            {"race_key": "2026-03-23-R1C1", "stake_eur": 1.0, "ev": 0.5},
            {"race_key": "2026-03-23-R1C1", "stake_eur": 2.0, "ev": 0.4},
        ]
    )
    settlements = pd.DataFrame(
        [
            {"race_key": "2026-03-23-R1C1", "outcome": "won", "return_eur": 4.5},
            {"race_key": "2026-03-23-R1C1", "outcome": "lost", "return_eur": 0.0},
        ]
    )
    analysis = pd.DataFrame(
        {
            "race_key": ["2026-03-23-R1C1"] * 2,
            "number": [1, 2],
            "p_finale": [0.6, 0.4],
            "p_market": [0.5, 0.5],
        }
    )
    results = pd.DataFrame(
        [
            {"race_key": "2026-03-23-R1C1", "arrival_order": [2, 1]},
            {"race_key": "2026-03-23-R1C2", "arrival_order": [3, 1]},
        ]
    )
    return decisions, tickets, settlements, analysis, results


def test_race_rows_money_roi_and_scores():
    ledger = race_ledger(DAY, *_frames())
    assert list(ledger.columns) == column_names(LEDGER)
    assert list(ledger["race_key"]) == ["2026-03-23-R1C1", "2026-03-23-R1C2"]
    bet = ledger.iloc[0]
    assert bet["stake_eur"] == 3.0 and bet["return_eur"] == 4.5 and bet["profit_eur"] == 1.5
    assert bet["expected_return_eur"] == pytest.approx(1.5 + 2.8)
    assert bet["roi"] == pytest.approx(0.5) and bet["n_won"] == 1 and bet["settled"]
    # winner is runner 2: Brier (0.6^2 + 0.6^2), log-loss -ln 0.4; market -ln 0.5
    assert bet["brier"] == pytest.approx(0.72)
    assert bet["log_loss"] == pytest.approx(-math.log(0.4))
    assert bet["market_log_loss"] == pytest.approx(-math.log(0.5))
    assert bet["market_brier"] == pytest.approx(0.5)
    abstained = ledger.iloc[1]
    assert abstained["abstained"] and abstained["settled"] and pd.isna(abstained["roi"])


def test_day_summary():
    summary = summarize_day(race_ledger(DAY, *_frames()))
    counts = (summary.races, summary.bets_races, summary.abstained, summary.tickets, summary.won)
    assert counts == (2, 1, 1, 2, 1)
    assert (summary.stake_eur, summary.return_eur, summary.profit_eur) == (3.0, 4.5, 1.5)
    assert summary.roi == pytest.approx(0.5) and summary.hit_rate == pytest.approx(0.5)
    # only R1C1 has runner scores, so the day means are its values
    assert summary.brier == pytest.approx(0.72) and summary.market_brier == pytest.approx(0.5)
    text = summary_markdown(summary)
    assert "+50.0%" in text and "3.00 EUR / 4.50 EUR" in text and "2026-03-23" in text


def test_no_result_means_no_scores_and_unsettled_abstention():
    decisions, tickets, _, analysis, _ = _frames()
    ledger = race_ledger(DAY, decisions, tickets, pd.DataFrame(), analysis, pd.DataFrame())
    bet, abstained = ledger.iloc[0], ledger.iloc[1]
    assert not bet["settled"] and bet["return_eur"] == 0.0 and bet["profit_eur"] == -3.0
    assert bet["roi"] == pytest.approx(-1.0)
    assert pd.isna(bet["brier"]) and pd.isna(bet["market_log_loss"])
    assert not abstained["settled"] and abstained["stake_eur"] == 0.0


def test_money_is_rounded_to_cents_and_other_days_are_left_out():
    decisions, _, _, analysis, results = _frames()
    decisions["race_date"] = [date(2026, 3, 22), DAY]
    tickets = pd.DataFrame([{"race_key": "2026-03-23-R1C1", "stake_eur": 1.0, "ev": 0.12345}] * 3)
    ledger = race_ledger(DAY, decisions, tickets, pd.DataFrame(), analysis, results)
    assert list(ledger["race_key"]) == ["2026-03-23-R1C1"]
    assert ledger.iloc[0]["expected_return_eur"] == 3.37  # 3 * 1.12345 = 3.37035


def test_empty_day_and_bad_input():
    empty = pd.DataFrame()
    ledger = race_ledger(DAY, empty, empty, empty, empty, empty)
    assert ledger.empty and list(ledger.columns) == column_names(LEDGER)
    summary = summarize_day(ledger)
    assert summary.races == 0 and summary.roi is None and summary.hit_rate is None
    assert "0.00 EUR / 0.00 EUR" in summary_markdown(summary)
    decisions, tickets, settlements, analysis, results = _frames()
    with pytest.raises(LedgerInputError, match="tickets frame lacks columns \\['ev'\\]"):
        race_ledger(DAY, decisions, tickets.drop(columns="ev"), settlements, analysis, results)


def test_figures_are_numbers_and_abstentions_are_counted_by_reason():
    ledger = race_ledger(DAY, *_frames())
    figures = summary_figures(summarize_day(ledger))
    assert figures["races"] == 2 and isinstance(figures["races"], int)
    assert (figures["stake_eur"], figures["return_eur"], figures["profit_eur"], figures["roi"]) == (
        3.0,
        4.5,
        1.5,
        0.5,
    )
    assert figures["brier"] == 0.72 and figures["market_brier"] == 0.5
    assert abstentions_by_reason(ledger) == {"abstained_no_priced_runners": 1}
    # No stake and no scored race: those figures are left out rather than charted as zero.
    empty = summary_figures(summarize_day(race_ledger(DAY, *(pd.DataFrame() for _ in range(5)))))
    assert empty["tickets"] == 0 and "roi" not in empty and "brier" not in empty
    assert reason_key("no bet reaches min EV (best EV 0.12)") == "abstained_no_bet_reaches_min_ev"
    assert reason_key(None) == "abstained_unknown"


def test_closing_line_value_per_race_and_per_day():
    decisions, tickets, settlements, analysis, results = _frames()
    # The 1 EUR ticket was taken at 6.0 and closed at 4.0; the 2 EUR one at 3.6, closed at 4.0.
    settlements = settlements.assign(
        stake_eur=[1.0, 2.0], clv=[0.5, -0.1], beat_final=[True, False], final_odds=[4.0, 4.0]
    )
    ledger = race_ledger(DAY, decisions, tickets, settlements, analysis, results)
    bet, abstained = ledger.iloc[0], ledger.iloc[1]
    assert bet["clv"] == pytest.approx((1.0 * 0.5 + 2.0 * -0.1) / 3.0)
    assert bet["clv_tickets"] == 2 and bet["beat_final_share"] == 0.5
    assert abstained["clv_tickets"] == 0 and pd.isna(abstained["clv"])
    summary = summarize_day(ledger)
    assert summary.clv == pytest.approx(bet["clv"]) and summary.beat_final_share == 0.5
    assert summary.clv_tickets == 2
    assert "closing-line value | +10.0% over 2 tickets, 50% beat" in summary_markdown(summary)


def test_settlements_without_clv_leave_the_ledger_clv_empty():
    ledger = race_ledger(DAY, *_frames())
    assert ledger["clv"].isna().all() and (ledger["clv_tickets"] == 0).all()
    assert summarize_day(ledger).clv is None
