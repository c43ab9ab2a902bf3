"""Postgres access: the Dagster resource, pooled connections and URL masking.

:class:`PostgresResource` resolves the server (a configured URL, or the embedded pgserver under
``home``), hands out transactional psycopg2 connections and answers small queries as DataFrames.
Connections come from SQLAlchemy pools kept per process (:func:`pooled`), the same pools the
bulk loader uses for its ADBC connections. Tables are created and evolved by the migrations
(:mod:`hippique_assets.storage.migrate`), never here.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

import pandas as pd
import psycopg2
import psycopg2.extensions
from dagster import ConfigurableResource, EnvVar
from sqlalchemy import Table, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.pool import QueuePool

from hippique_assets.errors import first_line
from hippique_assets.storage.embedded import embedded_pg_url

if TYPE_CHECKING:
    from hippique_assets.storage.bulk import WriteStats

Params = Sequence[Any] | Mapping[str, Any] | None


# Session settings of every connection we open: instants come back in UTC whatever the server's zone.
_SESSION_OPTIONS = "-c TimeZone=UTC"
_SECRET_QUERY_KEYS = {"password", "sslpassword", "passfile"}

# ---------------------------------------------------------------------------------------------
# Passwords kept out of what is shown: masked URLs, redacted driver errors, refused strings

MASK = "***"

# libpq reads a URI only after its scheme; anything else is a keyword/value string.
_URI_RE = re.compile(r"\s*[A-Za-z][A-Za-z0-9+.-]*://")
# A keyword's value: quoted (backslash escapes; an unclosed quote runs to the end) or up to a space.
_KEYWORD_SECRET_RE = re.compile(
    r"((?:ssl)?password|passfile)(\s*=\s*)('(?:[^'\\]|\\.?)*'?|(?:[^\s\\]|\\.?)+)",
    re.IGNORECASE | re.DOTALL,
)
# In a string libpq cannot parse, where the value ends is a guess: hide all that follows.
_KEYWORD_SECRET_TO_END_RE = re.compile(r"((?:ssl)?password|passfile)(\s*=\s*)(.+)", re.IGNORECASE | re.DOTALL)
# "user:secret@host" without a scheme libpq knows (a mistyped URL): from the first ':' to the last '@'.
_LOOSE_USERINFO_RE = re.compile(r"(?<=:)\S+(?=@)")
_QUERY_PARAM_RE = re.compile(r"[?&]([^?&=]*)=([^&]*)")
_QUOTED_RE = re.compile(r'"([^"]*)"')
# Where libpq may cut a password written unencoded, leaving pieces of it in other fields.
_PIECES_RE = re.compile(r"[@/:?#&=\s]+")


class ConnectionStringError(ConnectionError):
    """A Postgres URL or keyword/value string that libpq cannot read as it is written."""


def _hide(found: list[str]) -> Callable[[str], str]:
    def hide(secret: str) -> str:
        found.append(secret)
        return MASK

    return hide


def _uri_secret_spans(url: str) -> list[tuple[int, int]]:
    """Where a URI's secrets are: from the first ':' after ``//`` to the LAST '@' (a password may
    hold '#', '?', '/' or '@'; hiding too much is the safe side), and each secret parameter's value
    wherever a '?' or '&' starts one. Overlapping spans are merged."""
    start = url.index("://") + 3
    at = url.rfind("@")
    colon = url.find(":", start, at) if at >= start else -1
    spans = [(colon + 1, at)] if 0 <= colon < at - 1 else []
    for match in _QUERY_PARAM_RE.finditer(url, start):
        # libpq decodes the keys too: pass%77ord is a password.
        if match.group(2) and unquote(match.group(1)).strip().lower() in _SECRET_QUERY_KEYS:
            spans.append(match.span(2))
    merged: list[tuple[int, int]] = []
    for begin, end in sorted(spans):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    return merged


def _mask_uri(url: str, hide: Callable[[str], str]) -> str:
    parts, position = [], 0
    for begin, end in _uri_secret_spans(url):
        parts += [url[position:begin], hide(url[begin:end])]
        position = end
    return "".join([*parts, url[position:]])


def _mask(url: str, found: list[str]) -> str:
    hide = _hide(found)
    if _URI_RE.match(url):
        return _mask_uri(url, hide)
    keyword = _KEYWORD_SECRET_RE if _libpq_fields(url) is not None else _KEYWORD_SECRET_TO_END_RE
    masked = keyword.sub(lambda m: f"{m.group(1)}{m.group(2)}{hide(m.group(3))}", url)
    return _LOOSE_USERINFO_RE.sub(lambda m: hide(m.group()), masked)


def mask_url(url: str) -> str:
    """``url`` with any password replaced by ``***``, safe to log or show.

    Handles ``postgresql://user:secret@host/db`` whatever the password holds (everything between the
    user's ``:`` and the last ``@`` is hidden), ``?password=secret`` query parameters (keys
    percent-encoded or not) and libpq keyword strings (``host=h password='a secret'``).
    """
    return _mask(url, [])


def _libpq_fields(url: str) -> dict[str, str] | None:
    """The connection string's fields as libpq reads them; None when it cannot."""
    try:
        return psycopg2.extensions.parse_dsn(url)
    except (psycopg2.Error, ValueError):  # ValueError: a NUL or a lone surrogate
        return None


