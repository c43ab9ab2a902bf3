"""Asset checks derived from table declarations, run on the rows just stored in Postgres.

Each table asset declares these checks with :func:`table_check_specs` and yields their results
with :func:`table_check_results` right after its output is stored, so a check always looks at the
partition that the run wrote.
"""

from collections.abc import Iterator
from typing import Any

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey, MetadataValue
from sqlalchemy import Table

from hippique_assets.catalog import get_table
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets.storage.tables import References, partition_column, primary_key, references


def _fk_check_name(fk: References) -> str:
    return "references_" + fk.ref_table.split(".")[-1]


def table_check_specs(
    asset_key: AssetKey | str, spec: Table, *, non_empty: bool = True
) -> list[AssetCheckSpec]:
    key = AssetKey.from_coercible(asset_key)
    specs = [
        AssetCheckSpec(
            "unique_key",
            asset=key,
            description=f"No two rows of {spec.fullname} share the key ({', '.join(primary_key(spec))}).",
        )
    ]
    if non_empty:
        specs.append(
            AssetCheckSpec(
                "non_empty",
                asset=key,
                description="The partition has rows whenever the source answered with data.",
            )
        )
    specs.extend(
        AssetCheckSpec(
            _fk_check_name(fk),
            asset=key,
            description=f"Every ({', '.join(fk.columns)}) resolves in {fk.ref_table}.",
        )
        for fk in references(spec)
    )
    return specs


def _partition_filter(spec: Table, partition_value: Any | None, alias: str) -> tuple[str, list[Any]]:
    if partition_value is None or partition_column(spec) is None:
        return "TRUE", []
    return f"{alias}.{partition_column(spec)} = %s", [partition_value]


def table_check_results(
    postgres: PostgresResource,
    asset_key: AssetKey | str,
    spec: Table,
    partition_value: Any | None,
    *,
    source_had_data: bool | None = None,
) -> Iterator[AssetCheckResult]:
    """Evaluate the checks declared by :func:`table_check_specs` against the stored rows."""
    key = AssetKey.from_coercible(asset_key)
    where, params = _partition_filter(spec, partition_value, "t")
    pk = ", ".join(primary_key(spec))
    with postgres.connection() as conn, conn.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {spec.fullname} t WHERE {where}", params)
        rows = int(cur.fetchone()[0])
        cur.execute(
            f"SELECT {pk}, count(*) FROM {spec.fullname} t WHERE {where} "
            f"GROUP BY {pk} HAVING count(*) > 1 LIMIT 10",
            params,
        )
        duplicates = cur.fetchall()
        yield AssetCheckResult(
            asset_key=key,
            check_name="unique_key",
            passed=not duplicates,
            metadata={
                "rows": rows,
                "duplicate_examples": MetadataValue.json([list(map(str, d)) for d in duplicates]),
            },
        )
        if source_had_data is not None:
            yield AssetCheckResult(
                asset_key=key,
                check_name="non_empty",
                passed=rows > 0 or not source_had_data,
                metadata={"rows": rows, "source_had_data": source_had_data},
                description=None
                if rows or not source_had_data
                else "the source answered with data, table is empty",
            )
        for fk in references(spec):
            ref = get_table(fk.ref_table)
            join = " AND ".join(f"r.{rc} = t.{cc}" for cc, rc in zip(fk.columns, fk.ref_columns, strict=True))
            not_null = " AND ".join(f"t.{c} IS NOT NULL" for c in fk.columns)
            cols = ", ".join(f"t.{c}" for c in fk.columns)
            cur.execute(
                f"SELECT DISTINCT {cols} FROM {spec.fullname} t WHERE {where} AND {not_null} "
                f"AND NOT EXISTS (SELECT 1 FROM {ref.fullname} r WHERE {join}) LIMIT 20",
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
