"""The daily ledger: per race stakes, returns and ROI, and how good p_finale and the market were."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from hippique_assets.analysis.abstentions import reason_category
from hippique_assets.analysis.clv import clv_totals
from hippique_assets.analysis.metrics import brier_score, log_loss, roi
from hippique_assets.betting.tables import LEDGER
from hippique_assets.storage.tables import column_names


class LedgerInputError(ValueError):
    """An input frame of the ledger lacks a column it needs."""


_REQUIRED = {
    "decisions": ("race_key", "reunion", "course", "abstained", "reason"),
    "tickets": ("race_key", "stake_eur", "ev"),
    "settlements": ("race_key", "outcome", "return_eur"),
    "analysis": ("race_key", "number", "p_finale", "p_market"),
    "results": ("race_key", "arrival_order"),
}


def _require(name: str, frame: pd.DataFrame, columns: Iterable[str]) -> None:
    # An empty frame read from an empty table may have no columns at all: that is "no rows", not an error.
    if frame.empty and len(frame.columns) == 0:
        return
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise LedgerInputError(f"{name} frame lacks columns {missing}; it has {list(frame.columns)}")


def _rows_of(frame: pd.DataFrame, race_key: str) -> pd.DataFrame:
    if frame.empty:
        return frame
    return frame[frame["race_key"] == race_key]


def _winner(arrival: object) -> int | None:
    if arrival is None or isinstance(arrival, (float, str)):
        return None
    order = list(arrival)  # type: ignore[call-overload]
    return int(order[0]) if order else None


def _winners(results: pd.DataFrame) -> dict[str, int]:
    winners: dict[str, int] = {}
    if results.empty:
        return winners
    for key, arrival in zip(results["race_key"], results["arrival_order"], strict=True):
        winner = _winner(arrival)
        if winner is not None:
            winners[str(key)] = winner
    return winners


def _scores(runners: pd.DataFrame, winner: int | None, column: str) -> tuple[float | None, float | None]:
    if winner is None or runners.empty:
        return None, None
    numbers = runners["number"].astype(int).to_numpy()
    hits = np.flatnonzero(numbers == winner)
    if len(hits) == 0:
        return None, None
    p = runners[column].to_numpy(dtype=float)
    index = int(hits[0])
    return brier_score(p, index), log_loss(p, index)


def _whole(value: object) -> int:
    """A stored integer (int, numpy integer, or a float read from a column with gaps) as an int."""
    if isinstance(value, int | float | np.integer | np.floating):
        return int(value)
    return int(str(value))


def _money(frame: pd.DataFrame, column: str) -> pd.Series:
    # Postgres numeric columns arrive as Decimal.
    return frame[column].astype(float) if not frame.empty else pd.Series(dtype=float)


def race_ledger(
    race_date: date,
    decisions: pd.DataFrame,
    tickets: pd.DataFrame,
    settlements: pd.DataFrame,
    analysis: pd.DataFrame,
    results: pd.DataFrame,
) -> pd.DataFrame:
    """One ledger row per decided race of ``race_date`` (columns of ``betting.ledger``), by reunion, course.

    ``settled`` is true when the race has settlement rows, or was abstained and has an arrival.
    Brier score and log-loss compare p_finale (and p_market) with the winner, ``arrival_order[0]``;
    they are null without an arrival or when the winner has no analysed runner row.
    """
    for name, frame in (
        ("decisions", decisions),
        ("tickets", tickets),
        ("settlements", settlements),
        ("analysis", analysis),
        ("results", results),
    ):
        _require(name, frame, _REQUIRED[name])
    if decisions.empty:
        return pd.DataFrame(columns=column_names(LEDGER))
    day_decisions = decisions
    if "race_date" in decisions.columns:
        day_decisions = decisions[pd.to_datetime(decisions["race_date"]).dt.date == race_date]
    winners = _winners(results)
    rows = []
    for decision in day_decisions.sort_values(["reunion", "course"], kind="stable").itertuples(index=False):
        key = str(decision.race_key)
        race_tickets = _rows_of(tickets, key)
        race_settled = _rows_of(settlements, key)
        stakes = _money(race_tickets, "stake_eur")
        stake = float(stakes.sum())
        expected = float((stakes * (1 + race_tickets["ev"].astype(float))).sum()) if stake else 0.0
        returned = float(_money(race_settled, "return_eur").sum())
        clv, beat_share, clv_tickets = clv_totals(race_settled)
        runners = _rows_of(analysis, key)
        winner = winners.get(key)
        brier, loss = _scores(runners, winner, "p_finale")
        market_brier, market_loss = _scores(runners, winner, "p_market")
        abstained = bool(decision.abstained)
        reason = decision.reason if isinstance(decision.reason, str) else None
        rows.append(
            {
                "race_date": race_date,
                "race_key": key,
                "reunion": _whole(decision.reunion),
                "course": _whole(decision.course),
                "abstained": abstained,
                "reason": reason,
                "n_tickets": len(race_tickets),
                "n_won": int((race_settled["outcome"] == "won").sum()) if not race_settled.empty else 0,
                "stake_eur": round(stake, 2),
                "expected_return_eur": round(expected, 2),
                "return_eur": round(returned, 2),
                "profit_eur": round(returned - stake, 2),
                "roi": roi(stake, returned),
                "settled": bool(not race_settled.empty or (abstained and winner is not None)),
                "brier": brier,
                "log_loss": loss,
                "market_brier": market_brier,
                "market_log_loss": market_loss,
                "clv": clv,
                "clv_tickets": clv_tickets,
                "beat_final_share": beat_share,
            }
        )
    return pd.DataFrame(rows, columns=column_names(LEDGER))


@dataclass(frozen=True)
class DaySummary:
    """Totals of one racing day; scores are means over the races that have them."""

    race_date: date | None
    races: int
    bets_races: int
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
    clv: float | None = None
    beat_final_share: float | None = None
    clv_tickets: int = 0


def _mean(ledger: pd.DataFrame, column: str) -> float | None:
    if ledger.empty:
        return None
    values = pd.to_numeric(ledger[column], errors="coerce").dropna()
    return float(values.mean()) if len(values) else None


def _total(ledger: pd.DataFrame, column: str) -> float:
    return float(ledger[column].astype(float).sum()) if not ledger.empty else 0.0


def summarize_day(ledger: pd.DataFrame) -> DaySummary:
    """Roll the ledger rows of one day up into totals, ROI, hit rate and mean scores."""
    if ledger.empty:
        ledger = pd.DataFrame(columns=column_names(LEDGER))
    _require("ledger", ledger, column_names(LEDGER))
    stake = _total(ledger, "stake_eur")
    returned = _total(ledger, "return_eur")
    tickets = int(_total(ledger, "n_tickets"))
    won = int(_total(ledger, "n_won"))
    abstained = ledger["abstained"].astype(bool)
    return DaySummary(
        race_date=ledger["race_date"].iloc[0] if not ledger.empty else None,
        races=len(ledger),
        bets_races=int((~abstained).sum()),
        abstained=int(abstained.sum()),
        tickets=tickets,
        won=won,
        stake_eur=round(stake, 2),
        return_eur=round(returned, 2),
        profit_eur=round(returned - stake, 2),
        roi=roi(stake, returned),
        hit_rate=won / tickets if tickets else None,
        brier=_mean(ledger, "brier"),
        log_loss=_mean(ledger, "log_loss"),
        market_brier=_mean(ledger, "market_brier"),
        market_log_loss=_mean(ledger, "market_log_loss"),
        **_day_clv(ledger),
    )


def _day_clv(ledger: pd.DataFrame) -> dict[str, Any]:
    """The day's CLV: the races' CLVs weighted by their stakes, and the share of tickets beating the
    final price weighted by each race's tickets with a CLV."""
    if ledger.empty or "clv" not in ledger:
        return {}
    counted = pd.to_numeric(ledger["clv_tickets"], errors="coerce").fillna(0)
    rows = ledger[(counted > 0) & pd.to_numeric(ledger["clv"], errors="coerce").notna()]
    if rows.empty:
        return {}
    stakes = rows["stake_eur"].astype(float)
    tickets = pd.to_numeric(rows["clv_tickets"]).astype(float)
    clv = rows["clv"].astype(float)
    share = rows["beat_final_share"].astype(float)
    weights = stakes if stakes.sum() > 0 else tickets
    return {
        "clv": float((clv * weights).sum() / weights.sum()),
        "beat_final_share": float((share * tickets).sum() / tickets.sum()),
        "clv_tickets": int(tickets.sum()),
    }


