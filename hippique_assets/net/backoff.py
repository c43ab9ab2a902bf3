"""Retry policy: which answers to retry, how long to wait between attempts, and Retry-After."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from tenacity import wait_exponential_jitter

# Statuses whose Retry-After header is read: the server says when it will accept us again.
RETRY_AFTER_STATUSES = frozenset({420, 429, 503})


@dataclass(frozen=True)
class RetryPolicy:
    """How a request is retried.

    The wait before retry ``n`` (1-based) is ``backoff_initial_s * 2**(n-1)`` plus a random jitter in
    ``[0, jitter_s]``, capped at ``backoff_max_s``; a Retry-After header on 420/429/503 replaces it
    (also capped). The jitter only spreads retries of parallel requests apart.
    """

    max_attempts: int = 5
    backoff_initial_s: float = 1.0
    backoff_max_s: float = 60.0
    jitter_s: float = 1.0
    retry_statuses: frozenset[int] = frozenset({420, 429, 500, 502, 503, 504})

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {self.max_attempts!r}")
        for name in ("backoff_initial_s", "backoff_max_s", "jitter_s"):
            value = getattr(self, name)
            if not (value >= 0 and math.isfinite(value)):
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")

    def backoff(self) -> wait_exponential_jitter:
        """The exponential backoff with jitter as a tenacity wait strategy."""
        return wait_exponential_jitter(
            multiplier=self.backoff_initial_s, max=self.backoff_max_s, jitter=self.jitter_s
        )


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None if absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)
