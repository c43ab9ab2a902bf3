"""The one ``Definitions`` of the code location: assets, checks, jobs, schedules, sensors, resources."""

from dagster import Definitions

from hippique_assets.defs.analysis import ANALYSIS_ASSETS
from hippique_assets.defs.automation import build_automation
from hippique_assets.defs.ingestion import INGESTION_ASSETS
from hippique_assets.defs.jobs import ALL_JOBS
from hippique_assets.defs.model import MODEL_ASSETS
from hippique_assets.defs.race_day import RACE_DAY_ASSETS
from hippique_assets.defs.race_live import RACE_LIVE_ASSETS
from hippique_assets.defs.resources import build_resources
from hippique_assets.defs.web_sources import web_race_cards
from hippique_assets.settings import load_settings

ALL_ASSETS = [
    *INGESTION_ASSETS,
    *RACE_DAY_ASSETS,
    *RACE_LIVE_ASSETS,
    *ANALYSIS_ASSETS,
    *MODEL_ASSETS,
    web_race_cards,
]


def build_definitions() -> Definitions:
    settings = load_settings()
    schedules, sensors = build_automation(settings)
    return Definitions(
        assets=ALL_ASSETS,
        jobs=ALL_JOBS,
        schedules=schedules,
        sensors=sensors,
        resources=build_resources(settings),
    )


defs = build_definitions()
