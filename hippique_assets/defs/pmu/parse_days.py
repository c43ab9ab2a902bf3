"""Parsing an endpoint's landed payloads of several days into one frame per table.

Shared by every table asset: the rows of each payload go through a :class:`Batch` (a bad unit
costs only itself), stored units missing from the new answers keep their stored rows (last good
data wins), and the day's rejections and kept units are written beside the manifests for
``ingest_gaps``.
"""

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from dagster import AssetExecutionContext, MetadataValue
from sqlalchemy import Table

from hippique_assets.pmu import last_good
from hippique_assets.pmu.batch import Batch
from hippique_assets.pmu.endpoints import PmuEndpoint
from hippique_assets.pmu.gaps import write_rejections
from hippique_assets.pmu.landing import iter_payloads_safely, read_manifest
from hippique_assets.racing.keys import race_key
from hippique_assets.storage.files import FilesResource
from hippique_assets.storage.postgres import PostgresResource

# Extra keyword arguments of the row function for one race, by race key.
RowKwargs = Callable[[str], Mapping[str, Any]]


@dataclass
class Parsed:
    """What parsing gave: the batch (with its rejections), one frame per table, the days that had
    data, and the payloads parsed per day."""

    batch: Batch
    frames: dict[Table, pd.DataFrame]
    with_data: list[date]
    payloads: dict[date, int]


def _save_rejections(files: FilesResource, batch: Batch, days: Sequence[date]) -> None:
    store = files.store()
    by_day = defaultdict(list)
    for rejection in batch.rejections:
        by_day[rejection.race_date].append(rejection)
    for day in days:
        write_rejections(store, day.isoformat(), batch.endpoint, by_day.get(day, []))


def _keep_stored(
    postgres: PostgresResource, batch: Batch, frames: dict[Table, pd.DataFrame], days: Sequence[date]
) -> list[last_good.Kept]:
    """Put back into ``frames`` the stored units the new answers lack (last good data wins)."""
    kept: list[last_good.Kept] = []
    for table, frame in frames.items():
        if table.fullname not in last_good.UNITS:
            continue
        unit = last_good.unit_of(table)
        missing = last_good.missing_units(
            frame, postgres.read_frame(table, partition_values=days, columns=unit), unit
        )
        if missing.empty:
            continue
        stored = postgres.read_frame(table, partition_values=days)
        frames[table] = last_good.keep_last_good(frame, stored, missing)
        kept.extend(last_good.kept_records(batch.endpoint, table, missing, batch.rejections))
    return kept


def _save_kept(
    files: FilesResource, endpoint: str, kept: Sequence[last_good.Kept], days: Sequence[date]
) -> None:
    store = files.store()
    by_day = defaultdict(list)
    for record in kept:
        by_day[record.race_date].append(record)
    for day in days:
        last_good.write_kept(store, day.isoformat(), endpoint, by_day.get(day, []))


def parse_days(
    files: FilesResource,
    postgres: PostgresResource,
    days: Sequence[date],
    endpoint: PmuEndpoint,
    row_kwargs: RowKwargs | None = None,
) -> Parsed:
    """Parse every landed payload of ``endpoint`` for ``days`` with its row function, called as
    ``rows(payload, day)`` plus the reunion and course below the day (and ``row_kwargs(race_key)``
    for a race); units that are stored but missing from the new answers keep their stored rows."""
    assert endpoint.rows is not None, f"{endpoint.name} has no row function"
    store = files.store()
    batch = Batch(endpoint.name, tuple(spec.table for spec in endpoint.tables))
    with_data: list[date] = []
    payloads: dict[date, int] = {}
    for day in days:
        before = batch.payloads
        manifest = read_manifest(store, day.isoformat(), endpoint.name)
        if manifest.with_data:
            with_data.append(day)
        for path, payload, problem in iter_payloads_safely(store, manifest):
            key = (
                race_key(day, path.reunion, path.course)
                if path.reunion is not None and path.course is not None
                else None
            )
            if problem is not None:
                batch.reject(day, key, problem)
            elif endpoint.scope == "day":
                batch.add(day, None, endpoint.rows, payload, day)
            elif endpoint.scope == "reunion":
                batch.add(day, None, endpoint.rows, payload, day, path.reunion)
            else:
                assert key is not None and path.reunion is not None
                extra = row_kwargs(key) if row_kwargs is not None else {}
                batch.add(day, key, endpoint.rows, payload, day, path.reunion, path.course, **extra)
        payloads[day] = batch.payloads - before
    frames = batch.frames(days[0])
    kept = _keep_stored(postgres, batch, frames, days)
    _save_rejections(files, batch, days)
    _save_kept(files, batch.endpoint, kept, days)
    return Parsed(batch, frames, with_data, payloads)


def rejection_note(
    context: AssetExecutionContext, batch: Batch, payloads: Mapping[date, int]
) -> Callable[[date], dict[str, MetadataValue]]:
    """Log the run's rejections; give each day's rejected rows and parsed payloads."""
    if batch.rejections:
        context.log.warning(
            f"{batch.endpoint}: {len(batch.rejections)} race(s) or row(s) rejected:\n"
            + "\n".join(r.line() for r in batch.rejections[:20])
        )
    rejected: dict[date, int] = defaultdict(int)
    for rejection in batch.rejections:
        rejected[rejection.race_date] += 1

    def note(day: date) -> dict[str, MetadataValue]:
        return {
            "rejected": MetadataValue.int(rejected[day]),
            "payloads": MetadataValue.int(payloads.get(day, 0)),
        }

    return note
