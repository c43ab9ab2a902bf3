"""Clocks: the real one, a frozen one for tests, and an accelerated one for replayed days.

Everything that asks "what time is it" for race-day logic takes a :class:`Clock`, so a whole day
can be played in minutes against the replay server with the same code that runs live.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware in UTC."""
        ...


def _as_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError(f"naive datetime {instant.isoformat()} is ambiguous: give a timezone")
    return instant.astimezone(UTC)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


@dataclass
class FixedClock:
    """A clock that only moves when told to."""

    instant: datetime

    def __post_init__(self) -> None:
        self.instant = _as_utc(self.instant)

    def now(self) -> datetime:
        return self.instant

    def advance(self, delta: timedelta) -> None:
        self.instant = self.instant + delta


@dataclass
class AcceleratedClock:
    """Simulated time that starts at ``start`` and runs ``factor`` times faster than the wall.

    ``wall_start`` is the Unix time at which simulated time equals ``start``. ``changes`` lets the
    speed change later: from each simulated instant on, that many simulated seconds per wall second
    (a replayed day runs fast between races and slower around each off). Processes that share these
    values (the replay server, the race clock in the code server, the run workers) agree on the
    simulated instant.
    """

    start: datetime
    factor: float = 60.0
    wall_start: float = field(default_factory=time.time)
    changes: tuple[tuple[datetime, float], ...] = ()

    def __post_init__(self) -> None:
        self.start = _as_utc(self.start)
        self.changes = tuple((_as_utc(instant), float(factor)) for instant, factor in self.changes)
        # (simulated instant, wall time, factor) at the start of each stretch of constant speed.
        self._knots: list[tuple[datetime, float, float]] = []
        sim, wall = self.start, self.wall_start
        for instant, factor in ((self.start, self.factor), *self.changes):
            if not factor > 0:
                raise ValueError(f"clock factor must be positive, got {factor}")
            if self._knots:
                if instant <= sim:
                    raise ValueError(f"clock speed changes must come in order after the start, got {instant}")
                wall += (instant - sim).total_seconds() / self._knots[-1][2]
                sim = instant
            self._knots.append((sim, wall, factor))

    def at(self, wall: float) -> datetime:
        """The simulated instant at Unix time ``wall``."""
        sim, wall_from, factor = next((k for k in reversed(self._knots) if k[1] <= wall), self._knots[0])
        return sim + timedelta(seconds=(wall - wall_from) * factor)

    def now(self) -> datetime:
        return self.at(time.time())

    def wall_time(self, instant: datetime) -> float:
        """The Unix time at which the simulated clock shows ``instant``."""
        instant = _as_utc(instant)
        sim, wall, factor = next((k for k in reversed(self._knots) if k[0] <= instant), self._knots[0])
        return wall + (instant - sim).total_seconds() / factor

    @property
    def spec(self) -> str:
        """The spec :func:`parse_clock` reads back into this very clock (for other processes)."""
        changes = "".join(f",{instant.isoformat()}:{factor:g}" for instant, factor in self.changes)
        return f"fast:{self.start.isoformat()}:{self.factor:g}@{self.wall_start:.3f}{changes}"


def parse_clock(spec: str) -> Clock:
    """Build a clock from a spec (command line option or ``HIPPIQUE_CLOCK``).

    ``real``: the system clock. ``at:2026-03-23T13:30+01:00``: frozen at that instant.
    ``fast:2026-03-23T09:00+01:00:60``: starts at that instant now, 60 times faster than the wall;
    ``fast:...:60@1774252800.0`` pins the wall time (Unix seconds) of the start, so that several
    processes share one simulated clock; each ``,<ISO instant>:<factor>`` that follows changes the
    speed from that simulated instant on.
    """
    kind, _, rest = spec.partition(":")
    if kind == "real" and not rest:
        return SystemClock()
    if kind == "at" and rest:
        return FixedClock(datetime.fromisoformat(rest))
    if kind == "fast" and rest:
        first, *later = rest.split(",")
        rest, at_sign, wall = first.partition("@")
        instant, _, factor = rest.rpartition(":")
        try:
            changes = tuple(
                (datetime.fromisoformat(when), float(speed))
                for when, _, speed in (change.rpartition(":") for change in later)
            )
            if at_sign:
                return AcceleratedClock(datetime.fromisoformat(instant), float(factor), float(wall), changes)
            return AcceleratedClock(datetime.fromisoformat(instant), float(factor), changes=changes)
        except ValueError as exc:
            raise ValueError(f"bad fast clock {spec!r}: {exc}") from None
    raise ValueError(
        f"unknown clock {spec!r}: use real, at:<ISO instant> or "
        "fast:<ISO instant>:<factor>[@<unix time>][,<ISO instant>:<factor>...]"
    )
