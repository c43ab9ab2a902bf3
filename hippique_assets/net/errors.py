"""Errors raised by the polite HTTP client; each names the URL it concerns."""

from __future__ import annotations


class HttpError(Exception):
    """A request that did not give an acceptable answer."""

    def __init__(self, url: str, message: str, *, attempts: int = 0) -> None:
        super().__init__(message)
        self.url = url
        self.attempts = attempts


class HttpStatusError(HttpError):
    """The final answer had a status the caller did not accept (after retrying retryable statuses)."""

    def __init__(self, url: str, status: int, *, attempts: int) -> None:
        super().__init__(url, f"HTTP {status} from {url} after {attempts} attempt(s)", attempts=attempts)
        self.status = status


class HttpTransportError(HttpError):
    """No answer at all (time-out, refused or broken connection), given up after retrying."""

    def __init__(self, url: str, reason: str, *, attempts: int) -> None:
        super().__init__(url, f"{url}: {reason} (gave up after {attempts} attempt(s))", attempts=attempts)
        self.reason = reason


class HttpBodyTooLarge(HttpError):
    """A body longer than the caller's limit (counted after decompression), refused while it was read.

    Never retried: the same URL would send the same body again. ``received`` is how many body bytes
    had arrived when reading stopped (0 when the Content-Length header already announced more).
    """

    def __init__(self, url: str, limit_bytes: int, *, received: int, declared: int | None = None) -> None:
        how = (
            f"Content-Length announces {declared} bytes"
            if declared is not None
            else f"reading stopped after {received} bytes"
        )
        super().__init__(
            url, f"{url}: body exceeded the limit of {limit_bytes} bytes ({format_mb(limit_bytes)}); {how}"
        )
        self.limit_bytes = limit_bytes
        self.received = received
        self.declared = declared


class HttpRedirectRefused(HttpError):
    """A redirect that was not followed: to another scheme, host or port, one the caller forbids, or
    one too many. ``source`` answered with the redirect to ``location``; ``location`` was not requested."""

    def __init__(self, url: str, source: str, location: str, reason: str) -> None:
        origin = "" if source == url else f" (requested {url})"
        super().__init__(url, f"refused redirect from {source} to {location}{origin}: {reason}")
        self.source = source
        self.location = location
        self.reason = reason


def format_mb(size_bytes: int) -> str:
    """``16777216`` -> ``"16 MB"`` (1 MB = 2**20 bytes)."""
    return f"{size_bytes / 2**20:.3g} MB"
