"""The analysis's history assets: recorded odds captures, the fitted GPI model and the backtest.

``odds_captures`` imports recorded pre-start captures into ``pmu.odds_snapshots`` with their real
capture times; ``gpi_model`` fits the conditional logit on the stored history (walk-forward
evidence, post-time payout) and writes the file the H-5 analysis reads; ``backtest_report``
decides and settles a period exactly as the H-5 run would have. The maths is in
:mod:`hippique_assets.analysis`.
"""

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from dagster import (
    AssetDep,
    AssetExecutionContext,
    AssetKey,
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)
from pydantic import Field

from hippique_assets.analysis.backtest import (
    MODES,
    BacktestReport,
    NoDataError,
    backtest,
    fit_live_model,
    load_history,
)
from hippique_assets.analysis.config import AnalysisConfig, ConfigError, load_config
from hippique_assets.analysis.model import FittedModel, model_to_json
from hippique_assets.analysis.pipeline import ODDS_SOURCES
from hippique_assets.analysis.report import cumulative_profit, report_figures
from hippique_assets.analysis.snapshots import (
    CAPTURE_PHASE,
    CaptureFileError,
    CaptureImport,
    read_capture_file,
)
from hippique_assets.betting import plots
from hippique_assets.betting.safe_text import csv_bytes
from hippique_assets.defs.betting.resources import MODEL_PATH, AnalysisResource
from hippique_assets.lib.table_assets import table_metadata
from hippique_assets.pmu.schema.live_odds import ODDS_SNAPSHOTS
from hippique_assets.pmu.schema.participants import PARTICIPANTS
from hippique_assets.storage.files import FilesResource
from hippique_assets.storage.postgres import PostgresResource

MODEL_GROUP = "model"
DEFAULT_HISTORY_DAYS = 365
# The history a model or a backtest reads: the daily tables and every stored odds snapshot.
HISTORY_DEPS = [AssetDep(AssetKey(key)) for key in ("races", "participants", "performances", "dividends")] + [
    AssetDep(AssetKey(key)) for key in ("odds_snapshot_h30", "odds_snapshot_h5", "odds_captures")
]


def analysis_code_version(config_path: str | None) -> str:
    """The version of the analysis config at ``config_path`` (default: the packaged one): the code
    version of every asset that applies it.

    An unreadable config gives ``invalid-config`` rather than an error, so that loading the
    definitions never fails on it: the runs that need the config report it.
    """
    try:
        return load_config(config_path).version
    except ConfigError:
        return "invalid-config"


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Failure(f"{name} must be a date YYYY-MM-DD, got {value!r}") from None


def load_captures(
    postgres: PostgresResource, path: str | Path, since: date | None, until: date | None
) -> tuple[CaptureImport, int]:
    """Read a capture file and append its rows to ``pmu.odds_snapshots`` (idempotent: a capture
    already stored is left as it is). Returns the import and the number of rows that were new."""
    imported = read_capture_file(path, since, until)
    rows = imported.rows
    if rows.empty:
        return imported, 0
    keys = sorted(set(rows["race_key"]))
    horses = (
        postgres.query_frame(
            "select race_key, number, horse_id from pmu.participants where race_key = any(%(keys)s)",
            {"keys": keys},
        )
        if postgres.table_exists(PARTICIPANTS.fullname)
        else pd.DataFrame(columns=["race_key", "number", "horse_id"])
    )
    if not horses.empty:
        index = {
            (k, int(n)): h
            for k, n, h in zip(horses["race_key"], horses["number"], horses["horse_id"], strict=True)
        }
        rows = rows.assign(
            horse_id=pd.Series(
                [index.get((k, int(n))) for k, n in zip(rows["race_key"], rows["number"], strict=True)],
                index=rows.index,
                dtype=object,
            )
        )
    count_sql = f"select count(*) as n from {ODDS_SNAPSHOTS.fullname} where phase = %(phase)s"
    before = int(postgres.query_frame(count_sql, {"phase": CAPTURE_PHASE})["n"].iloc[0])
    postgres.write_frame(ODDS_SNAPSHOTS, rows)
    after = int(postgres.query_frame(count_sql, {"phase": CAPTURE_PHASE})["n"].iloc[0])
    return imported, after - before


class CapturesConfig(Config):
    """Where the recorded captures are and which racing days to import."""

    file: str = Field(description="CSV (gzip allowed) of pre-start captures, one row per runner")
    since: str | None = Field(default=None, description="First racing day to import (YYYY-MM-DD)")
    until: str | None = Field(default=None, description="Last racing day to import, inclusive")


