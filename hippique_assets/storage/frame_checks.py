"""Checks on a frame's keys and partitions before it is written, and the SQL that selects partitions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Table

from hippique_assets.storage.connection import quote_ident, quote_literal
from hippique_assets.storage.errors import FrameValidationError
from hippique_assets.storage.tables import kind_of, partition_column, primary_key
from hippique_assets.storage.types import ColumnType


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


def check_partitions(table: Table, arrow: pa.Table, allowed: Sequence[Any]) -> None:
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


def key_frame(table: Table, df: pd.DataFrame) -> pd.DataFrame:
    """The primary key columns of ``df``, array cells as tuples (lists cannot be hashed, so a key
    with an array column could not be compared otherwise)."""
    key = list(primary_key(table))
    arrays = {c: df[c].map(_as_tuple) for c in key if kind_of(table, c).array}
    return df[key].assign(**arrays) if arrays else df[key]


def _as_tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list | tuple | np.ndarray) else value


def check_primary_key(table: Table, df: pd.DataFrame) -> None:
    key = list(primary_key(table))
    if not key or df.empty:
        return
    keys = key_frame(table, df)
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
