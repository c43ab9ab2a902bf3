"""The Excel workbook: four sheets keyed by (date, R, C), Paris wall-clock times, totals."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest
from openpyxl import load_workbook

from hippique_assets.betting.workbook import build_workbook
from hippique_assets.betting.workbook_rows import WorkbookInputError

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
                "horse_names": "7 JAZZY",
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
                "decision_odds": 6.0,
                "final_odds": 4.8,
                "clv": 0.25,
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
                "n_won": 1,
                "stake_eur": 1.5,
                "expected_return_eur": 2.25,
                "return_eur": 7.2,
                "profit_eur": 5.7,
                "roi": 3.8,
                "brier": 0.6,
                "log_loss": 1.2,
                "clv": 0.25,
                "beat_final_share": 1.0,
            }
        ]
    )
    book = load_workbook(io.BytesIO(build_workbook(plan, tickets, settlements, ledger)))
    assert book.sheetnames == ["Planning", "ROI prévisionnel", "ROI observé", "Suivi", "Graphiques"]
    planning = book["Planning"]
    assert [c.value for c in planning[1]][:5] == ["Date", "R", "C", "Course", "Clé"]
    assert planning["A1"].font.bold and planning.freeze_panes == "A2"
    row = [c.value for c in planning[2]]
    assert row[:5] == [datetime(2026, 3, 23), 1, 4, "R1C4", "2026-03-23-R1C4"]
    assert row[7] == datetime(2026, 3, 23, 15, 15)  # 14:15 UTC is 15:15 in Paris in March
    forecast_sheet = book["ROI prévisionnel"]
    forecast = [c.value for c in forecast_sheet[2]]
    assert forecast[5:8] == ["SIMPLE_GAGNANT", "7", "7 JAZZY"] and forecast[-1] == 2.25  # 1.5 * (1 + 0.5)
    assert forecast_sheet["H1"].value == "Chevaux"
    assert forecast_sheet["I2"].number_format == '0.00 "€"' and forecast_sheet["J2"].number_format == "0.0%"
    observed = book["ROI observé"]
    assert [c.value for c in observed[2]][7:] == ["7 JAZZY", 1.5, "won", 4.8, 7.2, 5.7, 6.0, 4.8, 0.25]
    assert observed.cell(row=2, column=16).number_format == "0.0%"  # CLV
    total = [c.value for c in observed[observed.max_row]]
    assert total[0] == "Total" and total[8] == 1.5 and total[11:13] == [7.2, 5.7] and total[-1] == 0.25
    follow = book["Suivi"]
    follow_row = [c.value for c in follow[2]]
    assert follow_row[5:9] == ["pari", None, 1, 1]
    follow_total = [c.value for c in follow[follow.max_row]]
    assert follow_total[0] == "Total" and follow_total[9:13] == [1.5, 2.25, 7.2, 5.7]
    assert follow_total[13] == pytest.approx(3.8)  # 5.7 / 1.5
    assert follow_row[-2:] == [0.25, 1.0] and follow_total[-2] == pytest.approx(0.25)
    assert follow.cell(row=follow.max_row, column=14).number_format == "0.0%"


def test_planning_prefers_paris_wall_clock_and_reads_decimals():
    plan = pd.DataFrame(
        [
            {
                **KEY,
                "start_utc": pd.Timestamp("2026-03-23T14:15Z"),
                "start_paris": pd.Timestamp("2026-03-23T15:15"),
                "status": None,
            },
            {**KEY, "course": 2, "race_key": "2026-03-23-R1C2", "start_utc": None, "start_paris": None},
        ]
    )
    settlements = pd.DataFrame(
        [
            {
                **KEY,
                "bet_type": "SIMPLE_PLACE",
                "combination": "3",
                "stake_eur": Decimal("2.00"),
                "outcome": "lost",
                "dividend_per_eur": None,
                "return_eur": Decimal("0.00"),
                "profit_eur": Decimal("-2.00"),
            }
        ]
    )
    book = load_workbook(io.BytesIO(build_workbook(plan, pd.DataFrame(), settlements, pd.DataFrame())))
    planning = book["Planning"]
    assert planning["C2"].value == 2 and planning["H2"].value is None  # sorted by course
    assert planning["H3"].value == datetime(2026, 3, 23, 15, 15)
    observed = [c.value for c in book["ROI observé"][2]]
    # A place ticket has no closing-line value; settlements from before revision 0012 have none either.
    assert observed[7:] == [None, 2.0, "lost", None, 0.0, -2.0, None, None, None]


def test_missing_column_is_named():
    with pytest.raises(WorkbookInputError, match="'stake_eur'"):
        build_workbook(
            pd.DataFrame(), pd.DataFrame([{**KEY, "bet_type": "X"}]), pd.DataFrame(), pd.DataFrame()
        )


def test_empty_day_still_has_every_sheet():
    empty = pd.DataFrame()
    book = load_workbook(io.BytesIO(build_workbook(empty, empty, empty, empty)))
    assert book.sheetnames == ["Planning", "ROI prévisionnel", "ROI observé", "Suivi", "Graphiques"]
    assert book["Suivi"]["A1"].value == "Date" and book["Suivi"]["N1"].value == "ROI"
    assert book["Planning"].max_row == 1
    assert [c.value for c in book["ROI observé"][2]][:1] == ["Total"]


def _ref(axis: object) -> str:
    """The range of a chart's categories, whichever reference kind openpyxl wrote."""
    reference = axis.numRef or axis.strRef  # type: ignore[attr-defined]
    return reference.f


