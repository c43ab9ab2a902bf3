"""The local instance (dagster.yaml): Dagster's SQLite storage, opened from the revision its
databases carry instead of parsing Dagster's migration scripts each time an instance is built."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
import yaml
from alembic.config import Config
from alembic.script import ScriptDirectory
from dagster import DagsterInstance, asset, materialize
from dagster._core.instance.ref import InstanceRef

from hippique_assets.deploy.local_instance import LocalInstance, stamped
from hippique_assets.lib.runner import local_instance_config


@asset
def one_row() -> int:
    return 1


def _home(root: Path, config: str) -> Path:
    root.mkdir()
    (root / "dagster.yaml").write_text(config)
    return root


def _instance(home: Path) -> DagsterInstance:
    return DagsterInstance.from_ref(InstanceRef.from_dir(str(home)))


@pytest.fixture
def parsed(monkeypatch) -> Iterator[list[str]]:
    """The migration histories Dagster parses (their script folders), in order."""
    seen: list[str] = []
    parse = ScriptDirectory.from_config

    def recording(cls: type[ScriptDirectory], config: Config) -> ScriptDirectory:
        seen.append(str(config.get_main_option("script_location")))
        return parse(config)

    monkeypatch.setattr(ScriptDirectory, "from_config", classmethod(recording))
    yield seen


def _everything(instance: DagsterInstance) -> tuple[object, ...]:
    """What each of the three storages holds: runs, one run's events, dynamic partitions (index
    shard), sensor and schedule states."""
    runs = instance.get_runs()
    events = [
        record.event_log_entry.dagster_event_type
        for record in instance.get_records_for_run(runs[0].run_id).records
    ]
    return (
        [run.run_id for run in runs],
        events,
        instance.get_dynamic_partitions("races"),
        instance.all_instigator_state(),
    )


def test_a_new_home_is_set_up_by_dagster_then_opened_from_its_revisions(tmp_path, parsed):
    home = _home(tmp_path / "home", local_instance_config())
    with _instance(home) as instance:
        assert isinstance(instance, LocalInstance)
        assert materialize([one_row], instance=instance).success
        instance.add_dynamic_partitions("races", ["R1C1"])
        before = _everything(instance)
    # Dagster created and stamped the runs, schedules and event databases.
    assert parsed
    parsed.clear()

    with _instance(home) as instance:
        assert _everything(instance) == before
        assert parsed == []
        # A new run's events get a database of their own, which Dagster sets up.
        assert materialize([one_row], instance=instance).success
        assert len(instance.get_runs()) == 2


def test_a_home_made_by_dagsters_own_storage_reads_the_same(tmp_path):
    home = _home(tmp_path / "home", "telemetry:\n  enabled: false\n")
    with _instance(home) as instance:
        assert type(instance) is DagsterInstance
        assert materialize([one_row], instance=instance).success
        instance.add_dynamic_partitions("races", ["R1C1"])
        before = _everything(instance)

    (home / "dagster.yaml").write_text(local_instance_config())
    with _instance(home) as instance:
        assert isinstance(instance, LocalInstance)
        assert _everything(instance) == before


def test_an_unstamped_database_gets_dagsters_set_up(tmp_path):
    home = _home(tmp_path / "home", local_instance_config())
    (home / "history").mkdir()
    # An empty file, as a crash between creating the database and stamping it would leave.
    (home / "history" / "runs.db").touch()
    with _instance(home) as instance:
        assert materialize([one_row], instance=instance).success
        assert len(instance.get_runs()) == 1
    assert stamped(home / "history" / "runs.db", tables=("runs", "instance_info"))


def test_a_storage_block_in_dagster_yaml_replaces_it(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    config = yaml.safe_load(local_instance_config())
    config["storage"] = {"sqlite": {"base_dir": str(elsewhere)}}
    home = _home(tmp_path / "home", yaml.safe_dump(config))
    with _instance(home) as instance:
        assert materialize([one_row], instance=instance).success
    assert (elsewhere / "history" / "runs.db").is_file()
    assert not (home / "history").exists()


def _database(path: Path, *statements: str) -> Path:
    with closing(sqlite3.connect(path)) as conn:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    return path


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        ((), False),
        (("CREATE TABLE runs (id INTEGER)",), False),
        (("CREATE TABLE alembic_version (version_num TEXT)", "CREATE TABLE runs (id INTEGER)"), False),
        (
            (
                "CREATE TABLE alembic_version (version_num TEXT)",
                "INSERT INTO alembic_version VALUES ('abc')",
            ),
            False,
        ),
        (
            (
                "CREATE TABLE alembic_version (version_num TEXT)",
                "INSERT INTO alembic_version VALUES ('abc')",
                "CREATE TABLE runs (id INTEGER)",
            ),
            True,
        ),
    ],
    ids=["empty", "no-revision-table", "no-revision", "missing-table", "stamped"],
)
def test_stamped_needs_a_revision_and_the_tables(tmp_path, statements, expected):
    assert stamped(_database(tmp_path / "x.db", *statements), tables=("runs",)) is expected


def test_a_missing_or_foreign_file_is_not_stamped(tmp_path):
    assert not stamped(tmp_path / "missing.db")
    (tmp_path / "notes.db").write_text("not a database\n" * 100)
    assert not stamped(tmp_path / "notes.db")
    assert not stamped(tmp_path)
