"""Postgres access: the Dagster resource, and what callers outside ``storage`` catch.

:class:`PostgresResource` resolves the server (a configured URL, or the embedded pgserver under
``home``), hands out transactional psycopg2 connections, answers small queries as DataFrames and
writes and reads whole tables through the bulk loader. What goes wrong is raised as the exceptions
of :mod:`hippique_assets.storage.errors` (a missing table, an unreachable server, a refused
statement), never as the driver's. Connections and pools live in
:mod:`hippique_assets.storage.connection`, URL masking in :mod:`hippique_assets.storage.masking`;
both are re-exported here. Tables are created and evolved by the migrations
(:mod:`hippique_assets.storage.migrate`), never here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pandas as pd
import psycopg2.extensions
from dagster import ConfigurableResource, EnvVar
from sqlalchemy import Table

from hippique_assets.storage.bulk_read import read_frame
from hippique_assets.storage.bulk_write import WriteStats, write_frame
from hippique_assets.storage.connection import (
    Params,
    connect,
    new_pool,
    pooled,
    pooled_connection,
    qualified,
    query_frame,
    quote_ident,
    quote_literal,
    resolve_url,
)
from hippique_assets.storage.errors import (
    UNREACHABLE,
    StorageError,
    StorageUnavailable,
    TableNotFoundError,
    driver_errors,
)
from hippique_assets.storage.masking import (
    MASK,
    ConnectionStringError,
    check_url,
    mask_url,
    redact,
    url_secrets,
)
from hippique_assets.storage.migrate import upgrade_once

__all__ = [
    "MASK",
    "UNREACHABLE",
    "ConnectionStringError",
    "Params",
    "PostgresResource",
    "StorageError",
    "StorageUnavailable",
    "TableNotFoundError",
    "check_url",
    "connect",
    "mask_url",
    "new_pool",
    "pooled",
    "pooled_connection",
    "qualified",
    "query_frame",
    "quote_ident",
    "quote_literal",
    "redact",
    "resolve_url",
    "url_secrets",
]


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
            upgrade_once(resolved)
        return resolved

    @property
    def masked_url(self) -> str:
        """The URL with its password hidden, for logs and metadata."""
        return mask_url(self.get_url())

    @contextmanager
    def connection(self) -> Iterator[psycopg2.extensions.connection]:
        """A pooled psycopg2 connection in a transaction: committed on success, rolled back on error
        (the driver's errors in the block are raised as :class:`StorageError` and its kinds)."""
        url = self.get_url()
        with driver_errors(url), pooled_connection(url) as conn:
            yield conn

    def query_frame(self, sql: str, params: Params = None) -> pd.DataFrame:
        """One read query as a DataFrame (see :func:`query_frame`), on a connection kept per process;
        a table it reads that does not exist raises :class:`TableNotFoundError`."""
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
        """Write ``df`` into ``spec``'s table (see :func:`hippique_assets.storage.bulk_write.write_frame`)."""
        return write_frame(self.get_url(), spec, df, partition_values=partition_values)

    def read_frame(
        self,
        spec: Table,
        *,
        partition_values: Sequence[Any] | None = None,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Read ``spec``'s table (see :func:`hippique_assets.storage.bulk_read.read_frame`)."""
        return read_frame(self.get_url(), spec, partition_values=partition_values, columns=columns)
