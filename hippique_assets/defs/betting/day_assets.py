"""Per-day betting assets: the ledger of tickets and results, its Excel workbook and files, and the
season view over a range of days."""

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetKey,
    Config,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)
from pydantic import Field
from sqlalchemy import Table

from hippique_assets.betting import ledger as ledger_logic
from hippique_assets.betting import plots, safe_text, season
from hippique_assets.betting.tables import DECISIONS, LEDGER, RUNNER_ANALYSIS, SETTLEMENTS, TICKETS
from hippique_assets.defs.betting.model import _day
from hippique_assets.defs.betting.race_assets import BETTING_GROUP
from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.partitions import (
    DAILY_BACKFILL,
    across_days,
    daily_partitions,
    partition_days,
)
from hippique_assets.lib.table_assets import PG_IO_MANAGER, table_metadata
from hippique_assets.racing.results import RACE_RESULTS
from hippique_assets.racing.tables import RACE_PLAN
from hippique_assets.storage.files import FilesResource
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets.storage.tables import column_names


def _rows_by_day(postgres: PostgresResource, table: str, days: list[date]) -> dict[date, pd.DataFrame]:
    """The rows of ``days`` in ``table``, read in one query and split by day."""
    frame = postgres.query_frame(f"select * from {table} where race_date = any(%s)", (days,))
    return {day: frame[frame["race_date"] == day].reset_index(drop=True) for day in days}


def day_ledgers(
    postgres: PostgresResource, days: list[date]
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]]:
    """Per day, its ledger rows with the runner analyses and results they were scored on."""
    specs = (DECISIONS, TICKETS, SETTLEMENTS, RUNNER_ANALYSIS, RACE_RESULTS)
    rows = {spec.name: _rows_by_day(postgres, spec.fullname, days) for spec in specs}
    for day in days:
        ledger = ledger_logic.race_ledger(day, *(rows[spec.name][day] for spec in specs))
        yield ledger, rows[RUNNER_ANALYSIS.name][day], rows[RACE_RESULTS.name][day]


@asset(
    partitions_def=daily_partitions,
    backfill_policy=DAILY_BACKFILL,
    group_name=BETTING_GROUP,
    io_manager_key=PG_IO_MANAGER,
    metadata=table_metadata(LEDGER),
    kinds={"postgres", "pandas"},
    deps=[across_days(key) for key in ("race_decision", "ticket_settlement", "race_analysis_h5")],
)
def ticket_ledger(context: AssetExecutionContext, postgres: PostgresResource) -> pd.DataFrame:
    """The day's ledger: per race stakes, returns, ROI, and Brier score and log-loss of p_finale and
    of the market against the arrival."""
    ledgers = []
    days = partition_days(context)
    for day, (day_ledger, analysis, result) in zip(days, day_ledgers(postgres, days), strict=True):
        ledgers.append(day_ledger)
        # Each day's own summary and plots: a run over several days would show its totals on each.
        context.add_asset_metadata(
            _ledger_metadata(day_ledger, analysis, result), partition_key=day.isoformat()
        )
    filled = [f for f in ledgers if not f.empty]
    ledger = pd.concat(filled, ignore_index=True) if filled else ledgers[0]
    summary = ledger_logic.summarize_day(ledger)
    context.log.info(
        f"{len(ledgers)} day(s): {summary.races} races, stake {summary.stake_eur:.2f}, "
        f"return {summary.return_eur:.2f} EUR"
    )
    return ledger


def _number(value: int | float) -> MetadataValue:
    # Typed numbers, so the asset's Plots tab charts them over the days.
    return MetadataValue.int(value) if isinstance(value, int) else MetadataValue.float(value)


