"""A per-host request rate limit, shared by every thread of one client."""

from __future__ import annotations

import threading

from pyrate_limiter import InMemoryBucket, Limiter, MonotonicClock, Rate

# Margin added to each computed wait. The limiter books a request at the time it planned to wake up,
# so a thread that oversleeps (busy machine) leaves less than one interval before the next one; the
# margin keeps the spacing the server sees at or above the interval. Whole milliseconds also make a
# request exactly one interval after the previous one count as inside the window, hence the minimum.
_MARGIN_FRACTION = 0.05
_MIN_MARGIN_MS = 2


class HostRateLimiter:
    """Spaces requests to each host evenly: at most ``per_second`` requests per second and host.

    Requests are spaced by ``1 / per_second`` seconds (plus a 5 % margin) rather than allowed in
    bursts, which is the gentler behaviour for the remote server. ``per_second == 0`` disables the limit. Rates above
    1000 per second are treated as 1000 (the limiter works in whole milliseconds).
    """

    def __init__(self, per_second: float) -> None:
        if per_second < 0:
            raise ValueError(f"rate limit must be >= 0 requests per second, got {per_second!r}")
        self.per_second = per_second
        self._interval_ms = max(1, round(1000 / per_second)) if per_second > 0 else 0
        self._limiters: dict[str, Limiter] = {}
        self._lock = threading.Lock()

    @property
    def interval_s(self) -> float:
        """The minimum spacing between two requests to one host, in seconds (0 when unlimited)."""
        return self._interval_ms / 1000

    def acquire(self, host: str) -> None:
        """Block until one more request to ``host`` is allowed."""
        if self._interval_ms == 0:
            return
        limiter = self._limiter(host)
        # The limiter sleeps itself while holding its lock, so waiting threads queue up behind it;
        # it answers False only in the rare case where the re-check after its sleep still fails.
        while not limiter.try_acquire(host):
            pass

    def close(self) -> None:
        """Stop the background clean-up of every host's bucket."""
        with self._lock:
            for limiter in self._limiters.values():
                for bucket in limiter.buckets():
                    limiter.dispose(bucket)
            self._limiters.clear()

    def _limiter(self, host: str) -> Limiter:
        with self._lock:
            limiter = self._limiters.get(host)
            if limiter is None:
                limiter = Limiter(
                    InMemoryBucket([Rate(1, self._interval_ms)]),
                    clock=MonotonicClock(),
                    raise_when_fail=False,
                    # Threads wait one at a time, so one interval is the longest wait expected.
                    max_delay=10 * self._interval_ms + 1000,
                    buffer_ms=max(_MIN_MARGIN_MS, round(self._interval_ms * _MARGIN_FRACTION)),
                )
                self._limiters[host] = limiter
            return limiter
