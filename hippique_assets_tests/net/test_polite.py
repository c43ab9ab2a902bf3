from __future__ import annotations

import socket
import threading

import pytest

from hippique_assets.net.polite import (
    DEFAULT_USER_AGENT,
    HttpError,
    HttpStatusError,
    HttpTransportError,
    PoliteHttp,
    RetryPolicy,
)
from hippique_assets_tests.net.scripted_server import Reply, ScriptedServer, SleepRecorder, assert_spaced

# No jitter, so the expected waits are exact.
EXACT = RetryPolicy(max_attempts=5, backoff_initial_s=1.0, backoff_max_s=60.0, jitter_s=0.0)


def make_http(sleeps: SleepRecorder, retry: RetryPolicy = EXACT, **kwargs: object) -> PoliteHttp:
    kwargs.setdefault("rate_limit_per_s", 0)
    kwargs.setdefault("timeout_s", 2.0)
    return PoliteHttp(retry=retry, sleep=sleeps, **kwargs)  # type: ignore[arg-type]


def test_sends_the_project_user_agent(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    server.script("/a", [Reply(200, b"ok")])
    with make_http(sleeps) as http:
        http.get(server.url_for("/a"))
    with make_http(sleeps, user_agent="hippique_assets/test (ops@example.org)") as http:
        http.get(server.url_for("/a"))
    agents = [r.headers["User-Agent"] for r in server.requests_for("/a")]
    assert agents == [DEFAULT_USER_AGENT, "hippique_assets/test (ops@example.org)"]
    assert "Mozilla" not in DEFAULT_USER_AGENT


def test_empty_user_agent_is_refused() -> None:
    with pytest.raises(ValueError, match="user_agent"):
        PoliteHttp(user_agent="  ")


def test_retries_503_then_succeeds_with_exponential_waits(
    server: ScriptedServer, sleeps: SleepRecorder
) -> None:
    server.script("/day", [503, 503, Reply(200, b'{"ok": true}')])
    with make_http(sleeps) as http:
        response = http.get(server.url_for("/day"))
        stats = http.stats
    assert (response.status, response.content, response.attempts) == (200, b'{"ok": true}', 3)
    assert response.url == server.url_for("/day")
    assert server.hits("/day") == 3
    assert sleeps.delays == [1.0, 2.0]
    assert (stats.requests, stats.retries, stats.bytes) == (3, 2, len(b'{"ok": true}'))
    assert stats.by_status == {200: 1, 503: 2}


def test_backoff_grows_exponentially_up_to_the_cap_then_gives_up(
    server: ScriptedServer, sleeps: SleepRecorder
) -> None:
    server.script("/down", [500])
    policy = RetryPolicy(max_attempts=6, backoff_initial_s=0.5, backoff_max_s=3.0, jitter_s=0.0)
    with make_http(sleeps, retry=policy) as http, pytest.raises(HttpStatusError) as caught:
        http.get(server.url_for("/down"))
    assert sleeps.delays == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert caught.value.status == 500
    assert caught.value.attempts == 6
    assert caught.value.url == server.url_for("/down")
    assert server.url_for("/down") in str(caught.value)
    assert server.hits("/down") == 6


def test_jitter_stays_within_its_bound(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    server.script("/busy", [502, 502, 502, 502, Reply(200, b"x")])
    policy = RetryPolicy(max_attempts=5, backoff_initial_s=1.0, backoff_max_s=5.0, jitter_s=0.5)
    with make_http(sleeps, retry=policy) as http:
        assert http.get(server.url_for("/busy")).attempts == 5
    bases = [1.0, 2.0, 4.0, 5.0]
    assert len(sleeps.delays) == 4
    for delay, base in zip(sleeps.delays, bases, strict=True):
        assert base <= delay <= min(base + 0.5, 5.0)
    assert sleeps.delays[-1] == 5.0  # the cap also bounds the jitter


@pytest.mark.parametrize("status", [420, 429, 500, 502, 503, 504])
def test_overload_statuses_are_retried(status: int, server: ScriptedServer, sleeps: SleepRecorder) -> None:
    server.script("/p", [status, Reply(200, b"fine")])
    with make_http(sleeps) as http:
        response = http.get(server.url_for("/p"))
    assert (response.status, response.content, response.attempts) == (200, b"fine", 2)
    assert sleeps.delays == [1.0]


@pytest.mark.parametrize(
    ("status", "retry_after", "expected_wait"),
    [(429, "7", 7.0), (420, "2.5", 2.5), (503, "120", 60.0)],
)
def test_retry_after_is_honoured_and_capped(
    status: int, retry_after: str, expected_wait: float, server: ScriptedServer, sleeps: SleepRecorder
) -> None:
    server.script("/slow", [Reply(status, headers={"Retry-After": retry_after}), Reply(200, b"{}")])
    with make_http(sleeps) as http:
        assert http.get(server.url_for("/slow")).attempts == 2
    assert sleeps.delays == [expected_wait]


def test_retry_after_on_500_is_ignored(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    server.script("/e", [Reply(500, headers={"Retry-After": "30"}), Reply(200, b"{}")])
    with make_http(sleeps) as http:
        http.get(server.url_for("/e"))
    assert sleeps.delays == [1.0]


def test_other_statuses_fail_at_once(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    server.script("/forbidden", [403])
    with make_http(sleeps) as http, pytest.raises(HttpStatusError) as caught:
        http.get(server.url_for("/missing"))
    assert (caught.value.status, caught.value.attempts) == (404, 1)
    with make_http(sleeps) as http, pytest.raises(HttpStatusError, match="HTTP 403"):
        http.get(server.url_for("/forbidden"))
    assert server.hits("/missing") == 1
    assert server.hits("/forbidden") == 1
    assert sleeps.delays == []


def test_accepted_statuses_are_returned_without_retry(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    server.script("/none", [204])
    server.script("/gone", [404])
    server.script("/overloaded", [503, Reply(200, b"{}")])
    with make_http(sleeps) as http:
        no_content = http.get(server.url_for("/none"))
        gone = http.get(server.url_for("/gone"), accept_statuses=(200, 404))
        overloaded = http.get(server.url_for("/overloaded"), accept_statuses={200, 503})
    assert (no_content.status, no_content.content) == (204, b"")
    assert gone.status == 404
    assert (overloaded.status, overloaded.attempts) == (503, 1)
    assert server.hits("/overloaded") == 1


def test_time_out_is_retried_then_succeeds(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    server.script("/late", [Reply(200, b"late", delay_s=0.6), Reply(200, b"on time")])
    with make_http(sleeps, timeout_s=0.2) as http:
        response = http.get(server.url_for("/late"))
        stats = http.stats
    assert (response.content, response.attempts) == (b"on time", 2)
    assert sleeps.delays == [1.0]
    assert (stats.transport_errors, stats.requests, stats.retries) == (1, 2, 1)


def test_time_outs_give_up_with_a_transport_error(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    server.script("/never", [Reply(200, b"x", delay_s=0.6)])
    policy = RetryPolicy(max_attempts=2, jitter_s=0.0)
    with make_http(sleeps, retry=policy, timeout_s=0.2) as http, pytest.raises(HttpTransportError) as caught:
        http.get(server.url_for("/never"))
    assert caught.value.attempts == 2
    assert caught.value.url == server.url_for("/never")
    assert "Timeout" in caught.value.reason
    assert server.url_for("/never") in str(caught.value)
    assert server.hits("/never") == 2


def test_refused_connection_gives_up_with_a_transport_error(sleeps: SleepRecorder) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/x"
    with make_http(sleeps, retry=RetryPolicy(max_attempts=3, jitter_s=0.0)) as http:
        with pytest.raises(HttpTransportError) as caught:
            http.get(url)
        assert http.stats.transport_errors == 3
    assert (caught.value.url, caught.value.attempts) == (url, 3)
    assert caught.value.reason == "connection refused"
    assert sleeps.delays == [1.0, 2.0]


def test_body_cut_before_its_content_length_is_retried(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    server.script("/cut", [Reply(200, b'{"a": 1', content_length=500), Reply(200, b'{"a": 1}')])
    with make_http(sleeps) as http:
        response = http.get(server.url_for("/cut"))
    assert (response.content, response.attempts) == (b'{"a": 1}', 2)


@pytest.mark.parametrize("url", ["ftp://example.org/file", "not a url", "/programme/01012024"])
def test_bad_urls_raise_naming_the_url(url: str, sleeps: SleepRecorder) -> None:
    with make_http(sleeps) as http, pytest.raises(HttpError) as caught:
        http.get(url)
    assert caught.value.url == url
    assert url in str(caught.value)


def test_text_uses_the_declared_charset(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    body = "Auteuil, haies: Prix Général".encode("latin-1")
    server.script("/page", [Reply(200, body, headers={"Content-Type": "text/html; charset=iso-8859-1"})])
    with make_http(sleeps) as http:
        response = http.get(server.url_for("/page"))
    assert response.charset == "iso-8859-1"
    assert response.text == "Auteuil, haies: Prix Général"
    assert response.headers["content-type"] == "text/html; charset=iso-8859-1"


def test_closed_client_refuses_requests(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    http = make_http(sleeps)
    with http:
        pass
    with pytest.raises(RuntimeError, match="closed"):
        http.get(server.url_for("/a"))
    assert server.requests == []


def test_stats_count_every_request_across_threads(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    server.script("/n", [Reply(200, b"12345")])
    server.script("/e", [Reply(500, b"no"), Reply(200, b"ok")])
    with make_http(sleeps) as http:

        def work() -> None:
            for _ in range(10):
                http.get(server.url_for("/n"))

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        http.get(server.url_for("/e"))
        stats = http.stats
    assert stats.requests == 42
    assert stats.retries == 1
    assert stats.by_status == {200: 41, 500: 1}
    assert stats.bytes == 40 * 5 + 2 + 2
    assert server.hits("/n") == 40


def test_rate_limit_spaces_requests_at_the_server(server: ScriptedServer, sleeps: SleepRecorder) -> None:
    server.script("/r", [Reply(200, b"{}")])
    with make_http(sleeps, rate_limit_per_s=5) as http:

        def work() -> None:
            for _ in range(2):
                http.get(server.url_for("/r"))

        threads = [threading.Thread(target=work) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    arrivals = sorted(r.arrived_at for r in server.requests_for("/r"))
    assert len(arrivals) == 6
    assert_spaced(arrivals, 0.2)
    assert sleeps.delays == []  # rate limiting is not a retry


def test_rate_limit_is_per_host(sleeps: SleepRecorder) -> None:
    # Two loopback addresses are two hosts for the limiter.
    with (
        ScriptedServer({"/h": [Reply(200, b"a")]}) as first,
        ScriptedServer({"/h": [Reply(200, b"b")]}, host="127.0.0.2") as second,
    ):
        with make_http(sleeps, rate_limit_per_s=1) as http:
            for _ in range(2):
                http.get(first.url_for("/h"))
                http.get(second.url_for("/h"))
        a1, a2 = (r.arrived_at for r in first.requests_for("/h"))
        b1, b2 = (r.arrived_at for r in second.requests_for("/h"))
    # One interval is 1 s plus a 50 ms margin; a first request that leaves late shortens the gap.
    assert a2 - a1 >= 0.9
    assert b2 - b1 >= 0.9
    # The second host did not wait for the first host's interval.
    assert b1 - a1 < 0.5


def test_negative_rate_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="rate limit"):
        PoliteHttp(rate_limit_per_s=-1)
