"""Pieces shared by the PMU parsers: the parse error, key access and typed DataFrames.

A frame built here has exactly the declared columns of its declared table, in declared
order, with one dtype per column type (see :func:`pandas_dtype`), so every parser's output and
every empty frame look the same to the IO manager.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Column, Table
from sqlalchemy.types import TypeEngine

from hippique_assets.storage.tables import column_names, primary_key
from hippique_assets.storage.types import ColumnType, column_type


class PmuParseError(ValueError):
    """A PMU payload that cannot be read: names the endpoint or race and the offending key or value."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


def require(obj: Any, key: str, where: str) -> Any:
    """``obj[key]``, raising :class:`PmuParseError` naming ``where`` and the key when it is absent or null."""
    if not isinstance(obj, Mapping):
        raise PmuParseError(where, f"expected a JSON object holding {key!r}, got {type(obj).__name__}")
    value = obj.get(key)
    if value is None:
        raise PmuParseError(where, f"missing required key {key!r}")
    return value


def require_list(obj: Any, key: str, where: str) -> list[Any]:
    """``obj[key]`` that must be a JSON array."""
    value = require(obj, key, where)
    if not isinstance(value, list):
        raise PmuParseError(where, f"{key!r} should be an array, got {type(value).__name__}")
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
    """An integer field; a non-integral or non-numeric value raises :class:`PmuParseError`."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise PmuParseError(where, f"{key!r} should be a number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise PmuParseError(where, f"{key!r} should be an integer, got {value!r}")


def as_float(value: Any, where: str, key: str) -> float | None:
    """A numeric field (int or float, or a numeric string)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise PmuParseError(where, f"{key!r} should be a number, got {value!r}")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.replace(",", "."))
        except ValueError:
            pass
    raise PmuParseError(where, f"{key!r} should be a number, got {value!r}")


def as_bool(value: Any, where: str, key: str) -> bool | None:
    """A boolean field."""
    if value is None or isinstance(value, bool):
        return value
    raise PmuParseError(where, f"{key!r} should be true or false, got {value!r}")


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
        return pd.to_datetime(values, utc=True).astype(dtype)
    if dtype == "datetime64[ns]":
        return pd.to_datetime(values).astype(dtype)
    return values.astype(dtype)


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
    duplicated = frame.duplicated(subset=list(primary_key(spec)), keep=False)
    if duplicated.any():
        sample = frame.loc[duplicated, list(primary_key(spec))].head(3).to_dict("records")
        problems.append(f"{int(duplicated.sum())} rows share a primary key, e.g. {sample}")
    return problems


def _is_set(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def empty_frame(spec: Table) -> pd.DataFrame:
    """A frame with no rows but ``spec``'s columns and dtypes, for days or races without data."""
    return typed_frame(spec, [])
