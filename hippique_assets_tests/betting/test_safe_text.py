"""Source text stays text in every export: hostile labels in the workbook, the CSV and the JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from hippique_assets.betting.safe_text import clean_text, csv_bytes, csv_text, is_formula_like, json_bytes
from hippique_assets.betting.workbook import build_workbook

DAY = date(2026, 3, 23)
KEY = {"race_date": DAY, "reunion": 1, "course": 4, "race_key": "2026-03-23-R1C4"}

FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
CONTROLS = ["VINCENNES\x00", "PAU\x07", "\x1b[31mCAGNES", "=\x00HYPERLINK()", "LYON\ud800\ufffe"]
# A line break inside a label must not start a CSV row of its own.
ROW_BREAKS = ["PAU\r=1+1", "PAU\n@SUM(A1)", "\r\n-1+1"]
UNICODE = ["Saint-Cloud \U0001f40e", "Le Lion-d'Angers", "Ça ira 長距離", "ligne\nsuivante"]
HOSTILE = FORMULAS + CONTROLS + ROW_BREAKS + UNICODE


def _frames(label: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One race whose source strings (hippodrome, discipline, status, bet type, combination, horse
    names, outcome, reason) all hold ``label``."""
    plan = pd.DataFrame(
        [{**KEY, "hippodrome": label, "discipline": label, "start_utc": None, "status": label}]
    )
    ticket = {**KEY, "bet_type": label, "combination": label, "stake_eur": 2.0}
    tickets = pd.DataFrame(
        [{**ticket, "probability": 0.2, "payout_estimate": 4.0, "ev": -0.2, "horse_names": label}]
    )
    settlements = pd.DataFrame(
        [
            {
                **ticket,
                "outcome": label,
                "dividend_per_eur": None,
                "return_eur": 0.0,
                "profit_eur": -2.0,
            }
        ]
    )
    ledger = pd.DataFrame(
        [
            {
                **KEY,
                "abstained": True,
                "reason": label,
                "n_tickets": 1,
                "n_won": 0,
                "stake_eur": 2.0,
                "expected_return_eur": 1.6,
                "return_eur": 0.0,
                "profit_eur": -2.0,
                "roi": -1.0,
            }
        ]
    )
    return plan, tickets, settlements, ledger


def _cells(data: bytes) -> list:
    book = load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_labels_are_string_cells_in_the_workbook(label: str) -> None:
    cells = _cells(build_workbook(*_frames(label)))
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    written = [cell for cell in cells if cell.value == clean_text(label)]
    # hippodrome, discipline, status; bet type, combination and horse names on two sheets; outcome;
    # reason; the bet type again beside its ROI chart
    assert len(written) == 12
    assert {cell.data_type for cell in written} == {"s"}
    assert all(cell.quotePrefix == is_formula_like(clean_text(label)) for cell in written)


def test_a_formula_label_keeps_its_exact_text_and_controls_are_dropped() -> None:
    planning = load_workbook(io.BytesIO(build_workbook(*_frames('=HYPERLINK("http://x","y")'))))["Planning"]
    assert planning["F2"].value == '=HYPERLINK("http://x","y")'
    assert planning["F2"].data_type == "s" and planning["F2"].quotePrefix
    planning = load_workbook(io.BytesIO(build_workbook(*_frames("\x1bPAU\x07\x00"))))["Planning"]
    assert planning["F2"].value == "PAU" and not planning["F2"].quotePrefix


def test_negative_numbers_stay_numeric_cells() -> None:
    book = load_workbook(io.BytesIO(build_workbook(*_frames("-2+3"))))
    forecast, observed, follow = book["ROI prévisionnel"], book["ROI observé"], book["Suivi"]
    assert (forecast["L1"].value, forecast["L2"].value, forecast["L2"].data_type) == ("EV", -0.2, "n")
    assert (observed["M1"].value, observed["M2"].value, observed["M2"].data_type) == ("Gain", -2.0, "n")
    assert (follow["M1"].value, follow["M2"].value, follow["M2"].data_type) == ("Gain", -2.0, "n")
    assert (follow["N2"].value, follow["N2"].data_type) == (-1.0, "n")  # ROI
    assert observed["F2"].value == "-2+3" and observed["F2"].data_type == "s"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\x00=1", "'=1"),
        ("PAU\x07\x1b", "PAU"),
        ("-2", "-2"),
        ("-2.5", "-2.5"),
        ("+1", "+1"),
        ("VINCENNES", "VINCENNES"),
        ("Ça ira", "Ça ira"),
        ("", ""),
    ],
)
def test_csv_text(text: str, expected: str) -> None:
    assert csv_text(text) == expected


def _tickets(label: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                **KEY,
                "bet_type": label,
                "combination": "3-7",
                "numbers": [3, 7],
                "stake_eur": 2.0,
                "ev": -0.25,
                "decided_at": pd.Timestamp("2026-03-23T13:40Z"),
            }
        ]
    )


@pytest.mark.parametrize("label", HOSTILE)
def test_csv_export_reads_back_as_quoted_text_and_numbers(label: str) -> None:
    [row] = list(csv.DictReader(io.StringIO(csv_bytes(_tickets(label)).decode(), newline="")))
    cleaned = clean_text(label)
    assert row["bet_type"] == ("'" + cleaned if is_formula_like(cleaned) else cleaned)
    assert not row["bet_type"].startswith(("=", "+", "-", "@", "\t", "\r"))
    assert float(row["ev"]) == -0.25 and row["stake_eur"] == "2.0"
    assert row["combination"] == "3-7" and row["numbers"] == "[3, 7]"
    assert row["decided_at"] == "2026-03-23 13:40:00+00:00"


@pytest.mark.parametrize("label", HOSTILE)
def test_json_export_keeps_strings_as_strings(label: str) -> None:
    [record] = json.loads(json_bytes(_tickets(label)))
    assert record["bet_type"] == clean_text(label)
    assert record["ev"] == -0.25 and record["numbers"] == [3, 7]
    assert record["decided_at"] == "2026-03-23T13:40:00.000Z"


# Any code point, surrogates included (text decoded from JSON escapes can hold a lone one).
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(label=ANY_TEXT)
def test_any_text_gives_a_workbook_without_formulas(label: str) -> None:
    cells = _cells(build_workbook(*_frames(label)))
    assert all(cell.data_type != "f" for cell in cells)
    strings = [cell for cell in cells if isinstance(cell.value, str)]
    assert all(cell.data_type == "s" for cell in strings)
    if clean_text(label):  # an empty string cell reads back as an empty cell
        assert sum(cell.value == clean_text(label) for cell in strings) >= 9


@settings(max_examples=150, deadline=None)
@given(label=ANY_TEXT)
def test_any_text_gives_a_csv_whose_cells_are_not_formulas(label: str) -> None:
    [row] = list(csv.DictReader(io.StringIO(csv_bytes(_tickets(label)).decode(), newline="")))
    cleaned = clean_text(label)
    assert not is_formula_like(row["bet_type"])
    assert row["bet_type"] == ("'" + cleaned if is_formula_like(cleaned) else cleaned)
    assert float(row["ev"]) == -0.25
