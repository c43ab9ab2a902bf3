"""Programme payloads (``/programme/DDMMYYYY`` and ``/programme/DDMMYYYY/R{n}``) to reunions and races.

The racing day is always the one requested: the payload's ``programme.date`` plus its
``timezoneOffset`` falls on the previous day on October daylight-saving days.

A race that cannot be read costs only itself. A reunion whose header cannot be read costs its
``pmu.reunions`` row; its races stand on their own, since they need only its number. A reunion
whose number or list of races cannot be read costs its races too, and a number listed twice costs
every listing: neither can be trusted over the other. How one reunion's or one race's fields are
read is in :mod:`~hippique_assets.pmu.programme_fields`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Table

from hippique_assets.pmu.batch import parse_payload
from hippique_assets.pmu.parse_common import (
    ParsedRows,
    PmuParseError,
    as_int,
    element,
    parse_error,
    reading,
    require,
    require_list,
)
from hippique_assets.pmu.programme_fields import race_row, reunion_row
from hippique_assets.pmu.schema.programme import RACES, REUNIONS
from hippique_assets.pmu.validation import Rejection
from hippique_assets.racing.keys import race_key

_TABLES = (REUNIONS, RACES)
# Race keys spell reunion and race numbers with one or two digits.
_MAX_NUMBER = 99


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
        unit.rows[REUNIONS] = [reunion_row(reunion, number, len(courses), race_date, r_where)]
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
        row = race_row(course, reunion, number, key, race_date, where)
    except Exception as exc:
        return _Unit(number, where, rejected=[parse_error(exc, where).at(race_key=key)])
    return _Unit(number, where, rows={RACES: [row]})
