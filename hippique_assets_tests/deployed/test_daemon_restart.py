"""The daemon goes down in the middle of a race day and comes back: no due run is lost.

A replayed day (4 races, accelerated clock x20 around the offs, x60 elsewhere, no minute watcher) is
played by the real code server and ``dagster-daemon`` as ``hippique day`` plays it (:class:`DayPlay`),
except that the daemon process group is SIGKILLed shortly before the last H-5 and started again a
simulated quarter of an hour later. On restart the race clock fires every phase still inside its grace
window (the first results, due during the outage) and records in ``racing.missed_runs`` those whose
window closed meanwhile (the last H-5: 4 minutes of grace). Runs requested just before the kill wait
in the queue until the restarted daemon launches them; an H-5 one that starts after the off takes
nothing and is recorded missed too (``started_late``). A run the daemon died while launching stays
STARTING until run monitoring fails it, and the failure sensor records it missed (``run_failed``).
Every other phase runs as usual, each exactly once.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from dagster import DagsterInstance, RunsFilter

from hippique_assets.cli.processes import ManagedProcess
from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.lib.race_runs import NOT_FIRED, RUN_FAILED, STARTED_LATE
from hippique_assets.pmu.schema.live_odds import ODDS_SNAPSHOTS
from hippique_assets.racing.race_clock import DEFAULT_GRACE
from hippique_assets.racing.tables import MISSED_RUNS, RACE_PLAN
from hippique_assets.settings import load_settings
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets_tests.conftest import (
    PLAYED_DAY_PRIORITY,
    RESTART_DAY_LEAD_WALL_S,
    played_day_environment,
)
from hippique_replay.day_play import DayPlay
from hippique_replay.played_runs import REQUIRED_PHASES as PHASES
from hippique_replay.played_runs import DayReport

pytestmark = pytest.mark.slow

DAY = date(2026, 3, 23)
RACES = 4
SEED = 7
FACTOR = 20.0
# Away from the offs (the lead-in, the H-30 snapshots, the wait for results and the ledger) the
# simulated time passes three times faster.
IDLE_FACTOR = 60.0
# The outage is judged on H-30, H-5 and H+15: no minute watcher (the race day plays them), one run
# fewer per race and a busy stretch from H-6 instead of H-11.
WATCHED = False
# The daemon dies this long (simulated) before the last H-5 is due ...
KILL_BEFORE_LAST_H5 = timedelta(seconds=90)
# ... and starts again this long (simulated) after the first result was due.
RESTART_AFTER_FIRST_RESULT = timedelta(seconds=30)
# A restarted daemon ticks its sensors within this many wall seconds (generous: it is usually ~5 s).
DAEMON_BOOT_WALL_S = 40.0


@dataclass
class Outage:
    killed_sim: datetime
    restarted_sim: datetime
    restarted_wall: float


class DayWithDaemonOutage(DayPlay):
    """:class:`DayPlay` whose daemon is killed, then restarted, at instants chosen from the plan."""

    outage: Outage | None = None

    def _phase_dues(self, report: DayReport) -> dict[tuple[str, str], datetime]:
        postgres = PostgresResource(url=os.environ["HIPPIQUE_PG_URL"])
        columns = ", ".join(f"{phase}_due_utc" for phase in PHASES)
        frame = postgres.query_frame(
            f"select race_key, {columns} from {RACE_PLAN.fullname} where race_date = %s", (self.day,)
        ).set_index("race_key")
        return {
            (key, phase): frame.at[key, f"{phase}_due_utc"].to_pydatetime()
            for key in report.races
            for phase in PHASES
        }

    def _watch(self, instance, report, clock, deadline, processes, since) -> None:
        dues = self._phase_dues(report)
        kill_at = max(d for (_, p), d in dues.items() if p == "h5") - KILL_BEFORE_LAST_H5
        restart_at = min(d for (_, p), d in dues.items() if p == "result") + RESTART_AFTER_FIRST_RESULT
        while clock.now() < kill_at:
            for process in processes:
                process.check_running()
            time.sleep(0.2)
        daemon = processes[-1]
        assert daemon.name == "dagster-daemon"
        killed = Outage(clock.now(), restart_at, 0.0)
        os.killpg(daemon.pid, signal.SIGKILL)
        daemon.popen.wait(10)
        self.echo(f"{killed.killed_sim:%H:%M:%S}Z  daemon killed")
        while clock.now() < restart_at:
            processes[0].check_running()
            time.sleep(0.2)
        restarted = ManagedProcess(
            daemon.name, daemon.args, self.logs / "daemon-restarted.log", env=daemon.env
        )
        # Started from the play's thread, it runs at the play's niceness as the first daemon did.
        processes[-1] = restarted.start()
        killed.restarted_sim, killed.restarted_wall = clock.now(), time.time()
        self.outage = killed
        self.echo(f"{killed.restarted_sim:%H:%M:%S}Z  daemon restarted")
        super()._watch(instance, report, clock, deadline, processes, since)


@pytest.fixture(scope="module")
def played(tmp_path_factory, pg_url):
    home = tmp_path_factory.mktemp("restart")
    with played_day_environment("hippique_deploy_restart", home, watched=WATCHED) as url:
        lines: list[str] = []
        play = DayWithDaemonOutage(
            DAY,
            load_settings(),
            races=RACES,
            factor=FACTOR,
            idle_factor=IDLE_FACTOR,
            seed=SEED,
            echo=lines.append,
            priority=PLAYED_DAY_PRIORITY,
            lead_wall_s=RESTART_DAY_LEAD_WALL_S,
        )
        report = play.play()
        instance = DagsterInstance.get()
        tags = {
            run.run_id: run.tags
            for run in instance.get_runs(RunsFilter(run_ids=[r.run_id for r in report.runs]))
        }
        suffix = ClockResource(spec=play.clock.spec).run_key_suffix
        postgres = PostgresResource(url=url)
        missed = postgres.query_frame(
            f"select race_key, phase, due_utc, reason from {MISSED_RUNS.fullname} where run_key like %s",
            (f"%{suffix}",),
        )
        snapshots = postgres.query_frame(
            f"select distinct race_key, phase from {ODDS_SNAPSHOTS.fullname} where race_date = %s", (DAY,)
        )
        instance.dispose()
        yield play, report, tags, missed, lines, snapshots


def _missed(missed, reason: str) -> set[tuple[str, str]]:
    # The outage is judged on the phases every race must do (the last call and the watcher aside).
    rows = missed[(missed["reason"] == reason) & missed["phase"].isin(PHASES)]
    return {(str(k), str(p)) for k, p in zip(rows["race_key"], rows["phase"], strict=True)}


def test_every_phase_ran_once_or_was_recorded_missed(played):
    play, report, _, missed, lines, _ = played
    log = "\n".join(lines)
    print(log)
    print(
        f"missed: {sorted(zip(missed['race_key'], missed['phase'], strict=True))}, wall {report.wall_s:.0f} s"
    )
    assert play.outage is not None, log
    assert not report.timed_out, log
    assert set(missed["reason"]) <= {NOT_FIRED, STARTED_LATE, RUN_FAILED}, log
    not_fired = _missed(missed, NOT_FIRED)
    failed = _missed(missed, STARTED_LATE) | _missed(missed, RUN_FAILED)
    for key in report.races:
        for phase in PHASES:
            runs = [r for r in report.by_phase(phase) if r.partition == key]
            if (key, phase) in not_fired:
                assert runs == [], f"{key} {phase} both missed and run\n{log}"
            elif (key, phase) in failed:
                assert len(runs) == 1 and not runs[0].success, f"{key} {phase}: {runs}\n{log}"
            else:
                assert len(runs) == 1 and runs[0].success, f"{key} {phase}: {runs}\n{log}"
    assert any(r.success for r in report.by_phase("ledger")), log


def test_phases_whose_window_closed_during_the_outage_are_missed_and_only_those(played):
    """Missed: every phase whose window closed while the daemon was down, unless its run, launched
    before the kill, did its work (runs execute in the code server and outlive the daemon). A phase
    due just before the kill may not have been requested yet (not_fired), may wait in the queue or
    have left it with a process that started after the off on a busy machine (started_late), or may
    have been launching when the daemon died (run_failed, once run monitoring fails it). Any other
    phase recorded missed is one whose run failed on its own, before the daemon came back."""
    play, report, _, missed, lines, _ = played
    outage = play.outage
    expected = set()
    for key in report.races:
        for phase in PHASES:
            runs = [r for r in report.runs if r.partition == key and r.phase == phase]
            due = runs[0].due if runs else _due_of(missed, key, phase)
            closes = due + DEFAULT_GRACE[phase]
            done_before_restart = any(
                r.success and r.start_wall is not None and r.start_wall < outage.restarted_wall for r in runs
            )
            if outage.killed_sim < closes < outage.restarted_sim and not done_before_restart:
                expected.add((key, phase))
    assert expected, "the outage was meant to close at least one H-5 window"
    recorded = _missed(missed, NOT_FIRED) | _missed(missed, STARTED_LATE) | _missed(missed, RUN_FAILED)
    log = "\n".join(lines)
    assert expected <= recorded, log
    # Besides the outage, a run requested in time may still start after the off on a loaded machine
    # (the clock runs x20: 15 wall seconds in the queue are 5 minutes). The platform refuses it and
    # records it: it must then be a run that failed, whose window closed before the restart.
    for key, phase in recorded - expected:
        runs = [r for r in report.runs if r.partition == key and r.phase == phase]
        assert len(runs) == 1 and not runs[0].success, f"{key} {phase} recorded missed: {runs}\n{log}"
        assert runs[0].due + DEFAULT_GRACE[phase] < outage.restarted_sim, f"{key} {phase}\n{log}"


def test_a_run_refused_as_started_late_took_no_snapshot(played):
    _, report, _, missed, lines, snapshots = played
    taken = {(str(k), str(p)) for k, p in zip(snapshots["race_key"], snapshots["phase"], strict=True)}
    started_late = _missed(missed, STARTED_LATE)
    print(f"started late: {sorted(started_late)}")
    assert not started_late & taken, "\n".join(lines)
    for run in report.runs:
        if run.phase in ("h30", "h5") and run.success:
            assert (run.partition, run.phase) in taken, f"{run}\n" + "\n".join(lines)


def test_phases_due_during_the_outage_and_still_in_their_window_fired_after_the_restart(played):
    play, report, tags, _, lines, _ = played
    outage = play.outage
    resumed_by = play.clock.at(outage.restarted_wall + DAEMON_BOOT_WALL_S)
    late = [
        r
        for r in report.runs
        if r.phase in PHASES
        and outage.killed_sim < r.due < outage.restarted_sim
        and resumed_by < r.due + DEFAULT_GRACE[r.phase]
    ]
    assert late, "the outage was meant to cover at least one result's due instant\n" + "\n".join(lines)
    for run in late:
        assert run.success
        assert run.start_wall > outage.restarted_wall
        # Requested late, by the race clock of the restarted daemon.
        assert int(tags[run.run_id]["hippique/late_s"]) > 0
        assert tags[run.run_id]["dagster/sensor_name"] == "race_clock"


def _due_of(missed, key: str, phase: str) -> datetime:
    rows = missed[(missed["race_key"] == key) & (missed["phase"] == phase)]
    assert len(rows) == 1, f"{key} {phase}: neither run nor missed"
    return rows["due_utc"].iloc[0].to_pydatetime()
