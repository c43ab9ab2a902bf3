"""Each decision phase's decision, kept side by side so H-5 and the last call can be compared.

Both decision phases (H-5 and the last call) decide on every race. The analysis config's
``[decision] placing_phase`` says which one places the tickets: its decision and tickets go to
``betting.decisions`` and ``betting.tickets`` (settled at H+15, in the ledger); the other phase's
decision is kept in ``racing.phase_decisions`` only, with its tickets as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pandas as pd

from hippique_assets.racing.keys import parse_race_key
from hippique_assets.racing.tables import PHASE_DECISIONS
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets.storage.tables import column_names

DECISION_PHASES = ("h5", "last_call")
PHASE_NAMES = {"h5": "H-5", "last_call": "the last call"}
TICKET_FIELDS = ("bet_type", "combination", "stake_eur", "probability", "payout_estimate", "ev")


def tickets_json(tickets: pd.DataFrame) -> str:
    """The tickets' main fields as a JSON list (numbers as plain floats)."""
    fields = [f for f in TICKET_FIELDS if f in tickets.columns]
    rows = [
        {
            f: (float(v) if isinstance(v, int | float) and not isinstance(v, bool) else v)
            for f, v in row.items()
        }
        for row in tickets[fields].to_dict("records")
    ]
    return json.dumps(rows, default=str)


def phase_decision_frame(
    race_key: str,
    phase: str,
    due: datetime | None,
    decision: Mapping[str, Any],
    tickets: pd.DataFrame,
    *,
    placed: bool,
) -> pd.DataFrame:
    """One row of ``racing.phase_decisions`` from a decision row (``betting.decisions`` columns)."""
    if phase not in DECISION_PHASES:
        raise ValueError(f"not a decision phase: {phase!r} (use one of {DECISION_PHASES})")
    row = {
        "race_key": race_key,
        "race_date": parse_race_key(race_key).race_date,
        "phase": phase,
        "due_utc": due,
        "decided_at": decision["decided_at"],
        "odds_captured_at": decision.get("h5_captured_at"),
        "odds_source": decision.get("odds_source"),
        "abstained": bool(decision["abstained"]),
        "reason": decision.get("reason"),
        "n_tickets": int(decision["n_tickets"]),
        "stake_eur": float(decision["stake_eur"]),
        "expected_return_eur": float(decision["expected_return_eur"]),
        "placed": placed,
        "tickets": tickets_json(tickets),
        "config_version": decision["config_version"],
    }
    frame = pd.DataFrame([row], columns=column_names(PHASE_DECISIONS))
    for column in ("due_utc", "decided_at", "odds_captured_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def record_phase_decision(
    postgres: PostgresResource,
    race_key: str,
    phase: str,
    due: datetime | None,
    decision: Mapping[str, Any],
    tickets: pd.DataFrame,
    *,
    placed: bool,
) -> None:
    """Keep the phase's decision (replacing an earlier one of the same race and phase)."""
    postgres.write_frame(
        PHASE_DECISIONS, phase_decision_frame(race_key, phase, due, decision, tickets, placed=placed)
    )


def unplaced(decision: Mapping[str, Any], phase: str, placing_phase: str) -> dict[str, Any]:
    """The ``betting.decisions`` row of a phase that does not place the tickets: no ticket, no stake,
    and a reason naming what it decided and which phase places."""
    verdict = "abstain" if decision["abstained"] else f"{int(decision['n_tickets'])} tickets"
    return {
        **decision,
        "abstained": True,
        "reason": f"not placed: {PHASE_NAMES[placing_phase]} places the tickets "
        f"({PHASE_NAMES[phase]} decided: {verdict}; kept in {PHASE_DECISIONS.fullname})",
        "n_tickets": 0,
        "stake_eur": 0.0,
        "expected_return_eur": 0.0,
    }
