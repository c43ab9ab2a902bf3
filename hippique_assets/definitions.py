"""The one ``Definitions`` of the code location, merged from one package per domain under
:mod:`hippique_assets.defs`: ingestion (``pmu``), the race day (plan, schedules, sensors), the
per-race work (``race_live``), the analysis and betting, the web sources, the alerts. Resources and the
executor are shared. Every asset carries a reference to the code that computes it, for the UI's
code links."""

import warnings
from pathlib import Path

from dagster import (
    AnchorBasedFilePathMapping,
    BetaWarning,
    Definitions,
    in_process_executor,
    link_code_references_to_git,
    with_source_code_references,
)

from hippique_assets.defs.alerts import definitions as alerts
from hippique_assets.defs.betting import definitions as betting
from hippique_assets.defs.pmu import definitions as pmu
from hippique_assets.defs.race_day import definitions as race_day
from hippique_assets.defs.race_live import definitions as race_live
from hippique_assets.defs.resources import build_resources
from hippique_assets.defs.web import definitions as web
from hippique_assets.settings import Settings, load_settings

DOMAINS = (pmu, race_day, race_live, betting, web, alerts)


def with_code_references(defs: Definitions, settings: Settings) -> Definitions:
    """``defs`` with, on every asset, the file and line of the function that computes it: links to
    the repository at ``settings.git_url`` (``HIPPIQUE_GIT_URL``) when set, else to the local files."""
    # Both helpers are marked beta in Dagster 1.13; the warning would be logged at every load.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BetaWarning)
        assets = with_source_code_references(list(defs.assets or []))
        if settings.git_url:
            assets = link_code_references_to_git(
                assets,
                git_url=settings.git_url,
                git_branch=settings.git_branch,
                file_path_mapping=AnchorBasedFilePathMapping(
                    local_file_anchor=Path(__file__),
                    file_anchor_path_in_repository="hippique_assets/definitions.py",
                ),
            )
    return Definitions(
        assets=assets,
        asset_checks=defs.asset_checks,
        schedules=defs.schedules,
        sensors=defs.sensors,
        jobs=defs.jobs,
        resources=defs.resources,
        loggers=defs.loggers,
        executor=defs.executor,
        metadata=defs.metadata,
    )


def build_definitions(settings: Settings | None = None) -> Definitions:
    """The code location for ``settings`` (default: from the environment, as the code server loads it)."""
    settings = settings or load_settings()
    domains = Definitions.merge(*(domain.definitions(settings) for domain in DOMAINS))
    return Definitions.merge(
        with_code_references(domains, settings),
        Definitions(
            resources=build_resources(settings),
            # Steps of a run execute in the run's process: a subprocess per step cost a daemon-launched
            # daily ingest about five times the CLI's time, and per-race runs must finish soon after H-5.
            executor=in_process_executor,
        ),
    )


defs = build_definitions()
