"""Minute-by-minute odds before the off: when the watcher captures, and what counts as a gap.

One watcher run per race captures the race's odds every :data:`CAPTURE_EVERY` from H-10
(:data:`~hippique_assets.racing.plan.WATCH_LEAD`) until the off, so that every minute holds
at least one capture even when a request is slow. Two captures further apart than
:data:`GAP_AFTER` (or the window's edges and the nearest capture) leave a *gap*: it is recorded
with what caused it and never filled with invented values.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from hippique_assets.racing.clock import AcceleratedClock, Clock
from hippique_assets.racing.plan import WATCH_LEAD

CAPTURE_EVERY = timedelta(seconds=30)
GAP_AFTER = timedelta(seconds=60)
# At least this many wall seconds between two captures: a day replayed on an accelerated clock
# (x60: 30 simulated seconds are half a second) would otherwise poll the replay server and Postgres
# continuously; on the real clock it never binds.
MIN_WALL_BETWEEN_CAPTURES_S = 1.0

RESTARTED = "restarted"
CAPTURE_FAILED = "capture_failed"
LATE_START = "late_start"
ENDED = "ended"


@dataclass(frozen=True)
class Gap:
    """A stretch of the watch window with no capture, from the capture (or edge) before it to the one after."""

    race_key: str
    gap_from: datetime
    gap_to: datetime
    reason: str

    @property
    def seconds(self) -> float:
        return (self.gap_to - self.gap_from).total_seconds()


def window_start(off: datetime) -> datetime:
    """When the race's minute-by-minute capture starts: H-10."""
    return off - WATCH_LEAD


def gap_before(
    race_key: str, previous: datetime | None, capture: datetime, off: datetime, reason: str
) -> Gap | None:
    """The gap a capture at ``capture`` closes: since the previous capture of the window, or since
    H-10 when it is the window's first; None when they are at most :data:`GAP_AFTER` apart."""
    opened = window_start(off)
    since = previous if previous is not None and previous >= opened else opened
    if capture - since <= GAP_AFTER:
        return None
    return Gap(race_key, since, capture, reason)


def gap_at_the_off(race_key: str, last: datetime | None, off: datetime, reason: str = ENDED) -> Gap | None:
    """The gap between the window's last capture (or H-10 when there was none) and the off."""
    opened = window_start(off)
    since = last if last is not None and last >= opened else opened
    if off - since <= GAP_AFTER:
        return None
    return Gap(race_key, since, off, reason)


@dataclass(frozen=True)
class WatchStep:
    """What the watcher does next: capture now, wait until ``at``, or stop (and why)."""

    action: str  # "capture", "wait" or "stop"
    at: datetime | None = None
    why: str = ""


def next_step(now: datetime, off: datetime | None, next_capture: datetime) -> WatchStep:
    """The watcher's next move at ``now`` for a race whose current start is ``off``.

    It stops at the off, when the start is unknown, and when the start moved so far back that
    ``now`` is before the new H-10 (the race clock requests a new watcher at the new time).
    """
    if off is None:
        return WatchStep("stop", why="no start time stored for the race")
    if now >= off:
        return WatchStep("stop", why="the race is off")
    if now < window_start(off) - CAPTURE_EVERY:
        return WatchStep("stop", why=f"the start moved to {off:%H:%M:%S}Z: a new watcher is due at H-10")
    if now >= next_capture:
        return WatchStep("capture")
    return WatchStep("wait", at=min(next_capture, off))


def wall_seconds_until(clock: Clock, instant: datetime) -> float:
    """Wall seconds to wait for ``clock`` to show ``instant`` (an accelerated clock runs faster)."""
    if isinstance(clock, AcceleratedClock):
        return max(0.0, clock.wall_time(instant) - time.time())
    return max(0.0, (instant - clock.now()).total_seconds())
