"""Jobs: selections of assets that schedules, sensors and the CLI launch."""

from dagster import AssetSelection, define_asset_job

INGESTION_GROUPS = ("pmu_raw", "pmu")

# A failed daily run is retried whole (every step, not only the failed one): the raw steps of the
# retry then request only what the first attempt missed. A per-race run is not retried at H-30 or
# H-5 (the race would have started); the result may be.
DAILY_TAGS = {"dagster/retry_strategy": "ALL_STEPS"}
# Run monitoring fails a run still going after dagster/max_runtime seconds (deploy/dagster.yaml):
# a snapshot is worthless a quarter of an hour late, and the result waits at most 12 x 60 s for the
# rapports to be final. This catches a run whose worker went down with its code server.
RACE_TAGS = {
    "h30": {"dagster/max_retries": "0", "dagster/max_runtime": "900"},
    "h5": {"dagster/max_retries": "0", "dagster/max_runtime": "900"},
    "result": {"dagster/max_retries": "2", "dagster/max_runtime": "3600"},
}

ingestion_job = define_asset_job(
    "ingest_day",
    selection=AssetSelection.groups(*INGESTION_GROUPS),
    tags=DAILY_TAGS,
    description="Fetch and load one racing day from the PMU turfinfo API: programme, participants, "
    "performances and rapports, raw payloads and tables.",
)

# The morning plan: everything known before the races (no rapports yet), then the race plan.
PLAN_SELECTION = AssetSelection.assets(
    "raw_programme",
    "reunions",
    "races",
    "raw_participants",
    "participants",
    "horses",
    "raw_performances",
    "performances",
    "web_race_cards",
    "race_plan",
    "ingest_gaps",
)

plan_job = define_asset_job(
    "plan_day",
    selection=PLAN_SELECTION,
    tags=DAILY_TAGS,
    description="Build the day's race plan from a fresh programme, with the runners and their history.",
)

REFRESH_SELECTION = AssetSelection.assets("raw_programme", "reunions", "races", "race_plan", "ingest_gaps")

refresh_plan_job = define_asset_job(
    "refresh_plan",
    selection=REFRESH_SELECTION,
    description="Refresh the plan during the day: start times, non-runners and cancellations change.",
)

consolidation_job = define_asset_job(
    "consolidate_day",
    selection=AssetSelection.groups(*INGESTION_GROUPS)
    | AssetSelection.assets("ticket_ledger", "betting_workbook"),
    tags=DAILY_TAGS,
    description="Next-morning reload of the previous day: final participants, performances and rapports.",
)

# What each race phase materializes (the jobs below, and ``hippique day`` in process).
PHASE_SELECTIONS: dict[str, AssetSelection] = {
    "h30": AssetSelection.assets("odds_snapshot_h30"),
    "h5": AssetSelection.assets("odds_snapshot_h5", "race_analysis_h5", "race_decision", "race_tickets"),
    "result": AssetSelection.assets("race_result", "race_dividends", "ticket_settlement"),
}

# The day's betting roll-ups, once the last result is in (and again with the consolidation).
LEDGER_SELECTION = AssetSelection.assets("ticket_ledger", "betting_workbook")

ledger_job = define_asset_job(
    "ledger_day",
    selection=LEDGER_SELECTION,
    description="The day's ticket ledger (ROI, Brier, log-loss) and its Excel workbook and ticket files.",
)

# Every job runs its steps in the run's own process (the executor of the Definitions): per-race runs
# must finish soon after their due time, and a daily ingest spent most of a daemon run starting one
# process per step.
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

ALL_JOBS = [
    ingestion_job,
    plan_job,
    refresh_plan_job,
    consolidation_job,
    ledger_job,
    race_h30_job,
    race_h5_job,
    race_result_job,
]
