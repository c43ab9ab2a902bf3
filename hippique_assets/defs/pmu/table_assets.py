"""The table assets: one per ingested endpoint, built from its record, parsing the landed answers
into its ``pmu`` tables (one Dagster asset per table).

A race or runner whose values break their rules is left out and named in ``ingest_gaps``; units
stored earlier but missing from a new answer keep their stored rows. A table whose rows outlive
their day (``TableSpec.day_column``: horses, past races) holds one row per key across the days of
a run, dated by its last day.
"""

from collections.abc import Iterator, Sequence
from datetime import date

import pandas as pd
from dagster import AssetExecutionContext, AssetIn, AssetsDefinition, Output, multi_asset

from hippique_assets.defs.partitions import DAILY_BACKFILL, daily_partitions, partition_days
from hippique_assets.defs.pmu.day_metadata import add_day_metadata, day_rows, preview
from hippique_assets.defs.pmu.parse_days import parse_days, rejection_note
from hippique_assets.defs.pmu.table_hooks import TableHooks
from hippique_assets.lib.table_assets import table_out
from hippique_assets.lib.table_checks import table_check_results, table_check_specs
from hippique_assets.pmu.endpoints import PmuEndpoint, TableSpec
from hippique_assets.storage.files import FilesResource
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets.storage.tables import primary_key, references

TABLE_GROUP = "pmu"


def _day_column(spec: TableSpec) -> str:
    return spec.day_column or "race_date"


def referenced_first(specs: Sequence[TableSpec]) -> list[TableSpec]:
    """The tables in declared order, except that a table comes after those of ``specs`` it
    references: its reference checks read them stored (horses before participants)."""
    ordered: list[TableSpec] = []
    pending = list(specs)
    while pending:
        waiting = {spec.table.fullname for spec in pending}
        ready = [
            spec
            for spec in pending
            if not any(r.ref_table in waiting - {spec.table.fullname} for r in references(spec.table))
        ]
        ordered.append((ready or pending)[0])  # a circle of references keeps the declared order
        pending.remove(ordered[-1])
    return ordered


def table_asset(endpoint: PmuEndpoint, hooks: TableHooks = TableHooks()) -> AssetsDefinition:  # noqa: B008 - frozen
    """The asset parsing ``endpoint``'s landed answers into its tables, after ``raw_<endpoint>``."""
    names = endpoint.table_assets
    specs = [
        *(
            check
            for spec in endpoint.tables
            for check in table_check_specs(spec.table.name, spec.table, non_empty=spec.day_column is None)
        ),
        *hooks.check_specs,
    ]

    @multi_asset(
        name=endpoint.name,
        outs={
            spec.table.name: table_out(
                spec.table,
                group=TABLE_GROUP,
                typed=True,
                description=spec.description,
                day_column=spec.day_column,
            )
            for spec in endpoint.tables
        },
        ins={name: AssetIn(name) for name in hooks.inputs},
        deps=[endpoint.raw_asset],
        partitions_def=daily_partitions,
        backfill_policy=DAILY_BACKFILL,
        check_specs=specs,
        description=f"Parse the landed {endpoint.name} answers into {', '.join(f'pmu.{n}' for n in names)}.",
    )
    def parse_tables(
        context: AssetExecutionContext,
        files: FilesResource,
        postgres: PostgresResource,
        **inputs: pd.DataFrame,
    ) -> Iterator:
        days = partition_days(context)
        row_kwargs = hooks.row_kwargs(inputs) if hooks.row_kwargs is not None else None
        parsed = parse_days(files, postgres, days, endpoint, row_kwargs)
        frames = parsed.frames
        for spec in endpoint.tables:
            if spec.day_column is not None:
                # A unit seen on several days of the run is one row, dated (and counted) by its last day.
                frames[spec.table] = frames[spec.table].drop_duplicates(
                    subset=list(primary_key(spec.table)), keep="last"
                )
        counts = ", ".join(f"{len(frames[spec.table])} {spec.label}" for spec in endpoint.tables)
        context.log.info(f"{endpoint.name}: {counts} over {len(days)} day(s)")
        note = rejection_note(context, parsed.batch, parsed.payloads)
        first_table = endpoint.tables[0].table
        for spec in referenced_first(endpoint.tables):
            frame = frames[spec.table]

            def day_metadata(
                day: date,
                frame: pd.DataFrame = frame,
                spec: TableSpec = spec,
                first: bool = spec.table is first_table,
            ) -> dict[str, object]:
                rows = day_rows(frame, day, _day_column(spec))
                return {spec.label: len(rows), "preview": preview(rows), **(note(day) if first else {})}

            add_day_metadata(context, spec.table.name, days, day_metadata)
            yield Output(frame, output_name=spec.table.name)
            if spec.day_column is None:
                yield from table_check_results(
                    postgres, spec.table.name, spec.table, days, days_with_data=parsed.with_data
                )
            else:
                yield from table_check_results(
                    postgres, spec.table.name, spec.table, days, scope_column=spec.day_column
                )
        if hooks.checks is not None:
            yield from hooks.checks(inputs, frames)

    return parse_tables
