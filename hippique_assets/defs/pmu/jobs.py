"""The ingestion job: one racing day (or a range, in a backfill) from the PMU API into the tables."""

from dagster import AssetSelection, define_asset_job

from hippique_assets.lib.retries import DAILY_TAGS

INGESTION_GROUPS = ("pmu_raw", "pmu")

ingestion_job = define_asset_job(
    "ingest_day",
    selection=AssetSelection.groups(*INGESTION_GROUPS),
    tags=DAILY_TAGS,
    description="Fetch and load one racing day from the PMU turfinfo API: programme, participants, "
    "performances and rapports, raw payloads and tables.",
)
