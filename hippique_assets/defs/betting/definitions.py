"""The betting domain in the code location."""

from dagster import Definitions

from hippique_assets.defs.betting.assets import ANALYSIS_ASSETS
from hippique_assets.defs.betting.jobs import ledger_job
from hippique_assets.defs.betting.model import MODEL_ASSETS
from hippique_assets.settings import Settings


def definitions(settings: Settings) -> Definitions:
    return Definitions(assets=[*ANALYSIS_ASSETS, *MODEL_ASSETS], jobs=[ledger_job])
