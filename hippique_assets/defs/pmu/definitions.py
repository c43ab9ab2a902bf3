"""The ingestion domain in the code location."""

from dagster import Definitions

from hippique_assets.defs.pmu.assets import INGESTION_ASSETS
from hippique_assets.defs.pmu.jobs import ingestion_job
from hippique_assets.settings import Settings


def definitions(settings: Settings) -> Definitions:
    return Definitions(assets=INGESTION_ASSETS, jobs=[ingestion_job])
