"""The one ``Definitions`` of the code location: assets, checks, jobs, schedules, sensors, resources."""

from __future__ import annotations

from dagster import Definitions

from hippique_assets.defs.ingestion import INGESTION_ASSETS
from hippique_assets.defs.jobs import ingestion_job
from hippique_assets.defs.resources import build_resources


def build_definitions() -> Definitions:
    return Definitions(
        assets=[*INGESTION_ASSETS],
        jobs=[ingestion_job],
        resources=build_resources(),
    )


defs = build_definitions()
