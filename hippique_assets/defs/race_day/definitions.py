"""The race-day domain in the code location: the plan asset, its jobs, schedules and sensors."""

from dagster import Definitions

from hippique_assets.defs.race_day.assets import RACE_DAY_ASSETS
from hippique_assets.defs.race_day.automation import build_automation
from hippique_assets.defs.race_day.jobs import consolidation_job, plan_job, refresh_plan_job
from hippique_assets.settings import Settings


def definitions(settings: Settings) -> Definitions:
    schedules, sensors = build_automation(settings)
    return Definitions(
        assets=RACE_DAY_ASSETS,
        jobs=[plan_job, refresh_plan_job, consolidation_job],
        schedules=schedules,
        sensors=sensors,
    )
