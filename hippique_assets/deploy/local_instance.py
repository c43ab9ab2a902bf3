"""The local Dagster instance: Dagster's SQLite storage, opened without parsing Dagster's migration
scripts again once its databases carry a revision.

Each time an instance is built from its reference, Dagster's SQLite storages learn the head revision
of their migrations, which parses every script of their history (about 90), only to test that there
is one. A sensor with resources builds an instance at every evaluation, and on a replayed day the
race clock is evaluated every second: the parsing was 41 of the 55 CPU milliseconds of an evaluation,
and each run process paid it again for every database it opened. A database that carries a revision
was created (or stamped) by Dagster already, so reading that revision is enough; a new or unstamped
database goes through Dagster's own set-up. Migrations are unaffected: Dagster never applies them
when an instance is built (``dagster instance migrate`` does).

``dagster.yaml`` names :class:`LocalInstance`, whose defaults put the storage in the instance's
folder as Dagster's do (``DAGSTER_HOME``, or the temporary folder of a plain ``dagster dev``). A
``storage:`` block in ``dagster.yaml`` replaces it, as Production's Postgres one does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import Any, Self

import yaml
from dagster import DagsterInstance
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.schedules.sqlite.sqlite_schedule_storage import SqliteScheduleStorage
from dagster._core.storage.sqlite import create_db_conn_string
from dagster._core.storage.sqlite_storage import (
    DagsterSqliteStorage,
    _event_logs_directory,
    _runs_directory,
    _schedule_directory,
)
from dagster._serdes import ConfigurableClassData
from sqlalchemy.engine import Engine


def stamped(db_file: Path, *, tables: tuple[str, ...] = ()) -> bool:
    """Whether the SQLite database ``db_file`` carries a migration revision and the ``tables``;
    False for a missing or unreadable file."""
    if not db_file.is_file():
        return False
    try:
        with closing(sqlite3.connect(db_file, timeout=30)) as conn:
            if conn.execute("SELECT version_num FROM alembic_version LIMIT 1").fetchone() is None:
                return False
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error:
        return False
    return all(table in names for table in tables)


class StampedSqliteEventLogStorage(SqliteEventLogStorage):
    def _initdb(self, engine: Engine, for_index_shard: bool = False) -> None:
        database = engine.url.database
        if database and stamped(Path(database)):
            return
        super()._initdb(engine, for_index_shard=for_index_shard)


def _run_storage(base_dir: Path) -> SqliteRunStorage:
    # Dagster adds instance_info beside the stamp; a database without it gets Dagster's set-up.
    if stamped(base_dir / "runs.db", tables=("runs", "instance_info")):
        return SqliteRunStorage(create_db_conn_string(str(base_dir), "runs"))
    return SqliteRunStorage.from_local(str(base_dir))


def _schedule_storage(base_dir: Path) -> SqliteScheduleStorage:
    if stamped(base_dir / "schedules.db", tables=("jobs", "job_ticks")):
        return SqliteScheduleStorage(create_db_conn_string(str(base_dir), "schedules"))
    return SqliteScheduleStorage.from_local(str(base_dir))


class StampedSqliteStorage(DagsterSqliteStorage):
    """Dagster's SQLite storage (same files, same tables), opened from the revision its databases
    carry instead of the head of Dagster's migration scripts."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        # Dagster's own folders under base_dir, so both storages open the same files.
        self.base_dir = base_dir
        self._run_storage = _run_storage(Path(_runs_directory(base_dir)))
        self._event_log_storage = StampedSqliteEventLogStorage(_event_logs_directory(base_dir))
        self._schedule_storage = _schedule_storage(Path(_schedule_directory(base_dir)))
        self._inst_data = inst_data
        # Dagster's __init__ would open the three storages its own way.
        super(DagsterSqliteStorage, self).__init__()

    # Dagster's builds a DagsterSqliteStorage whatever the class it is called on.
    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData, config_value: Mapping[str, Any]) -> Self:
        return cls.from_local(inst_data=inst_data, **config_value)


class LocalInstance(DagsterInstance):
    """Dagster's instance, with :class:`StampedSqliteStorage` in the instance's folder unless
    ``dagster.yaml`` configures a storage."""

    @classmethod
    def config_schema(cls) -> dict[str, Any]:
        return {}

    @staticmethod
    def config_defaults(base_dir: str) -> Mapping[str, ConfigurableClassData | None]:
        defaults = dict(InstanceRef.config_defaults(base_dir))
        defaults["storage"] = ConfigurableClassData(
            __name__,
            StampedSqliteStorage.__name__,
            yaml.dump({"base_dir": base_dir}, default_flow_style=False),
        )
        return defaults
