"""``hippique ingest``: load racing days from the PMU API (or a replay) in this process."""

from __future__ import annotations

import dataclasses
import sys
import time
from datetime import date

import click

from hippique_assets.cli.options import DATE, day_range
from hippique_assets.defs.partitions import DAILY_BACKFILL
from hippique_assets.defs.pmu.assets import FETCH_TAG
from hippique_assets.defs.pmu.jobs import ingestion_job
from hippique_assets.defs.resources import build_resources
from hippique_assets.inventory import format_summary, summarize_tables
from hippique_assets.lib.runner import PartitionOutcome, dagster_instance, run_job_days
from hippique_assets.settings import Settings, load_settings
from hippique_assets.storage.postgres import mask_url


def settings_with(base_url: str | None, rate_limit: float | None) -> Settings:
    settings = load_settings()
    if base_url:
        settings = dataclasses.replace(settings, pmu_base_url=base_url.rstrip("/"))
    if rate_limit is not None:
        if rate_limit < 0:
            raise click.BadParameter("--rate-limit must be >= 0 (0 disables it, for replays)")
        settings = dataclasses.replace(settings, rate_limit_per_s=rate_limit)
    return settings


# Days per run: as many as a backfill chunk of the daily assets (their backfill policy).
DAYS_PER_RUN = DAILY_BACKFILL.max_partitions_per_run or 1


def _echo_outcome(outcome: PartitionOutcome) -> None:
    status = click.style("ok", fg="green") if outcome.success else click.style("FAILED", fg="red")
    rows = ", ".join(f"{name} {count}" for name, count in sorted(outcome.rows.items()))
    click.echo(f"{outcome.partition}  {status}  {outcome.seconds:6.1f} s  {rows}")
    if outcome.retried_alone:
        click.echo("    run again alone: its run over several days failed")
    if outcome.failed_checks:
        click.echo(f"    failed checks: {', '.join(outcome.failed_checks)}")
    if outcome.error:
        click.echo(f"    {outcome.error}", err=True)


def run_ingest(
    days: list[date],
    settings: Settings,
    *,
    tags: dict[str, str] | None = None,
    days_per_run: int = DAYS_PER_RUN,
) -> tuple[list[PartitionOutcome], str]:
    """Materialize the ingestion assets for each day, ``days_per_run`` consecutive days per run (a
    day of a failed run is run again alone); returns one outcome per day and the Postgres URL used."""
    instance = dagster_instance(settings.home)
    click.echo(
        f"Ingesting {len(days)} day(s) from {settings.pmu_base_url} "
        f"(rate limit {settings.rate_limit_per_s:g}/s, {settings.concurrency} at a time)"
    )
    outcomes = run_job_days(
        ingestion_job.name,
        [d.isoformat() for d in days],
        settings,
        instance,
        days_per_run=days_per_run,
        on_outcome=_echo_outcome,
        tags=tags,
    )
    pg_url = build_resources(settings)["postgres"].get_url()
    return outcomes, pg_url


def print_summary(
    pg_url: str, days: list[date], *, checksums: bool = False, schema: str | None = "pmu"
) -> None:
    """Rows of the days in each table (of ``schema``, or of every schema)."""
    click.echo(f"\nTables in {mask_url(pg_url)} for {days[0]} .. {days[-1]}:")
    summaries = summarize_tables(pg_url, schema=schema, start=days[0], end=days[-1])
    click.echo(format_summary(summaries, checksums=checksums))


@click.command()
@click.option("--date", "start", type=DATE, required=True, help="First racing day (Europe/Paris).")
@click.option("--to", "end", type=DATE, default=None, help="Last racing day, inclusive (default: --date).")
@click.option("--base-url", default=None, help="PMU API base URL (default: $HIPPIQUE_PMU_BASE_URL or live).")
@click.option("--rate-limit", type=float, default=None, help="Requests per second per host; 0 = unlimited.")
@click.option("--checksums", is_flag=True, help="Print a content checksum per table in the summary.")
@click.option(
    "--missing-only",
    is_flag=True,
    help="Request only what the previous ingestion of each day missed (its failed requests, rapports not final).",
)
@click.option(
    "--days-per-run",
    type=click.IntRange(min=1),
    default=DAYS_PER_RUN,
    show_default=True,
    help="Consecutive days loaded in one run (1: a run per day). A day of a failed run is run again alone.",
)
def ingest(
    start: date,
    end: date | None,
    base_url: str | None,
    rate_limit: float | None,
    checksums: bool,
    missing_only: bool,
    days_per_run: int,
) -> None:
    """Fetch and load racing days into the pmu tables and the raw files."""
    days = day_range(start, end)
    settings = settings_with(base_url, rate_limit)
    began = time.perf_counter()
    outcomes, pg_url = run_ingest(
        days, settings, tags={FETCH_TAG: "missing"} if missing_only else None, days_per_run=days_per_run
    )
    print_summary(pg_url, days, checksums=checksums)
    failed = [o for o in outcomes if not o.success]
    per_run = f" (runs of up to {days_per_run} days)" if len(days) > 1 and days_per_run > 1 else ""
    click.echo(
        f"\n{len(outcomes) - len(failed)}/{len(outcomes)} day(s) loaded in "
        f"{time.perf_counter() - began:.1f} s{per_run}"
    )
    if failed:
        click.echo(f"Failed: {', '.join(o.partition for o in failed)}", err=True)
        click.echo("Re-run with --missing-only to request only what is missing.", err=True)
        sys.exit(1)


@click.command()
@click.option("--date", "start", type=DATE, required=True)
@click.option("--to", "end", type=DATE, default=None)
def summary(start: date, end: date | None) -> None:
    """Row counts and content checksums of the day's (or range's) rows in every table."""
    from hippique_assets.defs.resources import build_resources as _resources

    days = day_range(start, end)
    pg_url = _resources(load_settings())["postgres"].get_url()
    print_summary(pg_url, days, checksums=True, schema=None)
