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

import math
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from adbc_driver_postgresql import dbapi as adbc

from hippique_assets.storage.postgres import ensure_table, mask_url, qualified, quote_ident, quote_literal
from hippique_assets.storage.tables import TableSpec, WriteMode

_ALIASES = {
    "int": "integer",
    "int4": "integer",
    "integer": "integer",
    "int2": "smallint",
    "smallint": "smallint",
    "int8": "bigint",
    "bigint": "bigint",
    "float8": "double precision",
    "double precision": "double precision",
    "float4": "real",
    "real": "real",
    "numeric": "numeric",
    "decimal": "numeric",
    "text": "text",
    "varchar": "text",
    "character varying": "text",
    "bool": "boolean",
    "boolean": "boolean",
    "date": "date",
    "timestamptz": "timestamptz",
    "timestamp with time zone": "timestamptz",
    "timestamp": "timestamp",
    "timestamp without time zone": "timestamp",
}
_TYPE_SHAPE = re.compile(r"^([a-z0-9 ]+?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*((?:\[\])*)$")
_INTS = {"integer", "smallint", "bigint"}
_FLOATS = {"double precision", "real", "numeric"}
_UNCONSTRAINED_NUMERIC = (38, 10)


class FrameValidationError(ValueError):
    """A frame that cannot be written to its table: names the table, column and offending values."""


class BulkWriteError(RuntimeError):
    """The database refused a write; the transaction was rolled back and the table is unchanged."""


class TableNotFoundError(LookupError):
    """A read of a table that does not exist yet (its asset was never materialized)."""


@dataclass(frozen=True)
class WriteStats:
    """What a write did: rows written, wall time, mode, table and rows deleted before loading."""

    rows: int
    seconds: float
    mode: WriteMode
    table: str
    deleted: int = 0


@dataclass(frozen=True)
class PgType:
    """A declared column type reduced to what conversion needs."""

    base: str
    array: bool
    precision: int | None = None
    scale: int | None = None

    @property
    def arrow(self) -> pa.DataType:
        """The Arrow type binary COPY accepts for this Postgres type."""
        scalar = _scalar_arrow(self)
        return pa.list_(scalar) if self.array else scalar


def parse_pg_type(pg_type: str) -> PgType:
    """Read a declared type such as ``numeric(12,2)``, ``integer[]`` or ``timestamptz``."""
    text = " ".join(pg_type.strip().lower().split())
    match = _TYPE_SHAPE.match(text)
    base = _ALIASES.get(match.group(1).strip()) if match else None
    if match is None or base is None:
        raise ValueError(f"unsupported Postgres type {pg_type!r}")
    precision = int(match.group(2)) if match.group(2) else None
    scale = int(match.group(3)) if match.group(3) else (0 if precision is not None else None)
    if base == "numeric" and precision is not None and not 0 < precision <= 38:
        raise ValueError(f"numeric precision must be 1..38 here, got {pg_type!r}")
    return PgType(base, bool(match.group(4)), precision, scale)


