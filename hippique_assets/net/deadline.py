"""A total deadline per request attempt: connect, TLS handshake and every read and write together.

httpx only bounds each socket operation (a server sending one byte just before each read time-out
holds the request forever). Here every socket wait is shortened to what is left of the current
attempt's deadline, so the attempt ends at its deadline whatever the server does. The deadline of
the running attempt lives in a context variable: each thread sets its own, and connections shared
between threads obey the deadline of the thread using them at that moment.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import httpcore
import httpx

T = TypeVar("T")

# httpx's own connection limits (httpx.Client's defaults).
_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)


class Deadline:
    """The end of one attempt on the ``time.monotonic`` clock; ``expired`` once it cut a wait short."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.expired = False

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def check(self) -> None:
        """Raise DeadlineExceeded if the deadline has passed (between two chunks of a body)."""
        if self.remaining() <= 0:
            self.expired = True
            raise DeadlineExceeded(self.seconds)


class DeadlineExceeded(httpx.TimeoutException):
    """The attempt's total deadline passed: a time-out like any other (retried by the same policy)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"deadline of {seconds:g} s passed (connect and reads together)")
        self.seconds = seconds


_current: ContextVar[Deadline | None] = ContextVar("hippique_http_deadline", default=None)


@contextmanager
def deadline_scope(seconds: float | None) -> Iterator[Deadline | None]:
    """Run the block under a deadline of ``seconds`` from now (none when ``seconds`` is None)."""
    deadline = Deadline(seconds) if seconds is not None else None
    token = _current.set(deadline)
    try:
        yield deadline
    finally:
        _current.reset(token)


def _bounded(call: Callable[[float | None], T], timeout: float | None, error: type[Exception]) -> T:
    """``call(timeout)`` with the timeout shortened to the current deadline; a wait the deadline cut
    short marks it expired."""
    deadline = _current.get()
    if deadline is None:
        return call(timeout)
    remaining = deadline.remaining()
    if remaining <= 0:
        deadline.expired = True
        raise error(f"deadline of {deadline.seconds:g} s passed")
    if timeout is not None and timeout <= remaining:
        return call(timeout)
    try:
        return call(remaining)
    except httpcore.TimeoutException:
        deadline.expired = True
        raise


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose reads, writes and TLS handshake end by the current deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return _bounded(lambda t: self._inner.read(max_bytes, t), timeout, httpcore.ReadTimeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        _bounded(lambda t: self._inner.write(buffer, t), timeout, httpcore.WriteTimeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        inner = _bounded(
            lambda t: self._inner.start_tls(ssl_context, server_hostname, t), timeout, httpcore.ConnectTimeout
        )
        return _DeadlineStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's socket backend, with every wait bounded by the current deadline."""

    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = _bounded(
            lambda t: self._inner.connect_tcp(host, port, t, local_address, socket_options),
            timeout,
            httpcore.ConnectTimeout,
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        stream = _bounded(
            lambda t: self._inner.connect_unix_socket(path, t, socket_options),
            timeout,
            httpcore.ConnectTimeout,
        )
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's HTTP transport on a :class:`DeadlineBackend`.

    httpx has no public hook for the network backend, so the connection pool it builds is replaced
    by an identical one on the deadline backend; construction fails loudly if a future httpx no
    longer keeps its pool where this expects it (rather than silently losing the deadline).
    """

    def __init__(self, *, ssl_context: ssl.SSLContext) -> None:
        super().__init__(verify=ssl_context, limits=_LIMITS)
        if not isinstance(getattr(self, "_pool", None), httpcore.ConnectionPool):
            raise RuntimeError("this httpx version keeps no ConnectionPool in HTTPTransport._pool")
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=_LIMITS.max_connections,
            max_keepalive_connections=_LIMITS.max_keepalive_connections,
            keepalive_expiry=_LIMITS.keepalive_expiry,
            network_backend=DeadlineBackend(),
        )
