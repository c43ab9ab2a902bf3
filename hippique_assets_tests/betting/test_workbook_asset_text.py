"""The betting_workbook asset writes the day's files whatever the labels stored for it: a hippodrome
or bet type that looks like a formula stays text in the workbook, the CSV and the JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance, materialize
from openpyxl import load_workbook

from hippique_assets.betting.tables import DECISIONS, TICKETS
from hippique_assets.defs.betting.day_assets import betting_workbook
from hippique_assets.racing.tables import RACE_PLAN
from hippique_assets.storage.files import FilesResource
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets.storage.tables import column_names

pytestmark = pytest.mark.postgres

DAY = date(2026, 3, 23)
AT = pd.Timestamp("2026-03-23T13:40Z")
# Postgres text cannot hold NUL; every other hostile kind can come back from the tables.
LABELS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "PAU\x07\x1b", "Ça ira 🐎"]


def _key(course: int) -> dict[str, object]:
    return {"race_date": DAY, "race_key": f"2026-03-23-R1C{course}", "reunion": 1, "course": course}


def _store(postgres: PostgresResource) -> None:
    races = list(enumerate(LABELS, start=1))
    plan = [
        {
            **_key(course),
            "hippodrome": label,
            "status": label,
            "start_utc": AT,
            "start_paris": pd.Timestamp("2026-03-23T14:40"),
            "h30_due_utc": AT,
            "h5_due_utc": AT,
            "result_due_utc": AT,
            "cancelled": False,
            "start_source": "pmu",
            "identity_source": "pmu",
            "planned_at": AT,
        }
        for course, label in races
    ]
    decisions = [
        {
            **_key(course),
            "abstained": False,
            "reason": label,
            "n_candidates": 1,
            "n_tickets": 1,
            "stake_eur": 2.0,
            "expected_return_eur": 1.5,
            "drift_available": True,
            "config_version": "v1",
            "decided_at": AT,
            "h5_captured_at": AT,
            "h30_captured_at": AT,
        }
        for course, label in races
    ]
    tickets = [
        {
            **_key(course),
            "bet_type": label,
            "combination": "3-7",
            "numbers": [3, 7],
            "probability": 0.1,
            "payout_estimate": 7.5,
            "ev": -0.25,
            "stake_eur": 2.0,
            "config_version": "v1",
            "decided_at": AT,
        }
        for course, label in races
    ]
    for spec, rows in ((RACE_PLAN, plan), (DECISIONS, decisions), (TICKETS, tickets)):
        postgres.write_frame(spec, pd.DataFrame(rows).reindex(columns=column_names(spec)))


def _written_day(fresh_pg_url: str, tmp_path: Path) -> Path:
    postgres = PostgresResource(url=fresh_pg_url)
    _store(postgres)
    result = materialize(
        [betting_workbook],
        instance=DagsterInstance.ephemeral(),
        partition_key=DAY.isoformat(),
        resources={"postgres": postgres, "files": FilesResource(base_uri=str(tmp_path / "files"))},
    )
    assert result.success
    return tmp_path / "files/artifacts/betting/2026-03-23"


def test_hostile_labels_from_the_tables_stay_text_in_every_file(fresh_pg_url: str, tmp_path: Path) -> None:
    folder = _written_day(fresh_pg_url, tmp_path)
    expected = [label.replace("\x07", "").replace("\x1b", "") for label in LABELS]

    book = load_workbook(folder / "hippique-2026-03-23.xlsx")
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    planning = book["Planning"]
    assert [planning.cell(row=r, column=6).value for r in range(2, 2 + len(LABELS))] == expected
    assert {planning.cell(row=r, column=6).data_type for r in range(2, 2 + len(LABELS))} == {"s"}
    forecast = book["ROI prévisionnel"]
    assert [forecast.cell(row=r, column=6).value for r in range(2, 2 + len(LABELS))] == expected
    assert {forecast.cell(row=r, column=12).value for r in range(2, 2 + len(LABELS))} == {-0.25}  # EV

    rows = list(csv.DictReader(io.StringIO((folder / "tickets.csv").read_text(), newline="")))
    assert [row["bet_type"] for row in rows] == [
        '\'=HYPERLINK("http://x","y")',
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\t=1",
        "PAU",
        "Ça ira 🐎",
    ]
    assert {float(row["ev"]) for row in rows} == {-0.25}

    records = json.loads((folder / "tickets.json").read_text())
    assert [record["bet_type"] for record in records] == expected
    assert {record["ev"] for record in records} == {-0.25}
