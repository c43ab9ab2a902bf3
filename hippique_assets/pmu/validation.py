"""Every value taken from the source is validated against its column's declared rule (pydantic).

The rules come from the table declarations: the column type bounds every value (integers within
the Postgres type, numerics within their precision, finite numbers, text that is text, aware
instants for ``timestamptz``), and a column may add a range in its ``info`` (see
:func:`hippique_assets.storage.tables.rule`): runner numbers from 1, ages and weights within what a
racehorse can have, money never negative, odds of at least 1.0.

A row that breaks a rule is rejected alone, with a :class:`Rejection` naming the day, the race,
the runner and the field; the other rows are kept. The rejections of a day are recorded with the
day's ingestion gaps (``pmu.ingest_gaps``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    NaiveDatetime,
    StrictBool,
    StrictInt,
    StrictStr,
    TypeAdapter,
    ValidationError,
    create_model,
)
from sqlalchemy import Table

from hippique_assets.storage.types import ColumnType, column_type

_INT_BOUNDS = {"smallint": 2**15, "integer": 2**31, "bigint": 2**63}


@dataclass(frozen=True)
class Rejection:
    """A race, or one row of it, left out of the tables, and why."""

    race_date: date
    endpoint: str
    race_key: str | None
    runner: int | None
    field: str | None
    value: str | None
    reason: str

    def line(self) -> str:
        where = self.race_key or self.race_date.isoformat()
        if self.runner is not None:
            where += f" runner {self.runner}"
        if self.field:
            where += f" {self.field}={self.value}"
        return f"{self.endpoint} {where}: {self.reason}"


def _number_bounds(kind: ColumnType) -> dict[str, Any]:
    if kind.is_integer:
        limit = _INT_BOUNDS[kind.base]
        return {"ge": -limit, "lt": limit}
    if kind.base == "numeric" and kind.precision is not None:
        limit = 10 ** (kind.precision - (kind.scale or 0))
        return {"gt": -limit, "lt": limit}
    return {}


def _field_type(kind: ColumnType) -> Any:
    if kind.is_integer:
        return StrictInt
    if kind.base in {"numeric", "double precision"}:
        return float
    if kind.base == "boolean":
        return StrictBool
    if kind.base == "text":
        return StrictStr
    if kind.base == "date":
        return date
    if kind.base == "timestamptz":
        return AwareDatetime
    return NaiveDatetime


def _annotation(column: Any) -> tuple[Any, Any]:
    kind = column_type(column.type)
    constraints = {**_number_bounds(kind), **(column.info.get("rule") or {})}
    if kind.base in {"numeric", "double precision"}:
        constraints["allow_inf_nan"] = False
        constraints["strict"] = False  # ints are numbers too
    scalar = _field_type(kind)
    if kind.array:
        item: Any = scalar
        if constraints:
            from typing import Annotated

            item = Annotated[scalar, Field(**constraints)]
        annotation: Any = list[item | None]
        field = Field(default=None)
    else:
        annotation = scalar
        field = Field(default=None, **constraints)
    if column.nullable:
        annotation = annotation | None
    return annotation, field


@cache
def _rows_adapter(table: Table) -> TypeAdapter:
    fields = {column.name: _annotation(column) for column in table.columns}
    model: type[BaseModel] = create_model(  # type: ignore[call-overload]
        f"{table.name}_row",
        __config__=ConfigDict(strict=True, extra="forbid"),
        **fields,
    )
    return TypeAdapter(list[model])


def validate_rows(
    table: Table, rows: Sequence[dict[str, Any]], *, endpoint: str, race_date: date
) -> tuple[list[dict[str, Any]], list[Rejection]]:
    """The rows that keep every rule, and one :class:`Rejection` per row that does not."""
    if not rows:
        return [], []
    try:
        _rows_adapter(table).validate_python(rows)
    except ValidationError as exc:
        bad: dict[int, Rejection] = {}
        for error in exc.errors(include_url=False):
            index = error["loc"][0]
            if not isinstance(index, int) or index in bad:
                continue
            row = rows[index]
            field = str(error["loc"][1]) if len(error["loc"]) > 1 else None
            value = row.get(field) if field else None
            bad[index] = Rejection(
                race_date=race_date,
                endpoint=endpoint,
                race_key=row.get("race_key") or row.get("last_seen_race_key"),
                runner=row.get("number"),
                field=field,
                value=None if value is None else repr(value)[:80],
                reason=error["msg"],
            )
        kept = [row for i, row in enumerate(rows) if i not in bad]
        return kept, list(bad.values())
    return list(rows), []
