"""Programme payloads (``/programme/DDMMYYYY`` and ``/programme/DDMMYYYY/R{n}``) to reunions and races.

The racing day is always the one requested: the payload's ``programme.date`` plus its
``timezoneOffset`` falls on the previous day on October daylight-saving days. Start times come
from ``heureDepart`` (a UTC instant); the Paris wall clock is computed with Europe/Paris and must
agree with ``heureDepart + course.timezoneOffset``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Table

from hippique_assets.pmu import tables
from hippique_assets.pmu.parse_common import (
    PmuParseError,
    as_bool,
    as_float,
    as_int,
    as_text,
    optional,
    require,
    require_list,
    strip_bet_prefix,
    typed_frame,
)
from hippique_assets.pmu.units import (
    decimal_comma,
    epoch_ms_to_utc,
    ms_to_s,
    offset_ms_to_s,
    paris_wall_clock,
)
from hippique_assets.racing.keys import race_key


@dataclass
class ProgrammeTables:
    """Rows of ``pmu.reunions`` and ``pmu.races`` from one programme or reunion payload."""

    reunions: pd.DataFrame
    races: pd.DataFrame


@dataclass(frozen=True)
class RaceRef:
    """What the race plan needs to know about one race."""

    reunion: int
    course: int
    race_key: str
    start_utc: datetime
    status: str | None
    discipline: str


def parse_programme(payload: dict, race_date: date) -> ProgrammeTables:
    """Reunions and races of a ``/programme/DDMMYYYY`` payload (every discipline and country kept)."""
    rows = programme_rows(payload, race_date)
    return ProgrammeTables(
        reunions=typed_frame(tables.REUNIONS, rows[tables.REUNIONS]),
        races=typed_frame(tables.RACES, rows[tables.RACES]),
    )


def programme_rows(
    payload: dict, race_date: date, *, race_errors: list[PmuParseError] | None = None
) -> dict[Table, list[dict]]:
    """The row dicts of :func:`parse_programme`, by table.

    With ``race_errors``, a race that cannot be read is left out and its error appended there
    (its reunion and the other races are kept); without it, the error is raised.
    """
    where = f"programme {race_date.isoformat()}"
    programme = require(payload, "programme", where)
    reunions = require_list(programme, "reunions", where)
    return _rows(reunions, race_date, where, race_errors)


def parse_reunion(payload: dict, race_date: date) -> ProgrammeTables:
    """The reunion and its races from a one-reunion payload (``/programme/DDMMYYYY/R1``)."""
    where = f"reunion payload {race_date.isoformat()}"
    rows = _rows([payload], race_date, where, None)
    return ProgrammeTables(
        reunions=typed_frame(tables.REUNIONS, rows[tables.REUNIONS]),
        races=typed_frame(tables.RACES, rows[tables.RACES]),
    )


def race_refs(payload: dict, race_date: date) -> list[RaceRef]:
    """The races of a programme or one-reunion payload, ordered by start time then R/C."""
    if isinstance(payload, Mapping) and "programme" in payload:
        races = parse_programme(payload, race_date).races
    else:
        races = parse_reunion(payload, race_date).races
    refs = [
        RaceRef(
            reunion=int(row.reunion),
            course=int(row.course),
            race_key=str(row.race_key),
            start_utc=row.start_utc.to_pydatetime(),
            status=row.status,
            discipline=str(row.discipline),
        )
        for row in races.itertuples(index=False)
    ]
    return sorted(refs, key=lambda ref: (ref.start_utc, ref.reunion, ref.course))


def _rows(
    reunions: list[Any], race_date: date, where: str, race_errors: list[PmuParseError] | None
) -> dict[Table, list[dict]]:
    reunion_rows: list[dict[str, Any]] = []
    race_rows: list[dict[str, Any]] = []
    seen_reunions: set[int] = set()
    for reunion in reunions:
        number = as_int(require(reunion, "numOfficiel", where), where, "numOfficiel")
        assert number is not None
        if number in seen_reunions:
            raise PmuParseError(where, f"reunion R{number} listed twice")
        seen_reunions.add(number)
        r_where = f"{where} R{number}"
        courses = require_list(reunion, "courses", r_where)
        reunion_rows.append(_reunion_row(reunion, number, len(courses), race_date, r_where))
        seen_courses: set[int] = set()
        for course in courses:
            try:
                row = _race_row(course, number, race_date, r_where)
                if row["course"] in seen_courses:
                    raise PmuParseError(r_where, f"race C{row['course']} listed twice")
            except PmuParseError as exc:
                if race_errors is None:
                    raise
                race_errors.append(exc)
                continue
            seen_courses.add(row["course"])
            race_rows.append(row)
    return {tables.REUNIONS: reunion_rows, tables.RACES: race_rows}


def _text_list(value: Any, where: str, key: str) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise PmuParseError(where, f"{key!r} should be an array, got {value!r}")
    return [str(item) for item in value]


def _reunion_row(reunion: Mapping[str, Any], number: int, n_races: int, race_date: date, where: str) -> dict:
    meteo = reunion.get("meteo")
    return {
        "race_date": race_date,
        "reunion": number,
        "reunion_external": as_int(reunion.get("numExterne"), where, "numExterne"),
        "hippodrome_code": as_text(optional(reunion, "hippodrome", "code")),
        "hippodrome_name": as_text(optional(reunion, "hippodrome", "libelleCourt")),
        "hippodrome_long_name": as_text(optional(reunion, "hippodrome", "libelleLong")),
        "country_code": as_text(optional(reunion, "pays", "code")),
        "country_name": as_text(optional(reunion, "pays", "libelle")),
        "region": as_text(reunion.get("regionHippique")),
        "nature": as_text(reunion.get("nature")),
        "audience": as_text(reunion.get("audience")),
        "status": as_text(reunion.get("statut")),
        "disciplines": _text_list(reunion.get("disciplinesMere"), where, "disciplinesMere"),
        "specialities": _text_list(reunion.get("specialites"), where, "specialites"),
        "n_races": n_races,
        "meteo_forecast_at": epoch_ms_to_utc(
            as_float(optional(meteo, "datePrevision"), where, "meteo.datePrevision")
        ),
        "meteo_code": as_text(optional(meteo, "nebulositeCode")),
        "meteo_label": as_text(optional(meteo, "nebulositeLibelleCourt")),
        "temperature_c": as_float(optional(meteo, "temperature"), where, "meteo.temperature"),
        "wind_speed_kmh": as_float(optional(meteo, "forceVent"), where, "meteo.forceVent"),
        "wind_direction": as_text(optional(meteo, "directionVent")),
        "timezone_offset_s": offset_ms_to_s(as_int(reunion.get("timezoneOffset"), where, "timezoneOffset")),
    }


def flatten_arrival(arrival: Any, where: str) -> tuple[list[int], list[int]] | tuple[None, None]:
    """``ordreArrivee`` of the programme (``[[10], [6, 9], [3]]``) as finishers and their ranks.

    Dead heats share an inner list and a rank; the next group's rank skips the shared places:
    ``[[10], [6, 9], [3]]`` gives ``[10, 6, 9, 3]`` and ``[1, 2, 2, 4]``. No arrival gives ``(None, None)``.
    """
    if arrival is None or arrival == []:
        return None, None
    if not isinstance(arrival, list):
        raise PmuParseError(where, f"'ordreArrivee' should be an array, got {arrival!r}")
    order: list[int] = []
    ranks: list[int] = []
    for group in arrival:
        members = group if isinstance(group, list) else [group]
        if not members:
            raise PmuParseError(where, f"'ordreArrivee' has an empty place in {arrival!r}")
        rank = len(order) + 1
        for member in members:
            number = as_int(member, where, "ordreArrivee")
            assert number is not None
            order.append(number)
            ranks.append(rank)
    if len(set(order)) != len(order):
        raise PmuParseError(where, f"'ordreArrivee' lists a runner twice: {arrival!r}")
    return order, ranks


def _incidents(value: Any, where: str) -> tuple[str | None, list[int]]:
    if not value:
        return None, []
    if not isinstance(value, list):
        raise PmuParseError(where, f"'incidents' should be an array, got {value!r}")
    parts: list[str] = []
    non_runners: list[int] = []
    for incident in value:
        kind = str(require(incident, "type", where))
        numbers = [as_int(n, where, "numeroParticipants") for n in incident.get("numeroParticipants") or []]
        parts.append(f"{kind}:{','.join(str(n) for n in numbers)}")
        if kind == "NON_PARTANT":
            non_runners.extend(n for n in numbers if n is not None)
    return ";".join(parts), sorted(non_runners)


def _bet_types(value: Any) -> list[str] | None:
    if not isinstance(value, list):
        return None
    found: list[str] = []
    for bet in value:
        raw = optional(bet, "typePari") or optional(bet, "codePari")
        if raw is None:
            continue
        name = strip_bet_prefix(str(raw))
        if name not in found:
            found.append(name)
    return found


def _start_times(course: Mapping[str, Any], where: str) -> tuple[datetime, datetime, int | None]:
    start_ms = as_int(require(course, "heureDepart", where), where, "heureDepart")
    start_utc = epoch_ms_to_utc(start_ms)
    assert start_utc is not None
    start_paris = paris_wall_clock(start_utc)
    offset_ms = as_int(course.get("timezoneOffset"), where, "timezoneOffset")
    if offset_ms is not None:
        from_offset = start_utc.replace(tzinfo=None) + timedelta(milliseconds=offset_ms)
        if from_offset != start_paris:
            raise PmuParseError(
                where,
                f"heureDepart {start_ms} + timezoneOffset {offset_ms} gives {from_offset.isoformat()} "
                f"but Europe/Paris says {start_paris.isoformat()}",
            )
    return start_utc, start_paris, offset_ms_to_s(offset_ms)


def _race_row(course: Mapping[str, Any], reunion: int, race_date: date, r_where: str) -> dict:
    number = as_int(require(course, "numOrdre", r_where), r_where, "numOrdre")
    assert number is not None
    where = f"{r_where}C{number}"
    listed_reunion = as_int(course.get("numReunion"), where, "numReunion")
    if listed_reunion is not None and listed_reunion != reunion:
        raise PmuParseError(where, f"course says numReunion {listed_reunion} inside reunion R{reunion}")
    unit = course.get("distanceUnit")
    if unit is not None and unit != "METRE":
        raise PmuParseError(where, f"distanceUnit {unit!r} is not METRE")
    start_utc, start_paris, offset_s = _start_times(course, where)
    order, ranks = flatten_arrival(course.get("ordreArrivee"), where)
    incidents, non_runners = _incidents(course.get("incidents"), where)
    going_raw = optional(course, "penetrometre", "valeurMesure")
    try:
        going_value = decimal_comma(going_raw)
    except ValueError:
        raise PmuParseError(where, f"penetrometre.valeurMesure {going_raw!r} is not a number") from None
    final = course.get("arriveeDefinitive")
    if final is None:
        final = course.get("isArriveeDefinitive")
    return {
        "race_date": race_date,
        "reunion": reunion,
        "course": number,
        "race_key": race_key(race_date, reunion, number),
        "course_external": as_int(course.get("numExterne"), where, "numExterne"),
        "name": as_text(course.get("libelle")),
        "short_name": as_text(course.get("libelleCourt")),
        "start_utc": start_utc,
        "start_paris": start_paris,
        "timezone_offset_s": offset_s,
        "discipline": str(require(course, "discipline", where)),
        "specialite": as_text(course.get("specialite")),
        "distance_m": as_int(course.get("distance"), where, "distance"),
        "rope": as_text(course.get("corde")),
        "track_type": as_text(course.get("typePiste")),
        "track_course": as_text(course.get("parcours")),
        "category": as_text(course.get("categorieParticularite")),
        "condition_age": as_text(course.get("conditionAge")),
        "condition_sex": as_text(course.get("conditionSexe")),
        # Prizes are whole euros in the programme ("Course A 60.000" has montantPrix 60000),
        # unlike the centimes of earnings and stakes.
        "prize_eur": as_float(course.get("montantPrix"), where, "montantPrix"),
        "prize_first_eur": as_float(course.get("montantOffert1er"), where, "montantOffert1er"),
        "n_declared": as_int(course.get("nombreDeclaresPartants"), where, "nombreDeclaresPartants"),
        "status": as_text(course.get("statut")),
        "category_status": as_text(course.get("categorieStatut")),
        "duration_s": ms_to_s(as_float(course.get("dureeCourse"), where, "dureeCourse")),
        "arrival_order": order,
        "arrival_ranks": ranks,
        "arrival_final": as_bool(final, where, "arriveeDefinitive"),
        "rapports_available": as_bool(
            course.get("rapportsDefinitifsDisponibles"), where, "rapportsDefinitifsDisponibles"
        ),
        "non_runners": non_runners,
        "incidents": incidents,
        "going": as_text(optional(course, "penetrometre", "intitule")),
        "going_value": going_value,
        "bet_types": _bet_types(course.get("paris")),
        "conditions": as_text(course.get("conditions")),
    }
