"""Declared table schemas.

Every Postgres table the platform writes is declared once as a :class:`TableSpec`. The IO manager
creates tables from these declarations and uses them to decide how a Dagster output is stored
(replace one partition, upsert on the primary key, or append). Domain modules declare their own
tables (``hippique_assets.pmu.tables`` and friends) and register them here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

WriteMode = Literal["replace_partition", "upsert", "append", "replace_all"]


@dataclass(frozen=True)
class Column:
    """One column: its name, its Postgres type (``text``, ``integer``, ``numeric(12,2)``,
    ``timestamptz``, ``text[]``...) and whether it may be null."""

    name: str
    pg_type: str
    nullable: bool = True
    description: str = ""


@dataclass(frozen=True)
class ForeignKey:
    """A reference checked by asset checks (not enforced in Postgres, so that partitions of
    different tables can be reloaded independently)."""

    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class TableSpec:
    """A table's declaration.

    ``partition_column`` holds the Dagster partition key of each row (a ``date`` for daily
    partitions, the race key for per-race partitions). ``write_mode`` says what a
    materialization does: ``replace_partition`` deletes the partition's rows and bulk-loads the
    new ones in one transaction; ``upsert`` inserts or updates on the primary key (tables shared
    by many days, such as horses); ``append`` keeps history (odds snapshots); ``replace_all``
    rewrites an unpartitioned table.
    """

    schema: str
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    partition_column: str | None = None
    write_mode: WriteMode = "replace_partition"
    foreign_keys: tuple[ForeignKey, ...] = ()
    description: str = ""
    unique_keys: tuple[tuple[str, ...], ...] = field(default=())

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.qualified_name} has no column {name!r}")

    def __post_init__(self) -> None:
        names = self.column_names
        if len(set(names)) != len(names):
            raise ValueError(f"{self.qualified_name}: duplicate column names")
        missing = [
            c
            for c in (*self.primary_key, *([self.partition_column] if self.partition_column else []))
            if c not in names
        ]
        if missing:
            raise ValueError(f"{self.qualified_name}: key columns not declared: {missing}")


_REGISTRY: dict[str, TableSpec] = {}


def register_tables(specs: Iterable[TableSpec]) -> None:
    """Make tables known to the IO manager and the asset checks under their qualified name."""
    for spec in specs:
        existing = _REGISTRY.get(spec.qualified_name)
        if existing is not None and existing != spec:
            raise ValueError(f"table {spec.qualified_name} declared twice with different shapes")
        _REGISTRY[spec.qualified_name] = spec


def get_table(qualified_name: str) -> TableSpec:
    """The declaration of ``schema.table``; loads every domain's declarations on first use."""
    if qualified_name not in _REGISTRY:
        import hippique_assets.schema  # noqa: F401  (registers every domain's tables)
    try:
        return _REGISTRY[qualified_name]
    except KeyError:
        raise KeyError(f"unknown table {qualified_name!r}; declared: {sorted(_REGISTRY)}") from None


def all_tables() -> list[TableSpec]:
    import hippique_assets.schema  # noqa: F401

    return list(_REGISTRY.values())
