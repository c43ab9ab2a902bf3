"""Pieces shared by the PMU parsers: the parse error, key access, converters and typed DataFrames.

A frame built here has exactly the declared columns of its declared table, in declared
order, with one dtype per column type (see :func:`pandas_dtype`), so every parser's output and
every empty frame look the same to the IO manager.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Column, Table
from sqlalchemy.types import TypeEngine

from hippique_assets.pmu.units import epoch_ms_to_utc
from hippique_assets.pmu.validation import shown
from hippique_assets.storage.frame_checks import key_frame
from hippique_assets.storage.tables import column_names
from hippique_assets.storage.types import ColumnType, column_type

# An identifier (a horse's idCheval, a bet type, a dividend's label) is never longer than this.
_KEY_TEXT_MAX = 200


class PmuParseError(ValueError):
    """A PMU payload, or one unit of it, that cannot be read.

    ``where`` names the endpoint, the race and the unit (``participants 2026-04-08-R3C2 runner 5``),
    ``problem`` what is wrong. ``field`` is the source key concerned and ``value`` a short spelling
    of the offending value; ``race_key`` and ``runner`` place the unit when it is known. These
    become the fields of a :class:`~hippique_assets.pmu.validation.Rejection`.
    """

    def __init__(
        self,
        where: str,
        problem: str,
        *,
        field: str | None = None,
        value: Any = None,
        race_key: str | None = None,
        runner: int | None = None,
    ) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem
        self.field = field
        self.value = None if value is None else shown(value)
        self.race_key = race_key
        self.runner = runner

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only attributes travel in the state: the default reduction would call
        # __init__ with the message alone.
        return (type(self), (self.where, self.problem), self.__dict__)

    def at(self, *, race_key: str | None = None, runner: int | None = None) -> PmuParseError:
        """This error, placed in ``race_key`` and ``runner`` unless it already names them."""
        if self.race_key is None:
            self.race_key = race_key
        if self.runner is None:
            self.runner = runner
        return self


def parse_error(exc: Exception, where: str) -> PmuParseError:
    """``exc`` as a :class:`PmuParseError` of ``where``; any other error keeps its type and message.

    Used at the boundary of each unit (a payload, a reunion, a race, a runner, a bet) so that an
    error nobody foresaw while reading a value still costs only that unit, and says what it was.
    A MemoryError says nothing about the data: it is raised again.
    """
    if isinstance(exc, MemoryError):
        raise exc
    if isinstance(exc, PmuParseError):
        return exc
    message = str(exc)
    if len(message) > 300:
        message = message[:300] + "..."
    error = PmuParseError(where, f"{type(exc).__name__}: {message}")
    error.__cause__ = exc
    return error


@contextmanager
def reading(where: str) -> Iterator[None]:
    """Raise any error of the block as a :class:`PmuParseError` of ``where`` (see :func:`parse_error`)."""
    try:
        yield
    except Exception as exc:
        raise parse_error(exc, where) from exc


class ParsedRows(dict[Table, list[dict[str, Any]]]):
    """Row dicts by table, and the units of the payload left out with the error that cost each.

    ``rejected`` holds one :class:`PmuParseError` per reunion, race, runner, past race or bet that
    could not be read; the rows of every other unit are in the mapping.
    """

    def __init__(
        self, rows: Mapping[Table, list[dict[str, Any]]], rejected: Sequence[PmuParseError] = ()
    ) -> None:
        super().__init__(rows)
        self.rejected = list(rejected)

    def raise_first(self) -> ParsedRows:
        """These rows when nothing was left out; otherwise the first unit's error is raised."""
        if self.rejected:
            raise self.rejected[0]
        return self


def require(obj: Any, key: str, where: str) -> Any:
    """``obj[key]``, raising :class:`PmuParseError` naming ``where`` and the key when it is absent or null."""
    if not isinstance(obj, Mapping):
        raise PmuParseError(
            where, f"expected a JSON object holding {key!r}, got {type(obj).__name__}", field=key, value=obj
        )
    value = obj.get(key)
    if value is None:
        raise PmuParseError(where, f"missing required key {key!r}", field=key)
    return value


def element(value: Any, where: str, key: str, index: int) -> Mapping[str, Any]:
    """Element ``index`` of the array ``key``, which must be a JSON object."""
    if not isinstance(value, Mapping):
        raise PmuParseError(
            where, f"{key}[{index}] should be an object, got {type(value).__name__}", field=key, value=value
        )
    return value


def require_list(obj: Any, key: str, where: str) -> list[Any]:
    """``obj[key]`` that must be a JSON array."""
    value = require(obj, key, where)
    if not isinstance(value, list):
        raise PmuParseError(
            where, f"{key!r} should be an array, got {type(value).__name__}", field=key, value=value
        )
    return value


