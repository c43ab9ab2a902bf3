"""An identifiable, polite, thread-safe HTTP client for public data sources.

Every request carries a User-Agent naming the project, waits its turn under a per-host rate limit
(shared by all threads using the client), and is retried with exponential backoff on time-outs,
broken connections and overload statuses (420, 429, 5xx), honouring Retry-After. The client never
presents itself as a browser; the backoff jitter only spreads retries apart.
"""

from __future__ import annotations

import functools
import logging
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

import certifi
import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, retry_if_result, stop_after_attempt

from hippique_assets.net.backoff import RETRY_AFTER_STATUSES, RetryPolicy, parse_retry_after
from hippique_assets.net.closing import Closing
from hippique_assets.net.errors import HttpError, HttpStatusError, HttpTransportError
from hippique_assets.net.rate_limit import HostRateLimiter

__all__ = [
    "DEFAULT_USER_AGENT",
    "HttpError",
    "HttpStats",
    "HttpStatusError",
    "HttpTransportError",
    "PoliteHttp",
    "PoliteResponse",
    "RetryPolicy",
]

DEFAULT_USER_AGENT = "hippique_assets/0.1 (data engineering; contact: see project README)"

logger = logging.getLogger(__name__)


@functools.cache
def shared_tls_context() -> ssl.SSLContext:
    """The TLS context of every client of this process (certificate verification on); loading the
    CA bundle costs about 45 ms, so once per process."""
    return ssl.create_default_context(cafile=certifi.where())


# Failures worth another try: nothing came back, or the connection broke mid-answer (which is also
# how a body shorter than its Content-Length shows up).
_RETRYABLE_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError)


@dataclass(frozen=True)
class PoliteResponse:
    """A final answer: its status, full body and headers, and what it took to get it."""

    url: str
    status: int
    content: bytes
    headers: Mapping[str, str]
    attempts: int
    elapsed_s: float
    charset: str | None = None

    @property
    def text(self) -> str:
        """The body decoded with the charset the server declared (UTF-8 when none)."""
        return self.content.decode(self.charset or "utf-8")


@dataclass(frozen=True)
class HttpStats:
    """Counters of one client since it was created.

    ``requests`` counts every request sent (retries included), ``retries`` the repeated ones,
    ``bytes`` the body bytes received, ``by_status`` the answers per HTTP status, and
    ``transport_errors`` the attempts that got no answer (time-out, connection error).
    """

    requests: int = 0
    retries: int = 0
    bytes: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    transport_errors: int = 0

    @property
    def statuses(self) -> dict[int, int]:
        """Answers per HTTP status (same as ``by_status``)."""
        return self.by_status


class _Counters:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.retries = 0
        self.bytes = 0
        self.transport_errors = 0
        self.by_status: Counter[int] = Counter()

    def sent(self, *, retry: bool) -> None:
        with self._lock:
            self.requests += 1
            self.retries += int(retry)

    def answered(self, status: int, size: int) -> None:
        with self._lock:
            self.by_status[status] += 1
            self.bytes += size

    def failed(self) -> None:
        with self._lock:
            self.transport_errors += 1

    def snapshot(self) -> HttpStats:
        with self._lock:
            return HttpStats(
                requests=self.requests,
                retries=self.retries,
                bytes=self.bytes,
                by_status=dict(sorted(self.by_status.items())),
                transport_errors=self.transport_errors,
            )


