"""Landing raw PMU payloads as files, one per request, with a manifest per endpoint and day.

The manifest records every request of a materialization (path, HTTP status, bytes, attempts), so a
parse step knows which answers were "no data" (204) or "not final yet" (404 on rapports) without
calling the API again, and a failed fetch never loses the payloads that did arrive.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from hippique_assets.pmu.client import FetchResult, PmuClient
from hippique_assets.pmu.paths import ApiPath, parse_api_path, raw_file_path
from hippique_assets.storage.files import FileStore


@dataclass(frozen=True)
class LandedRequest:
    """One request of a landing and where its body went (``file`` is None when there was no body)."""

    path: str
    status: int
    bytes: int
    attempts: int
    file: str | None
    error: str | None = None


@dataclass
class Manifest:
    endpoint: str
    partition: str
    fetched_at: str
    requests: list[LandedRequest] = field(default_factory=list)

    @property
    def statuses(self) -> dict[str, int]:
        counts = Counter("error" if r.error else str(r.status) for r in self.requests)
        return dict(sorted(counts.items()))

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


def land(
    client: PmuClient,
    store: FileStore,
    endpoint: str,
    paths: Sequence[str],
    partition: str,
    *,
    not_final_on_404: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Manifest:
    """Fetch every path, write each body as a file and the manifest; return the manifest.

    Requests that fail for good are recorded in the manifest with their error; the caller decides
    whether that fails the materialization (it should, after the manifest is written).
    """
    manifest = Manifest(endpoint, partition, datetime.now(UTC).isoformat(timespec="seconds"))
    results: list[FetchResult | BaseException]
    try:
        results = list(client.fetch_many(paths, not_final_on_404=not_final_on_404, progress=progress))
    except Exception as exc:  # some paths failed for good: keep what arrived
        partial = getattr(exc, "results", None)
        if partial is None:
            raise
        results = list(partial)
    for path, result in zip(paths, _pad(results, len(paths)), strict=True):
        manifest.requests.append(_store_one(store, path, partition, result))
    store.write_bytes(manifest_path(partition, endpoint), manifest.to_json())
    return manifest


def _pad(results: list[Any], n: int) -> list[Any]:
    return results + [None] * (n - len(results))


def _store_one(store: FileStore, path: str, partition: str, result: Any) -> LandedRequest:
    if not isinstance(result, FetchResult):
        error = repr(result) if result is not None else "not fetched"
        return LandedRequest(path, 0, 0, 0, None, error=error)
    if result.payload is None:
        return LandedRequest(path, result.status, len(result.content), result.attempts, None)
    rel = raw_file_path(path, partition)
    store.write_bytes(rel, result.content)
    return LandedRequest(path, result.status, len(result.content), result.attempts, rel)


def read_manifest(store: FileStore, partition: str, endpoint: str) -> Manifest:
    rel = manifest_path(partition, endpoint)
    if not store.exists(rel):
        raise FileNotFoundError(
            f"no {endpoint} manifest for {partition} at {store.uri(rel)}: materialize raw_{endpoint} first"
        )
    return Manifest.from_json(store.read_bytes(rel))


def iter_payloads(store: FileStore, manifest: Manifest) -> Iterator[tuple[ApiPath, Any]]:
    """The parsed JSON of every landed body, with its parsed API path."""
    for request in manifest.with_data:
        assert request.file is not None
        yield parse_api_path(request.path), json.loads(store.read_bytes(request.file))
