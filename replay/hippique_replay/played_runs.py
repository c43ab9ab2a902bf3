"""The runs of a played day as the instance recorded them, and the report of the day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from dagster import DagsterRunStatus
from dagster._core.storage.dagster_run import RunRecord

from hippique_assets.lib.race_runs import DUE_TAG, RACE_TAG
from hippique_assets.racing.clock import AcceleratedClock
from hippique_assets.racing.ops_figures import percentile
from hippique_assets.racing.race_clock import PHASES

TERMINAL = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}
IN_FLIGHT = [
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
    DagsterRunStatus.CANCELING,
]
RACE_JOBS = {
    "race_h30": "h30",
    "race_watch": "watch",
    "race_h5": "h5",
    "race_last_call": "last_call",
    "race_result": "result",
}
# Phases every race must have done once, successfully, for the day to be complete. The last call,
# a minute or two before the off on an accelerated clock, may be refused (recorded missed), and the
# watcher may be restarted: the tests and the benchmark report them on their own.
REQUIRED_PHASES = ("h30", "h5", "result")


@dataclass
class PlayedRun:
    """A finished run of the played day, as the instance recorded it."""

    run_id: str
    phase: str
    partition: str
    success: bool
    due: datetime | None
    start_wall: float | None
    end_wall: float | None

    def due_to_end_s(self, clock: AcceleratedClock) -> float | None:
        """Wall seconds from the instant the phase was due to the end of its run."""
        if self.due is None or self.end_wall is None:
            return None
        return self.end_wall - clock.wall_time(self.due)


@dataclass
class DayReport:
    day: date
    races: list[str] = field(default_factory=list)
    runs: list[PlayedRun] = field(default_factory=list)
    missed: int = 0
    wall_s: float = 0.0
    timed_out: bool = False
    # CPU seconds (user + system) of each process started for the play, its own threads only (the
    # daemon's sensor, queue and monitoring loops; run workers are other processes).
    cpu_s: dict[str, float] = field(default_factory=dict)

    def by_phase(self, phase: str) -> list[PlayedRun]:
        return [r for r in self.runs if r.phase == phase]

    @property
    def failed(self) -> list[PlayedRun]:
        return [r for r in self.runs if not r.success]

    def summary_line(self) -> str:
        counts = " ".join(f"{phase}={len(self.by_phase(phase))}" for phase in (*PHASES, "ledger"))
        return f"runs: {counts} missed={self.missed} failed={len(self.failed)}"

    def problems(self) -> list[str]:
        """Why the day is not complete: each planned race needs exactly one successful run per
        phase, and the ledger must have been built."""
        found = []
        for phase in REQUIRED_PHASES:
            runs = self.by_phase(phase)
            per_race = {key: [r for r in runs if r.partition == key] for key in self.races}
            for key, mine in per_race.items():
                if len(mine) != 1:
                    found.append(f"{key} {phase}: {len(mine)} runs")
                elif not mine[0].success:
                    found.append(f"{key} {phase}: run {mine[0].run_id} failed")
        if not any(r.success for r in self.by_phase("ledger")):
            found.append(f"ledger of {self.day}: not built")
        if self.timed_out:
            found.append("the day did not finish in time")
        return found


def latency_summary(values: list[float]) -> str:
    """p50, p95 and max of wall latencies, with the ops report's percentile (interpolated)."""
    if not values:
        return "none"
    p50, p95 = percentile(values, 50), percentile(values, 95)
    return f"p50 {p50:.1f} s, p95 {p95:.1f} s, max {max(values):.1f} s (n={len(values)})"


def played_run(record: RunRecord) -> PlayedRun | None:
    """The run of a record if it is a race phase or the ledger of a played day, else None."""
    run = record.dagster_run
    if run.job_name in RACE_JOBS:
        phase = RACE_JOBS[run.job_name]
        partition = run.tags.get(RACE_TAG) or run.tags.get("dagster/partition", "?")
    elif run.job_name == "ledger_day":
        phase, partition = "ledger", run.tags.get("dagster/partition", "?")
    else:
        return None
    due = run.tags.get(DUE_TAG)
    return PlayedRun(
        run.run_id,
        phase,
        partition,
        run.status == DagsterRunStatus.SUCCESS,
        datetime.fromisoformat(due) if due else None,
        record.start_time,
        record.end_time,
    )
