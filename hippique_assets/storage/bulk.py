"""Bulk writes and reads of pandas frames against declared Postgres tables (no Dagster here).

Writes go through ADBC (``adbc_driver_postgresql``): the frame is converted column by column to
Arrow with the exact Arrow type of each declared Postgres type, then streamed with binary COPY
(``adbc_ingest``). This was the fastest correct option measured here (see
``benchmarks/bench_bulk_load.py``): far ahead of ``execute_values`` and text COPY, and binary COPY
stores text verbatim (quotes, backslashes, tabs, newlines, ``\\N``) with no escaping step.

Each write mode is one transaction, so a failure anywhere leaves the table as it was:

- ``replace_partition``: DELETE the partitions' rows, COPY the new rows into the table.
- ``replace_all``: DELETE every row (no TRUNCATE: it would take an exclusive lock and is not
  MVCC-safe for concurrent readers), COPY.
- ``append``: COPY into a temporary table, ``INSERT ... ON CONFLICT (pk) DO NOTHING`` so a capture
  written twice does not fail.
- ``upsert``: COPY into a temporary table, ``INSERT ... ON CONFLICT (pk) DO UPDATE``: columns named
  ``first_seen*`` keep the earliest value (``LEAST``), ``last_seen*`` the latest (``GREATEST``), the
  others take the new value.

Postgres text cannot hold a NUL byte: a frame containing one is refused with an error naming the
column and row rather than silently altered. NaN in numeric columns is stored as NULL.

Reads (:func:`read_frame`) return the declared pandas dtypes: integers ``Int64``, ``boolean``,
numeric/real/double ``float64``, ``timestamptz`` ``datetime64[ns, UTC]``, ``timestamp``
``datetime64[ns]``; text and ``date`` (``datetime.date``) as objects, arrays as Python lists.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from adbc_driver_postgresql import dbapi as adbc
from sqlalchemy import Table
from sqlalchemy.pool import QueuePool

from hippique_assets.storage.connection import new_pool, pooled, qualified, quote_ident, quote_literal
from hippique_assets.storage.masking import mask_url, redact
from hippique_assets.storage.tables import (
    WriteMode,
    column_names,
    kind_of,
    partition_column,
    primary_key,
    write_mode,
)
from hippique_assets.storage.types import ColumnType, column_type

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


class FrameValidationError(ValueError):
    """A frame that cannot be written to its table: names the table, column and offending values."""


class BulkWriteError(RuntimeError):
    """The database refused a write; the transaction was rolled back and the table is unchanged."""


class TableNotFoundError(LookupError):
    """A read of a table that does not exist (the migrations were not run: ``hippique db upgrade``)."""


@dataclass(frozen=True)
class WriteStats:
    """What a write did: rows written, wall time, mode, table and rows deleted before loading."""

    rows: int
    seconds: float
    mode: WriteMode
    table: str
    deleted: int = 0


# ---------------------------------------------------------------------------------------------
# pandas -> Arrow: Arrow's own conversion to the declared type; what it would accept silently but
# Postgres must not get (naive instants, booleans as numbers, times in dates) is refused first.


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


# ---------------------------------------------------------------------------------------------
# Checks on keys and partitions


def _partition_kind(table: Table) -> ColumnType:
    part = partition_column(table)
    if part is None:
        raise ValueError(f"{table.fullname} has no partition column")
    kind = kind_of(table, part)
    if kind.array or (kind.base not in {"date", "text"} and not kind.is_integer):
        raise ValueError(f"{table.fullname}: partition column type {kind.base} is not supported")
    return kind


def normalize_partition_values(table: Table, values: Sequence[Any]) -> list[Any]:
    """Partition values as the partition column's Python type (``"2026-03-23"`` -> a date)."""
    kind = _partition_kind(table)
    out: list[Any] = []
    for value in values:
        try:
            if kind.base == "date":
                if isinstance(value, datetime | pd.Timestamp):
                    raise ValueError("a datetime, not a date")
                out.append(value if isinstance(value, date) else date.fromisoformat(str(value)))
            elif kind.base == "text":
                if not isinstance(value, str):
                    raise ValueError("not a str")
                out.append(value)
            else:
                if isinstance(value, bool) or int(value) != value:
                    raise ValueError("not an integer")
                out.append(int(value))
        except (TypeError, ValueError) as exc:
            raise FrameValidationError(
                f"{table.fullname}: partition value {value!r} does not fit "
                f"{partition_column(table)} ({kind.base}): {exc}"
            ) from None
    return sorted(set(out))


def _literal(kind: ColumnType, value: Any) -> str:
    if kind.base == "date":
        return f"DATE {quote_literal(value.isoformat())}"
    if kind.base == "text":
        return quote_literal(value)
    return str(int(value))


def partition_filter(table: Table, values: Sequence[Any]) -> str:
    """``"partition_column" IN (...)`` for normalized partition values."""
    kind = _partition_kind(table)
    listed = ", ".join(_literal(kind, v) for v in values)
    return f"{quote_ident(partition_column(table) or '')} IN ({listed})"


