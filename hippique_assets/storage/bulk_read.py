"""Bulk reads of declared Postgres tables as pandas frames with the declared dtypes (through ADBC
and Arrow; see :mod:`hippique_assets.storage.arrow_frames` for the dtypes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Table

from hippique_assets.storage.adbc_pool import UNDEFINED_TABLE, adbc_connection, missing_table
from hippique_assets.storage.arrow_frames import arrow_to_frame
from hippique_assets.storage.connection import qualified, quote_ident
from hippique_assets.storage.errors import TableNotFoundError
from hippique_assets.storage.frame_checks import normalize_partition_values, partition_filter
from hippique_assets.storage.tables import column_names, kind_of, partition_column, primary_key
from hippique_assets.storage.types import ColumnType, column_type


def _select_expr(name: str, kind: ColumnType) -> str:
    q = quote_ident(name)
    if kind.base == "numeric":
        return f"{q}::float8{'[]' if kind.array else ''} AS {q}"
    return q


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
    with adbc_connection(url) as conn, conn.cursor() as cur:
        try:
            cur.execute(sql)
        except Exception as exc:
            if getattr(exc, "sqlstate", None) == UNDEFINED_TABLE:
                raise TableNotFoundError(missing_table(table, url)) from exc
            raise
        result = cur.fetch_arrow_table()
    return arrow_to_frame(table, result, names)


def pandas_dtype(sa_type: Any) -> str:
    """The pandas dtype :func:`read_frame` returns for a declared column type."""
    return column_type(sa_type).pandas_dtype
