"""The landing assets: one ``raw_<endpoint>`` per ingested endpoint, built from its record.

Each calls the API for the day (or for every reunion or race of the day, from ``races``) and lands
every answer as a JSON file with a manifest of the requests, so that parsing never calls the API
again. A request that fails for good is recorded (and keeps an earlier answer when there is one)
and the other requests land.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date
from time import monotonic

import pandas as pd
from dagster import AssetExecutionContext, AssetsDefinition, MaterializeResult, MetadataValue, asset

from hippique_assets.defs.partitions import DAILY_BACKFILL, daily_partitions, partition_days
from hippique_assets.defs.pmu.day_metadata import add_day_metadata
from hippique_assets.defs.resources import PMU_API_POOL, PmuApiResource
from hippique_assets.pmu.endpoints import PmuEndpoint
from hippique_assets.pmu.landing import ANY_RUN, Manifest, failure_lines, land
from hippique_assets.storage.files import FilesResource

RAW_GROUP = "pmu_raw"
PROGRESS_EVERY_S = 15.0

# A run with this tag requests only what the previous landing of the day missed (``hippique
# ingest --missing-only``); retries and re-executions do so by sharing their root run.
FETCH_TAG = "hippique/fetch"


def _run_ids(context: AssetExecutionContext) -> tuple[str, str]:
    """This run's id, and the run family whose earlier landings count as already fetched."""
    run = context.run
    if run.tags.get(FETCH_TAG) == "missing":
        return run.run_id, ANY_RUN
    return run.run_id, run.root_run_id or run.run_id


def _landing_metadata(manifests: Sequence[Manifest]) -> dict[str, object]:
    statuses: dict[str, int] = defaultdict(int)
    for manifest in manifests:
        for outcome, count in manifest.statuses.items():
            statuses[outcome] += count
    requests = [r for m in manifests for r in m.requests]
    meta: dict[str, object] = {
        "days": MetadataValue.int(len(manifests)),
        "requests": MetadataValue.int(len(requests)),
        "statuses": MetadataValue.json(dict(sorted(statuses.items()))),
        "bytes": MetadataValue.int(sum(m.total_bytes for m in manifests)),
        "files": MetadataValue.int(sum(len(m.with_data) for m in manifests)),
        "retries": MetadataValue.int(sum(max(r.attempts - 1, 0) for r in requests)),
        "failed": MetadataValue.int(sum(len(m.failed) for m in manifests)),
    }
    example = next((r.file for m in manifests for r in m.with_data), None)
    if example:
        meta["example_file"] = MetadataValue.path(example)
    return meta


def _report_failures(context: AssetExecutionContext, endpoint: str, manifests: Sequence[Manifest]) -> None:
    failed = [m for m in manifests if m.failed]
    if not failed:
        return
    total = sum(len(m.failed) for m in failed)
    lines = [line for m in failed for line in failure_lines(m)]
    shown = lines[:20] + ([f"... and {len(lines) - 20} more"] if len(lines) > 20 else [])
    context.log.warning(
        f"{total} {endpoint} request(s) failed for good; the other races land, ingest_gaps names the "
        "missing ones and a retry requests only them:\n" + "\n".join(shown)
    )


def _progress(context: AssetExecutionContext, label: str) -> Callable[[int, int], None]:
    last = monotonic()

    def report(done: int, total: int) -> None:
        nonlocal last
        if done < total and monotonic() - last >= PROGRESS_EVERY_S:
            last = monotonic()
            context.log.info(f"{label}: {done}/{total} requests done")

    return report


def land_days(
    context: AssetExecutionContext,
    pmu: PmuApiResource,
    files: FilesResource,
    endpoint: PmuEndpoint,
    paths_by_day: dict[date, list[str]],
) -> MaterializeResult:
    """Land the paths of each day as ``endpoint``; one manifest per day, each day's figures on it."""
    store = files.store()
    run_id, root_run_id = _run_ids(context)
    manifests: dict[date, Manifest] = {}
    started = monotonic()
    with pmu.client() as client:
        for day, paths in paths_by_day.items():
            manifests[day] = land(
                client,
                store,
                endpoint.name,
                paths,
                day.isoformat(),
                not_final_on_404=endpoint.not_final_on_404,
                progress=_progress(context, f"{endpoint.name} {day}"),
                run_id=run_id,
                root_run_id=root_run_id,
            )
    _report_failures(context, endpoint.name, list(manifests.values()))
    requests = sum(len(m.requests) for m in manifests.values())
    context.log.info(
        f"{endpoint.name}: {requests} requests for {len(manifests)} day(s) in {monotonic() - started:.1f} s, "
        f"{sum(len(m.failed) for m in manifests.values())} failed"
    )
    add_day_metadata(
        context, context.assets_def.key, list(manifests), lambda d: _landing_metadata([manifests[d]])
    )
    return MaterializeResult()


def paths_of_races(endpoint: PmuEndpoint, races: pd.DataFrame, days: Sequence[date]) -> dict[date, list[str]]:
    """The paths of ``endpoint`` for every race (or every reunion) of ``races``, by day, in order."""
    by_day: dict[date, list[str]] = {day: [] for day in days}
    ordered = races.sort_values(["race_date", "reunion", "course"])
    for day, reunion, course in zip(ordered["race_date"], ordered["reunion"], ordered["course"], strict=True):
        path = endpoint.path(day, int(reunion), int(course) if endpoint.scope == "race" else None)
        paths = by_day.setdefault(day, [])
        if path not in paths[-1:]:  # a reunion's races are consecutive: one path per reunion
            paths.append(path)
    return by_day


def raw_asset(endpoint: PmuEndpoint) -> AssetsDefinition:
    """The landing asset of ``endpoint``: once per day, or once per reunion or race of ``races``."""
    decorate = asset(
        name=endpoint.raw_asset,
        partitions_def=daily_partitions,
        backfill_policy=DAILY_BACKFILL,
        group_name=RAW_GROUP,
        kinds={"json", "file"},
        pool=PMU_API_POOL,
        description=endpoint.doc,
    )
    if endpoint.scope == "day":

        def land_day(
            context: AssetExecutionContext, pmu: PmuApiResource, files: FilesResource
        ) -> MaterializeResult:
            paths = {day: [endpoint.path(day)] for day in partition_days(context)}
            return land_days(context, pmu, files, endpoint, paths)

        return decorate(land_day)

    def land_races(
        context: AssetExecutionContext, pmu: PmuApiResource, files: FilesResource, races: pd.DataFrame
    ) -> MaterializeResult:
        paths = paths_of_races(endpoint, races, partition_days(context))
        return land_days(context, pmu, files, endpoint, paths)

    return decorate(land_races)
