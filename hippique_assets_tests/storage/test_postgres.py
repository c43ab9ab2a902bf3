"""PostgresResource, ensure_table and mask_url against the machine's real Postgres."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import psycopg2
import pytest

from hippique_assets.storage.postgres import (
    PostgresResource,
    create_table_sql,
    ensure_table,
    mask_url,
    quote_ident,
    quote_literal,
)
from hippique_assets.storage.tables import Column
from hippique_assets_tests.storage.sample_tables import fetch_all, runners_spec, snapshots_spec


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql://bob:s3cret@db.example:5432/prod", "postgresql://bob:***@db.example:5432/prod"),
        ("postgresql://bob:p%40ss@db/prod?sslmode=require", "postgresql://bob:***@db/prod?sslmode=require"),
        ("postgresql://bob@db/prod", "postgresql://bob@db/prod"),
        ("postgresql://postgres:@/hippique?host=/tmp/pg", "postgresql://postgres:@/hippique?host=/tmp/pg"),
        ("postgresql://db/prod?user=bob&password=s3cret", "postgresql://db/prod?user=bob&password=%2A%2A%2A"),
        ("host=db user=bob password=s3cret dbname=prod", "host=db user=bob password=*** dbname=prod"),
        ("host=db password='with space' dbname=prod", "host=db password=*** dbname=prod"),
    ],
)
def test_mask_url_hides_passwords(url: str, masked: str) -> None:
    assert mask_url(url) == masked
    assert "s3cret" not in mask_url(url)


def test_quoting() -> None:
    assert quote_ident('we"ird') == '"we""ird"'
    assert quote_literal("l'Oiseau \\N") == "'l''Oiseau \\N'"
    with pytest.raises(ValueError, match="NUL"):
        quote_literal("a\x00b")


def test_create_table_sql_has_keys_and_not_null() -> None:
    sql = create_table_sql(snapshots_spec("s"))
    assert sql.startswith('CREATE TABLE IF NOT EXISTS "s"."snapshots"')
    assert '"race_key" text NOT NULL' in sql and '"odds" numeric(10,2),' in sql
    assert 'PRIMARY KEY ("race_key", "phase", "captured_at", "number")' in sql
    with pytest.raises(ValueError, match=r"s.snapshots.odds: unsupported Postgres type 'numeric; drop'"):
        create_table_sql(
            replace(
                snapshots_spec("s"),
                columns=(Column("odds", "numeric; drop"),),
                primary_key=(),
                partition_column=None,
            )
        )


@pytest.mark.postgres
def test_ensure_table_creates_then_is_a_no_op(pg_url: str, schema: str) -> None:
    spec = runners_spec(schema)
    conn = psycopg2.connect(pg_url)
    try:
        assert ensure_table(conn, spec) == []
        conn.commit()
        assert ensure_table(conn, spec) == []
        conn.commit()
    finally:
        conn.close()
    columns = fetch_all(
        pg_url,
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
        f"WHERE table_schema = '{schema}' AND table_name = 'runners' ORDER BY ordinal_position",
    )
    assert [c[0] for c in columns] == spec.column_names
    by_name = {name: (kind, nullable) for name, kind, nullable in columns}
    assert by_name["race_date"] == ("date", "NO")
    assert by_name["odds"] == ("numeric", "YES")
    assert by_name["start_utc"] == ("timestamp with time zone", "YES")
    assert by_name["ranks"] == ("ARRAY", "YES")
    pk = fetch_all(
        pg_url,
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
        f"AND a.attnum = ANY(i.indkey) WHERE i.indrelid = '{schema}.runners'::regclass AND i.indisprimary",
    )
    assert sorted(r[0] for r in pk) == ["number", "race_date", "race_key"]


@pytest.mark.postgres
def test_ensure_table_adds_declared_columns_and_keeps_rows(pg_url: str, schema: str) -> None:
    spec = snapshots_spec(schema)
    resource = PostgresResource(url=pg_url)
    resource.ensure_table(spec)
    resource.execute(
        f"INSERT INTO {spec.qualified_name} VALUES (%s, %s, now(), %s, %s)", ("2026-03-23-R1C1", "h5", 3, 2.5)
    )
    wider = replace(
        spec, columns=(*spec.columns, Column("source", "text", nullable=False), Column("rank", "integer"))
    )
    assert resource.ensure_table(wider) == ["source", "rank"]
    assert fetch_all(pg_url, f"SELECT number, odds, source, rank FROM {spec.qualified_name}") == [
        (3, pytest.approx(2.5), None, None)
    ]
    assert resource.ensure_table(wider) == []


@pytest.mark.postgres
def test_partition_column_gets_an_index_when_not_leading_the_key(pg_url: str, schema: str) -> None:
    spec = replace(runners_spec(schema), partition_column="race_key")
    PostgresResource(url=pg_url).ensure_table(spec)
    indexes = fetch_all(pg_url, f"SELECT indexname FROM pg_indexes WHERE schemaname = '{schema}'")
    assert "runners_race_key_idx" in {r[0] for r in indexes}


@pytest.mark.postgres
def test_query_frame_types_follow_postgres_types(pg_url: str) -> None:
    resource = PostgresResource(url=pg_url)
    frame = resource.query_frame(
        "SELECT * FROM (VALUES "
        "(1, 2.50::numeric(6,2), true, '2026-03-23 14:00+01'::timestamptz, DATE '2026-03-23', 'a', ARRAY[1,2]), "
        "(NULL, NULL, NULL, NULL, NULL, NULL, NULL)"
        ") AS t(n, odds, flag, at, day, label, nums) WHERE %s",
        (True,),
    )
    assert frame.dtypes.astype(str).tolist() == [
        "Int64",
        "float64",
        "boolean",
        "datetime64[ns, UTC]",
        "object",
        "object",
        "object",
    ]
    first = frame.iloc[0]
    assert (first["n"], first["odds"], first["flag"]) == (1, 2.5, True)
    assert first["at"] == pd.Timestamp("2026-03-23 13:00", tz="UTC")
    assert (first["day"], first["label"], first["nums"]) == (date(2026, 3, 23), "a", [1, 2])
    assert frame.iloc[1].isna().all()
    empty = resource.query_frame("SELECT 1::integer AS n, now() AS at WHERE false")
    assert empty.empty and empty.dtypes.astype(str).tolist() == ["Int64", "datetime64[ns, UTC]"]


@pytest.mark.postgres
def test_query_frame_reuses_one_connection_and_survives_its_loss(pg_url: str) -> None:
    resource = PostgresResource(url=pg_url)
    first = int(resource.query_frame("SELECT pg_backend_pid() AS pid")["pid"].iloc[0])
    assert int(resource.query_frame("SELECT pg_backend_pid() AS pid")["pid"].iloc[0]) == first
    # The server drops that session (restart, idle timeout): the next query reconnects.
    resource.execute("SELECT pg_terminate_backend(%s)", (first,))
    again = int(resource.query_frame("SELECT pg_backend_pid() AS pid")["pid"].iloc[0])
    assert again != first


@pytest.mark.postgres
def test_connection_commits_on_success_and_rolls_back_on_error(pg_url: str, schema: str) -> None:
    resource = PostgresResource(url=pg_url)
    resource.execute(f'CREATE SCHEMA "{schema}"')
    assert resource.execute(f'CREATE TABLE "{schema}".t (x integer)') == -1
    with resource.connection() as conn, conn.cursor() as cur:
        cur.execute(f'INSERT INTO "{schema}".t VALUES (1), (2)')
    with pytest.raises(RuntimeError, match="boom"), resource.connection() as conn:
        with conn.cursor() as cur:
            cur.execute(f'INSERT INTO "{schema}".t VALUES (3)')
        raise RuntimeError("boom")
    assert resource.execute(f'UPDATE "{schema}".t SET x = x + 10') == 2
    assert fetch_all(pg_url, f'SELECT x FROM "{schema}".t ORDER BY x') == [(11,), (12,)]


@pytest.mark.postgres
def test_resource_reads_and_writes_frames(pg_url: str, schema: str) -> None:
    resource = PostgresResource(url=pg_url)
    spec = snapshots_spec(schema)
    frame = pd.DataFrame(
        {
            "race_key": ["2026-03-23-R1C1"],
            "phase": ["h5"],
            "captured_at": [pd.Timestamp("2026-03-23 12:55", tz="UTC")],
            "number": pd.array([7], dtype="Int64"),
            "odds": [3.4],
        }
    )
    assert resource.write_frame(spec, frame, partition_values=["2026-03-23-R1C1"]).rows == 1
    pd.testing.assert_frame_equal(resource.read_frame(spec), frame)
    assert resource.get_url() == pg_url
    assert resource.masked_url == pg_url  # no password to hide on the test server


def test_bad_url_error_is_masked() -> None:
    resource = PostgresResource(url="postgresql://bob:s3cret@127.0.0.1:1/db")
    with pytest.raises(ConnectionError) as caught:
        resource.query_frame("SELECT 1")
    assert "s3cret" not in str(caught.value) and "bob:***@127.0.0.1:1/db" in str(caught.value)
