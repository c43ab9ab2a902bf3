"""Race-day automation: the morning plan, its refreshes, the next-morning consolidation, the race
clock that launches per-race runs, and a failure sensor for those runs.

The race clock never calls the PMU API: it reads ``racing.race_plan`` with one query per tick and
leaves the decision to :func:`hippique_assets.racing.race_clock.evaluate`.
"""

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import psycopg2
from dagster import (
    AddDynamicPartitionsRequest,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    schedule,
    sensor,
)

from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.jobs import PHASE_JOBS, consolidation_job, plan_job, refresh_plan_job
from hippique_assets.defs.partitions import RACES_PARTITIONS_NAME
from hippique_assets.racing.plan import PARIS
from hippique_assets.racing.race_clock import LOOKAHEAD, LOOKBACK, Evaluation, PhaseRun, PlannedRace, evaluate
from hippique_assets.racing.tables import MISSED_RUNS, RACE_PLAN
from hippique_assets.settings import Settings, load_settings
from hippique_assets.storage.postgres import PostgresResource

RACE_CLOCK_INTERVAL_S = 30
PHASE_TAG = "hippique/phase"
DUE_TAG = "hippique/due"
RACE_TAG = "hippique/race"

PLAN_WINDOW_SQL = (
    f"select race_key, start_utc, cancelled from {RACE_PLAN.qualified_name} "
    "where start_utc >= %(since)s and start_utc <= %(until)s"
)


def read_plan_window(postgres: PostgresResource, now: datetime) -> list[PlannedRace] | None:
    """Races whose phases may be due around ``now``; None when no plan was ever built."""
    try:
        frame = postgres.query_frame(
            PLAN_WINDOW_SQL, {"since": now - LOOKBACK - timedelta(minutes=1), "until": now + LOOKAHEAD}
        )
    except psycopg2.errors.UndefinedTable:
        return None
    return [
        PlannedRace(key, start.to_pydatetime(), bool(cancelled))
        for key, start, cancelled in zip(
            frame["race_key"], frame["start_utc"], frame["cancelled"], strict=True
        )
    ]


def _previous_tick(cursor: str | None) -> datetime | None:
    if not cursor:
        return None
    try:
        return datetime.fromisoformat(json.loads(cursor)["last_tick"])
    except (ValueError, KeyError, TypeError):
        return None


def run_request(run: PhaseRun, now: datetime) -> RunRequest:
    late_s = int((now - run.due).total_seconds())
    return RunRequest(
        run_key=run.run_key,
        job_name=PHASE_JOBS[run.phase].name,
        partition_key=run.race_key,
        tags={
            PHASE_TAG: run.phase,
            DUE_TAG: run.due.isoformat(),
            RACE_TAG: run.race_key,
            "hippique/late_s": str(late_s),
        },
    )


def record_missed(postgres: PostgresResource, missed: Sequence[PhaseRun], now: datetime) -> None:
    postgres.ensure_table(MISSED_RUNS)
    with postgres.connection() as conn, conn.cursor() as cur:
        for run in missed:
            cur.execute(
                f"insert into {MISSED_RUNS.qualified_name} (run_key, race_key, phase, due_utc, detected_at) "
                "values (%s, %s, %s, %s, %s) on conflict (run_key) do nothing",
                (run.run_key, run.race_key, run.phase, run.due, now),
            )


def race_clock_tick(
    context: SensorEvaluationContext, postgres: PostgresResource, now: datetime
) -> tuple[SensorResult | SkipReason, Evaluation | None]:
    """One evaluation of the race clock at ``now`` (shared by the sensor and ``hippique day``)."""
    cursor = json.dumps({"last_tick": now.isoformat()})
    races = read_plan_window(postgres, now)
    if races is None:
        return SensorResult(skip_reason="no race plan yet: run plan_day first", cursor=cursor), None
    evaluation = evaluate(races, now, previous_tick=_previous_tick(context.cursor))
    if evaluation.missed:
        record_missed(postgres, evaluation.missed, now)
        for run in evaluation.missed:
            context.log.warning(
                f"missed {run.run_key}: grace window closed {now - run.due} after it was due; not fired"
            )
    requests = [run_request(run, now) for run in evaluation.due]
    keys = sorted({run.race_key for run in evaluation.due})
    unknown = [k for k in keys if not context.instance.has_dynamic_partition(RACES_PARTITIONS_NAME, k)]
    partition_requests = [AddDynamicPartitionsRequest(RACES_PARTITIONS_NAME, unknown)] if unknown else []
    skip = None
    if not requests:
        upcoming = (
            f"next at {evaluation.next_due.isoformat()}" if evaluation.next_due else "nothing planned ahead"
        )
        skip = f"{len(races)} races in window, nothing due; {upcoming}"
    return (
        SensorResult(
            run_requests=requests,
            dynamic_partitions_requests=partition_requests,
            cursor=cursor,
            skip_reason=skip,
        ),
        evaluation,
    )


