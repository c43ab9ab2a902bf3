"""Entry point of the ``hippique`` command.

Subcommands are imported when they run (see :mod:`hippique_assets.cli.lazy`); where hippique-replay
is installed it adds ``replay``, ``demo`` and ``day`` (see :mod:`hippique_assets.cli.plugins`).
"""

from __future__ import annotations

import logging
import sys

import click

from hippique_assets.cli.lazy import LazyCommand, LazyGroup

COMMANDS = {
    "ingest": LazyCommand(
        "hippique_assets.cli.ingest:ingest", "Fetch and load racing days into the pmu tables."
    ),
    "summary": LazyCommand(
        "hippique_assets.cli.ingest:summary", "Rows and checksums of every table for a day or a range."
    ),
    "db": LazyCommand(
        "hippique_assets.cli.db:db",
        "The tables' migrations (hippique db upgrade), the embedded server (db stop).",
    ),
    "dev": LazyCommand("hippique_assets.cli.dev:dev", "The Dagster UI on the local instance (make dev)."),
    "model": LazyCommand("hippique_assets.cli.analysis:model", "Fit the model the H-5 analysis uses."),
    "backtest": LazyCommand(
        "hippique_assets.cli.analysis:backtest_command",
        "Decide and settle a period as the H-5 runs would have.",
    ),
    "snapshots": LazyCommand("hippique_assets.cli.analysis:snapshots", "Load recorded odds captures."),
    "serve": LazyCommand(
        "hippique_assets.cli.serve:serve",
        "Run one production role (code-server, webserver, daemon, migrate).",
    ),
    "health": LazyCommand("hippique_assets.cli.serve:health", "Check a production role answers."),
    "status": LazyCommand(
        "hippique_assets.cli.status:status", "The racing day at a glance; exits 1 when a person is needed."
    ),
}


@click.group(cls=LazyGroup, lazy=COMMANDS)
@click.option("-v", "--verbose", is_flag=True, help="Log at INFO level (HTTP requests, timings).")
def cli(verbose: bool) -> None:
    """hippique_assets: French horse racing data on Dagster."""
    level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    # Dagster raises the platform's loggers to INFO inside runs; the console keeps the chosen level.
    for handler in logging.getLogger().handlers:
        handler.setLevel(level)


def main() -> None:
    from hippique_assets.errors import UnknownPartitionError, first_line
    from hippique_assets.settings_errors import SettingsError
    from hippique_assets.storage.embedded import EmbeddedPostgresError

    try:
        cli(prog_name="hippique")
    except (EmbeddedPostgresError, SettingsError, ConnectionError, UnknownPartitionError) as exc:
        # A set-up problem (a setting, a server that does not answer, a day out of range): one line.
        click.echo(f"Error: {first_line(exc)}", err=True)
        sys.exit(1)
