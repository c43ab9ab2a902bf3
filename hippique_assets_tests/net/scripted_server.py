"""A real HTTP server on 127.0.0.1 that plays a scripted sequence of answers per path.

Each path has a list of replies played in order; once the list is used up its last reply repeats.
Unscripted paths get the default reply (404). The server records every request (path, headers,
arrival time on the ``time.monotonic`` clock) and the largest number of requests in flight at once,
so tests can check attempts, headers, rate limits and concurrency from the server's side.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from statistics import median
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class Reply:
    """One scripted answer.

    ``delay_s`` waits before answering (to provoke client time-outs or overlap requests).
    ``content_length`` declares a length other than the body's: a larger one makes the connection
    close before the announced body is complete. ``chunked`` sends the body in chunked transfer
    encoding (no Content-Length, so the client learns its size only by reading it). ``drip_s``
    sends the body one byte at a time, ``drip_s`` apart; with ``drip_head`` the status line and
    headers too (a server slow from its very first byte).
    """

    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    content_length: int | None = None
    chunked: bool = False
    drip_s: float = 0.0
    drip_head: bool = False


def json_reply(payload: Any, status: int = 200, **kwargs: Any) -> Reply:
    """A reply whose body is ``payload`` as JSON."""
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", **kwargs.pop("headers", {})}
    return Reply(status=status, body=body, headers=headers, **kwargs)


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the server saw it."""

    path: str
    headers: dict[str, str]
    arrived_at: float


class ScriptedServer:
    """The scripted server; use as a context manager (it listens on an ephemeral loopback port)."""

    def __init__(
        self,
        scripts: Mapping[str, Sequence[Reply | int]] | None = None,
        *,
        default: Reply = Reply(404),
        host: str = "127.0.0.1",
    ) -> None:
        self._lock = threading.Lock()
        self._scripts: dict[str, list[Reply]] = {}
        self._played: dict[str, int] = {}
        self._default = default
        self._requests: list[RecordedRequest] = []
        self._in_flight = 0
        self._max_in_flight = 0
        for path, replies in (scripts or {}).items():
            self.script(path, replies)
        self._httpd = ThreadingHTTPServer((host, 0), _handler_for(self))
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL, ``http://127.0.0.1:PORT``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url_for(self, path: str) -> str:
        return self.url + path

    def script(self, path: str, replies: Sequence[Reply | int]) -> None:
        """Set (or replace) the replies of ``path``; an int is a status with an empty body."""
        if not replies:
            raise ValueError(f"script for {path!r} needs at least one reply")
        with self._lock:
            self._scripts[path] = [Reply(r) if isinstance(r, int) else r for r in replies]
            self._played[path] = 0

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_for(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    def hits(self, path: str) -> int:
        return len(self.requests_for(path))

    @property
    def max_in_flight(self) -> int:
        with self._lock:
            return self._max_in_flight

    def start(self) -> ScriptedServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name="scripted-http",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _arrive(self, path: str, headers: dict[str, str]) -> Reply:
        with self._lock:
            self._requests.append(RecordedRequest(path, headers, time.monotonic()))
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
            replies = self._scripts.get(path)
            if replies is None:
                return self._default
            index = min(self._played[path], len(replies) - 1)
            self._played[path] += 1
            return replies[index]

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1


def _handler_for(server: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def handle(self) -> None:
            # The client may drop the connection mid-answer (a refused body): nothing left to serve.
            with contextlib.suppress(ConnectionResetError):
                super().handle()

        def do_GET(self) -> None:
            reply = server._arrive(self.path, dict(self.headers.items()))
            try:
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                self._send(reply)
            except (BrokenPipeError, ConnectionResetError):
                # The client gave up waiting (a time-out under test): nothing left to answer.
                self.close_connection = True
            finally:
                server._leave()

        def _send(self, reply: Reply) -> None:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.status != 204 and reply.chunked:
                self.send_header("Transfer-Encoding", "chunked")
            elif reply.status != 204:
                length = len(reply.body) if reply.content_length is None else reply.content_length
                self.send_header("Content-Length", str(length))
                if length != len(reply.body):
                    self.send_header("Connection", "close")
                    self.close_connection = True
            if reply.drip_head:
                self._headers_buffer.append(b"\r\n")
                head, self._headers_buffer = b"".join(self._headers_buffer), []
                self._write(head, reply.drip_s)
            else:
                self.end_headers()
            if reply.status != 204:
                body = _chunked(reply.body) if reply.chunked else reply.body
                self._write(body, reply.drip_s)
            self.wfile.flush()

        def _write(self, data: bytes, drip_s: float) -> None:
            if not drip_s:
                self.wfile.write(data)
                return
            for index in range(len(data)):
                self.wfile.write(data[index : index + 1])
                self.wfile.flush()
                time.sleep(drip_s)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    return Handler


def _chunked(body: bytes, size: int = 16_384) -> bytes:
    """``body`` in HTTP/1.1 chunked transfer encoding."""
    chunks = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"


class SleepRecorder:
    """Stands in for time.sleep: records the waits instead of sleeping."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def assert_spaced(arrivals: Sequence[float], interval_s: float) -> None:
    """Requests that reached the server as a rate limiter of ``interval_s`` should let them through.

    The limiter spaces the moments requests may leave (one interval plus its margin). A thread
    descheduled between that moment and its write arrives late, which lengthens one gap and shortens
    the next, so no single gap is a bound; the median is (a burst limiter would show gaps near 0). The
    departures of n gaps span at least n intervals; only a late first arrival shortens that span at
    the server, and it is less than an interval late unless the machine stalls, hence n - 1 intervals.
    """
    gaps = [later - earlier for earlier, later in pairwise(sorted(arrivals))]
    assert median(gaps) >= 0.95 * interval_s, gaps
    assert max(arrivals) - min(arrivals) >= (len(gaps) - 1) * interval_s, gaps
