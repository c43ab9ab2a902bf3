"""PostgresResource, its pooled connections and mask_url against the machine's real Postgres."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from hippique_assets.storage.postgres import PostgresResource, mask_url, quote_ident, quote_literal
from hippique_assets_tests.storage.sample_tables import created, fetch_all, snapshots_spec


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql://bob:s3cret@db.example:5432/prod", "postgresql://bob:***@db.example:5432/prod"),
        ("postgresql://bob:p%40ss@db/prod?sslmode=require", "postgresql://bob:***@db/prod?sslmode=require"),
        ("postgresql://bob@db/prod", "postgresql://bob@db/prod"),
        ("postgresql://postgres:@/hippique?host=/tmp/pg", "postgresql://postgres:@/hippique?host=/tmp/pg"),
        ("postgresql://db/prod?user=bob&password=s3cret", "postgresql://db/prod?user=bob&password=***"),
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
def test_query_frame_reuses_a_pooled_connection_and_survives_its_loss(pg_url: str) -> None:
    resource = PostgresResource(url=pg_url)
    first = int(resource.query_frame("SELECT pg_backend_pid() AS pid")["pid"].iloc[0])
    assert int(resource.query_frame("SELECT pg_backend_pid() AS pid")["pid"].iloc[0]) == first
    # The server drops that session (restart, idle timeout): the next query reconnects.
    fetch_all(pg_url, f"SELECT pg_terminate_backend({first})")
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
    spec = created(pg_url, snapshots_spec(schema))
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
