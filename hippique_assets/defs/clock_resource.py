"""The clock as a resource, so a replayed day can run the race clock and its runs at simulated instants."""

from datetime import datetime

from dagster import ConfigurableResource

from hippique_assets.racing.clock import AcceleratedClock, parse_clock


class ClockResource(ConfigurableResource):
    """``real`` in production; ``at:<ISO instant>`` or ``fast:...`` when a replayed day is played
    (``HIPPIQUE_CLOCK``, see :func:`hippique_assets.racing.clock.parse_clock`)."""

    spec: str = "real"

    def now(self) -> datetime:
        return parse_clock(self.spec).now()

    @property
    def run_key_suffix(self) -> str:
        """Appended to the sensors' run keys: empty on the real clock; on an accelerated clock a tag of
        that play, so that playing a day again on the same instance fires its runs again."""
        clock = parse_clock(self.spec)
        return f":sim{int(clock.wall_start)}" if isinstance(clock, AcceleratedClock) else ""
