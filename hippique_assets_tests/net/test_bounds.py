"""Every answer is bounded: body size (after decompression), total time per attempt, redirects.

All against real HTTP servers on loopback, with small limits and short deadlines so each test stays
fast.
"""

from __future__ import annotations

import gzip
import re
import socket
import time
import tracemalloc
import zlib
from collections.abc import Iterator

import pytest

from hippique_assets.net.body import PIECE
from hippique_assets.net.polite import (
    HttpBodyTooLarge,
    HttpError,
    HttpRedirectRefused,
    HttpTransportError,
    PoliteHttp,
    RetryPolicy,
)
from hippique_assets.net.redirects import MAX_REDIRECTS
from hippique_assets_tests.net.scripted_server import Reply, ScriptedServer, SleepRecorder

KB = 1024
MB = 1024 * KB
TWICE = RetryPolicy(max_attempts=2, backoff_initial_s=1.0, jitter_s=0.0)


def make_http(sleeps: SleepRecorder, **kwargs: object) -> PoliteHttp:
    kwargs.setdefault("rate_limit_per_s", 0)
    kwargs.setdefault("timeout_s", 2.0)
    kwargs.setdefault("retry", TWICE)
    return PoliteHttp(sleep=sleeps, **kwargs)  # type: ignore[arg-type]


