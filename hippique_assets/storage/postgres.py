"""Postgres access: the Dagster resource, table creation from declarations, and URL masking.

:class:`PostgresResource` resolves the server (a configured URL, or the embedded pgserver under
``home``), hands out transactional psycopg2 connections and answers small queries fast on one
connection kept per process. :func:`ensure_table` creates or widens a table from its
:class:`~hippique_assets.storage.tables.TableSpec`; it never drops anything.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pandas as pd
import psycopg2
import psycopg2.extensions
from dagster import ConfigurableResource, EnvVar

from hippique_assets.storage.embedded import embedded_pg_url
from hippique_assets.storage.tables import TableSpec

if TYPE_CHECKING:
    from hippique_assets.storage.bulk import WriteStats

Params = Sequence[Any] | Mapping[str, Any] | None

_log = logging.getLogger(__name__)

# Session settings of every connection we open: instants come back in UTC whatever the server's zone.
_SESSION_OPTIONS = "-c TimeZone=UTC"
_SECRET_QUERY_KEYS = {"password", "sslpassword", "passfile"}
_PG_TYPE = re.compile(r"^[a-z][a-z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?(\[\])*$")
_DDL_LOCK = "hippique.ensure_table"


def mask_url(url: str) -> str:
    """``url`` with any password replaced by ``***``, safe to log or show.

    Handles ``postgresql://user:secret@host/db``, ``?password=secret`` query parameters and libpq
    keyword strings (``host=h password=secret``).
    """
    if "://" not in url:
        return re.sub(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", r"\1***", url, flags=re.IGNORECASE)
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostinfo = netloc.rpartition("@")
        user, sep, password = userinfo.partition(":")
        if sep and password:
            netloc = f"{user}:***@{hostinfo}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(k.lower() in _SECRET_QUERY_KEYS for k, _ in pairs):
            masked = [(k, "***" if k.lower() in _SECRET_QUERY_KEYS else v) for k, v in pairs]
            query = urlencode(masked, safe="/:")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


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


def qualified(spec: TableSpec) -> str:
    """``"schema"."table"`` for SQL."""
    return f"{quote_ident(spec.schema)}.{quote_ident(spec.name)}"


# ---------------------------------------------------------------------------------------------
# Tables from declarations


def _check_type(spec: TableSpec, pg_type: str, column: str) -> str:
    normalized = " ".join(pg_type.strip().lower().split())
    if not _PG_TYPE.match(normalized):
        raise ValueError(f"{spec.qualified_name}.{column}: unsupported Postgres type {pg_type!r}")
    return normalized


def _existing_columns(cur: Any, spec: TableSpec) -> list[str] | None:
    """Column names of the table, or None when it does not exist."""
    regclass = quote_literal(qualified(spec))
    cur.execute(f"SELECT to_regclass({regclass}) IS NOT NULL")
    (exists,) = cur.fetchone()
    if not exists:
        return None
    cur.execute(
        "SELECT attname FROM pg_catalog.pg_attribute "
        f"WHERE attrelid = {regclass}::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum"
    )
    return [row[0] for row in cur.fetchall()]


def create_table_sql(spec: TableSpec) -> str:
    """The ``CREATE TABLE IF NOT EXISTS`` statement of a declaration."""
    lines = []
    for col in spec.columns:
        pg_type = _check_type(spec, col.pg_type, col.name)
        lines.append(f"{quote_ident(col.name)} {pg_type}{'' if col.nullable else ' NOT NULL'}")
    if spec.primary_key:
        lines.append(f"PRIMARY KEY ({', '.join(quote_ident(c) for c in spec.primary_key)})")
    for unique in spec.unique_keys:
        lines.append(f"UNIQUE ({', '.join(quote_ident(c) for c in unique)})")
    body = ",\n  ".join(lines)
    return f"CREATE TABLE IF NOT EXISTS {qualified(spec)} (\n  {body}\n)"


def ensure_table(conn: Any, spec: TableSpec) -> list[str]:
    """Create ``spec``'s schema and table if missing and add declared columns that are missing.

    Works on any DB-API connection to Postgres (psycopg2 or ADBC); runs in the connection's current
    transaction, so the caller commits. A column declared after the table was created is added as
    nullable (existing rows have no value for it, so NOT NULL could not hold); nothing is ever
    dropped or retyped. Returns the names of the columns added to an existing table.
    """
    cur = conn.cursor()
    try:
        existing = _existing_columns(cur, spec)
        if existing is not None and not set(spec.column_names) - set(existing):
            return []
        # DDL from concurrent processes (two run workers creating the same schema) is serialised.
        cur.execute(f"SELECT pg_advisory_xact_lock(hashtext({quote_literal(_DDL_LOCK)}))")
        cur.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(spec.schema)}")
        created = existing is None
        cur.execute(create_table_sql(spec))
        existing = _existing_columns(cur, spec) or []
        added = []
        for col in spec.columns:
            if col.name in existing:
                continue
            pg_type = _check_type(spec, col.pg_type, col.name)
            cur.execute(
                f"ALTER TABLE {qualified(spec)} ADD COLUMN IF NOT EXISTS {quote_ident(col.name)} {pg_type}"
            )
            added.append(col.name)
        part = spec.partition_column
        if part and (not spec.primary_key or spec.primary_key[0] != part):
            # Partition deletes and reads filter on this column; the primary key index covers it
            # only when it leads the key.
            index = quote_ident(f"{spec.name}_{part}_idx")
            cur.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {qualified(spec)} ({quote_ident(part)})")
        if added and not created:
            _log.warning("%s: added columns %s (nullable)", spec.qualified_name, added)
        return added
    finally:
        cur.close()


# ---------------------------------------------------------------------------------------------
# URL resolution and connections

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
    """A psycopg2 connection (session time zone UTC); errors name the masked URL."""
    try:
        conn = psycopg2.connect(url, options=_SESSION_OPTIONS, connect_timeout=10)
    except psycopg2.OperationalError as exc:
        raise ConnectionError(f"cannot connect to Postgres at {mask_url(url)}: {exc}".strip()) from exc
    conn.autocommit = autocommit
    return conn


def _numeric_as_float(value: str | None, cur: Any) -> float | None:
    return None if value is None else float(value)


_NUMERIC_FLOAT = psycopg2.extensions.new_type((1700,), "HIPPIQUE_NUMERIC_FLOAT", _numeric_as_float)
_NUMERIC_FLOAT_ARRAY = psycopg2.extensions.new_array_type((1231,), "HIPPIQUE_NUMERIC_FLOAT[]", _NUMERIC_FLOAT)

# Result column dtypes of query_frame, by type OID.
_BOOL_OIDS = {16}
_INT_OIDS = {20, 21, 23}
_FLOAT_OIDS = {700, 701, 1700}
_TIMESTAMPTZ_OID = 1184
_TIMESTAMP_OID = 1114


class _SharedConnection:
    """One autocommit connection per (process, URL) for small read queries.

    Reused across calls so a sensor's query every 30 s costs one round trip, not a connection;
    re-opened after a fork (a child must never use its parent's socket) or when the server
    dropped it.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.lock = threading.Lock()
        self.pid = -1
        self.conn: psycopg2.extensions.connection | None = None

    def _open(self) -> psycopg2.extensions.connection:
        conn = connect(self.url, autocommit=True)
        psycopg2.extensions.register_type(_NUMERIC_FLOAT, conn)
        psycopg2.extensions.register_type(_NUMERIC_FLOAT_ARRAY, conn)
        self.conn, self.pid = conn, os.getpid()
        return conn

    def get(self) -> psycopg2.extensions.connection:
        if self.conn is None or self.conn.closed or self.pid != os.getpid():
            return self._open()
        return self.conn

    def drop(self) -> None:
        if self.conn is not None and self.pid == os.getpid() and not self.conn.closed:
            self.conn.close()
        self.conn = None


_shared_lock = threading.Lock()
_shared: dict[str, _SharedConnection] = {}


def _shared_connection(url: str) -> _SharedConnection:
    with _shared_lock:
        shared = _shared.get(url)
        if shared is None:
            shared = _shared[url] = _SharedConnection(url)
        return shared


def query_frame(url: str, sql: str, params: Params = None) -> pd.DataFrame:
    """Run one read query on the process's shared connection and return a DataFrame.

    Dtypes follow the result's Postgres types: integers ``Int64``, booleans ``boolean``,
    numeric/real/double ``float64``, ``timestamptz`` ``datetime64[ns, UTC]``, ``timestamp``
    ``datetime64[ns]``; dates, text and arrays stay Python objects. A dropped connection is
    re-opened and the query tried once more.
    """
    shared = _shared_connection(url)
    with shared.lock:
        for attempt in (1, 2):
            conn = shared.get()
            try:
                with conn.cursor() as cur:
                    cur.execute(sql, params)
                    if cur.description is None:
                        raise ValueError(f"query returned no result set: {sql[:200]!r}")
                    rows = cur.fetchall()
                    description = [(d.name, d.type_code) for d in cur.description]
                break
            except (psycopg2.OperationalError, psycopg2.InterfaceError):
                shared.drop()
                if attempt == 2:
                    raise
    return _typed_result(rows, description)


def _typed_result(rows: list[tuple[Any, ...]], description: list[tuple[str, int]]) -> pd.DataFrame:
    names = [name for name, _ in description]
    frame = pd.DataFrame.from_records(rows, columns=names) if rows else pd.DataFrame(columns=names)
    for position, (_, oid) in enumerate(description):
        series = frame.iloc[:, position]
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
        frame.isetitem(position, typed)
    return frame


# ---------------------------------------------------------------------------------------------
# Dagster resource


class PostgresResource(ConfigurableResource):
    """The platform's Postgres: ``url`` when set, else an embedded server under ``home``.

    ``url`` may carry a password; it is only ever shown through :func:`mask_url`.
    """

    url: str | None = None
    home: str = ".hippique"

    def get_url(self) -> str:
        """The server's URL (the embedded server is started on first use, once per process)."""
        url = self.url
        if isinstance(url, EnvVar):
            # Outside a Dagster run (CLI, sensor tests) the EnvVar reference is not resolved for us.
            url = url.get_value()
        return resolve_url(url, self.home)

    @property
    def masked_url(self) -> str:
        """The URL with its password hidden, for logs and metadata."""
        return mask_url(self.get_url())

    @contextmanager
    def connection(self) -> Iterator[psycopg2.extensions.connection]:
        """A new psycopg2 connection in a transaction: committed on success, rolled back on error."""
        conn = connect(self.get_url())
        try:
            yield conn
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        finally:
            conn.close()

    def query_frame(self, sql: str, params: Params = None) -> pd.DataFrame:
        """One read query as a DataFrame (see :func:`query_frame`), on a connection kept per process."""
        return query_frame(self.get_url(), sql, params)

    def execute(self, sql: str, params: Params = None) -> int:
        """Run one statement in its own transaction; returns the affected row count (-1 if none)."""
        with self.connection() as conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.rowcount

    def ensure_table(self, spec: TableSpec) -> list[str]:
        """Create or widen ``spec``'s table (see :func:`ensure_table`)."""
        with self.connection() as conn:
            return ensure_table(conn, spec)

    def write_frame(
        self, spec: TableSpec, df: pd.DataFrame, *, partition_values: Sequence[Any] | None = None
    ) -> WriteStats:
        """Write ``df`` into ``spec``'s table (see :func:`hippique_assets.storage.bulk.write_frame`)."""
        from hippique_assets.storage.bulk import write_frame

        return write_frame(self.get_url(), spec, df, partition_values=partition_values)

    def read_frame(
        self,
        spec: TableSpec,
        *,
        partition_values: Sequence[Any] | None = None,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Read ``spec``'s table (see :func:`hippique_assets.storage.bulk.read_frame`)."""
        from hippique_assets.storage.bulk import read_frame

        return read_frame(self.get_url(), spec, partition_values=partition_values, columns=columns)
