"""The rows of the workbook's table sheets (Planning, ROI prévisionnel, ROI observé, Suivi), read
from the day's plan, tickets, settlements and ledger frames, with the sheets' headers and the sums
of their totals rows.

Every row starts with the race's identity (date, R, C) so rows of different days never collide.
Excel has no time zones: instants are given as Paris wall-clock times.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd

from hippique_assets.betting.workbook_cells import missing

PARIS = "Europe/Paris"
KEY_HEADERS = ["Date", "R", "C", "Course", "Clé"]
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


class WorkbookInputError(ValueError):
    """An input frame of the workbook lacks a column it needs."""


def _require(name: str, frame: pd.DataFrame, columns: Sequence[str]) -> None:
    if frame.empty:
        return
    missing_columns = [column for column in columns if column not in frame.columns]
    if missing_columns:
        raise WorkbookInputError(
            f"{name} frame lacks columns {missing_columns}; it has {list(frame.columns)}"
        )


def _day(value: object) -> object:
    if missing(value):
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


def in_race_order(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` ordered by day, reunion and race number (kept as it is when empty)."""
    if frame.empty:
        return frame
    return frame.sort_values(["race_date", "reunion", "course"], kind="stable")


def _number(value: object) -> float | None:
    if missing(value):
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


def planning_rows(plan: pd.DataFrame) -> list[list[object]]:
    """One row per planned race: where, which discipline, when (Paris time) and its status."""
    _require("plan", plan, ("race_date", "race_key", "reunion", "course"))
    return [
        [*_key_values(r), r.get("hippodrome"), r.get("discipline"), _paris(r), r.get("status")]
        for _, r in in_race_order(plan).iterrows()
    ]


def forecast_rows(tickets: pd.DataFrame) -> list[list[object]]:
    """One row per ticket: its stake, probability, estimated payout, EV and expected return."""
    _require(
        "tickets",
        tickets,
        ("race_date", "race_key", "reunion", "course", "bet_type", "combination", "stake_eur", "ev"),
    )
    rows = []
    for _, t in in_race_order(tickets).iterrows():
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


def names_of(tickets: pd.DataFrame) -> dict[tuple[str, str, str], str]:
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


def observed_rows(
    settlements: pd.DataFrame, names: dict[tuple[str, str, str], str] | None = None
) -> list[list[object]]:
    """One row per settled ticket: its outcome, dividend, return, profit, odds and CLV."""
    _require(
        "settlements",
        settlements,
        ("race_date", "race_key", "reunion", "course", "bet_type", "combination", "stake_eur", "outcome"),
    )
    rows = []
    for _, s in in_race_order(settlements).iterrows():
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


def follow_rows(ledger: pd.DataFrame) -> list[list[object]]:
    """One row per race of the ledger: bet or abstention, and how the race's stake fared."""
    _require("ledger", ledger, ("race_date", "race_key", "reunion", "course", "abstained", "stake_eur"))
    rows = []
    for _, r in in_race_order(ledger).iterrows():
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


def column_sum(headers: Sequence[str], rows: Sequence[Sequence[object]], header: str) -> float:
    """The sum of a column over the rows that have a value, to the cent."""
    index = headers.index(header)
    return round(sum(value for r in rows if (value := _number(r[index])) is not None), 2)


def stake_weighted(headers: Sequence[str], rows: Sequence[Sequence[object]], header: str) -> float | None:
    """The stake-weighted mean of a column over the rows that have a value (the day's CLV)."""
    at, stake_at = headers.index(header), headers.index("Mise")
    pairs = [
        (float(stake), float(value))
        for stake, value in ((r[stake_at], r[at]) for r in rows)
        if isinstance(stake, int | float) and isinstance(value, int | float)
    ]
    weight = sum(stake for stake, _ in pairs)
    return sum(stake * value for stake, value in pairs) / weight if weight > 0 else None
