"""The ingestion assets are built from the endpoint records: any record gets its two assets."""

from __future__ import annotations

from datetime import date

import pandas as pd
from dagster import AssetKey
from sqlalchemy import Column, Date, Integer, MetaData, Table

from hippique_assets.defs.pmu.assets import INGESTION_ASSETS, PLAN_ASSETS
from hippique_assets.defs.pmu.landing_assets import RAW_GROUP, paths_of_races, raw_asset
from hippique_assets.defs.pmu.table_assets import TABLE_GROUP, referenced_first, table_asset
from hippique_assets.pmu.endpoints import INGESTED, PmuEndpoint, Scope, TableSpec

DAY = date(2026, 3, 23)
EXTRA = Table(
    "extra_rows",
    MetaData(schema="pmu"),
    Column("race_date", Date, primary_key=True),
    Column("reunion", Integer, primary_key=True),
    Column("value", Integer),
    comment="Rows of a made-up endpoint.",
)


def _record(scope: Scope) -> PmuEndpoint:
    return PmuEndpoint(
        "extra",
        scope,
        "extra",
        "A made-up endpoint.",
        tables=(TableSpec(EXTRA, "rows", unit=("race_date", "reunion")),),
        rows=lambda payload, day, reunion: [],
    )


def _keys(assets) -> set[str]:
    return {key.to_user_string() for a in assets for key in a.keys}


def test_every_ingested_endpoint_has_its_landing_and_table_assets() -> None:
    keys = _keys(INGESTION_ASSETS)
    for record in INGESTED:
        assert record.raw_asset in keys
        assert set(record.table_assets) <= keys
    gaps = next(a for a in INGESTION_ASSETS if AssetKey("ingest_gaps") in a.keys)
    deps = {key.to_user_string() for key in gaps.dependency_keys}
    assert deps >= {name for record in INGESTED for name in record.table_assets}


def test_a_new_record_gets_both_assets_with_its_tables_and_checks() -> None:
    record = _record("reunion")
    raw = raw_asset(record)
    assert [k.to_user_string() for k in raw.keys] == ["raw_extra"]
    assert {k.to_user_string() for k in raw.dependency_keys} == {"races"}
    assert raw.group_names_by_key[AssetKey("raw_extra")] == RAW_GROUP
    assert raw.specs_by_key[AssetKey("raw_extra")].description == "A made-up endpoint."
    table = table_asset(record)
    assert [k.to_user_string() for k in table.keys] == ["extra_rows"]
    assert {k.to_user_string() for k in table.dependency_keys} == {"raw_extra"}
    assert table.group_names_by_key[AssetKey("extra_rows")] == TABLE_GROUP
    assert table.specs_by_key[AssetKey("extra_rows")].metadata["dagster/table_name"] == "pmu.extra_rows"
    assert "non_empty" in {spec.name for spec in table.check_specs}


def test_a_day_endpoint_lands_without_the_races() -> None:
    raw = raw_asset(_record("day"))
    assert set(raw.dependency_keys) == set()


def test_paths_of_races_ask_once_per_race_or_once_per_reunion() -> None:
    races = pd.DataFrame({"race_date": [DAY] * 3, "reunion": [2, 1, 1], "course": [1, 2, 1]})
    by_race = paths_of_races(_record("race"), races, [DAY])
    assert by_race == {
        DAY: [
            "/programme/23032026/R1/C1/extra",
            "/programme/23032026/R1/C2/extra",
            "/programme/23032026/R2/C1/extra",
        ]
    }
    assert paths_of_races(_record("reunion"), races, [DAY]) == {
        DAY: ["/programme/23032026/R1/extra", "/programme/23032026/R2/extra"]
    }


def test_the_plan_lands_the_endpoints_known_before_the_races() -> None:
    planned = {r.name for r in INGESTED if r.plan}
    assert {"programme", "participants", "performances"} <= planned
    assert "rapports" not in planned
    assert "raw_rapports" not in PLAN_ASSETS and "bets" not in PLAN_ASSETS
    assert {"raw_participants", "horses", "performances"} <= set(PLAN_ASSETS)


def test_a_referenced_table_is_written_before_the_table_that_references_it() -> None:
    participants = next(r for r in INGESTED if r.name == "participants")
    assert [s.table.name for s in participants.tables] == ["participants", "horses"]
    assert [s.table.name for s in referenced_first(participants.tables)] == ["horses", "participants"]
    rapports = next(r for r in INGESTED if r.name == "rapports")
    assert [s.table.name for s in referenced_first(tuple(reversed(rapports.tables)))] == ["bets", "dividends"]
