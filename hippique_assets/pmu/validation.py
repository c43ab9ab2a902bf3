"""Every value taken from the source is validated against its column's declared rule (pydantic).

The rules come from the table declarations: the column type bounds every value (integers within
the Postgres type, numerics within their precision, finite numbers, text that is text Postgres can
store (no NUL character, no lone surrogate), aware instants for ``timestamptz``), and a column may add a range in its ``info`` (see
:func:`hippique_assets.storage.tables.rule`): runner numbers from 1, ages and weights within what a
racehorse can have, money never negative, odds of at least 1.0.

A row that breaks a rule is rejected alone, with a :class:`Rejection` naming the day, the race,
the runner and the field; the other rows are kept. The rejections of a day are recorded with the
day's ingestion gaps (``pmu.ingest_gaps``).
"""

from __future__ import annotations

import reprlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
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
# Columns that date a row, in the order they are looked for (see :func:`row_day`).
_DAY_COLUMNS = ("race_date", "last_seen_date", "last_seen")

_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = _SHORT.maxlong = 60
_SHORT.maxlevel = 3


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


def _storable_text(text: str) -> str:
    # Postgres text holds no NUL character, and a lone surrogate (a valid JSON escape) has no
    # UTF-8 form: either would fail the whole load of the table rather than this row.
    if "\x00" in text:
        raise ValueError("text holds a NUL character, which Postgres cannot store")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text holds a lone surrogate, which has no UTF-8 form") from None
    return text


StorableText = Annotated[StrictStr, AfterValidator(_storable_text)]


def _field_type(kind: ColumnType) -> Any:
    if kind.is_integer:
        return StrictInt
    if kind.base in {"numeric", "double precision"}:
        return float
    if kind.base == "boolean":
        return StrictBool
    if kind.base == "text":
        return StorableText
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


def shown(value: Any) -> str:
    """A short spelling of a rejected value: long text, deep nesting and huge numbers cut."""
    try:
        return _SHORT.repr(value)
    except Exception:  # repr of an int past the digits limit, or a failing __repr__
        return f"<{type(value).__name__}>"


def runner_number(value: Any) -> int | None:
    """A runner number fit for a rejection (an ``integer`` column of the gaps), else None."""
    if isinstance(value, int) and not isinstance(value, bool) and -(2**31) <= value < 2**31:
        return value
    return None


def row_day(row: Mapping[str, Any], default: date) -> date:
    """The racing day a row belongs to (its ``race_date`` or last-seen day), else ``default``."""
    for column in _DAY_COLUMNS:
        value = row.get(column)
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
    return default


def validate_rows(
    table: Table, rows: Sequence[dict[str, Any]], *, endpoint: str, race_date: date
) -> tuple[list[dict[str, Any]], list[Rejection]]:
    """The rows that keep every rule, and one :class:`Rejection` per row that does not.

    A rejection is dated by its row's own day (rows of several days are validated together);
    ``race_date`` dates rows without one.
    """
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
                race_date=row_day(row, race_date),
                endpoint=endpoint,
                race_key=row.get("race_key") or row.get("last_seen_race_key"),
                runner=runner_number(row.get("number")),
                field=field,
                value=None if value is None else shown(value),
                reason=error["msg"],
            )
        kept = [row for i, row in enumerate(rows) if i not in bad]
        return kept, list(bad.values())
    return list(rows), []
