"""The production image, built from the repository's Dockerfile with podman and run as containers.

The image comes from the session's ``image`` fixture (hippique_assets_tests/deployed/image.py: the
stand-in base made by ``deploy/image/make-base.sh``, then ``podman build``, once per session). With
host networking against the machine's Postgres (fresh databases), the GCS emulator and a replayed PMU
API on loopback: ``hippique serve migrate``, the code server, the operators' webserver, a read-only
webserver and the daemon each run as a container, each with only the variables its role reads (as
deploy/compose.yaml gives them). Checked: each container's HEALTHCHECK passes, a one-day backfill
launched through the webserver's GraphQL succeeds, the daemon's race clock launches the H-30 run of
a race made due now and it succeeds, the read-only webserver refuses a launch, the test passwords are
nowhere in the image, and SIGINT stops every container in its grace period. The backfill is launched
before the daemon starts, which takes it at once; its run goes on while the first tests check the
image and the containers.

Skipped, with the reason, where the image cannot be built or run here (see image.py).
"""

from __future__ import annotations

import secrets
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from hippique_assets.cli.processes import free_port, wait_for_port
from hippique_assets.lib.race_runs import DUE_TAG, PHASE_TAG
from hippique_assets.racing.tables import RACE_PLAN
from hippique_assets.storage.postgres import PostgresResource, query_frame
from hippique_assets_tests.conftest import database
from hippique_assets_tests.deployed.graphql import LOCATION, REPOSITORY, TERMINAL, DagsterUi
from hippique_assets_tests.deployed.image import BuiltImage, healthy, podman, podman_env, with_password
from hippique_assets_tests.deployed.stack import BUCKET, COMPUTE_LOGS_PREFIX, gcs_emulator
from hippique_replay.server import ReplayServer
from hippique_replay.sources import GeneratedSource

pytestmark = pytest.mark.slow

DAY = "2026-03-23"
# A race of DAY (ingested by the backfill) that the race clock is made to find due now.
RACE = f"{DAY}-R1C1"
UID = "10001"
# The image's own paths (Dockerfile).
DAGSTER_HOME = "/opt/dagster/home"
WORKSPACE = "/opt/dagster/app/workspace.yaml"


def role_envs(
    *, dagster_url: str, tables_url: str, emulator_url: str, pmu_url: str, ports: Mapping[str, int]
) -> dict[str, dict[str, str]]:
    """Each role's variables, as deploy/compose.yaml splits them: the tables' URL only for the code
    server and migrate, the code server's address only for the webserver and the daemon."""
    pg = make_url(dagster_url)
    instance = {
        "DAGSTER_PG_HOST": pg.host or "127.0.0.1",
        "DAGSTER_PG_PORT": str(pg.port or 5432),
        "DAGSTER_PG_USER": pg.username or "postgres",
        "DAGSTER_PG_PASSWORD": str(pg.password),
        "DAGSTER_PG_DB": str(pg.database),
        "DAGSTER_COMPUTE_LOGS_BUCKET": BUCKET,
        "DAGSTER_COMPUTE_LOGS_PREFIX": COMPUTE_LOGS_PREFIX,
        "STORAGE_EMULATOR_HOST": emulator_url,
        "GOOGLE_CLOUD_PROJECT": "test",
    }
    code = {
        "HIPPIQUE_PG_URL": tables_url,
        "HIPPIQUE_GCS_BUCKET": BUCKET,
        "HIPPIQUE_GCS_PREFIX": "hippique",
        "HIPPIQUE_PMU_BASE_URL": pmu_url,
        "HIPPIQUE_RATE_LIMIT": "0",
        # The sensors run (the race clock, ticking every 5 s), the wall-clock schedules do not.
        "HIPPIQUE_AUTOMATION": "sensors",
        "HIPPIQUE_RACE_CLOCK_INTERVAL_S": "5",
    }
    grpc = {"DAGSTER_CODE_SERVER_HOST": "127.0.0.1", "DAGSTER_CODE_SERVER_PORT": str(ports["code-server"])}
    # Host networking: every listener on the machine's loopback only.
    listen = {"HIPPIQUE_LISTEN_HOST": "127.0.0.1"}
    return {
        "migrate": {**instance, **code},
        "code-server": {**instance, **code, **listen, "DAGSTER_CODE_SERVER_PORT": str(ports["code-server"])},
        "webserver": {**instance, **grpc, **listen, "DAGSTER_WEBSERVER_PORT": str(ports["webserver"])},
        "webserver-read-only": {
            **instance,
            **grpc,
            **listen,
            "DAGSTER_WEBSERVER_PORT": str(ports["read-only"]),
        },
        "daemon": {**instance, **grpc},
    }


