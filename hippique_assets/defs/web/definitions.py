"""The web sources in the code location."""

from dagster import AssetSpec, Definitions

from hippique_assets.defs.partitions import daily_partitions
from hippique_assets.defs.web.assets import web_race_cards
from hippique_assets.lib.table_assets import table_metadata
from hippique_assets.settings import Settings
from hippique_assets.web.tables import RACE_CARDS

# With ZEturf off (the default) nothing could ever be fetched: the race cards are shown as an
# external asset, which the UI does not ask to materialize before race_plan ("Are you sure?").
WEB_RACE_CARDS_OFF = AssetSpec(
    "web_race_cards",
    group_name="web",
    partitions_def=daily_partitions,
    metadata=table_metadata(RACE_CARDS),
    kinds={"postgres", "html"},
    description="ZEturf's view of each race of the day. Off: set HIPPIQUE_WEB_ZETURF=on to fetch it.",
)


def definitions(settings: Settings) -> Definitions:
    return Definitions(assets=[web_race_cards if settings.web_zeturf else WEB_RACE_CARDS_OFF])
