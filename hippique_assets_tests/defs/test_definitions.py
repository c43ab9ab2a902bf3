"""The code location loads as Dagster's code server loads it, and its asset graph has the shape the
README describes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster import AssetKey, Definitions

from hippique_assets.definitions import defs
from hippique_assets.lib.runner import local_instance_config

REPO = Path(__file__).resolve().parents[2]


def test_definitions_are_loadable_as_a_code_server_loads_them():
    # Resolves every job (the implicit asset job included), schedule and sensor: a name shared by
    # an op and a job, or an unknown job in a sensor, fails here.
    Definitions.validate_loadable(defs)
    repo = defs.get_repository_def()
    assert {job.name for job in repo.get_all_jobs()} >= {"ingest_day", "plan_day", "race_h5", "race_result"}


def test_dagster_definitions_validate_accepts_the_workspace(tmp_path):
    """The command the webserver and the daemon's loading matches: location load plus partition mappings."""
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    (tmp_path / "dagster.yaml").write_text(local_instance_config())
    done = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All code locations passed validation" in done.stdout + done.stderr


def test_the_repository_dagster_yaml_is_the_local_instance_configuration():
    # `dagster dev` in the repository root reads ./dagster.yaml; the commands write the packaged copy.
    assert (REPO / "dagster.yaml").read_text() == local_instance_config()


def test_every_job_runs_its_steps_in_process():
    for job in defs.get_repository_def().get_all_jobs():
        assert job.executor_def.name == "in_process", job.name


def test_definitions_load_and_resolve():
    repo = defs.get_repository_def()
    keys = {key.to_user_string() for key in repo.asset_graph.get_all_asset_keys()}
    for expected in (
        "raw_programme",
        "reunions",
        "races",
        "raw_participants",
        "participants",
        "horses",
        "raw_performances",
        "performances",
        "raw_rapports",
        "bets",
        "dividends",
    ):
        assert expected in keys
    assert defs.resolve_job_def("ingest_day") is not None


def test_race_day_automation_is_wired():
    repo = defs.get_repository_def()
    keys = {key.to_user_string() for key in repo.asset_graph.get_all_asset_keys()}
    assert {"race_plan", "odds_snapshot_h30", "odds_snapshot_h5", "race_result", "race_dividends"} <= keys
    assert {s.name for s in repo.schedule_defs} == {
        "morning_plan",
        "plan_refresh",
        "next_morning_consolidation",
    }
    assert {s.name for s in repo.sensor_defs} == {
        "race_clock",
        "day_ledger",
        "race_run_failures",
        "race_day_watch",
        "run_failure_alerts",
    }
    for job in ("race_h30", "race_h5", "race_result"):
        assert defs.resolve_job_def(job).partitions_def.name == "races"


def test_tables_parse_from_raw_files_not_from_the_api():
    graph = defs.get_repository_def().asset_graph
    assert AssetKey("raw_participants") in graph.get(AssetKey("participants")).parent_keys
    assert AssetKey("races") in graph.get(AssetKey("raw_participants")).parent_keys
    assert AssetKey("participants") in graph.get(AssetKey("performances")).parent_keys


def test_every_table_asset_declares_its_table_and_checks():
    repo = defs.get_repository_def()
    graph = repo.asset_graph
    for name in ("reunions", "races", "participants", "bets", "dividends"):
        node = graph.get(AssetKey(name))
        assert node.metadata["hippique/table"] == f"pmu.{name}"
        check_names = {key.name for key in graph.get_check_keys_for_assets({AssetKey(name)})}
        assert "non_empty" in check_names, name
        # Duplicated keys cannot happen (primary key, partition replace): no check pretends to look.
        assert "unique_key" not in check_names, name


def test_table_assets_show_their_declared_columns_in_the_ui():
    from hippique_assets.catalog import get_table

    graph = defs.get_repository_def().asset_graph
    stored = [node for node in graph.asset_nodes if "hippique/table" in node.metadata]
    assert len(stored) >= 18
    for node in stored:
        table = get_table(node.metadata["hippique/table"])
        schema = node.metadata["dagster/column_schema"].schema
        assert [c.name for c in schema.columns] == [c.name for c in table.columns], node.key
        assert node.metadata["dagster/table_name"] == table.fullname
    odds = next(
        c
        for c in graph.get(AssetKey("participants")).metadata["dagster/column_schema"].schema.columns
        if c.name == "odds_direct"
    )
    assert odds.type == "numeric(10,2)" and "dernierRapportDirect" in odds.description


def test_the_model_is_an_asset_upstream_of_the_h5_analysis_with_the_config_version():
    from hippique_assets.analysis.config import default_config

    graph = defs.get_repository_def().asset_graph
    model = graph.get(AssetKey("gpi_model"))
    # Lineage to the history it is fitted on, including the odds as known before the start.
    for parent in ("participants", "dividends", "odds_snapshot_h5", "odds_captures"):
        assert AssetKey(parent) in model.parent_keys, parent
    assert AssetKey("gpi_model") in graph.get(AssetKey("race_analysis_h5")).parent_keys
    version = default_config().version
    for name in ("gpi_model", "backtest_report", "race_analysis_h5", "race_decision", "race_tickets"):
        assert graph.get(AssetKey(name)).code_version == version, name
