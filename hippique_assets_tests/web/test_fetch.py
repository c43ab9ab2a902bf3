"""Fetching obeys robots.txt and the per-source switch, against a loopback server (127.0.0.1 only)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hippique_assets.net.errors import HttpBodyTooLarge, HttpRedirectRefused, HttpStatusError
from hippique_assets.net.polite import PoliteHttp, RetryPolicy
from hippique_assets.web.errors import RobotsRefused, SourceDisabled
from hippique_assets.web.fetch import WebFetcher, WebSourcesConfig

ROBOTS = b"User-agent: *\nDisallow: /private/\n"
PAGE = b'<html><head><meta charset="utf-8"></head><body>page</body></html>'
USER_AGENT = "hippique_assets-test/1.0 (loopback test)"


class _Site(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[str] = []
        self.agents: list[str] = []
        self.robots_status = 200
        self.robots_body = ROBOTS
        self.busy_left = 0  # how many 429 answers /busy still gives
        self.redirects: dict[str, str] = {}  # path -> Location of a 302
        self.bodies: dict[str, bytes] = {}  # path -> body other than PAGE

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: _Site

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        self.server.agents.append(self.headers.get("User-Agent", ""))
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if self.path == "/robots.txt":
            status, body, headers = (
                self.server.robots_status,
                self.server.robots_body,
                {"Content-Type": "text/plain"},
            )
        elif self.path in self.server.redirects:
            status, body, headers = 302, b"", {"Location": self.server.redirects[self.path]}
        elif self.path in self.server.bodies:
            status, body = 200, self.server.bodies[self.path]
        elif self.path.endswith("/busy") and self.server.busy_left > 0:
            self.server.busy_left -= 1
            status, body, headers = 429, b"slow down", {"Retry-After": "3"}
        else:
            status, body = 200, PAGE
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def site() -> Iterator[_Site]:
    server = _Site()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def sleeps() -> list[float]:
    return []


def _fetcher(site: _Site, sleeps: list[float], **enabled: bool) -> WebFetcher:
    # Geny at the site's root, ZEturf under /zeturf: each URL belongs to exactly one source.
    config = WebSourcesConfig(zeturf_base_url=f"{site.base}/zeturf", geny_base_url=site.base, **enabled)
    http = PoliteHttp(
        user_agent=USER_AGENT,
        rate_limit_per_s=0,
        retry=RetryPolicy(max_attempts=2, jitter_s=0),
        sleep=sleeps.append,
    )
    return WebFetcher(config, http)


def test_disallowed_url_is_refused_logged_and_never_requested(site, sleeps, caplog):
    with (
        _fetcher(site, sleeps, geny=True) as fetcher,
        caplog.at_level(logging.WARNING, "hippique_assets.web"),
        pytest.raises(RobotsRefused, match="/private/x") as refused,
    ):
        fetcher.fetch(f"{site.base}/private/x")
    assert refused.value.url == f"{site.base}/private/x"
    assert site.requests == ["/robots.txt"]
    assert any(
        "/private/x" in r.getMessage() and r.name == "hippique_assets.web.fetch" for r in caplog.records
    )


def test_allowed_url_is_fetched_and_robots_read_once(site, sleeps):
    with _fetcher(site, sleeps, geny=True, zeturf=True) as fetcher:
        page = fetcher.fetch(f"{site.base}/public/page")
        other = fetcher.fetch(f"{site.base}/zeturf/fr/course/2026-01-18/R5C6")
    assert (page.url, page.status, page.content) == (f"{site.base}/public/page", 200, PAGE)
    assert page.content_type == "text/html; charset=utf-8"
    assert page.fetched_at.tzinfo is not None and other.status == 200
    assert site.requests == ["/robots.txt", "/public/page", "/zeturf/fr/course/2026-01-18/R5C6"]
    assert set(site.agents) == {USER_AGENT}


def test_disabled_source_raises_before_any_request(site, sleeps):
    with (
        _fetcher(site, sleeps, geny=True) as fetcher,
        pytest.raises(SourceDisabled, match="zeturf") as disabled,
    ):
        fetcher.fetch(f"{site.base}/zeturf/fr/course/2026-01-18/R5C6")
    assert disabled.value.source == "zeturf"
    assert site.requests == []


def test_everything_disabled_by_default(site, sleeps):
    assert (WebSourcesConfig().zeturf, WebSourcesConfig().geny) == (False, False)
    with _fetcher(site, sleeps) as fetcher, pytest.raises(SourceDisabled, match="geny"):
        fetcher.fetch(f"{site.base}/public/page")
    assert site.requests == []


def test_missing_robots_allows_everything(site, sleeps):
    site.robots_status = 404
    with _fetcher(site, sleeps, geny=True) as fetcher:
        assert fetcher.fetch(f"{site.base}/private/x").status == 200
    assert site.requests == ["/robots.txt", "/private/x"]


def test_failing_robots_forbids_everything(site, sleeps):
    site.robots_status = 503
    with _fetcher(site, sleeps, geny=True) as fetcher:
        with pytest.raises(RobotsRefused):
            fetcher.fetch(f"{site.base}/public/page")
        assert not fetcher.allowed(f"{site.base}/anything")
    # Retried once by the polite layer (max_attempts=2), then read as "disallow all"; cached after.
    assert site.requests == ["/robots.txt", "/robots.txt"]


def test_429_is_retried_with_the_servers_delay(site, sleeps):
    site.busy_left = 1
    with _fetcher(site, sleeps, geny=True) as fetcher:
        assert fetcher.fetch(f"{site.base}/busy").status == 200
    assert sleeps == [3.0]
    assert site.requests == ["/robots.txt", "/busy", "/busy"]


def test_429_that_does_not_clear_is_an_http_error(site, sleeps):
    site.busy_left = 5
    with _fetcher(site, sleeps, geny=True) as fetcher, pytest.raises(HttpStatusError, match="429"):
        fetcher.fetch(f"{site.base}/busy")


def test_source_named_explicitly_must_match_the_url(site, sleeps):
    with _fetcher(site, sleeps, geny=True, zeturf=True) as fetcher:
        assert fetcher.fetch("zeturf", f"{site.base}/zeturf/x").status == 200
        with pytest.raises(ValueError, match="belongs to geny"):
            fetcher.fetch("zeturf", f"{site.base}/x")


def test_config_validation():
    config = WebSourcesConfig(zeturf_base_url="https://z.example/", geny_base_url="https://g.example")
    assert config.base_urls == {"zeturf": "https://z.example", "geny": "https://g.example"}
    assert config.source_of("https://g.example/partants-pmu/x") == "geny"
    with pytest.raises(ValueError, match="under no web source"):
        config.source_of("https://elsewhere.example/x")
    with pytest.raises(ValueError, match="zeturf_base_url"):
        WebSourcesConfig(zeturf_base_url="zeturf.fr")
    with pytest.raises(ValueError, match="unknown web source 'pmu'"):
        config.enabled("pmu")


def test_same_site_redirect_to_an_allowed_path_is_followed(site, sleeps):
    site.redirects["/moved"] = "/public/page"
    with _fetcher(site, sleeps, geny=True) as fetcher:
        page = fetcher.fetch(f"{site.base}/moved")
    assert (page.url, page.status, page.content) == (f"{site.base}/moved", 200, PAGE)
    assert site.requests == ["/robots.txt", "/moved", "/public/page"]


def test_redirect_to_a_disallowed_path_is_refused_and_never_requested(site, sleeps, caplog):
    site.redirects["/moved"] = "/private/x"
    with (
        _fetcher(site, sleeps, geny=True) as fetcher,
        caplog.at_level(logging.WARNING, "hippique_assets.web"),
        pytest.raises(RobotsRefused) as refused,
    ):
        fetcher.fetch(f"{site.base}/moved")
    assert refused.value.url == f"{site.base}/private/x"
    assert f"redirect from {site.base}/moved" in str(refused.value)
    assert site.requests == ["/robots.txt", "/moved"]
    assert any("/private/x" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "target",
    ["http://127.0.0.2:{port}/public/page", "https://127.0.0.1:{port}/public/page", "http://127.0.0.1:1/x"],
)
def test_redirect_off_the_site_is_refused(site, sleeps, target):
    location = target.format(port=site.server_address[1])
    site.redirects["/moved"] = location
    with _fetcher(site, sleeps, geny=True) as fetcher, pytest.raises(HttpRedirectRefused) as refused:
        fetcher.fetch(f"{site.base}/moved")
    assert (refused.value.source, refused.value.location) == (f"{site.base}/moved", location)
    assert site.requests == ["/robots.txt", "/moved"]


def test_page_over_its_limit_is_refused(site, sleeps):
    site.bodies["/public/huge"] = b"<html>" + b" " * 4096 + b"</html>"
    config = WebSourcesConfig(geny_base_url=site.base, geny=True, max_page_bytes=4096)
    http = PoliteHttp(
        user_agent=USER_AGENT, rate_limit_per_s=0, retry=RetryPolicy(max_attempts=2, jitter_s=0)
    )
    with WebFetcher(config, http) as fetcher, pytest.raises(HttpBodyTooLarge, match="limit of 4096 bytes"):
        fetcher.fetch(f"{site.base}/public/huge")
    assert site.requests == ["/robots.txt", "/public/huge"]


def test_robots_over_its_limit_forbids_everything(site, sleeps):
    site.robots_body = b"User-agent: *\nAllow: /\n" + b"#" * 2048
    config = WebSourcesConfig(geny_base_url=site.base, geny=True, max_robots_bytes=1024)
    http = PoliteHttp(
        user_agent=USER_AGENT, rate_limit_per_s=0, retry=RetryPolicy(max_attempts=2, jitter_s=0)
    )
    with WebFetcher(config, http) as fetcher, pytest.raises(RobotsRefused):
        fetcher.fetch(f"{site.base}/public/page")
    assert site.requests == ["/robots.txt"]


def test_fetcher_limits_and_deadline_reach_its_client():
    config = WebSourcesConfig(max_page_bytes=1234, deadline_s=7.5)
    with WebFetcher(config) as fetcher:
        assert (fetcher.http.max_body_bytes, fetcher.http.deadline_s) == (1234, 7.5)
    with pytest.raises(ValueError, match="deadline_s"):
        WebSourcesConfig(deadline_s=0)