def _check_partitions(table: Table, arrow: pa.Table, allowed: Sequence[Any]) -> None:
    if arrow.num_rows == 0:
        return
    part = partition_column(table) or ""
    column = arrow.column(part)
    inside = pc.fill_null(pc.is_in(column, value_set=pa.array(allowed, type=column.type)), False)
    if not pc.all(inside).as_py():
        outside = sorted({v for v in pc.filter(column, pc.invert(inside)).to_pylist()}, key=repr)
        raise FrameValidationError(
            f"{table.fullname}: rows have {part} outside the partitions being "
            f"written {[str(v) for v in allowed]}: {[str(v) for v in outside[:10]]}"
        )


def _check_primary_key(table: Table, df: pd.DataFrame) -> None:
    key = list(primary_key(table))
    if not key or df.empty:
        return
    keys = df[key]
    dupes = keys.duplicated(keep=False)
    if dupes.any():
        examples = keys[dupes].drop_duplicates().head(5).to_dict("records")
        raise FrameValidationError(
            f"{table.fullname}: {int(dupes.sum())} rows share a primary key {key}; examples: {examples}"
        )
    nulls = keys.isna().any(axis=1)
    if nulls.any():
        raise FrameValidationError(
            f"{table.fullname}: {int(nulls.sum())} rows have a null primary key column; "
            f"examples: {keys[nulls].head(5).to_dict('records')}"
        )


# ---------------------------------------------------------------------------------------------
# Writes


def _adbc_pool(url: str) -> QueuePool:
    """ADBC connections of this process to ``url``, kept open: opening one costs about 45 ms here
    (the driver loads the server's type catalogue), more than a small partition write itself."""

    def connect() -> Any:
        try:
            return adbc.connect(url)
        except Exception as exc:
            raise ConnectionError(
                f"cannot connect to Postgres at {mask_url(url)}: {redact(str(exc), url)}"
            ) from None

    return new_pool(connect)


@contextmanager
def _connection(url: str) -> Iterator[Any]:
    """A pooled ADBC connection (autocommit off); discarded instead of reused after an error."""
    conn = pooled("adbc", url, _adbc_pool).connect()
    try:
        yield conn
    except BaseException:
        conn.invalidate()
        raise
    finally:
        conn.close()


def _merge_sql(table: Table, stage: str, mode: WriteMode) -> str:
    names = column_names(table)
    key = primary_key(table)
    cols = ", ".join(quote_ident(c) for c in names)
    insert = f"INSERT INTO {qualified(table)} AS t ({cols}) SELECT {cols} FROM {quote_ident(stage)}"
    if not key:
        if mode == "upsert":
            raise ValueError(f"{table.fullname}: upsert needs a primary key")
        return insert
    conflict = f" ON CONFLICT ({', '.join(quote_ident(c) for c in key)})"
    updates = []
    for name in names:
        if name in key:
            continue
        q = quote_ident(name)
        if name.startswith("first_seen"):
            updates.append(f"{q} = LEAST(t.{q}, EXCLUDED.{q})")
        elif name.startswith("last_seen"):
            updates.append(f"{q} = GREATEST(t.{q}, EXCLUDED.{q})")
        else:
            updates.append(f"{q} = EXCLUDED.{q}")
    if mode == "append" or not updates:
        return insert + conflict + " DO NOTHING"
    return insert + conflict + " DO UPDATE SET " + ", ".join(updates)


def _lock_keys(table: Table, mode: WriteMode, arrow: pa.Table, targets: Sequence[Any] | None) -> list[str]:
    """What a write must hold alone until it commits: the partitions it replaces or appends to, or
    the whole table for an upsert (concurrent upserts of overlapping keys could deadlock)."""
    part = partition_column(table)
    if mode == "upsert" or mode == "replace_all" or not part:
        return ["*"]
    if targets is None:
        targets = sorted(set(arrow.column(part).to_pylist()) - {None}, key=str)
    return sorted({str(v) for v in targets})


def _lock(cur: Any, table: Table, keys: Sequence[str]) -> None:
    # Transaction-level locks in a fixed order: two writers of the same partition take turns
    # (the second deletes what the first loaded, then loads), writers of different ones do not wait.
    for key in keys:
        cur.execute(
            f"SELECT pg_advisory_xact_lock(hashtext({quote_literal(table.fullname)}), hashtext({quote_literal(key)}))"
        )


def _load(
    cur: Any,
    table: Table,
    arrow: pa.Table,
    mode: WriteMode,
    deleted_filter: str | None,
    lock_keys: Sequence[str] = (),
) -> int:
    """The statements of one write, inside the caller's transaction; returns rows deleted."""
    _lock(cur, table, lock_keys)
    deleted = 0
    if mode in {"replace_partition", "replace_all"}:
        where = f" WHERE {deleted_filter}" if deleted_filter else ""
        cur.execute(f"DELETE FROM {qualified(table)}{where}")
        deleted = max(cur.rowcount, 0)
        if arrow.num_rows:
            cur.adbc_ingest(table.name, arrow, mode="append", db_schema_name=table.schema)
        return deleted
    if arrow.num_rows:
        stage = f"_hippique_stage_{uuid.uuid4().hex[:12]}"
        cur.adbc_ingest(stage, arrow, mode="create", temporary=True)
        cur.execute(_merge_sql(table, stage, mode))
        cur.execute(f"DROP TABLE {quote_ident(stage)}")
    return deleted


