"""Row counts and content checksums of the platform's tables, for summaries and re-run checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import psycopg2
from sqlalchemy import Table

from hippique_assets.catalog import all_tables
from hippique_assets.storage.tables import partition_column, primary_key


@dataclass(frozen=True)
class TableSummary:
    table: str
    rows: int
    checksum: str | None  # md5 of the rows in key order; None when the table does not exist yet


def summarize_tables(
    pg_url: str, *, schema: str = "pmu", start: date | None = None, end: date | None = None
) -> list[TableSummary]:
    """Counts and checksums per table; daily tables are restricted to [start, end] when given.

    Tables without a date partition (horses, performances) are summarised whole.
    """
    specs = sorted((s for s in all_tables() if s.schema == schema), key=lambda s: s.name)
    out: list[TableSummary] = []
    with psycopg2.connect(pg_url) as conn, conn.cursor() as cur:
        for spec in specs:
            cur.execute("SELECT to_regclass(%s)", (spec.fullname,))
            if cur.fetchone()[0] is None:
                out.append(TableSummary(spec.fullname, 0, None))
                continue
            where, params = _date_filter(spec, start, end)
            order = ", ".join(primary_key(spec))
            cur.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY {order}), '')) "
                f"FROM {spec.fullname} t WHERE {where}",
                params,
            )
            rows, checksum = cur.fetchone()
            out.append(TableSummary(spec.fullname, int(rows), checksum))
    conn.close()
    return out


def _date_filter(spec: Table, start: date | None, end: date | None) -> tuple[str, list[object]]:
    if start is None or partition_column(spec) != "race_date":
        return "TRUE", []
    return "race_date BETWEEN %s AND %s", [start, end or start]


def format_summary(summaries: list[TableSummary], *, checksums: bool = False) -> str:
    width = max((len(s.table) for s in summaries), default=10)
    lines = []
    for s in summaries:
        line = f"  {s.table:<{width}}  {s.rows:>9,} rows"
        if checksums:
            line += f"  {s.checksum or '-'}"
        lines.append(line)
    return "\n".join(lines)
