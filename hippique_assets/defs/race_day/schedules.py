"""The race day's schedules: the morning plan, its refreshes through the day and the next-morning
consolidation, each run for a Paris racing day."""

from datetime import date, timedelta

from dagster import DefaultScheduleStatus, RunRequest, ScheduleDefinition, ScheduleEvaluationContext, schedule
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from hippique_assets.defs.race_day.jobs import consolidation_job, plan_job, refresh_plan_job
from hippique_assets.racing.plan import PARIS
from hippique_assets.settings import Settings


def _paris_day(context: ScheduleEvaluationContext, days_back: int = 0) -> date:
    return context.scheduled_execution_time.astimezone(PARIS).date() - timedelta(days=days_back)


def _daily_schedule(
    name: str,
    job: UnresolvedAssetJobDefinition,
    cron: str,
    status: DefaultScheduleStatus,
    description: str,
    *,
    days_back: int = 0,
    several_a_day: bool = False,
) -> ScheduleDefinition:
    """A schedule that runs ``job`` for a Paris racing day (``days_back`` before its tick); the run
    key holds the day, and the tick's time of day for a schedule that ticks several times a day."""

    @schedule(
        name=name,
        job=job,
        cron_schedule=cron,
        execution_timezone="Europe/Paris",
        default_status=status,
        description=description,
    )
    def daily(context: ScheduleEvaluationContext) -> RunRequest:
        day = _paris_day(context, days_back=days_back)
        key = f"{name}:{day}"
        if several_a_day:
            key += ":" + context.scheduled_execution_time.astimezone(PARIS).strftime("%H%M")
        return RunRequest(run_key=key, partition_key=day.isoformat())

    return daily


def build_schedules(settings: Settings) -> list[ScheduleDefinition]:
    status = DefaultScheduleStatus.RUNNING if settings.schedules_on else DefaultScheduleStatus.STOPPED
    return [
        _daily_schedule(
            "morning_plan",
            plan_job,
            settings.plan_cron,
            status,
            "Builds the day's plan (programme, runners, history, race partitions).",
        ),
        _daily_schedule(
            "plan_refresh",
            refresh_plan_job,
            settings.refresh_cron,
            status,
            "Refreshes today's plan: moved start times and cancellations reach the race clock.",
            several_a_day=True,
        ),
        _daily_schedule(
            "next_morning_consolidation",
            consolidation_job,
            settings.consolidation_cron,
            status,
            "Reloads yesterday's participants, performances and rapports once everything is final.",
            days_back=1,
        ),
    ]
