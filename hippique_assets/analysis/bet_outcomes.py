"""Tickets of a backtest settled on the official dividends, the flat-favourite baseline, and
stakes, returns and ROI by bet type with bootstrap intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hippique_assets.analysis.metrics import (
    bootstrap_roi_ci,
    roi,
)
from hippique_assets.analysis.settlement import settle


def settle_race(tickets: pd.DataFrame, dividends: pd.DataFrame, race_runs: pd.DataFrame) -> pd.DataFrame:
    if tickets.empty:
        return tickets.assign(outcome=[], dividend_per_eur=[], return_eur=[], profit_eur=[])
    if dividends.empty:
        return tickets.assign(
            outcome="unsettled", dividend_per_eur=np.nan, return_eur=np.nan, profit_eur=np.nan
        )
    scratched = race_runs.loc[race_runs["non_runner"], "number"].astype(int).tolist()
    placed = race_runs.dropna(subset=["finish_rank"]).sort_values("finish_rank")
    return settle(tickets, dividends, scratched, placed["number"].astype(int).tolist())


def favourite_ticket(race: pd.DataFrame) -> pd.DataFrame:
    """1 EUR on the shortest H-5 price (split evenly between joint favourites)."""
    odds = race["odds_h5"].to_numpy(float)
    favourites = race.loc[odds == odds.min(), "number"].astype(int).tolist()
    stake = 1.0 / len(favourites)
    return pd.DataFrame(
        {
            "bet_type": "SIMPLE_GAGNANT",
            "combination": [str(n) for n in favourites],
            "numbers": [[n] for n in favourites],
            "stake_eur": stake,
        }
    )


def money_table(settled: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Tickets, stakes, returns and ROI by bet type (settled tickets only) with a bootstrap CI."""
    columns = [
        "bet_type",
        "tickets",
        "unsettled",
        "won",
        "refunded",
        "stake_eur",
        "return_eur",
        "roi",
        "roi_ci_low",
        "roi_ci_high",
    ]
    if settled.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    groups = [*sorted(settled["bet_type"].unique()), "all"]
    for bet_type in groups:
        part = settled if bet_type == "all" else settled[settled["bet_type"] == bet_type]
        done = part[part["outcome"] != "unsettled"]
        stake = float(done["stake_eur"].astype(float).sum())
        returned = float(done["return_eur"].astype(float).sum())
        ci = bootstrap_roi_ci(done["stake_eur"], done["return_eur"], done["race_date"], seed=seed)
        rows.append(
            {
                "bet_type": bet_type,
                "tickets": len(done),
                "unsettled": int((part["outcome"] == "unsettled").sum()),
                "won": int((done["outcome"] == "won").sum()),
                "refunded": int((done["outcome"] == "refunded").sum()),
                "stake_eur": round(stake, 2),
                "return_eur": round(returned, 2),
                "roi": roi(stake, returned),
                "roi_ci_low": ci[0] if ci else None,
                "roi_ci_high": ci[1] if ci else None,
            }
        )
    return pd.DataFrame(rows, columns=columns)
