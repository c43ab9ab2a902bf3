"""The daily jobs of the race day: the morning plan, its refreshes, the next-morning consolidation."""

from dagster import AssetSelection, define_asset_job

from hippique_assets.defs.betting.jobs import LEDGER_SELECTION
from hippique_assets.defs.pmu.assets import PLAN_ASSETS
from hippique_assets.defs.pmu.jobs import INGESTION_GROUPS
from hippique_assets.lib.retries import DAILY_TAGS

# The morning plan: the endpoints known before the races (no rapports yet), then the race plan.
PLAN_SELECTION = AssetSelection.assets(
    *PLAN_ASSETS, "web_race_cards", "race_plan", "ingest_gaps"
).materializable()  # web_race_cards is external (not fetchable) while ZEturf is off

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
    selection=AssetSelection.groups(*INGESTION_GROUPS) | LEDGER_SELECTION,
    tags=DAILY_TAGS,
    description="Next-morning reload of the previous day: final participants, performances and rapports.",
)
