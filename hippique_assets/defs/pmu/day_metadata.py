"""Per-day figures on the materializations of the ingestion assets.

A run may take several days (a backfill chunk); each day's materialization gets that day's own
figures, never the run's totals.
"""

from collections.abc import Callable, Sequence
from datetime import date

import pandas as pd
from dagster import AssetExecutionContext, AssetKey, MetadataValue


def add_day_metadata(
    context: AssetExecutionContext,
    asset: str | AssetKey,
    days: Sequence[date],
    metadata_of: Callable[[date], dict[str, object]],
) -> None:
    """Each day's own figures on that day's materialization: a run over several days (a backfill
    chunk) would otherwise show its totals on every day."""
    for day in days:
        context.add_asset_metadata(metadata_of(day), asset_key=asset, partition_key=day.isoformat())


def day_rows(frame: pd.DataFrame, day: date, column: str = "race_date") -> pd.DataFrame:
    """The rows of ``frame`` dated ``day`` in ``column``."""
    if frame.empty:
        return frame
    return frame[(pd.to_datetime(frame[column]).dt.date == day).to_numpy(dtype=bool)]


def preview(frame: pd.DataFrame, rows: int = 10) -> MetadataValue:
    """The first rows as a markdown table."""
    return MetadataValue.md(frame.head(rows).to_markdown(index=False) if not frame.empty else "_no rows_")
