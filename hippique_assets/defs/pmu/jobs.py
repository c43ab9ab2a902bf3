"""The ingestion job: one racing day (or a range, in a backfill) from the PMU API into the tables."""

from dagster import AssetSelection, define_asset_job

from hippique_assets.defs.pmu.landing_assets import RAW_GROUP
from hippique_assets.defs.pmu.table_assets import TABLE_GROUP
from hippique_assets.lib.retries import DAILY_TAGS
from hippique_assets.pmu.endpoints import INGESTED

INGESTION_GROUPS = (RAW_GROUP, TABLE_GROUP)

ingestion_job = define_asset_job(
    "ingest_day",
    selection=AssetSelection.groups(*INGESTION_GROUPS),
    tags=DAILY_TAGS,
    description="Fetch and load one racing day from the PMU turfinfo API: "
    f"{', '.join(e.name for e in INGESTED)}, raw payloads and tables.",
)
