"""Many payloads of one endpoint into one typed frame per table: how the daily table assets parse.

A :class:`Batch` collects the row dicts of every race (and every day) of an endpoint, keeping
apart the races whose payload cannot be read; :meth:`Batch.frames` then validates every row
against its column's rule and builds one frame per table. A payload, a reunion, a race, a runner
or a bet that fails costs only itself, whatever the error; each failure is a
:class:`~hippique_assets.pmu.validation.Rejection`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Table

from hippique_assets.pmu.parse_common import (
    ParsedRows,
    PmuParseError,
    parse_error,
    reading,
    strict_frame,
    typed_frame,
)
from hippique_assets.pmu.validation import Rejection, row_day, runner_number, validate_rows

RowsFunction = Callable[..., Mapping[Table, list[dict[str, Any]]]]


def rejection_of(error: PmuParseError, race_date: date, endpoint: str, race_key: str | None) -> Rejection:
    """The :class:`Rejection` of a unit left out with ``error`` (its own race key first)."""
    return Rejection(
        race_date=race_date,
        endpoint=endpoint,
        race_key=error.race_key or race_key,
        runner=runner_number(error.runner),
        field=error.field,
        value=error.value,
        reason=str(error),
    )


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
        """Parse one payload with ``rows_of(*args, **kwargs)``; whether it could be read at all.

        Any error of the payload as a whole rejects it, whatever its type; the units the parser
        left out (:attr:`ParsedRows.rejected`) are rejected one by one and the rest is kept.
        """
        self.payloads += 1
        try:
            produced = rows_of(*args, **kwargs)
        except Exception as exc:  # an unforeseen error costs this payload only
            self._record(race_date, race_key, parse_error(exc, self._where(race_date, race_key)))
            return False
        self.extend(race_date, race_key, produced)
        return True

    def extend(self, race_date: date, race_key: str | None, produced: Mapping[Table, list[dict]]) -> None:
        """Take in rows already parsed, and reject the units their parser left out."""
        for table, rows in produced.items():
            self.rows[table].extend(rows)
        for error in getattr(produced, "rejected", ()):
            self._record(race_date, race_key, error)

    def reject(self, race_date: date, race_key: str | None, reason: str | Exception) -> None:
        """Record a payload or unit left out: a reason, or the error that cost it."""
        if isinstance(reason, Exception):
            self._record(race_date, race_key, parse_error(reason, self._where(race_date, race_key)))
            return
        self.rejections.append(Rejection(race_date, self.endpoint, race_key, None, None, None, reason))

    def frames(self, race_date: date) -> dict[Table, pd.DataFrame]:
        """One validated, typed frame per table (rows breaking a rule left out and recorded).

        ``race_date`` dates the rejections of rows that carry no day of their own.
        """
        out = {}
        for table in self.tables:
            kept, rejected = validate_rows(
                table, self.rows.get(table, []), endpoint=self.endpoint, race_date=race_date
            )
            self.rejections.extend(rejected)
            out[table] = self._frame(table, kept, race_date)
        return out

    def _frame(self, table: Table, rows: list[dict[str, Any]], race_date: date) -> pd.DataFrame:
        try:
            return typed_frame(table, rows)
        except MemoryError:
            raise
        except Exception:
            # A value the rules let through but no frame can hold: find its rows and leave them out.
            return typed_frame(table, self._framable(table, rows, race_date))

    def _framable(
        self, table: Table, rows: Sequence[dict[str, Any]], race_date: date
    ) -> list[dict[str, Any]]:
        kept = []
        for row in rows:
            try:
                typed_frame(table, [row])
            except MemoryError:
                raise
            except Exception as exc:
                self.rejections.append(
                    Rejection(
                        race_date=row_day(row, race_date),
                        endpoint=self.endpoint,
                        race_key=row.get("race_key") or row.get("last_seen_race_key"),
                        runner=runner_number(row.get("number")),
                        field=None,
                        value=None,
                        reason=f"{table.fullname}: {type(exc).__name__}: {exc}"[:400],
                    )
                )
            else:
                kept.append(row)
        return kept

    def _record(self, race_date: date, race_key: str | None, error: PmuParseError) -> None:
        self.rejections.append(rejection_of(error, race_date, self.endpoint, race_key))

    def _where(self, race_date: date, race_key: str | None) -> str:
        return f"{self.endpoint} {race_key or race_date.isoformat()}"


def parse_payload(
    endpoint: str,
    specs: tuple[Table, ...],
    race_date: date,
    race_key: str | None,
    rows_of: Callable[..., ParsedRows],
    *args: Any,
    rejected: list[Rejection] | None = None,
    **kwargs: Any,
) -> dict[Table, pd.DataFrame]:
    """One payload's frames, for the ``parse_*`` functions of one race or one programme.

    Without ``rejected`` the payload must be read whole: its first bad unit raises
    :class:`PmuParseError` (and only that). With ``rejected`` nothing the payload holds raises: the
    units and rows left out are appended there and the frames hold the rest, validated against
    their columns' rules as the table assets do.
    """
    if rejected is None:
        where = f"{endpoint} {race_key or race_date.isoformat()}"
        with reading(where):
            produced = rows_of(*args, **kwargs)
        produced.raise_first()
        return {spec: strict_frame(spec, produced.get(spec, []), where) for spec in specs}
    batch = Batch(endpoint, specs)
    batch.add(race_date, race_key, rows_of, *args, **kwargs)
    frames = batch.frames(race_date)
    rejected.extend(batch.rejections)
    return frames


__all__ = ["Batch", "PmuParseError", "Rejection", "parse_payload", "rejection_of"]
