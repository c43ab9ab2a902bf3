"""The rows one race's decision stores, whichever phase decides (H-5 or the last call): the runners'
analysis, the decision and its tickets, each ticket with its decision price (for the closing-line
value at H+15) and the names of the horses it backs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from hippique_assets.analysis.clv import win_prices
from hippique_assets.analysis.pipeline import RaceAnalysis
from hippique_assets.racing.keys import parse_race_key


def named_runners(numbers: Iterable[Any] | None, names: Mapping[int, str]) -> str:
    """``3 JAZZY, 7 ULYSSE``: each number of a combination beside its horse's name, when known."""
    listed = [int(n) for n in numbers] if numbers is not None else []
    return ", ".join(f"{n} {names[n]}" if n in names else str(n) for n in listed)


@dataclass(frozen=True)
class DecisionRows:
    """A decision in the columns of ``betting.runner_analysis``, ``betting.decisions`` and
    ``betting.tickets``, without the race's own columns (see :func:`with_race`)."""

    runners: pd.DataFrame
    decision: dict[str, Any]
    tickets: pd.DataFrame

    @property
    def verdict(self) -> str:
        """``abstain (reason)`` or ``2 tickets, 4.00 EUR``, as the logs and the UI say it."""
        if self.decision["abstained"]:
            return f"abstain ({self.decision['reason']})"
        return f"{self.decision['n_tickets']} tickets, {self.decision['stake_eur']:.2f} EUR"


def decision_rows(
    result: RaceAnalysis,
    *,
    config_version: str,
    now: datetime,
    names: Mapping[int, str],
    edge_evidence: str | None,
) -> DecisionRows:
    """What ``result`` stores when decided at ``now``. A ticket's decision price is the win price of
    the runners it backs at the odds the decision read (``odds_h5``: the H-5 or last-call capture)."""
    runners = result.runners.assign(method=result.method, config_version=config_version, analysed_at=now)
    if not runners.empty:
        runners = runners.assign(horse_name=runners["number"].map(lambda n: names.get(int(n))))
    decision = result.decision
    tickets = decision.tickets.assign(config_version=config_version, decided_at=now)
    if not tickets.empty:
        odds = dict(zip(runners["number"].astype(int), runners["odds_h5"].astype(float), strict=True))
        tickets = tickets.assign(
            decision_odds=win_prices(tickets, odds),
            horse_names=tickets["numbers"].map(lambda n: named_runners(n, names)),
        )
    stake = float(tickets["stake_eur"].sum()) if not tickets.empty else 0.0
    expected = float((tickets["stake_eur"] * (1 + tickets["ev"])).sum()) if not tickets.empty else 0.0
    row: dict[str, Any] = {
        "abstained": decision.abstained,
        "reason": decision.reason,
        "n_candidates": len(decision.candidates),
        "n_tickets": len(tickets),
        "stake_eur": round(stake, 2),
        "expected_return_eur": round(expected, 2),
        "drift_available": result.drift_available,
        "config_version": config_version,
        "decided_at": now,
        "odds_source": result.prepared.odds_source,
        "h5_captured_at": result.prepared.h5_captured_at,
        "h30_captured_at": result.prepared.h30_captured_at,
        "edge_evidence": edge_evidence,
    }
    return DecisionRows(runners, row, tickets)


def race_columns(race_key: str) -> dict[str, Any]:
    """The race's own columns in the betting tables: key, date, reunion and course."""
    race = parse_race_key(race_key)
    return {"race_key": race_key, "race_date": race.race_date, "reunion": race.reunion, "course": race.course}


def with_race(race_key: str, frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame`` with the race's own columns, in ``columns`` order; a frame with no rows becomes
    untyped empty columns, so that writing it only clears the race's rows."""
    if frame.empty:
        return pd.DataFrame(columns=columns, dtype=object)
    return frame.assign(**race_columns(race_key)).reindex(columns=columns)
