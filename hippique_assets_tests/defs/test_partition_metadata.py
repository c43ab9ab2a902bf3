"""A run over several days (a backfill chunk) records each day's own figures on that day's
materialization: row counts, requests, files and previews are the partition's, not the run's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from dagster import AssetKey, AssetRecordsFilter, DagsterInstance, instance_for_test
from dagster._core.test_utils import in_process_test_workspace
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from dagster._core.workspace.context import WorkspaceRequestContext
from dagster_graphql.test.utils import execute_dagster_graphql

from hippique_assets.lib.runner import QUIET_RUN_CONFIG
from hippique_assets.pmu.schema.participants import HORSES
from hippique_assets.pmu.schema.programme import RACES
from hippique_assets.settings import Settings
from hippique_assets.storage.io_manager import DAY_COLUMN_KEY, rows_by_partition
from hippique_assets.storage.postgres import query_frame
from hippique_replay.server import ReplayServer
from hippique_replay.sources import GeneratedSource, Source
from hippique_replay.subset import RaceSubsetSource, closest_races

REPO = Path(__file__).resolve().parents[2]
SEED = 11
# Three days of different sizes, so that a day showing the run's totals cannot pass.
RACES_PER_DAY = {date(2026, 3, 20): 2, date(2026, 3, 21): 5, date(2026, 3, 22): 3}
DAYS = sorted(RACES_PER_DAY)
RANGE_TAGS = {
    "dagster/asset_partition_range_start": DAYS[0].isoformat(),
    "dagster/asset_partition_range_end": DAYS[-1].isoformat(),
}


MATERIALIZATIONS = """
query ($key: AssetKeyInput!, $partitions: [String!]) {
  assetOrError(assetKey: $key) {
    ... on Asset {
      assetMaterializations(partitions: $partitions, limit: 1) {
        partition
        metadataEntries {
          label
          ... on IntMetadataEntry { intValue }
          ... on PathMetadataEntry { path }
          ... on MarkdownMetadataEntry { mdStr }
          ... on JsonMetadataEntry { jsonString }
        }
      }
    }
  }
}
"""


def _source() -> Source:
    source: Source = GeneratedSource(seed=SEED)
    for day, count in RACES_PER_DAY.items():
        programme = json.loads(source.respond(f"/programme/{day:%d%m%Y}", None).body)
        source = RaceSubsetSource(source, day, closest_races(programme, count))
    return source


@pytest.fixture(scope="module")
def backfilled(
    pg_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, DagsterInstance]]:
    """The ingestion and the plan of three days, each in one run over the whole range (as a
    backfill with the daily policy launches them)."""
    from hippique_assets.definitions import build_definitions
    from hippique_assets_tests.conftest import database

    home = tmp_path_factory.mktemp("range")
    with (
        database("hippique_range") as url,
        ReplayServer(_source()) as server,
        pytest.MonkeyPatch.context() as mp,
        # A persistent instance: the GraphQL workspace hands it to the code location by reference.
        instance_for_test() as instance,
    ):
        mp.setenv("HIPPIQUE_PG_URL", url)
        defs = build_definitions(Settings.replayed(home, server.base_url))
        for job_name, selection in (("ingest_day", None), ("plan_day", [AssetKey("race_plan")])):
            result = defs.resolve_job_def(job_name).execute_in_process(
                instance=instance,
                tags=RANGE_TAGS,
                run_config=QUIET_RUN_CONFIG,
                asset_selection=selection,
                raise_on_error=False,
            )
            assert result.success, job_name
        yield url, instance


def _stored(instance: DagsterInstance, asset: str, day: date) -> dict[str, Any]:
    """The metadata of ``asset``'s latest materialization of ``day``, as the instance stores it."""
    [record] = instance.fetch_materializations(
        AssetRecordsFilter(asset_key=AssetKey(asset), asset_partitions=[day.isoformat()]), limit=1
    ).records
    materialization = record.asset_materialization
    assert materialization is not None and materialization.partition == day.isoformat()
    return {label: entry.value for label, entry in materialization.metadata.items()}


@pytest.fixture(scope="module")
def ui(backfilled) -> Iterator[WorkspaceRequestContext]:
    """The webserver's view of the instance: the code location loaded in this process."""
    _, instance = backfilled
    origin = LoadableTargetOrigin(
        module_name="hippique_assets.definitions", attribute="defs", working_directory=str(REPO)
    )
    with in_process_test_workspace(instance, origin) as context:
        yield context


def _shown(ui: WorkspaceRequestContext, asset: str, day: date) -> dict[str, Any]:
    """The same materialization's metadata as the UI gets it (the webserver's GraphQL schema)."""
    answer = execute_dagster_graphql(
        ui, MATERIALIZATIONS, {"key": {"path": [asset]}, "partitions": [day.isoformat()]}
    )
    [event] = answer.data["assetOrError"]["assetMaterializations"]
    assert event["partition"] == day.isoformat()
    values = {}
    for entry in event["metadataEntries"]:
        fields = [v for k, v in entry.items() if k != "label"]
        values[entry["label"]] = fields[0] if fields else None
    return values


