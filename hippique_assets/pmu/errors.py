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


class PmuBodyTooLarge(PmuError):
    """A body over the endpoint's size limit (``HIPPIQUE_MAX_BODY_MB``), refused while it was read.

    Not retried: the API would send the same body again. ``received`` counts the decompressed bytes
    read before stopping (0 when the Content-Length header already announced more).
    """

    def __init__(
        self, url: str, limit_bytes: int, *, received: int, declared: int | None = None, attempts: int = 1
    ) -> None:
        how = (
            f"Content-Length announces {declared} bytes" if declared is not None else f"{received} bytes read"
        )
        super().__init__(
            url,
            f"PMU response from {url} exceeded the body limit of {limit_bytes} bytes "
            f"({limit_bytes / 2**20:.3g} MB): refused while reading ({how}); "
            "raise HIPPIQUE_MAX_BODY_MB if such bodies are genuine",
            attempts=attempts,
        )
        self.limit_bytes = limit_bytes
        self.received = received
        self.declared = declared


class PmuRedirectRefused(PmuError):
    """The API redirected to another scheme, host or port (or too many times); not followed, not retried."""

    def __init__(self, url: str, source: str, location: str, reason: str, *, attempts: int = 1) -> None:
        super().__init__(
            url, f"PMU API redirect from {source} to {location} refused: {reason}", attempts=attempts
        )
        self.source = source
        self.location = location
        self.reason = reason
