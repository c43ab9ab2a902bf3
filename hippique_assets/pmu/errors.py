"""Errors of the PMU turfinfo client; every one names the URL it concerns."""

from __future__ import annotations


class PmuError(Exception):
    """A PMU request that gave no usable answer; ``attempts`` counts the HTTP requests it took."""

    status: int | None = None

    def __init__(self, url: str, message: str, *, attempts: int = 1) -> None:
        super().__init__(message)
        self.url = url
        self.attempts = attempts


class PmuHttpError(PmuError):
    """The API answered with a status that means neither data, "no data" (204) nor "not final" (404 on rapports)."""

    def __init__(self, url: str, status: int, *, attempts: int = 1) -> None:
        super().__init__(
            url, f"PMU API answered HTTP {status} for {url} (after {attempts} attempt(s))", attempts=attempts
        )
        self.status = status


class PmuTransportError(PmuError):
    """No answer from the API (time-outs or connection errors) after every retry."""

    def __init__(self, url: str, reason: str, *, attempts: int) -> None:
        super().__init__(
            url, f"cannot reach {url}: {reason} (after {attempts} attempt(s))", attempts=attempts
        )
        self.reason = reason


class PmuMalformedResponse(PmuError):
    """A body that is not valid JSON (often truncated) or not of the expected top-level type."""

    def __init__(self, url: str, reason: str, *, attempts: int = 1) -> None:
        super().__init__(url, f"malformed PMU response from {url}: {reason}", attempts=attempts)
        self.reason = reason
