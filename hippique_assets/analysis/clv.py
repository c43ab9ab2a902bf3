"""Closing-line value: the price a decision was made at against the final price.

For a simple-gagnant ticket on horse h, ``decision_odds`` is h's win odds at the decision instant
(the odds the decision read) and ``final_odds`` its final win odds (PMU's last direct odds, known
once the race is run). The ticket's closing-line value is

    clv = decision_odds / final_odds - 1

positive when the horse's price shortened after the decision (the late money agreed with the
pick), and the ticket *beats the final price* when ``decision_odds > final_odds``. A pari-mutuel
bet is paid at the final price whatever the decision saw, so CLV is not money won: it is the usual
early measure of whether picks carry information the market had not yet priced, far less noisy
than ROI. A race's or a day's CLV is the stake-weighted mean over its tickets that have both
prices; other bet types, and tickets without a final price, have none.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from hippique_assets.analysis.metrics import clustered_mean_se

WIN = "SIMPLE_GAGNANT"
CLV_COLUMNS = ("decision_odds", "final_odds", "clv", "beat_final")


def _single(numbers: object) -> int | None:
    values = list(numbers) if isinstance(numbers, list | tuple | np.ndarray) else []
    return int(values[0]) if len(values) == 1 else None


def win_prices(tickets: pd.DataFrame, odds_by_number: Mapping[int, float]) -> pd.Series:
    """Each ticket's horse's price in ``odds_by_number`` (simple gagnant only; NaN otherwise)."""
    prices = []
    for bet_type, numbers in zip(tickets["bet_type"], tickets["numbers"], strict=True):
        number = _single(numbers) if bet_type == WIN else None
        value = odds_by_number.get(number, np.nan) if number is not None else np.nan
        prices.append(float(value) if value is not None and value == value and value > 1 else np.nan)
    return pd.Series(prices, index=tickets.index, dtype=float)


def with_clv(tickets: pd.DataFrame, final_by_number: Mapping[int, float]) -> pd.DataFrame:
    """``tickets`` (with ``decision_odds``) plus ``final_odds``, ``clv`` and ``beat_final``."""
    final = win_prices(tickets, final_by_number) if not tickets.empty else pd.Series(dtype=float)
    decided = pd.to_numeric(tickets.get("decision_odds", pd.Series(np.nan, index=tickets.index)))
    clv = decided.astype(float) / final - 1.0
    beat = pd.Series(
        [bool(d > f) if pd.notna(c) else None for d, f, c in zip(decided, final, clv, strict=True)],
        index=tickets.index,
        dtype=object,
    )
    return tickets.assign(decision_odds=decided.astype(float), final_odds=final, clv=clv, beat_final=beat)


def clv_totals(tickets: pd.DataFrame) -> tuple[float | None, float | None, int]:
    """Stake-weighted mean CLV, share of tickets beating the final price, tickets counted."""
    if tickets.empty or "clv" not in tickets:
        return None, None, 0
    known = tickets[pd.to_numeric(tickets["clv"], errors="coerce").notna()]
    if known.empty:
        return None, None, 0
    stakes = known["stake_eur"].astype(float).to_numpy()
    values = known["clv"].astype(float).to_numpy()
    mean = float((stakes * values).sum() / stakes.sum()) if stakes.sum() > 0 else float(values.mean())
    share = float(known["beat_final"].astype(bool).mean())
    return mean, share, len(known)


def clv_summary_markdown(tickets: pd.DataFrame) -> str:
    """Tickets with a CLV, stake-weighted mean CLV, per-ticket mean with its SE by day, share beating
    the final price."""
    mean, share, count = clv_totals(tickets)
    if mean is None or share is None:
        return "_no simple-gagnant ticket with a decision and a final price_"
    known = tickets[pd.to_numeric(tickets["clv"], errors="coerce").notna()]
    per_ticket, se = clustered_mean_se(known["clv"].astype(float).to_numpy(), known["race_date"].tolist())
    return (
        f"{count} tickets: CLV {mean:+.2%} (stake-weighted), per ticket {per_ticket:+.2%} "
        f"(SE {se:.2%} by day); {share:.1%} beat the final price."
    )
