"""Table declarations: SQLAlchemy Core tables on one ``MetaData``, and what the IO manager reads off them.

Every Postgres table the platform writes is declared once, in its domain's ``tables`` module, with
:func:`declare_table`. The declaration is the source of the Alembic migrations
(``hippique_assets/migrations``, run by ``hippique db upgrade``), of the table schema shown in the
Dagster UI, of the Arrow schema of bulk loads and of the dtypes of frames read back. Nothing issues
DDL at run time.

Besides columns and keys, a declaration says how a materialization is stored (``info``):
``partition_column`` holds the Dagster partition key of each row (a ``date`` for daily partitions,
the race key for per-race partitions) and ``write_mode`` is one of ``replace_partition`` (delete
the partition's rows and bulk-load the new ones in one transaction), ``upsert`` (insert or update on
the primary key, for tables shared by many days such as horses), ``append`` (keep history: odds
snapshots) or ``replace_all`` (rewrite an unpartitioned table). ``references`` are foreign keys
checked by asset checks rather than enforced, so that partitions of different tables can be
reloaded independently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, cast

from sqlalchemy import (
    ARRAY,
    Column,
    DateTime,
    Index,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
)

from hippique_assets.storage.types import ColumnType, column_type

WriteMode = Literal["replace_partition", "upsert", "append", "replace_all"]
WRITE_MODES: tuple[WriteMode, ...] = ("replace_partition", "upsert", "append", "replace_all")

# Constraint and index names Postgres would pick, so migrations and the database agree.
metadata = MetaData(
    naming_convention={"pk": "%(table_name)s_pkey", "uq": "%(table_name)s_%(column_0_N_name)s_key"}
)

# Column types used across domains.
MONEY = Numeric(14, 2)  # prizes, earnings, pools
EUROS = Numeric(12, 2)  # dividends, stakes and returns
ODDS = Numeric(10, 2)
KG = Numeric(5, 1)
SECONDS = Numeric(10, 3)
TIMESTAMPTZ = DateTime(timezone=True)
TEXT_ARRAY = ARRAY(Text)


def rule(*, ge: float | None = None, gt: float | None = None, le: float | None = None) -> dict:
    """A value range checked on every value taken from the source, e.g. ``info=rule(ge=0)``
    (see :mod:`hippique_assets.pmu.validation`); the column type's own bounds always apply."""
    bounds = {name: value for name, value in (("ge", ge), ("gt", gt), ("le", le)) if value is not None}
    return {"rule": bounds}


@dataclass(frozen=True)
class References:
    """``columns`` of a table resolve in ``ref_columns`` of ``ref_table`` (checked, not enforced)."""

    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]


def _fresh(column: Column) -> Column:
    """``column`` itself, or a new column with its attributes when it already belongs to a table
    (shared definitions such as the race date are declared once and used by several tables)."""
    if column.table is None:
        return column
    return Column(
        column.name, column.type, nullable=column.nullable, comment=column.comment, info=dict(column.info)
    )


def declare_table(
    *,
    schema: str,
    name: str,
    columns: Sequence[Column],
    primary_key: Sequence[str],
    partition_column: str | None = None,
    write_mode: WriteMode = "replace_partition",
    references: Sequence[References] = (),
    unique_keys: Sequence[Sequence[str]] = (),
    indexes: Sequence[Sequence[str]] = (),
    description: str = "",
    on: MetaData = metadata,
) -> Table:
    """Declare a table on the platform's ``metadata`` (or ``on``, for tables outside the platform's
    schema such as test tables); refuses keys that name undeclared columns."""
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        raise ValueError(f"{schema}.{name}: duplicate column names")
    keyed = [
        *primary_key,
        *([partition_column] if partition_column else []),
        *(c for u in unique_keys for c in u),
    ]
    missing = [c for c in keyed if c not in names]
    if missing:
        raise ValueError(f"{schema}.{name}: key columns not declared: {missing}")
    if write_mode not in WRITE_MODES:
        raise ValueError(f"{schema}.{name}: unknown write mode {write_mode!r}")
    extras: list = [PrimaryKeyConstraint(*primary_key)] if primary_key else []
    extras += [UniqueConstraint(*unique) for unique in unique_keys]
    if partition_column and (not primary_key or primary_key[0] != partition_column):
        # Partition deletes and reads filter on this column; the primary key index covers it only
        # when it leads the key.
        extras.append(Index(f"{name}_{partition_column}_idx", partition_column))
    extras += [Index(f"{name}_{'_'.join(columns)}_idx", *columns) for columns in indexes]
    return Table(
        name,
        on,
        *(_fresh(c) for c in columns),
        *extras,
        schema=schema,
        comment=description or None,
        info={
            "partition_column": partition_column,
            "write_mode": write_mode,
            "references": tuple(references),
        },
    )


def column_names(table: Table) -> list[str]:
    return [c.name for c in table.columns]


def primary_key(table: Table) -> tuple[str, ...]:
    return tuple(c.name for c in table.primary_key.columns)


def partition_column(table: Table) -> str | None:
    return cast(str | None, table.info.get("partition_column"))


def write_mode(table: Table) -> WriteMode:
    return cast(WriteMode, table.info.get("write_mode", "replace_partition"))


def references(table: Table) -> tuple[References, ...]:
    return cast(tuple[References, ...], table.info.get("references", ()))


def unique_keys(table: Table) -> list[tuple[str, ...]]:
    return [tuple(c.columns.keys()) for c in table.constraints if isinstance(c, UniqueConstraint)]


def kind_of(table: Table, column: str) -> ColumnType:
    """The :class:`~hippique_assets.storage.types.ColumnType` of ``table.column``."""
    return column_type(table.c[column].type)
