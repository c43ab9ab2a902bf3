"""The daily ledger: per race stakes, returns and ROI, and how good p_finale and the market were."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from hippique_assets.analysis.metrics import brier_score, log_loss, roi
from hippique_assets.betting.tables import LEDGER


def _scores(runners: pd.DataFrame, winner: int | None, column: str) -> tuple[float | None, float | None]:
    if winner is None or runners.empty or winner not in set(runners["number"].astype(int)):
        return None, None
    ordered = runners.sort_values("number")
    index = int(np.flatnonzero(ordered["number"].astype(int).to_numpy() == winner)[0])
    p = ordered[column].to_numpy(dtype=float)
    return brier_score(p, index), log_loss(p, index)


def race_ledger(
    race_date: date,
    decisions: pd.DataFrame,
    tickets: pd.DataFrame,
    settlements: pd.DataFrame,
    analysis: pd.DataFrame,
    results: pd.DataFrame,
) -> pd.DataFrame:
    """One ledger row per analysed race of the day (columns of ``betting.ledger``)."""
    winners = {}
    for key, arrival in zip(results.get("race_key", []), results.get("arrival_order", []), strict=True):
        winners[key] = int(arrival[0]) if arrival is not None and len(arrival) else None
    rows = []
    for decision in decisions.sort_values(["reunion", "course"]).itertuples(index=False):
        key = decision.race_key
        race_tickets = tickets[tickets["race_key"] == key] if not tickets.empty else tickets
        race_settled = settlements[settlements["race_key"] == key] if not settlements.empty else settlements
        stake = float(race_tickets["stake_eur"].astype(float).sum()) if not race_tickets.empty else 0.0
        expected = (
            float((race_tickets["stake_eur"].astype(float) * (1 + race_tickets["ev"].astype(float))).sum())
            if not race_tickets.empty
            else 0.0
        )
        returned = float(race_settled["return_eur"].astype(float).sum()) if not race_settled.empty else 0.0
        runners = analysis[analysis["race_key"] == key] if not analysis.empty else analysis
        winner = winners.get(key)
        brier, loss = _scores(runners, winner, "p_finale")
        m_brier, m_loss = _scores(runners, winner, "p_market")
        has_result = key in winners
        rows.append(
            {
                "race_date": race_date,
                "race_key": key,
                "reunion": int(decision.reunion),
                "course": int(decision.course),
                "abstained": bool(decision.abstained),
                "reason": decision.reason,
                "n_tickets": len(race_tickets),
                "n_won": int((race_settled["outcome"] == "won").sum()) if not race_settled.empty else 0,
                "stake_eur": round(stake, 2),
                "expected_return_eur": round(expected, 2),
                "return_eur": round(returned, 2),
                "profit_eur": round(returned - stake, 2),
                "roi": roi(stake, returned),
                "settled": bool(not race_settled.empty or (decision.abstained and has_result)),
                "brier": brier,
                "log_loss": loss,
                "market_brier": m_brier,
                "market_log_loss": m_loss,
            }
        )
    return pd.DataFrame(rows, columns=LEDGER.column_names)


@dataclass
class DaySummary:
    race_date: date | None
    races: int
    bet_races: int
    abstained: int
    tickets: int
    won: int
    stake_eur: float
    return_eur: float
    profit_eur: float
    roi: float | None
    hit_rate: float | None
    brier: float | None
    log_loss: float | None
    market_brier: float | None
    market_log_loss: float | None


def _mean(series: pd.Series) -> float | None:
    values = series.dropna().astype(float)
    return float(values.mean()) if len(values) else None


def summarize_day(ledger: pd.DataFrame) -> DaySummary:
    stake = float(ledger["stake_eur"].astype(float).sum()) if not ledger.empty else 0.0
    returned = float(ledger["return_eur"].astype(float).sum()) if not ledger.empty else 0.0
    tickets = int(ledger["n_tickets"].sum()) if not ledger.empty else 0
    won = int(ledger["n_won"].sum()) if not ledger.empty else 0
    return DaySummary(
        race_date=ledger["race_date"].iloc[0] if not ledger.empty else None,
        races=len(ledger),
        bet_races=int((~ledger["abstained"].astype(bool)).sum()) if not ledger.empty else 0,
        abstained=int(ledger["abstained"].astype(bool).sum()) if not ledger.empty else 0,
        tickets=tickets,
        won=won,
        stake_eur=round(stake, 2),
        return_eur=round(returned, 2),
        profit_eur=round(returned - stake, 2),
        roi=roi(stake, returned),
        hit_rate=won / tickets if tickets else None,
        brier=_mean(ledger["brier"]) if not ledger.empty else None,
        log_loss=_mean(ledger["log_loss"]) if not ledger.empty else None,
        market_brier=_mean(ledger["market_brier"]) if not ledger.empty else None,
        market_log_loss=_mean(ledger["market_log_loss"]) if not ledger.empty else None,
    )


def _fmt(value: float | None, pattern: str = "{:.3f}") -> str:
    return "-" if value is None else pattern.format(value)


def summary_markdown(summary: DaySummary) -> str:
    return "\n".join(
        [
            "| | |",
            "|---|---|",
            f"| races analysed | {summary.races} ({summary.bet_races} bet, {summary.abstained} abstained) |",
            f"| tickets | {summary.tickets} ({summary.won} won, hit rate {_fmt(summary.hit_rate, '{:.1%}')}) |",
            f"| stake / return | {summary.stake_eur:.2f} EUR / {summary.return_eur:.2f} EUR |",
            f"| profit / ROI | {summary.profit_eur:+.2f} EUR / {_fmt(summary.roi, '{:+.1%}')} |",
            f"| Brier p_finale / market | {_fmt(summary.brier)} / {_fmt(summary.market_brier)} |",
            f"| log-loss p_finale / market | {_fmt(summary.log_loss)} / {_fmt(summary.market_log_loss)} |",
        ]
    )
