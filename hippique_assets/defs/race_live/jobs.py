"""The per-race jobs the race clock launches, one per phase."""

from dagster import AssetSelection, define_asset_job

from hippique_assets.lib.retries import RACE_TAGS

# What each race phase materializes.
PHASE_SELECTIONS: dict[str, AssetSelection] = {
    "h30": AssetSelection.assets("odds_snapshot_h30"),
    "h5": AssetSelection.assets("odds_snapshot_h5", "race_analysis_h5", "race_decision", "race_tickets"),
    "result": AssetSelection.assets("race_result", "race_dividends", "ticket_settlement"),
}

race_h30_job = define_asset_job(
    "race_h30",
    selection=PHASE_SELECTIONS["h30"],
    tags=RACE_TAGS["h30"],
    description="H-30: odds snapshot of one race.",
)

race_h5_job = define_asset_job(
    "race_h5",
    selection=PHASE_SELECTIONS["h5"],
    tags=RACE_TAGS["h5"],
    description="H-5: odds snapshot of one race, then its analysis and tickets.",
)

race_result_job = define_asset_job(
    "race_result",
    selection=PHASE_SELECTIONS["result"],
    tags=RACE_TAGS["result"],
    description="H+15: official result of one race, then the settlement of its tickets.",
)

PHASE_JOBS = {"h30": race_h30_job, "h5": race_h5_job, "result": race_result_job}
