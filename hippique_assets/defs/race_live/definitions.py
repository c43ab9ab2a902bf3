"""The per-race domain in the code location."""

from dagster import Definitions

from hippique_assets.defs.race_live.assets import RACE_LIVE_ASSETS
from hippique_assets.defs.race_live.jobs import PHASE_JOBS
from hippique_assets.settings import Settings


def definitions(settings: Settings) -> Definitions:
    return Definitions(assets=RACE_LIVE_ASSETS, jobs=list(PHASE_JOBS.values()))