@asset(group_name=MODEL_GROUP, kinds={"postgres"}, metadata=table_metadata(ODDS_SNAPSHOTS))
def odds_captures(
    context: AssetExecutionContext, config: CapturesConfig, postgres: PostgresResource
) -> MaterializeResult:
    """Recorded pre-start odds captures appended to ``pmu.odds_snapshots`` (phase ``capture``) with
    their real capture times, so a backtest decides on the odds known at H-5 and H-30."""
    try:
        imported, written = load_captures(
            postgres, config.file, _day(config.since, "since"), _day(config.until, "until")
        )
    except CaptureFileError as exc:
        raise Failure(str(exc)) from None
    context.log.info(
        f"{config.file}: {imported.read} rows read, {len(imported.rows)} kept for {imported.races} races, "
        f"{written} new; left out: {imported.outside_range} outside the range, "
        f"{imported.after_start} at or after the start, {imported.unreadable} unreadable"
    )
    return MaterializeResult(
        metadata={
            "file": MetadataValue.path(config.file),
            "rows_read": imported.read,
            "rows_kept": len(imported.rows),
            "rows_new": written,
            "races": imported.races,
            "left_out_after_start": imported.after_start,
            "left_out_unreadable": imported.unreadable,
        }
    )


class ModelFitConfig(Config):
    """The history the model is fitted on (default: the year up to yesterday)."""

    fit_from: str | None = Field(default=None, description="First racing day of the history (YYYY-MM-DD)")
    fit_to: str | None = Field(default=None, description="Last racing day, inclusive (default: yesterday)")
    odds_source: str = Field(default="snapshots", description="snapshots, or final_proxy (optimistic)")


def _analysis_config(analysis: AnalysisResource) -> AnalysisConfig:
    try:
        return analysis.config()
    except ConfigError as exc:
        raise Failure(str(exc)) from None


def _coef_table(model: FittedModel) -> str:
    frame = pd.DataFrame(
        {"feature": list(model.features), "coefficient": [round(float(c), 4) for c in model.coef]}
    )
    return frame.to_markdown(index=False)


@asset(
    group_name=MODEL_GROUP,
    kinds={"python", "file"},
    deps=HISTORY_DEPS,
)
def gpi_model(
    context: AssetExecutionContext,
    config: ModelFitConfig,
    postgres: PostgresResource,
    files: FilesResource,
    analysis: AnalysisResource,
) -> MaterializeResult:
    """The conditional logit the H-5 analysis uses, fitted on the stored history as the H-5 run sees
    it (odds known at H-5 and H-30), with its walk-forward out-of-sample evidence against the
    market and the expected post-time payout. Written to the files store for ``race_analysis_h5``."""
    settings = _analysis_config(analysis)
    if config.odds_source not in ODDS_SOURCES:
        raise Failure(f"odds_source must be one of {ODDS_SOURCES}, got {config.odds_source!r}")
    until = _day(config.fit_to, "fit_to") or (date.today() - timedelta(days=1))
    since = _day(config.fit_from, "fit_from") or (until - timedelta(days=DEFAULT_HISTORY_DAYS))
    try:
        history = load_history(postgres, since, until, settings)
        model, period = fit_live_model(history, settings, odds_source=config.odds_source)
    except (NoDataError, ValueError) as exc:
        raise Failure(str(exc)) from None
    data = model_to_json(model).encode()
    uri = files.write_bytes(MODEL_PATH, data, "application/json")
    files.write_bytes(f"models/{model.version}.json", data, "application/json")
    evidence = model.evidence.describe() if model.evidence is not None else "none (too few races)"
    skipped = period.races[period.races["status"] != "ok"]
    context.log.info(
        f"model {model.version} on {model.n_races} races ({model.fitted_from} .. {model.fitted_to}); "
        f"out of sample: {evidence}; {len(skipped)} races not decidable"
    )
    return MaterializeResult(
        metadata={
            "model_version": model.version,
            "config_version": settings.version,
            "odds_source": config.odds_source,
            "fitted_from": model.fitted_from.isoformat(),
            "fitted_to": model.fitted_to.isoformat(),
            "races": model.n_races,
            "runners": model.n_runners,
            "in_sample_log_loss": round(model.log_loss, 4),
            "coefficients": MetadataValue.md(_coef_table(model)),
            "out_of_sample": evidence,
            "payout_ratios": MetadataValue.md(pd.DataFrame(model.payout.table()).to_markdown(index=False)),
            "races_not_decidable": len(skipped),
            "uri": MetadataValue.path(uri) if not uri.startswith("gs://") else MetadataValue.url(uri),
        }
    )


class BacktestConfig(Config):
    """The period to backtest and how p_finale is made (default: the last third of the racing days)."""

    start: str | None = Field(default=None, description="First day scored (YYYY-MM-DD)")
    end: str | None = Field(default=None, description="Last day scored, inclusive")
    mode: str = Field(default="walk_forward", description="walk_forward, stored or factors")
    odds_source: str = Field(default="snapshots", description="snapshots, or final_proxy (optimistic)")
    decision_phase: str = Field(
        default="h5", description="Decision instant, h<minutes before the off> (h2: latest capture at H-2)"
    )
    offsets: list[int] = Field(
        default_factory=list,
        description="Also score market and model at these minutes before the off, e.g. [60, 30, 15, 5, 2]",
    )


