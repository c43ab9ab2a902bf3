"""The Postgres IO manager: pandas frames in and out of declared tables.

An asset opts in with ``io_manager_key`` and names its table in its metadata::

    @asset(partitions_def=daily_partitions, io_manager_key="pg_io_manager",
           metadata={"hippique/table": "pmu.races"})

Writing follows the table's write mode (see :mod:`hippique_assets.storage.bulk_write`), for the
partitions of the run: a daily key ``2026-03-23`` is a ``date`` for a date partition column, a
race key ``2026-03-23-R1C4`` is text. Reading returns the upstream table's rows for the partitions
Dagster maps to the input; a per-race asset reading a daily table (typically through
``AllPartitionMapping``, as Dagster has no race-to-day mapping) gets its race's day.
"""

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd
from dagster import (
    ConfigurableIOManager,
    DagsterInvariantViolationError,
    InputContext,
    MetadataValue,
    OutputContext,
    ResourceDependency,
)
from sqlalchemy import Table

from hippique_assets.catalog import get_table
from hippique_assets.racing.keys import parse_race_key
from hippique_assets.storage.bulk_read import read_frame
from hippique_assets.storage.bulk_write import WriteStats, write_frame
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets.storage.tables import kind_of, partition_column, write_mode

if TYPE_CHECKING:
    from dagster._core.execution.context.system import StepExecutionContext

TABLE_KEY = "hippique/table"
"""Asset/output metadata key naming the table, e.g. ``"pmu.races"``."""

DAY_COLUMN_KEY = "hippique/day_column"
"""Asset/output metadata key naming the column that dates a row of a table without a partition
column (``pmu.horses``: ``last_seen``): a run over several days counts each day's rows by it."""

PREVIEW_ROWS = 5
PREVIEW_COLUMNS = 12


class TableMetadataError(ValueError):
    """An asset handled by the Postgres IO manager without a valid ``hippique/table`` metadata."""


def table_spec_from_metadata(metadata: Mapping[str, Any] | None, what: str) -> Table:
    """The declared table named by ``hippique/table`` in ``metadata`` (``what`` names the asset)."""
    raw = (metadata or {}).get(TABLE_KEY)
    name = getattr(raw, "value", raw)  # definition metadata may hold a TextMetadataValue
    if not isinstance(name, str) or not name:
        raise TableMetadataError(
            f"{what} uses the Postgres IO manager but has no {TABLE_KEY!r} metadata naming its table "
            f"(e.g. metadata={{'{TABLE_KEY}': 'pmu.races'}})"
        )
    try:
        return get_table(name)
    except KeyError as exc:
        raise TableMetadataError(f"{what}: {exc.args[0]}") from None


def _is_date_key(key: str) -> bool:
    try:
        date.fromisoformat(key)
    except ValueError:
        return False
    return True


def _race_date(key: str) -> date | None:
    try:
        return parse_race_key(key).race_date
    except ValueError:
        return None


def partition_values_for_keys(spec: Table, keys: Sequence[str], *, what: str) -> list[Any]:
    """Dagster partition keys as values of ``spec``'s partition column.

    A date column takes daily keys (``2026-03-23``); a text column takes keys verbatim (race keys).
    Anything else raises ValueError naming the asset, the table and the key.
    """
    column = partition_column(spec)
    if column is None:
        raise ValueError(f"{what}: table {spec.fullname} has no partition column")
    kind = kind_of(spec, column)
    if kind.base == "date":
        bad = [k for k in keys if not _is_date_key(k)]
        if bad:
            raise ValueError(
                f"{what}: table {spec.fullname} is partitioned by day ({column}) but the asset's "
                f"partition keys are not dates: {bad[:5]}"
            )
        return [date.fromisoformat(k) for k in keys]
    return list(keys)


def frame_preview(df: pd.DataFrame, rows: int = PREVIEW_ROWS, columns: int = PREVIEW_COLUMNS) -> str:
    """The first rows and columns of a frame as a Markdown table."""
    if df.empty:
        return "_no rows_"
    shown = df.iloc[:rows, :columns]
    text = shown.to_markdown(index=False)
    if df.shape[1] > columns:
        text += f"\n\n_{df.shape[1] - columns} more columns_"
    return text


