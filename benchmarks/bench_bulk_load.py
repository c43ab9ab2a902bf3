"""Bulk-load benchmark: our write_frame against psycopg2 execute_values and raw ADBC ingest, side by side.

The same generated rows (15 columns: text, integers, numerics, timestamptz, booleans, an integer
array) are loaded three ways into three tables with the same declaration (primary key included)
in a schema of its own, dropped at the end:

  (a) ``write_frame`` (replace_partition: checks and conversion, DELETE of the partition, COPY, commit),
  (b) psycopg2 ``execute_values`` with page_size=1000 (the conversion to tuples included),
  (c) raw ADBC ``adbc_ingest`` (``pyarrow.Table.from_pandas`` cast to the table's types, COPY,
      commit: no checks, no DELETE), the transport floor.

Fair by construction: every loader keeps one connection for the whole run (ours its pool), gets
the same warm-up round, and runs once per round in a rotating order, with its DataFrame
conversion timed; the tables are emptied, untimed, before every load. Ratios are computed per
round and reported as min / median / max.

Usage: ``.venv/bin/python benchmarks/bench_bulk_load.py [--rows 100000] [--rounds 5] [--pg-url URL] [--smoke]``
(``--smoke``: 2,000 rows, one round, to check in CI that the script still runs).
"""

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable
from datetime import date

import adbc_driver_postgresql.dbapi as adbc
import numpy as np
import pandas as pd
import psycopg2
import psycopg2.extras
import pyarrow as pa
from figures import spread
from sqlalchemy import ARRAY, Boolean, Column, Date, Double, Integer, MetaData, Numeric, Table, Text, text

from hippique_assets.storage.arrow_frames import frame_to_arrow
from hippique_assets.storage.bulk_write import write_frame
from hippique_assets.storage.migrate import engine_for
from hippique_assets.storage.postgres import mask_url
from hippique_assets.storage.tables import TIMESTAMPTZ, column_names, declare_table