def write_frame(
    url: str, table: Table, df: pd.DataFrame, *, partition_values: Sequence[Any] | None = None
) -> WriteStats:
    """Write ``df`` into ``table`` with the table's write mode, in one transaction.

    ``partition_values`` names the partitions being written (values of the partition column,
    e.g. dates or ``"2026-03-23"`` strings, or race keys): every row must belong to one of them,
    and ``replace_partition`` deletes exactly those partitions first, so an empty frame clears
    them. Without it, ``replace_partition`` replaces the partitions present in the frame (the
    whole table when the table has no partition column). The table must exist (migrations).

    Raises :class:`FrameValidationError` before touching the database when the frame does not
    fit the declaration, and :class:`BulkWriteError` (table unchanged) when the database refuses.
    """
    started = time.perf_counter()
    mode = write_mode(table)
    if not isinstance(df, pd.DataFrame):
        raise FrameValidationError(f"{table.fullname}: expected a pandas DataFrame, got {type(df).__name__}")
    arrow = frame_to_arrow(table, df)
    _check_primary_key(table, df)
    part = partition_column(table)
    allowed = (
        normalize_partition_values(table, partition_values) if part and partition_values is not None else None
    )
    if allowed is not None:
        _check_partitions(table, arrow, allowed)
    deleted_filter: str | None = None
    if mode == "replace_partition" and part:
        targets = allowed if allowed is not None else sorted(set(arrow.column(part).to_pylist()) - {None})
        # An empty target list means an empty frame with no named partition: nothing to replace.
        deleted_filter = partition_filter(table, targets) if targets else "FALSE"
    lock_keys = _lock_keys(table, mode, arrow, allowed)
    with _connection(url) as conn, conn.cursor() as cur:
        try:
            deleted = _load(cur, table, arrow, mode, deleted_filter, lock_keys)
            conn.commit()
        except Exception as exc:
            with suppress(Exception):
                conn.rollback()
            if getattr(exc, "sqlstate", None) == "42P01":
                raise TableNotFoundError(_missing_table(table, url)) from exc
            raise BulkWriteError(
                f"writing {arrow.num_rows} rows to {table.fullname} ({mode}) at {mask_url(url)} "
                f"failed and was rolled back, the table is unchanged: {redact(str(exc), url)}"
            ) from None
    return WriteStats(arrow.num_rows, time.perf_counter() - started, mode, table.fullname, deleted)


def _missing_table(table: Table, url: str) -> str:
    return (
        f"table {table.fullname} does not exist at {mask_url(url)}: create the tables with "
        "`hippique db upgrade` (the database migrations)"
    )


# ---------------------------------------------------------------------------------------------
# Reads


def _select_expr(name: str, kind: ColumnType) -> str:
    q = quote_ident(name)
    if kind.base == "numeric":
        return f"{q}::float8{'[]' if kind.array else ''} AS {q}"
    return q


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


def read_frame(
    url: str,
    table: Table,
    *,
    partition_values: Sequence[Any] | None = None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Rows of ``table`` as a frame with the declared dtypes, ordered by primary key.

    ``partition_values`` keeps only those partitions (values of the partition column; an empty
    list gives an empty frame); ``columns`` picks a subset of columns. Raises
    :class:`TableNotFoundError` when the table does not exist.
    """
    declared = column_names(table)
    names = list(columns) if columns is not None else declared
    unknown = [n for n in names if n not in declared]
    if unknown:
        raise ValueError(f"{table.fullname} has no columns {unknown}; declared: {declared}")
    where = ""
    if partition_values is not None:
        if not partition_column(table):
            raise ValueError(f"{table.fullname} is not partitioned; cannot filter by {partition_values!r}")
        values = normalize_partition_values(table, partition_values)
        where = f" WHERE {partition_filter(table, values)}" if values else " WHERE FALSE"
    select = ", ".join(_select_expr(n, kind_of(table, n)) for n in names)
    key = primary_key(table)
    order = f" ORDER BY {', '.join(quote_ident(c) for c in key)}" if key else ""
    sql = f"SELECT {select} FROM {qualified(table)}{where}{order}"
    with _connection(url) as conn, conn.cursor() as cur:
        try:
            cur.execute(sql)
        except Exception as exc:
            if getattr(exc, "sqlstate", None) == "42P01":
                raise TableNotFoundError(_missing_table(table, url)) from exc
            raise
        result = cur.fetch_arrow_table()
    return arrow_to_frame(table, result, names)


def pandas_dtype(sa_type: Any) -> str:
    """The pandas dtype :func:`read_frame` returns for a declared column type."""
    return column_type(sa_type).pandas_dtype
