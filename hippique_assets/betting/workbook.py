"""The day's Excel workbook: Planning, ROI prévisionnel, ROI observé, Suivi.

Every sheet starts with the race's identity (date, R, C) so rows of different days never collide.
Excel has no time zones: instants are written as Paris wall-clock times.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

PARIS = "Europe/Paris"
MONEY = '0.00 "€"'
PERCENT = "0.0%"
KEY_HEADERS = ["Date", "R", "C", "Course"]


def _key_values(row: pd.Series) -> list[object]:
    return [row["race_date"], f"R{int(row['reunion'])}", f"C{int(row['course'])}", row["race_key"]]


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame
    return frame.sort_values(["race_date", "reunion", "course"], kind="stable")


def _sheet(
    book: Workbook,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    formats: dict[str, str] | None = None,
    total: Sequence[object] | None = None,
) -> None:
    sheet = book.create_sheet(title)
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([None if isinstance(v, float) and pd.isna(v) else v for v in row])
    if total is not None:
        sheet.append(list(total))
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for position, header in enumerate(headers, start=1):
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = max(10, len(header) + 2)
        fmt = (formats or {}).get(header)
        if fmt:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=position, max_col=position):
                cell.number_format = fmt


def _paris(value: object) -> object:
    if value is None or pd.isna(value):
        return None
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(PARIS).tz_localize(None)
    return stamp.to_pydatetime()


def build_workbook(
    plan: pd.DataFrame, tickets: pd.DataFrame, settlements: pd.DataFrame, ledger: pd.DataFrame
) -> bytes:
    """The workbook as ``.xlsx`` bytes; empty inputs still give the four sheets with their headers."""
    book = Workbook()
    book.remove(book.active)

    plan_rows = [
        [
            *_key_values(r),
            r.get("hippodrome"),
            r.get("discipline"),
            _paris(r.get("start_utc")),
            r.get("status"),
        ]
        for _, r in _sorted(plan).iterrows()
    ]
    _sheet(
        book,
        "Planning",
        [*KEY_HEADERS, "Hippodrome", "Discipline", "Départ (Paris)", "Statut"],
        plan_rows,
        {"Départ (Paris)": "yyyy-mm-dd hh:mm"},
    )

    forecast_rows = []
    for _, t in _sorted(tickets).iterrows():
        stake = float(t["stake_eur"])
        forecast_rows.append(
            [
                *_key_values(t),
                t["bet_type"],
                t["combination"],
                stake,
                float(t["probability"]),
                float(t["payout_estimate"]),
                float(t["ev"]),
                stake * (1 + float(t["ev"])),
            ]
        )
    _sheet(
        book,
        "ROI prévisionnel",
        [*KEY_HEADERS, "Pari", "Combinaison", "Mise", "Probabilité", "Rapport estimé", "EV", "Retour espéré"],
        forecast_rows,
        {"Mise": MONEY, "Probabilité": PERCENT, "EV": PERCENT, "Retour espéré": MONEY},
    )

    observed_rows = []
    for _, s in _sorted(settlements).iterrows():
        observed_rows.append(
            [
                *_key_values(s),
                s["bet_type"],
                s["combination"],
                float(s["stake_eur"]),
                s["outcome"],
                None if pd.isna(s["dividend_per_eur"]) else float(s["dividend_per_eur"]),
                float(s["return_eur"]),
                float(s["profit_eur"]),
            ]
        )
    stake_total = sum(r[6] for r in observed_rows)
    return_total = sum(r[9] for r in observed_rows)
    _sheet(
        book,
        "ROI observé",
        [*KEY_HEADERS, "Pari", "Combinaison", "Mise", "Résultat", "Rapport pour 1 €", "Retour", "Gain"],
        observed_rows,
        {"Mise": MONEY, "Retour": MONEY, "Gain": MONEY},
        total=[
            "Total",
            None,
            None,
            None,
            None,
            None,
            stake_total,
            None,
            None,
            return_total,
            return_total - stake_total,
        ],
    )

    follow_rows = []
    for _, r in _sorted(ledger).iterrows():
        follow_rows.append(
            [
                *_key_values(r),
                "abstention" if r["abstained"] else "pari",
                r["reason"],
                int(r["n_tickets"]),
                float(r["stake_eur"]),
                float(r["return_eur"]),
                float(r["profit_eur"]),
                None if r["roi"] is None or pd.isna(r["roi"]) else float(r["roi"]),
                None if pd.isna(r["brier"]) else float(r["brier"]),
                None if pd.isna(r["log_loss"]) else float(r["log_loss"]),
            ]
        )
    stake_sum = sum(r[7] for r in follow_rows)
    return_sum = sum(r[8] for r in follow_rows)
    _sheet(
        book,
        "Suivi",
        [*KEY_HEADERS, "Décision", "Raison", "Tickets", "Mise", "Retour", "Gain", "ROI", "Brier", "Log-loss"],
        follow_rows,
        {"Mise": MONEY, "Retour": MONEY, "Gain": MONEY, "ROI": PERCENT},
        total=[
            "Total",
            None,
            None,
            None,
            None,
            None,
            sum(r[6] for r in follow_rows),
            stake_sum,
            return_sum,
            return_sum - stake_sum,
            (return_sum - stake_sum) / stake_sum if stake_sum else None,
            None,
            None,
        ],
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