def _count(url: str, table: str, day: date, column: str = "race_date", where: str = "true") -> int:
    frame = query_frame(url, f"select count(*) as n from {table} where {column} = %s and {where}", (day,))
    return int(frame["n"].iloc[0])


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize(
    ("asset", "table", "figure"),
    [
        ("races", "pmu.races", "races"),
        ("reunions", "pmu.reunions", "reunions"),
        ("participants", "pmu.participants", "runners"),
        ("race_plan", "racing.race_plan", "races"),
    ],
)
def test_each_day_carries_its_own_row_count(backfilled, ui, asset: str, table: str, figure: str) -> None:
    url, instance = backfilled
    counts = [_count(url, table, day) for day in DAYS]
    # The days differ, so a day that showed the run's total could not match.
    assert len(set(counts)) == len(DAYS), counts
    for day, rows in zip(DAYS, counts, strict=True):
        stored = _stored(instance, asset, day)
        assert stored["dagster/row_count"] == rows, (asset, day)
        assert stored["rows"] == rows, (asset, day)
        assert stored[figure] == rows, (asset, day)
        # What concerns the whole run says so.
        assert "seconds" not in stored and stored["run_rows"] == sum(counts), (asset, day)
        shown = _shown(ui, asset, day)
        assert shown["dagster/row_count"] == rows, (asset, day)


@pytest.mark.slow
@pytest.mark.postgres
def test_each_day_names_its_own_requests_and_files(backfilled, ui) -> None:
    url, instance = backfilled
    for day in DAYS:
        programme = _stored(instance, "raw_programme", day)
        assert (programme["days"], programme["requests"], programme["files"]) == (1, 1, 1)
        assert f"pmu/{day.isoformat()}/programme/{day:%d%m%Y}.json" in programme["example_file"]
        assert _shown(ui, "raw_programme", day)["example_file"] == programme["example_file"]

        participants = _stored(instance, "raw_participants", day)
        assert participants["requests"] == RACES_PER_DAY[day] == _count(url, "pmu.races", day)
        assert participants["files"] == RACES_PER_DAY[day]
        assert f"pmu/{day.isoformat()}/programme/{day:%d%m%Y}/R" in participants["example_file"]
        assert participants["example_file"].endswith("/participants.json")

        parsed = _stored(instance, "participants", day)
        assert parsed["payloads"] == RACES_PER_DAY[day]
        assert parsed["rejected"] == 0
        # The preview shows the day's runners only.
        assert day.isoformat() in parsed["preview"]
        assert not any(other.isoformat() in parsed["preview"] for other in DAYS if other != day)

        plan = _stored(instance, "race_plan", day)
        assert plan["cancelled"] == _count(url, "racing.race_plan", day, where="cancelled")
        assert not any(other.isoformat() in plan["plan"] for other in DAYS if other != day)


@pytest.mark.slow
@pytest.mark.postgres
def test_upserted_tables_count_the_rows_of_their_day(backfilled) -> None:
    url, instance = backfilled
    for asset, column in (("horses", "last_seen"), ("performances", "last_seen_date")):
        total = 0
        for day in DAYS:
            stored = _stored(instance, asset, day)
            assert stored["dagster/row_count"] == _count(url, f"pmu.{asset}", day, column), (asset, day)
            total += stored["dagster/row_count"]
        assert total == int(query_frame(url, f"select count(*) as n from pmu.{asset}")["n"].iloc[0])


def test_rows_are_counted_by_partition_column_or_day_column() -> None:
    races = pd.DataFrame({"race_date": [date(2026, 3, 20), date(2026, 3, 22), date(2026, 3, 22)]})
    by_key = rows_by_partition(RACES, races, ["2026-03-20", "2026-03-21", "2026-03-22"], None)
    assert by_key is not None
    assert {key: len(rows) for key, rows in by_key.items()} == {
        "2026-03-20": 1,
        "2026-03-21": 0,
        "2026-03-22": 2,
    }
    horses = pd.DataFrame({"last_seen": [date(2026, 3, 21)] * 2})
    keys = ["2026-03-20", "2026-03-21"]
    # A table without a partition column: counted only when a column is named to date its rows.
    assert rows_by_partition(HORSES, horses, keys, None) is None
    dated = rows_by_partition(HORSES, horses, keys, {DAY_COLUMN_KEY: "last_seen"})
    assert dated is not None and {k: len(v) for k, v in dated.items()} == {"2026-03-20": 0, "2026-03-21": 2}
