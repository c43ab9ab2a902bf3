"""``hippique serve ROLE`` and ``hippique health [ROLE]``: the commands of the production image.

``serve`` checks what the role needs (see :mod:`hippique_assets.deploy.roles`), then replaces itself
with the Dagster program (``exec``), which thus receives the container's signals directly:

- ``code-server``: ``dagster code-server start`` serving ``hippique_assets.definitions`` over gRPC;
- ``webserver``: ``dagster-webserver`` on the workspace that points at the code server; with
  ``--read-only``, the analysts' UI (lineage, materializations, metadata, plots; no launch, cancel
  or wipe);
- ``daemon``: ``dagster-daemon run`` on the same workspace;
- ``migrate``: the tables' migrations (``hippique db upgrade``), then ``dagster instance migrate``.

A missing variable stops it at once with one line on stderr naming the variable (exit status 2).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

import click

from hippique_assets.deploy.health import probe_program, record_role, recorded_role, webserver_healthy
from hippique_assets.deploy.roles import MIGRATE, ROLES, SERVICES, WEBSERVER, RoleError, check_role, program
from hippique_assets.errors import first_line

USAGE_ERROR = 2


def _fail(prefix: str, message: str) -> None:
    click.echo(f"{prefix}: {message}", err=True)
    sys.exit(USAGE_ERROR)


def _exec(argv: list[str]) -> None:
    """Replace this process with ``argv`` (its program looked up beside this Python, then on PATH),
    in this environment with Dagster's telemetry off."""
    from hippique_assets.cli.processes import ProcessError, executable, restore_default_signals
    from hippique_assets.deploy.roles import dagster_environ

    try:
        path = executable(argv[0])
    except ProcessError as exc:
        raise RoleError(str(exc)) from None
    restore_default_signals()
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(path, [path, *argv[1:]], dagster_environ(os.environ))


def _migrate_tables(environ: Mapping[str, str]) -> None:
    """``hippique db upgrade`` on ``HIPPIQUE_PG_URL``; a failure is one line."""
    import sqlalchemy.exc

    from hippique_assets.storage import migrate
    from hippique_assets.storage.postgres import mask_url, redact

    url = environ["HIPPIQUE_PG_URL"]
    try:
        report = migrate.upgrade_reported(url)
    except sqlalchemy.exc.OperationalError as exc:
        reason = redact(first_line(exc.orig or exc), url)
        raise RoleError(f"tables' migrations on {mask_url(url)} failed: {reason}") from None
    except ConnectionError as exc:  # the server does not answer (storage.postgres.connect)
        raise RoleError(f"tables' migrations on {mask_url(url)} failed: {first_line(exc)}") from None
    click.echo(f"tables: {report}")


@click.command()
@click.argument("role", type=click.Choice(ROLES))
@click.option(
    "--read-only",
    is_flag=True,
    help="Webserver only: a UI that shows everything and can launch, cancel or change nothing.",
)
def serve(role: str, read_only: bool) -> None:
    """Run the image as ROLE: code-server, webserver, daemon, or migrate (one-shot deploy step)."""
    environ = os.environ
    try:
        check_role(role, environ)
        argv = program(role, environ, read_only=read_only)
        if role == MIGRATE:
            _migrate_tables(environ)
        else:
            record_role(role, environ)
        _exec(argv)
    except RoleError as exc:
        _fail(f"hippique serve {role}", str(exc))


@click.command()
@click.argument("role", type=click.Choice(SERVICES), required=False)
def health(role: str | None) -> None:
    """Exit 0 when ROLE (default: the role this container serves) is healthy, else non-zero."""
    environ = os.environ
    try:
        role = role or recorded_role(environ)
        argv = probe_program(role, environ)
        if argv is not None:
            _exec(argv)
        if role == WEBSERVER:
            healthy, seen = webserver_healthy(environ)
            click.echo(seen, err=not healthy)
            sys.exit(0 if healthy else 1)
    except RoleError as exc:
        _fail("hippique health", str(exc))
