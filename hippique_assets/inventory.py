"""Row counts and content checksums of the platform's tables, for summaries and re-run checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Table

from hippique_assets.catalog import all_tables
from hippique_assets.errors import first_line
from hippique_assets.storage.errors import StorageError, driver_errors
from hippique_assets.storage.postgres import connect, qualified
from hippique_assets.storage.tables import primary_key

# The column that dates a row, for tables that have no race_date: when the horse was last seen.
_DATED_BY = {"pmu.horses": "last_seen", "pmu.performances": "last_seen_date"}


@dataclass(frozen=True)
class TableSummary:
    table: str
    rows: int
    checksum: str | None  # md5 of the rows in key order; None when the table does not exist yet


def _day_filter(table: Table, start: date | None, end: date | None) -> tuple[str, list[object]]:
    """The rows of ``table`` that belong to the days ``start``..``end`` (all rows without a range)."""
    if start is None:
        return "TRUE", []
    end = end or start
    names = {c.name for c in table.columns}
    if "race_date" in names:
        return "race_date BETWEEN %s AND %s", [start, end]
    if table.fullname in _DATED_BY:
        return f"{_DATED_BY[table.fullname]} BETWEEN %s AND %s", [start, end]
    if "race_key" in names:
        # Race keys begin with their day (2026-03-23-R1C4).
        return "left(race_key, 10) BETWEEN %s AND %s", [start.isoformat(), end.isoformat()]
    if "due_utc" in names:
        return "(due_utc AT TIME ZONE 'Europe/Paris')::date BETWEEN %s AND %s", [start, end]
    return "TRUE", []


def summarize_tables(
    pg_url: str, *, schema: str | None = None, start: date | None = None, end: date | None = None
) -> list[TableSummary]:
    """Counts and checksums per table (of ``schema``, or every schema), restricted to the days
    ``start``..``end`` when given (a table is dated by its race date, its race key, or for horses
    and performances the day they were last seen)."""
    tables = sorted(
        (t for t in all_tables() if schema is None or t.schema == schema), key=lambda t: t.fullname
    )
    out: list[TableSummary] = []
    conn = connect(pg_url)
    try:
        with driver_errors(pg_url), conn.cursor() as cur:
            for table in tables:
                cur.execute("SELECT to_regclass(%s)", (table.fullname,))
                (regclass,) = cur.fetchone() or (None,)
                if regclass is None:
                    out.append(TableSummary(table.fullname, 0, None))
                    continue
                where, params = _day_filter(table, start, end)
                order = ", ".join(primary_key(table)) or "t::text"
                cur.execute(
                    f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY {order}), '')) "
                    f"FROM {qualified(table)} t WHERE {where}",
                    params,
                )
                rows, checksum = cur.fetchone() or (0, None)
                out.append(TableSummary(table.fullname, int(rows), checksum))
    except StorageError as exc:
        raise ConnectionError(f"cannot read the tables: {first_line(exc)}") from exc
    finally:
        conn.close()
    return out


def format_summary(summaries: list[TableSummary], *, checksums: bool = False) -> str:
    width = max((len(s.table) for s in summaries), default=10)
    lines = []
    for s in summaries:
        line = f"  {s.table:<{width}}  {s.rows:>9,} rows"
        if checksums:
            line += f"  {s.checksum or '-'}"
        lines.append(line)
    return "\n".join(lines)
