"""The production image, built from the repository's Dockerfile with podman and run as containers.

``deploy/image/make-base.sh`` makes (once, then from its cache) a stand-in for ``python:3.11-slim``,
since official images cannot be pulled here; ``podman build`` builds the Dockerfile on it. Then, with
host networking against the machine's Postgres (fresh databases), the GCS emulator and a replayed PMU
API on loopback: ``hippique serve migrate``, the code server, the operators' webserver, a read-only
webserver and the daemon each run as a container, each with only the variables its role reads (as
deploy/compose.yaml gives them). Checked: each container's HEALTHCHECK passes, a one-day backfill
launched through the webserver's GraphQL succeeds, the read-only webserver refuses a launch, the test
passwords are nowhere in the image, and SIGINT stops every container in its grace period.

Skipped, with the reason, where podman is missing, the user is not root, the base cannot be made or
podman cannot run a container; a build that fails for want of network is skipped too, any other
build failure fails.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy.engine import make_url

from hippique_assets.cli.processes import free_port, wait_for_port
from hippique_assets_tests.conftest import database
from hippique_assets_tests.deployed.graphql import LOCATION, REPOSITORY, TERMINAL, DagsterUi
from hippique_assets_tests.deployed.stack import BUCKET, COMPUTE_LOGS_PREFIX, REPO, gcs_emulator
from hippique_replay.server import ReplayServer
from hippique_replay.sources import GeneratedSource

pytestmark = pytest.mark.slow

MAKE_BASE = REPO / "deploy" / "image" / "make-base.sh"
CONTAINERS_CONF = REPO / "deploy" / "image" / "containers.conf"
BASE_IMAGE = os.environ.get("HIPPIQUE_BASE_IMAGE", "localhost/python:3.11-slim")
IMAGE = "localhost/hippique-assets:test"
DAY = "2026-03-23"
UID = "10001"
# The image's own paths (Dockerfile).
DAGSTER_HOME = "/opt/dagster/home"
WORKSPACE = "/opt/dagster/app/workspace.yaml"
NETWORK_FAILURE = re.compile(
    r"(temporary failure in name resolution|could not resolve|network is unreachable|connection refused"
    r"|failed to fetch|error sending request|tcp connect error|timed out)",
    re.I,
)


def podman_env() -> dict[str, str]:
    return {**os.environ, "CONTAINERS_CONF": str(CONTAINERS_CONF)}


def podman(*args: str, timeout_s: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    """``podman`` as it runs on these machines (cgroupfs, runc); a failure shows its output."""
    done = subprocess.run(
        ["podman", "--cgroup-manager", "cgroupfs", "--runtime", "runc", *args],
        env=podman_env(),
        capture_output=True,
        text=True,
        timeout=timeout_s,
        stdin=subprocess.DEVNULL,
    )
    if check and done.returncode != 0:
        raise AssertionError(
            f"podman {' '.join(args[:3])} ... exited {done.returncode}:\n{done.stderr[-3000:]}"
        )
    return done


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"


def make_base() -> None:
    """The stand-in base image, or a skip naming what is missing."""
    if shutil.which("podman") is None:
        pytest.skip("podman is not installed (apt-get install -y podman runc debootstrap)")
    if os.geteuid() != 0:
        pytest.skip("podman builds and runs the image as root here; not root")
    done = subprocess.run(
        [str(MAKE_BASE)],
        env=podman_env(),
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode == 3:
        pytest.skip(last_line(done.stderr))
    assert done.returncode == 0, done.stdout + done.stderr
    # The base's age and Debian snapshot, in the test report (-rA / -s).
    print(last_line(done.stdout))
    tried = podman("run", "--rm", "--network", "host", "--ulimit", "host", BASE_IMAGE, "true", check=False)
    if tried.returncode != 0:
        pytest.skip(f"podman cannot run a container here: {last_line(tried.stderr)}")


def build_image() -> float:
    """``podman build`` of the Dockerfile on the stand-in; its duration in seconds."""
    started = time.monotonic()
    done = podman(
        "build",
        # HEALTHCHECK and STOPSIGNAL are kept in the docker format only.
        "--format",
        "docker",
        "--network",
        "host",
        "--build-arg",
        f"BASE_IMAGE={BASE_IMAGE}",
        "-t",
        IMAGE,
        "-f",
        str(REPO / "Dockerfile"),
        str(REPO),
        timeout_s=1200,
        check=False,
    )
    if done.returncode != 0:
        output = done.stdout + done.stderr
        if NETWORK_FAILURE.search(output):
            pytest.skip(f"podman build could not reach the package registries: {last_line(output)}")
        raise AssertionError(f"podman build failed:\n{output[-4000:]}")
    return time.monotonic() - started


def with_password(url: str, password: str) -> str:
    """``url`` with ``password`` (the machine's trust authentication ignores it; the test searches
    the image for it)."""
    return make_url(url).set(password=password).render_as_string(hide_password=False)


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
        "HIPPIQUE_AUTOMATION": "off",
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
    envs: dict[str, dict[str, str]]
    passwords: list[str]
    build_s: float
    names: dict[str, str] = field(default_factory=dict)

    def run(self, role: str, *command: str, detach: bool = True) -> subprocess.CompletedProcess:
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
            IMAGE,
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
                time.sleep(0.5)
        raise AssertionError(f"{role} not listening on {port} after {timeout_s:.0f} s:\n{self.logs()}")


@pytest.fixture(scope="module")
def containers(tmp_path_factory) -> Iterator[Containers]:
    make_base()
    build_s = build_image()
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
            role_envs(
                dagster_url=with_password(dagster_url, passwords[0]),
                tables_url=with_password(tables_url, passwords[1]),
                emulator_url=f"http://127.0.0.1:{emulator_port}",
                pmu_url=replay.base_url,
                ports=ports,
            ),
            passwords,
            build_s,
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
        deployed.run("daemon", "hippique", "serve", "daemon")
        deployed.wait_for_port("webserver", ports["webserver"])
        deployed.wait_for_port("webserver-read-only", ports["read-only"])
        yield deployed


def ui(containers: Containers, role: str = "webserver") -> DagsterUi:
    return DagsterUi(int(containers.envs[role]["DAGSTER_WEBSERVER_PORT"]))


def test_the_image_runs_as_its_user_without_the_test_tools_and_cannot_change_its_config(containers):
    print(f"podman build: {containers.build_s:.0f} s")
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


def test_each_container_passes_its_healthcheck(containers):
    for role in ("code-server", "webserver", "webserver-read-only", "daemon"):
        deadline = time.monotonic() + 120
        while True:
            # The image's own HEALTHCHECK command, as the engine runs it.
            checked = podman("healthcheck", "run", containers.names[role], check=False, timeout_s=60)
            if checked.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(3)
        assert checked.returncode == 0, f"{role}: {checked.stdout}{checked.stderr}\n{containers.logs()}"


def test_a_one_day_backfill_launched_through_the_webserver_succeeds(containers):
    operators = ui(containers)
    assert operators.location_status() == ("LOADED", "RepositoryLocation"), containers.logs()
    backfill_id = operators.launch_backfill("ingest_day", [DAY])

    def done(runs):
        mine = [r for r in runs if r["tags"].get("dagster/backfill") == backfill_id]
        return bool(mine) and all(r["status"] in TERMINAL for r in mine)

    runs = operators.wait_for_runs(done, timeout_s=300, poll_s=2)
    mine = [r for r in runs if r["tags"].get("dagster/backfill") == backfill_id]
    assert [r["status"] for r in mine] == ["SUCCESS"], containers.logs()


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
        poll_s=2,
    )
    assert operators.run(run_id)["status"] == "SUCCESS", containers.logs()
    # The analysts see it: their UI reads everything.
    assert run_id in {r["runId"] for r in analysts.runs()}


def test_the_test_passwords_are_in_no_layer_of_the_image(containers):
    history = podman("history", "--no-trunc", "--format", "{{.CreatedBy}}", IMAGE).stdout
    config = podman("image", "inspect", IMAGE).stdout
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
            IMAGE,
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
