"""deploy/dagster.yaml loads as a real Dagster instance (Postgres storage on the machine's server,
compute logs in the GCS emulator), so a misspelt key or a wrong class cannot ship; its limits are
those of the local instance."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml
from dagster import DagsterInstance
from dagster._core.run_coordinator import QueuedRunCoordinator

from hippique_assets.cli.processes import free_port
from hippique_assets_tests.conftest import database
from hippique_assets_tests.deployed.stack import (
    BUCKET,
    COMPUTE_LOGS_PREFIX,
    PROD_INSTANCE_CONFIG,
    REPO,
    split_pg_url,
    write_instance_config,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def emulator(monkeypatch) -> Iterator[str]:
    server_module = pytest.importorskip("gcp_storage_emulator.server")
    port = free_port()
    server = server_module.create_server("127.0.0.1", port, in_memory=True, default_bucket=BUCKET)
    server.start()
    url = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", url)
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture
def instance(tmp_path, monkeypatch, emulator, pg_url) -> Iterator[DagsterInstance]:
    with database("hippique_deploy_instance", migrated=False) as url:
        for name, value in split_pg_url(url).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("DAGSTER_COMPUTE_LOGS_BUCKET", BUCKET)
        monkeypatch.setenv("DAGSTER_COMPUTE_LOGS_PREFIX", COMPUTE_LOGS_PREFIX)
        home = tmp_path / "dagster_home"
        write_instance_config(home)
        loaded = DagsterInstance.from_config(str(home))
        try:
            yield loaded
        finally:
            loaded.dispose()


def test_the_production_config_loads_as_an_instance(instance):
    from dagster_gcp.gcs.compute_log_manager import GCSComputeLogManager
    from dagster_postgres import PostgresRunStorage

    assert isinstance(instance.run_storage, PostgresRunStorage)
    assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
    assert isinstance(instance.compute_log_manager, GCSComputeLogManager)
    assert instance.run_monitoring_enabled
    assert instance.run_monitoring_max_resume_run_attempts == 0
    assert instance.run_monitoring_max_runtime_seconds > 0
    assert instance.run_retries_enabled and instance.run_retries_max_retries == 2
    limits = instance.get_concurrency_config()
    assert limits.pool_config.default_pool_limit == 2
    assert limits.run_queue_config.max_concurrent_runs == 16
    assert [limit["key"] for limit in limits.run_queue_config.tag_concurrency_limits] == [
        "hippique/race_phase",
        "hippique/phase",
    ]
    # Storage works: a run can be recorded and read back.
    assert instance.get_runs_count() == 0


def test_sensor_ticks_are_purged(instance):
    from dagster._core.definitions.run_request import InstigatorType
    from dagster._core.scheduler.instigation import TickStatus

    retention = instance.get_tick_retention_settings(InstigatorType.SENSOR)
    assert retention[TickStatus.SKIPPED] == 1
    assert all(days > 0 for days in retention.values())


def test_the_limits_are_those_of_the_local_instance():
    production = yaml.safe_load(PROD_INSTANCE_CONFIG.read_text())
    local = yaml.safe_load((REPO / "dagster.yaml").read_text())
    assert production["concurrency"] == local["concurrency"]
    assert production["run_coordinator"] == local["run_coordinator"]
    assert production["sensors"] == local["sensors"]
