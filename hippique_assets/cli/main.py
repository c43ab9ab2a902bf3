"""Entry point of the ``hippique`` command."""

from __future__ import annotations

import logging

import click

from hippique_assets.cli.analysis import backtest_command, model, snapshots
from hippique_assets.cli.day import day
from hippique_assets.cli.db import db
from hippique_assets.cli.demo import demo
from hippique_assets.cli.dev import dev
from hippique_assets.cli.ingest import ingest, summary
from hippique_assets.replay.cli import replay


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log at INFO level (HTTP requests, timings).")
def cli(verbose: bool) -> None:
    """hippique_assets: French horse racing data on Dagster."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


cli.add_command(ingest)
cli.add_command(summary)
cli.add_command(demo)
cli.add_command(day)
cli.add_command(db)
cli.add_command(dev)
cli.add_command(model)
cli.add_command(backtest_command)
cli.add_command(snapshots)
cli.add_command(replay)


def main() -> None:
    cli(prog_name="hippique")