DAY = date(2026, 3, 23)
DEFAULT_URL = os.environ.get("HIPPIQUE_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def bench_table(schema: str, name: str) -> Table:
    return declare_table(
        on=MetaData(),
        schema=schema,
        name=name,
        columns=(
            Column("race_date", Date, nullable=False),
            Column("race_key", Text, nullable=False),
            Column("number", Integer, nullable=False),
            Column("horse_name", Text, nullable=False),
            Column("jockey", Text),
            Column("trainer", Text),
            Column("age", Integer),
            Column("distance_m", Integer),
            Column("odds", Numeric(10, 2)),
            Column("weight_kg", Numeric(5, 1)),
            Column("score", Double),
            Column("non_runner", Boolean, nullable=False),
            Column("favourite", Boolean),
            Column("start_utc", TIMESTAMPTZ),
            Column("arrival", ARRAY(Integer)),
        ),
        primary_key=("race_date", "race_key", "number"),
        partition_column="race_date",
    )


def make_rows(n: int, seed: int = 7) -> pd.DataFrame:
    """``n`` runners of one day: 20 per race, some nulls, awkward text."""
    rng = np.random.default_rng(seed)
    race = np.arange(n) // 20
    names = np.array(["L'OISEAU", 'DE "LA" VEGA', "BACK\\SLASH", "ÉTOILE DU NORD", "TAB\tHORSE", "PLAIN"])
    odds = np.round(rng.gamma(2.0, 6.0, n) + 1.1, 2)
    odds[rng.random(n) < 0.05] = np.nan
    frame = pd.DataFrame(
        {
            "race_date": [DAY] * n,
            "race_key": [f"2026-03-23-R{r // 10 + 1}C{r % 10 + 1}" for r in race],
            "number": pd.array(np.arange(n) % 20 + 1, dtype="Int64"),
            "horse_name": names[rng.integers(0, len(names), n)],
            "jockey": [f"J. JOCKEY {i % 300}" for i in range(n)],
            "trainer": [None if i % 17 == 0 else f"T. TRAINER {i % 150}" for i in range(n)],
            "age": pd.array(rng.integers(2, 12, n), dtype="Int64"),
            "distance_m": pd.array(rng.integers(1000, 4000, n), dtype="Int64"),
            "odds": odds,
            "weight_kg": np.round(rng.uniform(50, 65, n), 1),
            "score": rng.random(n),
            "non_runner": pd.array(rng.random(n) < 0.03, dtype="boolean"),
            "favourite": pd.array(rng.random(n) < 0.1, dtype="boolean"),
            "start_utc": pd.to_datetime("2026-03-23 12:00", utc=True)
            + pd.to_timedelta(race % 10 * 30, unit="min"),
            "arrival": [(rng.permutation(20)[:5] + 1).tolist() for _ in range(n)],
        }
    )
    frame["race_key"] = frame["race_key"].astype(object)
    frame["horse_name"] = frame["horse_name"].astype(object)
    return frame


def _plain(value: object) -> object:
    """A cell as psycopg2 adapts it: None for missing values, Python scalars for numpy ones."""
    if value is pd.NA or value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


class ExecuteValues:
    """(b): rows as tuples, ``execute_values`` on a connection kept for the run."""

    def __init__(self, url: str, table: Table) -> None:
        self.conn = psycopg2.connect(url)
        self.sql = f"INSERT INTO {table.fullname} ({', '.join(column_names(table))}) VALUES %s"

    def load(self, frame: pd.DataFrame) -> None:
        tuples = [
            tuple(_plain(v) for v in row) for row in frame.astype(object).itertuples(index=False, name=None)
        ]
        with self.conn.cursor() as cur:
            psycopg2.extras.execute_values(cur, self.sql, tuples, page_size=1000)
        self.conn.commit()


class RawAdbc:
    """(c): ``from_pandas`` cast to the table's Arrow types, ``adbc_ingest`` on a kept connection."""

    def __init__(self, url: str, table: Table, arrow_schema: pa.Schema) -> None:
        self.conn = adbc.connect(url)
        self.table = table
        self.arrow_schema = arrow_schema

    def load(self, frame: pd.DataFrame) -> None:
        arrow = pa.Table.from_pandas(frame, preserve_index=False).cast(self.arrow_schema, safe=False)
        with self.conn.cursor() as cur:
            cur.adbc_ingest(self.table.name, arrow, mode="append", db_schema_name=self.table.schema)
        self.conn.commit()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds after one warm-up round")
    parser.add_argument("--pg-url", default=DEFAULT_URL, help="default: $HIPPIQUE_PG_URL or the local server")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks the script still runs")
    args = parser.parse_args(argv)
    if args.smoke:
        args.rows, args.rounds = 2_000, 1

    url, n = args.pg_url, args.rows
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    frame = make_rows(n)
    print(
        f"{n:,} rows x {frame.shape[1]} columns into {mask_url(url)} (schema {schema}), {args.rounds} rounds"
    )
    tables = {name: bench_table(schema, name) for name in ("ours", "execute_values", "raw_adbc")}
    engine = engine_for(url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    for table in tables.values():
        table.create(engine)
    ev = ExecuteValues(url, tables["execute_values"])
    raw = RawAdbc(url, tables["raw_adbc"], frame_to_arrow(tables["raw_adbc"], frame.head(100)).schema)
    loaders: dict[str, Callable[[], object]] = {
        "ours": lambda: write_frame(url, tables["ours"], frame, partition_values=[DAY]),
        "execute_values": lambda: ev.load(frame),
        "raw_adbc": lambda: raw.load(frame),
    }
    times: dict[str, list[float]] = {name: [] for name in loaders}
    try:
        for round_ in range(args.rounds + 1):
            names = list(loaders)
            names = names[round_ % 3 :] + names[: round_ % 3]
            for name in names:
                with engine.begin() as connection:
                    connection.execute(text(f"TRUNCATE {tables[name].fullname}"))
                started = time.perf_counter()
                loaders[name]()
                elapsed = time.perf_counter() - started
                if round_ > 0:  # round 0 warms every loader up the same way
                    times[name].append(elapsed)
        with engine.connect() as connection:
            loaded = [
                connection.execute(text(f"SELECT count(*) FROM {t.fullname}")).scalar()
                for t in tables.values()
            ]
        if loaded != [n, n, n]:
            print(f"row counts differ: {loaded}", file=sys.stderr)
            return 1
        print(f"{'loader':<16} {'rows/s min / median / max':>32}")
        for name, values in times.items():
            print(f"{name:<16} {spread([n / v for v in values]):>32}")
        ours_vs_raw = [r / o for o, r in zip(times["ours"], times["raw_adbc"], strict=True)]
        ours_vs_ev = [e / o for o, e in zip(times["ours"], times["execute_values"], strict=True)]
        raw_vs_ev = [e / r for r, e in zip(times["raw_adbc"], times["execute_values"], strict=True)]
        print(f"ours / raw ADBC         (per round, min / median / max): {spread(ours_vs_raw)}")
        print(f"ours / execute_values   (per round, min / median / max): {spread(ours_vs_ev)}")
        print(f"raw ADBC / execute_values (the ceiling of any COPY loader): {spread(raw_vs_ev)}")
    finally:
        ev.conn.close()
        raw.conn.close()
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    return 0


if __name__ == "__main__":
    sys.exit(main())
