"""``hippique dev`` (``make dev``): the Dagster UI on the local instance, with a PMU source that works offline.

Unless ``HIPPIQUE_PMU_BASE_URL`` is set, the generated world of hippique-replay (a development
package, imported only then) is served on a free loopback port and every run (UI launches, backfills)
reads it. Ctrl-C stops ``dagster dev`` (webserver, daemon, code server, run workers), the replay
server and the embedded Postgres when this command started it.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hippique_assets.cli.processes import ManagedProcess, executable, wait_for_port, write_module_workspace
from hippique_assets.lib.runner import ensure_dagster_home
from hippique_assets.settings import load_settings
from hippique_assets.storage.embedded import pgdata_dir, stop_embedded_pg
from hippique_assets.storage.postgres import mask_url, resolve_url

if TYPE_CHECKING:
    from hippique_replay.server import ReplayServer

REPLAY_MISSING = (
    "hippique dev serves the generated PMU world of hippique-replay, which is not installed here: "
    "install it (make venv, or uv sync --extra dev) or set HIPPIQUE_PMU_BASE_URL to a PMU API"
)


def dev_log_path(home: str | Path) -> Path:
    """Where ``hippique dev`` keeps the output of ``dagster dev``: ``$HIPPIQUE_HOME/logs/dagster-dev.log``."""
    return Path(home).resolve() / "logs" / "dagster-dev.log"


def interrupt_on_sigterm() -> None:
    """Make SIGTERM behave like Ctrl-C, so that ``finally`` blocks stop what this process started."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def generated_world(seed: int) -> ReplayServer:
    """A replay server (not started) for the generated world of ``seed``; a one-line error when
    hippique-replay is not installed (production installs leave it out)."""
    try:
        from hippique_replay.server import ReplayServer
        from hippique_replay.sources import GeneratedSource
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.split(".")[0] != "hippique_replay":
            raise
        raise click.ClickException(REPLAY_MISSING) from None
    return ReplayServer(GeneratedSource(seed=seed))


@click.command()
@click.option("--port", type=click.IntRange(1, 65535), default=3000, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the generated world served.")
def dev(port: int, seed: int) -> None:
    """Open the Dagster UI (dagster dev) on the local instance and the local tables."""
    interrupt_on_sigterm()
    # Before anything starts: without hippique-replay there is nothing to serve.
    world = None if os.environ.get("HIPPIQUE_PMU_BASE_URL") else generated_world(seed)
    settings = load_settings()
    dagster_home = ensure_dagster_home(settings.home)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(dagster_home),
        "HIPPIQUE_HOME": str(Path(settings.home).resolve()),
    }
    pg_started_here = False
    if not settings.pg_url_set:
        pg_started_here = not (pgdata_dir(settings.home) / "postmaster.pid").exists()
        click.echo(f"Tables   : {mask_url(resolve_url(None, settings.home))} (embedded PostgreSQL)")
    server = None
    if world is not None:
        server = world.start()
        env.update(HIPPIQUE_PMU_BASE_URL=server.base_url, HIPPIQUE_RATE_LIMIT="0")
        click.echo(f"PMU      : generated world (seed {seed}) served at {server.base_url}")
    else:
        click.echo(f"PMU      : {settings.pmu_base_url}")
    workspace = write_module_workspace(dagster_home / "workspace.yaml")
    # Not under $DAGSTER_HOME/logs: that folder is the cache of Dagster's telemetry upload, which
    # moves it aside whole wherever a webserver or daemon runs on this instance with telemetry on.
    ui = ManagedProcess(
        "dagster dev",
        [executable("dagster"), "dev", "-w", str(workspace), "-h", "127.0.0.1", "-p", str(port)],
        dev_log_path(settings.home),
        env=env,
    )
    try:
        ui.start()
        click.echo(f"Instance : {dagster_home} (log {ui.log_path})")
        wait_for_port(ui, port, timeout_s=120)
        click.echo(f"Dagster UI at http://127.0.0.1:{port}  (Ctrl-C stops everything)")
        while ui.running():
            time.sleep(0.5)
        ui.check_running()
    except KeyboardInterrupt:
        click.echo("\nStopping dagster dev...")
    finally:
        ui.stop()
        if server is not None:
            server.stop()
        if pg_started_here:
            stop_embedded_pg(settings.home)
    sys.exit(0)
