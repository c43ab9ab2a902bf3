"""What storage raises: code outside ``storage`` catches our exceptions, never the driver's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hippique_assets.storage.errors import StorageError, StorageUnavailable, TableNotFoundError
from hippique_assets.storage.postgres import UNREACHABLE, PostgresResource, query_frame

PACKAGE = Path(__file__).resolve().parents[2] / "hippique_assets"
DRIVER_IMPORT = re.compile(r"^\s*(?:import|from)\s+(?:psycopg2|psycopg|adbc_driver_\w+)\b", re.M)

pytestmark = pytest.mark.postgres


def test_a_missing_table_is_ours(pg_url: str) -> None:
    with pytest.raises(
        TableNotFoundError, match=re.escape('relation "nowhere.nothing" does not exist')
    ) as raised:
        query_frame(pg_url, "select * from nowhere.nothing")
    assert isinstance(raised.value, StorageError) and not isinstance(raised.value, UNREACHABLE)


def test_a_refused_statement_is_a_storage_error_in_one_line(pg_url: str) -> None:
    postgres = PostgresResource(url=pg_url)
    with pytest.raises(StorageError) as raised:
        postgres.query_frame("select 1 +")
    assert type(raised.value) is StorageError
    assert "syntax error" in str(raised.value) and "\n" not in str(raised.value)
    with pytest.raises(StorageError, match="division by zero"):
        postgres.execute("select 1 / 0")


def test_a_connection_lost_in_a_block_is_unavailable_and_counts_as_unreachable(fresh_pg_url: str) -> None:
    postgres = PostgresResource(url=fresh_pg_url)
    with pytest.raises(StorageUnavailable) as raised, postgres.connection() as conn, conn.cursor() as cur:
        cur.execute("select pg_terminate_backend(pg_backend_pid())")
    assert isinstance(raised.value, UNREACHABLE) and isinstance(raised.value, ConnectionError)
    # The pool dropped the dead connection: the next query works.
    assert int(postgres.query_frame("select 1 as one")["one"].iloc[0]) == 1


def test_the_messages_hide_the_password(pg_url: str) -> None:
    secret = "pw-kept-out-of-errors"
    url = pg_url.replace("postgresql://postgres@", f"postgresql://postgres:{secret}@")
    with pytest.raises(StorageError) as raised:
        query_frame(url, f"select '{secret}'::int")
    assert secret not in str(raised.value)


def test_no_module_outside_storage_imports_a_database_driver() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "storage" not in path.relative_to(PACKAGE).parts and DRIVER_IMPORT.search(path.read_text())
    ]
    assert offenders == []