class PoliteHttp(Closing):
    """A sync HTTP client with manners, safe to share between threads.

    ``rate_limit_per_s`` spaces requests to each host (0 disables the limit); ``timeout_s`` bounds
    each attempt (connect, each read, each write); ``sleep`` is what waits between retries, so tests
    can record the backoff instead of sleeping. ``transport`` replaces the network layer (tests).
    Redirects are followed.
    """

    def __init__(
        self,
        *,
        user_agent: str = DEFAULT_USER_AGENT,
        rate_limit_per_s: float = 1.0,
        timeout_s: float = 20.0,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen, so one shared default is safe
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not user_agent.strip():
            raise ValueError("user_agent must name the client; an empty User-Agent is not allowed")
        if not timeout_s > 0:
            raise ValueError(f"timeout_s must be > 0, got {timeout_s!r}")
        self.user_agent = user_agent
        self.retry = retry
        self._sleep = sleep
        self._limiter = HostRateLimiter(rate_limit_per_s)
        self._backoff = retry.backoff()
        self._counters = _Counters()
        self._client = httpx.Client(
            headers={"User-Agent": user_agent},
            timeout=httpx.Timeout(timeout_s),
            transport=transport,
            follow_redirects=True,
            # Verified even for an http base URL: a redirect may lead to https.
            verify=shared_tls_context(),
        )
        self._closed = False

    @property
    def stats(self) -> HttpStats:
        """A consistent snapshot of the counters."""
        return self._counters.snapshot()

    def get(self, url: str, *, accept_statuses: Collection[int] = (200, 204)) -> PoliteResponse:
        """GET ``url`` politely and return the final answer.

        Statuses in ``accept_statuses`` are returned as they are (an accepted status is never
        retried); the policy's retry statuses and time-outs/connection errors are retried. Raises
        HttpStatusError for any other final status and HttpTransportError when no answer came.
        """
        if self._closed:
            raise RuntimeError(f"cannot GET {url}: the client is closed")
        host = _host_of(url)
        accept = frozenset(accept_statuses)
        started = time.monotonic()
        attempts = 0

        def attempt() -> httpx.Response:
            nonlocal attempts
            attempts += 1
            self._limiter.acquire(host)
            self._counters.sent(retry=attempts > 1)
            try:
                response = self._client.get(url)
            except httpx.TransportError:
                self._counters.failed()
                raise
            self._counters.answered(response.status_code, len(response.content))
            return response

        def should_retry_status(response: httpx.Response) -> bool:
            return response.status_code in self.retry.retry_statuses and response.status_code not in accept

        retrying = Retrying(
            sleep=self._sleep,
            stop=stop_after_attempt(self.retry.max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_RETRYABLE_ERRORS) | retry_if_result(should_retry_status),
            before_sleep=lambda state: _log_retry(url, state),
            # Out of attempts: hand back the last answer (or raise its error) to be judged below.
            retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
        )
        try:
            response = retrying(attempt)
        except httpx.TransportError as exc:
            raise HttpTransportError(url, _describe(exc), attempts=attempts) from exc
        except httpx.HTTPError as exc:
            raise HttpError(url, f"{url}: {_describe(exc)}", attempts=attempts) from exc
        if response.status_code not in accept:
            raise HttpStatusError(url, response.status_code, attempts=attempts)
        return PoliteResponse(
            url=url,
            status=response.status_code,
            content=response.content,
            headers=response.headers,
            attempts=attempts,
            elapsed_s=time.monotonic() - started,
            charset=response.charset_encoding,
        )

    def close(self) -> None:
        """Close the connections and stop the rate limiter's background work."""
        self._closed = True
        self._client.close()
        self._limiter.close()

    def _wait(self, state: RetryCallState) -> float:
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            response: httpx.Response = outcome.result()
            if response.status_code in RETRY_AFTER_STATUSES:
                after = parse_retry_after(response.headers.get("Retry-After"))
                if after is not None:
                    return min(after, self.retry.backoff_max_s)
        return self._backoff(state)


def _host_of(url: str) -> str:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise HttpError(url, f"invalid URL {url!r}: {exc}") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise HttpError(url, f"not an absolute http(s) URL: {url!r}")
    return parsed.host


def _describe(exc: BaseException) -> str:
    """What went wrong on the wire, in words: ``connection refused``, ``timed out``..."""
    text = str(exc)
    if isinstance(exc, httpx.ConnectError) and "refused" in text.lower():
        return "connection refused"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({type(exc).__name__})"
    if isinstance(exc, httpx.ConnectError) and (
        "name or service" in text.lower() or "nodename" in text.lower()
    ):
        return "host name not found"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _log_retry(url: str, state: RetryCallState) -> None:
    outcome = state.outcome
    if outcome is None:
        return
    what = _describe(outcome.exception()) if outcome.failed else f"HTTP {outcome.result().status_code}"
    delay = state.next_action.sleep if state.next_action else 0.0
    logger.info("attempt %d got %s; retrying %s in %.2f s", state.attempt_number, what, url, delay)
