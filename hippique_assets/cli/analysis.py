"""``hippique snapshots load``, ``hippique model fit`` and ``hippique backtest``.

``snapshots load`` and ``model fit`` materialize the ``odds_captures`` and ``gpi_model`` assets in
this process, on the same Dagster instance as ``dagster dev``, so their runs and lineage show in
the UI. ``backtest`` runs the backtest directly and prints the report (the ``backtest_report`` asset
makes the same report from the UI).
"""

from __future__ import annotations

import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import click
from dagster import AssetsDefinition, DagsterEventType, materialize
from tqdm import tqdm

from hippique_assets.analysis.backtest import MODES, NoDataError, backtest, load_history
from hippique_assets.analysis.config import AnalysisConfig, ConfigError, load_config
from hippique_assets.analysis.model import model_from_json
from hippique_assets.analysis.offsets import parse_offsets
from hippique_assets.analysis.pipeline import ODDS_SOURCES
from hippique_assets.analysis.snapshots import phase_offset
from hippique_assets.cli.options import DATE
from hippique_assets.defs.betting.definitions import for_settings
from hippique_assets.defs.betting.model import DEFAULT_HISTORY_DAYS, gpi_model, odds_captures
from hippique_assets.defs.betting.resources import MODEL_PATH
from hippique_assets.defs.resources import build_resources
from hippique_assets.lib.runner import QUIET_RUN_CONFIG, dagster_instance
from hippique_assets.settings import load_settings

EXIT_NO_DATA = 2


def _config(path: str | None) -> AnalysisConfig:
    try:
        return load_config(path or load_settings().analysis_config)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _materialize(asset: AssetsDefinition, config: dict[str, Any]) -> dict[str, Any]:
    """Materialize one asset in this process; its metadata, or exit with the step's error."""
    settings = load_settings()
    asset = for_settings(asset, settings)
    resources = build_resources(settings)
    run_config = {**QUIET_RUN_CONFIG, "ops": {asset.op.name: {"config": config}}}
    result = materialize(
        [asset],
        resources=resources,
        instance=dagster_instance(settings.home),
        run_config=run_config,
        raise_on_error=False,
    )
    if not result.success:
        messages = [
            event.step_failure_data.error.message.strip()
            for event in result.all_events
            if event.event_type == DagsterEventType.STEP_FAILURE and event.step_failure_data.error
        ]
        click.echo(messages[0] if messages else f"{asset.key.to_user_string()} failed", err=True)
        sys.exit(EXIT_NO_DATA)
    [materialization] = result.asset_materializations_for_node(asset.op.name)
    return {key: value.value for key, value in materialization.metadata.items()}


@click.group()
def snapshots() -> None:
    """Recorded odds captures in pmu.odds_snapshots."""


@snapshots.command("load")
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="CSV (gzip allowed) of pre-start captures: date, reunion, course, num, captured_at_utc, ...",
)
@click.option("--from", "since", type=DATE, default=None, help="First racing day to import.")
@click.option("--to", "until", type=DATE, default=None, help="Last racing day to import, inclusive.")
def load(path: Path, since: date | None, until: date | None) -> None:
    """Import recorded captures with their real capture times (materializes ``odds_captures``)."""
    began = time.perf_counter()
    config = {"file": str(path.resolve())}
    if since:
        config["since"] = since.isoformat()
    if until:
        config["until"] = until.isoformat()
    meta = _materialize(odds_captures, config)
    click.echo(
        f"{meta['rows_read']:,} rows read, {meta['rows_kept']:,} kept for {meta['races']:,} races, "
        f"{meta['rows_new']:,} new in pmu.odds_snapshots; left out: {meta['left_out_after_start']:,} at or "
        f"after the start, {meta['left_out_unreadable']:,} unreadable ({time.perf_counter() - began:.1f} s)"
    )


@click.group()
def model() -> None:
    """The conditional-logit model used by the H-5 analysis."""


@model.command("fit")
@click.option("--from", "start", type=DATE, default=None, help="First day of history (default: a year back).")
@click.option(
    "--to", "end", type=DATE, default=None, help="Last day of history, inclusive (default: yesterday)."
)
@click.option(
    "--odds", "odds_source", type=click.Choice(ODDS_SOURCES), default="snapshots", show_default=True
)
def fit(start: date | None, end: date | None, odds_source: str) -> None:
    """Fit the model on the stored history and store it for the H-5 analysis (materializes ``gpi_model``)."""
    config: dict[str, Any] = {"odds_source": odds_source}
    if start:
        config["fit_from"] = start.isoformat()
    if end:
        config["fit_to"] = end.isoformat()
    meta = _materialize(gpi_model, config)
    click.echo(
        f"model {meta['model_version']} ({meta['config_version']}): {meta['races']} races "
        f"{meta['fitted_from']} .. {meta['fitted_to']}, in-sample log-loss {meta['in_sample_log_loss']}"
    )
    click.echo(meta["coefficients"])
    click.echo(f"out of sample: {meta['out_of_sample']}")
    click.echo(f"saved to {meta['uri']}")


