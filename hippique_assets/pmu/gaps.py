"""A day's ingestion gaps: what the manifests and the parse reports say is missing.

The raw assets record every request in a manifest; the table assets record the races and rows
they rejected beside it (``pmu/<day>/_manifests/<endpoint>.rejections.json``). :func:`day_gaps`
puts both together, with the races the programme lists that were never requested and the units a
new answer lacked whose stored rows were kept (:mod:`hippique_assets.pmu.last_good`), as rows of
``pmu.ingest_gaps``.

Gaps are transient or permanent. A request that failed, a race never requested or an answer that
shrank may be right on the next try: they fail the day's run so that it is retried. A value the
source got wrong (a race or runner rejected by its rule) stays wrong on every retry: it is named
and warned about, but does not fail the run.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import date

import pandas as pd

from hippique_assets.pmu.endpoints import INGESTED
from hippique_assets.pmu.endpoints import endpoint as endpoint_record
from hippique_assets.pmu.landing import Manifest
from hippique_assets.pmu.last_good import Kept
from hippique_assets.pmu.parse_common import typed_frame
from hippique_assets.pmu.paths import parse_api_path
from hippique_assets.pmu.schema.ingest_gaps import INGEST_GAPS
from hippique_assets.pmu.validation import Rejection
from hippique_assets.racing.keys import parse_race_key, race_key
from hippique_assets.storage.files import FileStore

# The ingested endpoints, and those asked once per race of the programme.
ENDPOINTS = tuple(e.name for e in INGESTED)
RACE_ENDPOINTS = tuple(e.name for e in INGESTED if e.scope == "race")

# Kinds of gap a retry cannot fill: the source's own values broke their rules.
PERMANENT_KINDS = frozenset({"rejected_race", "rejected_row"})


def is_transient(kind: str) -> bool:
    """Whether a gap of this kind may be filled by requesting again (and so fails the run)."""
    return kind not in PERMANENT_KINDS


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
    if parsed.reunion is None or parsed.course is None:
        return None
    return race_key(parsed.day, parsed.reunion, parsed.course)


def day_gaps(
    day: date,
    expected_races: Sequence[str],
    rejections: Sequence[Rejection],
    manifests: Mapping[str, Manifest | None],
    kept: Sequence[Kept] = (),
) -> pd.DataFrame:
    """Rows of ``pmu.ingest_gaps`` for ``day`` over the endpoints of ``manifests`` (each with the
    day's manifest, None when it never landed); an empty frame: nothing missing. ``kept`` are the
    units whose stored rows were kept because a new answer lacked them; those not explained by a
    rejection are ``shrank`` gaps."""
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

    reunions = sorted({parse_race_key(key).reunion for key in expected_races})
    for endpoint, manifest in manifests.items():
        source = endpoint_record(endpoint)
        if manifest is None:
            if source.scope == "day":
                add(endpoint, "not_requested", f"the {endpoint} was never landed")
            elif source.scope == "reunion":
                for reunion in reunions:
                    add(
                        endpoint,
                        "not_requested",
                        "no landing of this endpoint for the day",
                        path=source.path(day, reunion),
                    )
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
        elif source.scope == "reunion":
            asked = {r.path for r in manifest.requests}
            for reunion in reunions:
                if source.path(day, reunion) not in asked:
                    add(
                        endpoint,
                        "not_requested",
                        "the reunion is in the programme but was not requested",
                        path=source.path(day, reunion),
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
    named: set[tuple[str, str]] = set()
    for record in kept:
        if record.endpoint not in manifests or record.race_date != day or record.rejected:
            continue
        if (record.endpoint, record.unit) in named:
            continue  # one unit kept in two tables (a bet type: its bet and its dividends)
        named.add((record.endpoint, record.unit))
        add(
            record.endpoint,
            "shrank",
            f"{record.unit} is missing from the new answer without a cancellation; the stored rows are kept",
            race_key=record.race_key,
            path=record.path,
            runner=record.runner,
        )
    return typed_frame(INGEST_GAPS, rows)
