"""Which redirects a polite HTTP client follows: only to the same scheme, host and port, at most
:data:`MAX_REDIRECTS` of them, and only those the caller's guard lets through."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from hippique_assets.net.errors import HttpRedirectRefused

MAX_REDIRECTS = 5
_DEFAULT_PORTS = {"http": 80, "https": 443}

# Called as ``guard(from_url, to_url)`` before a same-origin redirect is followed; raises to refuse it.
RedirectGuard = Callable[[str, str], None]


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port or _DEFAULT_PORTS.get(url.scheme)


def redirect_target(
    url: str, current: httpx.URL, location: str, guard: RedirectGuard | None, *, hops: int
) -> httpx.URL:
    """The URL ``location`` leads to from ``current``; HttpRedirectRefused unless it may be followed."""
    try:
        target = current.join(location)
    except httpx.InvalidURL as exc:
        raise HttpRedirectRefused(url, str(current), location, f"invalid Location ({exc})") from exc
    if hops >= MAX_REDIRECTS:
        raise HttpRedirectRefused(url, str(current), str(target), f"more than {MAX_REDIRECTS} redirects")
    changed = [
        f"{part} {before} -> {after}"
        for part, before, after in zip(
            ("scheme", "host", "port"), _origin(current), _origin(target), strict=True
        )
        if before != after
    ]
    if changed:
        reason = f"only same scheme, host and port are followed ({', '.join(changed)})"
        raise HttpRedirectRefused(url, str(current), str(target), reason)
    if guard is not None:
        guard(str(current), str(target))
    return target