def _fmt(value: float | None, pattern: str = "{:.3f}") -> str:
    return "-" if value is None else pattern.format(value)


def summary_markdown(summary: DaySummary) -> str:
    """The summary as a two-column markdown table for materialization metadata."""
    day = summary.race_date.isoformat() if summary.race_date is not None else "-"
    return "\n".join(
        [
            f"| {day} | |",
            "|---|---|",
            f"| races | {summary.races} ({summary.bets_races} bet, {summary.abstained} abstained) |",
            f"| tickets | {summary.tickets} ({summary.won} won, hit rate {_fmt(summary.hit_rate, '{:.1%}')}) |",
            f"| stake / return | {summary.stake_eur:.2f} EUR / {summary.return_eur:.2f} EUR |",
            f"| profit / ROI | {summary.profit_eur:+.2f} EUR / {_fmt(summary.roi, '{:+.1%}')} |",
            f"| Brier p_finale / market | {_fmt(summary.brier)} / {_fmt(summary.market_brier)} |",
            f"| log-loss p_finale / market | {_fmt(summary.log_loss)} / {_fmt(summary.market_log_loss)} |",
            f"| closing-line value | {_fmt(summary.clv, '{:+.1%}')} over {summary.clv_tickets} tickets, "
            f"{_fmt(summary.beat_final_share, '{:.0%}')} beat the final price |",
        ]
    )


