"""``hippique demo``: a generated racing day, replayed on loopback and ingested end to end."""

from __future__ import annotations

import dataclasses
import sys
from datetime import date

import click

from hippique_assets.cli.ingest import print_summary, run_ingest
from hippique_assets.cli.options import DATE
from hippique_assets.settings import load_settings
from hippique_assets.storage.postgres import mask_url
from hippique_replay.server import ReplayServer
from hippique_replay.sources import GeneratedSource


@click.command()
@click.option("--date", "day", type=DATE, default="2026-03-23", show_default=True, help="Day to generate.")
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the generated world.")
def demo(day: date, seed: int) -> None:
    """Serve a generated day from a loopback replay server and ingest it on the embedded defaults."""
    with ReplayServer(GeneratedSource(seed=seed)) as server:
        click.echo(f"Replay server (seed {seed}) at {server.base_url}")
        settings = dataclasses.replace(load_settings(), pmu_base_url=server.base_url, rate_limit_per_s=0.0)
        outcomes, pg_url = run_ingest([day], settings)
    print_summary(pg_url, [day])
    click.echo("\nWhere the data is:")
    click.echo(f"  tables : {mask_url(pg_url)} (schema pmu)")
    click.echo(f"  files  : {settings.files_uri}/pmu/{day.isoformat()}/")
    click.echo("  UI     : make dev, then open http://127.0.0.1:3000 (same data, same Dagster instance)")
    if not settings.pg_url_set:
        click.echo("  server : the embedded PostgreSQL keeps running for the next command; hippique db stop")
    if not all(o.success for o in outcomes):
        sys.exit(1)
