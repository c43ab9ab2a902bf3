"""Many payloads of one endpoint into one typed frame per table: how the daily table assets parse.

A :class:`Batch` collects the row dicts of every race (and every day) of an endpoint, keeping
apart the races whose payload cannot be read; :meth:`Batch.frames` then validates every row
against its column's rule and builds one frame per table. A race or a runner that fails costs
only itself; each failure is a :class:`~hippique_assets.pmu.validation.Rejection`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Table

from hippique_assets.pmu.parse_common import PmuParseError, typed_frame
from hippique_assets.pmu.validation import Rejection, validate_rows

RowsFunction = Callable[..., dict[Table, list[dict[str, Any]]]]


@dataclass
class Batch:
    """Rows of ``endpoint`` for the tables ``tables``, gathered race by race."""

    endpoint: str
    tables: tuple[Table, ...]
    rows: dict[Table, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    rejections: list[Rejection] = field(default_factory=list)
    payloads: int = 0

    def add(
        self, race_date: date, race_key: str | None, rows_of: RowsFunction, *args: Any, **kwargs: Any
    ) -> bool:
        """Parse one payload with ``rows_of(*args, **kwargs)``; a :class:`PmuParseError` rejects it whole."""
        self.payloads += 1
        try:
            produced = rows_of(*args, **kwargs)
        except PmuParseError as exc:
            self.reject(race_date, race_key, str(exc))
            return False
        for table, rows in produced.items():
            self.rows[table].extend(rows)
        return True

    def reject(self, race_date: date, race_key: str | None, reason: str) -> None:
        self.rejections.append(Rejection(race_date, self.endpoint, race_key, None, None, None, reason))

    def frames(self, race_date: date) -> dict[Table, pd.DataFrame]:
        """One validated, typed frame per table (rows breaking a rule left out and recorded)."""
        out = {}
        for table in self.tables:
            kept, rejected = validate_rows(
                table, self.rows.get(table, []), endpoint=self.endpoint, race_date=race_date
            )
            self.rejections.extend(rejected)
            out[table] = typed_frame(table, kept)
        return out


__all__ = ["Batch", "PmuParseError", "Rejection"]
