"""Postgres connections: SQL quoting, URL resolution, pooled psycopg2 connections, read queries.

The pools are kept per process (:func:`pooled`) and shared by the psycopg2 connections here and
the bulk loader's ADBC connections. Every URL is checked and masked
(:mod:`hippique_assets.storage.masking`) before a driver sees it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg2
import psycopg2.extensions
from sqlalchemy import Table, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.pool import QueuePool

from hippique_assets.storage.embedded import embedded_pg_url
from hippique_assets.storage.errors import driver_errors
from hippique_assets.storage.masking import check_url, mask_url, redact

Params = Sequence[Any] | Mapping[str, Any] | None

# Session settings of every connection we open: instants come back in UTC whatever the server's zone.
_SESSION_OPTIONS = "-c TimeZone=UTC"


def quote_ident(name: str) -> str:
    """A Postgres identifier, double-quoted."""
    if "\x00" in name:
        raise ValueError(f"identifier contains a NUL byte: {name!r}")
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """A Postgres string literal (standard-conforming strings: only quotes are doubled)."""
    if "\x00" in value:
        raise ValueError(f"Postgres text cannot hold a NUL byte: {value!r}")
    return "'" + value.replace("'", "''") + "'"


def qualified(table: Table) -> str:
    """``"schema"."table"`` for SQL."""
    return f"{quote_ident(table.schema or 'public')}.{quote_ident(table.name)}"


_url_lock = threading.Lock()
_embedded_urls: dict[str, str] = {}


def resolve_url(url: str | None, home: str | os.PathLike[str] = ".hippique") -> str:
    """The configured URL, or the embedded server's under ``home`` (started if needed)."""
    if url:
        return url.strip()
    key = str(Path(home).expanduser().resolve())
    with _url_lock:
        found = _embedded_urls.get(key)
    if found is None:
        found = embedded_pg_url(Path(key))
        with _url_lock:
            _embedded_urls[key] = found
    return found


def connect(url: str, *, autocommit: bool = False) -> psycopg2.extensions.connection:
    """A psycopg2 connection (session time zone UTC); errors name the masked URL.

    The driver's error is not chained: its message may quote the connection string.
    """
    check_url(url)
    try:
        conn = psycopg2.connect(url, options=_SESSION_OPTIONS, connect_timeout=10)
    except psycopg2.Error as exc:
        reason = redact(str(exc), url)
        raise ConnectionError(f"cannot connect to Postgres at {mask_url(url)}: {reason}".strip()) from None
    conn.autocommit = autocommit
    return conn


def _numeric_as_float(value: str | bytes | None, cur: Any) -> float | None:
    return None if value is None else float(value)


_NUMERIC_FLOAT = psycopg2.extensions.new_type((1700,), "HIPPIQUE_NUMERIC_FLOAT", _numeric_as_float)
_NUMERIC_FLOAT_ARRAY = psycopg2.extensions.new_array_type((1231,), "HIPPIQUE_NUMERIC_FLOAT[]", _NUMERIC_FLOAT)

# Result column dtypes of query_frame, by type OID.
_BOOL_OIDS = {16}
_INT_OIDS = {20, 21, 23}
_FLOAT_OIDS = {700, 701, 1700}
_TIMESTAMPTZ_OID = 1184
_TIMESTAMP_OID = 1114


_pools_lock = threading.Lock()
_pools: dict[tuple[int, str, str], QueuePool] = {}


def pooled(kind: str, url: str, factory: Callable[[str], QueuePool]) -> QueuePool:
    """This process's pool of ``kind`` connections (psycopg2, ADBC) to ``url``, made on first use.

    Keyed by process id: a forked child never uses its parent's sockets (see :func:`new_pool`).
    """
    key = (os.getpid(), kind, url)
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            # Before any driver sees the URL: their errors would quote what they could not read.
            check_url(url)
            pool = _pools[key] = factory(url)
    return pool


def new_pool(creator: Callable[[], Any]) -> QueuePool:
    """A pool of DB-API connections made by ``creator``: pinged on checkout (a dead connection is
    replaced, once), rolled back when given back."""
    pool = QueuePool(creator, pool_size=4, max_overflow=8, reset_on_return="rollback")

    @event.listens_for(pool, "checkout")
    def ping(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
                cursor.fetchall()
            finally:
                cursor.close()
            dbapi_connection.rollback()
        except Exception as exc:
            raise sa_exc.DisconnectionError(f"stale connection: {exc}") from exc

    return pool


def _psycopg2_pool(url: str) -> QueuePool:
    return new_pool(lambda: connect(url))


@contextmanager
def pooled_connection(url: str) -> Iterator[Any]:
    """A pooled psycopg2 connection in a transaction: committed on success, rolled back on error
    (and then discarded rather than reused)."""
    conn = pooled("psycopg2", url, _psycopg2_pool).connect()
    try:
        yield conn
        conn.commit()
    except BaseException:
        with suppress(Exception):
            conn.rollback()
        conn.invalidate()
        raise
    finally:
        conn.close()


def query_frame(url: str, sql: str, params: Params = None) -> pd.DataFrame:
    """Run one read query on a pooled connection and return a DataFrame.

    Dtypes follow the result's Postgres types: integers ``Int64``, booleans ``boolean``,
    numeric/real/double ``float64``, ``timestamptz`` ``datetime64[ns, UTC]``, ``timestamp``
    ``datetime64[ns]``; dates, text and arrays stay Python objects. The driver's errors are raised
    as ours (:mod:`hippique_assets.storage.errors`).
    """
    with driver_errors(url), pooled_connection(url) as conn, conn.cursor() as cur:
        psycopg2.extensions.register_type(_NUMERIC_FLOAT, cur)
        psycopg2.extensions.register_type(_NUMERIC_FLOAT_ARRAY, cur)
        cur.execute(sql, params)
        if cur.description is None:
            raise ValueError(f"query returned no result set: {sql[:200]!r}")
        rows = cur.fetchall()
        description = [(d.name, d.type_code) for d in cur.description]
    return _typed_result(rows, description)


def _typed_result(rows: list[tuple[Any, ...]], description: list[tuple[str, int]]) -> pd.DataFrame:
    names = [name for name, _ in description]
    frame = pd.DataFrame.from_records(rows, columns=names) if rows else pd.DataFrame(columns=names)
    for position, (_, oid) in enumerate(description):
        series = frame.iloc[:, position]
        typed: pd.Series
        if oid in _INT_OIDS:
            typed = series.astype("Int64")
        elif oid in _BOOL_OIDS:
            typed = series.astype("boolean")
        elif oid in _FLOAT_OIDS:
            typed = pd.to_numeric(series, errors="raise").astype("float64")
        elif oid == _TIMESTAMPTZ_OID:
            typed = pd.to_datetime(series, utc=True).astype("datetime64[ns, UTC]")
        elif oid == _TIMESTAMP_OID:
            typed = pd.to_datetime(series).astype("datetime64[ns]")
        else:
            typed = series.astype("object")
        frame.isetitem(position, typed.array)
    return frame
