"""Landing raw PMU payloads as files, one per request, with a manifest per endpoint and day.

The manifest records every request of a landing (path, HTTP status, bytes, attempts, error), so a
parse step knows which answers were "no data" (204) or "not final yet" (404 on rapports) without
calling the API again, and a failed fetch never loses the payloads that did arrive.

Two rules keep failures small:

- A request that fails for good keeps the body an earlier landing of the same path left, marked
  ``stale``: a race is never emptied because its refresh failed. So does an answer without data
  (a 204, or a 404 where it means "not final yet") to a path that answered with data before: the source does not take
  back what it published, so "no data" after data is a shrink of the source, recorded as a failure
  and requested again on a retry.
- A landing that repeats one of the same run family (a retry or a re-execution: same Dagster root
  run) requests only what is still missing: the failed paths and the answers not final yet.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from hippique_assets.pmu.client import FetchResult, PmuClient
from hippique_assets.pmu.endpoints import BY_NAME
from hippique_assets.pmu.errors import PmuError
from hippique_assets.pmu.paths import ApiPath, parse_api_path, raw_file_path
from hippique_assets.storage.files import FileStore

# A ``root_run_id`` that counts every earlier landing of the day as already fetched, whatever run
# made it (``hippique ingest --missing-only``).
ANY_RUN = "*"


@dataclass(frozen=True)
class LandedRequest:
    """One request of a landing and where its body is (``file`` is None when there is no body).

    ``error`` says why the last request failed for good; ``file`` then points at an earlier
    landing's body when there is one (``stale``).
    """

    path: str
    status: int
    bytes: int
    attempts: int
    file: str | None
    error: str | None = None
    stale: bool = False

    @property
    def outcome(self) -> str:
        """``error`` for a failure, else the HTTP status (``200``, ``204``, ``404``)."""
        return "error" if self.error else str(self.status)


@dataclass
class Manifest:
    endpoint: str
    partition: str
    fetched_at: str
    requests: list[LandedRequest] = field(default_factory=list)
    run_id: str | None = None
    root_run_id: str | None = None

    @property
    def statuses(self) -> dict[str, int]:
        return dict(sorted(Counter(r.outcome for r in self.requests).items()))

    @property
    def total_bytes(self) -> int:
        return sum(r.bytes for r in self.requests)

    @property
    def with_data(self) -> list[LandedRequest]:
        return [r for r in self.requests if r.file is not None]

    @property
    def failed(self) -> list[LandedRequest]:
        return [r for r in self.requests if r.error is not None]

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=1, ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        raw = json.loads(data)
        requests = [LandedRequest(**r) for r in raw.pop("requests")]
        return cls(requests=requests, **raw)


def manifest_path(partition: str, endpoint: str) -> str:
    return f"pmu/{partition}/_manifests/{endpoint}.json"


def failure_lines(manifest: Manifest, limit: int = 20) -> list[str]:
    """``path: error`` of the failed requests (the first ``limit``, then a count of the others)."""
    lines = [f"{r.path}: {r.error}{' (earlier answer kept)' if r.stale else ''}" for r in manifest.failed]
    if len(lines) > limit:
        lines = [*lines[:limit], f"... and {len(lines) - limit} more"]
    return lines


def _still_missing(request: LandedRequest, not_final_on_404: bool) -> bool:
    return request.error is not None or (not_final_on_404 and request.status == 404)


def land(
    client: PmuClient,
    store: FileStore,
    endpoint: str,
    paths: Sequence[str],
    partition: str,
    *,
    not_final_on_404: bool | None = None,
    progress: Callable[[int, int], None] | None = None,
    run_id: str | None = None,
    root_run_id: str | None = None,
) -> Manifest:
    """Fetch the paths, write each body as a file and the manifest; return the manifest.

    Requests that fail for good are recorded with their error (and keep an earlier body when one
    exists); the caller decides what that means for the run. When the previous manifest of this
    endpoint and day belongs to the same ``root_run_id`` (a re-run of the same run), or when
    ``root_run_id`` is :data:`ANY_RUN`, only what is still missing is requested. A 404 means "not
    final yet" as ``not_final_on_404`` says, by default as the endpoint's record says.
    """
    if not_final_on_404 is None:
        record = BY_NAME.get(endpoint)
        not_final_on_404 = record is not None and record.not_final_on_404
    previous = _previous(store, partition, endpoint)
    kept: dict[str, LandedRequest] = {}
    if previous is not None and root_run_id is not None and root_run_id in (ANY_RUN, previous.root_run_id):
        kept = {r.path: r for r in previous.requests if not _still_missing(r, not_final_on_404)}
    earlier = {r.path: r for r in previous.requests if r.file is not None} if previous else {}
    to_fetch = [p for p in paths if p not in kept]
    manifest = Manifest(
        endpoint,
        partition,
        datetime.now(UTC).isoformat(timespec="seconds"),
        run_id=run_id,
        root_run_id=root_run_id,
    )
    results: list[Any] = []
    if to_fetch:
        try:
            results = list(client.fetch_many(to_fetch, not_final_on_404=not_final_on_404, progress=progress))
        except Exception as exc:  # some paths failed for good: keep what arrived
            partial = getattr(exc, "results", None)
            if partial is None:
                raise
            results = list(partial)
    fetched = dict(zip(to_fetch, results + [None] * (len(to_fetch) - len(results)), strict=True))
    for path in paths:
        if path in kept:
            manifest.requests.append(kept[path])
        else:
            manifest.requests.append(_store_one(store, path, partition, fetched[path], earlier.get(path)))
    store.write_bytes(manifest_path(partition, endpoint), manifest.to_json())
    return manifest


def find_manifest(store: FileStore, partition: str, endpoint: str) -> Manifest | None:
    """The endpoint's manifest for the day; None when it never landed. An unreadable manifest raises
    (``ValueError``, ``TypeError`` or ``KeyError``)."""
    rel = manifest_path(partition, endpoint)
    return Manifest.from_json(store.read_bytes(rel)) if store.exists(rel) else None


def _previous(store: FileStore, partition: str, endpoint: str) -> Manifest | None:
    try:
        return find_manifest(store, partition, endpoint)
    except (ValueError, TypeError, KeyError):
        return None  # an unreadable manifest (older format, cut short): land everything again


def _store_one(
    store: FileStore, path: str, partition: str, result: Any, earlier: LandedRequest | None
) -> LandedRequest:
    if not isinstance(result, FetchResult):
        error = _describe(result)
        attempts = getattr(result, "attempts", 0) or 0
        status = getattr(result, "status", None) or 0
        if _has_body(store, earlier):
            assert earlier is not None
            return replace(earlier, error=error, attempts=attempts, status=status, stale=True)
        return LandedRequest(path, status, 0, attempts, None, error=error)
    if result.payload is None:
        if _has_body(store, earlier):
            assert earlier is not None
            error = f"answered HTTP {result.status} (no data) after an earlier answer with data"
            return replace(earlier, error=error, attempts=result.attempts, status=result.status, stale=True)
        return LandedRequest(path, result.status, len(result.content), result.attempts, None)
    rel = raw_file_path(path, partition)
    store.write_bytes(rel, result.content)
    return LandedRequest(path, result.status, len(result.content), result.attempts, rel)


def _has_body(store: FileStore, earlier: LandedRequest | None) -> bool:
    return earlier is not None and earlier.file is not None and store.exists(earlier.file)


def _describe(error: Any) -> str:
    if error is None:
        return "not fetched"
    if isinstance(error, PmuError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def read_manifest(store: FileStore, partition: str, endpoint: str) -> Manifest:
    manifest = find_manifest(store, partition, endpoint)
    if manifest is None:
        rel = manifest_path(partition, endpoint)
        raise FileNotFoundError(
            f"no {endpoint} manifest for {partition} at {store.uri(rel)}: materialize raw_{endpoint} first"
        )
    return manifest


def iter_payloads_safely(
    store: FileStore, manifest: Manifest
) -> Iterator[tuple[ApiPath, Any | None, str | None]]:
    """The parsed JSON of every landed body with its parsed API path; a body that cannot be read
    any more gives ``(path, None, reason)``."""
    for request in manifest.with_data:
        assert request.file is not None
        path = parse_api_path(request.path)
        try:
            yield path, json.loads(store.read_bytes(request.file)), None
        except (OSError, ValueError) as exc:
            yield path, None, f"landed body {request.file} unreadable: {exc}"
