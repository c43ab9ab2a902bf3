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
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from hippique_assets.pmu.batch import parse_payload
from hippique_assets.pmu.parse_common import (
    ParsedRows,
    PmuParseError,
    as_float,
    as_instant,
    as_int,
    as_text,
    key_text,
    optional,
    optional_list,
    parse_error,
    reading,
    require,
    require_list,
)
from hippique_assets.pmu.schema.performances import PERFORMANCES
from hippique_assets.pmu.units import PARIS, hundredths_to_s
from hippique_assets.pmu.validation import Rejection, shown
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
    *,
    rejected: list[Rejection] | None = None,
) -> pd.DataFrame:
    """Rows of ``pmu.performances``: one per horse of the race and past race.

    Without ``rejected``, raises :class:`PmuParseError` when a runner cannot be identified (no
    ``idCheval`` in its entry and no ``horse_ids`` mapping holding its number) or a past race
    cannot be read; with it, those are left out and appended there (see
    :func:`~hippique_assets.pmu.batch.parse_payload`).
    """
    frames = parse_payload(
        "performances",
        (PERFORMANCES,),
        race_date,
        race_key(race_date, reunion, course),
        performances_rows,
        payload,
        race_date,
        reunion,
        course,
        horse_ids,
        rejected=rejected,
    )
    return frames[PERFORMANCES]


@dataclass(frozen=True)
class _Entry:
    """One entry of the payload: its runner number when given, its horse, or why it has none."""

    number: int | None
    where: str
    horse_id: str | None = None
    error: PmuParseError | None = None


def performances_rows(
    payload: dict,
    race_date: date,
    reunion: int,
    course: int,
    horse_ids: Mapping[int, str] | None = None,
) -> ParsedRows:
    """The row dicts of :func:`parse_performances` (for parsing many races into one frame).

    A past race that cannot be read is left out with its error (``rejected``), an entry whose
    horse cannot be told costs its past races, and two different past races of one horse on one
    day are both left out. An entry without a readable number where one is needed costs the race:
    that raises :class:`PmuParseError`, as does a payload without its list of entries.
    """
    key = race_key(race_date, reunion, course)
    where = f"performances {key}"
    with reading(where):
        listed = require_list(payload, "participants", where)
        entries = [_entry(entry, horse_ids, where) for entry in listed]
    out = ParsedRows({PERFORMANCES: []})
    found: dict[tuple[str, date], list[tuple[str, int | None, dict[str, Any]]]] = {}
    for raw, entry in zip(listed, entries, strict=True):
        if entry.horse_id is None:
            out.rejected.append(_placed(entry.error, entry, key))
            continue
        for p_where, row in _entry_rows(raw, entry, race_date, key, out.rejected):
            found.setdefault((entry.horse_id, row["past_race_date"]), []).append((p_where, entry.number, row))
    for (horse_id, day), listings in found.items():
        rows = [row for _, _, row in listings]
        if all(row == rows[0] for row in rows):
            out[PERFORMANCES].append(rows[0])
            continue
        # Neither of two different past races on one day can be trusted over the other.
        out.rejected.extend(
            PmuParseError(
                p_where,
                f"two different past races on {day} for horse {horse_id!r}",
                field="date",
                race_key=key,
                runner=number,
            )
            for p_where, number, _ in listings
        )
    return out


def _placed(error: PmuParseError | None, entry: _Entry, key: str) -> PmuParseError:
    assert error is not None
    return error.at(race_key=key, runner=entry.number)


def _entry_rows(
    raw: Mapping[str, Any], entry: _Entry, race_date: date, key: str, rejected: list[PmuParseError]
) -> list[tuple[str, dict[str, Any]]]:
    """``(where, row)`` of each readable past race of one entry; the others' errors go to ``rejected``."""
    assert entry.horse_id is not None
    try:
        past_races = optional_list(raw.get("coursesCourues"), entry.where, "coursesCourues")
    except Exception as exc:
        rejected.append(_placed(parse_error(exc, entry.where), entry, key))
        return []
    rows = []
    for index, past in enumerate(past_races):
        p_where = f"{entry.where} coursesCourues[{index}]"
        try:
            rows.append((p_where, _past_race_row(past, entry.horse_id, raw, race_date, key, p_where)))
        except Exception as exc:  # whatever the error, it costs this past race only
            rejected.append(_placed(parse_error(exc, p_where), entry, key))
    return rows


def _entry(entry: Any, horse_ids: Mapping[int, str] | None, where: str) -> _Entry:
    """Who an entry is; raises when it cannot be told apart from the others (it costs the race)."""
    if not isinstance(entry, Mapping):
        raise PmuParseError(
            where,
            f"participant entry should be an object, got {type(entry).__name__}",
            field="participants",
            value=entry,
        )
    number = as_int(entry.get("numPmu"), where, "numPmu")
    label = f"runner {number}" if number is not None else f"runner {shown(entry.get('nomCheval'))}"
    r_where = f"{where} {label}"
    if horse_ids is not None:
        number = as_int(require(entry, "numPmu", r_where), r_where, "numPmu")
        if number is None or number not in horse_ids:
            error = PmuParseError(
                r_where, f"numPmu {number} is not among the race's participants", field="numPmu", value=number
            )
            return _Entry(number, r_where, error=error)
        return _Entry(number, r_where, horse_id=horse_ids[number])
    try:
        id_cheval = key_text(entry.get("idCheval"), r_where, "idCheval")
    except PmuParseError as exc:
        if number is None:
            raise
        return _Entry(number, r_where, error=exc)
    if id_cheval is not None:
        return _Entry(number, r_where, horse_id=id_cheval)
    error = PmuParseError(
        r_where,
        "missing required key 'idCheval' (pass horse_ids from the race's participants to identify the horse)",
        field="idCheval",
    )
    if number is None:
        raise error
    return _Entry(number, r_where, error=error)


def _jockey_weight_kg(value: Any, where: str) -> float | None:
    weight = as_float(value, where, "poidsJockey")
    if weight is None or weight == 0:
        return None
    if _KG_RANGE[0] <= weight <= _KG_RANGE[1]:
        return round(weight, 1)
    if _TENTHS_RANGE[0] <= weight <= _TENTHS_RANGE[1]:
        return round(weight / 10, 1)
    raise PmuParseError(
        where,
        f"poidsJockey {shown(value)} is neither kilograms nor tenths of a kilogram",
        field="poidsJockey",
        value=value,
    )


def _find_him(runners: list[Any], where: str) -> Mapping[str, Any] | None:
    marked = [r for r in runners if isinstance(r, Mapping) and r.get("itsHim") is True]
    if len(marked) > 1:
        raise PmuParseError(where, f"{len(marked)} finishers are marked itsHim", field="itsHim")
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
    day = as_instant(require(past, "date", where), where, "date")
    assert day is not None
    runners = optional_list(past.get("participants"), where, "participants")
    him = _find_him(runners, where)
    return {
        "horse_id": horse_id,
        # A past race's date is its local midnight: read through Europe/Paris (see units.paris_date).
        "past_race_date": day.astimezone(PARIS).date(),
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
