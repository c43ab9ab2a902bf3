"""Bulk writes of pandas frames into declared Postgres tables (no Dagster here).

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

The frame is checked and converted first (:mod:`hippique_assets.storage.arrow_frames`,
:mod:`hippique_assets.storage.frame_checks`): a frame that does not fit is refused before the
database is touched.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow as pa
from sqlalchemy import Table

from hippique_assets.storage.adbc_pool import UNDEFINED_TABLE, adbc_connection, missing_table
from hippique_assets.storage.arrow_frames import frame_to_arrow
from hippique_assets.storage.connection import qualified, quote_ident, quote_literal
from hippique_assets.storage.errors import BulkWriteError, FrameValidationError, TableNotFoundError
from hippique_assets.storage.frame_checks import (
    check_partitions,
    check_primary_key,
    normalize_partition_values,
    partition_filter,
)
from hippique_assets.storage.masking import mask_url, redact
from hippique_assets.storage.tables import WriteMode, column_names, partition_column, primary_key, write_mode


@dataclass(frozen=True)
class WriteStats:
    """What a write did: rows written, wall time, mode, table and rows deleted before loading."""

    rows: int
    seconds: float
    mode: WriteMode
    table: str
    deleted: int = 0


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
    check_primary_key(table, df)
    part = partition_column(table)
    allowed = (
        normalize_partition_values(table, partition_values) if part and partition_values is not None else None
    )
    if allowed is not None:
        check_partitions(table, arrow, allowed)
    deleted_filter: str | None = None
    if mode == "replace_partition" and part:
        targets = allowed if allowed is not None else sorted(set(arrow.column(part).to_pylist()) - {None})
        # An empty target list means an empty frame with no named partition: nothing to replace.
        deleted_filter = partition_filter(table, targets) if targets else "FALSE"
    lock_keys = _lock_keys(table, mode, arrow, allowed)
    with adbc_connection(url) as conn, conn.cursor() as cur:
        try:
            deleted = _load(cur, table, arrow, mode, deleted_filter, lock_keys)
            conn.commit()
        except Exception as exc:
            with suppress(Exception):
                conn.rollback()
            if getattr(exc, "sqlstate", None) == UNDEFINED_TABLE:
                raise TableNotFoundError(missing_table(table, url)) from exc
            raise BulkWriteError(
                f"writing {arrow.num_rows} rows to {table.fullname} ({mode}) at {mask_url(url)} "
                f"failed and was rolled back, the table is unchanged: {redact(str(exc), url)}"
            ) from None
    return WriteStats(arrow.num_rows, time.perf_counter() - started, mode, table.fullname, deleted)
