"""Odds snapshots: the odds of every runner of parsed participants at one capture, as rows of
``pmu.odds_snapshots``, with the trend, favourite and large-bet fields the live answer adds."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pandas as pd

from hippique_assets.pmu.parse_common import PmuParseError, as_bool, as_float, optional, typed_frame
from hippique_assets.pmu.schema.live_odds import ODDS_SNAPSHOTS
from hippique_assets.pmu.validation import shown
from hippique_assets.storage.tables import column_names

# What the live odds answer says about each runner beyond its odds and their instants, by column of
# pmu.odds_snapshots: (object, field).
LIVE_ODDS_FIELDS: dict[str, tuple[str, str]] = {
    "odds_direct_trend": ("dernierRapportDirect", "nombreIndicateurTendance"),
    "odds_direct_trend_sign": ("dernierRapportDirect", "indicateurTendance"),
    "odds_direct_favourite": ("dernierRapportDirect", "favoris"),
    "odds_direct_large_bet": ("dernierRapportDirect", "grossePrise"),
    "odds_reference_favourite": ("dernierRapportReference", "favoris"),
}


def _live_value(column: str, value: Any, where: str) -> Any:
    if column == "odds_direct_trend":
        return as_float(value, where, column)
    if column == "odds_direct_trend_sign":
        if value is None or isinstance(value, str):
            return value
        raise PmuParseError(
            where, f"{column!r} should be text, got {shown(value)}", field=column, value=value
        )
    return as_bool(value, where, column)


def live_odds_fields(payload: Mapping[str, Any]) -> dict[int, dict[str, Any]]:
    """Per runner number, the trend, favourite and large-bet fields of its live and reference odds.

    A value of the wrong type is left null (never guessed); the runner's odds are read, and checked,
    by :func:`~hippique_assets.pmu.parse_participants.parse_participants`.
    """
    listed = payload.get("participants") if isinstance(payload, Mapping) else None
    out: dict[int, dict[str, Any]] = {}
    for runner in listed if isinstance(listed, list) else []:
        number = runner.get("numPmu") if isinstance(runner, Mapping) else None
        if isinstance(number, bool) or not isinstance(number, int):
            continue
        fields: dict[str, Any] = {}
        for column, (quote, field) in LIVE_ODDS_FIELDS.items():
            try:
                fields[column] = _live_value(
                    column, optional(runner, quote, field), f"participants #{number}"
                )
            except PmuParseError:
                fields[column] = None
        out[number] = fields
    return out


def _known(value: Any) -> Any:
    return None if pd.isna(value) else value


def odds_snapshot(
    participants: pd.DataFrame,
    phase: str,
    captured_at: datetime,
    live: Mapping[int, Mapping[str, Any]] | None = None,
) -> pd.DataFrame:
    """Rows of ``pmu.odds_snapshots``: each runner's odds in ``participants`` at ``captured_at``.

    ``participants`` is a frame from
    :func:`~hippique_assets.pmu.parse_participants.parse_participants` (one race or several).
    ``captured_at`` must be timezone-aware. ``live`` (from :func:`live_odds_fields`) adds the trend,
    favourite and large-bet fields of each runner's odds; without it they are null.
    """
    if not phase or not phase.strip():
        raise ValueError(f"odds snapshot phase must be a non-empty label, got {phase!r}")
    if captured_at.tzinfo is None:
        raise ValueError(f"odds snapshot captured_at {captured_at.isoformat()} has no timezone")
    needed = [c for c in column_names(ODDS_SNAPSHOTS) if c not in ("phase", "captured_at")]
    missing = [c for c in needed if c not in participants.columns and c not in LIVE_ODDS_FIELDS]
    if missing:
        raise ValueError(f"odds_snapshot needs participants columns {missing}")
    at = pd.Timestamp(captured_at).tz_convert("UTC")
    extra = live or {}
    rows = [
        {
            "race_key": r["race_key"],
            "race_date": r["race_date"],
            "reunion": r["reunion"],
            "course": r["course"],
            "phase": phase,
            "captured_at": at,
            "number": r["number"],
            "horse_id": r["horse_id"],
            "odds_direct": _known(r["odds_direct"]),
            "odds_direct_at": _known(r["odds_direct_at"]),
            "odds_reference": _known(r["odds_reference"]),
            "odds_reference_at": _known(r["odds_reference_at"]),
            "non_runner": bool(r["non_runner"]),
            **{c: extra.get(int(r["number"]), {}).get(c) for c in LIVE_ODDS_FIELDS},
        }
        for r in participants.to_dict("records")
    ]
    return typed_frame(ODDS_SNAPSHOTS, rows)
