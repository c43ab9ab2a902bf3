"""Every table the platform declares, in one place: the target of the migrations and the lookup of
the IO manager and the asset checks (``hippique/table`` metadata names a table here)."""

from __future__ import annotations

from sqlalchemy import Table

from hippique_assets.betting import tables as betting_tables
from hippique_assets.pmu import tables as pmu_tables
from hippique_assets.racing import results as racing_results
from hippique_assets.racing import tables as racing_tables
from hippique_assets.storage.tables import metadata
from hippique_assets.web import tables as web_tables

DOMAINS = (pmu_tables, racing_tables, racing_results, betting_tables, web_tables)
SCHEMAS = frozenset(table.schema for table in metadata.tables.values())

__all__ = ["SCHEMAS", "all_tables", "get_table", "metadata"]


def get_table(qualified_name: str) -> Table:
    """The declaration of ``schema.table``."""
    try:
        return metadata.tables[qualified_name]
    except KeyError:
        raise KeyError(f"unknown table {qualified_name!r}; declared: {sorted(metadata.tables)}") from None


def all_tables() -> list[Table]:
    return list(metadata.tables.values())
