"""The production topology of deploy/compose.yaml, run as real processes on this machine.

``hippique serve migrate`` migrates fresh databases on the machine's Postgres (one for Dagster's
storage, one for the tables), then ``hippique serve code-server``, ``webserver`` and ``daemon`` run with
``deploy/dagster.yaml`` and ``deploy/workspace.yaml``; files and compute logs go to the GCS emulator
(its own process), the PMU API is the replay server. Through the webserver's GraphQL API: the
location loads, a 3-day backfill of ``ingest_day`` succeeds, a run whose worker is SIGKILLed is
failed and retried, a run whose worker went down with its code server is failed by run monitoring,
the pool slots those dead workers held are given back, a race-day run does not wait for ingestions
holding the PMU pool and its failure is recorded missed by the daemon's failure sensor, compute logs
are in the bucket.

The configuration is the production one with two changes for the test's speed: run monitoring polls
every 5 s instead of 30 s (see ``TEST_OVERRIDES``), and the sensors tick every 5 s instead of 30 s.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hippique_assets.cli.processes import ManagedProcess, free_port, wait_for_port
from hippique_assets.deploy.roles import SERVICES
from hippique_assets.lib.race_runs import DUE_TAG, PHASE_TAG, RACE_TAG, RUN_FAILED
from hippique_assets.racing.race_clock import PhaseRun
from hippique_assets.racing.tables import MISSED_RUNS
from hippique_assets.storage.postgres import query_frame
from hippique_assets_tests.conftest import database
from hippique_assets_tests.deployed.graphql import TERMINAL, DagsterUi
from hippique_assets_tests.deployed.stack import (
    BUCKET,
    COMPUTE_LOGS_PREFIX,
    gcs_emulator,
    hippique,
    production_env,
    serve,
    start_services,
    write_instance_config,
)
from hippique_replay.faults import Burst, FaultPlan
from hippique_replay.server import ReplayServer
from hippique_replay.sources import GeneratedSource

pytestmark = pytest.mark.slow

BACKFILL_DAYS = ["2026-03-23", "2026-03-24", "2026-03-25"]
KILLED_DAY = "2026-03-26"
LOST_DAY = "2026-03-27"
# Two days whose ingestion holds both slots of the pmu_api pool while a race-day run goes on.
BUSY_DAYS = ["2026-03-28", "2026-03-29"]
# The first programme request of those four days answers after this long: their runs are busy in
# their first step long enough to be caught.
SLOW_S = 45.0
# Long enough for the run's first step to start and its worker to be killed on a loaded machine
# before run monitoring may fail it.
LOST_MAX_RUNTIME_S = 30
# A race the generated world does not have: its H-5 snapshot finds no participants and fails.
UNKNOWN_RACE = "2026-03-23-R9C9"
TEST_OVERRIDES = {"run_monitoring": {"poll_interval_seconds": 5}}
PID_EVENT = re.compile(r"Started process for run \(pid: (\d+)\)")


@dataclass
class Deployed:
    ui: DagsterUi
    env: dict[str, str]
    logs: Path
    processes: list[ManagedProcess]
    tables_url: str

    def process(self, name: str) -> ManagedProcess:
        return next(p for p in reversed(self.processes) if p.name == name)

    def restart(self, role: str) -> ManagedProcess:
        """A new ``hippique serve ROLE`` in place of the old one (stopped with the others at the end)."""
        process = serve(role, self.env, self.logs).start()
        self.processes.append(process)
        if role == "code-server":
            wait_for_port(process, int(self.env["DAGSTER_CODE_SERVER_PORT"]), timeout_s=120)
        return process

    def bucket_names(self, prefix: str) -> list[str]:
        """Names in the emulated bucket under ``prefix`` (an anonymous client of the emulator)."""
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import storage

        client = storage.Client(
            project="test",
            credentials=AnonymousCredentials(),
            client_options={"api_endpoint": self.env["STORAGE_EMULATOR_HOST"]},
        )
        return [blob.name for blob in client.list_blobs(BUCKET, prefix=prefix)]

    def diagnostics(self) -> str:
        return "\n".join(f"--- {process.name} ---\n{process.tail(15)}" for process in self.processes)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory) -> Iterator[Deployed]:
    root = tmp_path_factory.mktemp("production")
    logs = root / "logs"
    faults = FaultPlan(
        path_pattern=r"/programme/(26|27|28|29)032026$",
        bursts=(Burst("slow", start=0, count=1),),
        slow_delay_s=SLOW_S,
    )
    processes: list[ManagedProcess] = []
    with ExitStack() as stack:
        dagster_url = stack.enter_context(database("hippique_deploy_dagster", migrated=False))
        tables_url = stack.enter_context(database("hippique_deploy_tables", migrated=False))
        replay = ReplayServer(GeneratedSource(seed=7), faults=faults).start()
        stack.callback(replay.stop)
        emulator_port = free_port()
        emulator = gcs_emulator(emulator_port, logs / "gcs-emulator.log").start()
        stack.callback(emulator.stop)
        wait_for_port(emulator, emulator_port, timeout_s=60)
        dagster_home = root / "dagster_home"
        write_instance_config(dagster_home, TEST_OVERRIDES)
        env = production_env(
            dagster_home=dagster_home,
            dagster_pg_url=dagster_url,
            tables_pg_url=tables_url,
            emulator_url=f"http://127.0.0.1:{emulator_port}",
            pmu_base_url=replay.base_url,
        )
        env["HIPPIQUE_RACE_CLOCK_INTERVAL_S"] = "5"
        # The compose file's one-shot service, before anything else.
        migrated = hippique(["serve", "migrate"], env)
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        # Whatever happens from here, every process started is stopped (the newest first).
        stack.callback(lambda: [process.stop() for process in reversed(processes)])
        start_services(env, logs, processes)
        yield Deployed(
            DagsterUi(int(env["DAGSTER_WEBSERVER_PORT"])),
            env,
            logs,
            processes,
            tables_url,
        )


def worker_pid(ui: DagsterUi, run_id: str, step: str, timeout_s: float = 90) -> int:
    """The pid of the run's worker process, once the run is inside ``step``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        events = ui.run_events(run_id)
        pids = [int(m.group(1)) for e in events if (m := PID_EVENT.search(e.get("message") or ""))]
        started = any(
            e["__typename"] == "ExecutionStepStartEvent" and e.get("stepKey") == step for e in events
        )
        if pids and started:
            return pids[-1]
        time.sleep(0.5)
    raise AssertionError(f"run {run_id} did not start {step} within {timeout_s:.0f} s: {ui.run(run_id)}")


