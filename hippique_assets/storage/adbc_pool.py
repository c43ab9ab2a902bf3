"""ADBC connections to Postgres, pooled per process: the bulk writes and reads go through them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from adbc_driver_postgresql import dbapi as adbc
from sqlalchemy import Table
from sqlalchemy.pool import QueuePool

from hippique_assets.storage.connection import new_pool, pooled
from hippique_assets.storage.masking import mask_url, redact

# The SQLSTATE of a statement on a table that does not exist.
UNDEFINED_TABLE = "42P01"


def _adbc_pool(url: str) -> QueuePool:
    """ADBC connections of this process to ``url``, kept open: opening one costs about 45 ms here
    (the driver loads the server's type catalogue), more than a small partition write itself."""

    def connect() -> Any:
        try:
            return adbc.connect(url)
        except Exception as exc:
            raise ConnectionError(
                f"cannot connect to Postgres at {mask_url(url)}: {redact(str(exc), url)}"
            ) from None

    return new_pool(connect)


@contextmanager
def adbc_connection(url: str) -> Iterator[Any]:
    """A pooled ADBC connection (autocommit off); discarded instead of reused after an error."""
    conn = pooled("adbc", url, _adbc_pool).connect()
    try:
        yield conn
    except BaseException:
        conn.invalidate()
        raise
    finally:
        conn.close()


def missing_table(table: Table, url: str) -> str:
    return (
        f"table {table.fullname} does not exist at {mask_url(url)}: create the tables with "
        "`hippique db upgrade` (the database migrations)"
    )
