"""An embedded PostgreSQL server (``pgserver``) for local use when no server is configured.

The server lives under ``<home>/pgdata`` and listens on a Unix socket only. Several processes share
it (``dagster dev``'s webserver, daemon and code server, short-lived run workers, the CLI): the first
call starts it, later calls in any process find it running and reuse it.

The server is left running when a process exits (pgserver ``cleanup_mode=None``). pgserver's
reference counting (``cleanup_mode="stop"``) would stop it whenever the last registered process
exits, so every short run worker would pay a start and a stop, and a process that exits without
running its exit hooks is never unregistered anyway. Stop it on purpose with :func:`stop_embedded_pg`.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import psycopg2
from psycopg2 import errors as pg_errors

DATABASE = "hippique"
"""The database created in the embedded server for the platform's tables."""

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_urls: dict[Path, str] = {}


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be started or reached; names its data folder."""


PGSERVER_MISSING = (
    "no PostgreSQL server is configured and the embedded one (pgserver) is not installed: set "
    "HIPPIQUE_PG_URL to a server, or install the embedded extra (hippique_assets[embedded], part of dev)"
)


def _pgserver() -> Any:
    """The pgserver module, imported on first use: it is an optional extra, absent in production."""
    # platformdirs warns on import when XDG_RUNTIME_DIR is unset (containers, CI): harmless here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import pgserver
        except ModuleNotFoundError as exc:
            if exc.name != "pgserver":
                raise
            raise EmbeddedPostgresError(PGSERVER_MISSING) from None

    return pgserver


def pgdata_dir(home: Path | str) -> Path:
    """The data folder of the embedded server under ``home``."""
    return Path(home).expanduser().resolve() / "pgdata"


def embedded_pg_url(home: Path | str) -> str:
    """Start (or reuse) the embedded PostgreSQL under ``home/pgdata`` and return its URL.

    The URL points at the ``hippique`` database (created on first use) through the server's Unix
    socket, e.g. ``postgresql://postgres:@/hippique?host=/path/to/socket``. Safe to call from
    several processes and threads at once; the answer is cached per process.
    """
    pgdata = pgdata_dir(home)
    with _lock:
        cached = _urls.get(pgdata)
        if cached is not None and _socket_alive(cached):
            return cached
        pgserver = _pgserver()
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        try:
            with _folder_lock(pgdata):
                server = pgserver.get_server(pgdata, cleanup_mode=None)
                # A server stopped behind our back (stop_embedded_pg, reboot) is started again.
                server.ensure_postgres_running()
                admin_url = server.get_uri("postgres")
        except Exception as exc:
            raise EmbeddedPostgresError(f"cannot start the embedded PostgreSQL in {pgdata}: {exc}") from exc
        _ensure_database(admin_url, pgdata)
        url = server.get_uri(DATABASE)
        _urls[pgdata] = url
        _log.info("embedded PostgreSQL ready in %s", pgdata)
        return url


@contextmanager
def _folder_lock(pgdata: Path) -> Iterator[None]:
    """An exclusive lock between processes starting or stopping the server of ``pgdata``."""
    with open(pgdata.parent / f".{pgdata.name}.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _socket_alive(url: str) -> bool:
    """Whether the socket in a cached URL still exists (the server may have been stopped)."""
    _, _, host = url.partition("?host=")
    return not host or (Path(host).is_dir() and any(Path(host).glob(".s.PGSQL.*")))


def _ensure_database(admin_url: str, pgdata: Path) -> None:
    try:
        conn = psycopg2.connect(admin_url, connect_timeout=10)
    except psycopg2.Error as exc:
        raise EmbeddedPostgresError(f"embedded PostgreSQL in {pgdata} does not answer: {exc}") from exc
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
            if cur.fetchone() is None:
                # Another process may create it between our check and our CREATE.
                with suppress(pg_errors.DuplicateDatabase, pg_errors.UniqueViolation):
                    cur.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        conn.close()


def stop_embedded_pg(home: Path | str) -> bool:
    """Stop the embedded server under ``home`` if it runs; returns whether it was running.

    Every process using it loses its connections, so call this only when nothing else needs it
    (tests, ``hippique`` maintenance commands).
    """
    pgdata = pgdata_dir(home)
    with _lock:
        _urls.pop(pgdata, None)
        if not (pgdata / "postmaster.pid").exists():
            return False
        pgserver = _pgserver()
        user = "pgserver" if hasattr(os, "geteuid") and os.geteuid() == 0 else None
        try:
            with _folder_lock(pgdata):
                pgserver.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=30)
        except Exception as exc:
            raise EmbeddedPostgresError(f"cannot stop the embedded PostgreSQL in {pgdata}: {exc}") from exc
        return True