def test_migrations_ran_and_the_code_location_loads_over_grpc(deployed):
    current = hippique(["db", "current"], deployed.env)
    assert current.returncode == 0, current.stdout + current.stderr
    assert deployed.ui.location_status() == ("LOADED", "RepositoryLocation"), deployed.diagnostics()


def test_each_role_passes_its_health_check(deployed):
    for role in SERVICES:
        env = {**deployed.env, "HIPPIQUE_ROLE_FILE": str(deployed.logs / f"{role}.role")}
        deadline = time.monotonic() + 90
        while True:
            # No role named: the one `hippique serve` recorded, as the image's HEALTHCHECK runs it.
            checked = hippique(["health"], env, timeout_s=60)
            if checked.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(2)
        assert checked.returncode == 0, f"{role}: {checked.stdout}{checked.stderr}"


def test_a_three_day_backfill_ingests_every_day(deployed):
    ui = deployed.ui
    backfill_id = ui.launch_backfill("ingest_day", BACKFILL_DAYS)

    def done(runs):
        mine = [r for r in runs if r["tags"].get("dagster/backfill") == backfill_id]
        return bool(mine) and all(r["status"] in TERMINAL for r in mine)

    runs = ui.wait_for_runs(done, timeout_s=240)
    mine = [r for r in runs if r["tags"].get("dagster/backfill") == backfill_id]
    # The daily assets' backfill policy takes up to 31 days per run: the three days are one run.
    assert [r["status"] for r in mine] == ["SUCCESS"], deployed.diagnostics()
    [run] = mine
    assert (
        run["tags"]["dagster/asset_partition_range_start"],
        run["tags"]["dagster/asset_partition_range_end"],
    ) == (
        BACKFILL_DAYS[0],
        BACKFILL_DAYS[-1],
    )
    counts = query_frame(
        deployed.tables_url,
        "select race_date::text as day, count(*) as races from pmu.races group by 1 order by 1",
    )
    assert list(counts["day"]) == BACKFILL_DAYS
    assert (counts["races"] > 20).all()
    # The raw payloads went to the bucket, under HIPPIQUE_GCS_PREFIX.
    raw = deployed.bucket_names("hippique/")
    for day in BACKFILL_DAYS:
        assert any(day in name for name in raw), f"no raw file of {day} in gs://{BUCKET}/hippique/"
    # The run's captured step output is in the bucket, under DAGSTER_COMPUTE_LOGS_PREFIX.
    deadline = time.monotonic() + 60
    while not (logs := [n for n in deployed.bucket_names(COMPUTE_LOGS_PREFIX) if run["runId"] in n]):
        assert time.monotonic() < deadline, (
            f"no compute log of {run['runId']} in gs://{BUCKET}/{COMPUTE_LOGS_PREFIX}"
        )
        time.sleep(1)
    assert any(name.endswith((".out", ".err")) for name in logs), logs


