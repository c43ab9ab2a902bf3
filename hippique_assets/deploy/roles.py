"""The roles of the production image: which program each runs, and what each needs from the environment.

One image runs as the gRPC code server, the webserver or the daemon (plus ``migrate``, the one-shot
deploy step), chosen by ``hippique serve ROLE``. Before anything starts, :func:`check_role` makes sure
every variable the role reads is set: the ``env:`` references of the instance configuration
(``$DAGSTER_HOME/dagster.yaml``) and, for the webserver and the daemon, of the workspace file, plus
the platform's own settings for the roles that load the code. A missing one is reported in one line
naming it, instead of a stack trace from deep inside Dagster (or, worse, inside the first run).

Plain code: no Dagster import here, so the check answers at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hippique_assets.errors import first_line

CODE_SERVER = "code-server"
WEBSERVER = "webserver"
DAEMON = "daemon"
MIGRATE = "migrate"
ROLES = (CODE_SERVER, WEBSERVER, DAEMON, MIGRATE)
# The long-running roles, each with its health check.
SERVICES = (CODE_SERVER, WEBSERVER, DAEMON)

LOCATION_NAME = "hippique_assets"
DEFINITIONS_MODULE = "hippique_assets.definitions"

DEFAULT_LISTEN_HOST = "0.0.0.0"
DEFAULT_CODE_SERVER_PORT = 4000
DEFAULT_WEBSERVER_PORT = 3000
DEFAULT_WORKSPACE = "workspace.yaml"

# Set in the environment of every Dagster program the product starts. The webserver and the daemon
# otherwise run Dagster's telemetry upload, which ``telemetry: enabled: false`` in dagster.yaml does
# not stop: it moves $DAGSTER_HOME/logs aside (the logs kept there with it) and posts the files.
DAGSTER_CHILD_VARIABLES = {"DAGSTER_DISABLE_TELEMETRY": "1"}

# The platform's own settings that a role loading the code cannot do without (HIPPIQUE_ENV=prod has
# no embedded Postgres and no local folder), with what they are for.
PRODUCT_VARIABLES = {
    "HIPPIQUE_PG_URL": "the Postgres URL of the pmu, racing and betting tables",
    "HIPPIQUE_GCS_BUCKET": "the bucket of the raw payloads and artifacts",
}
ROLE_PRODUCT_VARIABLES = {
    CODE_SERVER: ("HIPPIQUE_PG_URL", "HIPPIQUE_GCS_BUCKET"),
    MIGRATE: ("HIPPIQUE_PG_URL",),
    WEBSERVER: (),
    DAEMON: (),
}


def dagster_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment of a Dagster program started by the product: ``environ`` with telemetry off."""
    return {**environ, **DAGSTER_CHILD_VARIABLES}


class RoleError(ValueError):
    """A role cannot start: the message is one line and names what to fix."""


@dataclass(frozen=True)
class Requirement:
    """A variable a role reads, and where from (shown when it is missing)."""

    name: str
    source: str


def env_references(config: Any) -> Iterator[str]:
    """Names of the variables a Dagster YAML file reads through ``{env: NAME}`` values, in order."""
    if isinstance(config, Mapping):
        if set(config) == {"env"} and isinstance(config["env"], str):
            yield config["env"]
            return
        for value in config.values():
            yield from env_references(value)
    elif isinstance(config, list):
        for item in config:
            yield from env_references(item)


