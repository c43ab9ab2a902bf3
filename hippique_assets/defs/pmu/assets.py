"""Daily ingestion of the PMU turfinfo API: raw payloads as files, then typed tables in ``pmu``.

Each ingested endpoint (:data:`hippique_assets.pmu.endpoints.INGESTED`) has two assets built from
its record: ``raw_<endpoint>`` calls the API and lands every answer as a JSON file (with a manifest
of the requests, :mod:`.landing_assets`); the table asset parses those files into Postgres
(:mod:`.table_assets`), so re-parsing a past season never calls the API again.

A failure costs only its own race: a request that fails for good is recorded (and keeps an earlier
answer when there is one), a race or a runner whose values break their rules is left out, and
every other race lands. ``ingest_gaps`` (:mod:`.gaps_asset`) then names what is missing for the day
and fails the run, so that it is retried; a retry requests only what is still missing.

The assets take several days per run (a backfill of a season runs 31 days at a time): one process
start, one parse and one load per table for all of them.
"""

from dagster import AssetsDefinition

from hippique_assets.defs.pmu.gaps_asset import ingest_gaps
from hippique_assets.defs.pmu.landing_assets import FETCH_TAG, raw_asset
from hippique_assets.defs.pmu.table_assets import table_asset
from hippique_assets.defs.pmu.table_hooks import HOOKS, TableHooks
from hippique_assets.pmu.endpoints import INGESTED

__all__ = ["FETCH_TAG", "INGESTION_ASSETS", "PLAN_ASSETS", "RAW_ASSETS", "TABLE_ASSETS"]

RAW_ASSETS: list[AssetsDefinition] = [raw_asset(endpoint) for endpoint in INGESTED]
TABLE_ASSETS: list[AssetsDefinition] = [
    table_asset(endpoint, HOOKS.get(endpoint.name, TableHooks())) for endpoint in INGESTED
]
INGESTION_ASSETS: list[AssetsDefinition] = [*RAW_ASSETS, *TABLE_ASSETS, ingest_gaps]

# The assets of the endpoints the morning plan lands (every one but those published after the race).
PLAN_ASSETS: tuple[str, ...] = tuple(
    name for endpoint in INGESTED if endpoint.plan for name in (endpoint.raw_asset, *endpoint.table_assets)
)
