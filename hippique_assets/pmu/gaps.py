"""A day's ingestion gaps: what the manifests and the parse reports say is missing.

The raw assets record every request in a manifest; the table assets record the races and rows
they rejected beside it (``pmu/<day>/_manifests/<endpoint>.rejections.json``). :func:`day_gaps`
puts both together, with the races the programme lists that were never requested, as rows of
``pmu.ingest_gaps``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import date

import pandas as pd

from hippique_assets.pmu import tables
from hippique_assets.pmu.landing import Manifest
from hippique_assets.pmu.parse_common import typed_frame
from hippique_assets.pmu.paths import parse_api_path
from hippique_assets.pmu.validation import Rejection
from hippique_assets.racing.keys import race_key
from hippique_assets.storage.files import FileStore

ENDPOINTS = ("programme", "participants", "performances", "rapports")
RACE_ENDPOINTS = ENDPOINTS[1:]


def rejections_path(partition: str, endpoint: str) -> str:
    return f"pmu/{partition}/_manifests/{endpoint}.rejections.json"


def write_rejections(
    store: FileStore, partition: str, endpoint: str, rejections: Sequence[Rejection]
) -> None:
    rows = [{**asdict(r), "race_date": r.race_date.isoformat()} for r in rejections]
    store.write_bytes(rejections_path(partition, endpoint), json.dumps(rows, ensure_ascii=False).encode())


def read_rejections(
    store: FileStore, partition: str, endpoints: Sequence[str] = ENDPOINTS
) -> list[Rejection]:
    found = []
    for endpoint in endpoints:
        rel = rejections_path(partition, endpoint)
        if store.exists(rel):
            for row in json.loads(store.read_bytes(rel)):
                found.append(Rejection(**{**row, "race_date": date.fromisoformat(row["race_date"])}))
    return found


def _race_of(path: str) -> str | None:
    parsed = parse_api_path(path)
    return race_key(parsed.day, parsed.reunion, parsed.course) if parsed.course is not None else None


def day_gaps(
    day: date,
    expected_races: Sequence[str],
    rejections: Sequence[Rejection],
    manifests: Mapping[str, Manifest | None],
) -> pd.DataFrame:
    """Rows of ``pmu.ingest_gaps`` for ``day`` over the endpoints of ``manifests`` (each with the
    day's manifest, None when it never landed); an empty frame: nothing missing."""
    rows: list[dict] = []
    seq: Counter[str] = Counter()

    def add(endpoint: str, kind: str, detail: str, **fields: object) -> None:
        seq[endpoint] += 1
        rows.append(
            {
                "race_date": day,
                "endpoint": endpoint,
                "seq": seq[endpoint],
                "kind": kind,
                "race_key": fields.get("race_key"),
                "path": fields.get("path"),
                "status": fields.get("status"),
                "runner": fields.get("runner"),
                "field": fields.get("field"),
                "value": fields.get("value"),
                "detail": detail,
            }
        )

    for endpoint, manifest in manifests.items():
        if manifest is None:
            if endpoint == "programme":
                add(endpoint, "not_requested", "the programme was never landed")
            else:
                for key in expected_races:
                    add(endpoint, "not_requested", "no landing of this endpoint for the day", race_key=key)
            continue
        for request in manifest.failed:
            kind = "stale" if request.stale else "request_failed"
            detail = request.error or "failed"
            if request.stale:
                detail += " (the earlier answer is kept)"
            add(
                endpoint,
                kind,
                detail,
                race_key=_race_of(request.path),
                path=request.path,
                status=request.status,
            )
        if endpoint in RACE_ENDPOINTS:
            requested = {_race_of(r.path) for r in manifest.requests}
            for key in expected_races:
                if key not in requested:
                    add(
                        endpoint,
                        "not_requested",
                        "the race is in the programme but was not requested",
                        race_key=key,
                    )
    for rejection in rejections:
        if rejection.endpoint not in manifests or rejection.race_date != day:
            continue
        kind = "rejected_row" if rejection.runner is not None or rejection.field else "rejected_race"
        add(
            rejection.endpoint,
            kind,
            rejection.reason,
            race_key=rejection.race_key,
            runner=rejection.runner,
            field=rejection.field,
            value=rejection.value,
        )
    return typed_frame(tables.INGEST_GAPS, rows)
