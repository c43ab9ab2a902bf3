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

# Loopback unless told otherwise: a container started without HIPPIQUE_LISTEN_HOST (a bare
# `docker run -p 3000:3000`) publishes nothing; compose and the chart choose all interfaces explicitly.
DEFAULT_LISTEN_HOST = "127.0.0.1"
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
    check_secrets(role, environ)
    if role in (CODE_SERVER, MIGRATE):
        from hippique_assets.settings import load_settings
        from hippique_assets.settings_errors import SettingsError

        try:
            load_settings(environ)
        except SettingsError as exc:
            raise RoleError(str(exc)) from None


# Secrets each role reads: a placeholder, an empty or a known-weak value is refused at start.
PASSWORD_VARIABLES = ("DAGSTER_PG_PASSWORD",)
URL_PASSWORD_VARIABLES = {CODE_SERVER: ("HIPPIQUE_PG_URL",), MIGRATE: ("HIPPIQUE_PG_URL",)}
OPTIONAL_SECRET_VARIABLES = {CODE_SERVER: ("HIPPIQUE_ALERT_SMTP_PASSWORD",)}
MIN_PASSWORD_LENGTH = 12
PLACEHOLDER_MARKS = (
    "change-me",
    "changeme",
    "change_me",
    "replace-me",
    "replaceme",
    "your-password",
    "placeholder",
)
KNOWN_WEAK = frozenset(
    {
        "password", "passw0rd", "postgres", "admin", "root", "secret", "dagster", "hippique", "test",
        "guest", "default", "letmein", "qwerty", "123456", "12345678", "123456789", "1234567890",
    }
)  # fmt: skip


def weak_secret(value: str, *, min_length: int = MIN_PASSWORD_LENGTH) -> str | None:
    """Why ``value`` is not a usable password, or None."""
    lowered = value.strip().lower()
    if not lowered:
        return "is empty"
    if any(mark in lowered for mark in PLACEHOLDER_MARKS) or (
        lowered.startswith("<") and lowered.endswith(">")
    ):
        return "is still the placeholder of .env.example"
    if lowered in KNOWN_WEAK:
        return "is a well-known password"
    if len(value) < min_length:
        return f"is shorter than {min_length} characters"
    return None


def check_secrets(role: str, environ: Mapping[str, str]) -> None:
    """RoleError naming the first secret of ``role`` that is a placeholder, empty or weak.

    A database URL without a password is accepted (certificate or IAM authentication); one with an
    empty or weak password is not."""
    hint = "set a real one, e.g. `openssl rand -hex 24`"
    for name in PASSWORD_VARIABLES:
        if (why := weak_secret(environ.get(name, ""))) is not None:
            raise RoleError(f"{name} {why}: {hint}")
    for name in URL_PASSWORD_VARIABLES.get(role, ()):
        password = _url_password(environ.get(name, ""))
        if password is not None and (why := weak_secret(password)) is not None:
            raise RoleError(f"the password in {name} {why}: {hint}")
    for name in OPTIONAL_SECRET_VARIABLES.get(role, ()):
        value = environ.get(name, "")
        # The relay's own rules decide the length; only placeholders and well-known values are refused.
        if value and (why := weak_secret(value, min_length=1)) is not None:
            raise RoleError(f"{name} {why}: {hint}")


def _url_password(url: str) -> str | None:
    """The password of a ``scheme://user:password@host/db`` URL ('' when empty), None without one."""
    from urllib.parse import unquote, urlsplit

    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if "@" not in parts.netloc:
        return None
    userinfo = parts.netloc.rpartition("@")[0]
    if ":" not in userinfo:
        return None
    return unquote(userinfo.partition(":")[2])


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
    """Address the code server and the webserver listen on (``HIPPIQUE_LISTEN_HOST``, default loopback)."""
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


def program(role: str, environ: Mapping[str, str], *, read_only: bool = False) -> list[str]:
    """The Dagster program of a service role (program name first, as looked up on PATH).

    ``read_only`` (webserver only): the analysts' UI, which shows everything and refuses every
    mutation (launch, cancel, wipe, schedules and sensors on or off)."""
    if read_only and role != WEBSERVER:
        raise RoleError(f"--read-only is for the webserver, not the {role}")
    if role == CODE_SERVER:
        return code_server_argv(listen_host(environ), code_server_port(environ))
    if role == WEBSERVER:
        args = webserver_argv(listen_host(environ), webserver_port(environ), workspace_path(environ))
        prefix = webserver_path_prefix(environ)
        if prefix:
            args += ["--path-prefix", prefix]
        return [*args, "--read-only"] if read_only else args
    if role == DAEMON:
        return ["dagster-daemon", "run", "-w", str(workspace_path(environ))]
    if role == MIGRATE:
        # After the tables' migrations (run in process): Dagster's own schema.
        return ["dagster", "instance", "migrate"]
    raise RoleError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