@click.command("backtest")
@click.option("--from", "start", type=DATE, required=True, help="First day scored.")
@click.option("--to", "end", type=DATE, required=True, help="Last day scored, inclusive.")
@click.option(
    "--mode",
    type=click.Choice([m.replace("_", "-") for m in MODES]),
    default="walk-forward",
    show_default=True,
    help="walk-forward: refit each day on earlier days; stored: the stored model; factors: gpi.toml weights.",
)
@click.option(
    "--odds",
    "odds_source",
    type=click.Choice(ODDS_SOURCES),
    default="snapshots",
    show_default=True,
    help="snapshots: odds known at H-5/H-30; final_proxy: final odds (optimistic, for days without snapshots).",
)
@click.option(
    "--config", "config_path", default=None, help="Analysis config file (default: packaged gpi.toml)."
)
@click.option(
    "--history-days",
    type=click.IntRange(min=0),
    default=DEFAULT_HISTORY_DAYS,
    show_default=True,
    help="Days before --from read for the walk-forward fits and the edge evidence.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the bootstrap intervals.")
@click.option(
    "--decide-at",
    "decision_phase",
    default="h5",
    show_default=True,
    help="Decision instant as h<minutes before the off> (h2: the latest capture at or before H-2).",
)
@click.option(
    "--offsets",
    default=None,
    help="Also score the market and the model at these minutes before the off, and the final odds, "
    "on the same races, e.g. 60,30,15,5,2.",
)
def backtest_command(
    start: date,
    end: date,
    mode: str,
    odds_source: str,
    config_path: str | None,
    history_days: int,
    seed: int,
    decision_phase: str,
    offsets: str | None,
) -> None:
    """Decide every race of the range as the H-5 run would have, settle on official dividends, and
    compare p_finale with the market, uniform and the flat favourite. Exit 2 when there is no data."""
    config = _config(config_path)
    try:
        offset_minutes = parse_offsets(offsets) if offsets else ()
        phase_offset(decision_phase)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    resources = build_resources(load_settings())
    mode = mode.replace("-", "_")
    stored = None
    if mode == "stored":
        store = resources["files"].store()
        if not store.exists(MODEL_PATH):
            click.echo(f"no stored model at {store.uri(MODEL_PATH)}: run hippique model fit first", err=True)
            sys.exit(EXIT_NO_DATA)
        stored = model_from_json(store.read_bytes(MODEL_PATH).decode("utf-8"), store.uri(MODEL_PATH))
    began = time.perf_counter()
    bars: dict[str, tqdm] = {}

    def progress(stage: str, day: date) -> None:
        if stage not in bars:
            bars[stage] = tqdm(desc=stage, unit="day", leave=False, disable=not sys.stderr.isatty())
        bars[stage].update()
        bars[stage].set_postfix_str(day.isoformat())

    try:
        history = load_history(resources["postgres"], start - timedelta(days=history_days), end, config)
        report = backtest(
            history,
            start,
            end,
            config,
            mode=mode,
            stored_model=stored,
            odds_source=odds_source,
            progress=progress,
            seed=seed,
            decision_phase=decision_phase,
            offsets=offset_minutes,
        )
    except NoDataError as exc:
        click.echo(f"nothing to backtest: {exc}", err=True)
        sys.exit(EXIT_NO_DATA)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        for bar in bars.values():
            bar.close()
    text = report.markdown()
    name = f"reports/backtest-{start.isoformat()}-{end.isoformat()}-{mode}-{odds_source}-{decision_phase}"
    uri = resources["files"].write_bytes(f"{name}.md", text.encode(), "text/markdown")
    click.echo(report.markdown(with_days=False))
    click.echo(f"\nconfig {config.version}; report at {uri}; {time.perf_counter() - began:.1f} s")
    if report.races_scored == 0:
        click.echo("no race could be scored in the range (see the races not decided above)", err=True)
        sys.exit(EXIT_NO_DATA)
