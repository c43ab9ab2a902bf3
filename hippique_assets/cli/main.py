"""Entry point of the ``hippique`` command."""

from __future__ import annotations

import logging
import sys

import click

from hippique_assets.cli.analysis import backtest_command, model, snapshots
from hippique_assets.cli.db import db
from hippique_assets.cli.dev import dev
from hippique_assets.cli.ingest import ingest, summary
from hippique_assets.cli.plugins import installed_commands
from hippique_assets.cli.serve import health, serve
from hippique_assets.storage.embedded import EmbeddedPostgresError


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log at INFO level (HTTP requests, timings).")
def cli(verbose: bool) -> None:
    """hippique_assets: French horse racing data on Dagster."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


cli.add_command(ingest)
cli.add_command(summary)
cli.add_command(db)
cli.add_command(dev)
cli.add_command(model)
cli.add_command(backtest_command)
cli.add_command(snapshots)
cli.add_command(serve)
cli.add_command(health)
# replay, demo and day where hippique-replay is installed (see hippique_assets.cli.plugins).
for _name, _command in installed_commands(set(cli.commands)).items():
    cli.add_command(_command, _name)


def main() -> None:
    try:
        cli(prog_name="hippique")
    except EmbeddedPostgresError as exc:
        # A set-up problem (no server configured, pgserver missing or failing): one line, no traceback.
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
