"""The day's Excel workbook: Planning, ROI prévisionnel, ROI observé, Suivi, Graphiques.

Every sheet starts with the race's identity (date, R, C) so rows of different days never collide.
Excel has no time zones: instants are written as Paris wall-clock times. Text from the source is
written as string cells, never as formulas (see :mod:`hippique_assets.betting.safe_text`).
"Graphiques" holds native Excel charts (cumulative profit race by race, ROI by bet type) drawn on
the small tables beside them, so they stay live if an analyst edits the figures.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from hippique_assets.betting.safe_text import clean_text, is_formula_like

PARIS = "Europe/Paris"
MONEY = '0.00 "€"'
PERCENT = "0.0%"
DATE = "yyyy-mm-dd"
KEY_HEADERS = ["Date", "R", "C", "Course", "Clé"]


class WorkbookInputError(ValueError):
    """An input frame of the workbook lacks a column it needs."""


def _require(name: str, frame: pd.DataFrame, columns: Sequence[str]) -> None:
    if frame.empty:
        return
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise WorkbookInputError(f"{name} frame lacks columns {missing}; it has {list(frame.columns)}")


def _missing(value: object) -> bool:
    """None, NaN, NaT or NA: a cell left empty."""
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float | np.floating | np.datetime64) and bool(
        np.isnat(value) if isinstance(value, np.datetime64) else np.isnan(value)
    )


def _day(value: object) -> object:
    if _missing(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str | np.datetime64):
        return pd.Timestamp(value).date()
    return None


def _key_values(row: pd.Series) -> list[object]:
    reunion, course = int(row["reunion"]), int(row["course"])
    return [_day(row["race_date"]), reunion, course, f"R{reunion}C{course}", row["race_key"]]


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame
    return frame.sort_values(["race_date", "reunion", "course"], kind="stable")


def _sheet(
    book: Workbook,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    formats: dict[str, str],
    total: dict[str, object] | None = None,
) -> None:
    sheet = book.create_sheet(title)
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        _append(sheet, row)
    if total is not None:
        _append(sheet, [total.get(header) for header in headers])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for position, header in enumerate(headers, start=1):
        letter = get_column_letter(position)
        longest = max(
            [len(header)] + [len(str(r[position - 1])) for r in rows if r[position - 1] is not None]
        )
        sheet.column_dimensions[letter].width = min(max(10, longest + 2), 60)
        fmt = formats.get(header, DATE if header == "Date" else None)
        if fmt:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=position, max_col=position):
                cell.number_format = fmt


def _append(sheet: Worksheet, values: Sequence[object]) -> None:
    """Append a row; its strings are string cells, so text starting with ``=`` stays text."""
    sheet.append([_cell(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if is_formula_like(cell.value):
                # Excel's own mark for typed-in text: editing the cell does not make it a formula.
                cell.quotePrefix = True


def _cell(value: object) -> object:
    if isinstance(value, str):
        return clean_text(value)
    if value is None or isinstance(value, (bool, int, date)):
        return value
    if isinstance(value, float):
        return None if pd.isna(value) else value
    if _missing(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return float(value) if isinstance(value, Decimal) else value  # numeric columns arrive as Decimal


def _number(value: object) -> float | None:
    if _missing(value):
        return None
    if isinstance(value, int | float | Decimal | np.number):
        return float(value)
    return float(str(value))


def _paris(row: pd.Series) -> datetime | None:
    """Start as a naive Paris wall-clock datetime, from start_paris or else from start_utc."""
    for column in ("start_paris", "start_utc"):
        value = row.get(column)
        if value is None or pd.isna(value):
            continue
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_convert(PARIS).tz_localize(None)
        return stamp.to_pydatetime()
    return None


def _planning_rows(plan: pd.DataFrame) -> list[list[object]]:
    _require("plan", plan, ("race_date", "race_key", "reunion", "course"))
    return [
        [*_key_values(r), r.get("hippodrome"), r.get("discipline"), _paris(r), r.get("status")]
        for _, r in _sorted(plan).iterrows()
    ]


def _forecast_rows(tickets: pd.DataFrame) -> list[list[object]]:
    _require(
        "tickets",
        tickets,
        ("race_date", "race_key", "reunion", "course", "bet_type", "combination", "stake_eur", "ev"),
    )
    rows = []
    for _, t in _sorted(tickets).iterrows():
        stake, ev = float(t["stake_eur"]), float(t["ev"])
        rows.append(
            [
                *_key_values(t),
                t["bet_type"],
                t["combination"],
                _text(t.get("horse_names")),
                stake,
                _number(t.get("probability")),
                _number(t.get("payout_estimate")),
                ev,
                round(stake * (1 + ev), 2),
            ]
        )
    return rows


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _names_of(tickets: pd.DataFrame) -> dict[tuple[str, str, str], str]:
    """Each ticket's horse names by (race, bet type, combination), for the settled tickets' rows."""
    if tickets.empty or "horse_names" not in tickets.columns:
        return {}
    return {
        (str(k), str(b), str(c)): n
        for k, b, c, n in zip(
            tickets["race_key"],
            tickets["bet_type"],
            tickets["combination"],
            tickets["horse_names"],
            strict=True,
        )
        if isinstance(n, str) and n
    }


def _observed_rows(
    settlements: pd.DataFrame, names: dict[tuple[str, str, str], str] | None = None
) -> list[list[object]]:
    _require(
        "settlements",
        settlements,
        ("race_date", "race_key", "reunion", "course", "bet_type", "combination", "stake_eur", "outcome"),
    )
    rows = []
    for _, s in _sorted(settlements).iterrows():
        rows.append(
            [
                *_key_values(s),
                s["bet_type"],
                s["combination"],
                (names or {}).get((str(s["race_key"]), str(s["bet_type"]), str(s["combination"]))),
                float(s["stake_eur"]),
                s["outcome"],
                _number(s.get("dividend_per_eur")),
                float(s["return_eur"]),
                float(s["profit_eur"]),
                _number(s.get("decision_odds")),
                _number(s.get("final_odds")),
                _number(s.get("clv")),
            ]
        )
    return rows


def _follow_rows(ledger: pd.DataFrame) -> list[list[object]]:
    _require("ledger", ledger, ("race_date", "race_key", "reunion", "course", "abstained", "stake_eur"))
    rows = []
    for _, r in _sorted(ledger).iterrows():
        reason = r.get("reason")
        rows.append(
            [
                *_key_values(r),
                "abstention" if bool(r["abstained"]) else "pari",
                reason if isinstance(reason, str) else None,
                int(r["n_tickets"]),
                int(r["n_won"]) if "n_won" in r else None,
                float(r["stake_eur"]),
                _number(r.get("expected_return_eur")),
                float(r["return_eur"]),
                float(r["profit_eur"]),
                _number(r.get("roi")),
                _number(r.get("brier")),
                _number(r.get("log_loss")),
                _number(r.get("clv")),
                _number(r.get("beat_final_share")),
            ]
        )
    return rows


def _column_sum(headers: Sequence[str], rows: Sequence[Sequence[object]], header: str) -> float:
    index = headers.index(header)
    return round(sum(value for r in rows if (value := _number(r[index])) is not None), 2)


def _stake_weighted(headers: Sequence[str], rows: Sequence[Sequence[object]], header: str) -> float | None:
    """The stake-weighted mean of a column over the rows that have a value (the day's CLV)."""
    at, stake_at = headers.index(header), headers.index("Mise")
    pairs = [
        (float(stake), float(value))
        for stake, value in ((r[stake_at], r[at]) for r in rows)
        if isinstance(stake, int | float) and isinstance(value, int | float)
    ]
    weight = sum(stake for stake, _ in pairs)
    return sum(stake * value for stake, value in pairs) / weight if weight > 0 else None


PLANNING_HEADERS = [*KEY_HEADERS, "Hippodrome", "Discipline", "Départ (Paris)", "Statut"]
FORECAST_HEADERS = [
    *KEY_HEADERS,
    "Pari",
    "Combinaison",
    "Chevaux",
    "Mise",
    "Probabilité",
    "Rapport estimé",
    "EV",
    "Retour espéré",
]
OBSERVED_HEADERS = [
    *KEY_HEADERS,
    "Pari",
    "Combinaison",
    "Chevaux",
    "Mise",
    "Résultat",
    "Rapport pour 1 €",
    "Retour",
    "Gain",
    "Cote à la décision",
    "Cote finale",
    "CLV",
]
FOLLOW_HEADERS = [
    *KEY_HEADERS,
    "Décision",
    "Raison",
    "Tickets",
    "Gagnants",
    "Mise",
    "Retour espéré",
    "Retour",
    "Gain",
    "ROI",
    "Brier",
    "Log-loss",
    "CLV",
    "Battent la cote finale",
]


CHARTS_SHEET = "Graphiques"
PROFIT_HEADERS = ["Course", "Gain", "Gain cumulé"]
BET_TYPE_HEADERS = ["Pari", "Tickets", "Mise", "Retour", "ROI"]
NO_PROFIT = "Aucun pari réglé ce jour : pas de courbe de gain cumulé."
NO_BET_TYPE = "Aucun ticket réglé ce jour : pas de ROI par type de pari."


def _put(sheet: Worksheet, row: int, column: int, value: object, fmt: str | None = None) -> None:
    """One cell, written like :func:`_append` writes a row: text stays text."""
    cell = sheet.cell(row=row, column=column, value=_cell(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"
        cell.quotePrefix = is_formula_like(cell.value)
    if fmt:
        cell.number_format = fmt


def _profit_rows(ledger: pd.DataFrame) -> list[list[object]]:
    """Per settled race with a stake, in start order: R·C, its profit and the cumulative profit."""
    if ledger.empty:
        return []
    settled = ledger["settled"].astype(bool) if "settled" in ledger.columns else True
    bets = ledger[(ledger["stake_eur"].astype(float) > 0) & settled]
    rows, cumulative = [], 0.0
    for _, r in _sorted(bets).iterrows():
        profit = float(r["profit_eur"])
        cumulative = round(cumulative + profit, 2)
        rows.append([f"R{int(r['reunion'])}C{int(r['course'])}", profit, cumulative])
    return rows


def _bet_type_rows(settlements: pd.DataFrame) -> list[list[object]]:
    """Per bet type of the settled tickets: tickets, stake, return and ROI."""
    if settlements.empty:
        return []
    rows: list[list[object]] = []
    for bet_type, part in settlements.groupby("bet_type", sort=True):
        stake = round(float(part["stake_eur"].astype(float).sum()), 2)
        returned = round(float(part["return_eur"].astype(float).sum()), 2)
        rows.append([bet_type, len(part), stake, returned, (returned - stake) / stake if stake else None])
    return rows


def _block(
    sheet: Worksheet,
    column: int,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    formats: Sequence[str | None],
) -> None:
    for offset, header in enumerate(headers):
        _put(sheet, 1, column + offset, header)
        sheet.cell(row=1, column=column + offset).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column + offset)].width = max(12, len(header) + 2)
    for index, row in enumerate(rows, start=2):
        for offset, value in enumerate(row):
            _put(sheet, index, column + offset, value, formats[offset])


def _charts_sheet(book: Workbook, ledger: pd.DataFrame, settlements: pd.DataFrame) -> None:
    """The "Graphiques" sheet: the two small tables and a native chart drawn on each (a line of the
    cumulative profit, bars of the ROI by bet type); a table without rows gets a sentence instead."""
    sheet = book.create_sheet(CHARTS_SHEET)
    profit = _profit_rows(ledger)
    _block(sheet, 1, PROFIT_HEADERS, profit, (None, MONEY, MONEY))
    if profit:
        line = LineChart()
        line.title = "Gain cumulé (€)"
        line.y_axis.title = "€"
        line.x_axis.title = "Course"
        line.height, line.width = 7.5, 16
        line.add_data(Reference(sheet, min_col=3, min_row=1, max_row=len(profit) + 1), titles_from_data=True)
        line.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(profit) + 1))
        sheet.add_chart(line, "J2")
    else:
        _put(sheet, 2, 1, NO_PROFIT)
    by_type = _bet_type_rows(settlements)
    _block(sheet, 5, BET_TYPE_HEADERS, by_type, (None, None, MONEY, MONEY, PERCENT))
    if by_type:
        bars = BarChart()
        bars.type = "bar"
        bars.title = "ROI par type de pari"
        bars.y_axis.number_format = PERCENT
        bars.height, bars.width = 7.5, 16
        bars.add_data(Reference(sheet, min_col=9, min_row=1, max_row=len(by_type) + 1), titles_from_data=True)
        bars.set_categories(Reference(sheet, min_col=5, min_row=2, max_row=len(by_type) + 1))
        sheet.add_chart(bars, "J18")
    else:
        _put(sheet, 2, 5, NO_BET_TYPE)
    sheet.freeze_panes = "A2"


