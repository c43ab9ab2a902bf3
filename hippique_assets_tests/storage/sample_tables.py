"""Table declarations and frames used by the storage tests.

The declarations cover every column type the platform uses; the frames hold awkward values
(hostile text, empty and null arrays, nulls everywhere a column allows them).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import pandas as pd
import psycopg2
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    Integer,
    MetaData,
    Numeric,
    Table,
    Text,
    text,
)

from hippique_assets.storage.migrate import engine_for
from hippique_assets.storage.tables import TIMESTAMPTZ, WriteMode, column_names, declare_table

HOSTILE_TEXTS = [
    "l'Oiseau",
    'double "quotes"',
    "back\\slash \\\\ and \\N",
    "\\N",
    "tab\there",
    "new\nline and \r\n crlf",
    "émoji 🐎🏇 ñ ß 日本",
    "'); DROP TABLE runners; --",
    "",
    "   ",
    "comma, semicolon; pipe|",
]


def new_schema() -> str:
    """A schema name of its own for one test on the shared test database."""
    return f"t_{uuid.uuid4().hex[:10]}"


def runners_spec(schema: str, write_mode: WriteMode = "replace_partition") -> Table:
    """A daily table with every supported column type."""
    return declare_table(
        on=MetaData(),
        schema=schema,
        name="runners",
        columns=(
            Column("race_date", Date, nullable=False),
            Column("race_key", Text, nullable=False),
            Column("number", Integer, nullable=False),
            Column("name", Text, nullable=False),
            Column("age", Integer),
            Column("big", BigInteger),
            Column("odds", Numeric(10, 2)),
            Column("weight_kg", Numeric(5, 1)),
            Column("score", Double),
            Column("non_runner", Boolean, nullable=False),
            Column("favourite", Boolean),
            Column("start_utc", TIMESTAMPTZ),
            Column("start_paris", DateTime),
            Column("born", Date),
            Column("ranks", ARRAY(Integer)),
            Column("tags", ARRAY(Text)),
            Column("splits", ARRAY(Numeric(6, 2))),
        ),
        primary_key=("race_date", "race_key", "number"),
        partition_column="race_date",
        write_mode=write_mode,
    )


def runners_frame(day: date, n: int = 6, *, offset: int = 0) -> pd.DataFrame:
    """``n`` runners of one day with hostile names, nulls and arrays of every shape."""
    rows = []
    for i in range(n):
        num = i + 1 + offset
        rows.append(
            {
                "race_date": day,
                "race_key": f"{day.isoformat()}-R1C{1 + i % 2}",
                "number": num,
                "name": HOSTILE_TEXTS[i % len(HOSTILE_TEXTS)],
                "age": None if i % 3 == 2 else 3 + i,
                "big": 9_000_000_000 + i if i % 2 == 0 else None,
                "odds": None if i % 4 == 3 else round(1.1 + i * 2.35, 2),
                "weight_kg": 54.5 + i,
                "score": None if i == 1 else i / 7,
                "non_runner": i == 2,
                "favourite": None if i % 3 == 0 else i == 1,
                "start_utc": pd.Timestamp(f"{day.isoformat()}T13:{15 + i:02d}:00.123456", tz="UTC"),
                "start_paris": pd.Timestamp(f"{day.isoformat()}T14:{15 + i:02d}:00"),
                "born": date(2020 - i, 1 + i, 10 + i),
                "ranks": [[1, 2, 3], [], None, [7], [2, 1], [10, 11, 12, 13]][i % 6],
                "tags": [["a", "b'c"], [], None, ["x\ty", "\\N", "🐎"], [None, "z"], ['"q"']][i % 6],
                "splits": [[1.25, 2.5], None, [], [0.01], [99.99, -3.1], [12.0]][i % 6],
            }
        )
    frame = pd.DataFrame(rows, columns=column_names(runners_spec("any")))
    return frame.astype(
        {
            "number": "Int64",
            "age": "Int64",
            "big": "Int64",
            "odds": "float64",
            "weight_kg": "float64",
            "score": "float64",
            "non_runner": "boolean",
            "favourite": "boolean",
            "start_utc": "datetime64[ns, UTC]",
            "start_paris": "datetime64[ns]",
        }
    )


def horses_spec(schema: str, write_mode: WriteMode = "upsert") -> Table:
    """An upserted table (by default) with first/last seen dates."""
    return declare_table(
        on=MetaData(),
        schema=schema,
        name="horses",
        columns=(
            Column("horse_id", Text, nullable=False),
            Column("name", Text, nullable=False),
            Column("sex", Text),
            Column("first_seen", Date, nullable=False),
            Column("last_seen", Date, nullable=False),
        ),
        primary_key=("horse_id",),
        write_mode=write_mode,
    )


def snapshots_spec(schema: str) -> Table:
    """An append-only table partitioned by race key."""
    return declare_table(
        on=MetaData(),
        schema=schema,
        name="snapshots",
        columns=(
            Column("race_key", Text, nullable=False),
            Column("phase", Text, nullable=False),
            Column("captured_at", TIMESTAMPTZ, nullable=False),
            Column("number", Integer, nullable=False),
            Column("odds", Numeric(10, 2)),
        ),
        primary_key=("race_key", "phase", "captured_at", "number"),
        partition_column="race_key",
        write_mode="append",
    )


def combinations_spec(schema: str) -> Table:
    """A table whose primary key holds an array (a bet combination)."""
    return declare_table(
        on=MetaData(),
        schema=schema,
        name="combination_odds",
        columns=(
            Column("race_date", Date, nullable=False),
            Column("bet_type", Text, nullable=False),
            Column("combination", ARRAY(Integer), nullable=False),
            Column("odds", Double),
        ),
        primary_key=("race_date", "bet_type", "combination"),
        partition_column="race_date",
    )


def sorted_frame(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(keys).reset_index(drop=True)


def table_checksum(url: str, qualified_name: str) -> tuple[int, str]:
    """Row count and an order-independent checksum of a table's full content."""
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(
                f"SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') "
                f"FROM {qualified_name} t"
            )
            count, digest = cur.fetchone()
        return int(count), str(digest)
    finally:
        conn.close()


def fetch_all(url: str, sql: str) -> list[tuple]:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        conn.close()


def drop_schema(url: str, schema: str) -> None:
    conn = psycopg2.connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        conn.close()


def schema_fixture(url: str) -> Iterator[str]:
    schema = new_schema()
    yield schema
    drop_schema(url, schema)


def created(url: str, table: Table) -> Table:
    """``table`` created in the database at ``url`` (its schema too), as a migration would."""
    engine = engine_for(url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{table.schema}"'))
    table.create(engine, checkfirst=True)
    return table
