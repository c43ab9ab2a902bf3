"""The end-of-day operations report: a racing day's figures as numeric metadata (charted over days in
the UI's Plots tab), a markdown summary, and one ``info`` alert that says them to a person.

It reads what is stored (the plan, missed phases, the watchers' captures and gaps, tickets, alerts and
ingestion gaps in Postgres, the race runs in the Dagster instance), so any past day can be reported
again. The figures themselves are computed in :mod:`hippique_assets.racing.ops_figures`.
"""

from datetime import date

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    DagsterInstance,
    MaterializeResult,
    MetadataValue,
    asset,
)

from hippique_assets.alerts import Alert
from hippique_assets.betting.tables import TICKETS
from hippique_assets.defs.alerts.day_state import (
    due_of,
    ended_at,
    raise_alerts,
    read_capture_gaps,
    read_race_runs,
    read_table_facts,
    read_watch_captures,
)
from hippique_assets.defs.alerts.resources import NotificationsResource
from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.partitions import (
    DAILY_BACKFILL,
    daily_partitions,
    partition_days,
)
from hippique_assets.errors import first_line
from hippique_assets.lib.race_runs import RESTART_TAG
from hippique_assets.racing import ops_figures
from hippique_assets.racing.ops_figures import DayReport
from hippique_assets.racing.tables import ALERTS
from hippique_assets.storage.postgres import PostgresResource

REPORT_CONDITION = "day_report"


def read_day_report(
    postgres: PostgresResource,
    instance: DagsterInstance,
    day: date,
    *,
    measure_latency: bool,
    odds_watch: bool = True,
) -> DayReport:
    """The figures of ``day`` from Postgres and the instance; zeros for a day with nothing stored.
    ``odds_watch`` is the ``HIPPIQUE_ODDS_WATCH`` switch the report is built with."""
    facts = read_table_facts(postgres, day)
    tickets = postgres.query_frame(
        f"select count(*) as n, coalesce(sum(stake_eur), 0) as stake from {TICKETS.fullname} "
        "where race_date = %s",
        (day,),
    ).iloc[0]
    # The report's own alert is not one of the day's problems.
    alerts = postgres.query_frame(
        f"select count(*) as n from {ALERTS.fullname} where race_date = %s and condition <> %s",
        (day, REPORT_CONDITION),
    ).iloc[0]
    return ops_figures.day_report(
        day,
        planned_races=facts.planned_races,
        cancelled_races=facts.cancelled_races,
        runs=[
            ops_figures.RaceRun(
                phase,
                r.dagster_run.status.value,
                due_of(r.dagster_run),
                ended_at(r),
                restarted=RESTART_TAG in r.dagster_run.tags,
            )
            for phase, r in read_race_runs(instance, day)
        ],
        missed=[(phase, reason) for _, phase, reason in facts.missed],
        tickets=int(tickets["n"]),
        stake_eur=float(tickets["stake"] or 0),
        alerts=int(alerts["n"]),
        gaps=facts.gaps,
        measure_latency=measure_latency,
        odds_watch=odds_watch,
        watch_captures=read_watch_captures(postgres, day),
        capture_gaps=read_capture_gaps(postgres, day),
    )


def report_alert(report: DayReport) -> Alert:
    """The report as an ``info`` alert, keyed by its day so that it goes out once."""
    return Alert.create(
        "info",
        REPORT_CONDITION,
        ops_figures.summary_title(report),
        day=report.day,
        text=ops_figures.summary_lines(report),
        fields={"day": report.day.isoformat()},
    )


def _metadata_value(value: int | float) -> MetadataValue:
    return MetadataValue.int(value) if isinstance(value, int) else MetadataValue.float(value)


def build_ops_report(*, odds_watch: bool = True) -> AssetsDefinition:
    """The ``ops_report`` asset for the ``HIPPIQUE_ODDS_WATCH`` switch of the settings the definitions
    are built with: switched off, the report expects no watcher and says so."""

    @asset(
        name="ops_report",
        partitions_def=daily_partitions,
        # As the ledger it follows in the ledger job: a backfill reports a month per run.
        backfill_policy=DAILY_BACKFILL,
        group_name="race_day",
        kinds={"report"},
        deps=[AssetKey("ticket_ledger")],
    )
    def ops_report(
        context: AssetExecutionContext,
        postgres: PostgresResource,
        notifications: NotificationsResource,
        clock: ClockResource,
    ) -> MaterializeResult:
        """The day's operations figures, after the ledger: races planned and cancelled; race runs per
        phase (H-30, H-10 watch, H-5, last call, H+15) requested, succeeded, failed and missed, and the
        success rate; missed phases by reason; p50, p95 and max latency from each phase's due instant
        to the end of its successful runs, which for H-5 and the last call is when the decision is
        stored (not measured on a simulated clock, nor for the watchers, which run until the off); the
        watchers' restarts, minute captures and capture gaps (``racing.odds_capture_gaps``), or that
        they are switched off; tickets and stake; alerts raised; ingestion gaps.

        Each figure is numeric metadata, so the Plots tab charts it over days. The summary is sent once
        per day as an ``info`` alert (``day_report``); a notification channel that fails never fails
        the report. Any past day can be reported from what is stored; a day without racing reports
        zeros."""
        real_clock = clock.spec == "real"
        days = partition_days(context)
        for day in days:
            report = read_day_report(
                postgres, context.instance, day, measure_latency=real_clock, odds_watch=odds_watch
            )
            notified = _notify(context, postgres, notifications, report, clock)
            context.log.info(f"{day}: {ops_figures.summary_title(report)}; {notified}")
            metadata = {
                **{
                    name: _metadata_value(value)
                    for name, value in ops_figures.numeric_figures(report).items()
                },
                "summary": MetadataValue.md(ops_figures.summary_markdown(report)),
                "notification": MetadataValue.text(notified),
            }
            if len(days) == 1:
                return MaterializeResult(metadata=metadata)
            context.add_asset_metadata(metadata, partition_key=day.isoformat())
        return MaterializeResult()

    return ops_report


def _notify(
    context: AssetExecutionContext,
    postgres: PostgresResource,
    notifications: NotificationsResource,
    report: DayReport,
    clock: ClockResource,
) -> str:
    """Send the report once; what became of it, in words."""
    try:
        raised = raise_alerts(postgres, notifications, [report_alert(report)], clock.now())
    except Exception as exc:  # the figures are the product: a notification problem only warns
        context.log.warning(f"the report of {report.day} was not sent: {first_line(exc)}")
        return f"not sent: {type(exc).__name__}"
    if not raised:
        return "already sent"
    [(_, deliveries)] = raised
    if not deliveries:
        return "recorded in racing.alerts (no channel configured)"
    failed = [d for d in deliveries if not d.ok]
    for delivery in failed:
        context.log.warning(f"report not delivered on {delivery.channel}: {delivery.error}")
    return f"sent on {len(deliveries) - len(failed)} of {len(deliveries)} channel(s)"
