"""Settling tickets on the official dividends of ``rapports-definitifs``.

Rules (PMU's, as the rapports express them):
- a simple bet on a non-runner is refunded;
- a combination whose horses are all non-runners is refunded;
- otherwise the ticket's running horses are matched against the dividends of its bet type whose
  combination holds the same numbers and the same non-runner marker (``5-NP`` pays the "1 NP"
  dividend of a couplé with one non-runner): in the same order for an ordered bet, as a set
  otherwise (:mod:`hippique_assets.analysis.bets`); a dead heat publishes several rows, any matches;
- no match: lost;
- no dividend at all for the ticket's bet type: unsettled (the data is missing, so the ticket is
  neither won nor lost; ``return_eur`` and ``profit_eur`` are left empty).
Returns are ``stake x dividendePourUnEuro``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hippique_assets.analysis.bets import Combination, is_ordered, settlement_key


class SettlementError(ValueError):
    """Nothing official to settle on."""


def _dividend_index(dividends: pd.DataFrame) -> dict[tuple[str, Combination, bool], float]:
    index: dict[tuple[str, Combination, bool], float] = {}
    for bet_type, numbers, has_np, value in zip(
        dividends["bet_type"],
        dividends["combination_numbers"],
        dividends["has_non_runner"],
        dividends["dividend_per_eur"],
        strict=True,
    ):
        key = (
            str(bet_type),
            settlement_key(is_ordered(str(bet_type)), numbers if numbers is not None else []),
            bool(has_np),
        )
        if value is not None and not pd.isna(value):
            index.setdefault(key, float(value))
    return index


def settle(
    tickets: pd.DataFrame, dividends: pd.DataFrame, non_runners: Sequence[int], arrival: Sequence[int]
) -> pd.DataFrame:
    """Tickets with ``outcome`` (won, lost, refunded, unsettled), ``dividend_per_eur``, ``return_eur``
    and ``profit_eur``."""
    if tickets.empty:
        return tickets.assign(outcome=[], dividend_per_eur=[], return_eur=[], profit_eur=[])
    if dividends.empty and len(arrival) > 0:
        raise SettlementError("the race has an arrival but no dividends: nothing official to settle on")
    scratched = {int(n) for n in non_runners}
    index = _dividend_index(dividends)
    published = {bet_type for bet_type, _, _ in index}
    outcomes, paid, returns = [], [], []
    for bet_type, numbers, stake in zip(
        tickets["bet_type"], tickets["numbers"], tickets["stake_eur"], strict=True
    ):
        horses = [int(n) for n in numbers]
        stake = float(stake)
        running = [h for h in horses if h not in scratched]
        if not running or (len(horses) == 1 and horses[0] in scratched):
            outcomes.append("refunded")
            paid.append(np.nan)
            returns.append(stake)
            continue
        key = settlement_key(is_ordered(str(bet_type)), running)
        dividend = index.get((str(bet_type), key, len(key) < len(horses)))
        if dividend is None and str(bet_type) not in published:
            outcomes.append("unsettled")
            paid.append(np.nan)
            returns.append(np.nan)
        elif dividend is None:
            outcomes.append("lost")
            paid.append(np.nan)
            returns.append(0.0)
        else:
            outcomes.append("won")
            paid.append(dividend)
            returns.append(round(stake * dividend, 2))
    out = tickets.copy()
    out["outcome"] = outcomes
    out["dividend_per_eur"] = paid
    out["return_eur"] = returns
    out["profit_eur"] = (out["return_eur"] - out["stake_eur"].astype(float)).round(2)
    return out