def _scalar_arrow(kind: PgType) -> pa.DataType:
    if kind.base == "numeric":
        precision, scale = (
            (kind.precision, kind.scale) if kind.precision is not None else _UNCONSTRAINED_NUMERIC
        )
        return pa.decimal128(precision, scale or 0)
    return {
        "integer": pa.int32(),
        "smallint": pa.int16(),
        "bigint": pa.int64(),
        "double precision": pa.float64(),
        "real": pa.float32(),
        "text": pa.string(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "timestamptz": pa.timestamp("us", tz="UTC"),
        "timestamp": pa.timestamp("us"),
    }[kind.base]


def pandas_dtype(pg_type: str) -> str:
    """The pandas dtype :func:`read_frame` returns for a declared Postgres type."""
    kind = parse_pg_type(pg_type)
    if kind.array or kind.base in {"text", "date"}:
        return "object"
    if kind.base in _INTS:
        return "Int64"
    if kind.base == "boolean":
        return "boolean"
    if kind.base in _FLOATS:
        return "float64"
    return "datetime64[ns, UTC]" if kind.base == "timestamptz" else "datetime64[ns]"


# ---------------------------------------------------------------------------------------------
# pandas -> Arrow


class _Bad(Exception):
    """A column conversion problem, turned into FrameValidationError with the column's name."""

    def __init__(self, problem: str, examples: Sequence[Any] = ()) -> None:
        super().__init__(problem)
        self.problem = problem
        self.examples = list(examples)[:5]


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _non_null(series: pd.Series) -> pd.Series:
    return series[series.notna()]


def _examples(series: pd.Series, accept: Callable[[Any], bool]) -> list[Any]:
    return [v for v in _non_null(series).tolist() if not accept(v)][:5]


def _text(series: pd.Series) -> pa.Array:
    try:
        arr = pa.array(series, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise _Bad("values are not text", _examples(series, lambda v: isinstance(v, str))) from exc
    return arr


def _ints(series: pd.Series, arrow_type: pa.DataType) -> pa.Array:
    if pd.api.types.is_bool_dtype(series.dtype):
        raise _Bad("booleans in an integer column")
    if series.dtype == object:
        bad = _examples(series, lambda v: isinstance(v, int | np.integer | float) and not isinstance(v, bool))
        if bad:
            raise _Bad("values are not integers", bad)
    try:
        values = pd.array(series, dtype="Int64")
    except (TypeError, ValueError) as exc:
        bad = _examples(series, lambda v: float(v).is_integer())
        raise _Bad("values are not integers", bad) from exc
    try:
        return pa.array(values).cast(arrow_type)
    except pa.ArrowInvalid as exc:
        limit = np.iinfo(arrow_type.to_pandas_dtype()).max
        raise _Bad(
            f"values out of range for {arrow_type}", _examples(series, lambda v: abs(v) <= limit)
        ) from exc


def _floats(series: pd.Series) -> pa.Array:
    if series.dtype == object:
        bad = _examples(
            series, lambda v: isinstance(v, int | float | np.number | Decimal) and not isinstance(v, bool)
        )
        if bad:
            raise _Bad("values are not numbers", bad)
    elif pd.api.types.is_bool_dtype(series.dtype) or not pd.api.types.is_numeric_dtype(series.dtype):
        raise _Bad(f"dtype {series.dtype} is not numeric")
    floats = pd.to_numeric(series, errors="raise").astype("float64")
    return pa.array(floats, type=pa.float64(), from_pandas=True)


def _decimals(series: pd.Series, arrow_type: pa.Decimal128Type) -> pa.Array:
    first = next(iter(_non_null(series).tolist()), None)
    if isinstance(first, Decimal):
        try:
            arr = pa.array(series, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise _Bad("mixed Decimal and other values", []) from exc
    else:
        arr = _floats(series)
    try:
        return pc.round(arr, arrow_type.scale).cast(arrow_type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        limit = 10 ** (arrow_type.precision - arrow_type.scale)
        bad = _examples(series, lambda v: math.isfinite(float(v)) and abs(float(v)) < limit)
        raise _Bad(f"values do not fit numeric({arrow_type.precision},{arrow_type.scale})", bad) from exc


def _bools(series: pd.Series) -> pa.Array:
    if series.dtype == object:
        bad = _examples(series, lambda v: isinstance(v, bool | np.bool_))
        if bad:
            raise _Bad("values are not booleans", bad)
    elif not pd.api.types.is_bool_dtype(series.dtype):
        raise _Bad(f"dtype {series.dtype} is not boolean")
    return pa.array(series, type=pa.bool_(), from_pandas=True)


def _dates(series: pd.Series) -> pa.Array:
    if series.dtype == object:
        try:
            # Arrow infers date32 only when every value is a date (datetimes infer a timestamp).
            inferred = pa.array(series, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            inferred = None
        if inferred is not None and inferred.type == pa.date32():
            return inferred
        bad = _examples(series, lambda v: isinstance(v, date) and not isinstance(v, datetime))
        if not bad:
            return pa.array(series, type=pa.date32(), from_pandas=True)
    try:
        stamps = pd.to_datetime(series, format="ISO8601")
    except (TypeError, ValueError) as exc:
        raise _Bad("values are not dates", _examples(series, lambda v: isinstance(v, date))) from exc
    if getattr(stamps.dt, "tz", None) is not None:
        raise _Bad("time-zone aware instants in a date column (convert to local dates first)")
    has_time = stamps.notna() & (stamps != stamps.dt.normalize())
    if has_time.any():
        raise _Bad("values have a time of day in a date column", series[has_time].tolist())
    return pa.array(stamps, from_pandas=True).cast(pa.date32())


def _instants(series: pd.Series, *, aware: bool) -> pa.Array:
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        if not aware:
            raise _Bad("time-zone aware values in a timestamp (without time zone) column")
        stamps = series.dt.tz_convert("UTC")
    elif pd.api.types.is_datetime64_dtype(dtype):
        if aware:
            raise _Bad("naive datetimes in a timestamptz column (localize them first)")
        stamps = series
    else:
        values = _non_null(series).tolist()
        bad = [v for v in values if not isinstance(v, datetime)][:5]
        if bad:
            raise _Bad("values are not datetimes", bad)
        naive = [v for v in values if v.tzinfo is None]
        if aware and naive:
            raise _Bad("naive datetimes in a timestamptz column (localize them first)", naive)
        if not aware and len(naive) != len(values):
            raise _Bad("time-zone aware values in a timestamp (without time zone) column")
        stamps = pd.to_datetime(series, utc=aware)
    target = pa.timestamp("us", tz="UTC") if aware else pa.timestamp("us")
    # Postgres keeps microseconds: nanoseconds are truncated, as the server would.
    return pa.array(stamps, from_pandas=True).cast(target, safe=False)


def _arrays(series: pd.Series, kind: PgType) -> pa.Array:
    scalar = _scalar_arrow(kind)
    if kind.base != "numeric":
        # Arrow converts lists, tuples, arrays and nulls in C; anything odd goes the slow way below,
        # which names the offending values.
        try:
            return pa.array(series, type=pa.list_(scalar), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
            pass
    cells: list[list[Any] | None] = []
    bad: list[Any] = []
    for value in series.tolist():
        if isinstance(value, list | tuple | np.ndarray):
            cells.append([None if _is_missing(v) else v for v in value])
        elif _is_missing(value):
            cells.append(None)
        else:
            bad.append(value)
            cells.append(None)
    if bad:
        raise _Bad("values are not lists", bad)
    staged = pa.list_(pa.float64()) if kind.base == "numeric" else pa.list_(scalar)
    try:
        arr = pa.array(cells, type=staged)
        if kind.base == "numeric":
            arr = pa.ListArray.from_arrays(
                arr.offsets, pc.round(arr.flatten(), scalar.scale).cast(scalar), mask=arr.is_null()
            )
        return arr
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError) as exc:
        raise _Bad(f"list items are not {kind.base}: {exc}") from exc


def to_arrow_column(series: pd.Series, kind: PgType) -> pa.Array:
    """Convert one column to the Arrow type of its Postgres type; raises on any lossy or odd value."""
    if kind.array:
        return _arrays(series, kind)
    base = kind.base
    if base == "text":
        return _text(series)
    if base in _INTS:
        return _ints(series, _scalar_arrow(kind))
    if base == "numeric":
        return _decimals(series, _scalar_arrow(kind))
    if base in {"double precision", "real"}:
        return _floats(series).cast(_scalar_arrow(kind))
    if base == "boolean":
        return _bools(series)
    if base == "date":
        return _dates(series)
    return _instants(series, aware=base == "timestamptz")


def _nul_rows(arr: pa.Array) -> list[int]:
    values = arr.flatten() if pa.types.is_list(arr.type) else arr
    if not pa.types.is_string(values.type) or len(values) == 0:
        return []
    hits = pc.fill_null(pc.match_substring(values, "\x00"), False)
    if not pc.any(hits).as_py():
        return []
    if values is arr:
        return pc.indices_nonzero(hits).to_pylist()[:5]
    parents = pc.list_parent_indices(arr)
    return sorted(set(pc.filter(parents, hits).to_pylist()))[:5]


def frame_to_arrow(spec: TableSpec, df: pd.DataFrame) -> pa.Table:
    """``df`` as an Arrow table with ``spec``'s columns, in declared order, and exact Arrow types.

    Raises :class:`FrameValidationError` for missing or extra columns, values that do not fit
    their column's type, and text holding NUL bytes.
    """
    names = spec.column_names
    missing = [n for n in names if n not in df.columns]
    extra = [str(c) for c in df.columns if c not in set(names)]
    if missing or extra or len(df.columns) != len(set(df.columns)):
        dupes = sorted({str(c) for c in df.columns if list(df.columns).count(c) > 1})
        raise FrameValidationError(
            f"{spec.qualified_name}: frame columns do not match the declaration: "
            f"missing {missing}, extra {extra}" + (f", duplicated {dupes}" if dupes else "")
        )
    arrays = []
    for col in spec.columns:
        series = df[col.name].reset_index(drop=True)
        kind = parse_pg_type(col.pg_type)
        try:
            arr = to_arrow_column(series, kind)
        except _Bad as bad:
            detail = f"; examples: {bad.examples!r}" if bad.examples else ""
            raise FrameValidationError(
                f"{spec.qualified_name}.{col.name} ({col.pg_type}): {bad.problem}{detail}"
            ) from bad
        if kind.base == "text":
            rows = _nul_rows(arr)
            if rows:
                raise FrameValidationError(
                    f"{spec.qualified_name}.{col.name}: Postgres text cannot hold NUL bytes (\\x00), found in "
                    f"rows {rows}; remove or replace them before writing"
                )
        arrays.append(arr)
    return pa.Table.from_arrays(
        arrays, schema=pa.schema([pa.field(n, a.type) for n, a in zip(names, arrays, strict=True)])
    )


# ---------------------------------------------------------------------------------------------
# Checks on keys and partitions


def _partition_kind(spec: TableSpec) -> PgType:
    assert spec.partition_column is not None
    kind = parse_pg_type(spec.column(spec.partition_column).pg_type)
    if kind.array or kind.base not in {"date", "text", *_INTS}:
        raise ValueError(f"{spec.qualified_name}: partition column type {kind.base} is not supported")
    return kind


def normalize_partition_values(spec: TableSpec, values: Sequence[Any]) -> list[Any]:
    """Partition values as the partition column's Python type (``"2026-03-23"`` -> a date)."""
    kind = _partition_kind(spec)
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
                f"{spec.qualified_name}: partition value {value!r} does not fit "
                f"{spec.partition_column} ({kind.base}): {exc}"
            ) from None
    return sorted(set(out))


def _literal(kind: PgType, value: Any) -> str:
    if kind.base == "date":
        return f"DATE {quote_literal(value.isoformat())}"
    if kind.base == "text":
        return quote_literal(value)
    return str(int(value))


def _partition_filter(spec: TableSpec, values: Sequence[Any]) -> str:
    kind = _partition_kind(spec)
    listed = ", ".join(_literal(kind, v) for v in values)
    return f"{quote_ident(spec.partition_column or '')} IN ({listed})"


def _check_partitions(spec: TableSpec, table: pa.Table, allowed: Sequence[Any]) -> None:
    if table.num_rows == 0:
        return
    column = table.column(spec.partition_column)
    inside = pc.fill_null(pc.is_in(column, value_set=pa.array(allowed, type=column.type)), False)
    if not pc.all(inside).as_py():
        outside = sorted({v for v in pc.filter(column, pc.invert(inside)).to_pylist()}, key=repr)
        raise FrameValidationError(
            f"{spec.qualified_name}: rows have {spec.partition_column} outside the partitions being "
            f"written {[str(v) for v in allowed]}: {[str(v) for v in outside[:10]]}"
        )


def _check_primary_key(spec: TableSpec, df: pd.DataFrame) -> None:
    if not spec.primary_key or df.empty:
        return
    keys = df[list(spec.primary_key)]
    dupes = keys.duplicated(keep=False)
    if dupes.any():
        examples = keys[dupes].drop_duplicates().head(5).to_dict("records")
        raise FrameValidationError(
            f"{spec.qualified_name}: {int(dupes.sum())} rows share a primary key "
            f"{list(spec.primary_key)}; examples: {examples}"
        )
    nulls = keys.isna().any(axis=1)
    if nulls.any():
        raise FrameValidationError(
            f"{spec.qualified_name}: {int(nulls.sum())} rows have a null primary key column; "
            f"examples: {keys[nulls].head(5).to_dict('records')}"
        )


# ---------------------------------------------------------------------------------------------
# Writes


def _connect(url: str) -> Any:
    try:
        return adbc.connect(url)
    except Exception as exc:
        raise ConnectionError(f"cannot connect to Postgres at {mask_url(url)}: {exc}") from exc


class _AdbcPool:
    """Idle ADBC connections kept per (process, URL).

    Opening an ADBC Postgres connection costs about 45 ms here (the driver loads the server's type
    catalogue), more than a small partition write itself; a run writing many outputs reuses them.
    A connection is only put back after a clean commit or rollback, never after an error, and
    never shared across a fork; it is pinged before reuse (well under a millisecond) so a server
    restart costs a reconnect, not a failed write.
    """

    max_idle = 4

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: dict[tuple[int, str], list[Any]] = {}

    def take(self, url: str) -> Any:
        key = (os.getpid(), url)
        while True:
            with self._lock:
                idle = self._idle.get(key)
                entry = idle.pop() if idle else None
            if entry is None:
                return _connect(url)
            conn = entry
            if self._alive(conn):
                return conn
            self._close(conn)

    def give_back(self, url: str, conn: Any) -> None:
        key = (os.getpid(), url)
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < self.max_idle:
                idle.append(conn)
                return
        self._close(conn)

    @staticmethod
    def _alive(conn: Any) -> bool:
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1")
                cur.fetchall()
            conn.rollback()
            return True
        except Exception:
            return False

    @staticmethod
    def _close(conn: Any) -> None:
        with suppress(Exception):
            conn.close()


_pool = _AdbcPool()


@contextmanager
def _connection(url: str) -> Iterator[Any]:
    """A pooled ADBC connection (autocommit off); returned to the pool only when left cleanly."""
    conn = _pool.take(url)
    try:
        yield conn
    except BaseException:
        _pool._close(conn)
        raise
    else:
        try:
            conn.rollback()
        except Exception:
            _pool._close(conn)
        else:
            _pool.give_back(url, conn)


def _merge_sql(spec: TableSpec, stage: str, mode: WriteMode) -> str:
    cols = ", ".join(quote_ident(c) for c in spec.column_names)
    insert = f"INSERT INTO {qualified(spec)} AS t ({cols}) SELECT {cols} FROM {quote_ident(stage)}"
    if not spec.primary_key:
        if mode == "upsert":
            raise ValueError(f"{spec.qualified_name}: upsert needs a primary key")
        return insert
    conflict = f" ON CONFLICT ({', '.join(quote_ident(c) for c in spec.primary_key)})"
    updates = []
    for name in spec.column_names:
        if name in spec.primary_key:
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


def _load(cur: Any, spec: TableSpec, table: pa.Table, mode: WriteMode, deleted_filter: str | None) -> int:
    """The statements of one write, inside the caller's transaction; returns rows deleted."""
    deleted = 0
    if mode in {"replace_partition", "replace_all"}:
        where = f" WHERE {deleted_filter}" if deleted_filter else ""
        cur.execute(f"DELETE FROM {qualified(spec)}{where}")
        deleted = max(cur.rowcount, 0)
        if table.num_rows:
            cur.adbc_ingest(spec.name, table, mode="append", db_schema_name=spec.schema)
        return deleted
    if table.num_rows:
        stage = f"_hippique_stage_{uuid.uuid4().hex[:12]}"
        cur.adbc_ingest(stage, table, mode="create", temporary=True)
        cur.execute(_merge_sql(spec, stage, mode))
        cur.execute(f"DROP TABLE {quote_ident(stage)}")
    return deleted


def write_frame(
    url: str, spec: TableSpec, df: pd.DataFrame, *, partition_values: Sequence[Any] | None = None
) -> WriteStats:
    """Write ``df`` into ``spec``'s table with the table's write mode, in one transaction.

    ``partition_values`` names the partitions being written (values of ``spec.partition_column``,
    e.g. dates or ``"2026-03-23"`` strings, or race keys): every row must belong to one of them,
    and ``replace_partition`` deletes exactly those partitions first, so an empty frame clears
    them. Without it, ``replace_partition`` replaces the partitions present in the frame (the
    whole table when the table has no partition column). The table is created or widened first.

    Raises :class:`FrameValidationError` before touching the database when the frame does not
    fit the declaration, and :class:`BulkWriteError` (table unchanged) when the database refuses.
    """
    started = time.perf_counter()
    mode: WriteMode = spec.write_mode
    if not isinstance(df, pd.DataFrame):
        raise FrameValidationError(
            f"{spec.qualified_name}: expected a pandas DataFrame, got {type(df).__name__}"
        )
    table = frame_to_arrow(spec, df)
    _check_primary_key(spec, df)
    part = spec.partition_column
    allowed = (
        normalize_partition_values(spec, partition_values) if part and partition_values is not None else None
    )
    if allowed is not None:
        _check_partitions(spec, table, allowed)
    deleted_filter: str | None = None
    if mode == "replace_partition" and part:
        targets = allowed if allowed is not None else sorted(set(table.column(part).to_pylist()) - {None})
        # An empty target list means an empty frame with no named partition: nothing to replace.
        deleted_filter = _partition_filter(spec, targets) if targets else "FALSE"
    with _connection(url) as conn, conn.cursor() as cur:
        ensure_table(conn, spec)
        conn.commit()
        try:
            deleted = _load(cur, spec, table, mode, deleted_filter)
            conn.commit()
        except Exception as exc:
            with suppress(Exception):
                conn.rollback()
            raise BulkWriteError(
                f"writing {table.num_rows} rows to {spec.qualified_name} ({mode}) at {mask_url(url)} "
                f"failed and was rolled back, the table is unchanged: {exc}"
            ) from exc
    return WriteStats(table.num_rows, time.perf_counter() - started, mode, spec.qualified_name, deleted)


# ---------------------------------------------------------------------------------------------
# Reads


def _select_expr(name: str, kind: PgType) -> str:
    q = quote_ident(name)
    if kind.base == "numeric":
        return f"{q}::float8{'[]' if kind.array else ''} AS {q}"
    return q


def _to_series(column: pa.ChunkedArray, kind: PgType) -> pd.Series:
    if kind.array:
        return pd.Series(column.to_pylist(), dtype="object")
    base = kind.base
    if base in _INTS:
        return column.cast(pa.int64()).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    if base == "boolean":
        return column.to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get)
    if base in _FLOATS:
        return column.to_pandas().astype("float64")
    if base == "timestamptz":
        return column.to_pandas().astype("datetime64[ns, UTC]")
    if base == "timestamp":
        return column.to_pandas().astype("datetime64[ns]")
    if base == "date":
        return pd.Series(column.to_pylist(), dtype="object")
    return column.to_pandas().astype("object")


def arrow_to_frame(spec: TableSpec, table: pa.Table, columns: Sequence[str]) -> pd.DataFrame:
    """An Arrow result as a frame with the declared dtypes (see the module doc)."""
    data = {}
    for name in columns:
        series = _to_series(table.column(name), parse_pg_type(spec.column(name).pg_type))
        data[name] = series.reset_index(drop=True)
    return pd.DataFrame(data, columns=list(columns), index=pd.RangeIndex(table.num_rows))


def read_frame(
    url: str,
    spec: TableSpec,
    *,
    partition_values: Sequence[Any] | None = None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Rows of ``spec``'s table as a frame with the declared dtypes, ordered by primary key.

    ``partition_values`` keeps only those partitions (values of the partition column; an empty
    list gives an empty frame); ``columns`` picks a subset of columns. Raises
    :class:`TableNotFoundError` when the table does not exist.
    """
    names = list(columns) if columns is not None else spec.column_names
    unknown = [n for n in names if n not in spec.column_names]
    if unknown:
        raise ValueError(f"{spec.qualified_name} has no columns {unknown}; declared: {spec.column_names}")
    where = ""
    if partition_values is not None:
        if not spec.partition_column:
            raise ValueError(
                f"{spec.qualified_name} is not partitioned; cannot filter by {partition_values!r}"
            )
        values = normalize_partition_values(spec, partition_values)
        where = f" WHERE {_partition_filter(spec, values)}" if values else " WHERE FALSE"
    select = ", ".join(_select_expr(n, parse_pg_type(spec.column(n).pg_type)) for n in names)
    order = f" ORDER BY {', '.join(quote_ident(c) for c in spec.primary_key)}" if spec.primary_key else ""
    sql = f"SELECT {select} FROM {qualified(spec)}{where}{order}"
    with _connection(url) as conn, conn.cursor() as cur:
        try:
            cur.execute(sql)
        except Exception as exc:
            if getattr(exc, "sqlstate", None) == "42P01":
                raise TableNotFoundError(
                    f"table {spec.qualified_name} does not exist at {mask_url(url)}: "
                    "materialize the asset that writes it first"
                ) from exc
            raise
        result = cur.fetch_arrow_table()
    return arrow_to_frame(spec, result, names)
