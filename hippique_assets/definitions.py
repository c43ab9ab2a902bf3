"""The one ``Definitions`` of the code location: assets, checks, jobs, schedules, sensors, resources."""

from dagster import Definitions, in_process_executor

from hippique_assets.defs.analysis import ANALYSIS_ASSETS
from hippique_assets.defs.automation import build_automation
from hippique_assets.defs.ingestion import INGESTION_ASSETS
from hippique_assets.defs.jobs import ALL_JOBS
from hippique_assets.defs.model import MODEL_ASSETS
from hippique_assets.defs.race_day import RACE_DAY_ASSETS
from hippique_assets.defs.race_live import RACE_LIVE_ASSETS
from hippique_assets.defs.resources import build_resources
from hippique_assets.defs.web_sources import web_race_cards
from hippique_assets.settings import Settings, load_settings

ALL_ASSETS = [
    *INGESTION_ASSETS,
    *RACE_DAY_ASSETS,
    *RACE_LIVE_ASSETS,
    *ANALYSIS_ASSETS,
    *MODEL_ASSETS,
    web_race_cards,
]


def build_definitions(settings: Settings | None = None) -> Definitions:
    """The code location for ``settings`` (default: from the environment, as the code server loads it)."""
    settings = settings or load_settings()
    schedules, sensors = build_automation(settings)
    return Definitions(
        assets=ALL_ASSETS,
        jobs=ALL_JOBS,
        schedules=schedules,
        sensors=sensors,
        resources=build_resources(settings),
        # Steps of a run execute in the run's process: a subprocess per step cost a daemon-launched
        # daily ingest about five times the CLI's time, and per-race runs must finish soon after H-5.
        executor=in_process_executor,
    )


defs = build_definitions()
