"""The clock as a resource, so a replayed day can run the per-race assets at simulated instants."""

from datetime import datetime

from dagster import ConfigurableResource

from hippique_assets.racing.clock import parse_clock


class ClockResource(ConfigurableResource):
    """``real`` in production; ``at:<ISO instant>`` when a replay driver runs a race at a simulated time."""

    spec: str = "real"

    def now(self) -> datetime:
        return parse_clock(self.spec).now()
