"""The per-race jobs the race clock launches, one per phase."""

from dagster import AssetSelection, define_asset_job

from hippique_assets.lib.retries import RACE_TAGS

# What each race phase materializes.
PHASE_SELECTIONS: dict[str, AssetSelection] = {
    "h30": AssetSelection.assets("odds_snapshot_h30"),
    "watch": AssetSelection.assets("odds_watch"),
    "h5": AssetSelection.assets(
        "odds_snapshot_h5", "race_analysis_h5", "race_decision", "race_tickets", "h5_placement"
    ),
    "last_call": AssetSelection.assets("odds_snapshot_last_call", "race_decision_last_call"),
    "result": AssetSelection.assets("race_result", "race_dividends", "ticket_settlement"),
}
# The last call is never retried (the race is off a minute later). A dead watcher is started again by
# the race_run_failures sensor, which records its gap, not by the instance's run retries.
LAST_CALL_TAGS = {"dagster/max_retries": "0", "dagster/max_runtime": "600"}
WATCH_TAGS = {"dagster/max_retries": "0", "dagster/max_runtime": "1800"}

race_h30_job = define_asset_job(
    "race_h30",
    selection=PHASE_SELECTIONS["h30"],
    tags=RACE_TAGS["h30"],
    description="H-30: odds snapshot of one race.",
)

race_watch_job = define_asset_job(
    "race_watch",
    selection=PHASE_SELECTIONS["watch"],
    tags=WATCH_TAGS,
    description="H-10 to the off: the race's odds every 30 seconds (minute-by-minute history).",
)

race_h5_job = define_asset_job(
    "race_h5",
    selection=PHASE_SELECTIONS["h5"],
    tags=RACE_TAGS["h5"],
    description="H-5: odds snapshot of one race, then its analysis and tickets.",
)

race_last_call_job = define_asset_job(
    "race_last_call",
    selection=PHASE_SELECTIONS["last_call"],
    tags=LAST_CALL_TAGS,
    description="Last call (start - last_call_minutes): odds snapshot of one race and a decision on it.",
)

race_result_job = define_asset_job(
    "race_result",
    selection=PHASE_SELECTIONS["result"],
    tags=RACE_TAGS["result"],
    description="H+15: official result of one race, then the settlement of its tickets.",
)

PHASE_JOBS = {
    "h30": race_h30_job,
    "watch": race_watch_job,
    "h5": race_h5_job,
    "last_call": race_last_call_job,
    "result": race_result_job,
}
