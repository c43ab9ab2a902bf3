"""Keeping secrets out of what is shown: a webhook URL reduced to its host, known secrets masked."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

MASK = "***"


def mask_url(url: str) -> str:
    """``scheme://host[:port]`` of ``url``: a webhook's path and query carry its token."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        port = parts.port
    except ValueError:
        return "(unreadable URL)"
    if not parts.scheme or not host:
        return "(unreadable URL)"
    shown = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{shown}" + (f":{port}" if port is not None else "")


def url_secrets(url: str) -> tuple[str, ...]:
    """The parts of ``url`` that must never be shown: the URL itself, its path and query, and each
    path segment (a token may be echoed alone in an error body)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return (url,)
    tail = parts.path + (f"?{parts.query}" if parts.query else "")
    segments = [segment for segment in parts.path.split("/") if len(segment) >= 12]
    candidates = [url, url.strip(), tail, tail.lstrip("/"), parts.query, *segments]
    return tuple(candidate for candidate in candidates if candidate and candidate != "/")


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every non-empty secret replaced by ``***``, longest first (so a URL is masked
    whole before its path)."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine: ``localhost`` or a loopback address."""
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
