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
