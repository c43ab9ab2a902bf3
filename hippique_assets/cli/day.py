"""``hippique day``: play a whole racing day with a simulated clock against the replay server."""

import dataclasses
import sys
from datetime import date, timedelta

import click

from hippique_assets.cli.options import DATE
from hippique_assets.defs.day_player import DayPlayer, DayReport, RunOutcome
from hippique_assets.defs.resources import build_resources
from hippique_assets.defs.runner import dagster_instance
from hippique_assets.racing.clock import FixedClock
from hippique_assets.racing.plan import PARIS
from hippique_assets.replay.server import ReplayServer
from hippique_assets.replay.sources import GeneratedSource
from hippique_assets.settings import load_settings
from hippique_assets.storage.postgres import mask_url

PHASES_SHOWN = ("plan", "refresh", "h30", "h5", "result", "ledger")


def _echo_run(outcome: RunOutcome) -> None:
    if outcome.phase == "refresh" and outcome.success:
        return
    status = click.style("ok", fg="green") if outcome.success else click.style("FAILED", fg="red")
    at = outcome.ran_at.astimezone(PARIS)
    click.echo(
        f"{at:%H:%M} Paris  {outcome.phase:<7} {outcome.partition:<18} {status} {outcome.seconds:5.2f} s"
    )
    if outcome.error:
        click.echo(f"    {outcome.error}", err=True)


def print_report(report: DayReport) -> None:
    click.echo(f"\n{report.day}: {report.races} races in the plan, {report.cancelled} cancelled")
    for phase in PHASES_SHOWN:
        runs = report.phase_runs(phase)
        if runs:
            failed = sum(not r.success for r in runs)
            click.echo(f"  {phase:<8} {len(runs):4d} runs  {failed} failed")
    click.echo(f"  sensor ticks {report.ticks}, wall {report.wall_s:.1f} s")


@click.command()
@click.option("--date", "day", type=DATE, required=True, help="Racing day to play (Europe/Paris).")
@click.option(
    "--clock",
    type=click.Choice(["fast"]),
    default="fast",
    show_default=True,
    help="fast: jump the simulated clock from one due instant to the next.",
)
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the generated world.")
@click.option("--refresh-minutes", type=click.IntRange(min=1), default=20, show_default=True)
def day(day: date, clock: str, seed: int, refresh_minutes: int) -> None:
    """Play DAY from the 06:00 plan to the last H+15 result, each race's runs fired by the race clock."""
    from hippique_assets.definitions import ALL_ASSETS

    sim_clock = FixedClock(DayPlayer.morning(day))
    with ReplayServer(GeneratedSource(seed=seed), clock=sim_clock) as server:
        settings = dataclasses.replace(load_settings(), pmu_base_url=server.base_url, rate_limit_per_s=0.0)
        resources = build_resources(settings)
        click.echo(f"Replay server (seed {seed}, simulated clock) at {server.base_url}")
        click.echo(f"Tables in {mask_url(resources['postgres'].get_url())}")
        player = DayPlayer(
            day,
            settings,
            ALL_ASSETS,
            resources,
            dagster_instance(settings.home),
            sim_clock,
            refresh_every=timedelta(minutes=refresh_minutes),
            on_run=_echo_run,
        )
        report = player.play()
    print_report(report)
    if report.failures:
        click.echo(f"{len(report.failures)} run(s) failed", err=True)
        sys.exit(1)