# The summary's numbers, as they are charted over days; scores stay out while no race has one.
FIGURES = (
    "races",
    "bets_races",
    "abstained",
    "tickets",
    "won",
    "stake_eur",
    "return_eur",
    "profit_eur",
    "roi",
    "hit_rate",
    "brier",
    "log_loss",
    "market_brier",
    "market_log_loss",
    "clv",
    "beat_final_share",
    "clv_tickets",
)


def summary_figures(summary: DaySummary) -> dict[str, int | float]:
    """The summary's numbers by name (ints for counts, floats for money, rates and scores); a
    figure with no value (no stake, no scored race) is left out rather than charted as 0."""
    values = asdict(summary)
    figures: dict[str, int | float] = {}
    for name in FIGURES:
        value = values[name]
        if value is None:
            continue
        figures[name] = value if isinstance(value, int) else round(float(value), 4)
    return figures


def reason_key(reason: str | None) -> str:
    """A metadata key for an abstention reason: its stable part (see
    :func:`~hippique_assets.analysis.abstentions.reason_category`) in lower case with underscores."""
    slug = re.sub(r"[^a-z0-9]+", "_", reason_category(reason).lower()).strip("_")
    return f"abstained_{slug[:48] or 'unknown'}"


def abstentions_by_reason(ledger: pd.DataFrame) -> dict[str, int]:
    """Abstained races counted by reason, keyed by :func:`reason_key`, most frequent first."""
    if ledger.empty:
        return {}
    reasons = ledger.loc[ledger["abstained"].astype(bool), "reason"]
    counts = reasons.map(lambda r: reason_key(r if isinstance(r, str) else None)).value_counts()
    return {str(key): int(count) for key, count in counts.items()}
