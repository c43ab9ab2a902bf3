"""An identifiable, polite, thread-safe HTTP client for public data sources.

Every request carries a User-Agent naming the project, waits its turn under a per-host rate limit
(shared by all threads using the client), and is retried with exponential backoff on time-outs,
broken connections and overload statuses (420, 429, 5xx), honouring Retry-After. The client never
presents itself as a browser; the backoff jitter only spreads retries apart.

Every answer is bounded: a body past its size limit (counted after decompression) is refused while
it is read, each attempt ends by a total deadline however slowly the server sends, and redirects are
followed only to the same scheme, host and port (:mod:`~hippique_assets.net.redirects`). What the
client has done is counted in :mod:`~hippique_assets.net.stats`.
"""

from __future__ import annotations

import functools
import logging
import ssl
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

import certifi
import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, retry_if_result, stop_after_attempt

from hippique_assets.net.backoff import RETRY_AFTER_STATUSES, RetryPolicy, parse_retry_after
from hippique_assets.net.body import ACCEPT_ENCODING, read_bounded
from hippique_assets.net.closing import Closing
from hippique_assets.net.deadline import Deadline, DeadlineExceeded, DeadlineTransport, deadline_scope
from hippique_assets.net.errors import (
    HttpBodyTooLarge,
    HttpError,
    HttpRedirectRefused,
    HttpStatusError,
    HttpTransportError,
)
from hippique_assets.net.rate_limit import HostRateLimiter
from hippique_assets.net.redirects import RedirectGuard, redirect_target
from hippique_assets.net.stats import HttpStats, RequestCounters

__all__ = [
    "DEFAULT_DEADLINE_S",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_USER_AGENT",
    "HttpBodyTooLarge",
    "HttpError",
    "HttpRedirectRefused",
    "HttpStats",
    "HttpStatusError",
    "HttpTransportError",
    "PoliteHttp",
    "PoliteResponse",
    "RedirectGuard",
    "RetryPolicy",
]

DEFAULT_USER_AGENT = "hippique_assets/0.1 (data engineering; contact: see project README)"
# Total time one attempt may take (connect, headers and the whole body), whatever the read time-out.
DEFAULT_DEADLINE_S = 30.0
# Largest body accepted when the caller names no limit (decompressed size).
DEFAULT_MAX_BODY_BYTES = 8 * 2**20

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
    # Where the body came from: ``url`` unless a (same-origin) redirect was followed.
    final_url: str = ""

    @property
    def text(self) -> str:
        """The body decoded with the charset the server declared (UTF-8 when none)."""
        return self.content.decode(self.charset or "utf-8")


@dataclass(frozen=True)
class _Answer:
    """One attempt's final answer (after same-origin redirects), body read within its limit."""

    status: int
    content: bytes
    headers: httpx.Headers
    charset: str | None
    final_url: str


