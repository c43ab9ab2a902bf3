"""What every asset stored in a Postgres table declares: the table it writes (for the IO manager)
and the table's columns, types and descriptions (shown in the UI as its schema)."""

from typing import Any

from dagster import AssetKey, AssetOut, MetadataValue, TableColumn, TableColumnConstraints, TableSchema
from sqlalchemy import Table

from hippique_assets.lib.frame_types import frame_type
from hippique_assets.storage.io_manager import DAY_COLUMN_KEY, TABLE_KEY
from hippique_assets.storage.tables import unique_keys
from hippique_assets.storage.types import column_type

PG_IO_MANAGER = "pg_io_manager"


def table_schema(table: Table) -> TableSchema:
    """The declared columns as Dagster's table schema: Postgres type, description, constraints."""
    unique = {key[0] for key in unique_keys(table) if len(key) == 1}
    pk = [c.name for c in table.primary_key.columns]
    return TableSchema(
        columns=[
            TableColumn(
                name=column.name,
                type=column_type(column.type).pg_name,
                description=column.comment,
                constraints=TableColumnConstraints(
                    nullable=bool(column.nullable),
                    unique=column.name in unique or pk == [column.name],
                ),
            )
            for column in table.columns
        ]
    )


def table_metadata(table: Table, *, day_column: str | None = None) -> dict[str, Any]:
    """Definition metadata of an asset stored in ``table``; ``day_column`` dates the rows of a
    table without a partition column, so that a run over several days counts each day's rows."""
    metadata: dict[str, Any] = {
        TABLE_KEY: table.fullname,
        # Dagster's own keys: the UI shows the table's name and columns on the asset's page.
        "dagster/table_name": table.fullname,
        "dagster/column_schema": MetadataValue.table_schema(table_schema(table)),
    }
    if day_column is not None:
        if day_column not in table.columns:
            raise ValueError(f"{table.fullname} has no column {day_column!r} to date its rows by")
        metadata[DAY_COLUMN_KEY] = day_column
    return metadata


def table_out(
    table: Table,
    *,
    group: str,
    description: str | None = None,
    typed: bool = False,
    day_column: str | None = None,
    **kwargs: Any,
) -> AssetOut:
    """The output of a multi-asset stored in ``table`` (asset key = table name); ``typed`` checks the
    frame against the table's declaration (:func:`hippique_assets.lib.frame_types.frame_type`),
    ``day_column`` is as for :func:`table_metadata`."""
    if typed:
        kwargs["dagster_type"] = frame_type(table)
    return AssetOut(
        key=AssetKey(table.name) if "key" not in kwargs else kwargs.pop("key"),
        io_manager_key=PG_IO_MANAGER,
        metadata=table_metadata(table, day_column=day_column),
        description=description or table.comment,
        group_name=group,
        kinds=kwargs.pop("kinds", {"postgres", "pandas"}),
        **kwargs,
    )