class PostgresPandasIOManager(ConfigurableIOManager):
    """Stores pandas DataFrames in the declared Postgres table named by ``hippique/table``."""

    postgres: ResourceDependency[PostgresResource]

    def handle_output(self, context: OutputContext, obj: pd.DataFrame | None) -> None:
        """Write ``obj`` for the run's partitions and record rows, table, timing and a preview.

        A run over several partitions (a backfill chunk) records each partition's own rows and
        preview on that partition's materialization; the write's time is the run's (``run_seconds``).
        """
        what = _describe(context)
        if obj is None:
            context.log.info(f"{what}: no frame returned (None), nothing written")
            return
        if not isinstance(obj, pd.DataFrame):
            raise TypeError(
                f"{what}: the Postgres IO manager stores pandas DataFrames, got {type(obj).__name__}"
            )
        spec = table_spec_from_metadata(context.definition_metadata, what)
        partition_values = self._output_partitions(context, spec, what)
        stats = write_frame(self.postgres.get_url(), spec, obj, partition_values=partition_values)
        # The materialization's metadata carries the same figures: kept out of the run's log events.
        context.log.debug(
            f"{what}: {stats.mode} {stats.rows} rows into {stats.table} in {stats.seconds:.3f} s"
            + (f" (replaced {stats.deleted})" if stats.deleted else "")
        )
        keys = list(context.asset_partition_keys) if context.has_asset_partitions else []
        step = _step_context(context)
        if len(keys) <= 1:
            metadata: dict[str, Any] = {
                "table": MetadataValue.text(stats.table),
                "rows": MetadataValue.int(stats.rows),
                "seconds": MetadataValue.float(round(stats.seconds, 4)),
                "write_mode": MetadataValue.text(stats.mode),
                "dagster/row_count": MetadataValue.int(stats.rows),
            }
            if not _has_preview(context, step, keys[0] if keys else None):
                metadata["preview"] = MetadataValue.md(frame_preview(obj))
            context.add_output_metadata(metadata)
            return
        # Output metadata lands on every partition's materialization: only what is the run's.
        context.add_output_metadata(_run_metadata(stats))
        by_key = rows_by_partition(spec, obj, keys, context.definition_metadata)
        if step is None or by_key is None:
            context.log.debug(f"{what}: no per-partition row counts (no step context or no day column)")
            return
        for key, rows in by_key.items():
            per_key: dict[str, Any] = {
                "rows": MetadataValue.int(len(rows)),
                "dagster/row_count": MetadataValue.int(len(rows)),
            }
            if not _has_preview(context, step, key):
                per_key["preview"] = MetadataValue.md(frame_preview(rows))
            step.add_asset_metadata(per_key, asset_key=context.asset_key, partition_key=key)

    @staticmethod
    def _output_partitions(context: OutputContext, spec: Table, what: str) -> list[Any] | None:
        if not context.has_asset_partitions:
            return None
        if partition_column(spec) is None:
            if write_mode(spec) in {"replace_partition", "replace_all"}:
                raise ValueError(
                    f"{what} is partitioned but table {spec.fullname} ({write_mode(spec)}) has no "
                    "partition column: each partition would replace the whole table"
                )
            return None
        return partition_values_for_keys(spec, context.asset_partition_keys, what=what)

    def load_input(self, context: InputContext) -> pd.DataFrame:
        """The upstream table's rows for the input's partitions (all rows when unpartitioned)."""
        upstream = context.upstream_output
        what = _describe(context)
        metadata = upstream.definition_metadata if upstream is not None else None
        if not (metadata or {}).get(TABLE_KEY):
            metadata = context.definition_metadata
        spec = table_spec_from_metadata(metadata, what)
        partition_values = self._input_partitions(context, spec, what)
        frame = read_frame(self.postgres.get_url(), spec, partition_values=partition_values)
        scope = "all partitions" if partition_values is None else f"{len(partition_values)} partition(s)"
        context.log.debug(f"{what}: read {len(frame)} rows of {spec.fullname} ({scope})")
        return frame

    @staticmethod
    def _input_partitions(context: InputContext, spec: Table, what: str) -> list[Any] | None:
        if not context.has_asset_partitions or partition_column(spec) is None:
            return None
        keys = list(context.asset_partition_keys)
        kind = kind_of(spec, partition_column(spec) or "")
        own_key = context.partition_key if context.has_partition_key else None
        race_day = _race_date(own_key) if own_key else None
        # A per-race asset reading a daily table: Dagster maps every day to it (AllPartitionMapping)
        # or keys that are not days; the race's own day is the slice it needs.
        if (
            kind.base == "date"
            and race_day is not None
            and (race_day.isoformat() in keys or not all(_is_date_key(k) for k in keys))
        ):
            return [race_day]
        return partition_values_for_keys(spec, keys, what=what)


def rows_by_partition(
    spec: Table, frame: pd.DataFrame, keys: Sequence[str], definition_metadata: Mapping[str, Any] | None
) -> dict[str, pd.DataFrame] | None:
    """``frame``'s rows of each partition key, dated by the table's partition column (or, for a
    table without one, the column named by ``hippique/day_column``); None when no column dates them.
    """
    raw = (definition_metadata or {}).get(DAY_COLUMN_KEY)
    column = partition_column(spec) or getattr(raw, "value", raw)
    if not isinstance(column, str) or column not in frame.columns:
        return None
    if kind_of(spec, column).base == "date":
        labels = pd.to_datetime(frame[column], errors="coerce").dt.strftime("%Y-%m-%d")
    else:
        labels = frame[column].astype("string")
    return {key: frame[(labels == key).fillna(False).to_numpy(dtype=bool)] for key in keys}


def _run_metadata(stats: WriteStats) -> dict[str, Any]:
    """What a write over several partitions records about the whole run, labelled as the run's."""
    return {
        "table": MetadataValue.text(stats.table),
        "write_mode": MetadataValue.text(stats.mode),
        "run_rows": MetadataValue.int(stats.rows),
        "run_seconds": MetadataValue.float(round(stats.seconds, 4)),
    }


def _step_context(context: OutputContext) -> "StepExecutionContext | None":
    """The step writing the output, whose asset metadata Dagster puts on each partition's
    materialization (``OutputContext`` has no per-partition metadata of its own)."""
    try:
        return context.step_context
    except DagsterInvariantViolationError:
        return None


def _has_preview(context: OutputContext, step: "StepExecutionContext | None", key: str | None) -> bool:
    """Whether the asset gave its own preview: on its output, for the run, or for partition ``key``."""
    if "preview" in (context.output_metadata or {}):
        return True
    if step is None or not context.has_asset_key:
        return False
    return any(
        "preview" in (step.get_asset_metadata(context.asset_key, scope) or {}) for scope in {None, key}
    )


def _describe(context: InputContext | OutputContext) -> str:
    if context.has_asset_key:
        return f"asset {context.asset_key.to_user_string()}"
    return f"output {context.name}"
