"""What the replay server keeps of the requests it answered: one record per request, and counters.

Kept apart from :mod:`hippique_replay.server` so that whoever prints or checks the records (the
``replay serve`` command, tests) reads them without the HTTP machinery.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class RequestRecord:
    """One API request as the server answered it.

    ``path`` is the request path under the prefix (query string kept), or the whole path of a
    request outside the prefix (answered 404); ``status`` is None when a
    time-out fault closed the connection without answering. ``at`` is the wall-clock arrival (UTC),
    ``sim_now`` the simulated instant given to the source (None: final state). ``size`` is the
    body size announced (a huge body's full size, even when the client hangs up early).
    ``error`` says why the source failed, or why a shrink or mutate fault left the body unchanged.
    """

    path: str
    status: int | None
    at: datetime
    sim_now: datetime | None
    elapsed_s: float
    size: int
    fault: str | None = None
    error: str | None = None

    def line(self) -> str:
        """The record as one log line."""
        status = "---" if self.status is None else str(self.status)
        parts = [self.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z", status, self.path]
        parts.append(f"{self.size}B {self.elapsed_s * 1000:.1f}ms")
        parts.append("sim=final" if self.sim_now is None else f"sim={self.sim_now.isoformat()}")
        if self.fault:
            parts.append(f"fault={self.fault}")
        if self.error:
            parts.append(f"error={self.error}")
        return " ".join(parts)


@dataclass
class ReplayStats:
    """Counters since the server started: requests, answers per status (None: no answer), faults, bytes."""

    requests: int = 0
    statuses: Counter[int | None] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    bytes_sent: int = 0
