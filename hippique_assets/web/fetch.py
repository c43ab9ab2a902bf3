"""Optional, polite fetching of ZEturf and Geny pages, obeying each site's robots.txt.

Off by default: a disabled source raises :class:`SourceDisabled` before any network I/O. When on,
requests go through the project's :class:`PoliteHttp` (identifiable User-Agent, per-host rate limit,
backoff on 420/429/5xx). robots.txt is read once per host through that same client (RFC 9309,
2.3.1): a 4xx answer means everything is allowed; a 5xx, a throttling answer that does not clear
after the retries, or no answer at all means nothing is. A redirect is followed only within the
page's scheme, host and port and only to a path robots.txt allows; pages and robots.txt files have
a size limit and each attempt a total deadline.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from hippique_assets.net.closing import Closing
from hippique_assets.net.errors import HttpError
from hippique_assets.net.polite import DEFAULT_DEADLINE_S, DEFAULT_USER_AGENT, PoliteHttp, RetryPolicy
from hippique_assets.web.errors import RobotsRefused, SourceDisabled

logger = logging.getLogger(__name__)

SOURCES = ("zeturf", "geny")
# Throttling answers are retried by the polite layer, never read as "no robots.txt".
_ROBOTS_ACCEPTED = tuple(s for s in range(200, 500) if s not in (420, 429))


@dataclass(frozen=True)
class WebSourcesConfig:
    """Which web sources may be fetched, and where they live (overridable for tests and mirrors)."""

    zeturf: bool = False
    geny: bool = False
    zeturf_base_url: str = "https://www.zeturf.fr"
    geny_base_url: str = "https://www.geny.com"
    rate_limit_per_s: float = 0.2
    user_agent: str = DEFAULT_USER_AGENT
    # The pages read are about 160 KB; robots.txt files are read up to 500 KiB by the big crawlers.
    max_page_bytes: int = 8 * 2**20
    max_robots_bytes: int = 512 * 2**10
    deadline_s: float = DEFAULT_DEADLINE_S

    def __post_init__(self) -> None:
        for source, base in self.base_urls.items():
            parts = urlsplit(base)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"{source}_base_url must be an absolute http(s) URL, got {base!r}")
        for name in ("max_page_bytes", "max_robots_bytes", "deadline_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")

    @property
    def base_urls(self) -> dict[str, str]:
        """Base URL of each source, without a trailing slash."""
        return {"zeturf": self.zeturf_base_url.rstrip("/"), "geny": self.geny_base_url.rstrip("/")}

    def enabled(self, source: str) -> bool:
        """Whether ``source`` (``"zeturf"`` or ``"geny"``) may be fetched."""
        if source not in SOURCES:
            raise ValueError(f"unknown web source {source!r}: expected one of {SOURCES}")
        return bool(getattr(self, source))

    def source_of(self, url: str) -> str:
        """The source whose base URL ``url`` starts with (the longest base wins)."""
        matches = [
            (len(base), source)
            for source, base in self.base_urls.items()
            if url == base or url.startswith(base + "/") or url.startswith(base + "?")
        ]
        if not matches:
            raise ValueError(f"{url!r} is under no web source base URL {self.base_urls}")
        return max(matches)[1]


@dataclass(frozen=True)
class FetchedPage:
    """A fetched page: final status, raw body, declared Content-Type and when it was fetched (UTC)."""

    url: str
    status: int
    content: bytes
    content_type: str | None
    fetched_at: datetime


class WebFetcher(Closing):
    """Fetches pages of the enabled sources, never a URL their robots.txt disallows.

    ``http`` replaces the client built from the config (tests pass one with a fast retry policy).
    """

    def __init__(self, config: WebSourcesConfig, http: PoliteHttp | None = None) -> None:
        self.config = config
        self._http = http
        self._robots: dict[str, RobotFileParser] = {}
        self._lock = threading.Lock()

    @property
    def http(self) -> PoliteHttp:
        """The polite client (built on first use, so a fetcher that never fetches opens nothing)."""
        with self._lock:
            if self._http is None:
                self._http = PoliteHttp(
                    user_agent=self.config.user_agent,
                    rate_limit_per_s=self.config.rate_limit_per_s,
                    deadline_s=self.config.deadline_s,
                    max_body_bytes=self.config.max_page_bytes,
                    retry=RetryPolicy(),
                )
            return self._http

    def _robots_for(self, url: str) -> RobotFileParser:
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            cached = self._robots.get(root)
        if cached is not None:
            return cached
        robots_url = f"{root}/robots.txt"
        parser = RobotFileParser(robots_url)
        try:
            answer = self.http.get(
                robots_url, accept_statuses=_ROBOTS_ACCEPTED, max_body_bytes=self.config.max_robots_bytes
            )
        except HttpError as exc:
            logger.warning("%s unavailable (%s): treating %s as disallowed", robots_url, exc, root)
            parser.parse(["User-agent: *", "Disallow: /"])
        else:
            if answer.status >= 400:
                parser.parse([])
            else:
                parser.parse(answer.content.decode(answer.charset or "utf-8", errors="replace").splitlines())
        with self._lock:
            return self._robots.setdefault(root, parser)

    def allowed(self, url: str) -> bool:
        """Whether the site's robots.txt lets our User-Agent fetch ``url`` (reads robots.txt once per host)."""
        return self._robots_for(url).can_fetch(self.http.user_agent, url)

    def _check_redirect(self, source: str, target: str) -> None:
        """Refuse a (same-origin) redirect to a path robots.txt disallows; the target is not requested."""
        if not self.allowed(target):
            logger.warning("robots.txt disallows %s (redirected from %s): not followed", target, source)
            raise RobotsRefused(target, f"robots.txt disallows it (redirect from {source})")

    def fetch(self, url: str, page_url: str | None = None) -> FetchedPage:
        """GET ``url`` of an enabled source, unless robots.txt disallows it.

        The source is the one whose base URL ``url`` is under. ``fetch(source, url)`` is accepted
        too: the source named must then be the URL's. Raises ValueError for a URL under no source,
        :class:`SourceDisabled` (before any request) for a disabled source, :class:`RobotsRefused`
        (the URL, or the path a redirect leads to, is never requested) and the polite layer's
        HttpError for a failed request (HttpRedirectRefused for a redirect off the page's origin,
        HttpBodyTooLarge for a page over ``max_page_bytes``).
        """
        named = None
        if page_url is not None:
            named, url = url, page_url
        source = self.config.source_of(url)
        if named is not None and named != source:
            raise ValueError(f"{url!r} belongs to {source}, not to {named!r}")
        if not self.config.enabled(source):
            raise SourceDisabled(source, url)
        if not self.allowed(url):
            logger.warning("robots.txt disallows %s for %r: not fetched", url, self.http.user_agent)
            raise RobotsRefused(url)
        answer = self.http.get(
            url, max_body_bytes=self.config.max_page_bytes, redirect_guard=self._check_redirect
        )
        return FetchedPage(
            url=url,
            status=answer.status,
            content=answer.content,
            content_type=answer.headers.get("content-type"),
            fetched_at=datetime.now(UTC),
        )

    def close(self) -> None:
        """Close the HTTP client if one was opened."""
        with self._lock:
            if self._http is not None:
                self._http.close()