def default_range(postgres: PostgresResource) -> tuple[date, date]:
    """The last third of the stored racing days."""
    days = postgres.query_frame("select distinct race_date from pmu.races order by 1")
    if days.empty:
        raise Failure("pmu.races is empty: ingest some days first")
    listed = sorted(pd.to_datetime(days["race_date"]).dt.date)
    return listed[len(listed) - max(1, len(listed) // 3)], listed[-1]


def _number(value: int | float) -> MetadataValue:
    # Typed numbers, so the asset's Plots tab charts them over its materializations.
    return MetadataValue.int(value) if isinstance(value, int) else MetadataValue.float(value)


def report_metadata(report: BacktestReport) -> dict[str, Any]:
    """Materialization metadata of a backtest: its figures as numbers (races, tickets, stake,
    return, profit, ROI, log-loss and Brier of p_finale and of the market, abstentions by reason),
    the scores table, and the cumulative profit and calibration plots."""
    meta: dict[str, Any] = {
        "mode": report.mode,
        "odds_source": report.odds_source,
        "optimistic": report.optimistic,
    }
    meta.update({name: _number(value) for name, value in report_figures(report).items()})
    if not report.scores.empty:
        meta["scores"] = MetadataValue.md(report.scores.round(4).to_markdown(index=False))
    meta["cumulative_profit"] = MetadataValue.md(
        plots.markdown_image(
            plots.cumulative_profit_png(cumulative_profit(report), "no settled ticket in the range"),
            "cumulative profit",
        )
    )
    rows = pd.DataFrame(columns=["p_finale", "won", "p_market_shin"])
    if not report.scored.empty:
        single = report.scored.groupby("race_key")["won"].transform("sum") == 1
        rows = report.scored[single]
    meta["calibration"] = MetadataValue.md(
        plots.markdown_image(
            plots.calibration_png(
                rows["p_finale"].tolist(),
                rows["won"].tolist(),
                reference=rows["p_market_shin"].tolist(),
                empty_message="no race scored in the range",
            ),
            "calibration",
        )
    )
    if report.notes:
        meta["notes"] = " ".join(report.notes)
    return meta


@asset(
    group_name=MODEL_GROUP,
    kinds={"python", "file"},
    deps=[*HISTORY_DEPS, AssetDep(AssetKey("gpi_model"))],
)
def backtest_report(
    context: AssetExecutionContext,
    config: BacktestConfig,
    postgres: PostgresResource,
    files: FilesResource,
    analysis: AnalysisResource,
) -> MaterializeResult:
    """A period decided and settled as the live H-5 run would have: log-loss and Brier of p_finale,
    of the market (Shin, proportional) and uniform with SEs over days, calibration by decile,
    tickets and ROI by bet type with bootstrap intervals, the flat-favourite baseline, abstentions
    by reason and the races skipped (no H-5 odds, impossible market)."""
    settings = _analysis_config(analysis)
    if config.mode not in MODES:
        raise Failure(f"mode must be one of {MODES}, got {config.mode!r}")
    if config.odds_source not in ODDS_SOURCES:
        raise Failure(f"odds_source must be one of {ODDS_SOURCES}, got {config.odds_source!r}")
    start, end = _day(config.start, "start"), _day(config.end, "end")
    if start is None or end is None:
        first, last = default_range(postgres)
        start, end = start or first, end or last
    stored = analysis.model(files) if config.mode == "stored" else None
    try:
        # The walk-forward and its evidence need the days before the range as well.
        history = load_history(postgres, start - timedelta(days=DEFAULT_HISTORY_DAYS), end, settings)
        report = backtest(
            history,
            start,
            end,
            settings,
            mode=config.mode,
            stored_model=stored,
            odds_source=config.odds_source,
            decision_phase=config.decision_phase,
            offsets=tuple(config.offsets),
        )
    except (NoDataError, ValueError) as exc:
        raise Failure(str(exc)) from None
    if report.races_scored == 0:
        skipped = report.skipped
        reasons = dict(zip(skipped["reason"], skipped["races"], strict=True)) if not skipped.empty else {}
        raise Failure(
            f"no race of {start} .. {end} could be decided ({len(report.races)} races stored; skipped: "
            f"{reasons or 'none'}): load odds captures (hippique snapshots load), play race days, or "
            "use odds_source final_proxy (optimistic)",
            allow_retries=False,
        )
    text = report.markdown()
    name = f"reports/backtest-{start.isoformat()}-{end.isoformat()}-{config.mode}-{config.odds_source}"
    uri = files.write_bytes(f"{name}.md", text.encode(), "text/markdown")
    if not report.races.empty:
        files.write_bytes(f"{name}-races.csv", csv_bytes(report.races), "text/csv")
    context.log.info(f"backtest {start} .. {end} ({config.mode}): {report.races_scored} races scored; {uri}")
    for note in report.notes:
        context.log.warning(note)
    metadata = report_metadata(report)
    metadata["report"] = MetadataValue.md(report.markdown(with_days=False))
    if report.offsets is not None and not report.offsets.scores.empty:
        metadata["offsets"] = MetadataValue.md(report.offsets.markdown())
    metadata["uri"] = MetadataValue.path(uri) if not uri.startswith("gs://") else MetadataValue.url(uri)
    return MaterializeResult(metadata=metadata)


MODEL_ASSETS = [odds_captures, gpi_model, backtest_report]
