"""Partitions: one per Europe/Paris racing day, and one per race registered from the plan."""

import warnings
from datetime import date

from dagster import (
    AllPartitionMapping,
    AssetDep,
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    BetaWarning,
    DailyPartitionsDefinition,
    DynamicPartitionsDefinition,
)

# PMU's turfinfo archive answers from 2013; end_offset=1 makes today's partition exist on race day.
daily_partitions = DailyPartitionsDefinition(start_date="2013-02-20", timezone="Europe/Paris", end_offset=1)

# Daily assets take several days per run: a season backfill runs this many days at a time, paying
# the process start and each table's load once per chunk; a failure costs at most a month.
DAILY_BACKFILL = BackfillPolicy.multi_run(max_partitions_per_run=31)
# Dagster marks the asset parameter as beta; the commands would print that on every start.
warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=BetaWarning)


def partition_days(context: AssetExecutionContext) -> list[date]:
    """The racing days a daily run covers: its partition, or every day of a backfill chunk."""
    return [date.fromisoformat(key) for key in context.partition_keys]


RACES_PARTITIONS_NAME = "races"
race_partitions = DynamicPartitionsDefinition(name=RACES_PARTITIONS_NAME)


def across_days(key: str) -> AssetDep:
    """A dependency between a daily asset and a per-race one.

    A race key (``2026-03-23-R1C4``) belongs to one day, but Dagster has no partition mapping from
    dynamic keys to time windows, so the edge is declared over all partitions; the assets read only
    their day's or their race's rows.
    """
    return AssetDep(AssetKey(key), partition_mapping=AllPartitionMapping())
