"""Optional, polite fetching of ZEturf and Geny pages, obeying each site's robots.txt.

Off by default: a disabled source raises :class:`SourceDisabled` before any network I/O. When on,
requests go through the same :class:`PoliteHttp` as the PMU client (identifiable User-Agent, per-host
rate limit, backoff on 429/5xx). robots.txt is read once per host through that client: a 404 (or
any 4xx) means everything is allowed, a 5xx or no answer means nothing is (RFC 9309, section 2.3.1).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from hippique_assets.net.errors import HttpError
from hippique_assets.net.polite import DEFAULT_USER_AGENT, PoliteHttp, RetryPolicy
from hippique_assets.web.errors import RobotsRefused, SourceDisabled

logger = logging.getLogger(__name__)

ROBOTS_AGENT = "hippique_assets"


@dataclass(frozen=True)
class WebSourcesConfig:
    """Which web sources may be fetched, and where they live (overridable for tests and mirrors)."""

    zeturf: bool = False
    geny: bool = False
    zeturf_base_url: str = "https://www.zeturf.fr"
    geny_base_url: str = "https://www.geny.com"
    rate_limit_per_s: float = 0.2

    def enabled(self, source: str) -> bool:
        if source not in ("zeturf", "geny"):
            raise ValueError(f"unknown web source {source!r}: zeturf or geny")
        return bool(getattr(self, source))


@dataclass(frozen=True)
class FetchedPage:
    url: str
    status: int
    content: bytes
    content_type: str | None
    fetched_at: datetime


class WebFetcher:
    """Fetches pages of the enabled sources, never a URL their robots.txt disallows."""

    def __init__(self, config: WebSourcesConfig, http: PoliteHttp | None = None) -> None:
        self.config = config
        self._http = http
        self._robots: dict[str, RobotFileParser] = {}
        self._lock = threading.Lock()

    @property
    def http(self) -> PoliteHttp:
        if self._http is None:
            self._http = PoliteHttp(
                user_agent=DEFAULT_USER_AGENT,
                rate_limit_per_s=self.config.rate_limit_per_s,
                retry=RetryPolicy(),
            )
        return self._http

    def _robots_for(self, url: str) -> RobotFileParser:
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            if root in self._robots:
                return self._robots[root]
        parser = RobotFileParser(f"{root}/robots.txt")
        try:
            answer = self.http.get(f"{root}/robots.txt", accept_statuses=range(200, 500))
        except HttpError as exc:
            logger.warning("robots.txt of %s unreachable (%s): treating the site as disallowed", root, exc)
            parser.disallow_all = True
        else:
            if answer.status >= 400 or answer.status == 204:
                parser.allow_all = True
            else:
                parser.parse(answer.text.splitlines())
        with self._lock:
            self._robots[root] = parser
        return parser

    def allowed(self, url: str) -> bool:
        return self._robots_for(url).can_fetch(ROBOTS_AGENT, url)

    def fetch(self, source: str, url: str) -> FetchedPage:
        """The page at ``url`` of ``source``; SourceDisabled or RobotsRefused before any request to it."""
        if not self.config.enabled(source):
            raise SourceDisabled(f"fetching from {source} is disabled (enable it in the web sources config)")
        if not self.allowed(url):
            logger.warning("robots.txt disallows %s for %s: not fetched", url, ROBOTS_AGENT)
            raise RobotsRefused(f"robots.txt disallows {url}")
        answer = self.http.get(url)
        return FetchedPage(
            url=url,
            status=answer.status,
            content=answer.content,
            content_type=answer.headers.get("content-type"),
            fetched_at=datetime.now(UTC),
        )

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
