"""The database migrations of the platform's tables (Alembic), as functions and ``hippique db``.

The migrations live in ``hippique_assets/migrations``; their target is the metadata of the table
declarations. A deploy runs :func:`upgrade` (``hippique db upgrade``) before starting the code
server; local processes run it themselves on first use of a database (see
:class:`~hippique_assets.storage.postgres.PostgresResource`). The version is kept in
``public.hippique_schema_version``, apart from the ``alembic_version`` of Dagster's own storage
should both share a database.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import NullPool

from hippique_assets.storage.connection import connect
from hippique_assets.storage.masking import mask_url

VERSION_TABLE = "hippique_schema_version"
LOCK_KEY = "hippique.migrations"

_log = logging.getLogger(__name__)
_done_lock = threading.Lock()
_done: set[str] = set()


def engine_for(url: str) -> Engine:
    """An engine on ``url`` (a URL or a libpq keyword string) through psycopg2, session zone UTC."""
    return create_engine("postgresql+psycopg2://", creator=lambda: connect(url), poolclass=NullPool)


@cache
def script_location() -> str:
    return str(resources.files("hippique_assets") / "migrations")


def _config(url: str, version_locations: Sequence[Path] = ()):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", script_location())
    if version_locations:
        locations = [str(Path(script_location()) / "versions"), *map(str, version_locations)]
        config.set_main_option("version_locations", " ".join(locations))
        config.set_main_option("path_separator", "space")
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head", *, version_locations: Sequence[Path] = ()) -> None:
    """Bring the database at ``url`` to ``revision`` (idempotent; safe from several processes)."""
    from alembic import command

    command.upgrade(_config(url, version_locations), revision)


def downgrade(url: str, revision: str, *, version_locations: Sequence[Path] = ()) -> None:
    from alembic import command

    command.downgrade(_config(url, version_locations), revision)


def current_revision(url: str) -> str | None:
    """The revision the database is at (None before the first upgrade)."""
    from alembic.runtime.migration import MigrationContext

    with engine_for(url).connect() as connection:
        return MigrationContext.configure(
            connection, opts={"version_table": VERSION_TABLE}
        ).get_current_revision()


def head_revision(version_locations: Sequence[Path] = ()) -> str:
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(_config("", version_locations)).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads: {heads}")
    return heads[0]


def upgrade_reported(url: str, revision: str = "head") -> str:
    """:func:`upgrade` to ``revision``; returns ``"<masked url>: <before> -> <after>"`` for a console."""
    before = current_revision(url)
    upgrade(url, revision)
    return f"{_masked(url)}: {before or 'empty'} -> {current_revision(url)}"


def upgrade_once(url: str) -> None:
    """:func:`upgrade` the first time this process uses ``url``; a no-op afterwards."""
    with _done_lock:
        if url in _done:
            return
        before, head = current_revision(url), head_revision()
        if before != head:
            upgrade(url)
            _log.info("tables at %s migrated from %s to %s", _masked(url), before or "empty", head)
        _done.add(url)


def _masked(url: str) -> str:
    return mask_url(url)