def test_a_run_whose_worker_is_killed_is_failed_then_retried(deployed):
    ui = deployed.ui
    run_id = ui.launch_run("ingest_day", {"dagster/partition": KILLED_DAY})
    pid = worker_pid(ui, run_id, "raw_programme")
    # The worker is a child of the code server (same session), not of the daemon or the webserver.
    assert os.getsid(pid) == deployed.process("code-server").pid
    os.kill(pid, signal.SIGKILL)

    runs = ui.wait_for_runs(
        lambda runs: any(
            r["tags"].get("dagster/parent_run_id") == run_id and r["status"] in TERMINAL for r in runs
        ),
        timeout_s=240,
    )
    killed = next(r for r in runs if r["runId"] == run_id)
    assert killed["status"] == "FAILURE"
    messages = [e.get("message") or "" for e in ui.run_events(run_id)]
    assert any("terminated by signal 9 (SIGKILL)" in m for m in messages), messages[-5:]
    # run_retries: the daily job's ALL_STEPS retry ran the whole day again, and it succeeded.
    [retry] = [r for r in runs if r["tags"].get("dagster/parent_run_id") == run_id]
    assert retry["status"] == "SUCCESS", deployed.diagnostics()
    assert retry["tags"].get("dagster/retry_strategy") == "ALL_STEPS"
    counts = query_frame(
        deployed.tables_url, "select count(*) as races from pmu.races where race_date = %s", (KILLED_DAY,)
    )
    assert int(counts["races"].iloc[0]) > 20


