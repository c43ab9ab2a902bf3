"""The per-race domain in the code location."""

from dagster import Definitions

from hippique_assets.defs.race_live.assets import RACE_LIVE_ASSETS
from hippique_assets.defs.race_live.h5_placement import h5_placement
from hippique_assets.defs.race_live.jobs import PHASE_JOBS
from hippique_assets.defs.race_live.last_call import odds_snapshot_last_call, race_decision_last_call
from hippique_assets.defs.race_live.odds_watch import odds_watch
from hippique_assets.settings import Settings


def definitions(settings: Settings) -> Definitions:
    return Definitions(
        assets=[
            *RACE_LIVE_ASSETS,
            odds_watch,
            odds_snapshot_last_call,
            race_decision_last_call,
            h5_placement,
        ],
        jobs=list(PHASE_JOBS.values()),
    )
