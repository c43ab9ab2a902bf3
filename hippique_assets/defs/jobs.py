"""Jobs: selections of assets that schedules, sensors and the CLI launch."""

from dagster import AssetSelection, define_asset_job

from hippique_assets.defs.partitions import daily_partitions

INGESTION_GROUPS = ("pmu_raw", "pmu")

ingestion_job = define_asset_job(
    "ingest_day",
    selection=AssetSelection.groups(*INGESTION_GROUPS),
    partitions_def=daily_partitions,
    description="Fetch and load one racing day from the PMU turfinfo API: programme, participants, "
    "performances and rapports, raw payloads and tables.",
)
