"""``hippique demo``: a generated racing day, replayed on loopback, planned, raced and ingested end to end."""

from __future__ import annotations

import dataclasses
import sys
from datetime import UTC, date, datetime

import click

from hippique_assets.cli.ingest import print_summary, run_ingest
from hippique_assets.cli.options import DATE
from hippique_assets.defs.resources import build_resources
from hippique_assets.lib.runner import dagster_instance, run_job_partitions
from hippique_assets.racing.clock import FixedClock
from hippique_assets.settings import load_settings
from hippique_assets.storage.postgres import mask_url
from hippique_replay.demo_race_day import PLAN_AT, play_demo_day
from hippique_replay.server import ReplayServer
from hippique_replay.sources import GeneratedSource


@click.command()
@click.option("--date", "day", type=DATE, default="2026-03-23", show_default=True, help="Day to generate.")
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the generated world.")
@click.option(
    "--races",
    type=click.IntRange(min=0),
    default=8,
    show_default=True,
    help="Races whose H-30, H-5 and H+15 runs are played (0: ingestion only).",
)
def demo(day: date, seed: int, races: int) -> None:
    """Serve a generated day from a loopback replay server, play its first races' H-30, H-5 and H+15
    runs at their due instants, then ingest the final day and build its ledger, on the embedded defaults."""
    clock = FixedClock(datetime.combine(day, PLAN_AT, UTC))
    with ReplayServer(GeneratedSource(seed=seed), clock=clock) as server:
        click.echo(f"Replay server (seed {seed}) at {server.base_url}")
        settings = dataclasses.replace(load_settings(), pmu_base_url=server.base_url, rate_limit_per_s=0.0)
        played = None
        if races:
            click.echo(f"Race day: the morning plan, then {races} races at their due instants")
            postgres = build_resources(settings)["postgres"]
            instance = dagster_instance(settings.home)
            played = play_demo_day(day, settings, clock, postgres, instance, races=races, echo=click.echo)
        # The day as it looks once every race is run: final participants, performances and rapports.
        server.clock = None
        outcomes, pg_url = run_ingest([day], settings)
        if races:
            [ledger] = run_job_partitions(
                "ledger_day", [day.isoformat()], settings, dagster_instance(settings.home)
            )
            click.echo(f"Ledger and workbook of {day}: {'ok' if ledger.success else ledger.error}")
    print_summary(pg_url, [day], schema=None)
    click.echo("\nWhere the data is:")
    click.echo(f"  tables : {mask_url(pg_url)} (schemas pmu, racing, betting)")
    click.echo(
        f"  files  : {settings.files_uri}/ (raw payloads under pmu/, workbook under artifacts/betting/)"
    )
    click.echo("  UI     : make dev, then open http://127.0.0.1:3000 (same data, same Dagster instance)")
    click.echo(
        "           race_day, race_live and betting groups: the plan, the races' snapshots, decisions and "
        "results, the ledger; gpi_model says how many finished races it needs (hippique model fit)"
    )
    if not settings.pg_url_set:
        click.echo("  server : the embedded PostgreSQL keeps running for the next command; hippique db stop")
    failed = not all(o.success for o in outcomes) or (
        played is not None and (played.failed or not played.plan)
    )
    if played is not None and played.failed:
        click.echo("Race runs that failed:\n  " + "\n  ".join(played.failed), err=True)
    if failed:
        sys.exit(1)
