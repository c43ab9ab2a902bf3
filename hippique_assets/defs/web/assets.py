"""The optional web sources in Dagster: a resource that says which may be fetched, and the daily
``web_race_cards`` asset the race plan is cross-checked against. Off by default: nothing is fetched."""

import pandas as pd
from dagster import AssetExecutionContext, MetadataValue, asset

from hippique_assets.defs.partitions import DAILY_BACKFILL, daily_partitions
from hippique_assets.defs.web.resources import WebSourcesResource
from hippique_assets.lib.table_assets import PG_IO_MANAGER, table_metadata
from hippique_assets.net.errors import HttpError
from hippique_assets.storage.files import FilesResource
from hippique_assets.web.cross_check import CARD_COLUMNS, cards_frame
from hippique_assets.web.errors import RobotsRefused, WebParseError
from hippique_assets.web.tables import RACE_CARDS


@asset(
    partitions_def=daily_partitions,
    backfill_policy=DAILY_BACKFILL,
    group_name="web",
    io_manager_key=PG_IO_MANAGER,
    metadata=table_metadata(RACE_CARDS),
    kinds={"postgres", "html"},
)
def web_race_cards(
    context: AssetExecutionContext, web: WebSourcesResource, files: FilesResource, races: pd.DataFrame
) -> pd.DataFrame:
    """ZEturf's view of each race of the day (start time, runners), when ZEturf fetching is enabled.
    Pages are kept as files; a refused (robots.txt), failed or unparseable page is logged and skipped."""
    if not web.zeturf:
        context.log.info("web sources disabled: nothing fetched")
        return pd.DataFrame(columns=CARD_COLUMNS)
    # BeautifulSoup takes a sixth of a second to import: only the runs that fetch pages pay for it.
    from hippique_assets.web.zeturf import parse_zeturf_course

    fetcher = web.fetcher()
    cards, problems = [], []
    try:
        for day, reunion, course in zip(races["race_date"], races["reunion"], races["course"], strict=True):
            url = f"{web.zeturf_base_url}/fr/course/{day}/R{int(reunion)}C{int(course)}"
            try:
                page = fetcher.fetch("zeturf", url)
                path = files.write_bytes(
                    f"web/zeturf/{day}/R{int(reunion)}C{int(course)}.html", page.content, "text/html"
                )
                cards.append(
                    (parse_zeturf_course(page.content, url, page.content_type), path, page.fetched_at)
                )
            except (RobotsRefused, WebParseError, HttpError) as exc:
                problems.append(f"{url}: {exc}")
    finally:
        fetcher.close()
    for problem in problems[:20]:
        context.log.warning(problem)
    context.log.info(f"zeturf: {len(cards)} race cards, {len(problems)} pages skipped")
    context.add_output_metadata({"skipped": len(problems), "problems": MetadataValue.json(problems[:20])})
    return cards_frame(cards)
