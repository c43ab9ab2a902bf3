"""Rapports payloads (``/R{n}/C{n}/rapports-definitifs``) to bets and dividends.

The payload is a JSON array of bets (``typePari``, ``miseBase``, ``rembourse``, ``rapports[]``).
Amounts are centimes: ``dividendePourUnEuro`` 140 pays 1.40 euros for 1 euro staked, while
``dividende`` is expressed in the bet's own unit (``dividendeUnite``: per euro, or per base stake).
A combination holding ``NP`` stands for a non-runner (``5-NP``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from hippique_assets.pmu.batch import parse_payload
from hippique_assets.pmu.parse_common import (
    ParsedRows,
    PmuParseError,
    as_bool,
    as_float,
    as_text,
    key_text,
    parse_error,
    reading,
    require,
    require_list,
    require_text,
    strip_bet_prefix,
)
from hippique_assets.pmu.schema.rapports import BETS, DIVIDENDS
from hippique_assets.pmu.units import centimes_to_eur
from hippique_assets.pmu.validation import Rejection, shown
from hippique_assets.racing.keys import race_key

NON_RUNNER_TOKEN = "NP"
# A runner number in a combination: one to three ASCII digits (str.isdigit also takes "²", which
# int() cannot read).
_RUNNER_NUMBER = re.compile(r"[0-9]{1,3}")


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
        elif _RUNNER_NUMBER.fullmatch(token):
            numbers.append(int(token))
        else:
            raise PmuParseError(
                where,
                f"combinaison {shown(combination)} holds {shown(token)}, not a runner number or NP",
                field="combinaison",
                value=combination,
            )
    return numbers, has_non_runner


def parse_rapports(
    payload: list, race_date: date, reunion: int, course: int, *, rejected: list[Rejection] | None = None
) -> RapportsTables:
    """Bets and dividends of one race (euros). The ``E_`` prefix of ``typePari`` is removed.

    A bet listed both with and without the prefix is kept once when both carry the same
    dividends; when they differ the payload is ambiguous and :class:`PmuParseError` is raised.
    With ``rejected``, such bets and those that cannot be read are left out and appended there
    instead, and the others are kept (see :func:`~hippique_assets.pmu.batch.parse_payload`).
    """
    frames = parse_payload(
        "rapports",
        (BETS, DIVIDENDS),
        race_date,
        race_key(race_date, reunion, course),
        rapports_rows,
        payload,
        race_date,
        reunion,
        course,
        rejected=rejected,
    )
    return RapportsTables(bets=frames[BETS], dividends=frames[DIVIDENDS])


@dataclass
class _Bet:
    """One listing of a bet: its rows, or the error that cost it."""

    raw_type: str
    where: str
    row: dict[str, Any] | None = None
    dividends: list[dict[str, Any]] = field(default_factory=list)
    error: PmuParseError | None = None


def rapports_rows(payload: list, race_date: date, reunion: int, course: int) -> ParsedRows:
    """The row dicts of :func:`parse_rapports`, by table (for parsing many races into one frame).

    A bet that cannot be read is left out with its error (``rejected``) and the other bets are
    kept; a bet listed twice (with and without ``E_``) is kept once when both listings agree and
    left out when they do not. A bet without a readable ``typePari`` cannot be told apart, so it
    costs the race: that raises :class:`PmuParseError`, as does a payload that is not an array.
    """
    key = race_key(race_date, reunion, course)
    where = f"rapports {key}"
    with reading(where):
        if not isinstance(payload, list):
            raise PmuParseError(where, f"expected a JSON array of bets, got {type(payload).__name__}")
        raw_types = [require_text(bet, "typePari", where) for bet in payload]
    listings: dict[str, list[_Bet]] = {}
    for bet, raw_type in zip(payload, raw_types, strict=True):
        bet_type = strip_bet_prefix(raw_type)
        listings.setdefault(bet_type, []).append(
            _bet(bet, raw_type, bet_type, race_date, reunion, course, key)
        )
    out = ParsedRows({BETS: [], DIVIDENDS: []})
    for bets in listings.values():
        kept = _one_listing(bets, key)
        if kept is None:
            out.rejected.extend(bet.error for bet in bets if bet.error is not None)
            continue
        assert kept.row is not None
        out[BETS].append(kept.row)
        out[DIVIDENDS].extend(kept.dividends)
    return out


def _bet(
    bet: Mapping[str, Any], raw_type: str, bet_type: str, race_date: date, reunion: int, course: int, key: str
) -> _Bet:
    b_where = f"rapports {key} {raw_type}"
    try:
        row, dividends = _bet_rows(bet, raw_type, bet_type, race_date, reunion, course, key, b_where)
    except Exception as exc:  # whatever the error, it costs this bet only
        return _Bet(raw_type, b_where, error=parse_error(exc, b_where).at(race_key=key))
    return _Bet(raw_type, b_where, row=row, dividends=dividends)


def _one_listing(bets: list[_Bet], key: str) -> _Bet | None:
    """The listing of a bet type to keep, or None with every listing's ``error`` set.

    Listings of one bet type that all read and carry the same dividends are one bet; otherwise
    none can be trusted over the others.
    """
    first = bets[0]
    if len(bets) == 1:
        return first if first.error is None else None
    names = " and ".join(bet.raw_type for bet in bets)
    readable = all(bet.error is None for bet in bets)
    if readable and all(_comparable(bet.dividends) == _comparable(first.dividends) for bet in bets):
        return first
    problem = (
        f"{names} are both listed with different dividends"
        if readable
        else f"{names} are both listed and not every listing can be read"
    )
    for bet in bets:
        if bet.error is None:
            bet.error = PmuParseError(bet.where, problem, field="typePari", value=bet.raw_type, race_key=key)
    return None


def _comparable(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(repr((r["label"], r["combination"], r["dividend_per_eur"])) for r in rows)


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
        combination = require_text(rapport, "combinaison", r_where).strip()
        label = key_text(rapport.get("libelle"), r_where, "libelle") or bet_type
        if (combination, label) in seen:
            raise PmuParseError(
                r_where,
                f"combination {shown(combination)} ({shown(label)}) listed twice",
                field="combinaison",
                value=combination,
            )
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