def _yaml_references(path: Path, source: str) -> list[Requirement]:
    try:
        loaded = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise RoleError(f"cannot read {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise RoleError(f"{path} is not valid YAML: {first_line(exc)}") from None
    return [Requirement(name, source) for name in dict.fromkeys(env_references(loaded))]


def instance_config_path(environ: Mapping[str, str]) -> Path:
    """``$DAGSTER_HOME/dagster.yaml``; RoleError when DAGSTER_HOME is unset or holds no such file."""
    home = environ.get("DAGSTER_HOME", "").strip()
    if not home:
        raise RoleError("DAGSTER_HOME is not set (the folder holding the instance's dagster.yaml)")
    path = Path(home) / "dagster.yaml"
    if not path.is_file():
        raise RoleError(f"DAGSTER_HOME={home} holds no dagster.yaml (the production instance configuration)")
    return path


def workspace_path(environ: Mapping[str, str]) -> Path:
    """The workspace file of the webserver and the daemon (``DAGSTER_WORKSPACE``, default ./workspace.yaml)."""
    path = Path(environ.get("DAGSTER_WORKSPACE") or DEFAULT_WORKSPACE)
    if not path.is_file():
        raise RoleError(f"workspace file {path} not found (set DAGSTER_WORKSPACE)")
    return path


def requirements(role: str, environ: Mapping[str, str]) -> list[Requirement]:
    """Every variable ``role`` reads, in the order they are checked."""
    if role not in ROLES:
        raise RoleError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    found = _yaml_references(instance_config_path(environ), "$DAGSTER_HOME/dagster.yaml")
    if role in (WEBSERVER, DAEMON):
        workspace = workspace_path(environ)
        found += _yaml_references(workspace, str(workspace))
    found += [Requirement(name, PRODUCT_VARIABLES[name]) for name in ROLE_PRODUCT_VARIABLES[role]]
    unique: dict[str, Requirement] = {}
    for requirement in found:
        unique.setdefault(requirement.name, requirement)
    return list(unique.values())


def check_role(role: str, environ: Mapping[str, str]) -> None:
    """Raise :class:`RoleError` naming the first variable ``role`` needs that is unset or empty."""
    for requirement in requirements(role, environ):
        if not environ.get(requirement.name, "").strip():
            raise RoleError(f"{requirement.name} is not set (read by {requirement.source})")
    if role in (CODE_SERVER, MIGRATE):
        from hippique_assets.settings import SettingsError, load_settings

        try:
            load_settings(environ)
        except SettingsError as exc:
            raise RoleError(str(exc)) from None


def port(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise RoleError(f"{name} must be a port number, got {raw!r}") from None
    if not 1 <= value <= 65535:
        raise RoleError(f"{name} must be a port number (1-65535), got {raw!r}")
    return value


def listen_host(environ: Mapping[str, str]) -> str:
    """Address the code server and the webserver listen on (all interfaces in a container)."""
    return environ.get("HIPPIQUE_LISTEN_HOST", "").strip() or DEFAULT_LISTEN_HOST


def code_server_port(environ: Mapping[str, str]) -> int:
    return port(environ, "DAGSTER_CODE_SERVER_PORT", DEFAULT_CODE_SERVER_PORT)


def webserver_port(environ: Mapping[str, str]) -> int:
    return port(environ, "DAGSTER_WEBSERVER_PORT", DEFAULT_WEBSERVER_PORT)


def webserver_path_prefix(environ: Mapping[str, str]) -> str:
    """``DAGSTER_WEBSERVER_PATH_PREFIX`` (behind a proxy that serves the UI under a path), or ''."""
    prefix = environ.get("DAGSTER_WEBSERVER_PATH_PREFIX", "").strip().rstrip("/")
    if prefix and not prefix.startswith("/"):
        raise RoleError(f"DAGSTER_WEBSERVER_PATH_PREFIX must start with '/', got {prefix!r}")
    return prefix


def code_server_argv(host: str, port: int) -> list[str]:
    """``dagster code-server start`` serving the code location (program name first)."""
    return [
        "dagster",
        "code-server",
        "start",
        "-m",
        DEFINITIONS_MODULE,
        "--location-name",
        LOCATION_NAME,
        "-h",
        host,
        "-p",
        str(port),
    ]


def webserver_argv(host: str, port: int, workspace: Path) -> list[str]:
    """``dagster-webserver`` on the workspace that points at the code server (program name first)."""
    return ["dagster-webserver", "-h", host, "-p", str(port), "-w", str(workspace)]


def program(role: str, environ: Mapping[str, str]) -> list[str]:
    """The Dagster program of a service role (program name first, as looked up on PATH)."""
    if role == CODE_SERVER:
        return code_server_argv(listen_host(environ), code_server_port(environ))
    if role == WEBSERVER:
        args = webserver_argv(listen_host(environ), webserver_port(environ), workspace_path(environ))
        prefix = webserver_path_prefix(environ)
        return [*args, "--path-prefix", prefix] if prefix else args
    if role == DAEMON:
        return ["dagster-daemon", "run", "-w", str(workspace_path(environ))]
    if role == MIGRATE:
        # After the tables' migrations (run in process): Dagster's own schema.
        return ["dagster", "instance", "migrate"]
    raise RoleError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
