"""Comparing the PMU plan with what a web source shows, and filling a missing PMU start time.

Pure functions over the plan frame and :class:`WebRace` cards, so the asset and its check only wire
them to the tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta

import pandas as pd

from hippique_assets.racing.keys import race_key
from hippique_assets.web.models import WebRace

START_TOLERANCE = timedelta(minutes=2)
CARD_COLUMNS = [
    "race_date",
    "race_key",
    "source",
    "start_utc",
    "n_runners",
    "non_runners",
    "page",
    "fetched_at",
]


def cards_frame(cards: Iterable[tuple[WebRace, str, object]]) -> pd.DataFrame:
    """Rows of ``web.race_cards`` from (parsed race, page path, fetch instant)."""
    rows = []
    for card, page, fetched_at in cards:
        if card.reunion is None or card.course is None:
            continue
        rows.append(
            {
                "race_date": card.race_date,
                "race_key": race_key(card.race_date, card.reunion, card.course),
                "source": card.source,
                "start_utc": pd.Timestamp(card.start).tz_convert("UTC") if card.start else None,
                "n_runners": len(card.runners),
                "non_runners": card.non_runners,
                "page": page,
                "fetched_at": fetched_at,
            }
        )
    return pd.DataFrame(rows, columns=CARD_COLUMNS)


def compare(plan: pd.DataFrame, cards: pd.DataFrame, declared: pd.Series | None = None) -> pd.DataFrame:
    """The plan with ``zeturf_agrees``/``geny_agrees`` and ``cross_check_notes`` filled where a
    card exists; a missing PMU start is taken from a card, with ``start_source`` saying which."""
    out = plan.copy()
    if cards.empty or out.empty:
        return out
    for source, column in (("zeturf", "zeturf_agrees"), ("geny", "geny_agrees")):
        by_race = (
            cards[cards["source"] == source].drop_duplicates("race_key", keep="last").set_index("race_key")
        )
        for index, row in out.iterrows():
            if row["race_key"] not in by_race.index:
                continue
            card = by_race.loc[row["race_key"]]
            notes = _disagreements(row, card, declared)
            if pd.isna(row["start_utc"]) and card["start_utc"] is not None and not pd.isna(card["start_utc"]):
                out.at[index, "start_utc"] = card["start_utc"]
                out.at[index, "start_source"] = source
                notes = [n for n in notes if not n.startswith("start")]
            out.at[index, column] = not notes
            if notes:
                previous = out.at[index, "cross_check_notes"]
                text = f"{source}: {'; '.join(notes)}"
                out.at[index, "cross_check_notes"] = (
                    f"{previous} | {text}" if isinstance(previous, str) else text
                )
    return out


def _disagreements(row: pd.Series, card: pd.Series, declared: pd.Series | None) -> list[str]:
    notes = []
    if not pd.isna(row["start_utc"]) and card["start_utc"] is not None and not pd.isna(card["start_utc"]):
        gap = abs(pd.Timestamp(card["start_utc"]) - pd.Timestamp(row["start_utc"]))
        if gap > START_TOLERANCE:
            notes.append(f"start differs by {int(gap.total_seconds() // 60)} min")
    expected = row.get("n_declared")
    if declared is not None and row["race_key"] in declared.index:
        expected = declared[row["race_key"]]
    if expected is not None and not pd.isna(expected) and int(card["n_runners"]) != int(expected):
        notes.append(f"{int(card['n_runners'])} runners vs {int(expected)} at PMU")
    return notes


def disagreeing(plan: pd.DataFrame) -> Sequence[str]:
    """Race keys a web source disagrees on, with the notes."""
    flagged = plan[(plan["zeturf_agrees"] == False) | (plan["geny_agrees"] == False)]  # noqa: E712
    return [f"{k}: {n}" for k, n in zip(flagged["race_key"], flagged["cross_check_notes"], strict=True)]
