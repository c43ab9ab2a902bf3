"""Rapports payloads (``/R{n}/C{n}/rapports-definitifs``) to bets and dividends.

The payload is a JSON array of bets (``typePari``, ``miseBase``, ``rembourse``, ``rapports[]``).
Amounts are centimes: ``dividendePourUnEuro`` 140 pays 1.40 euros for 1 euro staked, while
``dividende`` is expressed in the bet's own unit (``dividendeUnite``: per euro, or per base stake).
A combination holding ``NP`` stands for a non-runner (``5-NP``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Table

from hippique_assets.pmu import tables
from hippique_assets.pmu.parse_common import (
    PmuParseError,
    as_bool,
    as_float,
    as_text,
    require,
    require_list,
    strip_bet_prefix,
    typed_frame,
)
from hippique_assets.pmu.units import centimes_to_eur
from hippique_assets.racing.keys import race_key

NON_RUNNER_TOKEN = "NP"


@dataclass
class RapportsTables:
    """Rows of ``pmu.bets`` and ``pmu.dividends`` from one race's rapports payload."""

    bets: pd.DataFrame
    dividends: pd.DataFrame


def parse_combination(combination: str, where: str) -> tuple[list[int], bool]:
    """``"5-3-7"`` -> ``([5, 3, 7], False)``; ``"5-NP"`` -> ``([5], True)``."""
    numbers: list[int] = []
    has_non_runner = False
    for token in combination.split("-"):
        token = token.strip()
        if token.upper() == NON_RUNNER_TOKEN:
            has_non_runner = True
        elif token.isdigit():
            numbers.append(int(token))
        else:
            raise PmuParseError(
                where, f"combinaison {combination!r} holds {token!r}, not a runner number or NP"
            )
    return numbers, has_non_runner


def parse_rapports(payload: list, race_date: date, reunion: int, course: int) -> RapportsTables:
    """Bets and dividends of one race (euros). The ``E_`` prefix of ``typePari`` is removed.

    A bet listed both with and without the prefix is kept once when both carry the same
    dividends; when they differ the payload is ambiguous and :class:`PmuParseError` is raised.
    """
    rows = rapports_rows(payload, race_date, reunion, course)
    return RapportsTables(
        bets=typed_frame(tables.BETS, rows[tables.BETS]),
        dividends=typed_frame(tables.DIVIDENDS, rows[tables.DIVIDENDS]),
    )


def rapports_rows(payload: list, race_date: date, reunion: int, course: int) -> dict[Table, list[dict]]:
    """The row dicts of :func:`parse_rapports`, by table (for parsing many races into one frame)."""
    key = race_key(race_date, reunion, course)
    where = f"rapports {key}"
    if not isinstance(payload, list):
        raise PmuParseError(where, f"expected a JSON array of bets, got {type(payload).__name__}")
    bets: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    for bet in payload:
        raw_type = str(require(bet, "typePari", where))
        bet_type = strip_bet_prefix(raw_type)
        b_where = f"{where} {raw_type}"
        bet_row, dividend_rows = _bet_rows(bet, raw_type, bet_type, race_date, reunion, course, key, b_where)
        if bet_type in bets:
            kept_row, kept_dividends = bets[bet_type]
            if _comparable(kept_dividends) != _comparable(dividend_rows):
                raise PmuParseError(
                    b_where,
                    f"{kept_row['bet_type_raw']} and {raw_type} are both listed with different dividends",
                )
            continue
        bets[bet_type] = (bet_row, dividend_rows)
    bet_rows = [row for row, _ in bets.values()]
    dividend_rows = [row for _, rows in bets.values() for row in rows]
    return {tables.BETS: bet_rows, tables.DIVIDENDS: dividend_rows}


def _comparable(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted((r["label"], r["combination"], r["dividend_per_eur"]) for r in rows)


def _bet_rows(
    bet: Mapping[str, Any],
    raw_type: str,
    bet_type: str,
    race_date: date,
    reunion: int,
    course: int,
    key: str,
    where: str,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    rapports = require_list(bet, "rapports", where)
    base_stake = centimes_to_eur(as_float(bet.get("miseBase"), where, "miseBase"))
    bet_unit = as_text(bet.get("dividendeUnite"))
    race_cols = {"race_date": race_date, "reunion": reunion, "course": course, "race_key": key}
    dividends: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for index, rapport in enumerate(rapports):
        r_where = f"{where} rapports[{index}]"
        combination = str(require(rapport, "combinaison", r_where)).strip()
        label = as_text(rapport.get("libelle")) or bet_type
        if (combination, label) in seen:
            raise PmuParseError(r_where, f"combination {combination!r} ({label}) listed twice")
        seen.add((combination, label))
        numbers, has_non_runner = parse_combination(combination, r_where)
        per_eur = as_float(require(rapport, "dividendePourUnEuro", r_where), r_where, "dividendePourUnEuro")
        dividends.append(
            {
                **race_cols,
                "bet_type": bet_type,
                "label": label,
                "combination": combination,
                "combination_numbers": numbers,
                "has_non_runner": has_non_runner,
                "dividend_per_eur": centimes_to_eur(per_eur),
                "dividend": centimes_to_eur(as_float(rapport.get("dividende"), r_where, "dividende")),
                "dividend_unit": as_text(rapport.get("dividendeUnite")) or bet_unit,
                "dividend_per_base_stake": centimes_to_eur(
                    as_float(rapport.get("dividendePourUneMiseDeBase"), r_where, "dividendePourUneMiseDeBase")
                ),
                "base_stake_eur": base_stake,
                "n_winners": as_float(rapport.get("nombreGagnants"), r_where, "nombreGagnants"),
            }
        )
    bet_row = {
        **race_cols,
        "bet_type": bet_type,
        "bet_type_raw": raw_type,
        "family": as_text(bet.get("famillePari")),
        "base_stake_eur": base_stake,
        "refunded": as_bool(bet.get("rembourse"), where, "rembourse"),
        "dividend_unit": bet_unit,
        "audience": as_text(bet.get("audience")),
        "n_dividends": len(dividends),
    }
    return bet_row, dividends
