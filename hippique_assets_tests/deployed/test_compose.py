"""deploy/compose.yaml brought up for real by Debian's podman-compose, then taken down.

``podman-compose -f deploy/compose.yaml -f deploy/compose.test.yaml up -d --no-build`` with the image
of the session's ``image`` fixture (built once, see image.py). The override swaps what cannot run here
for the machine's own: Postgres is the machine's server on loopback (fresh databases for this test),
the GCS emulator runs on loopback, every service uses the host's network. Checked: migrate exits 0
and both schemas exist, each container holds only its role's secrets, the code server, both
webservers and the daemon pass their HEALTHCHECK, the location loads through both webservers'
GraphQL; then ``podman-compose down`` leaves no container or volume of the project and nothing
listening on its ports.

Debian's podman-compose 1.0.3 needs ``podman_host_network.py`` for host networking and ignores the
``depends_on`` conditions (it starts every service at once): the test brings migrate up and waits for
it before the rest, as Compose does from those conditions. Started together, the daemon's Dagster
storage created its tables while migrate was creating them, and migrate failed. Skipped, with the
reason, where podman-compose is missing or the image cannot be built or run here.
"""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from hippique_assets.cli.processes import free_port, wait_for_port
from hippique_assets.storage.postgres import query_frame
from hippique_assets_tests.conftest import database
from hippique_assets_tests.deployed.graphql import DagsterUi
from hippique_assets_tests.deployed.image import (
    PODMAN_FLAGS,
    BuiltImage,
    healthy,
    podman,
    podman_env,
    with_password,
)
from hippique_assets_tests.deployed.stack import BUCKET, COMPUTE_LOGS_PREFIX, REPO, base_env, gcs_emulator

pytestmark = pytest.mark.slow

COMPOSE = REPO / "deploy" / "compose.yaml"
OVERRIDE = REPO / "deploy" / "compose.test.yaml"
PODMAN = Path(__file__).with_name("podman_host_network.py")
ROLES = ("code-server", "webserver", "webserver-read-only", "daemon")


@dataclass
class Stack:
    project: str
    env: dict[str, str]
    dagster_url: str
    tables_url: str
    up_s: float

    def name(self, service: str) -> str:
        return f"{self.project}_{service}_1"

    def compose(self, *args: str, timeout_s: float = 300) -> subprocess.CompletedProcess[str]:
        return podman_compose(self.project, self.env, *args, timeout_s=timeout_s)

    def containers(self) -> list[str]:
        listed = podman(
            "ps",
            "-a",
            "--filter",
            f"label=io.podman.compose.project={self.project}",
            "--format",
            "{{.Names}}",
        )
        return listed.stdout.split()

    def volumes(self) -> list[str]:
        listed = podman(
            "volume",
            "ls",
            "--filter",
            f"label=io.podman.compose.project={self.project}",
            "--format",
            "{{.Name}}",
        )
        return listed.stdout.split()

    def logs(self) -> str:
        parts = []
        for service in ("migrate", *ROLES):
            out = podman("logs", "--tail", "15", self.name(service), check=False)
            parts.append(f"--- {service} ---\n{out.stdout}{out.stderr}")
        return "\n".join(parts)