def _libpq_passwords(url: str) -> list[str]:
    """The passwords as libpq reads them (it may cut a password written unencoded elsewhere)."""
    parsed = _libpq_fields(url) or {}
    return [parsed[key] for key in ("password", "sslpassword") if parsed.get(key)]


def _unquoted(value: str) -> str:
    """A keyword/value string's value as libpq reads it: outer quotes off, backslash escapes undone."""
    if value.startswith("'"):
        value = value[1:-1] if len(value) > 1 and value.endswith("'") else value[1:]
    return re.sub(r"\\(.)", r"\1", value, flags=re.DOTALL)


def url_secrets(url: str) -> set[str]:
    """Every form the passwords of ``url`` may take in a message: as written, percent-decoded,
    percent-encoded, unquoted and unescaped (keyword strings), and as libpq reads them."""
    written: list[str] = []
    _mask(url, written)
    forms: set[str] = set()
    for secret in [*written, *_libpq_passwords(url)]:
        for form in (secret, _unquoted(secret)):
            forms |= {form, unquote(form), *_percent_encoded(form), *_percent_encoded(unquote(form))}
    return {form for form in forms if form}


def _percent_encoded(text: str) -> set[str]:
    """``text`` percent-encoded; a string read from the environment keeps bytes that are not UTF-8
    as lone surrogates, encoded back to those bytes when possible."""
    forms = {quote(text, safe="", errors="surrogatepass")}
    with suppress(UnicodeEncodeError):
        forms.add(quote(text, safe="", errors="surrogateescape"))
    return forms


def redact(text: str, url: str) -> str:
    """``text`` (a driver's error message, say) with nothing of ``url``'s passwords: the URL itself
    masked, every form of a password, and every double-quoted token holding a piece of one (libpq
    quotes the host, port or database it read, which may be cut out of an unencoded password),
    replaced by ``***``."""
    secrets = url_secrets(url)
    if not secrets:
        return text
    text = text.replace(url, mask_url(url))
    pieces = {piece for secret in secrets for piece in _PIECES_RE.split(secret) if piece}

    def token(match: re.Match[str]) -> str:
        inner = match.group(1)
        holds = inner and (any(inner in s for s in secrets) or any(p in inner for p in pieces))
        return f'"{MASK}"' if holds else match.group()

    text = _QUOTED_RE.sub(token, text)
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def _bare_punctuation(match: re.Match[str]) -> str:
    return match.group() if re.fullmatch(r"[^\w\s]?", match.group(1)) else f'"{MASK}"'


