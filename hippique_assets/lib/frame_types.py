"""The Dagster type of each table asset's DataFrame, from the table's declaration (dagster-pandas).

Dagster checks every output against it before storing it: exactly the declared columns in the
declared order, each with its declared dtype, no null in a non-nullable column. The UI shows the
type with its columns, and each materialization carries a few summary statistics of the frame.
"""

import warnings
from functools import cache

import pandas as pd
from dagster import BetaWarning, DagsterType, MetadataValue
from dagster_pandas import PandasColumn, create_dagster_pandas_dataframe_type
from dagster_pandas.constraints import (
    ColumnDTypeInSetConstraint,
    NonNullableColumnConstraint,
    StrictColumnsConstraint,
)
from sqlalchemy import Table

from hippique_assets.storage.tables import column_names, partition_column
from hippique_assets.storage.types import column_type


def _summary(frame: pd.DataFrame, table: Table) -> dict[str, MetadataValue]:
    part = partition_column(table)
    nulls = {str(c): int(n) for c, n in frame.isna().sum().items() if n}
    stats: dict[str, MetadataValue] = {
        "frame_rows": MetadataValue.int(len(frame)),
        "null_cells": MetadataValue.json(dict(sorted(nulls.items(), key=lambda kv: -kv[1])[:10])),
    }
    if part and part in frame and not frame.empty:
        stats["partitions"] = MetadataValue.int(int(frame[part].nunique()))
    return stats


@cache
def frame_type(table: Table) -> DagsterType:
    """The DataFrame type of the assets stored in ``table``."""
    with warnings.catch_warnings():
        # dagster-pandas marks these helpers beta; the pinned version is what is tested here.
        warnings.simplefilter("ignore", BetaWarning)
        return _frame_type(table)


def _frame_type(table: Table) -> DagsterType:
    columns = [
        PandasColumn(
            column.name,
            constraints=[
                ColumnDTypeInSetConstraint({column_type(column.type).pandas_dtype}),
                *([] if column.nullable else [NonNullableColumnConstraint()]),
            ],
        )
        for column in table.columns
    ]
    return create_dagster_pandas_dataframe_type(
        name=f"{table.schema}_{table.name}_frame",
        description=f"Rows of {table.fullname}: {table.comment or ''}",
        columns=columns,
        dataframe_constraints=[StrictColumnsConstraint(column_names(table), enforce_ordering=True)],
        metadata_fn=lambda frame: _summary(frame, table),
    )
