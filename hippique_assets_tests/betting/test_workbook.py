"""The Excel workbook: four sheets keyed by (date, R, C), Paris wall-clock times, totals."""

from __future__ import annotations

import io
from datetime import date, datetime

import pandas as pd
from openpyxl import load_workbook

from hippique_assets.betting.workbook import build_workbook

DAY = date(2026, 3, 23)
KEY = {"race_date": DAY, "reunion": 1, "course": 4, "race_key": "2026-03-23-R1C4"}


def test_four_sheets_with_values_and_totals():
    plan = pd.DataFrame(
        [
            {
                **KEY,
                "hippodrome": "VINCENNES",
                "discipline": "ATTELE",
                "start_utc": pd.Timestamp("2026-03-23T14:15Z"),
                "status": "PROGRAMMEE",
            }
        ]
    )
    tickets = pd.DataFrame(
        [
            {
                **KEY,
                "bet_type": "SIMPLE_GAGNANT",
                "combination": "7",
                "stake_eur": 1.5,
                "probability": 0.3,
                "payout_estimate": 5.0,
                "ev": 0.5,
            }
        ]
    )
    settlements = pd.DataFrame(
        [
            {
                **KEY,
                "bet_type": "SIMPLE_GAGNANT",
                "combination": "7",
                "stake_eur": 1.5,
                "outcome": "won",
                "dividend_per_eur": 4.8,
                "return_eur": 7.2,
                "profit_eur": 5.7,
            }
        ]
    )
    ledger = pd.DataFrame(
        [
            {
                **KEY,
                "abstained": False,
                "reason": None,
                "n_tickets": 1,
                "stake_eur": 1.5,
                "return_eur": 7.2,
                "profit_eur": 5.7,
                "roi": 3.8,
                "brier": 0.6,
                "log_loss": 1.2,
            }
        ]
    )
    book = load_workbook(io.BytesIO(build_workbook(plan, tickets, settlements, ledger)))
    assert book.sheetnames == ["Planning", "ROI prévisionnel", "ROI observé", "Suivi"]
    planning = book["Planning"]
    assert [c.value for c in planning[1]][:4] == ["Date", "R", "C", "Course"]
    row = [c.value for c in planning[2]]
    assert row[1:4] == ["R1", "C4", "2026-03-23-R1C4"]
    assert row[6] == datetime(2026, 3, 23, 15, 15)  # 14:15 UTC is 15:15 in Paris in March
    forecast = [c.value for c in book["ROI prévisionnel"][2]]
    assert forecast[4:6] == ["SIMPLE_GAGNANT", "7"] and forecast[-1] == 2.25
    observed = book["ROI observé"]
    total = [c.value for c in observed[observed.max_row]]
    assert total[0] == "Total" and total[-1] == 5.7
    follow_total = [c.value for c in book["Suivi"][book["Suivi"].max_row]]
    assert follow_total[0] == "Total" and follow_total[10] == 3.8


def test_empty_day_still_has_every_sheet():
    empty = pd.DataFrame()
    book = load_workbook(io.BytesIO(build_workbook(empty, empty, empty, empty)))
    assert book.sheetnames == ["Planning", "ROI prévisionnel", "ROI observé", "Suivi"]
    assert book["Suivi"]["A1"].value == "Date"