def require_text(obj: Any, key: str, where: str) -> str:
    """``obj[key]`` that identifies something (a discipline, a bet type): text, or a number as text."""
    value = require(obj, key, where)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PmuParseError(where, f"{key!r} should be text, got {shown(value)}", field=key, value=value)
    text = str(value)
    if not text.strip():
        raise PmuParseError(where, f"{key!r} is blank", field=key, value=value)
    return text


def optional_list(value: Any, where: str, key: str) -> list[Any]:
    """An optional JSON array: null or absent gives an empty list, anything else but an array is an error."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise PmuParseError(
            where, f"{key!r} should be an array, got {type(value).__name__}", field=key, value=value
        )
    return value


def optional(obj: Any, *path: str) -> Any:
    """The value at ``obj[path[0]][path[1]]...`` or None when any step is missing or null."""
    current = obj
    for key in path:
        if not isinstance(current, Mapping):
            return None
        current = current.get(key)
        if current is None:
            return None
    return current


def as_int(value: Any, where: str, key: str) -> int | None:
    """An integer field; a non-integral, non-finite or non-numeric value raises :class:`PmuParseError`.

    Integers of any size are returned as they are: the column's rule (see
    :mod:`hippique_assets.pmu.validation`) bounds them and names the column.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise PmuParseError(where, f"{key!r} should be a number, got {value!r}", field=key, value=value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        try:
            return int(value)
        except ValueError:  # digits int() does not read ("²"), or past the digits limit
            pass
    raise PmuParseError(where, f"{key!r} should be an integer, got {shown(value)}", field=key, value=value)


def as_float(value: Any, where: str, key: str) -> float | None:
    """A numeric field (int or float, or a numeric string).

    NaN and infinities are returned as they are, so that the column's rule rejects them naming
    the column; a value that feeds a conversion (an instant) goes through :func:`as_instant`.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise PmuParseError(where, f"{key!r} should be a number, got {value!r}", field=key, value=value)
    try:
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            return float(value.replace(",", "."))
    except OverflowError:
        raise PmuParseError(
            where, f"{key!r} is out of range for a number: {shown(value)}", field=key, value=value
        ) from None
    except ValueError:
        pass
    raise PmuParseError(where, f"{key!r} should be a number, got {shown(value)}", field=key, value=value)


def as_instant(value: Any, where: str, key: str) -> datetime | None:
    """An epoch-milliseconds field as an aware UTC datetime (see :func:`~hippique_assets.pmu.units.epoch_ms_to_utc`).

    A value that is not a finite number, or an instant a frame cannot hold, raises
    :class:`PmuParseError` naming the field.
    """
    ms = as_float(value, where, key)
    try:
        return epoch_ms_to_utc(ms)
    except ValueError as exc:
        raise PmuParseError(where, f"{key!r} {exc}", field=key, value=value) from None


def as_bool(value: Any, where: str, key: str) -> bool | None:
    """A boolean field."""
    if value is None or isinstance(value, bool):
        return value
    raise PmuParseError(where, f"{key!r} should be true or false, got {shown(value)}", field=key, value=value)


def as_text(value: Any) -> Any:
    """Text kept verbatim (an older capture's ``?`` in place of an accent included); blank gives None.

    Numbers become their text; an object or an array is returned as it is, so that validation
    (:mod:`hippique_assets.pmu.validation`) rejects the row naming the field, rather than storing
    the object's Python spelling.
    """
    if value is None or isinstance(value, Mapping | list):
        return value
    text = str(value)
    return text if text.strip() else None


def key_text(value: Any, where: str, key: str) -> str | None:
    """Optional text that keys or identifies a row (``idCheval``, a dividend's label): an object,
    an array or text past a sane length is an error rather than a key."""
    text = as_text(value)
    if text is None:
        return None
    if not isinstance(text, str) or len(text) > _KEY_TEXT_MAX:
        raise PmuParseError(
            where, f"{key!r} should be short text, got {shown(value)}", field=key, value=value
        )
    return text


def strip_bet_prefix(bet_type: str) -> str:
    """``E_SIMPLE_GAGNANT`` -> ``SIMPLE_GAGNANT``: the prefix depends on the API client, not the bet."""
    return bet_type[2:] if bet_type.startswith("E_") else bet_type


def pandas_dtype(sa_type: TypeEngine) -> str:
    """The pandas dtype used for a declared column type (see :mod:`hippique_assets.storage.types`).

    Integers are nullable ``Int64``, ``boolean`` the nullable boolean, ``numeric``/``double``
    ``float64`` (numeric values rounded to the declared scale), ``timestamptz``
    ``datetime64[ns, UTC]``, ``timestamp`` ``datetime64[ns]``; text, ``date`` (``datetime.date``
    values) and arrays (Python lists) are ``object``.
    """
    return column_type(sa_type).pandas_dtype


def _typed(column: Column, values: pd.Series) -> pd.Series:
    """One column of row values (as ``DataFrame.from_records`` read them) in its declared dtype."""
    kind = column_type(column.type)
    dtype = kind.pandas_dtype
    if dtype == "object":
        # Unset cells stay None (not NaN) and lists stay lists.
        return values.astype("object").where(values.notna(), None) if values.dtype != object else values
    if dtype == "float64":
        floats = pd.to_numeric(values, errors="raise").astype("float64")
        return floats.round(kind.scale) if kind.base == "numeric" and kind.scale is not None else floats
    if dtype == "datetime64[ns, UTC]":
        return pd.to_datetime(values, utc=True).astype(pd.api.types.pandas_dtype(dtype))
    if dtype == "datetime64[ns]":
        return pd.to_datetime(values).astype(pd.api.types.pandas_dtype(dtype))
    return values.astype(pd.api.types.pandas_dtype(dtype))


def typed_frame(spec: Table, rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """A DataFrame with exactly ``spec``'s columns and dtypes from row dicts.

    Every row must hold every declared column (a missing or extra key is a programming error and
    raises ValueError), and a non-nullable column may not be null.
    """
    names = column_names(spec)
    expected = set(names)
    for index, row in enumerate(rows):
        keys = set(row)
        if keys != expected:
            raise ValueError(
                f"{spec.fullname} row {index}: missing {sorted(expected - keys)}, "
                f"unexpected {sorted(keys - expected)}"
            )
    raw = pd.DataFrame.from_records(list(rows), columns=names) if rows else pd.DataFrame(columns=names)
    frame = pd.DataFrame({col.name: _typed(col, raw[col.name]) for col in spec.columns}, columns=names)
    for col in spec.columns:
        if not col.nullable and len(frame) and frame[col.name].isna().any():
            bad = frame.loc[frame[col.name].isna()].head(3).to_dict("records")
            raise ValueError(f"{spec.fullname}.{col.name} is null in rows such as {bad}")
    return frame


def strict_frame(spec: Table, rows: Sequence[Mapping[str, Any]], where: str) -> pd.DataFrame:
    """:func:`typed_frame` of rows parsed from ``where``: a value no frame can hold raises
    :class:`PmuParseError` rather than a pandas error."""
    with reading(where):
        return typed_frame(spec, rows)


def _cell_problem(kind: ColumnType, value: Any) -> str | None:
    if kind.array:
        if not isinstance(value, list):
            return "not a list"
        item_type = str if kind.base == "text" else int
        return None if all(isinstance(v, item_type) for v in value) else f"items not all {item_type.__name__}"
    if kind.base == "text":
        return None if isinstance(value, str) else "not a str"
    if kind.base == "date":
        ok = isinstance(value, date) and not isinstance(value, datetime)
        return None if ok else "not a datetime.date"
    return None


def frame_problems(frame: pd.DataFrame, spec: Table) -> list[str]:
    """What keeps ``frame`` from being a valid batch of ``spec`` rows (empty list when none).

    Checks the column names and order, each column's dtype, nulls in non-nullable columns, the
    Python type of text/date/array cells, and duplicate primary keys.
    """
    problems: list[str] = []
    if list(frame.columns) != column_names(spec):
        return [f"columns {list(frame.columns)} differ from declared {column_names(spec)}"]
    for col in spec.columns:
        series = frame[col.name]
        kind = column_type(col.type)
        expected = kind.pandas_dtype
        if str(series.dtype) != expected:
            problems.append(f"{col.name}: dtype {series.dtype}, expected {expected} for {kind.pg_name}")
        present = series[series.notna()] if not kind.array else series[series.map(_is_set)]
        if not col.nullable and len(present) != len(series):
            problems.append(f"{col.name}: {len(series) - len(present)} nulls in a non-nullable column")
        if expected == "object":
            bad = [(v, p) for v in present if (p := _cell_problem(kind, v))]
            if bad:
                problems.append(f"{col.name}: {len(bad)} cells such as {bad[0][0]!r} ({bad[0][1]})")
    keys = key_frame(spec, frame)
    duplicated = keys.duplicated(keep=False)
    if duplicated.any():
        sample = keys.loc[duplicated].head(3).to_dict("records")
        problems.append(f"{int(duplicated.sum())} rows share a primary key, e.g. {sample}")
    return problems


def _is_set(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def empty_frame(spec: Table) -> pd.DataFrame:
    """A frame with no rows but ``spec``'s columns and dtypes, for days or races without data."""
    return typed_frame(spec, [])