def podman_compose(
    project: str, env: dict[str, str], *args: str, timeout_s: float
) -> subprocess.CompletedProcess[str]:
    """Debian's podman-compose on compose.yaml and the test override, with the machine's podman flags."""
    return subprocess.run(
        [
            "podman-compose",
            "-p",
            project,
            "-f",
            str(COMPOSE),
            "-f",
            str(OVERRIDE),
            "--podman-path",
            str(PODMAN),
            "--podman-args",
            " ".join(PODMAN_FLAGS),
            "--podman-run-args",
            "--ulimit host",
            *args,
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if shutil.which("podman-compose") is None:
        pytest.skip("podman-compose is not installed (apt-get install -y podman-compose)")
    if (REPO / "deploy" / ".env").exists():
        # podman-compose 1.0.3 lets the compose file's .env override the test's own variables.
        pytest.skip("deploy/.env exists: podman-compose would read it over the test's variables")
    # Only now: no image is built for a test that skips.
    image: BuiltImage = request.getfixturevalue("image")
    root = tmp_path_factory.mktemp("compose")
    project = f"hippique-compose-{uuid.uuid4().hex[:8]}"
    with ExitStack() as stack:
        dagster_url = stack.enter_context(database("hippique_compose_dagster", migrated=False))
        tables_url = stack.enter_context(database("hippique_compose_tables", migrated=False))
        emulator_port = free_port()
        emulator = gcs_emulator(emulator_port, root / "gcs-emulator.log").start()
        stack.callback(emulator.stop)
        wait_for_port(emulator, emulator_port, timeout_s=60)
        dagster = with_password(dagster_url, f"dagster-{secrets.token_hex(12)}")
        pg = make_url(dagster)
        env = {
            **base_env(),
            **{k: v for k, v in podman_env().items() if k == "CONTAINERS_CONF"},
            "HIPPIQUE_IMAGE": image.tag,
            "POSTGRES_PASSWORD": f"superuser-{secrets.token_hex(12)}",
            "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": str(pg.port or 5432),
            "DAGSTER_PG_USER": pg.username or "postgres",
            "DAGSTER_PG_PASSWORD": str(pg.password),
            "DAGSTER_PG_DB": str(pg.database),
            "DAGSTER_COMPUTE_LOGS_BUCKET": BUCKET,
            "DAGSTER_COMPUTE_LOGS_PREFIX": COMPUTE_LOGS_PREFIX,
            "STORAGE_EMULATOR_HOST": f"http://127.0.0.1:{emulator_port}",
            "GOOGLE_CLOUD_PROJECT": "test",
            "HIPPIQUE_PG_URL": with_password(tables_url, f"tables-{secrets.token_hex(12)}"),
            "HIPPIQUE_GCS_BUCKET": BUCKET,
            "HIPPIQUE_AUTOMATION": "off",
            "DAGSTER_CODE_SERVER_HOST": "127.0.0.1",
            "DAGSTER_CODE_SERVER_PORT": str(free_port()),
            "DAGSTER_WEBSERVER_PORT": str(free_port()),
            "HIPPIQUE_TEST_READ_ONLY_PORT": str(free_port()),
        }
        deployed = Stack(project, env, dagster_url, tables_url, 0.0)

        def remove_everything() -> None:
            label = f"label=io.podman.compose.project={project}"
            podman("rm", "-f", "-t", "0", "--filter", label, check=False)
            podman("volume", "rm", "-f", *deployed.volumes(), check=False)
            # podman-compose 1.0.3 creates the project's network even for host-network services and
            # never removes it.
            podman("network", "rm", "-f", f"{project}_default", check=False)

        stack.callback(remove_everything)
        started = time.monotonic()
        # migrate first and alone (the roles' depends_on), then the whole stack: podman-compose
        # starts the exited migrate once more, which finds both schemas at their head.
        for services in (["migrate"], []):
            up = deployed.compose("up", "-d", "--no-build", *services)
            assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
            waited = podman("wait", deployed.name("migrate"), timeout_s=300)
            assert waited.stdout.strip() == "0", deployed.logs()
        # A variable compose could not read stays as its literal text: say which, at once.
        unread = {
            service: sorted(k for k, v in container_env(deployed.name(service)).items() if "${" in v)
            for service in ("migrate", *ROLES)
        }
        assert not any(unread.values()), f"variables left uninterpolated: {unread}"
        # The roles' checks side by side: they are independent, and each is mostly the start of a
        # Python program in its container.
        with ThreadPoolExecutor(len(ROLES)) as pool:
            checks = {role: pool.submit(healthy, deployed.name(role), 240) for role in ROLES}
        for role, check in checks.items():
            checked = check.result()
            assert checked.returncode == 0, f"{role}: {checked.stdout}{checked.stderr}\n{deployed.logs()}"
        deployed.up_s = time.monotonic() - started
        yield deployed


def container_env(name: str) -> dict[str, str]:
    [inspected] = json.loads(podman("container", "inspect", name).stdout)
    return dict(item.split("=", 1) for item in inspected["Config"]["Env"])


def test_compose_brings_the_stack_up_healthy_and_down_leaves_nothing(stack: Stack) -> None:
    print(f"podman-compose up: migrate done and every role healthy in {stack.up_s:.0f} s")
    # migrate ran both migrations.
    tables = query_frame(
        stack.tables_url, "select count(*) as n from information_schema.schemata where schema_name = 'pmu'"
    )
    assert int(tables["n"].iloc[0]) == 1
    runs = query_frame(
        stack.dagster_url, "select count(*) as n from information_schema.tables where table_name = 'runs'"
    )
    assert int(runs["n"].iloc[0]) == 1
    # Each service holds only its role's secrets, as compose.yaml hands them out.
    superuser = stack.env["POSTGRES_PASSWORD"]
    tables_url = stack.env["HIPPIQUE_PG_URL"]
    for service in ("migrate", *ROLES):
        values = container_env(stack.name(service)).values()
        assert superuser not in values, service
        assert (tables_url in values) == (service in ("migrate", "code-server")), service
        assert stack.env["DAGSTER_PG_PASSWORD"] in values, service
    # The location loads through both webservers' GraphQL.
    for port in (stack.env["DAGSTER_WEBSERVER_PORT"], stack.env["HIPPIQUE_TEST_READ_ONLY_PORT"]):
        ui = DagsterUi(int(port))
        deadline = time.monotonic() + 90
        while (status := ui.location_status()) != ("LOADED", "RepositoryLocation"):
            assert time.monotonic() < deadline, f"{status}\n{stack.logs()}"
            time.sleep(0.5)
    restarts = {
        s: podman("inspect", "--format", "{{.RestartCount}}", stack.name(s)).stdout.strip() for s in ROLES
    }
    print(f"restarts before migrate had finished (depends_on conditions ignored): {restarts}")

    started = time.monotonic()
    down = stack.compose("down", "-v", "-t", "60")
    assert down.returncode == 0, down.stdout[-3000:] + down.stderr[-3000:]
    print(f"podman-compose down: {time.monotonic() - started:.1f} s")
    assert stack.containers() == []
    assert stack.volumes() == []
    for port in (
        stack.env["DAGSTER_CODE_SERVER_PORT"],
        stack.env["DAGSTER_WEBSERVER_PORT"],
        stack.env["HIPPIQUE_TEST_READ_ONLY_PORT"],
    ):
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", int(port)), timeout=1).close()
