"""pandas frames to Arrow and back with the exact types of their declared Postgres columns.

Writes convert a frame column by column with Arrow's own conversion to the declared type; what Arrow
would accept silently but Postgres must not get (naive instants, booleans as numbers, times in
dates, NUL bytes in text) is refused with :class:`FrameValidationError` naming the table, the column
and example values. NaN in numeric columns becomes NULL.

Reads return the declared pandas dtypes: integers ``Int64``, ``boolean``, numeric/real/double
``float64``, ``timestamptz`` ``datetime64[ns, UTC]``, ``timestamp`` ``datetime64[ns]``; text and
``date`` (``datetime.date``) as objects, arrays as Python lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Table

from hippique_assets.storage.errors import FrameValidationError
from hippique_assets.storage.tables import column_names, kind_of
from hippique_assets.storage.types import ColumnType

_ARROW_ERRORS = (
    pa.ArrowInvalid,
    pa.ArrowTypeError,
    pa.ArrowNotImplementedError,
    TypeError,
    ValueError,
    OverflowError,
)
# How many distinct refused values are looked for, and shown, when a column does not convert.
_SCAN_LIMIT = 10_000
_SHOWN = 5


class _Refused(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def _precheck(series: pd.Series, kind: ColumnType) -> None:
    if kind.array:
        return
    dtype = series.dtype
    if kind.base in {"timestamptz", "timestamp"}:
        aware_dtype = isinstance(dtype, pd.DatetimeTZDtype)
        naive_dtype = pd.api.types.is_datetime64_dtype(dtype)
        if pd.api.types.is_object_dtype(dtype):
            stamps = [v for v in series if isinstance(v, datetime)]
            aware_dtype = any(v.tzinfo is not None for v in stamps)
            naive_dtype = any(v.tzinfo is None for v in stamps)
        if kind.base == "timestamptz" and naive_dtype:
            raise _Refused("naive datetimes in a timestamptz column (localize them first)")
        if kind.base == "timestamp" and aware_dtype:
            raise _Refused("time-zone aware values in a timestamp (without time zone) column")
    elif kind.base == "date" and pd.api.types.is_datetime64_any_dtype(dtype):
        if isinstance(dtype, pd.DatetimeTZDtype):
            raise _Refused("time-zone aware instants in a date column (convert to local dates first)")
        if (series.notna() & (series != series.dt.normalize())).any():
            raise _Refused("values have a time of day in a date column")
    elif (kind.is_integer or kind.base in {"numeric", "double precision"}) and pd.api.types.is_bool_dtype(
        dtype
    ):
        raise _Refused("booleans in a numeric column")


def _to_arrow(series: pd.Series, kind: ColumnType) -> pa.Array:
    """One column as its declared Arrow type (raises Arrow's or pandas' own errors)."""
    if len(series) and series.isna().all():
        # A column with no value at all (a nullable column the writer left out comes as NaN floats)
        # is nulls of the declared type, whatever dtype pandas gave it.
        return pa.nulls(len(series), type=kind.arrow)
    _precheck(series, kind)
    if kind.base == "numeric":
        # Floats (or Decimals) are rounded to the declared scale, as Postgres would round them.
        staged_type = pa.list_(pa.float64()) if kind.array else pa.float64()
        decimals = series.dtype == object and any(isinstance(v, Decimal) for v in series)
        staged = (
            pa.array(series, from_pandas=True)
            if decimals and not kind.array
            else pa.array(series, type=staged_type, from_pandas=True)
        )
        if kind.array:
            rounded = pc.round(staged.flatten(), kind.scale or 0).cast(kind.scalar_arrow)
            return pa.ListArray.from_arrays(staged.offsets, rounded, mask=staged.is_null())
        return pc.round(staged, kind.scale or 0).cast(kind.arrow)
    if kind.base in {"timestamptz", "timestamp"} and not kind.array:
        # Postgres keeps microseconds: nanoseconds are truncated, as the server would.
        stamps = (
            pd.to_datetime(series, utc=True)
            if kind.base == "timestamptz" and series.dtype == object
            else series
        )
        return pa.array(stamps, from_pandas=True).cast(kind.arrow, safe=False)
    return pa.array(series, type=kind.arrow, from_pandas=True)


_NOT = {
    "text": "values are not text",
    "boolean": "values are not booleans",
    "date": "values are not dates",
    "timestamptz": "values are not datetimes",
    "timestamp": "values are not datetimes",
    "double precision": "values are not numbers",
}


def _refused_values(series: pd.Series, kind: ColumnType) -> list[Any]:
    """The first values of ``series`` that do not convert on their own (to name them in the error)."""
    refused: list[Any] = []
    seen: set[str] = set()
    for value in series.iloc[:_SCAN_LIMIT]:
        if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
            continue
        marker = repr(value)
        if marker in seen:
            continue
        seen.add(marker)
        try:
            _to_arrow(pd.Series([value], dtype=series.dtype if series.dtype != object else object), kind)
        except (_Refused, *_ARROW_ERRORS):
            refused.append(value)
            if len(refused) == _SHOWN:
                break
    return refused


def _problem(kind: ColumnType, refused: list[Any]) -> str:
    if kind.array:
        return (
            "values are not lists"
            if any(not isinstance(v, list | tuple) for v in refused)
            else (f"list items are not {kind.base}")
        )
    if kind.base == "numeric":
        return f"values do not fit {kind.pg_name}"
    if kind.is_integer:
        if refused and all(isinstance(v, int) and not isinstance(v, bool) for v in refused):
            return f"values out of range for {kind.pg_name}"
        return "values are not integers"
    return _NOT[kind.base]


def to_arrow_column(table: Table, name: str, series: pd.Series) -> pa.Array:
    """Column ``name`` of a frame as the Arrow type of its declaration; refuses lossy or odd values
    with :class:`FrameValidationError` naming the table, the column, its type and example values."""
    kind = kind_of(table, name)
    where = f"{table.fullname}.{name} ({kind.pg_name})"
    try:
        return _to_arrow(series, kind)
    except _Refused as refused:
        raise FrameValidationError(f"{where}: {refused.problem}") from None
    except _ARROW_ERRORS as exc:
        examples = _refused_values(series, kind)
        raise FrameValidationError(f"{where}: {_problem(kind, examples)}; examples: {examples!r}") from exc


def _nul_rows(arr: pa.Array) -> list[int]:
    values = arr.flatten() if pa.types.is_list(arr.type) else arr
    if not pa.types.is_string(values.type) or len(values) == 0:
        return []
    hits = pc.fill_null(pc.match_substring(values, "\x00"), False)
    if not pc.any(hits).as_py():
        return []
    if values is arr:
        return pc.indices_nonzero(hits).to_pylist()[:_SHOWN]
    parents = pc.list_parent_indices(arr)
    return sorted(set(pc.filter(parents, hits).to_pylist()))[:_SHOWN]


def frame_to_arrow(table: Table, df: pd.DataFrame) -> pa.Table:
    """``df`` as an Arrow table with ``table``'s columns, in declared order, and exact Arrow types.

    Raises :class:`FrameValidationError` for missing or extra columns, values that do not fit
    their column's type, and text holding NUL bytes (Postgres text cannot store them).
    """
    names = column_names(table)
    missing = [n for n in names if n not in df.columns]
    extra = [str(c) for c in df.columns if c not in set(names)]
    if missing or extra or len(df.columns) != len(set(df.columns)):
        dupes = sorted({str(c) for c in df.columns if list(df.columns).count(c) > 1})
        raise FrameValidationError(
            f"{table.fullname}: frame columns do not match the declaration: "
            f"missing {missing}, extra {extra}" + (f", duplicated {dupes}" if dupes else "")
        )
    arrays = []
    for name in names:
        arr = to_arrow_column(table, name, df[name].reset_index(drop=True))
        rows = _nul_rows(arr)
        if rows:
            raise FrameValidationError(
                f"{table.fullname}.{name}: Postgres text cannot hold NUL bytes (\\x00), found in rows {rows}; "
                "remove or replace them before writing"
            )
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, names=names)


def _to_series(column: pa.ChunkedArray, kind: ColumnType) -> pd.Series:
    if kind.array or kind.base == "date":
        return pd.Series(column.to_pylist(), dtype="object")
    if kind.is_integer:
        return column.cast(pa.int64()).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    if kind.base == "boolean":
        return column.to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get)
    if kind.base == "text":
        return column.to_pandas().astype("object")
    return column.to_pandas().astype(kind.pandas_dtype)


def arrow_to_frame(table: Table, arrow: pa.Table, columns: Sequence[str]) -> pd.DataFrame:
    """An Arrow result as a frame with the declared dtypes (see :mod:`hippique_assets.storage.types`)."""
    data = {
        name: _to_series(arrow.column(name), kind_of(table, name)).reset_index(drop=True) for name in columns
    }
    return pd.DataFrame(data, columns=list(columns), index=pd.RangeIndex(arrow.num_rows))
