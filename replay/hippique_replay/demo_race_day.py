"""The demo's race day: the morning plan and each race's H-30, H-5 and H+15 runs, stepped in process.

The race clock and the daemon play a day in real time (``hippique day``); the demo only needs every
group of the UI to have something to show, in seconds. So it moves one clock by hand: the replay
server answers as the day looks at each due instant, and each run reads the same instant. The runs
carry the race clock's tags, so they are checked as the sensor's runs are.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from dagster import DagsterInstance

from hippique_assets.defs.race_day.automation import run_request
from hippique_assets.defs.race_live.jobs import PHASE_JOBS
from hippique_assets.lib.runner import PartitionOutcome, run_job_partitions
from hippique_assets.racing.clock import FixedClock
from hippique_assets.racing.race_clock import PhaseRun
from hippique_assets.racing.tables import RACE_PLAN
from hippique_assets.settings import Settings
from hippique_assets.storage.postgres import PostgresResource

# The morning plan is built at 06:00 UTC (07:00 or 08:00 in Paris), before the first generated race.
PLAN_AT = time(6, 0)
# Each snapshot is taken a few seconds after its due instant, as the sensor's runs are.
AFTER_DUE = timedelta(seconds=20)


@dataclass
class DemoDay:
    """What the demo's race day did: the plan's outcome and each race run's."""

    plan: PartitionOutcome | None = None
    races: list[str] = field(default_factory=list)
    runs: list[tuple[str, str, PartitionOutcome]] = field(default_factory=list)

    @property
    def failed(self) -> list[str]:
        return [f"{race} {phase}: {o.error}" for race, phase, o in self.runs if not o.success]


def _at(settings: Settings, clock: FixedClock, instant: datetime) -> Settings:
    clock.instant = instant.astimezone(UTC)
    return dataclasses.replace(settings, clock=f"at:{clock.instant.isoformat()}")


def _plan(postgres: PostgresResource, day: date, races: int) -> list[tuple[str, datetime]]:
    frame = postgres.query_frame(
        f"select race_key, start_utc from {RACE_PLAN.fullname} where race_date = %s and not cancelled "
        "and start_utc is not null order by start_utc, race_key limit %s",
        (day, races),
    )
    return [(str(k), s.to_pydatetime()) for k, s in zip(frame["race_key"], frame["start_utc"], strict=True)]


def play_demo_day(
    day: date,
    settings: Settings,
    clock: FixedClock,
    postgres: PostgresResource,
    instance: DagsterInstance,
    *,
    races: int,
    echo: Callable[[str], None],
) -> DemoDay:
    """Plan ``day`` at :data:`PLAN_AT`, then run the first ``races`` races' phases at their due instants."""
    played = DemoDay()
    morning = _at(settings, clock, datetime.combine(day, PLAN_AT, UTC))
    [played.plan] = run_job_partitions("plan_day", [day.isoformat()], morning, instance)
    if not played.plan.success:
        echo(f"morning plan failed: {played.plan.error}")
        return played
    steps = sorted(
        (start + offset, key, phase)
        for key, start in _plan(postgres, day, races)
        for phase, offset in (
            ("h30", -timedelta(minutes=30)),
            ("h5", -timedelta(minutes=5)),
            ("result", timedelta(minutes=15)),
        )
    )
    played.races = sorted({key for _, key, _ in steps})
    for due, key, phase in steps:
        now = due + AFTER_DUE
        tags = dict(run_request(PhaseRun(key, phase, due), now).tags)
        [outcome] = run_job_partitions(
            PHASE_JOBS[phase].name, [key], _at(settings, clock, now), instance, tags=tags
        )
        played.runs.append((key, phase, outcome))
        echo(f"  {now:%H:%M}Z {phase:<6} {key}: {'ok' if outcome.success else outcome.error}")
    return played
