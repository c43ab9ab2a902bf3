"""Performances payloads (``/R{n}/C{n}/performances-detaillees/pretty``) to past-race rows.

The payload is ``{"participants": [{"numPmu", "nomCheval", "coursesCourues": [...]}, ...]}``; each
past race lists its first finishers, the horse itself marked ``itsHim``. Times here are in
hundredths of a second (unlike the participants endpoint's milliseconds).

The payload carries no pedigree, so a horse is identified by the ``idCheval`` of the entry when
present, otherwise through ``horse_ids`` (``numPmu -> horse_id`` from the same race's participants,
see :func:`hippique_assets.pmu.parse_participants.horse_ids_by_number`). A row's key is the horse
and the past race's day, so the same past race seen again on a later day updates the same row.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Table

from hippique_assets.pmu import tables
from hippique_assets.pmu.parse_common import (
    PmuParseError,
    as_float,
    as_int,
    as_text,
    optional,
    require,
    require_list,
    typed_frame,
)
from hippique_assets.pmu.units import hundredths_to_s, paris_date
from hippique_assets.racing.keys import race_key

# Jockey weights are served either in kilograms or in tenths of a kilogram depending on the
# capture; the two ranges cannot overlap for a rider's weight, so the magnitude tells the unit.
_KG_RANGE = (30.0, 120.0)
_TENTHS_RANGE = (300.0, 1200.0)


def parse_performances(
    payload: dict,
    race_date: date,
    reunion: int,
    course: int,
    horse_ids: Mapping[int, str] | None = None,
) -> pd.DataFrame:
    """Rows of ``pmu.performances``: one per horse of the race and past race.

    Raises :class:`PmuParseError` when a runner cannot be identified: no ``idCheval`` in its entry
    and no ``horse_ids`` mapping holding its number.
    """
    return typed_frame(
        tables.PERFORMANCES,
        performances_rows(payload, race_date, reunion, course, horse_ids)[tables.PERFORMANCES],
    )


def performances_rows(
    payload: dict,
    race_date: date,
    reunion: int,
    course: int,
    horse_ids: Mapping[int, str] | None = None,
) -> dict[Table, list[dict]]:
    """The row dicts of :func:`parse_performances` (for parsing many races into one frame)."""
    key = race_key(race_date, reunion, course)
    where = f"performances {key}"
    entries = require_list(payload, "participants", where)
    rows: dict[tuple[str, date], dict[str, Any]] = {}
    for entry in entries:
        horse_id, r_where = _horse_id(entry, horse_ids, where)
        past_races = entry.get("coursesCourues") or []
        if not isinstance(past_races, list):
            raise PmuParseError(
                r_where, f"'coursesCourues' should be an array, got {type(past_races).__name__}"
            )
        for index, past in enumerate(past_races):
            row = _past_race_row(past, horse_id, entry, race_date, key, f"{r_where} coursesCourues[{index}]")
            row_key = (horse_id, row["past_race_date"])
            previous = rows.get(row_key)
            if previous is not None and previous != row:
                raise PmuParseError(
                    r_where, f"two different past races on {row['past_race_date']} for horse {horse_id!r}"
                )
            rows[row_key] = row
    return {tables.PERFORMANCES: list(rows.values())}


def _horse_id(entry: Any, horse_ids: Mapping[int, str] | None, where: str) -> tuple[str, str]:
    if not isinstance(entry, Mapping):
        raise PmuParseError(where, f"participant entry should be an object, got {type(entry).__name__}")
    number = as_int(entry.get("numPmu"), where, "numPmu")
    label = f"runner {number}" if number is not None else f"runner {entry.get('nomCheval')!r}"
    r_where = f"{where} {label}"
    if horse_ids is not None:
        number = as_int(require(entry, "numPmu", r_where), r_where, "numPmu")
        if number not in horse_ids:
            raise PmuParseError(r_where, f"numPmu {number} is not among the race's participants")
        return horse_ids[number], r_where
    id_cheval = as_text(entry.get("idCheval"))
    if id_cheval is not None:
        return id_cheval, r_where
    raise PmuParseError(
        r_where,
        "missing required key 'idCheval' (pass horse_ids from the race's participants to identify the horse)",
    )


def _jockey_weight_kg(value: Any, where: str) -> float | None:
    weight = as_float(value, where, "poidsJockey")
    if weight is None or weight == 0:
        return None
    if _KG_RANGE[0] <= weight <= _KG_RANGE[1]:
        return round(weight, 1)
    if _TENTHS_RANGE[0] <= weight <= _TENTHS_RANGE[1]:
        return round(weight / 10, 1)
    raise PmuParseError(where, f"poidsJockey {value!r} is neither kilograms nor tenths of a kilogram")


def _find_him(runners: list[Any], where: str) -> Mapping[str, Any] | None:
    marked = [r for r in runners if isinstance(r, Mapping) and r.get("itsHim") is True]
    if len(marked) > 1:
        raise PmuParseError(where, f"{len(marked)} finishers are marked itsHim")
    return marked[0] if marked else None


def _distance_text(value: Any) -> str | None:
    # The participants endpoint describes a margin as an object; accept that shape here too.
    if isinstance(value, Mapping):
        return as_text(value.get("libelleLong") or value.get("libelleCourt") or value.get("identifiant"))
    return as_text(value)


def _winner_name(runners: list[Any]) -> str | None:
    for runner in runners:
        if optional(runner, "place", "place") == 1:
            return as_text(optional(runner, "nomCheval"))
    return None


def _past_race_row(
    past: Any, horse_id: str, entry: Mapping[str, Any], race_date: date, key: str, where: str
) -> dict[str, Any]:
    day_ms = as_float(require(past, "date", where), where, "date")
    assert day_ms is not None
    runners = past.get("participants") or []
    if not isinstance(runners, list):
        raise PmuParseError(where, f"'participants' should be an array, got {type(runners).__name__}")
    him = _find_him(runners, where)
    return {
        "horse_id": horse_id,
        "past_race_date": paris_date(day_ms),
        "horse_name": as_text(entry.get("nomCheval")) or as_text(optional(him, "nomCheval")),
        "hippodrome": as_text(past.get("hippodrome")),
        "race_name": as_text(past.get("nomPrix")),
        "discipline": as_text(past.get("discipline")),
        "distance_m": as_int(past.get("distance"), where, "distance"),
        "prize_eur": as_float(past.get("allocation"), where, "allocation"),
        "n_runners": as_int(past.get("nbParticipants"), where, "nbParticipants"),
        "place": as_int(optional(him, "place", "place"), where, "place.place"),
        "place_raw": as_text(optional(him, "place", "rawValue")),
        "finish_status": as_text(optional(him, "place", "statusArrivee")),
        "jockey": as_text(optional(him, "nomJockey")),
        "jockey_weight_kg": _jockey_weight_kg(optional(him, "poidsJockey"), where),
        "draw": as_int(optional(him, "corde"), where, "corde"),
        "blinkers": as_text(optional(him, "oeillere")),
        "distance_to_previous": _distance_text(optional(him, "distanceAvecPrecedent")),
        "distance_covered_m": as_int(optional(him, "distanceParcourue"), where, "distanceParcourue"),
        "reduction_km_s": hundredths_to_s(
            as_float(optional(him, "reductionKilometrique"), where, "reductionKilometrique")
        ),
        "winner_time_s": hundredths_to_s(as_float(past.get("tempsDuPremier"), where, "tempsDuPremier")),
        "winner_name": _winner_name(runners),
        "last_seen_date": race_date,
        "last_seen_race_key": key,
    }
