"""The production stack of deploy/compose.yaml started as plain processes on loopback.

No container engine runs here, so the tests start what the compose services run, through the same
entry command: ``hippique serve migrate`` (tables and Dagster's schema), then ``hippique serve
code-server``, ``webserver`` and ``daemon``, with the production ``deploy/dagster.yaml`` (Postgres
storage on the machine's server, compute logs in GCS) and ``deploy/workspace.yaml``, and the GCS
emulator as its own process in place of the bucket.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from hippique_assets.cli.processes import ManagedProcess, executable, free_port, wait_for_port

REPO = Path(__file__).resolve().parents[2]
PROD_INSTANCE_CONFIG = REPO / "deploy" / "dagster.yaml"
PROD_WORKSPACE = REPO / "deploy" / "workspace.yaml"
ENV_EXAMPLE = REPO / "deploy" / ".env.example"
BUCKET = "hippique-deploy"
COMPUTE_LOGS_PREFIX = "dagster/compute-logs"


def split_pg_url(url: str) -> dict[str, str]:
    """``DAGSTER_PG_*`` for a ``postgresql://user@host:port/db`` URL (trust auth: any password)."""
    from sqlalchemy.engine import make_url

    parts = make_url(url)
    return {
        "DAGSTER_PG_HOST": parts.host or "127.0.0.1",
        "DAGSTER_PG_PORT": str(parts.port or 5432),
        "DAGSTER_PG_USER": parts.username or "postgres",
        "DAGSTER_PG_PASSWORD": parts.password or "unused-with-trust-auth",
        "DAGSTER_PG_DB": str(parts.database),
    }


def write_instance_config(
    dagster_home: Path, overrides: Mapping[str, Mapping[str, Any]] | None = None
) -> Path:
    """``deploy/dagster.yaml`` into ``dagster_home``, with ``overrides`` merged into its top-level
    sections (the tests only shorten poll intervals)."""
    config = yaml.safe_load(PROD_INSTANCE_CONFIG.read_text())
    for section, values in (overrides or {}).items():
        config[section] = {**config.get(section, {}), **values}
    dagster_home.mkdir(parents=True, exist_ok=True)
    path = dagster_home / "dagster.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def gcs_emulator(port: int, log_path: Path) -> ManagedProcess:
    """``gcp-storage-emulator`` in memory on loopback, with the bucket created."""
    return ManagedProcess(
        "gcs emulator",
        [
            executable("gcp-storage-emulator"),
            "start",
            "-H",
            "127.0.0.1",
            "--port",
            str(port),
            "--default-bucket",
            BUCKET,
            "--in-memory",
        ],
        log_path,
    )


def production_env(
    *,
    dagster_home: Path,
    dagster_pg_url: str,
    tables_pg_url: str,
    emulator_url: str,
    pmu_base_url: str,
) -> dict[str, str]:
    """What deploy/.env gives every service, pointed at loopback (ports chosen free)."""
    env = base_env()
    env.update(split_pg_url(dagster_pg_url))
    env.update(
        DAGSTER_HOME=str(dagster_home),
        DAGSTER_COMPUTE_LOGS_BUCKET=BUCKET,
        DAGSTER_COMPUTE_LOGS_PREFIX=COMPUTE_LOGS_PREFIX,
        DAGSTER_CODE_SERVER_HOST="127.0.0.1",
        DAGSTER_CODE_SERVER_PORT=str(free_port()),
        DAGSTER_WEBSERVER_PORT=str(free_port()),
        DAGSTER_WORKSPACE=str(PROD_WORKSPACE),
        HIPPIQUE_LISTEN_HOST="127.0.0.1",
        HIPPIQUE_ENV="prod",
        HIPPIQUE_PG_URL=tables_pg_url,
        HIPPIQUE_GCS_BUCKET=BUCKET,
        HIPPIQUE_GCS_PREFIX="hippique",
        HIPPIQUE_PMU_BASE_URL=pmu_base_url,
        HIPPIQUE_RATE_LIMIT="0",
        # Wall-clock schedules and sensors off: the test launches what it checks.
        HIPPIQUE_AUTOMATION="off",
        STORAGE_EMULATOR_HOST=emulator_url,
        GOOGLE_CLOUD_PROJECT="test",
    )
    return env


def base_env() -> dict[str, str]:
    """This process's environment without any DAGSTER_ or HIPPIQUE_ setting of the machine's."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "HIPPIQUE_"))}


def hippique(args: list[str], env: Mapping[str, str], timeout_s: float = 180) -> subprocess.CompletedProcess:
    """``hippique ARGS`` as the image runs it; output captured."""
    return subprocess.run(
        [executable("hippique"), *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout_s,
        stdin=subprocess.DEVNULL,
    )


def serve(role: str, env: Mapping[str, str], logs: Path) -> ManagedProcess:
    """``hippique serve ROLE`` (which execs the Dagster program), its role file in ``logs``."""
    role_env = {**env, "HIPPIQUE_ROLE_FILE": str(logs / f"{role}.role")}
    return ManagedProcess(role, [executable("hippique"), "serve", role], logs / f"{role}.log", env=role_env)


def start_services(env: Mapping[str, str], logs: Path, processes: list[ManagedProcess]) -> None:
    """Code server, then webserver and daemon, as compose orders them; appended to ``processes``
    as they start so that the caller stops whatever did start."""
    code = serve("code-server", env, logs).start()
    processes.append(code)
    wait_for_port(code, int(env["DAGSTER_CODE_SERVER_PORT"]), timeout_s=120)
    web = serve("webserver", env, logs).start()
    processes.append(web)
    processes.append(serve("daemon", env, logs).start())
    wait_for_port(web, int(env["DAGSTER_WEBSERVER_PORT"]), timeout_s=120)
