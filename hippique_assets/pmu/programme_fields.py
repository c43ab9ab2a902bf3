"""One reunion and one race of a programme payload read into their ``pmu.reunions`` and
``pmu.races`` rows: meteo, start times, arrival, incidents, bet types, going.

Start times come from ``heureDepart`` (a UTC instant); the Paris wall clock is computed with
Europe/Paris and must agree with ``heureDepart + course.timezoneOffset``. A value that cannot be
read raises :class:`~hippique_assets.pmu.parse_common.PmuParseError`, which
:mod:`~hippique_assets.pmu.parse_programme` charges to the reunion or race holding it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from hippique_assets.pmu.parse_common import (
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
    require,
    require_text,
    strip_bet_prefix,
)
from hippique_assets.pmu.units import decimal_comma, ms_to_s, offset_ms_to_s, paris_wall_clock
from hippique_assets.pmu.validation import shown

# No timezone is more than a day away from UTC.
_MAX_OFFSET_MS = 24 * 3600 * 1000


def _text_list(value: Any, where: str, key: str) -> list[Any] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise PmuParseError(where, f"{key!r} should be an array, got {shown(value)}", field=key, value=value)
    return [as_text(item) for item in value]


def reunion_row(reunion: Mapping[str, Any], number: int, n_races: int, race_date: date, where: str) -> dict:
    """The ``pmu.reunions`` row of reunion ``number``, which lists ``n_races`` races."""
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


def race_row(
    course: Mapping[str, Any], reunion: int, number: int, key: str, race_date: date, where: str
) -> dict:
    """The ``pmu.races`` row of race ``number`` of ``reunion`` (race key ``key``)."""
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