def build_race_clock_sensor(settings: Settings) -> SensorDefinition:
    @sensor(
        name="race_clock",
        jobs=list(PHASE_JOBS.values()),
        minimum_interval_seconds=RACE_CLOCK_INTERVAL_S,
        default_status=DefaultSensorStatus.RUNNING if settings.automation_on else DefaultSensorStatus.STOPPED,
        description="Launches each race's H-30 and H-5 snapshots and its H+15 result from racing.race_plan. "
        "Late ticks inside the grace window (20 min, 4 min, 6 h) still fire; missed phases are "
        "logged and kept in racing.missed_runs.",
    )
    def race_clock(
        context: SensorEvaluationContext, postgres: PostgresResource, clock: ClockResource
    ) -> SensorResult:
        now = clock.now()
        result, _ = race_clock_tick(context, postgres, now)
        return result

    return race_clock


def _paris_day(context: ScheduleEvaluationContext, days_back: int = 0) -> date:
    return context.scheduled_execution_time.astimezone(PARIS).date() - timedelta(days=days_back)


def build_schedules(settings: Settings) -> list[ScheduleDefinition]:
    status = DefaultScheduleStatus.RUNNING if settings.automation_on else DefaultScheduleStatus.STOPPED

    @schedule(
        name="morning_plan",
        job=plan_job,
        cron_schedule=settings.plan_cron,
        execution_timezone="Europe/Paris",
        default_status=status,
        description="Builds the day's plan (programme, runners, history, race partitions).",
    )
    def morning_plan(context: ScheduleEvaluationContext) -> RunRequest:
        day = _paris_day(context)
        return RunRequest(run_key=f"plan:{day}", partition_key=day.isoformat())

    @schedule(
        name="plan_refresh",
        job=refresh_plan_job,
        cron_schedule=settings.refresh_cron,
        execution_timezone="Europe/Paris",
        default_status=status,
        description="Refreshes today's plan: moved start times and cancellations reach the race clock.",
    )
    def plan_refresh(context: ScheduleEvaluationContext) -> RunRequest:
        day = _paris_day(context)
        stamp = context.scheduled_execution_time.astimezone(PARIS).strftime("%H%M")
        return RunRequest(run_key=f"refresh:{day}:{stamp}", partition_key=day.isoformat())

    @schedule(
        name="next_morning_consolidation",
        job=consolidation_job,
        cron_schedule=settings.consolidation_cron,
        execution_timezone="Europe/Paris",
        default_status=status,
        description="Reloads yesterday's participants, performances and rapports once everything is final.",
    )
    def consolidation(context: ScheduleEvaluationContext) -> RunRequest:
        day = _paris_day(context, days_back=1)
        return RunRequest(run_key=f"consolidate:{day}", partition_key=day.isoformat())

    return [morning_plan, plan_refresh, consolidation]


@run_failure_sensor(
    name="race_run_failures",
    monitored_jobs=list(PHASE_JOBS.values()),
    default_status=DefaultSensorStatus.RUNNING,
    description="Tags failed race runs with the failing step and error so they can be filtered in the UI.",
)
def race_run_failures(context: RunFailureSensorContext) -> None:
    run = context.dagster_run
    failure = context.failure_event
    message = (failure.message or "failed")[:500] if failure else "failed"
    step = failure.step_key if failure and failure.step_key else "run"
    context.instance.add_run_tags(
        run.run_id, {"hippique/failed_step": step, "hippique/failure": message[:200]}
    )
    context.log.error(f"race run {run.job_name} {run.tags.get(RACE_TAG, '?')} failed at {step}: {message}")


def build_automation(
    settings: Settings | None = None,
) -> tuple[list[ScheduleDefinition], list[SensorDefinition]]:
    settings = settings or load_settings()
    return build_schedules(settings), [build_race_clock_sensor(settings), race_run_failures]
