"""Fetching obeys robots.txt and the per-source switch, against a loopback server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hippique_assets.net.polite import PoliteHttp, RetryPolicy
from hippique_assets.web.errors import RobotsRefused, SourceDisabled
from hippique_assets.web.fetch import WebFetcher, WebSourcesConfig

ROBOTS = b"User-agent: *\nDisallow: /private/\n"


class _Site(ThreadingHTTPServer):
    robots_status = 200

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[str] = []


class _Handler(BaseHTTPRequestHandler):
    server: _Site

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        if self.path == "/robots.txt":
            status, body = self.server.robots_status, ROBOTS
        else:
            status, body = 200, b'<html><meta charset="utf-8"><body>page</body></html>'
        self.send_response(status)
        self.send_header(
            "Content-Type", "text/html; charset=utf-8" if self.path != "/robots.txt" else "text/plain"
        )
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def site() -> Iterator[_Site]:
    server = _Site()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _fetcher(site: _Site, **enabled: bool) -> WebFetcher:
    base = f"http://127.0.0.1:{site.server_address[1]}"
    config = WebSourcesConfig(zeturf_base_url=base, geny_base_url=base, **enabled)
    http = PoliteHttp(rate_limit_per_s=0, retry=RetryPolicy(max_attempts=2), sleep=lambda _: None)
    return WebFetcher(config, http)


def test_disallowed_path_is_never_requested(site: _Site):
    fetcher = _fetcher(site, geny=True)
    base = fetcher.config.geny_base_url
    with pytest.raises(RobotsRefused, match="/private/page"):
        fetcher.fetch("geny", f"{base}/private/page")
    page = fetcher.fetch("geny", f"{base}/public/page")
    assert page.status == 200 and b"page" in page.content
    assert page.content_type.startswith("text/html")
    assert site.requests == ["/robots.txt", "/public/page"]  # robots read once, /private never


def test_disabled_source_makes_no_request(site: _Site):
    fetcher = _fetcher(site)
    with pytest.raises(SourceDisabled):
        fetcher.fetch("zeturf", f"{fetcher.config.zeturf_base_url}/public/page")
    assert site.requests == []


def test_missing_robots_allows_and_failing_robots_forbids(site: _Site):
    site.robots_status = 404
    fetcher = _fetcher(site, zeturf=True)
    assert fetcher.allowed(f"{fetcher.config.zeturf_base_url}/private/page")
    site.robots_status = 503
    failing = _fetcher(site, zeturf=True)
    with pytest.raises(RobotsRefused):
        failing.fetch("zeturf", f"{failing.config.zeturf_base_url}/public/page")
    assert "/public/page" not in site.requests
