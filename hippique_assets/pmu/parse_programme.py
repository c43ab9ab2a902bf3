"""Programme payloads (``/programme/DDMMYYYY`` and ``/programme/DDMMYYYY/R{n}``) to reunions and races.

The racing day is always the one requested: the payload's ``programme.date`` plus its
``timezoneOffset`` falls on the previous day on October daylight-saving days. Start times come
from ``heureDepart`` (a UTC instant); the Paris wall clock is computed with Europe/Paris and must
agree with ``heureDepart + course.timezoneOffset``.

A race that cannot be read costs only itself. A reunion whose header cannot be read costs its
``pmu.reunions`` row; its races stand on their own, since they need only its number. A reunion
whose number or list of races cannot be read costs its races too, and a number listed twice costs
every listing: neither can be trusted over the other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Table

from hippique_assets.pmu.batch import parse_payload
from hippique_assets.pmu.parse_common import (
    ParsedRows,
    PmuParseError,
    as_bool,
    as_float,
    as_instant,
    as_int,
    as_text,
    element,
    key_text,
    optional,
    optional_list,
    parse_error,
    reading,
    require,
    require_list,
    require_text,
    strip_bet_prefix,
)
from hippique_assets.pmu.schema.programme import RACES, REUNIONS
from hippique_assets.pmu.units import decimal_comma, ms_to_s, offset_ms_to_s, paris_wall_clock
from hippique_assets.pmu.validation import Rejection, shown
from hippique_assets.racing.keys import race_key

_TABLES = (REUNIONS, RACES)
# Race keys spell reunion and race numbers with one or two digits.
_MAX_NUMBER = 99
# No timezone is more than a day away from UTC.
_MAX_OFFSET_MS = 24 * 3600 * 1000


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


def parse_programme(
    payload: dict, race_date: date, *, rejected: list[Rejection] | None = None
) -> ProgrammeTables:
    """Reunions and races of a ``/programme/DDMMYYYY`` payload (every discipline and country kept).

    Without ``rejected`` the first reunion or race that cannot be read raises
    :class:`PmuParseError`; with it, they are left out and appended there (see
    :func:`~hippique_assets.pmu.batch.parse_payload`).
    """
    frames = parse_payload(
        "programme", _TABLES, race_date, None, programme_rows, payload, race_date, rejected=rejected
    )
    return ProgrammeTables(reunions=frames[REUNIONS], races=frames[RACES])


def programme_rows(
    payload: dict, race_date: date, *, race_errors: list[PmuParseError] | None = None
) -> ParsedRows:
    """The row dicts of :func:`parse_programme`, by table.

    A reunion or a race that cannot be read is left out with its error; the other reunions and
    races are kept. A race costs only itself; a reunion whose header cannot be read costs its
    ``pmu.reunions`` row, and all its races too only when its number or its list of races is
    unreadable. The errors are in the result's ``rejected``, or appended to ``race_errors`` when it
    is given. Only a payload without a programme raises.
    """
    where = f"programme {race_date.isoformat()}"
    with reading(where):
        programme = require(payload, "programme", where)
        reunions = require_list(programme, "reunions", where)
    rows = _rows(reunions, race_date, where)
    if race_errors is not None:
        race_errors.extend(rows.rejected)
        rows.rejected = []
    return rows


def reunion_rows(payload: dict, race_date: date) -> ParsedRows:
    """The row dicts of :func:`parse_reunion`, by table (units left out as in :func:`programme_rows`)."""
    return _rows([payload], race_date, f"reunion payload {race_date.isoformat()}")


def parse_reunion(
    payload: dict, race_date: date, *, rejected: list[Rejection] | None = None
) -> ProgrammeTables:
    """The reunion and its races from a one-reunion payload (``/programme/DDMMYYYY/R1``)."""
    frames = parse_payload(
        "programme", _TABLES, race_date, None, reunion_rows, payload, race_date, rejected=rejected
    )
    return ProgrammeTables(reunions=frames[REUNIONS], races=frames[RACES])


def race_refs(payload: dict, race_date: date) -> list[RaceRef]:
    """The races of a programme or one-reunion payload, ordered by start time then R/C."""
    if isinstance(payload, Mapping) and "programme" in payload:
        races = parse_programme(payload, race_date).races
    else:
        races = parse_reunion(payload, race_date).races
    refs = [
        RaceRef(
            reunion=int(row["reunion"]),
            course=int(row["course"]),
            race_key=str(row["race_key"]),
            start_utc=row["start_utc"].to_pydatetime(),
            status=row["status"],
            discipline=str(row["discipline"]),
        )
        for row in races.to_dict("records")
    ]
    return sorted(refs, key=lambda ref: (ref.start_utc, ref.reunion, ref.course))


@dataclass
class _Unit:
    """What one reunion, or one race, of the payload gave: its number, rows and errors."""

    number: int | None
    where: str
    rows: dict[Table, list[dict[str, Any]]] = field(default_factory=dict)
    rejected: list[PmuParseError] = field(default_factory=list)


def _rows(reunions: list[Any], race_date: date, where: str) -> ParsedRows:
    units = [_reunion_unit(reunion, index, race_date, where) for index, reunion in enumerate(reunions)]
    out = ParsedRows({REUNIONS: [], RACES: []})
    for unit in _unless_listed_twice(units, "reunion R{}", "numOfficiel"):
        out.rejected.extend(unit.rejected)
        for table, rows in unit.rows.items():
            out[table].extend(rows)
    return out


def _unless_listed_twice(
    units: list[_Unit], label: str, key: str, race_key_of: Callable[[int], str] | None = None
) -> list[_Unit]:
    """``units`` in order, each whose number another one claims too replaced by that error alone:
    neither listing can be trusted over the other."""
    claims = Counter(unit.number for unit in units if unit.number is not None)
    out = []
    for unit in units:
        if unit.number is None or claims[unit.number] == 1:
            out.append(unit)
            continue
        error = PmuParseError(
            unit.where,
            f"{label.format(unit.number)} listed twice",
            field=key,
            value=unit.number,
            race_key=race_key_of(unit.number) if race_key_of else None,
        )
        out.append(_Unit(unit.number, unit.where, rejected=[error]))
    return out


def _number(obj: Any, key: str, where: str) -> int:
    """A reunion or race number: 1 to 99, as race keys spell them."""
    number = as_int(require(obj, key, where), where, key)
    assert number is not None
    if not 1 <= number <= _MAX_NUMBER:
        raise PmuParseError(
            where, f"{key!r} should be 1 to {_MAX_NUMBER}, got {number}", field=key, value=number
        )
    return number


def _reunion_unit(reunion: Any, index: int, race_date: date, where: str) -> _Unit:
    try:
        number = _number(
            element(reunion, where, "reunions", index), "numOfficiel", f"{where} reunions[{index}]"
        )
    except Exception as exc:
        return _Unit(
            None, f"{where} reunions[{index}]", rejected=[parse_error(exc, f"{where} reunions[{index}]")]
        )
    r_where = f"{where} R{number}"
    unit = _Unit(number, r_where)
    try:
        courses = require_list(reunion, "courses", r_where)
    except Exception as exc:
        unit.rejected.append(parse_error(exc, r_where))
        return unit
    try:
        unit.rows[REUNIONS] = [_reunion_row(reunion, number, len(courses), race_date, r_where)]
    except Exception as exc:  # the header costs the reunion's row; its races stand on their own
        unit.rejected.append(parse_error(exc, r_where))
    races = [_race_unit(course, index, number, race_date, r_where) for index, course in enumerate(courses)]
    unit.rows[RACES] = []
    for race in _unless_listed_twice(races, "race C{}", "numOrdre", lambda n: race_key(race_date, number, n)):
        unit.rejected.extend(race.rejected)
        unit.rows[RACES].extend(race.rows.get(RACES, []))
    return unit


def _race_unit(course: Any, index: int, reunion: int, race_date: date, r_where: str) -> _Unit:
    try:
        number = _number(element(course, r_where, "courses", index), "numOrdre", r_where)
    except Exception as exc:
        return _Unit(
            None, f"{r_where} courses[{index}]", rejected=[parse_error(exc, f"{r_where} courses[{index}]")]
        )
    where = f"{r_where}C{number}"
    key = race_key(race_date, reunion, number)
    try:
        row = _race_row(course, reunion, number, key, race_date, where)
    except Exception as exc:
        return _Unit(number, where, rejected=[parse_error(exc, where).at(race_key=key)])
    return _Unit(number, where, rows={RACES: [row]})


def _text_list(value: Any, where: str, key: str) -> list[Any] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise PmuParseError(where, f"{key!r} should be an array, got {shown(value)}", field=key, value=value)
    return [as_text(item) for item in value]


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
        "meteo_forecast_at": as_instant(optional(meteo, "datePrevision"), where, "meteo.datePrevision"),
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
        raise PmuParseError(
            where,
            f"'ordreArrivee' should be an array, got {shown(arrival)}",
            field="ordreArrivee",
            value=arrival,
        )
    order: list[int] = []
    ranks: list[int] = []
    for group in arrival:
        members = group if isinstance(group, list) else [group]
        if not members:
            raise PmuParseError(
                where,
                f"'ordreArrivee' has an empty place in {shown(arrival)}",
                field="ordreArrivee",
                value=arrival,
            )
        rank = len(order) + 1
        for member in members:
            number = as_int(member, where, "ordreArrivee")
            if number is None:
                raise PmuParseError(
                    where,
                    f"'ordreArrivee' has a null place in {shown(arrival)}",
                    field="ordreArrivee",
                    value=arrival,
                )
            order.append(number)
            ranks.append(rank)
    if len(set(order)) != len(order):
        raise PmuParseError(
            where,
            f"'ordreArrivee' lists a runner twice: {shown(arrival)}",
            field="ordreArrivee",
            value=arrival,
        )
    return order, ranks


def _incidents(value: Any, where: str) -> tuple[str | None, list[int]]:
    if not value:
        return None, []
    parts: list[str] = []
    non_runners: list[int] = []
    for index, listed in enumerate(optional_list(value, where, "incidents")):
        incident = element(listed, where, "incidents", index)
        kind = require_text(incident, "type", where)
        listed = optional_list(incident.get("numeroParticipants"), where, "incidents.numeroParticipants")
        numbers = [as_int(n, where, "incidents.numeroParticipants") for n in listed]
        parts.append(f"{kind}:{','.join(str(n) for n in numbers)}")
        if kind == "NON_PARTANT":
            non_runners.extend(n for n in numbers if n is not None)
    return ";".join(parts), sorted(non_runners)


def _bet_types(value: Any, where: str) -> list[str] | None:
    if not isinstance(value, list):
        return None
    found: list[str] = []
    for bet in value:
        raw = optional(bet, "typePari") or optional(bet, "codePari")
        name = key_text(raw, where, "paris.typePari")
        if name is None:
            continue
        name = strip_bet_prefix(name)
        if name not in found:
            found.append(name)
    return found


def _start_times(course: Mapping[str, Any], where: str) -> tuple[datetime, datetime, int | None]:
    start_ms = as_int(require(course, "heureDepart", where), where, "heureDepart")
    start_utc = as_instant(start_ms, where, "heureDepart")
    assert start_utc is not None
    start_paris = paris_wall_clock(start_utc)
    offset_ms = as_int(course.get("timezoneOffset"), where, "timezoneOffset")
    if offset_ms is not None:
        if abs(offset_ms) > _MAX_OFFSET_MS:
            raise PmuParseError(
                where,
                f"timezoneOffset {shown(offset_ms)} ms is more than a day",
                field="timezoneOffset",
                value=offset_ms,
            )
        from_offset = start_utc.replace(tzinfo=None) + timedelta(milliseconds=offset_ms)
        if from_offset != start_paris:
            raise PmuParseError(
                where,
                f"heureDepart {start_ms} + timezoneOffset {offset_ms} gives {from_offset.isoformat()} "
                f"but Europe/Paris says {start_paris.isoformat()}",
                field="timezoneOffset",
                value=offset_ms,
            )
    return start_utc, start_paris, offset_ms_to_s(offset_ms)


def _going_value(course: Mapping[str, Any], where: str) -> float | None:
    raw = optional(course, "penetrometre", "valeurMesure")
    try:
        return decimal_comma(raw)
    except ValueError:
        raise PmuParseError(
            where,
            f"penetrometre.valeurMesure {shown(raw)} is not a number",
            field="penetrometre.valeurMesure",
            value=raw,
        ) from None


def _race_row(
    course: Mapping[str, Any], reunion: int, number: int, key: str, race_date: date, where: str
) -> dict:
    listed_reunion = as_int(course.get("numReunion"), where, "numReunion")
    if listed_reunion is not None and listed_reunion != reunion:
        raise PmuParseError(
            where,
            f"course says numReunion {shown(listed_reunion)} inside reunion R{reunion}",
            field="numReunion",
            value=listed_reunion,
        )
    unit = course.get("distanceUnit")
    if unit is not None and unit != "METRE":
        raise PmuParseError(
            where, f"distanceUnit {shown(unit)} is not METRE", field="distanceUnit", value=unit
        )
    start_utc, start_paris, offset_s = _start_times(course, where)
    order, ranks = flatten_arrival(course.get("ordreArrivee"), where)
    incidents, non_runners = _incidents(course.get("incidents"), where)
    final = course.get("arriveeDefinitive")
    if final is None:
        final = course.get("isArriveeDefinitive")
    return {
        "race_date": race_date,
        "reunion": reunion,
        "course": number,
        "race_key": key,
        "course_external": as_int(course.get("numExterne"), where, "numExterne"),
        "name": as_text(course.get("libelle")),
        "short_name": as_text(course.get("libelleCourt")),
        "start_utc": start_utc,
        "start_paris": start_paris,
        "timezone_offset_s": offset_s,
        "discipline": require_text(course, "discipline", where),
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
        "going_value": _going_value(course, where),
        "bet_types": _bet_types(course.get("paris"), where),
        "conditions": as_text(course.get("conditions")),
    }
