"""Play a replayed racing day on the real Dagster daemon, on an accelerated clock.

``hippique day`` serves a generated day from a loopback replay server, builds the morning plan in
this process, then starts a gRPC code server and ``dagster-daemon`` against the local instance and
lets them work: the ``race_clock`` sensor requests every H-30, H-5 and H+15 run, the queued run
coordinator and the run launcher start them, the ``day_ledger`` sensor builds the ledger after the
last result. Every process, this one included, reads the same accelerated clock
(``HIPPIQUE_CLOCK=fast:<start>:<factor>@<wall time>``, faster between the races with an idle
factor), so the replay server answers with the odds and results of the simulated instant. This
module only starts the processes and watches the instance; it never launches a race run itself.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from dagster import DagsterInstance, RunsFilter

from hippique_assets.cli.processes import (
    ManagedProcess,
    code_server,
    daemon,
    free_port,
    wait_for_port,
    write_grpc_workspace,
)
from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.lib.runner import PartitionOutcome, ensure_dagster_home, run_job_partitions
from hippique_assets.racing.clock import AcceleratedClock
from hippique_assets.racing.race_clock import SNAPSHOT_PHASES, PhaseRun
from hippique_assets.racing.tables import MISSED_RUNS, RACE_PLAN
from hippique_assets.settings import Settings
from hippique_assets.storage.embedded import pgdata_dir, stop_embedded_pg
from hippique_assets.storage.postgres import PostgresResource
from hippique_replay.day_clock import day_clock
from hippique_replay.faults import FaultPlan
from hippique_replay.played_runs import (
    IN_FLIGHT,
    TERMINAL,
    DayReport,
    PlayedRun,
    latency_summary,
    played_run,
)
from hippique_replay.server import ReplayServer
from hippique_replay.sources import GeneratedSource
from hippique_replay.subset import RaceSubsetSource, closest_races

# Wall seconds the plan build and the start of the code server and the daemon may take: the
# simulated day starts this long (times the clock's first factor) before the first H-30.
STARTUP_WALL_S = 45.0
# Wall seconds allowed after the simulated end of the day (last start + the ledger's wait).
SLACK_WALL_S = 120.0


def played_source(day: date, seed: int, races: int | None) -> GeneratedSource | RaceSubsetSource:
    """The generated world of ``seed``, cut to the ``races`` races of ``day`` closest together."""
    source = GeneratedSource(seed=seed)
    if races is None:
        return source
    return RaceSubsetSource(source, day, closest_races(_programme(source, day, seed), races))


def start_times(source: GeneratedSource | RaceSubsetSource, day: date, seed: int) -> list[datetime]:
    """The starts of ``day``'s races as ``source`` (the world of ``seed``) programmes them, in order."""
    return sorted(
        datetime.fromtimestamp(course["heureDepart"] / 1000, UTC)
        for reunion in _programme(source, day, seed)["programme"]["reunions"]
        for course in reunion["courses"]
    )


def _programme(source: GeneratedSource | RaceSubsetSource, day: date, seed: int) -> dict:
    answer = source.respond(f"/programme/{day:%d%m%Y}", None)
    if answer.status != 200:
        raise ValueError(f"the generated world (seed {seed}) has no racing on {day}")
    return json.loads(answer.body)


