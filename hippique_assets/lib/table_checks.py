"""Asset checks derived from table declarations, run on the rows a run just stored.

Each table asset declares these checks with :func:`table_check_specs` and yields their results
with :func:`table_check_results` right after its output is stored. Every query is scoped to what
the run wrote (its days, or for tables shared by all days the rows it touched), so a check costs
the same on the first day of a season as on the last.

Duplicated keys are not checked: the primary key and the partition replace make them impossible.
"""

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey, MetadataValue
from sqlalchemy import Table

from hippique_assets.catalog import get_table
from hippique_assets.storage.postgres import PostgresResource, qualified, quote_ident
from hippique_assets.storage.tables import References, partition_column, references


def _fk_check_name(fk: References) -> str:
    return "references_" + fk.ref_table.split(".")[-1]


def table_check_specs(
    asset_key: AssetKey | str, table: Table, *, non_empty: bool = True
) -> list[AssetCheckSpec]:
    key = AssetKey.from_coercible(asset_key)
    specs = []
    if non_empty:
        specs.append(
            AssetCheckSpec(
                "non_empty",
                asset=key,
                description="Every day whose source answered with data has rows.",
            )
        )
    specs.extend(
        AssetCheckSpec(
            _fk_check_name(fk),
            asset=key,
            description=f"Every ({', '.join(fk.columns)}) resolves in {fk.ref_table}.",
        )
        for fk in references(table)
    )
    return specs


def _scope(table: Table, scope_column: str | None) -> str:
    column = scope_column or partition_column(table)
    if column is None:
        raise ValueError(f"{table.fullname}: checks need a partition column or a scope column")
    return column


def table_check_results(
    postgres: PostgresResource,
    asset_key: AssetKey | str,
    table: Table,
    days: Sequence[date],
    *,
    days_with_data: Sequence[date] | None = None,
    scope_column: str | None = None,
) -> Iterator[AssetCheckResult]:
    """Evaluate the checks of :func:`table_check_specs` on the rows of ``days``.

    ``scope_column`` names the date column that says which rows this run touched, for tables not
    partitioned by day (horses: ``last_seen``); ``days_with_data`` are the days whose source
    answered with data (the non-empty check is only evaluated when it is given).
    """
    key = AssetKey.from_coercible(asset_key)
    column = quote_ident(_scope(table, scope_column))
    params: dict[str, Any] = {"days": list(days)}
    with postgres.connection() as conn, conn.cursor() as cur:
        if days_with_data is not None:
            cur.execute(
                f"SELECT {column}, count(*) FROM {qualified(table)} WHERE {column} = ANY(%(days)s) GROUP BY 1",
                params,
            )
            counts = {row[0]: int(row[1]) for row in cur.fetchall()}
            empty = [d.isoformat() for d in days_with_data if not counts.get(d)]
            yield AssetCheckResult(
                asset_key=key,
                check_name="non_empty",
                passed=not empty,
                metadata={
                    "rows": sum(counts.values()),
                    "days": len(days),
                    "empty_days_with_data": MetadataValue.json(empty[:50]),
                },
                description="the source answered with data but these days have no rows" if empty else None,
            )
        for fk in references(table):
            ref = get_table(fk.ref_table)
            join = " AND ".join(
                f"r.{quote_ident(rc)} = t.{quote_ident(cc)}"
                for cc, rc in zip(fk.columns, fk.ref_columns, strict=True)
            )
            not_null = " AND ".join(f"t.{quote_ident(c)} IS NOT NULL" for c in fk.columns)
            cols = ", ".join(f"t.{quote_ident(c)}" for c in fk.columns)
            cur.execute(
                f"SELECT DISTINCT {cols} FROM {qualified(table)} t WHERE t.{column} = ANY(%(days)s) AND {not_null} "
                f"AND NOT EXISTS (SELECT 1 FROM {qualified(ref)} r WHERE {join}) LIMIT 20",
                params,
            )
            missing = cur.fetchall()
            yield AssetCheckResult(
                asset_key=key,
                check_name=_fk_check_name(fk),
                passed=not missing,
                severity=AssetCheckSeverity.ERROR,
                metadata={"missing_examples": MetadataValue.json([list(map(str, m)) for m in missing])},
            )
