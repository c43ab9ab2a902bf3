"""What storage raises, so that code outside ``storage`` tells a refused frame, a missing table, an
unreachable server and a refused statement apart without knowing the database driver."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
import psycopg2.errors

from hippique_assets.errors import first_line
from hippique_assets.storage.embedded import EmbeddedPostgresError
from hippique_assets.storage.masking import redact


class FrameValidationError(ValueError):
    """A frame that cannot be written to its table: names the table, column and offending values."""


class StorageError(Exception):
    """The database refused or could not run a statement."""


class BulkWriteError(StorageError, RuntimeError):
    """The database refused a write; the transaction was rolled back and the table is unchanged."""


class TableNotFoundError(StorageError, LookupError):
    """A table that does not exist (the migrations were not run: ``hippique db upgrade``)."""


class StorageUnavailable(StorageError, ConnectionError):
    """The server cannot be reached right now (down, restarting, connection lost): try again later."""


# What a query raises when Postgres cannot be reached (as opposed to a wrong query), so that callers
# outside storage tell "try again later" from a bug: ours, and the driver's for code that still holds
# a raw connection.
UNREACHABLE: tuple[type[Exception], ...] = (
    ConnectionError,
    EmbeddedPostgresError,
    psycopg2.OperationalError,
    psycopg2.InterfaceError,
)


@contextmanager
def driver_errors(url: str | None = None) -> Iterator[None]:
    """Raise the driver's errors of the block as ours: :class:`TableNotFoundError` for a missing
    table, :class:`StorageUnavailable` for a lost or refused connection, :class:`StorageError` for
    any other refusal. The message is the driver's first line, with ``url``'s secrets hidden."""
    try:
        yield
    except psycopg2.Error as exc:
        message = first_line(exc)
        if url:
            message = redact(message, url)
        if isinstance(exc, psycopg2.errors.UndefinedTable):
            raise TableNotFoundError(message) from exc
        if isinstance(exc, psycopg2.OperationalError | psycopg2.InterfaceError):
            raise StorageUnavailable(message) from exc
        raise StorageError(message) from exc