def _cpu_seconds(process: ManagedProcess) -> float:
    """User and system CPU seconds of a running process (Linux /proc), 0 when it cannot be read."""
    if process.popen is None:
        return 0.0
    try:
        fields = Path(f"/proc/{process.popen.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return 0.0


class DayPlay:
    """One play of ``day``: set-up, the daemon's work, the report, and the tear-down."""

    def __init__(
        self,
        day: date,
        settings: Settings,
        *,
        races: int | None = None,
        factor: float = 20.0,
        idle_factor: float | None = None,
        seed: int = 7,
        sensor_interval_s: int = 1,
        echo: Callable[[str], None] = print,
        faults: FaultPlan | None = None,
        refreshes: int = 0,
        priority: int = 0,
        lead_wall_s: float = STARTUP_WALL_S,
    ) -> None:
        if factor <= 0:
            raise ValueError(f"factor must be positive, got {factor}")
        if lead_wall_s < STARTUP_WALL_S:
            raise ValueError(f"the first H-30 needs a lead of at least {STARTUP_WALL_S:g} wall seconds")
        self.day = day
        self.settings = settings
        self.races = races
        self.factor = factor
        # Simulated seconds per wall second away from the offs (see day_clock); default: factor.
        self.idle_factor = idle_factor
        self.seed = seed
        self.sensor_interval_s = sensor_interval_s
        self.echo = echo
        # A hostile source: the replay server answers with these faults, and ``refreshes`` plan
        # refreshes run after the morning plan (each requests the programme again).
        self.faults = faults
        self.refreshes = refreshes
        # A negative niceness for the code server and the daemon (and so the runs they start) when the
        # user may set one: a test that checks the day's mechanics on a machine busy with other tests
        # keeps its runs inside their seconds-long windows. The benchmark leaves it at 0.
        self.priority = priority
        # Wall seconds from the play's start to the first H-30: the start-up's, or more for a play
        # that must be busy later (days played side by side keep their busy stretches apart).
        self.lead_wall_s = lead_wall_s
        self.refresh_outcomes: list[PartitionOutcome] = []
        self.dagster_home = ensure_dagster_home(settings.home)
        self.clock: AcceleratedClock | None = None
        self.postgres: PostgresResource | None = None
        self.logs = self.dagster_home / "logs" / f"day-{day.isoformat()}"

    def play(self) -> DayReport:
        with self._own_priority():
            return self._play()

    @contextmanager
    def _own_priority(self) -> Iterator[None]:
        """This thread at ``priority`` for the play (on Linux a niceness is per thread), and so what
        it starts: the replay server's threads, which answer every run's requests, the morning plan,
        the code server, the daemon and the runs they start."""
        before = os.getpriority(os.PRIO_PROCESS, 0)
        try:
            if self.priority:
                os.setpriority(os.PRIO_PROCESS, 0, self.priority)
        except PermissionError:
            self.echo(f"niceness {self.priority} not allowed here: the day plays at the default")
        try:
            yield
        finally:
            os.setpriority(os.PRIO_PROCESS, 0, before)

    def _play(self) -> DayReport:
        began = time.monotonic()
        source = played_source(self.day, self.seed, self.races)
        starts = start_times(source, self.day, self.seed)
        first_start, last_start = starts[0], starts[-1]
        clock = self.clock = day_clock(
            starts,
            self.factor,
            idle_factor=self.idle_factor,
            lead_wall_s=self.lead_wall_s,
            watched=self.settings.odds_watch,
        )
        sim_end = last_start + timedelta(minutes=self.settings.results_wait_min + 5)
        deadline = clock.wall_time(sim_end) + SLACK_WALL_S
        pg_started_here = (
            not self.settings.pg_url_set and not (pgdata_dir(self.settings.home) / "postmaster.pid").exists()
        )
        processes: list[ManagedProcess] = []
        with ReplayServer(source, clock=clock, faults=self.faults) as server:
            settings = dataclasses.replace(
                self.settings, pmu_base_url=server.base_url, rate_limit_per_s=0.0, clock=clock.spec
            )
            speed = f"x{self.factor:g}"
            if clock.factor != self.factor:
                speed += f" around the offs, x{clock.factor:g} elsewhere,"
            self.echo(
                f"{self.day}: replay server (seed {self.seed}) at {server.base_url}, clock {speed} "
                f"from {clock.start.isoformat(timespec='minutes')}"
            )
            try:
                instance = DagsterInstance.get()
                [plan] = run_job_partitions("plan_day", [self.day.isoformat()], settings, instance)
                if not plan.success:
                    raise RuntimeError(f"the morning plan failed: {plan.error}")
                postgres = self.postgres = PostgresResource(
                    url=os.environ.get("HIPPIQUE_PG_URL") or None, home=str(settings.home)
                )
                for _ in range(self.refreshes):
                    [refresh] = run_job_partitions("refresh_plan", [self.day.isoformat()], settings, instance)
                    self.refresh_outcomes.append(refresh)
                    self.echo(f"plan refresh: {'ok' if refresh.success else refresh.error}")
                report = DayReport(self.day, races=self._planned_races(postgres))
                self.echo(
                    f"plan: {len(report.races)} races, first start {first_start:%H:%M}Z, last {last_start:%H:%M}Z"
                )
                processes = self._start_dagster(settings, clock, server.base_url)
                self._watch(instance, report, clock, deadline, processes, since=time.time() - 1)
                report.missed = self._missed(postgres, clock)
            finally:
                cpu = {process.name: _cpu_seconds(process) for process in processes}
                for process in reversed(processes):
                    process.stop()
                if pg_started_here:
                    stop_embedded_pg(self.settings.home)
        report.wall_s = time.monotonic() - began
        report.cpu_s = cpu
        for phase, label in (("h5", "H-5"), ("last_call", "last call")):
            values = [
                v for r in report.by_phase(phase) if r.success and (v := r.due_to_end_s(clock)) is not None
            ]
            self.echo(f"{label} due to decision stored: {latency_summary(values)}")
        return report

    def _planned_races(self, postgres: PostgresResource) -> list[str]:
        frame = postgres.query_frame(
            f"select race_key from {RACE_PLAN.fullname} where race_date = %s and not cancelled "
            "and start_utc is not null order by start_utc, race_key",
            (self.day,),
        )
        return [str(k) for k in frame["race_key"]]

    def _missed(self, postgres: PostgresResource, clock: AcceleratedClock) -> int:
        """Phases of this play the race clock recorded as missed (their run keys end with the play's tag)."""
        if not postgres.table_exists(MISSED_RUNS.fullname):
            return 0
        suffix = ClockResource(spec=clock.spec).run_key_suffix
        frame = postgres.query_frame(
            f"select count(*) as n from {MISSED_RUNS.fullname} where run_key like %s", (f"%{suffix}",)
        )
        return int(frame["n"].iloc[0])

    def _start_dagster(
        self, settings: Settings, clock: AcceleratedClock, base_url: str
    ) -> list[ManagedProcess]:
        env = {
            **os.environ,
            "DAGSTER_HOME": str(self.dagster_home),
            "HIPPIQUE_HOME": str(Path(settings.home).resolve()),
            "HIPPIQUE_CLOCK": clock.spec,
            "HIPPIQUE_PMU_BASE_URL": base_url,
            "HIPPIQUE_RATE_LIMIT": "0",
            # The race clock and the ledger sensor run; the wall-clock schedules stay off.
            "HIPPIQUE_AUTOMATION": "sensors",
            # A simulated minute lasts 60/factor wall seconds: by default tick as often as the daemon allows.
            "HIPPIQUE_RACE_CLOCK_INTERVAL_S": str(self.sensor_interval_s),
        }
        port = free_port()
        server = code_server(port, self.logs / "code-server.log", env).start()
        processes = [server]
        try:
            wait_for_port(server, port, timeout_s=60)
            workspace = write_grpc_workspace(self.logs / "workspace.yaml", port)
            processes.append(daemon(workspace, self.logs / "daemon.log", env).start())
        except BaseException:
            server.stop()
            raise
        self.echo(f"code server on 127.0.0.1:{port} and dagster-daemon started (logs in {self.logs})")
        return processes

    def _watch(
        self,
        instance: DagsterInstance,
        report: DayReport,
        clock: AcceleratedClock,
        deadline: float,
        processes: list[ManagedProcess],
        since: float,
    ) -> None:
        seen: set[str] = set()
        created_after = datetime.fromtimestamp(since, UTC)
        while True:
            for process in processes:
                process.check_running()
            records = instance.get_run_records(
                RunsFilter(statuses=list(TERMINAL), created_after=created_after),
                order_by="create_timestamp",
                ascending=True,
            )
            for record in records:
                played = played_run(record)
                if played is None or played.run_id in seen or not self._of_this_day(played, report):
                    continue
                seen.add(played.run_id)
                report.runs.append(played)
                self._echo_run(played, clock)
            if self._day_settled(instance, report, clock, created_after):
                return
            if time.time() > deadline:
                report.timed_out = True
                return
            time.sleep(1.0)

    def _of_this_day(self, run: PlayedRun, report: DayReport) -> bool:
        if run.phase == "ledger":
            return run.partition == self.day.isoformat()
        return run.partition in report.races

    def _day_settled(
        self, instance: DagsterInstance, report: DayReport, clock: AcceleratedClock, created_after: datetime
    ) -> bool:
        """The ledger is built and every race has its result; no run of the day is still queued,
        starting or running (a run the daemon died while launching ends when run monitoring fails
        it); every failed snapshot run is recorded missed (the failure sensor does it)."""
        resulted = {r.partition for r in report.by_phase("result")}
        if not any(r.success for r in report.by_phase("ledger")) or not resulted >= set(report.races):
            return False
        in_flight = instance.get_run_records(RunsFilter(statuses=IN_FLIGHT, created_after=created_after))
        if any((run := played_run(r)) is not None and self._of_this_day(run, report) for r in in_flight):
            return False
        return not self._unrecorded_failures(report, clock)

    def _unrecorded_failures(self, report: DayReport, clock: AcceleratedClock) -> list[str]:
        """Run keys of failed H-30/H-5 runs of this play not yet in ``racing.missed_runs``."""
        assert self.postgres is not None
        suffix = ClockResource(spec=clock.spec).run_key_suffix
        failed = {
            PhaseRun(r.partition, r.phase, r.due).run_key + suffix
            for r in report.runs
            if r.phase in SNAPSHOT_PHASES and not r.success and r.due is not None
        }
        if not failed:
            return []
        frame = self.postgres.query_frame(
            f"select run_key from {MISSED_RUNS.fullname} where run_key = any(%s)", (sorted(failed),)
        )
        return sorted(failed - set(frame["run_key"]))

    def _echo_run(self, run: PlayedRun, clock: AcceleratedClock) -> None:
        status = "ok" if run.success else "FAILED"
        late = run.due_to_end_s(clock)
        at = clock.at(run.end_wall or time.time())
        detail = f"  due+{late:5.1f} s" if late is not None else ""
        self.echo(f"{at:%H:%M}Z  {run.phase:<7} {run.partition:<18} {status}{detail}")
