"""``hippique day``: a replayed racing day played by the real Dagster daemon on an accelerated clock."""

import sys
from datetime import date

import click

from hippique_assets.cli.dev import interrupt_on_sigterm
from hippique_assets.cli.options import DATE
from hippique_assets.settings import load_settings
from hippique_replay.day_play import DayPlay


@click.command()
@click.option("--date", "day", type=DATE, required=True, help="Racing day to play (Europe/Paris).")
@click.option(
    "--races",
    type=click.IntRange(min=1),
    default=None,
    help="Play only the N races whose start times are closest together (default: the whole day).",
)
@click.option(
    "--factor",
    type=click.FloatRange(min=1.0, max=30.0),
    default=20.0,
    show_default=True,
    help="Simulated seconds per wall second. The race clock requests an H-5 run within 4 simulated "
    "minutes of its due instant and the daemon ticks sensors about every 5 wall seconds: above 30, "
    "ticks would skip that window or runs start after the off and be refused.",
)
@click.option(
    "--idle-factor",
    type=click.FloatRange(min=1.0, max=60.0),
    default=None,
    help="Simulated seconds per wall second away from the offs (the lead-in, the H-30 snapshots, the "
    "results and the ledger: from a minute after one off to 11 minutes before the next). "
    "[default: --factor]",
)
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the generated world.")
def day(day: date, races: int | None, factor: float, idle_factor: float | None, seed: int) -> None:
    """Play DAY: the morning plan, then every race's H-30, H-5 and H+15 runs and the ledger, launched
    by the race clock and the ledger sensor on a real dagster-daemon against the local instance."""
    interrupt_on_sigterm()
    play = DayPlay(
        day, load_settings(), races=races, factor=factor, idle_factor=idle_factor, seed=seed, echo=click.echo
    )
    report = play.play()
    click.echo(f"{report.day}: {len(report.races)} races played in {report.wall_s:.0f} s")
    click.echo(report.summary_line())
    problems = report.problems()
    if problems:
        for problem in problems[:20]:
            click.echo(f"  {problem}", err=True)
        if len(problems) > 20:
            click.echo(f"  ... and {len(problems) - 20} more", err=True)
        sys.exit(1)
