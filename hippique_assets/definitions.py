"""The one ``Definitions`` of the code location, merged from one package per domain under
:mod:`hippique_assets.defs`: ingestion (``pmu``), the race day (plan, schedules, sensors), the
per-race work (``race_live``), the analysis and betting, the web sources, the alerts. Resources and the
executor are shared."""

from dagster import Definitions, in_process_executor

from hippique_assets.defs.alerts import definitions as alerts
from hippique_assets.defs.betting import definitions as betting
from hippique_assets.defs.pmu import definitions as pmu
from hippique_assets.defs.race_day import definitions as race_day
from hippique_assets.defs.race_live import definitions as race_live
from hippique_assets.defs.resources import build_resources
from hippique_assets.defs.web import definitions as web
from hippique_assets.settings import Settings, load_settings

DOMAINS = (pmu, race_day, race_live, betting, web, alerts)


def build_definitions(settings: Settings | None = None) -> Definitions:
    """The code location for ``settings`` (default: from the environment, as the code server loads it)."""
    settings = settings or load_settings()
    return Definitions.merge(
        *(domain.definitions(settings) for domain in DOMAINS),
        Definitions(
            resources=build_resources(settings),
            # Steps of a run execute in the run's process: a subprocess per step cost a daemon-launched
            # daily ingest about five times the CLI's time, and per-race runs must finish soon after H-5.
            executor=in_process_executor,
        ),
    )


defs = build_definitions()