def test_run_monitoring_fails_a_run_left_started_by_a_lost_code_server(deployed):
    """The worker goes down with its code server (a container restart): nobody saw it die, so the
    run stays STARTED until run monitoring fails it at its dagster/max_runtime."""
    ui = deployed.ui
    tags = {
        "dagster/partition": LOST_DAY,
        "dagster/max_runtime": str(LOST_MAX_RUNTIME_S),
        "dagster/max_retries": "0",
    }
    run_id = ui.launch_run("ingest_day", tags)
    pid = worker_pid(ui, run_id, "raw_programme")
    old = deployed.process("code-server")
    assert os.getpgid(pid) == old.pid
    os.killpg(old.pid, signal.SIGKILL)
    old.popen.wait(10)
    # Nothing that could say the worker died is left: still STARTED. (Asked before the restart: on a
    # slow machine a code server's start outlasts a short max runtime.)
    assert ui.run(run_id)["status"] == "STARTED"
    # As the compose service's restart policy does: a new code server on the same port.
    deployed.restart("code-server")

    ui.wait_for_runs(
        lambda runs: any(r["runId"] == run_id and r["status"] in TERMINAL for r in runs), timeout_s=120
    )
    assert ui.run(run_id)["status"] == "FAILURE"
    messages = [e.get("message") or "" for e in ui.run_events(run_id)]
    assert any(f"maximum runtime of {LOST_MAX_RUNTIME_S} seconds" in m for m in messages), messages[-5:]
    # The webserver follows the new code server.
    deadline = time.monotonic() + 90
    while ui.location_status() != ("LOADED", "RepositoryLocation"):
        assert time.monotonic() < deadline, deployed.diagnostics()
        time.sleep(1)


def test_the_pool_slots_of_killed_workers_are_given_back(deployed):
    """The workers killed above died inside a PMU step (pool pmu_api) and never gave their slot back.
    Run monitoring frees the slots of finished runs (free_slots_after_run_end_seconds): otherwise the
    queue would hold every run with a PMU step, race-day snapshots included, for good."""
    ui = deployed.ui
    finished = {r["runId"] for r in ui.runs() if r["status"] in TERMINAL}
    deadline = time.monotonic() + 120
    while held := [run_id for run_id in ui.pool_holders("pmu_api") if run_id in finished]:
        assert time.monotonic() < deadline, f"pmu_api slots still held by finished runs {held}"
        time.sleep(1)


def test_a_race_day_run_does_not_wait_for_ingestion_and_its_failure_is_recorded(deployed):
    """Two daily ingestions hold both slots of the pmu_api pool (their programme answers slowly);
    an H-5 run still starts at once, its PMU step taking a slot of pmu_live. Its snapshot fails (the
    race is not in the programme); H-5 runs are not retried (dagster/max_retries 0), so the daemon's
    race_run_failures sensor tags the run with the failing step and keeps the phase in
    racing.missed_runs."""
    ui = deployed.ui
    busy = [ui.launch_run("ingest_day", {"dagster/partition": day}) for day in BUSY_DAYS]
    for run_id in busy:
        worker_pid(ui, run_id, "raw_programme")
    ui.add_dynamic_partition("races", UNKNOWN_RACE)
    due = datetime.now(UTC).replace(microsecond=0)
    run_id = ui.launch_run(
        "race_h5",
        {
            "dagster/partition": UNKNOWN_RACE,
            DUE_TAG: due.isoformat(),
            PHASE_TAG: "h5",
            RACE_TAG: UNKNOWN_RACE,
        },
    )
    ui.wait_for_runs(
        lambda runs: any(r["runId"] == run_id and r["status"] in TERMINAL for r in runs), timeout_s=120
    )
    holders = ui.pool_holders("pmu_api")
    assert set(busy) <= set(holders), f"the H-5 run waited for a pmu_api slot: held by {holders} only"
    assert ui.run(run_id)["status"] == "FAILURE"
    run_key = PhaseRun(UNKNOWN_RACE, "h5", due).run_key
    sql = f"select reason from {MISSED_RUNS.fullname} where run_key = %s"
    deadline = time.monotonic() + 60
    while (missed := query_frame(deployed.tables_url, sql, (run_key,))).empty:
        assert time.monotonic() < deadline, f"{run_key} not recorded\n{deployed.diagnostics()}"
        time.sleep(1)
    assert list(missed["reason"]) == [RUN_FAILED]
    tags = ui.run(run_id)["tags"]
    assert tags["hippique/failed_step"] == "odds_snapshot_h5"
    assert f"no participants for {UNKNOWN_RACE}" in tags["hippique/failure"]