def build_workbook(
    plan: pd.DataFrame, tickets: pd.DataFrame, settlements: pd.DataFrame, ledger: pd.DataFrame
) -> bytes:
    """The day's workbook as ``.xlsx`` bytes: Planning, ROI prévisionnel, ROI observé, Suivi and
    Graphiques.

    Every table sheet starts with Date, R, C; "ROI observé" and "Suivi" end with a bold totals row,
    the latter with the day's ROI. "Graphiques" charts the cumulative profit and the ROI by bet
    type. Empty inputs still give every sheet with its headers; a chart without data is replaced
    by a sentence saying so.
    """
    book = Workbook()
    book.remove(book.active)

    _sheet(book, "Planning", PLANNING_HEADERS, _planning_rows(plan), {"Départ (Paris)": "yyyy-mm-dd hh:mm"})

    forecast = _forecast_rows(tickets)
    _sheet(
        book,
        "ROI prévisionnel",
        FORECAST_HEADERS,
        forecast,
        {
            "Mise": MONEY,
            "Probabilité": PERCENT,
            "Rapport estimé": "0.00",
            "EV": PERCENT,
            "Retour espéré": MONEY,
        },
    )

    observed = _observed_rows(settlements, _names_of(tickets))
    stake = _column_sum(OBSERVED_HEADERS, observed, "Mise")
    returned = _column_sum(OBSERVED_HEADERS, observed, "Retour")
    _sheet(
        book,
        "ROI observé",
        OBSERVED_HEADERS,
        observed,
        {
            "Mise": MONEY,
            "Rapport pour 1 €": "0.00",
            "Retour": MONEY,
            "Gain": MONEY,
            "Cote à la décision": "0.00",
            "Cote finale": "0.00",
            "CLV": PERCENT,
        },
        total={
            "Date": "Total",
            "Mise": stake,
            "Retour": returned,
            "Gain": round(returned - stake, 2),
            "CLV": _stake_weighted(OBSERVED_HEADERS, observed, "CLV"),
        },
    )

    follow = _follow_rows(ledger)
    stake = _column_sum(FOLLOW_HEADERS, follow, "Mise")
    returned = _column_sum(FOLLOW_HEADERS, follow, "Retour")
    _sheet(
        book,
        "Suivi",
        FOLLOW_HEADERS,
        follow,
        {
            "Mise": MONEY,
            "Retour espéré": MONEY,
            "Retour": MONEY,
            "Gain": MONEY,
            "ROI": PERCENT,
            "CLV": PERCENT,
            "Battent la cote finale": PERCENT,
        },
        total={
            "Date": "Total",
            "Tickets": int(_column_sum(FOLLOW_HEADERS, follow, "Tickets")),
            "Gagnants": int(_column_sum(FOLLOW_HEADERS, follow, "Gagnants")),
            "Mise": stake,
            "Retour espéré": _column_sum(FOLLOW_HEADERS, follow, "Retour espéré"),
            "Retour": returned,
            "Gain": round(returned - stake, 2),
            "ROI": (returned - stake) / stake if stake else None,
            "CLV": _stake_weighted(FOLLOW_HEADERS, follow, "CLV"),
        },
    )
    _charts_sheet(book, ledger, settlements)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
