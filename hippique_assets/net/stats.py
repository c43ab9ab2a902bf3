"""What a polite HTTP client has done since it was created: requests sent, retries, body bytes
received, answers per status and attempts that got no answer, counted safely across threads."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class HttpStats:
    """Counters of one client since it was created.

    ``requests`` counts every request sent (retries included), ``retries`` the repeated ones,
    ``bytes`` the body bytes received, ``by_status`` the answers per HTTP status, and
    ``transport_errors`` the attempts that got no answer (time-out, connection error).
    """

    requests: int = 0
    retries: int = 0
    bytes: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    transport_errors: int = 0

    @property
    def statuses(self) -> dict[int, int]:
        """Answers per HTTP status (same as ``by_status``)."""
        return self.by_status


class RequestCounters:
    """The running counters behind :class:`HttpStats`, updated by every thread using the client."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests = 0
        self.retries = 0
        self.bytes = 0
        self.transport_errors = 0
        self.by_status: Counter[int] = Counter()

    def sent(self, *, retry: bool) -> None:
        with self._lock:
            self.requests += 1
            self.retries += int(retry)

    def answered(self, status: int, size: int) -> None:
        with self._lock:
            self.by_status[status] += 1
            self.bytes += size

    def failed(self) -> None:
        with self._lock:
            self.transport_errors += 1

    def snapshot(self) -> HttpStats:
        with self._lock:
            return HttpStats(
                requests=self.requests,
                retries=self.retries,
                bytes=self.bytes,
                by_status=dict(sorted(self.by_status.items())),
                transport_errors=self.transport_errors,
            )