def _ledger_metadata(ledger: pd.DataFrame, analysis: pd.DataFrame, result: pd.DataFrame) -> dict[str, object]:
    """A day's ledger: its figures as numbers (stake, return, profit, ROI, tickets, scores of
    p_finale and of the market, abstentions by reason), the summary, the cumulative ROI and the
    calibration of its analyses."""
    summary = ledger_logic.summarize_day(ledger)
    metadata: dict[str, object] = {
        "summary": MetadataValue.md(ledger_logic.summary_markdown(summary)),
    }
    figures = {
        **ledger_logic.summary_figures(summary),
        **ledger_logic.abstentions_by_reason(ledger),
    }
    metadata.update({name: _number(value) for name, value in figures.items()})
    metadata["cumulative_roi"] = MetadataValue.md(
        plots.markdown_image(plots.cumulative_roi_png(ledger, "no race bet on this day"), "ROI")
    )
    p_finale: list[float] = []
    won: list[bool] = []
    if not analysis.empty and not result.empty:
        winners = result.set_index("race_key")["arrival_order"].map(lambda a: a[0] if a else None).dropna()
        # Only races with a known winner: a race whose result never came is not calibration evidence.
        resulted = analysis[analysis["race_key"].isin(winners.index)]
        p_finale = resulted["p_finale"].astype(float).tolist()
        won = (resulted["number"].astype(int) == resulted["race_key"].map(winners).astype(int)).tolist()
    metadata["calibration"] = MetadataValue.md(
        plots.markdown_image(
            plots.calibration_png(p_finale, won, empty_message="no analysed race with a result on this day"),
            "calibration",
        )
    )
    return metadata


