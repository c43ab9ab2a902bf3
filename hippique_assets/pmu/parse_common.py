"""Pieces shared by the PMU parsers: the parse error, key access and typed DataFrames.

A frame built here has exactly the declared columns of its :class:`TableSpec`, in declared
order, with one dtype per Postgres type (see :func:`pandas_dtype`), so every parser's output and
every empty frame look the same to the IO manager.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd

from hippique_assets.storage.tables import Column, TableSpec

_NUMERIC_SCALE = re.compile(r"^numeric\(\s*\d+\s*,\s*(\d+)\s*\)$")
_INT_TYPES = {"integer", "bigint", "smallint"}


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


def as_text(value: Any) -> str | None:
    """Text kept verbatim (an older capture's ``?`` in place of an accent included); blank gives None."""
    if value is None:
        return None
    text = str(value)
    return text if text.strip() else None


def strip_bet_prefix(bet_type: str) -> str:
    """``E_SIMPLE_GAGNANT`` -> ``SIMPLE_GAGNANT``: the prefix depends on the API client, not the bet."""
    return bet_type[2:] if bet_type.startswith("E_") else bet_type


def pandas_dtype(pg_type: str) -> str:
    """The pandas dtype used for a Postgres column type.

    Integers are nullable ``Int64``, ``boolean`` the nullable boolean, ``numeric``/``double``
    ``float64`` (numeric values rounded to the declared scale), ``timestamptz``
    ``datetime64[ns, UTC]``, ``timestamp`` ``datetime64[ns]``; text, ``date`` (``datetime.date``
    values) and arrays (Python lists) are ``object``.
    """
    kind = pg_type.strip().lower()
    if kind.endswith("[]") or kind in {"text", "date"}:
        return "object"
    if kind in _INT_TYPES:
        return "Int64"
    if kind == "boolean":
        return "boolean"
    if kind.startswith("numeric") or kind in {"double precision", "real"}:
        return "float64"
    if kind == "timestamptz":
        return "datetime64[ns, UTC]"
    if kind == "timestamp":
        return "datetime64[ns]"
    raise ValueError(f"no pandas dtype for Postgres type {pg_type!r}")


def _numeric_scale(pg_type: str) -> int | None:
    match = _NUMERIC_SCALE.match(pg_type.strip().lower())
    return int(match.group(1)) if match else None


def _series(column: Column, values: list[Any]) -> pd.Series:
    dtype = pandas_dtype(column.pg_type)
    if dtype == "object":
        # Built from a list with dtype object, unset cells stay None (not NaN) and lists stay lists.
        return pd.Series(values, dtype="object")
    if dtype == "float64":
        floats = pd.Series([math.nan if v is None else float(v) for v in values], dtype="float64")
        scale = _numeric_scale(column.pg_type)
        return floats.round(scale) if scale is not None else floats
    if dtype == "datetime64[ns, UTC]":
        return pd.Series(pd.to_datetime(values, utc=True), dtype=dtype)
    if dtype == "datetime64[ns]":
        return pd.Series(pd.to_datetime(values), dtype=dtype)
    return pd.Series(values, dtype=dtype)


def typed_frame(spec: TableSpec, rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """A DataFrame with exactly ``spec``'s columns and dtypes from row dicts.

    Every row must hold every declared column (a missing or extra key is a programming error and
    raises ValueError), and a non-nullable column may not be null.
    """
    names = spec.column_names
    expected = set(names)
    for index, row in enumerate(rows):
        keys = set(row)
        if keys != expected:
            raise ValueError(
                f"{spec.qualified_name} row {index}: missing {sorted(expected - keys)}, "
                f"unexpected {sorted(keys - expected)}"
            )
    data = {col.name: _series(col, [row[col.name] for row in rows]) for col in spec.columns}
    frame = pd.DataFrame(data, columns=names)
    for col in spec.columns:
        if not col.nullable and len(frame) and frame[col.name].isna().any():
            bad = frame.loc[frame[col.name].isna()].head(3).to_dict("records")
            raise ValueError(f"{spec.qualified_name}.{col.name} is null in rows such as {bad}")
    return frame


def _cell_problem(pg_type: str, value: Any) -> str | None:
    kind = pg_type.strip().lower()
    if kind == "text":
        return None if isinstance(value, str) else "not a str"
    if kind == "date":
        ok = isinstance(value, date) and not isinstance(value, datetime)
        return None if ok else "not a datetime.date"
    if kind.endswith("[]"):
        if not isinstance(value, list):
            return "not a list"
        item_type = str if kind == "text[]" else int
        return None if all(isinstance(v, item_type) for v in value) else f"items not all {item_type.__name__}"
    return None


def frame_problems(frame: pd.DataFrame, spec: TableSpec) -> list[str]:
    """What keeps ``frame`` from being a valid batch of ``spec`` rows (empty list when none).

    Checks the column names and order, each column's dtype, nulls in non-nullable columns, the
    Python type of text/date/array cells, and duplicate primary keys.
    """
    problems: list[str] = []
    if list(frame.columns) != spec.column_names:
        return [f"columns {list(frame.columns)} differ from declared {spec.column_names}"]
    for col in spec.columns:
        series = frame[col.name]
        expected = pandas_dtype(col.pg_type)
        if str(series.dtype) != expected:
            problems.append(f"{col.name}: dtype {series.dtype}, expected {expected} for {col.pg_type}")
        present = series[series.notna()] if not col.pg_type.endswith("[]") else series[series.map(_is_set)]
        if not col.nullable and len(present) != len(series):
            problems.append(f"{col.name}: {len(series) - len(present)} nulls in a non-nullable column")
        if expected == "object":
            bad = [(v, p) for v in present if (p := _cell_problem(col.pg_type, v))]
            if bad:
                problems.append(f"{col.name}: {len(bad)} cells such as {bad[0][0]!r} ({bad[0][1]})")
    duplicated = frame.duplicated(subset=list(spec.primary_key), keep=False)
    if duplicated.any():
        sample = frame.loc[duplicated, list(spec.primary_key)].head(3).to_dict("records")
        problems.append(f"{int(duplicated.sum())} rows share a primary key, e.g. {sample}")
    return problems


def _is_set(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def empty_frame(spec: TableSpec) -> pd.DataFrame:
    """A frame with no rows but ``spec``'s columns and dtypes, for days or races without data."""
    return typed_frame(spec, [])
