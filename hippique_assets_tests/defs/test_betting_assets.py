"""The workbook asset over one day and over a range of days run at once (a backfill chunk)."""

from __future__ import annotations

import pytest
from dagster import DagsterInstance, materialize

from hippique_assets.defs.betting.assets import betting_workbook
from hippique_assets.storage.files import FilesResource
from hippique_assets.storage.postgres import PostgresResource

pytestmark = pytest.mark.postgres


def _workbook_metadata(postgres: PostgresResource, tmp_path, tags: dict[str, str], partition: str | None):
    instance = DagsterInstance.ephemeral()
    result = materialize(
        [betting_workbook],
        instance=instance,
        partition_key=partition,
        tags=tags,
        resources={"postgres": postgres, "files": FilesResource(base_uri=str(tmp_path / "files"))},
    )
    assert result.success
    [materialization, *_] = result.asset_materializations_for_node("betting_workbook")
    return materialization.metadata


def test_one_day_links_its_files(fresh_pg_url, tmp_path):
    metadata = _workbook_metadata(PostgresResource(url=fresh_pg_url), tmp_path, {}, "2026-03-23")
    assert metadata["workbook"].value.endswith("artifacts/betting/2026-03-23/hippique-2026-03-23.xlsx")
    assert metadata["tickets"].value == 0
    assert (tmp_path / "files/artifacts/betting/2026-03-23/tickets.csv").exists()


def test_a_range_names_every_days_files(fresh_pg_url, tmp_path):
    tags = {
        "dagster/asset_partition_range_start": "2026-03-22",
        "dagster/asset_partition_range_end": "2026-03-24",
    }
    metadata = _workbook_metadata(PostgresResource(url=fresh_pg_url), tmp_path, tags, None)
    assert "workbook" not in metadata
    table = metadata["files"].value
    for day in ("2026-03-22", "2026-03-23", "2026-03-24"):
        assert f"| {day} | " in table
        assert f"artifacts/betting/{day}/hippique-{day}.xlsx" in table
        assert (tmp_path / f"files/artifacts/betting/{day}/tickets.json").exists()
