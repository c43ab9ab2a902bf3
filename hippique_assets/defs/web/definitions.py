"""The web sources in the code location."""

from dagster import Definitions

from hippique_assets.defs.web.assets import web_race_cards
from hippique_assets.settings import Settings


def definitions(settings: Settings) -> Definitions:
    return Definitions(assets=[web_race_cards])