@dataclass
class Containers:
    label: str
    image: BuiltImage
    envs: dict[str, dict[str, str]]
    passwords: list[str]
    # The tables' database, as the test reaches it (no password: the machine trusts loopback).
    tables_url: str
    names: dict[str, str] = field(default_factory=dict)
    # The one-day backfill launched through the operators' webserver before the daemon started.
    backfill_id: str = ""

    def run(self, role: str, *command: str, detach: bool = True) -> subprocess.CompletedProcess[str]:
        name = f"{self.label}-{role}"
        env_args = [arg for key, value in self.envs[role].items() for arg in ("-e", f"{key}={value}")]
        mode = ["-d", "--name", name] if detach else ["--rm"]
        done = podman(
            "run",
            *mode,
            "--label",
            f"hippique-test={self.label}",
            "--network",
            "host",
            "--ulimit",
            "host",
            *env_args,
            self.image.tag,
            *command,
            timeout_s=300,
            check=False,
        )
        if detach:
            assert done.returncode == 0, done.stderr
            self.names[role] = name
        return done

    def logs(self) -> str:
        parts = []
        for role, name in self.names.items():
            out = podman("logs", "--tail", "15", name, check=False)
            parts.append(f"--- {role} ---\n{out.stdout}{out.stderr}")
        return "\n".join(parts)

    def running(self) -> list[str]:
        out = podman("ps", "--filter", f"label=hippique-test={self.label}", "--format", "{{.Names}}")
        return out.stdout.split()

    def wait_for_port(self, role: str, port: int, timeout_s: float = 150) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                if self.names[role] not in self.running():
                    raise AssertionError(f"{role} stopped before listening:\n{self.logs()}") from None
                time.sleep(0.25)
        raise AssertionError(f"{role} not listening on {port} after {timeout_s:.0f} s:\n{self.logs()}")


@pytest.fixture(scope="module")
def containers(image: BuiltImage, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Containers]:
    root = tmp_path_factory.mktemp("image")
    label = f"hippique-test-{uuid.uuid4().hex[:8]}"
    passwords = [f"dagster-{secrets.token_hex(12)}", f"tables-{secrets.token_hex(12)}"]
    with ExitStack() as stack:
        dagster_url = stack.enter_context(database("hippique_image_dagster", migrated=False))
        tables_url = stack.enter_context(database("hippique_image_tables", migrated=False))
        replay = ReplayServer(GeneratedSource(seed=7)).start()
        stack.callback(replay.stop)
        emulator_port = free_port()
        emulator = gcs_emulator(emulator_port, root / "gcs-emulator.log").start()
        stack.callback(emulator.stop)
        wait_for_port(emulator, emulator_port, timeout_s=60)
        ports = {"code-server": free_port(), "webserver": free_port(), "read-only": free_port()}
        deployed = Containers(
            label,
            image,
            role_envs(
                dagster_url=with_password(dagster_url, passwords[0]),
                tables_url=with_password(tables_url, passwords[1]),
                emulator_url=f"http://127.0.0.1:{emulator_port}",
                pmu_url=replay.base_url,
                ports=ports,
            ),
            passwords,
            tables_url,
        )
        # Whatever happens, no container of this test outlives it.
        stack.callback(
            lambda: podman("rm", "-f", "-t", "0", "--filter", f"label=hippique-test={label}", check=False)
        )
        migrated = deployed.run("migrate", "hippique", "serve", "migrate", detach=False)
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        deployed.run("code-server", "hippique", "serve", "code-server")
        deployed.wait_for_port("code-server", ports["code-server"])
        deployed.run("webserver", "hippique", "serve", "webserver")
        deployed.run("webserver-read-only", "hippique", "serve", "webserver", "--read-only")
        deployed.wait_for_port("webserver", ports["webserver"])
        # The backfill is launched before the daemon starts: Dagster's backfill daemon looks for new
        # backfills every 30 s (not configurable), first as it starts, so it takes this one at once
        # instead of up to 30 s later. Its run goes on while the next tests check the containers.
        operators = ui(deployed)
        assert operators.location_status() == ("LOADED", "RepositoryLocation"), deployed.logs()
        deployed.backfill_id = operators.launch_backfill("ingest_day", [DAY])
        deployed.run("daemon", "hippique", "serve", "daemon")
        deployed.wait_for_port("webserver-read-only", ports["read-only"])
        yield deployed


