"""``ingest_gaps``: what a day's ingestion is missing, after every table asset of the day.

It reads the manifests of every ingested endpoint, the rejections and the kept units the table
assets wrote beside them (:func:`hippique_assets.pmu.gaps.day_gaps`). A gap a retry may fill fails
the run; a value the source got wrong is warned about and does not.
"""

from collections.abc import Iterator, Mapping
from datetime import date

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    Failure,
    MetadataValue,
    Output,
    asset,
)

from hippique_assets.defs.partitions import DAILY_BACKFILL, daily_partitions, partition_days
from hippique_assets.defs.pmu.day_metadata import add_day_metadata, day_rows
from hippique_assets.defs.pmu.table_assets import TABLE_GROUP
from hippique_assets.lib.frame_types import frame_type
from hippique_assets.lib.table_assets import PG_IO_MANAGER, table_metadata
from hippique_assets.pmu import last_good, parsers
from hippique_assets.pmu.endpoints import INGESTED
from hippique_assets.pmu.gaps import ENDPOINTS, day_gaps, is_transient, read_rejections
from hippique_assets.pmu.landing import Manifest, find_manifest
from hippique_assets.pmu.schema.ingest_gaps import INGEST_GAPS
from hippique_assets.racing.keys import race_key
from hippique_assets.storage.files import FilesResource
from hippique_assets.storage.tables import column_names


@asset(
    partitions_def=daily_partitions,
    backfill_policy=DAILY_BACKFILL,
    group_name=TABLE_GROUP,
    io_manager_key=PG_IO_MANAGER,
    metadata=table_metadata(INGEST_GAPS),
    dagster_type=frame_type(INGEST_GAPS),
    kinds={"postgres", "pandas"},
    deps=[AssetKey(name) for endpoint in INGESTED for name in endpoint.table_assets],
    check_specs=[
        AssetCheckSpec(
            "day_complete",
            asset="ingest_gaps",
            description="Every race of the day landed for every endpoint and no answer shrank: no "
            "request failed, none is missing, nothing stored was lost (a retry may fill these).",
        ),
        AssetCheckSpec(
            "values_valid",
            asset="ingest_gaps",
            description="No race or runner was rejected because a source value broke its rule "
            "(warns: a retry gets the same values, so these gaps do not fail the run).",
        ),
    ],
)
def ingest_gaps(context: AssetExecutionContext, files: FilesResource, races: pd.DataFrame) -> Iterator:
    """What the day's ingestion is missing (``pmu.ingest_gaps``): failed requests, races never
    requested, answers that shrank (their stored rows kept), rejected races and runners. A gap a
    retry may fill fails the run, so that it is retried, and the retry requests only what is
    missing; a value the source got wrong is a permanent gap: named and warned about, not retried."""
    store = files.store()
    days = partition_days(context)
    manifests = {day: {e: find_manifest(store, day.isoformat(), e) for e in ENDPOINTS} for day in days}
    endpoints = _endpoints_of_run(context.run_id, manifests)
    frames = []
    for day in days:
        today = races.loc[races["race_date"] == day, ["reunion", "course"]]
        expected = [race_key(day, int(r), int(c)) for r, c in today.itertuples(index=False)]
        rejections = read_rejections(store, day.isoformat())
        # The day's table holds every endpoint landed so far (a plan refresh keeps the runners' gaps
        # of the morning plan), but this run only fails on the gaps of what it landed itself.
        shown = [e for e in ENDPOINTS if e in endpoints or manifests[day][e] is not None]
        kept = last_good.read_kept(store, day.isoformat(), shown)
        frames.append(day_gaps(day, expected, rejections, {e: manifests[day][e] for e in shown}, kept))
    gaps = (
        pd.concat(frames, ignore_index=True)[column_names(INGEST_GAPS)]
        if frames
        else parsers.empty_frame(INGEST_GAPS)
    )
    transient = gaps[gaps["kind"].map(is_transient).astype(bool)] if not gaps.empty else gaps
    permanent = gaps[~gaps.index.isin(transient.index)]

    def day_metadata(day: date) -> dict[str, object]:
        today = day_rows(gaps, day)
        return {
            "gaps": len(today),
            "transient": len(day_rows(transient, day)),
            "permanent": len(day_rows(permanent, day)),
            "by_kind": MetadataValue.json({str(k): int(n) for k, n in today["kind"].value_counts().items()}),
        }

    add_day_metadata(context, "ingest_gaps", days, day_metadata)
    yield Output(gaps)
    yield _gap_check("day_complete", transient, AssetCheckSeverity.ERROR)
    yield _gap_check("values_valid", permanent, AssetCheckSeverity.WARN)
    if not permanent.empty:
        context.log.warning(
            f"{len(permanent)} source value(s) broke their rules; those races or runners are left out "
            "(a retry gets the same values):\n" + "\n".join(_gap_lines(permanent))
        )
    own = transient[transient["endpoint"].isin(endpoints)] if not transient.empty else transient
    if len(own) < len(transient):
        context.log.warning(
            f"{len(transient) - len(own)} gap(s) of endpoints this run did not land (another job fills them):\n"
            + "\n".join(_gap_lines(transient[~transient.index.isin(own.index)]))
        )
    if not own.empty:
        raise Failure(
            description=f"{len(own)} gap(s) in the ingestion of {len(frames)} day(s); the rest landed. "
            "Re-run (or let the retry run) to request only what is missing:\n" + "\n".join(_gap_lines(own)),
            metadata={"gaps": len(own)},
        )


def _gap_lines(gaps: pd.DataFrame, limit: int = 20) -> list[str]:
    lines = []
    for g in gaps.head(limit).to_dict("records"):
        runner = f" runner {g['runner']}" if pd.notna(g["runner"]) else ""
        where = g["path"] or g["race_key"] or ""
        lines.append(f"{g['race_date']} {g['endpoint']} {g['kind']} {where}{runner}: {g['detail']}".rstrip())
    if len(gaps) > limit:
        lines.append(f"... and {len(gaps) - limit} more")
    return lines


def _gap_check(name: str, gaps: pd.DataFrame, severity: AssetCheckSeverity) -> AssetCheckResult:
    return AssetCheckResult(
        check_name=name,
        passed=gaps.empty,
        severity=severity,
        metadata={
            "gaps": len(gaps),
            "first_gaps": MetadataValue.md("\n".join(f"- {line}" for line in _gap_lines(gaps)) or "_none_"),
        },
    )


def _endpoints_of_run(run_id: str, manifests: Mapping[date, Mapping[str, Manifest | None]]) -> list[str]:
    """The endpoints this run landed (the plan job lands no rapports); all when it landed none
    (``ingest_gaps`` materialized on its own)."""
    landed = [
        endpoint
        for endpoint in ENDPOINTS
        if any((m := day[endpoint]) is not None and m.run_id == run_id for day in manifests.values())
    ]
    return landed or list(ENDPOINTS)
