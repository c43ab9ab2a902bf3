"""The daily ledger from decisions, tickets, settlements, runner analysis and results."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from hippique_assets.betting.ledger import race_ledger, summarize_day, summary_markdown
from hippique_assets.betting.tables import LEDGER

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
    assert list(ledger.columns) == LEDGER.column_names
    assert list(ledger["race_key"]) == ["2026-03-23-R1C1", "2026-03-23-R1C2"]
    bet = ledger.iloc[0]
    assert bet["stake_eur"] == 3.0 and bet["return_eur"] == 4.5 and bet["profit_eur"] == 1.5
    assert bet["expected_return_eur"] == pytest.approx(1.5 + 2.8)
    assert bet["roi"] == pytest.approx(0.5) and bet["n_won"] == 1 and bet["settled"]
    # winner is runner 2: Brier (0.6^2 + 0.6^2), log-loss -ln 0.4; market -ln 0.5
    assert bet["brier"] == pytest.approx(0.72)
    assert bet["log_loss"] == pytest.approx(-math.log(0.4))
    assert bet["market_log_loss"] == pytest.approx(-math.log(0.5))
    abstained = ledger.iloc[1]
    assert abstained["abstained"] and abstained["settled"] and pd.isna(abstained["roi"])


def test_day_summary():
    summary = summarize_day(race_ledger(DAY, *_frames()))
    assert (summary.races, summary.bet_races, summary.abstained, summary.tickets, summary.won) == (
        2,
        1,
        1,
        2,
        1,
    )
    assert summary.roi == pytest.approx(0.5) and summary.hit_rate == pytest.approx(0.5)
    text = summary_markdown(summary)
    assert "+50.0%" in text and "3.00 EUR / 4.50 EUR" in text