def test_charts_sheet_draws_native_charts_on_its_tables():
    ledger = pd.DataFrame(
        [
            {
                **KEY,
                "course": c,
                "race_key": f"2026-03-23-R1C{c}",
                "abstained": s == 0,
                "n_tickets": 1,
                "stake_eur": s,
                "return_eur": r,
                "profit_eur": r - s,
                "settled": True,
            }
            for c, s, r in ((2, 2.0, 0.0), (1, 1.0, 4.0), (3, 0.0, 0.0), (4, 1.0, 0.0))
        ]
    )
    settlements = pd.DataFrame(
        [
            {
                **KEY,
                "bet_type": b,
                "combination": "7",
                "stake_eur": s,
                "outcome": o,
                "return_eur": r,
                "profit_eur": r - s,
            }
            for b, s, r, o in (
                ("SIMPLE_PLACE", 2.0, 0.0, "lost"),
                ("SIMPLE_GAGNANT", 1.0, 4.0, "won"),
                ("SIMPLE_GAGNANT", 1.0, 0.0, "lost"),
            )
        ]
    )
    book = load_workbook(io.BytesIO(build_workbook(pd.DataFrame(), pd.DataFrame(), settlements, ledger)))
    sheet = book["Graphiques"]
    # Races with a stake, in start order, and the running total.
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=1, max_row=4, max_col=3)] == [
        ["Course", "Gain", "Gain cumulé"],
        ["R1C1", 3.0, 3.0],
        ["R1C2", -2.0, 1.0],
        ["R1C4", -1.0, 0.0],
    ]
    assert [
        [c.value for c in row] for row in sheet.iter_rows(min_row=1, max_row=3, min_col=5, max_col=9)
    ] == [
        ["Pari", "Tickets", "Mise", "Retour", "ROI"],
        ["SIMPLE_GAGNANT", 2, 2.0, 4.0, 1.0],
        ["SIMPLE_PLACE", 1, 2.0, 0.0, -1.0],
    ]
    line, bars = sheet._charts
    assert type(line).__name__ == "LineChart" and type(bars).__name__ == "BarChart"
    [profit] = line.series
    assert profit.val.numRef.f == "'Graphiques'!$C$2:$C$4"
    assert _ref(profit.cat) == "'Graphiques'!$A$2:$A$4"
    assert profit.tx.strRef.f == "'Graphiques'!C1"
    [roi] = bars.series
    assert roi.val.numRef.f == "'Graphiques'!$I$2:$I$3"
    assert _ref(roi.cat) == "'Graphiques'!$E$2:$E$3"
    assert sheet["I2"].number_format == "0.0%"


def test_charts_sheet_without_bets_says_so_and_draws_nothing():
    empty = pd.DataFrame()
    sheet = load_workbook(io.BytesIO(build_workbook(empty, empty, empty, empty)))["Graphiques"]
    assert sheet._charts == []
    assert sheet["A2"].value.startswith("Aucun pari réglé ce jour")
    assert sheet["E2"].value.startswith("Aucun ticket réglé ce jour")
