"""Client of the PMU turfinfo JSON API, on top of the polite HTTP layer.

Beyond what PoliteHttp does (User-Agent, per-host rate limit, retries), this client knows the API's
answers, from the endpoint records of :mod:`hippique_assets.pmu.endpoints`: 204 means "no data",
404 means "not final yet" where the record says so (``rapports-definitifs``), a body must be the
record's JSON type, and a body that is not valid JSON is fetched again (a truncated body is usually
a passing proxy fault) before being reported as malformed. Each endpoint has a body size limit (a
larger body is refused, never retried) and each attempt a total deadline; the API may only
redirect within its own origin.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from datetime import date
from types import MappingProxyType
from typing import Any

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

from hippique_assets.net.closing import Closing
from hippique_assets.net.polite import (
    DEFAULT_DEADLINE_S,
    DEFAULT_USER_AGENT,
    HttpBodyTooLarge,
    HttpError,
    HttpRedirectRefused,
    HttpStats,
    HttpStatusError,
    HttpTransportError,
    PoliteHttp,
    PoliteResponse,
    RetryPolicy,
)
from hippique_assets.pmu.endpoints import DEFAULT_BODY_MB, ENDPOINTS, PmuEndpoint, endpoint
from hippique_assets.pmu.errors import (
    PmuBodyTooLarge,
    PmuError,
    PmuHttpError,
    PmuMalformedResponse,
    PmuRedirectRefused,
    PmuTransportError,
)
from hippique_assets.pmu.paths import parse_api_path

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_BODY_MB",
    "FetchResult",
    "PmuBodyTooLarge",
    "PmuClient",
    "PmuError",
    "PmuHttpError",
    "PmuMalformedResponse",
    "PmuRedirectRefused",
    "PmuTransportError",
    "parse_max_body_mb",
]

DEFAULT_BASE_URL = "https://online.turfinfo.api.pmu.fr/rest/client/61"

# Largest body accepted per endpoint, in MB (2**20 bytes) after decompression (each record's
# ``max_body_mb``); "default" covers any other path.
DEFAULT_MAX_BODY_MB: Mapping[str, float] = MappingProxyType(
    {**{e.name: e.max_body_mb for e in ENDPOINTS}, "default": DEFAULT_BODY_MB}
)

# A body that is not JSON is fetched up to this many times in all before it is reported.
BODY_TRIES = 3


@dataclass(frozen=True)
class FetchResult:
    """One API answer.

    ``payload`` is the decoded JSON, or None when ``no_data`` (HTTP 204) or ``not_final`` (HTTP 404
    on rapports). ``content`` is the body exactly as received; ``attempts`` counts every HTTP
    request it took, retries of a malformed body included.
    """

    path: str
    url: str
    status: int
    payload: Any | None
    content: bytes
    attempts: int
    elapsed_s: float
    no_data: bool = False
    not_final: bool = False


class _UnreadableBody(PmuMalformedResponse):
    """A body that does not decode as JSON: worth fetching again."""


class PmuClient(Closing):
    """The PMU turfinfo API (or any server answering the same paths at ``base_url``).

    ``concurrency`` bounds the parallel requests of :meth:`fetch_many`; ``rate_limit_per_s`` spaces
    all requests to the host whatever the concurrency. ``timeout_s`` bounds each socket operation
    and ``deadline_s`` each attempt as a whole. ``max_body_mb`` overrides the body size limits of
    :data:`DEFAULT_MAX_BODY_MB`: one number for every endpoint, or a mapping by endpoint name
    (``"default"`` for paths of no known endpoint). Safe to share between threads.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        rate_limit_per_s: float = 1.0,
        concurrency: int = 4,
        timeout_s: float = 20.0,
        deadline_s: float | None = DEFAULT_DEADLINE_S,
        max_body_mb: float | Mapping[str, float] | None = None,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen, so one shared default is safe
        user_agent: str = DEFAULT_USER_AGENT,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be >= 1, got {concurrency!r}")
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"PMU base URL must be an http(s) URL, got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.concurrency = concurrency
        self.retry = retry
        self.max_body_bytes = _body_limits(max_body_mb)
        self._sleep = sleep
        self._body_retries = 0
        self._body_retries_lock = threading.Lock()
        self._http = PoliteHttp(
            user_agent=user_agent,
            rate_limit_per_s=rate_limit_per_s,
            timeout_s=timeout_s,
            deadline_s=deadline_s,
            max_body_bytes=self.max_body_bytes["default"],
            retry=retry,
            transport=transport,
            sleep=sleep,
        )

    @property
    def stats(self) -> HttpStats:
        """Requests sent, retries (malformed bodies fetched again included), bytes and answers per status."""
        http = self._http.stats
        return replace(http, retries=http.retries + self._body_retries)

    def url_for(self, path: str) -> str:
        """The absolute URL of an API path such as ``/programme/23032026``."""
        if not path.startswith("/"):
            raise ValueError(f"PMU API path must start with '/', got {path!r}")
        return self.base_url + path

    def body_limit(self, path: str) -> int:
        """The largest body accepted for ``path``, in bytes (its endpoint's limit)."""
        return self.max_body_bytes[_endpoint_of(path)]

    def get(
        self, path: str, *, not_final_on_404: bool | None = None, expect: type | None = None
    ) -> FetchResult:
        """Fetch one API path and decode its JSON, which must be an ``expect`` at top level.

        ``expect`` and ``not_final_on_404`` default to the path's endpoint record (an object and
        False for a path of no known endpoint).

        Raises PmuHttpError for an unexpected status, PmuTransportError when no answer came after
        retrying (time-outs and deadlines included), PmuMalformedResponse for a body that is still
        not valid JSON after ``BODY_TRIES`` fetches or not of the expected type, PmuBodyTooLarge for
        a body over the endpoint's limit and PmuRedirectRefused for a redirect off the API's origin.
        """
        url = self.url_for(path)
        limit = self.body_limit(path)
        record = _record_of(path)
        if expect is None:
            expect = record.expect if record is not None else dict
        if not_final_on_404 is None:
            not_final_on_404 = record is not None and record.not_final_on_404
        accept = (200, 204, 404) if not_final_on_404 else (200, 204)
        started = time.monotonic()
        attempts = 0

        def fetch_and_decode() -> tuple[PoliteResponse, Any]:
            nonlocal attempts
            try:
                response = self._http.get(url, accept_statuses=accept, max_body_bytes=limit)
            except HttpStatusError as exc:
                raise PmuHttpError(url, exc.status, attempts=attempts + exc.attempts) from exc
            except HttpTransportError as exc:
                raise PmuTransportError(url, exc.reason, attempts=attempts + exc.attempts) from exc
            except HttpBodyTooLarge as exc:
                raise PmuBodyTooLarge(
                    url,
                    exc.limit_bytes,
                    received=exc.received,
                    declared=exc.declared,
                    attempts=attempts + exc.attempts,
                ) from exc
            except HttpRedirectRefused as exc:
                raise PmuRedirectRefused(
                    url, exc.source, exc.location, exc.reason, attempts=attempts + exc.attempts
                ) from exc
            except HttpError as exc:
                raise PmuError(url, str(exc)) from exc
            attempts += response.attempts
            if response.status != 200:
                return response, None
            return response, _decode(url, response.content)

        def count_body_retry(_: object) -> None:
            with self._body_retries_lock:
                self._body_retries += 1

        retrying = Retrying(
            sleep=self._sleep,
            stop=stop_after_attempt(BODY_TRIES),
            wait=self.retry.backoff(),
            retry=retry_if_exception_type(_UnreadableBody),
            before_sleep=count_body_retry,
            reraise=True,
        )
        try:
            response, payload = retrying(fetch_and_decode)
        except _UnreadableBody as exc:
            raise PmuMalformedResponse(
                url, f"{exc.reason} (fetched {BODY_TRIES} times)", attempts=max(attempts, BODY_TRIES)
            ) from exc
        if response.status == 200 and not isinstance(payload, expect):
            raise PmuMalformedResponse(
                url,
                f"expected a JSON {_json_type(expect)} at top level, got {_json_type(type(payload))}",
                attempts=attempts,
            )
        return FetchResult(
            path=path,
            url=url,
            status=response.status,
            payload=payload,
            content=response.content,
            attempts=attempts,
            elapsed_s=time.monotonic() - started,
            no_data=response.status == 204,
            not_final=response.status == 404,
        )

    def fetch(
        self, name: str, day: date, reunion: int | None = None, course: int | None = None
    ) -> FetchResult:
        """Endpoint ``name`` for a day, reunion or race, as its record says (type, 404, limit)."""
        return self.get(endpoint(name).path(day, reunion, course))

    def programme(self, day: date) -> FetchResult:
        """The day's programme: every reunion and race."""
        return self.fetch("programme", day)

    def participants(self, day: date, reunion: int, course: int) -> FetchResult:
        """The runners of one race, with odds when the market is open."""
        return self.fetch("participants", day, reunion, course)

    def performances(self, day: date, reunion: int, course: int) -> FetchResult:
        """The past races of every runner of one race."""
        return self.fetch("performances", day, reunion, course)

    def rapports(self, day: date, reunion: int, course: int) -> FetchResult:
        """The final dividends of one race; ``not_final`` (payload None) while they are not published."""
        return self.fetch("rapports", day, reunion, course)

    def fetch_many(
        self,
        paths: Sequence[str],
        *,
        not_final_on_404: bool | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[FetchResult]:
        """Fetch several paths with at most ``concurrency`` in flight; results in input order.

        Each path must decode to its endpoint's JSON type (rapports to an array, the others to an
        object); a 404 means "not final" as ``not_final_on_404`` says, by default as the endpoint's
        record says. ``progress`` is
        called as ``progress(done, total)`` from the calling thread after each request. If some
        paths fail for good the others still finish; then the error of the first failed path (in
        input order) is raised with ``.results`` attached: one entry per path, the FetchResult or
        the exception of that path.
        """
        total = len(paths)
        if total == 0:
            return []
        outcomes: list[FetchResult | BaseException | None] = [None] * total
        with ThreadPoolExecutor(
            max_workers=min(self.concurrency, total), thread_name_prefix="pmu-fetch"
        ) as pool:
            futures: dict[Future[FetchResult], int] = {
                pool.submit(self.get, path, not_final_on_404=not_final_on_404): i
                for i, path in enumerate(paths)
            }
            for done, future in enumerate(as_completed(futures), start=1):
                index = futures[future]
                error = future.exception()
                outcomes[index] = error if error is not None else future.result()
                if progress is not None:
                    progress(done, total)
        errors = [o for o in outcomes if isinstance(o, BaseException)]
        if errors:
            first = errors[0]
            first.results = list(outcomes)  # type: ignore[attr-defined]
            first.add_note(
                f"{len(errors)} of {total} PMU requests failed; all outcomes are attached as .results"
            )
            raise first
        return [o for o in outcomes if isinstance(o, FetchResult)]

    def close(self) -> None:
        """Release the connections."""
        self._http.close()


def _decode(url: str, content: bytes) -> Any:
    if not content:
        raise _UnreadableBody(url, "empty body with HTTP 200")
    try:
        return json.loads(content)
    except json.JSONDecodeError as exc:
        raise _UnreadableBody(
            url, f"invalid JSON ({exc.msg} at character {exc.pos} of {len(content)} bytes)"
        ) from exc
    except UnicodeDecodeError as exc:
        raise _UnreadableBody(url, f"body is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def _record_of(path: str) -> PmuEndpoint | None:
    """The endpoint record of an API path, or None for a path of no known endpoint."""
    try:
        return parse_api_path(path).record
    except ValueError:
        return None


def _endpoint_of(path: str) -> str:
    """The endpoint name of an API path, or ``"default"`` for a path of no known endpoint."""
    record = _record_of(path)
    return record.name if record is not None else "default"


def _body_limits(max_body_mb: float | Mapping[str, float] | None) -> dict[str, int]:
    """Body limits in bytes by endpoint: the defaults, overridden by ``max_body_mb``."""
    if max_body_mb is None:
        overrides: Mapping[str, float] = {}
    elif isinstance(max_body_mb, Mapping):
        overrides = max_body_mb
    else:
        overrides = dict.fromkeys(DEFAULT_MAX_BODY_MB, max_body_mb)
    unknown = sorted(set(overrides) - set(DEFAULT_MAX_BODY_MB))
    if unknown:
        raise ValueError(
            f"unknown endpoint(s) {unknown} in max_body_mb: expected {sorted(DEFAULT_MAX_BODY_MB)}"
        )
    limits = {**DEFAULT_MAX_BODY_MB, **overrides}
    for name, mb in limits.items():
        if isinstance(mb, bool) or not isinstance(mb, int | float) or not (math.isfinite(mb) and mb > 0):
            raise ValueError(f"max_body_mb for {name} must be a number of MB > 0, got {mb!r}")
    return {name: max(1, round(mb * 2**20)) for name, mb in limits.items()}


def parse_max_body_mb(text: str) -> dict[str, float]:
    """Body limit overrides from their one-line form: ``"32"`` (every endpoint),
    ``"programme=32,performances=48"`` (those endpoints) or both (``"8,programme=32"``; later
    entries win). ``""`` means no override. Raises ValueError naming the part it cannot read."""
    overrides: dict[str, float] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, _, value = part.rpartition("=")
        names = [name.strip().lower()] if name else list(DEFAULT_MAX_BODY_MB)
        try:
            mb = float(value)
        except ValueError:
            raise ValueError(f"{part!r} is not MB or endpoint=MB") from None
        for key in names:
            overrides[key] = mb
    _body_limits(overrides)
    return overrides


def _json_type(kind: type) -> str:
    names = {dict: "object", list: "array", str: "string", int: "number", float: "number", bool: "boolean"}
    return names.get(kind, "null" if kind is type(None) else kind.__name__)