def ui(containers: Containers, role: str = "webserver") -> DagsterUi:
    return DagsterUi(int(containers.envs[role]["DAGSTER_WEBSERVER_PORT"]))


def test_the_image_runs_as_its_user_without_the_test_tools_and_cannot_change_its_config(containers):
    checked = podman(
        "exec",
        containers.names["webserver"],
        "sh",
        "-c",
        f'id -u; python -c "import hippique_replay" 2>/dev/null && echo replay-present;'
        f" for f in {DAGSTER_HOME}/dagster.yaml {WORKSPACE}; do test -w $f && echo writable $f; done;"
        f" test -w {DAGSTER_HOME} && echo writable-home; true",
    )
    assert checked.stdout.split() == [UID], checked.stdout


def test_the_test_passwords_are_in_no_layer_of_the_image(containers):
    tag = containers.image.tag
    history = podman("history", "--no-trunc", "--format", "{{.CreatedBy}}", tag).stdout
    config = podman("image", "inspect", tag).stdout
    needles = [p.encode() for p in containers.passwords]
    for password in containers.passwords:
        assert password not in history and password not in config
    # Every layer's files, streamed: an archive of the whole image.
    saver = subprocess.Popen(
        [
            "podman",
            "--cgroup-manager",
            "cgroupfs",
            "--runtime",
            "runc",
            "save",
            "--format",
            "docker-archive",
            tag,
        ],
        env=podman_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert saver.stdout is not None
    tail = b""
    size = 0
    while chunk := saver.stdout.read(1 << 22):
        window = tail + chunk
        assert not any(needle in window for needle in needles)
        tail = window[-64:]
        size += len(chunk)
    assert saver.wait() == 0
    assert size > 50_000_000, f"the saved image is only {size} bytes"


def test_each_container_passes_its_healthcheck(containers):
    for role in ("code-server", "webserver", "webserver-read-only", "daemon"):
        # The image's own HEALTHCHECK command, as the engine runs it.
        checked = healthy(containers.names[role], 240)
        assert checked.returncode == 0, f"{role}: {checked.stdout}{checked.stderr}\n{containers.logs()}"


@pytest.fixture(scope="module")
def backfilled(containers: Containers) -> list[dict[str, Any]]:
    """The runs of the one-day backfill launched through the operators' webserver, once finished."""
    operators = ui(containers)

    def mine(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [r for r in runs if r["tags"].get("dagster/backfill") == containers.backfill_id]

    runs = operators.wait_for_runs(
        lambda runs: bool(mine(runs)) and all(r["status"] in TERMINAL for r in mine(runs)),
        timeout_s=300,
        poll_s=0.5,
    )
    return mine(runs)


def test_a_one_day_backfill_launched_through_the_webserver_succeeds(containers, backfilled):
    assert [r["status"] for r in backfilled] == ["SUCCESS"], containers.logs()
    races = query_frame(
        containers.tables_url, "select count(*) as n from pmu.races where race_date = %s", (DAY,)
    )
    assert int(races["n"].iloc[0]) > 20


def test_the_daemons_race_clock_launches_the_h30_run_of_a_race_due_now_and_it_succeeds(
    containers, backfilled
):
    """The race's start is moved to 30 minutes from now in the plan: its H-30 is due at once. The
    race clock (evaluated by the code server, ticked by the containerised daemon every 5 s) requests
    the run, the daemon's queue launches it, and the snapshot of the replayed odds is stored."""
    assert [r["status"] for r in backfilled] == ["SUCCESS"], containers.logs()
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30, seconds=-5)
    PostgresResource(url=containers.tables_url).execute(
        f"insert into {RACE_PLAN.fullname} (race_date, race_key, reunion, course, start_utc, cancelled, "
        "start_source, identity_source, planned_at) values (%s, %s, 1, 1, %s, false, 'pmu', 'pmu', now()) "
        "on conflict (race_key) do update set start_utc = excluded.start_utc, cancelled = false",
        (DAY, RACE, start),
    )
    operators = ui(containers)

    def clock_runs(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [r for r in runs if r["tags"].get("dagster/sensor_name") == "race_clock"]

    started = time.monotonic()
    runs = operators.wait_for_runs(
        lambda runs: bool(clock_runs(runs)) and all(r["status"] in TERMINAL for r in clock_runs(runs)),
        timeout_s=180,
        poll_s=0.5,
    )
    print(
        f"race clock: H-30 run requested, launched and finished {time.monotonic() - started:.0f} s after the plan"
    )
    [run] = clock_runs(runs)
    assert run["jobName"] == "race_h30" and run["tags"]["dagster/partition"] == RACE, run
    assert run["tags"][PHASE_TAG] == "h30"
    assert datetime.fromisoformat(run["tags"][DUE_TAG]) == start - timedelta(minutes=30)
    assert run["status"] == "SUCCESS", containers.logs()
    odds = query_frame(
        containers.tables_url,
        "select count(*) as n from pmu.odds_snapshots where race_key = %s and phase = 'h30'",
        (RACE,),
    )
    assert int(odds["n"].iloc[0]) > 0


LAUNCH = (
    "mutation($p: ExecutionParams!) { launchRun(executionParams: $p) { __typename "
    "... on LaunchRunSuccess { run { runId } } ... on UnauthorizedError { message } "
    "... on PythonError { message } } }"
)


def launch_params(job: str, partition: str) -> dict:
    return {
        "p": {
            "selector": {"repositoryLocationName": LOCATION, "repositoryName": REPOSITORY, "jobName": job},
            "runConfigData": {},
            "executionMetadata": {"tags": [{"key": "dagster/partition", "value": partition}]},
        }
    }


def test_the_read_only_webserver_refuses_a_launch_that_the_operators_one_accepts(containers):
    analysts = ui(containers, "webserver-read-only")
    assert analysts.location_status() == ("LOADED", "RepositoryLocation"), containers.logs()
    before = {r["runId"] for r in analysts.runs()}
    params = launch_params("ingest_day", "2026-03-24")
    refused = analysts.query(LAUNCH, params)["launchRun"]
    assert refused["__typename"] == "UnauthorizedError", refused
    assert {r["runId"] for r in analysts.runs()} == before
    # The same mutation on the operators' webserver creates the run; the daemon dequeues it.
    operators = ui(containers)
    accepted = operators.query(LAUNCH, params)["launchRun"]
    assert accepted["__typename"] == "LaunchRunSuccess", accepted
    run_id = accepted["run"]["runId"]
    operators.wait_for_runs(
        lambda runs: any(r["runId"] == run_id and r["status"] in TERMINAL for r in runs),
        timeout_s=180,
        poll_s=0.5,
    )
    assert operators.run(run_id)["status"] == "SUCCESS", containers.logs()
    # The analysts see it: their UI reads everything.
    assert run_id in {r["runId"] for r in analysts.runs()}


def test_sigint_stops_every_container_within_its_grace_period(containers):
    # Also checks the webserver answered until then.
    httpx.get(
        f"http://127.0.0.1:{containers.envs['webserver']['DAGSTER_WEBSERVER_PORT']}/server_info"
    ).raise_for_status()
    started = time.monotonic()
    for name in reversed(list(containers.names.values())):
        podman("kill", "--signal", "SIGINT", name)
    codes = {}
    for role, name in containers.names.items():
        waited = podman("wait", name, timeout_s=90)
        codes[role] = int(waited.stdout.strip())
    assert containers.running() == [], containers.logs()
    # 137 would be a SIGKILL; none is sent here, and none of the programs ignored SIGINT.
    assert all(code != 137 for code in codes.values()), codes
    print(f"stopped in {time.monotonic() - started:.1f} s, exit codes {codes}")
