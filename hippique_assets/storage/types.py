"""The one place that maps column types: a declared SQLAlchemy type to its Postgres name, its Arrow
type (how a frame is bulk-loaded) and its pandas dtype (how rows come back).

| declared (SQLAlchemy)         | Postgres         | Arrow                 | pandas                |
|-------------------------------|------------------|-----------------------|-----------------------|
| Integer, SmallInteger, BigInt | integer...       | int32, int16, int64   | Int64                 |
| Numeric(p, s)                 | numeric(p,s)     | decimal128(p, s)      | float64 (rounded)     |
| Double, Float                 | double precision | float64               | float64               |
| Boolean                       | boolean          | bool                  | boolean               |
| Text                          | text             | string                | object (str)          |
| Date                          | date             | date32                | object (datetime.date)|
| DateTime(timezone=True)       | timestamptz      | timestamp[us, UTC]    | datetime64[ns, UTC]   |
| DateTime                      | timestamp        | timestamp[us]         | datetime64[ns]        |
| ARRAY(t)                      | t[]              | list<t>               | object (lists)        |
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Double,
    Float,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.types import TypeEngine

# Numeric declared without precision: the widest decimal binary COPY takes here.
_UNCONSTRAINED_NUMERIC = (38, 10)


@dataclass(frozen=True)
class ColumnType:
    """What conversion needs to know of a declared column type."""

    base: str  # integer, smallint, bigint, numeric, double precision, boolean, text, date, timestamptz, timestamp
    array: bool = False
    precision: int | None = None
    scale: int | None = None

    @property
    def pg_name(self) -> str:
        """The Postgres spelling, as messages show it: ``integer``, ``numeric(10,2)``, ``text[]``."""
        name = self.base
        if self.base == "numeric" and self.precision is not None:
            name = f"numeric({self.precision},{self.scale or 0})"
        return name + ("[]" if self.array else "")

    @property
    def scalar_arrow(self) -> pa.DataType:
        if self.base == "numeric":
            precision, scale = (
                (self.precision, self.scale) if self.precision is not None else _UNCONSTRAINED_NUMERIC
            )
            return pa.decimal128(precision, scale or 0)
        return _SCALAR_ARROW[self.base]

    @property
    def arrow(self) -> pa.DataType:
        """The Arrow type binary COPY accepts for this column."""
        return pa.list_(self.scalar_arrow) if self.array else self.scalar_arrow

    @property
    def pandas_dtype(self) -> str:
        """The dtype of this column in frames read back (and in typed frames built by the parsers)."""
        if self.array or self.base in {"text", "date"}:
            return "object"
        return _PANDAS[self.base]

    @property
    def is_integer(self) -> bool:
        return self.base in {"integer", "smallint", "bigint"}


_SCALAR_ARROW = {
    "integer": pa.int32(),
    "smallint": pa.int16(),
    "bigint": pa.int64(),
    "double precision": pa.float64(),
    "text": pa.string(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamptz": pa.timestamp("us", tz="UTC"),
    "timestamp": pa.timestamp("us"),
}
_PANDAS = {
    "integer": "Int64",
    "smallint": "Int64",
    "bigint": "Int64",
    "numeric": "float64",
    "double precision": "float64",
    "boolean": "boolean",
    "timestamptz": "datetime64[ns, UTC]",
    "timestamp": "datetime64[ns]",
}


def column_type(sa_type: TypeEngine) -> ColumnType:
    """The :class:`ColumnType` of a declared SQLAlchemy type; other types are refused by name."""
    if isinstance(sa_type, ARRAY):
        item = column_type(sa_type.item_type)
        if item.array:
            raise ValueError("arrays of arrays are not supported")
        return ColumnType(item.base, True, item.precision, item.scale)
    # Order matters: BigInteger and SmallInteger are Integers, Double is a Float is a Numeric.
    if isinstance(sa_type, BigInteger):
        return ColumnType("bigint")
    if isinstance(sa_type, SmallInteger):
        return ColumnType("smallint")
    if isinstance(sa_type, Integer):
        return ColumnType("integer")
    if isinstance(sa_type, Double | Float):
        return ColumnType("double precision")
    if isinstance(sa_type, Numeric):
        precision = sa_type.precision
        if precision is not None and not 0 < precision <= 38:
            raise ValueError(f"numeric precision must be 1..38 here, got {precision}")
        scale = sa_type.scale if precision is not None else None
        return ColumnType("numeric", False, precision, (scale or 0) if precision is not None else None)
    if isinstance(sa_type, Boolean):
        return ColumnType("boolean")
    if isinstance(sa_type, Text | String):
        return ColumnType("text")
    if isinstance(sa_type, DateTime):
        return ColumnType("timestamptz" if sa_type.timezone else "timestamp")
    if isinstance(sa_type, Date):
        return ColumnType("date")
    raise ValueError(f"unsupported column type {sa_type!r}")
