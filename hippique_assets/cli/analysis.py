"""``hippique model fit`` and ``hippique backtest``: the GPI model on stored history."""

import sys
import time
from datetime import date

import click
from tqdm import tqdm

from hippique_assets.analysis.backtest import feature_table, fit_on, walk_forward
from hippique_assets.analysis.config import ConfigError, load_config
from hippique_assets.analysis.model import model_to_json
from hippique_assets.cli.options import DATE, day_range
from hippique_assets.defs.analysis_resource import MODEL_PATH
from hippique_assets.defs.resources import build_resources
from hippique_assets.settings import load_settings


def _config(path: str | None):
    try:
        return load_config(path or load_settings().analysis_config)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def model() -> None:
    """The conditional-logit model used by the H-5 analysis when it is present."""


@model.command("fit")
@click.option("--from", "start", type=DATE, required=True, help="First day of history (Europe/Paris).")
@click.option("--to", "end", type=DATE, required=True, help="Last day of history, inclusive.")
@click.option(
    "--config", "config_path", default=None, help="Analysis config file (default: packaged gpi.toml)."
)
def fit(start: date, end: date, config_path: str | None) -> None:
    """Fit the model on the finished races between --from and --to and store it for the H-5 analysis."""
    config = _config(config_path)
    resources = build_resources(load_settings())
    days = day_range(start, end)
    with tqdm(total=len(days), desc="features", unit="day") as bar:
        features = feature_table(resources["postgres"], days, config, progress=lambda _: bar.update())
    if features.empty:
        raise click.ClickException(f"no finished race stored between {start} and {end}: ingest them first")
    fitted = fit_on(features, config, start, end)
    uri = resources["files"].write_bytes(MODEL_PATH, model_to_json(fitted).encode(), "application/json")
    click.echo(
        f"model {fitted.version}: {fitted.n_races} races, {fitted.n_runners} runners, log-loss {fitted.log_loss:.4f}"
    )
    for name, coef in zip(fitted.features, fitted.coef, strict=True):
        click.echo(f"  {name:<14} {coef:+.4f}")
    click.echo(f"saved to {uri}")


@click.command()
@click.option("--from", "start", type=DATE, required=True, help="First day to predict.")
@click.option("--to", "end", type=DATE, required=True, help="Last day to predict, inclusive.")
@click.option(
    "--config", "config_path", default=None, help="Analysis config file (default: packaged gpi.toml)."
)
@click.option("--min-train-races", type=click.IntRange(min=1), default=100, show_default=True)
def backtest(start: date, end: date, config_path: str | None, min_train_races: int) -> None:
    """Walk forward over stored days: fit on the past, predict, bet, settle; compare with the market."""
    config = _config(config_path)
    resources = build_resources(load_settings())
    began = time.perf_counter()
    bars: dict[str, tqdm] = {}

    def progress(stage: str, day: date) -> None:
        if stage not in bars:
            bars[stage] = tqdm(desc=stage, unit="day")
        bars[stage].update()
        bars[stage].set_postfix_str(day.isoformat())

    try:
        report = walk_forward(
            resources["postgres"], start, end, config, min_train_races=min_train_races, progress=progress
        )
    except (LookupError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        for bar in bars.values():
            bar.close()
    text = report.markdown()
    uri = resources["files"].write_bytes(
        f"reports/backtest-{start.isoformat()}-{end.isoformat()}.md", text.encode(), "text/markdown"
    )
    click.echo(text.split("## Per day")[0].rstrip())
    click.echo(f"\nconfig {config.version}; report at {uri}; {time.perf_counter() - began:.1f} s")
    if report.days == 0:
        click.echo("no day had enough history to fit on (see --min-train-races)", err=True)
        sys.exit(1)
