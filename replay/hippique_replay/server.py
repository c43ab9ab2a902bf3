"""A loopback HTTP server that answers the PMU turfinfo paths from a replay source.

``ReplayServer(source)`` serves ``source`` under ``prefix`` (``/rest/client/61`` like the live
API), so a client pointed at :attr:`ReplayServer.base_url` requests the very same relative paths it
requests live. The simulated instant handed to the source comes from ``clock`` (no clock: every
day in its final state). A :class:`~hippique_replay.faults.FaultPlan` makes it misbehave on
purpose, down to hostile answers (204, shrunk or mutated JSON, huge or dripping bodies, redirects
off the host or to https) aimed at one request of one path. Two control endpoints sit outside the
prefix and are never faulted nor logged: ``GET /_replay/clock`` (the simulated instant as JSON) and ``GET /_replay/health``.

The server only binds to loopback addresses: it is a test and demo tool, never a public service.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

from hippique_assets.racing.clock import Clock
from hippique_replay.fault_answers import altered_answer, body_size, has_body, status_answer, write_body
from hippique_replay.faults import Fault, FaultInjector, FaultPlan
from hippique_replay.request_log import ReplayStats, RequestRecord
from hippique_replay.sources import Source, SourceAnswer, error_answer, json_answer

log = logging.getLogger(__name__)

DEFAULT_PREFIX = "/rest/client/61"
CLOCK_PATH = "/_replay/clock"
HEALTH_PATH = "/_replay/health"
# Idle keep-alive connections are dropped after this long so their threads end.
IDLE_CONNECTION_TIMEOUT_S = 60.0
# The client is gone (or stopped reading for IDLE_CONNECTION_TIMEOUT_S): nothing more to send.
_CLIENT_GONE = (BrokenPipeError, ConnectionResetError, TimeoutError)


class ReplayBindError(ValueError):
    """The replay server was asked to listen somewhere other than a loopback address."""


def check_loopback(host: str) -> socket.AddressFamily:
    """The address family to bind ``host`` with; ReplayBindError unless it is a loopback address."""
    literal = "127.0.0.1" if host == "localhost" else host
    try:
        address = ipaddress.ip_address(literal)
    except ValueError:
        raise ReplayBindError(
            f"replay server host {host!r} is not an IP address: use 127.0.0.1, ::1 or localhost"
        ) from None
    if not address.is_loopback:
        raise ReplayBindError(
            f"replay server refuses to bind to {host!r}: only loopback addresses (127.0.0.0/8, ::1) are allowed"
        )
    return socket.AF_INET6 if address.version == 6 else socket.AF_INET


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    # Handler threads may sit in keep-alive reads; stopping must not wait for them.
    block_on_close = False

    def __init__(self, address: tuple[str, int], family: socket.AddressFamily, replay: ReplayServer) -> None:
        self.address_family = family
        self.replay = replay
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _HttpServer
    protocol_version = "HTTP/1.1"
    timeout = IDLE_CONNECTION_TIMEOUT_S
    # Headers and body leave in two writes; with Nagle on, a keep-alive client waits ~40 ms for each.
    disable_nagle_algorithm = True
    server_version = "hippique-replay"
    sys_version = ""

    def do_GET(self) -> None:
        self.server.replay._handle(self, head=False)

    def do_HEAD(self) -> None:
        self.server.replay._handle(self, head=True)

    def log_message(self, format: str, *args: object) -> None:
        # Requests are recorded by ReplayServer itself; the stderr line of http.server is noise.
        log.debug("replay http: " + format, *args)


class ReplayServer:
    """The replay server; ``start()``/``stop()`` or use it as a context manager.

    ``on_request`` is called with each :class:`RequestRecord` (from the handler thread).
    ``request_log`` keeps the last ``log_size`` records; :attr:`stats` counts everything.
    """

    def __init__(
        self,
        source: Source,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Clock | None = None,
        faults: FaultPlan | None = None,
        prefix: str = DEFAULT_PREFIX,
        *,
        on_request: Callable[[RequestRecord], None] | None = None,
        log_size: int = 10_000,
    ) -> None:
        self._family = check_loopback(host)
        if prefix and (not prefix.startswith("/") or prefix.endswith("/")):
            raise ValueError(f"prefix must start with '/' and not end with one (or be empty), got {prefix!r}")
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be in 0..65535, got {port!r}")
        self.source = source
        self.host = host
        self.requested_port = port
        self.clock = clock
        self.faults = faults
        self.prefix = prefix
        self.on_request = on_request
        self._injector = FaultInjector(faults) if faults is not None and faults.active else None
        self._log: deque[RequestRecord] = deque(maxlen=log_size)
        self._stats = ReplayStats()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _HttpServer | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        where = self.base_url if self._httpd is not None else "not started"
        return f"ReplayServer({self.source!r}, {where})"

    # -- life cycle -------------------------------------------------------------------------------

    def start(self) -> ReplayServer:
        """Bind and serve in a background thread; returns self."""
        if self._httpd is not None:
            raise RuntimeError("replay server already started")
        bind_host = "127.0.0.1" if self.host == "localhost" else self.host
        try:
            self._httpd = _HttpServer((bind_host, self.requested_port), self._family, self)
        except OSError as exc:
            raise OSError(
                exc.errno, f"replay server cannot bind {bind_host}:{self.requested_port}: {exc}"
            ) from exc
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="replay-server", daemon=True
        )
        self._thread.start()
        log.info("replay server serving %r at %s", self.source, self.base_url)
        return self

    def stop(self) -> None:
        """Stop serving and release the port (pending slow or time-out faults are cut short)."""
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd = None
        self._thread = None

    def __enter__(self) -> ReplayServer:
        # Entering a server that start() already launched just takes charge of stopping it.
        return self if self._httpd is not None else self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- where and what ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port (the ephemeral one when started with port 0)."""
        if self._httpd is None:
            raise RuntimeError("replay server is not started")
        return int(self._httpd.server_address[1])

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT`` (brackets around an IPv6 address)."""
        return f"http://{_authority(self.host, self.port)}"

    @property
    def base_url(self) -> str:
        """The base URL a PMU client uses, e.g. ``http://127.0.0.1:PORT/rest/client/61``."""
        return self.root_url + self.prefix

    @property
    def request_log(self) -> list[RequestRecord]:
        """The most recent API requests, oldest first (control endpoints are not logged)."""
        with self._lock:
            return list(self._log)

    @property
    def stats(self) -> ReplayStats:
        """A snapshot of the counters."""
        with self._lock:
            s = self._stats
            return ReplayStats(s.requests, Counter(s.statuses), Counter(s.faults), s.errors, s.bytes_sent)

    def now(self) -> datetime | None:
        """The simulated instant given to the source (None: final state)."""
        return None if self.clock is None else self.clock.now()

    # -- request handling -------------------------------------------------------------------------

    def _handle(self, handler: _Handler, *, head: bool) -> None:
        started = time.monotonic()
        arrived = datetime.now(UTC)
        url = urlsplit(handler.path)
        path = url.path
        if path in (CLOCK_PATH, HEALTH_PATH):
            self._send(handler, self._control(path), head=head)
            return

        api_path = self._api_path(path)
        query = f"?{url.query}" if url.query else ""
        logged_path = (api_path if api_path is not None else path) + query
        sim_now = self.now()
        fault: Fault | None = None
        error: str | None = None
        if api_path is not None and self._injector is not None:
            fault = self._injector.next_fault(api_path)
        timed_out = fault is not None and fault.kind == "timeout"
        if fault is not None and timed_out:
            # No answer at all: hold the connection, then drop it (once the handler returns).
            self._stopping.wait(fault.delay_s)
            handler.close_connection = True
            answer = error_answer(504, "no answer")  # never sent
        elif api_path is None:
            answer = error_answer(404, f"not under {self.prefix or '/'}: {path}")
        else:
            answer, error = self._answer(api_path + query, sim_now, fault)
        # Recorded before the answer leaves, so a client that has its answer finds it in the log.
        self._record(
            RequestRecord(
                path=logged_path,
                status=None if timed_out else answer.status,
                at=arrived,
                sim_now=sim_now,
                elapsed_s=time.monotonic() - started,
                size=0 if timed_out or head or answer.status == 204 else body_size(answer, fault),
                fault=fault.kind if fault is not None else None,
                error=error,
            )
        )
        if not timed_out:
            self._send(handler, answer, head=head, fault=fault)

    def _api_path(self, path: str) -> str | None:
        if not self.prefix:
            return path
        if path.startswith(self.prefix + "/"):
            return path[len(self.prefix) :]
        return None

    def _answer(
        self, api_path: str, now: datetime | None, fault: Fault | None
    ) -> tuple[SourceAnswer, str | None]:
        if fault is not None and fault.status is not None:
            return status_answer(fault.kind, fault.status), None
        if fault is not None and fault.kind == "slow":
            self._stopping.wait(fault.delay_s)
        try:
            answer = self.source.respond(api_path, now)
        except Exception as exc:
            log.exception("replay source %r failed on %s", self.source, api_path)
            return error_answer(
                500, f"replay source failed on {api_path}: {exc}"
            ), f"{type(exc).__name__}: {exc}"
        if fault is not None and has_body(answer):
            return altered_answer(answer, fault)
        return answer, None

    def _control(self, path: str) -> SourceAnswer:
        if path == HEALTH_PATH:
            return json_answer({"status": "ok", "requests": self.stats.requests})
        now = self.now()
        return json_answer(
            {
                "now": None if now is None else now.isoformat(),
                "epoch_ms": None if now is None else int(now.timestamp() * 1000),
                "final": now is None,
                "clock": repr(self.clock),
            }
        )

    def _send(
        self, handler: _Handler, answer: SourceAnswer, *, head: bool, fault: Fault | None = None
    ) -> None:
        try:
            handler.send_response(answer.status)
            if answer.content_type is not None:
                handler.send_header("Content-Type", answer.content_type)
            if answer.status != 204:
                handler.send_header("Content-Length", str(body_size(answer, fault)))
            for name, value in self._fault_headers(handler, fault):
                handler.send_header(name, value)
            handler.end_headers()
            if not head and answer.status != 204:
                # A huge or dripping body cut short by stop() leaves the connection in no state to reuse.
                complete = write_body(handler.wfile, answer, fault, self._stopping)
                if not complete:
                    handler.close_connection = True
        except _CLIENT_GONE as exc:
            # The client gave up (its own time-out, its body limit): nothing more to send on this connection.
            handler.close_connection = True
            log.info("replay client went away during %s: %s", handler.path, exc)

    def _fault_headers(self, handler: _Handler, fault: Fault | None) -> list[tuple[str, str]]:
        if fault is None:
            return []
        if fault.retry_after_s is not None:
            return [("Retry-After", f"{fault.retry_after_s:g}")]
        if fault.kind == "redirect_scheme":
            return [("Location", f"https://{_authority(self.host, self.port)}{handler.path}")]
        if fault.kind == "redirect_offhost" and fault.redirect_host is not None:
            where = _authority(fault.redirect_host, fault.redirect_port or self.port)
            return [("Location", f"http://{where}{handler.path}")]
        return []

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self._log.append(record)
            self._stats.requests += 1
            self._stats.statuses[record.status] += 1
            if record.fault is not None:
                self._stats.faults[record.fault] += 1
            if record.error is not None:
                self._stats.errors += 1
            self._stats.bytes_sent += record.size
        log.debug("replay %s", record.line())
        if self.on_request is not None:
            self.on_request(record)


def _authority(host: str, port: int) -> str:
    """``host:port`` for a URL (``localhost`` as 127.0.0.1, brackets around an IPv6 address)."""
    host = "127.0.0.1" if host == "localhost" else host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
