"""Health checks of the service roles, as a container runtime or Kubernetes probes them.

- code server: Dagster's gRPC health check (``dagster api grpc-health-check``) on its port;
- webserver: ``GET /server_info`` answers 200 with the webserver's version;
- daemon: ``dagster-daemon liveness-check``, which reads the daemons' recent heartbeats from the
  instance's storage (so it fails when the daemon is alive but cannot write to Postgres).

``hippique serve`` records its role in a small file before it starts the program; ``hippique health``
without a role reads it, so one ``HEALTHCHECK`` line in the Dockerfile serves the three roles.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

import httpx

from hippique_assets.deploy.roles import (
    CODE_SERVER,
    DAEMON,
    SERVICES,
    WEBSERVER,
    RoleError,
    code_server_port,
    webserver_path_prefix,
    webserver_port,
)

DEFAULT_ROLE_FILE = "/tmp/hippique-role"
PROBE_HOST = "127.0.0.1"


def role_file(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("HIPPIQUE_ROLE_FILE") or DEFAULT_ROLE_FILE)


def record_role(role: str, environ: Mapping[str, str]) -> None:
    """Leave the role for :func:`recorded_role` (best effort: a read-only file system only loses that)."""
    with contextlib.suppress(OSError):
        role_file(environ).write_text(json.dumps({"role": role, "pid": os.getpid()}))


def recorded_role(environ: Mapping[str, str]) -> str:
    path = role_file(environ)
    try:
        role = json.loads(path.read_text())["role"]
    except (OSError, ValueError, KeyError, TypeError):
        raise RoleError(f"no role recorded in {path}: name one of {', '.join(SERVICES)}") from None
    if role not in SERVICES:
        raise RoleError(f"{path} records {role!r}, which has no health check")
    return role


def probe_program(role: str, environ: Mapping[str, str]) -> list[str] | None:
    """The Dagster program that checks ``role``, or None when it is checked over HTTP here."""
    if role == CODE_SERVER:
        return ["dagster", "api", "grpc-health-check", "-h", PROBE_HOST, "-p", str(code_server_port(environ))]
    if role == DAEMON:
        return ["dagster-daemon", "liveness-check"]
    if role == WEBSERVER:
        return None
    raise RoleError(f"{role!r} has no health check: use one of {', '.join(SERVICES)}")


def webserver_healthy(environ: Mapping[str, str], timeout_s: float = 5.0) -> tuple[bool, str]:
    """Whether the webserver answers ``/server_info`` with its version; and what was seen."""
    url = f"http://{PROBE_HOST}:{webserver_port(environ)}{webserver_path_prefix(environ)}/server_info"
    try:
        answer = httpx.get(url, timeout=timeout_s)
    except httpx.HTTPError as exc:
        return False, f"{url}: {type(exc).__name__}: {exc}"
    if answer.status_code != 200:
        return False, f"{url}: HTTP {answer.status_code}"
    try:
        version = answer.json()["dagster_webserver_version"]
    except (ValueError, KeyError, TypeError):
        return False, f"{url}: not a Dagster webserver answer"
    return True, f"dagster-webserver {version} at {url}"