class PoliteHttp(Closing):
    """A sync HTTP client with manners, safe to share between threads.

    ``rate_limit_per_s`` spaces requests to each host (0 disables the limit); ``timeout_s`` bounds
    each socket operation (connect, each read, each write) and ``deadline_s`` the whole attempt
    (None: no deadline); ``max_body_bytes`` is the largest body accepted (decompressed) unless
    :meth:`get` names another. ``sleep`` is what waits between retries, so tests can record the
    backoff instead of sleeping. ``transport`` replaces the network layer (tests); the deadline is
    then only checked between body chunks. Redirects are followed only to the same scheme, host and
    port, at most :data:`~hippique_assets.net.redirects.MAX_REDIRECTS` of them.
    """

    def __init__(
        self,
        *,
        user_agent: str = DEFAULT_USER_AGENT,
        rate_limit_per_s: float = 1.0,
        timeout_s: float = 20.0,
        deadline_s: float | None = DEFAULT_DEADLINE_S,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        retry: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen, so one shared default is safe
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not user_agent.strip():
            raise ValueError("user_agent must name the client; an empty User-Agent is not allowed")
        if not timeout_s > 0:
            raise ValueError(f"timeout_s must be > 0, got {timeout_s!r}")
        if deadline_s is not None and not deadline_s > 0:
            raise ValueError(f"deadline_s must be > 0 (or None for no deadline), got {deadline_s!r}")
        _check_limit(max_body_bytes)
        self.user_agent = user_agent
        self.retry = retry
        self.deadline_s = deadline_s
        self.max_body_bytes = max_body_bytes
        self._sleep = sleep
        self._limiter = HostRateLimiter(rate_limit_per_s)
        self._backoff = retry.backoff()
        self._counters = RequestCounters()
        # Gzip and deflate only: the body reader decompresses those by bounded pieces.
        self._headers = {"User-Agent": user_agent, "Accept": "*/*", "Accept-Encoding": ACCEPT_ENCODING}
        self._timeout = httpx.Timeout(timeout_s).as_dict()
        # Verified even for an http URL, as before; a redirect never changes the scheme.
        self._transport = transport or DeadlineTransport(ssl_context=shared_tls_context())
        self._closed = False

    @property
    def stats(self) -> HttpStats:
        """A consistent snapshot of the counters."""
        return self._counters.snapshot()

    def get(
        self,
        url: str,
        *,
        accept_statuses: Collection[int] = (200, 204),
        max_body_bytes: int | None = None,
        redirect_guard: RedirectGuard | None = None,
    ) -> PoliteResponse:
        """GET ``url`` politely and return the final answer.

        Statuses in ``accept_statuses`` are returned as they are (an accepted status is never
        retried); the policy's retry statuses and time-outs (per read or the attempt's deadline)
        and connection errors are retried. Raises HttpStatusError for any other final status,
        HttpTransportError when no answer came, HttpBodyTooLarge for a body over ``max_body_bytes``
        (the client's limit when None) and HttpRedirectRefused for a redirect to another origin or
        one ``redirect_guard`` refuses; those last two are never retried.
        """
        if self._closed:
            raise RuntimeError(f"cannot GET {url}: the client is closed")
        host = _host_of(url)
        limit = self.max_body_bytes if max_body_bytes is None else _check_limit(max_body_bytes)
        accept = frozenset(accept_statuses)
        started = time.monotonic()
        attempts = 0

        def attempt() -> _Answer:
            nonlocal attempts
            attempts += 1
            self._limiter.acquire(host)
            with deadline_scope(self.deadline_s) as deadline:
                try:
                    return self._exchange(url, limit, redirect_guard, deadline, retry=attempts > 1)
                except httpx.TransportError as exc:
                    self._counters.failed()
                    if deadline is not None and deadline.expired and not isinstance(exc, DeadlineExceeded):
                        raise DeadlineExceeded(deadline.seconds) from exc
                    raise

        def should_retry_status(answer: _Answer) -> bool:
            return answer.status in self.retry.retry_statuses and answer.status not in accept

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
            answer = retrying(attempt)
        except HttpError as exc:
            exc.attempts = attempts
            raise
        except httpx.TransportError as exc:
            raise HttpTransportError(url, _describe(exc), attempts=attempts) from exc
        except httpx.HTTPError as exc:
            raise HttpError(url, f"{url}: {_describe(exc)}", attempts=attempts) from exc
        if answer.status not in accept:
            raise HttpStatusError(url, answer.status, attempts=attempts)
        return PoliteResponse(
            url=url,
            status=answer.status,
            content=answer.content,
            headers=answer.headers,
            attempts=attempts,
            elapsed_s=time.monotonic() - started,
            charset=answer.charset,
            final_url=answer.final_url,
        )

    def close(self) -> None:
        """Close the connections and stop the rate limiter's background work."""
        self._closed = True
        self._transport.close()
        self._limiter.close()

    def _exchange(
        self, url: str, limit: int, guard: RedirectGuard | None, deadline: Deadline | None, *, retry: bool
    ) -> _Answer:
        """One attempt: the request and any same-origin redirects, up to a final answer."""
        current, hop = httpx.URL(url), 0
        # Ends with an answer, or with redirect_target refusing the hop after MAX_REDIRECTS.
        while True:
            if hop:
                self._limiter.acquire(current.host)
            self._counters.sent(retry=retry and hop == 0)
            response = self._transport.handle_request(
                httpx.Request("GET", current, headers=self._headers, extensions={"timeout": self._timeout})
            )
            try:
                location = response.headers.get("Location") if response.has_redirect_location else None
                if location is None:
                    return self._answer(response, url, str(current), limit, deadline)
                self._counters.answered(response.status_code, 0)
            finally:
                response.close()
            current = redirect_target(url, current, location, guard, hops=hop)
            hop += 1

    def _answer(
        self, response: httpx.Response, url: str, final_url: str, limit: int, deadline: Deadline | None
    ) -> _Answer:
        try:
            content = read_bounded(response, url, limit, deadline.check if deadline else _nothing)
        except HttpBodyTooLarge as exc:
            self._counters.answered(response.status_code, exc.received)
            raise
        self._counters.answered(response.status_code, len(content))
        return _Answer(response.status_code, content, response.headers, response.charset_encoding, final_url)

    def _wait(self, state: RetryCallState) -> float:
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            answer: _Answer = outcome.result()
            if answer.status in RETRY_AFTER_STATUSES:
                after = parse_retry_after(answer.headers.get("Retry-After"))
                if after is not None:
                    return min(after, self.retry.backoff_max_s)
        return self._backoff(state)


def _nothing() -> None:
    return None


def _check_limit(max_body_bytes: int) -> int:
    if isinstance(max_body_bytes, bool) or not isinstance(max_body_bytes, int) or max_body_bytes < 1:
        raise ValueError(f"max_body_bytes must be a whole number of bytes >= 1, got {max_body_bytes!r}")
    return max_body_bytes


def _host_of(url: str) -> str:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise HttpError(url, f"invalid URL {url!r}: {exc}") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise HttpError(url, f"not an absolute http(s) URL: {url!r}")
    return parsed.host


def _describe(exc: BaseException | None) -> str:
    """What went wrong on the wire, in words: ``connection refused``, ``timed out``..."""
    if exc is None:
        return "no answer"
    text = str(exc)
    if isinstance(exc, httpx.ConnectError) and "refused" in text.lower():
        return "connection refused"
    if isinstance(exc, DeadlineExceeded):
        return f"timed out: {text}"
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
    what = _describe(outcome.exception()) if outcome.failed else f"HTTP {outcome.result().status}"
    delay = state.next_action.sleep if state.next_action else 0.0
    logger.info("attempt %d got %s; retrying %s in %.2f s", state.attempt_number, what, url, delay)