def _misread_uri(url: str, parsed: dict[str, str]) -> bool:
    """Whether libpq cut an unencoded '@' or '/' of a URI's password (a host with '@' in it, not a
    socket folder, or a port that is not numbers), or the URI holds spaces, which newer libpq refuses."""
    if not _URI_RE.match(url):
        return False
    host, port = parsed.get("host", ""), parsed.get("port", "")
    misread = ("@" in host and not host.startswith("/")) or re.fullmatch(r"[\d,\s]*", port) is None
    # The ADBC driver's libpq quotes the text around an unencoded space in its refusal.
    return misread or re.search(r"\s", url.strip()) is not None


def check_url(url: str) -> None:
    """Refuse a connection string that libpq cannot read as written, before a driver echoes it.

    libpq quotes what it could not parse (a bad percent-encoding, a value with a space) and reads an
    unencoded '@' or '/' in a URI's password as the end of it, the rest landing in the host or the
    port: its messages would then carry pieces of the password.
    """
    try:
        parsed = psycopg2.extensions.parse_dsn(url)
    except (psycopg2.Error, ValueError) as exc:
        # What libpq quotes is a piece of the string it could not read: only lone punctuation is shown.
        reason = _QUOTED_RE.sub(_bare_punctuation, redact(first_line(exc), url))
        raise ConnectionStringError(
            f"Postgres connection string {mask_url(url)} is not valid: {reason}"
        ) from None
    if _misread_uri(url, parsed):
        raise ConnectionStringError(
            f"Postgres connection string {mask_url(url)} is not valid: its host or port holds text "
            "that is neither, or it holds spaces (percent-encode '@', '/' and spaces in a password)"
        )


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
    ``datetime64[ns]``; dates, text and arrays stay Python objects.
    """
    with pooled_connection(url) as conn, conn.cursor() as cur:
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

    ``url`` may carry a password; it is only ever shown through :func:`mask_url`. With ``migrate``
    (local environments), the first use of the database in a process brings its tables to the
    latest migration; production runs ``hippique db upgrade`` as a deploy step instead.
    """

    url: str | None = None
    home: str = ".hippique"
    migrate: bool = False

    def get_url(self) -> str:
        """The server's URL (the embedded server is started on first use, once per process)."""
        url = self.url
        if isinstance(url, EnvVar):
            # Outside a Dagster run (CLI, sensor tests) the EnvVar reference is not resolved for us.
            url = url.get_value()
        resolved = resolve_url(url, self.home)
        if self.migrate:
            from hippique_assets.storage.migrate import upgrade_once

            upgrade_once(resolved)
        return resolved

    @property
    def masked_url(self) -> str:
        """The URL with its password hidden, for logs and metadata."""
        return mask_url(self.get_url())

    @contextmanager
    def connection(self) -> Iterator[psycopg2.extensions.connection]:
        """A pooled psycopg2 connection in a transaction: committed on success, rolled back on error."""
        with pooled_connection(self.get_url()) as conn:
            yield conn

    def query_frame(self, sql: str, params: Params = None) -> pd.DataFrame:
        """One read query as a DataFrame (see :func:`query_frame`), on a connection kept per process."""
        return query_frame(self.get_url(), sql, params)

    def table_exists(self, qualified: str) -> bool:
        """Whether ``schema.table`` exists (a database before its first migration has none)."""
        found = self.query_frame("select to_regclass(%(name)s) is not null as present", {"name": qualified})
        return bool(found["present"].iloc[0])

    def execute(self, sql: str, params: Params = None) -> int:
        """Run one statement in its own transaction; returns the affected row count (-1 if none)."""
        with self.connection() as conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.rowcount

    def write_frame(
        self, spec: Table, df: pd.DataFrame, *, partition_values: Sequence[Any] | None = None
    ) -> WriteStats:
        """Write ``df`` into ``spec``'s table (see :func:`hippique_assets.storage.bulk.write_frame`)."""
        from hippique_assets.storage.bulk import write_frame

        return write_frame(self.get_url(), spec, df, partition_values=partition_values)

    def read_frame(
        self,
        spec: Table,
        *,
        partition_values: Sequence[Any] | None = None,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Read ``spec``'s table (see :func:`hippique_assets.storage.bulk.read_frame`)."""
        from hippique_assets.storage.bulk import read_frame

        return read_frame(self.get_url(), spec, partition_values=partition_values, columns=columns)
