"""Play a whole racing day in this process with a simulated clock, driving the real race clock.

The player builds the morning plan, then repeatedly jumps the clock to the next instant something
is due (a race phase or a plan refresh), evaluates the ``race_clock`` sensor exactly as the daemon
would, and materializes each run it requests. Run keys are deduplicated here as the daemon does.
Against the replay server sharing the same clock, a day of 60 races plays in a few minutes.
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dagster import (
    AssetsDefinition,
    AssetSelection,
    DagsterEventType,
    DagsterInstance,
    SensorResult,
    build_sensor_context,
    materialize,
)

from hippique_assets.defs.automation import DUE_TAG, PHASE_TAG, build_race_clock_sensor
from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.jobs import LEDGER_SELECTION, PHASE_SELECTIONS, PLAN_SELECTION, REFRESH_SELECTION
from hippique_assets.defs.runner import QUIET_RUN_CONFIG
from hippique_assets.racing.clock import FixedClock
from hippique_assets.racing.plan import PARIS
from hippique_assets.racing.race_clock import PlannedRace, evaluate
from hippique_assets.racing.tables import RACE_PLAN
from hippique_assets.settings import Settings
from hippique_assets.storage.postgres import PostgresResource

# Early enough for the first foreign reunions (from about 07:00 Paris): a plan built at the
# production default of 09:00 would find their H-30 and H-5 already past.
PLAN_AT_LOCAL = (6, 0)


@dataclass
class RunOutcome:
    """One materialization launched by the player (a race phase, a plan build or refresh)."""

    label: str
    partition: str
    phase: str
    due: datetime | None
    ran_at: datetime
    success: bool
    seconds: float
    error: str | None = None


@dataclass
class DayReport:
    day: date
    races: int = 0
    cancelled: int = 0
    runs: list[RunOutcome] = field(default_factory=list)
    ticks: int = 0
    wall_s: float = 0.0

    def phase_runs(self, phase: str) -> list[RunOutcome]:
        return [r for r in self.runs if r.phase == phase]

    @property
    def failures(self) -> list[RunOutcome]:
        return [r for r in self.runs if not r.success]


def _first_error(result: Any) -> str | None:
    for event in result.all_events:
        if event.event_type == DagsterEventType.STEP_FAILURE:
            failure = event.step_failure_data
            return f"{event.step_key}: {failure.error.message.strip() if failure.error else 'failed'}"
    return None if result.success else "run failed"


class DayPlayer:
    """Plays ``day`` from the morning plan to the last result, on a :class:`FixedClock` it moves."""

    def __init__(
        self,
        day: date,
        settings: Settings,
        assets: Sequence[AssetsDefinition],
        resources: dict[str, Any],
        instance: DagsterInstance,
        clock: FixedClock,
        *,
        refresh_every: timedelta = timedelta(minutes=20),
        on_run: Callable[[RunOutcome], None] | None = None,
    ) -> None:
        self.day = day
        self.settings = settings
        self.assets = list(assets)
        self.resources = resources
        self.instance = instance
        self.clock = clock
        self.refresh_every = refresh_every
        self.on_run = on_run
        self.sensor = build_race_clock_sensor(settings)
        self.postgres: PostgresResource = resources["postgres"]

    @staticmethod
    def morning(day: date) -> datetime:
        hour, minute = PLAN_AT_LOCAL
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS).astimezone(UTC)

    def _materialize(
        self, selection: AssetSelection, partition: str, label: str, phase: str, due: datetime | None
    ) -> RunOutcome:
        now = self.clock.now()
        resources = {**self.resources, "clock": ClockResource(spec=f"at:{now.isoformat()}")}
        tags = {PHASE_TAG: phase, "hippique/player": "day"}
        if due is not None:
            tags[DUE_TAG] = due.isoformat()
        started = time.perf_counter()
        result = materialize(
            self.assets,
            selection=selection,
            partition_key=partition,
            resources=resources,
            instance=self.instance,
            raise_on_error=False,
            run_config=QUIET_RUN_CONFIG,
            tags=tags,
        )
        outcome = RunOutcome(
            label,
            partition,
            phase,
            due,
            now,
            result.success,
            time.perf_counter() - started,
            _first_error(result),
        )
        if self.on_run is not None:
            self.on_run(outcome)
        return outcome

    def _day_plan(self) -> list[PlannedRace]:
        frame = self.postgres.query_frame(
            f"select race_key, start_utc, cancelled from {RACE_PLAN.qualified_name} where race_date = %s",
            (self.day,),
        )
        return [
            PlannedRace(k, None if s is None or s != s else s.to_pydatetime(), bool(c))
            for k, s, c in zip(frame["race_key"], frame["start_utc"], frame["cancelled"], strict=True)
        ]

    def _tick(self, cursor: str | None, seen: set[str], report: DayReport) -> str | None:
        now = self.clock.now()
        context = build_sensor_context(
            instance=self.instance,
            cursor=cursor,
            resources={"postgres": self.postgres, "clock": ClockResource(spec=f"at:{now.isoformat()}")},
        )
        result = self.sensor(context)
        assert isinstance(result, SensorResult)
        report.ticks += 1
        for request in result.dynamic_partitions_requests or []:
            self.instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
        for request in result.run_requests or []:
            if request.run_key in seen:
                continue
            seen.add(request.run_key)
            phase = request.tags[PHASE_TAG]
            due = datetime.fromisoformat(request.tags[DUE_TAG])
            report.runs.append(
                self._materialize(PHASE_SELECTIONS[phase], request.partition_key, request.run_key, phase, due)
            )
        return result.cursor

    def play(self) -> DayReport:
        """Play the day; every run's outcome is in the report (a failed run does not stop the day)."""
        began = time.perf_counter()
        report = DayReport(self.day)
        partition = self.day.isoformat()
        self.clock.instant = self.morning(self.day)
        report.runs.append(self._materialize(PLAN_SELECTION, partition, f"plan:{partition}", "plan", None))
        last_refresh = self.clock.now()
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            cursor = self._tick(cursor, seen, report)
            plan = self._day_plan()
            next_due = evaluate(plan, self.clock.now(), previous_tick=self.clock.now()).next_due
            if next_due is None:
                break
            next_refresh = last_refresh + self.refresh_every
            if next_refresh < next_due:
                self.clock.instant = next_refresh
                label = f"refresh:{partition}:{next_refresh:%H%M}"
                report.runs.append(self._materialize(REFRESH_SELECTION, partition, label, "refresh", None))
                last_refresh = next_refresh
            else:
                self.clock.instant = next_due
        label = f"ledger:{partition}"
        report.runs.append(self._materialize(LEDGER_SELECTION, partition, label, "ledger", None))
        plan = self._day_plan()
        report.races = len(plan)
        report.cancelled = sum(r.cancelled for r in plan)
        report.wall_s = time.perf_counter() - began
        return report