def gzip_of_zeros(size: int) -> bytes:
    """A gzip body that inflates to ``size`` zero bytes (about a thousandth of that compressed)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(MB)
    return b"".join(packer.compress(block) for _ in range(size // MB)) + packer.flush()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return gzip_of_zeros(64 * MB)


@pytest.fixture
def other() -> Iterator[ScriptedServer]:
    """A second server on another loopback address (another host for the client)."""
    with ScriptedServer(host="127.0.0.2") as srv:
        yield srv


# Body size


def test_body_announced_over_the_limit_is_refused_unread_and_not_retried(
    server: ScriptedServer, sleeps: SleepRecorder
) -> None:
    server.script("/big", [Reply(200, b"x" * (64 * KB + 1))])
    with make_http(sleeps, max_body_bytes=64 * KB) as http, pytest.raises(HttpBodyTooLarge) as caught:
        http.get(server.url_for("/big"))
    error = caught.value
    assert (error.url, error.limit_bytes, error.declared, error.received) == (
        server.url_for("/big"),
        64 * KB,
        64 * KB + 1,
        0,
    )
    assert server.url_for("/big") in str(error) and "exceeded the limit of 65536 bytes" in str(error)
    assert (error.attempts, server.hits("/big"), sleeps.delays) == (1, 1, [])


def test_body_without_length_is_cut_as_soon_as_it_passes_the_limit(
    server: ScriptedServer, sleeps: SleepRecorder
) -> None:
    server.script("/stream", [Reply(200, b"x" * (8 * MB), chunked=True)])
    with make_http(sleeps, max_body_bytes=256 * KB) as http, pytest.raises(HttpBodyTooLarge) as caught:
        http.get(server.url_for("/stream"))
    assert caught.value.declared is None
    assert 256 * KB < caught.value.received <= 256 * KB + PIECE
    assert server.hits("/stream") == 1
    assert http.stats.by_status == {200: 1}


def test_gzip_bomb_is_refused_with_memory_bounded(
    server: ScriptedServer, sleeps: SleepRecorder, bomb: bytes
) -> None:
    """64 MB of zeros in about 64 KB of gzip: refused after 1 MB, the 64 MB never held."""
    assert len(bomb) < 100 * KB
    server.script("/bomb", [Reply(200, bomb, headers={"Content-Encoding": "gzip"})])
    with make_http(sleeps, max_body_bytes=1 * MB) as http:
        tracemalloc.start()
        try:
            with pytest.raises(HttpBodyTooLarge) as caught:
                http.get(server.url_for("/bomb"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert 1 * MB < caught.value.received <= 1 * MB + PIECE
    assert caught.value.declared is None  # the compressed length says nothing of the real size
    assert peak < 6 * MB, f"peak {peak / MB:.1f} MB while refusing a 64 MB body"
    assert server.hits("/bomb") == 1


def test_chunked_gzip_bomb_is_refused_too(server: ScriptedServer, sleeps: SleepRecorder, bomb: bytes) -> None:
    server.script("/bomb", [Reply(200, bomb, headers={"Content-Encoding": "gzip"}, chunked=True)])
    with make_http(sleeps, max_body_bytes=512 * KB) as http, pytest.raises(HttpBodyTooLarge):
        http.get(server.url_for("/bomb"))


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("", lambda b: b),
        ("identity", lambda b: b),
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as the RFC says
        ("deflate", lambda b: zlib.compress(b, wbits=-zlib.MAX_WBITS)),  # raw, as some servers send
        ("gzip, gzip", lambda b: gzip.compress(gzip.compress(b))),
    ],
)
def test_bodies_up_to_the_limit_are_decoded_whole(
    encoding: str, encode: object, server: ScriptedServer, sleeps: SleepRecorder
) -> None:
    body = bytes(range(256)) * (1 * MB // 256)  # exactly the limit, several decoding pieces long
    headers = {"Content-Encoding": encoding} if encoding else {}
    server.script("/ok", [Reply(200, encode(body), headers=headers)])  # type: ignore[operator]
    with make_http(sleeps, max_body_bytes=len(body)) as http:
        response = http.get(server.url_for("/ok"))
        stats = http.stats
    assert response.content == body
    assert stats.bytes == len(body)
    assert server.requests[0].headers["Accept-Encoding"] == "gzip, deflate"


def test_a_call_may_name_its_own_limit(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    server.script("/page", [Reply(200, b"y" * 2000)])
    with make_http(sleeps, max_body_bytes=10 * MB) as http:
        assert len(http.get(server.url_for("/page")).content) == 2000
        with pytest.raises(HttpBodyTooLarge, match="limit of 1000 bytes"):
            http.get(server.url_for("/page"), max_body_bytes=1000)


def test_corrupt_gzip_is_an_error_without_retry(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    server.script("/bad", [Reply(200, b"not gzip at all", headers={"Content-Encoding": "gzip"})])
    with make_http(sleeps) as http, pytest.raises(HttpError, match="decompress"):
        http.get(server.url_for("/bad"))
    assert server.hits("/bad") == 1


@pytest.mark.parametrize("limit", [0, -1, 1.5, True])
def test_limits_must_be_whole_positive_byte_counts(limit: object) -> None:
    with pytest.raises(ValueError, match="max_body_bytes"):
        PoliteHttp(max_body_bytes=limit)  # type: ignore[arg-type]


# Total deadline


def test_a_dripping_body_is_cut_at_the_deadline_and_retried_like_a_time_out(
    server: ScriptedServer, sleeps: SleepRecorder
) -> None:
    """One byte every 50 ms never trips the 2 s read time-out; the 0.4 s deadline cuts each attempt."""
    server.script("/drip", [Reply(200, b"x" * 200, drip_s=0.05)])
    started = time.monotonic()
    with make_http(sleeps, deadline_s=0.4) as http, pytest.raises(HttpTransportError) as caught:
        http.get(server.url_for("/drip"))
    elapsed = time.monotonic() - started
    assert caught.value.attempts == 2 and server.hits("/drip") == 2
    assert "deadline of 0.4 s passed" in caught.value.reason
    assert sleeps.delays == [1.0]  # the retry policy's backoff, as for any time-out
    assert 0.75 <= elapsed < 2.0
    assert http.stats.transport_errors == 2


def test_a_server_slow_from_its_first_byte_is_cut_at_the_deadline(
    server: ScriptedServer, sleeps: SleepRecorder
) -> None:
    """Status line and headers dripped: the deadline holds before any body exists."""
    server.script("/slow-head", [Reply(200, b"{}", drip_s=0.05, drip_head=True)])
    started = time.monotonic()
    with (
        make_http(sleeps, deadline_s=0.3, retry=RetryPolicy(max_attempts=1)) as http,
        pytest.raises(HttpTransportError, match=re.escape("deadline of 0.3 s passed")),
    ):
        http.get(server.url_for("/slow-head"))
    assert 0.25 <= time.monotonic() - started < 1.0


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port whose connections are accepted by the kernel and never answered."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_silent_server_is_cut_at_the_deadline(scheme: str, silent_port: int, sleeps: SleepRecorder) -> None:
    """The TLS handshake (https) and the wait for the status line (http) end by the deadline too."""
    started = time.monotonic()
    with (
        make_http(sleeps, timeout_s=5.0, deadline_s=0.3, retry=RetryPolicy(max_attempts=1)) as http,
        pytest.raises(HttpTransportError, match=re.escape("deadline of 0.3 s passed")),
    ):
        http.get(f"{scheme}://127.0.0.1:{silent_port}/programme")
    assert 0.25 <= time.monotonic() - started < 1.5


def test_the_read_time_out_alone_lets_a_drip_through(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    """Why the deadline exists: each byte comes within the read time-out, so only it stops a drip."""
    server.script("/drip", [Reply(200, b"z" * 12, drip_s=0.05)])
    with make_http(sleeps, timeout_s=0.3, deadline_s=None) as http:
        assert http.get(server.url_for("/drip")).content == b"z" * 12
    with make_http(sleeps, timeout_s=0.3, deadline_s=0.3) as http, pytest.raises(HttpTransportError):
        http.get(server.url_for("/drip"))


def test_a_server_that_recovers_after_a_drip_answers(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    server.script("/flaky", [Reply(200, b"x" * 100, drip_s=0.05), Reply(200, b"fine")])
    with make_http(sleeps, deadline_s=0.3) as http:
        response = http.get(server.url_for("/flaky"))
    assert (response.content, response.attempts) == (b"fine", 2)


@pytest.mark.parametrize("deadline", [0, -1.0])
def test_deadline_must_be_positive(deadline: float) -> None:
    with pytest.raises(ValueError, match="deadline_s"):
        PoliteHttp(deadline_s=deadline)


# Redirects


def test_same_origin_redirect_is_followed(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    server.script("/old", [Reply(301, headers={"Location": "/new?page=2"})])
    server.script("/new?page=2", [Reply(200, b"moved")])
    with make_http(sleeps) as http:
        response = http.get(server.url_for("/old"))
        stats = http.stats
    assert (response.content, response.attempts) == (b"moved", 1)
    assert (response.url, response.final_url) == (server.url_for("/old"), server.url_for("/new?page=2"))
    assert (stats.requests, stats.by_status) == (2, {200: 1, 301: 1})


def test_redirect_to_another_port_is_refused(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    with ScriptedServer({"/x": [Reply(200, b"elsewhere")]}) as elsewhere:
        server.script("/away", [Reply(302, headers={"Location": elsewhere.url_for("/x")})])
        with make_http(sleeps) as http, pytest.raises(HttpRedirectRefused) as caught:
            http.get(server.url_for("/away"))
        assert elsewhere.requests == []
    error = caught.value
    assert (error.source, error.location) == (server.url_for("/away"), elsewhere.url_for("/x"))
    assert server.url_for("/away") in str(error) and elsewhere.url_for("/x") in str(error)
    assert "port" in error.reason
    assert (server.hits("/away"), sleeps.delays) == (1, [])  # not retried


def test_redirect_to_another_host_is_refused(
    server: ScriptedServer, other: ScriptedServer, sleeps: SleepRecorder
) -> None:
    other.script("/x", [Reply(200, b"other host")])
    server.script("/away", [Reply(307, headers={"Location": other.url_for("/x")})])
    with (
        make_http(sleeps) as http,
        pytest.raises(HttpRedirectRefused, match=re.escape("host 127.0.0.1 -> 127.0.0.2")),
    ):
        http.get(server.url_for("/away"))
    assert other.requests == []


def test_redirect_to_another_scheme_is_refused(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    target = server.url.replace("http://", "https://") + "/secure"
    server.script("/plain", [Reply(308, headers={"Location": target})])
    with make_http(sleeps) as http, pytest.raises(HttpRedirectRefused) as caught:
        http.get(server.url_for("/plain"))
    assert caught.value.location == target
    assert "scheme http -> https" in caught.value.reason
    assert [r.path for r in server.requests] == ["/plain"]


def test_redirect_loops_stop(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    server.script("/loop", [Reply(302, headers={"Location": "/loop"})])
    with make_http(sleeps) as http, pytest.raises(HttpRedirectRefused, match=f"more than {MAX_REDIRECTS}"):
        http.get(server.url_for("/loop"))
    assert server.hits("/loop") == MAX_REDIRECTS + 1


def test_a_guard_may_refuse_a_same_origin_redirect(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    server.script("/old", [Reply(302, headers={"Location": "/forbidden"})])
    seen: list[tuple[str, str]] = []

    def guard(source: str, target: str) -> None:
        seen.append((source, target))
        raise PermissionError(f"{target} is off limits")

    with make_http(sleeps) as http, pytest.raises(PermissionError, match="off limits"):
        http.get(server.url_for("/old"), redirect_guard=guard)
    assert seen == [(server.url_for("/old"), server.url_for("/forbidden"))]
    assert server.hits("/forbidden") == 0


def test_invalid_location_is_refused(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    server.script("/odd", [Reply(302, headers={"Location": "http://[::1"})])
    with make_http(sleeps) as http, pytest.raises(HttpRedirectRefused, match="invalid Location"):
        http.get(server.url_for("/odd"))
