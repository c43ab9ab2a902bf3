"""The code location loads, and its asset graph has the shape the README describes."""

from __future__ import annotations

from dagster import AssetKey

from hippique_assets.definitions import defs


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
    assert {s.name for s in repo.sensor_defs} == {"race_clock", "race_run_failures"}
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
        assert {"unique_key", "non_empty"} <= check_names, name


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