@asset(
    partitions_def=daily_partitions,
    backfill_policy=DAILY_BACKFILL,
    group_name=BETTING_GROUP,
    kinds={"excel", "file"},
    deps=[AssetKey("ticket_ledger"), AssetKey("race_plan")],
)
def betting_workbook(
    context: AssetExecutionContext, postgres: PostgresResource, files: FilesResource
) -> MaterializeResult:
    """The day's Excel workbook (Planning, ROI prévisionnel, ROI observé, Suivi, keyed by date, R, C)
    and the tickets as JSON and CSV, written to the files store (local folder or GCS)."""
    # openpyxl takes a fifth of a second to import: only this asset's runs pay for it.
    from hippique_assets.betting import workbook

    files_of: dict[date, dict[str, str]] = {}
    days = partition_days(context)
    plans, tickets_of, settlements_of, ledgers = (
        _rows_by_day(postgres, spec.fullname, days) for spec in (RACE_PLAN, TICKETS, SETTLEMENTS, LEDGER)
    )
    for day in days:
        plan, tickets, settlements, ledger = plans[day], tickets_of[day], settlements_of[day], ledgers[day]
        data = workbook.build_workbook(plan, tickets, settlements, ledger)
        base = f"artifacts/betting/{day.isoformat()}"
        files_of[day] = written = {
            "workbook": files.write_bytes(
                f"{base}/hippique-{day.isoformat()}.xlsx",
                data,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            "tickets_csv": files.write_bytes(f"{base}/tickets.csv", safe_text.csv_bytes(tickets), "text/csv"),
            "tickets_json": files.write_bytes(
                f"{base}/tickets.json", safe_text.json_bytes(tickets), "application/json"
            ),
        }
        context.add_asset_metadata(
            {"bytes": len(data), "tickets": len(tickets)}, partition_key=day.isoformat()
        )
        context.log.info(
            f"{day}: workbook with {len(plan)} races and {len(tickets)} tickets at {written['workbook']}"
        )
    return MaterializeResult(metadata=_file_links(files_of))


def _file_links(files_of: dict[date, dict[str, str]]) -> dict[str, MetadataValue]:
    """Links to a day's files; for a run over several days, a table naming each day's files (shown
    on every day of the range; the bytes and tickets are each day's own)."""
    if len(files_of) == 1:
        [written] = files_of.values()
        return {
            name: MetadataValue.url(uri) if uri.startswith("gs://") else MetadataValue.path(uri)
            for name, uri in written.items()
        }
    rows = "\n".join(
        f"| {day} | {written['workbook']} | {written['tickets_csv']} | {written['tickets_json']} |"
        for day, written in sorted(files_of.items())
    )
    return {
        "files": MetadataValue.md(
            f"| day | workbook | tickets_csv | tickets_json |\n|---|---|---|---|\n{rows}"
        )
    }


class SeasonConfig(Config):
    """The range of the season view: ``start`` .. ``end``, or the ``last_days`` up to ``end``."""

    start: str | None = Field(
        default=None, description="First racing day (YYYY-MM-DD); default: last_days before end"
    )
    end: str | None = Field(
        default=None, description="Last racing day, inclusive (default: the ledger's last settled day)"
    )
    last_days: int = Field(default=30, ge=1, description="Days in the range when start is not given")


def _rows_in_range(postgres: PostgresResource, spec: Table, start: date, end: date) -> pd.DataFrame:
    """The rows of ``start`` .. ``end`` in ``spec``'s table; none when the table does not exist yet."""
    if not postgres.table_exists(spec.fullname):
        return pd.DataFrame(columns=column_names(spec))
    return postgres.query_frame(
        f"select * from {spec.fullname} where race_date between %s and %s", (start, end)
    )


def season_range(postgres: PostgresResource, config: SeasonConfig, today: date) -> tuple[date, date]:
    """The configured range; without ``end``, the ledger's last settled day (else ``today``)."""
    end = _day(config.end, "end")
    if end is None:
        end = today
        if postgres.table_exists(LEDGER.fullname):
            last = postgres.query_frame(f"select max(race_date) as day from {LEDGER.fullname} where settled")
            if not last.empty and last["day"].iloc[0] is not None and not pd.isna(last["day"].iloc[0]):
                end = pd.Timestamp(last["day"].iloc[0]).date()
    start = _day(config.start, "start") or end - timedelta(days=config.last_days - 1)
    if end < start:
        raise Failure(f"the season's end {end} is before its start {start}")
    return start, end


@asset(
    group_name=BETTING_GROUP,
    kinds={"pandas", "file"},
    deps=[AssetKey("ticket_ledger"), AssetKey("race_plan")],
)
def betting_season(
    context: AssetExecutionContext,
    config: SeasonConfig,
    postgres: PostgresResource,
    files: FilesResource,
    clock: ClockResource,
) -> MaterializeResult:
    """The season view over a date range (default: the 30 days up to the ledger's last settled
    day): cumulative profit and drawdown, ROI by bet type, by discipline and by hippodrome, and
    calibration by H-5 odds band, on the settled races of ``betting.ledger``. Its figures are
    numbers in the metadata (charted over materializations in the Plots tab); its plots and tables
    open from the metadata, and the whole view is written as a markdown report to the files store.
    A range without settled tickets says so and succeeds."""
    start, end = season_range(postgres, config, clock.now().date())
    ledger, settlements, analysis = (
        _rows_in_range(postgres, spec, start, end) for spec in (LEDGER, SETTLEMENTS, RUNNER_ANALYSIS)
    )
    view = season.season_view(
        start,
        end,
        ledger,
        settlements,
        analysis,
        _rows_in_range(postgres, RACE_RESULTS, start, end),
        _rows_in_range(postgres, RACE_PLAN, start, end),
    )
    uri = files.write_bytes(
        f"reports/season-{start.isoformat()}-{end.isoformat()}.md",
        season.report_markdown(view).encode(),
        "text/markdown",
    )
    message = view.empty_message
    if message is not None:
        context.log.info(message)
    figures = view.figures()
    context.log.info(
        f"season {view.range_text}: {figures['races']} settled races, {figures['tickets']} tickets, "
        f"profit {figures['profit_eur']:+.2f} EUR; {uri}"
    )
    metadata: dict[str, Any] = {
        "range": view.range_text,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "summary": MetadataValue.md(season.summary_markdown(view)),
    }
    if message is not None:
        metadata["empty"] = message
    metadata.update({name: _number(value) for name, value in figures.items()})
    for name, png in season.images(view).items():
        metadata[name] = MetadataValue.md(plots.markdown_image(png, name.replace("_", " ")))
    for name, table in season.tables_markdown(view).items():
        metadata[f"table_{name}"] = MetadataValue.md(table)
    metadata["report"] = MetadataValue.url(uri) if uri.startswith("gs://") else MetadataValue.path(uri)
    return MaterializeResult(metadata=metadata)
