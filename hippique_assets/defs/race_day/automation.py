"""Race-day automation: the morning plan, its refreshes, the next-morning consolidation, the race
clock that launches per-race runs, and a failure sensor for those runs.

The race clock never calls the PMU API: it reads ``racing.race_plan`` with one query per tick and
leaves the decision to :func:`hippique_assets.racing.race_clock.evaluate`.
"""

import json
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
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
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from hippique_assets.analysis.config import load_config
from hippique_assets.defs.betting.jobs import ledger_job
from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.partitions import RACES_PARTITIONS_NAME
from hippique_assets.defs.race_day.jobs import consolidation_job, plan_job, refresh_plan_job
from hippique_assets.defs.race_live.jobs import PHASE_JOBS
from hippique_assets.errors import first_line
from hippique_assets.lib.race_runs import (
    DUE_TAG,
    OFF_TAG,
    PHASE_TAG,
    PRIORITY_TAG,
    RACE_PHASE_TAG,
    RACE_RUN_PRIORITY,
    RACE_TAG,
    RESTART_TAG,
    record_failed_snapshot,
    record_missed,
)
from hippique_assets.racing.day_close import DayProgress, closed_days
from hippique_assets.racing.plan import PARIS
from hippique_assets.racing.race_clock import (
    DEFAULT_LAST_CALL_MINUTES,
    LOOKAHEAD,
    LOOKBACK,
    WATCH,
    Evaluation,
    PhaseRun,
    PlannedRace,
    evaluate,
)
from hippique_assets.racing.results import RACE_RESULTS
from hippique_assets.racing.tables import RACE_PLAN
from hippique_assets.settings import Settings, load_settings
from hippique_assets.storage.postgres import UNREACHABLE, PostgresResource, TableNotFoundError, redact

PLAN_WINDOW_SQL = (
    f"select race_key, start_utc, cancelled from {RACE_PLAN.fullname} "
    "where start_utc >= %(since)s and start_utc <= %(until)s"
)
DAY_PROGRESS_SQL = f"""
select p.race_date,
       count(*) filter (where not p.cancelled) as races,
       count(r.race_key) filter (where not p.cancelled) as resulted,
       max(p.start_utc) filter (where not p.cancelled) as last_start
from {RACE_PLAN.fullname} p
left join {RACE_RESULTS.fullname} r on r.race_key = p.race_key
where p.race_date >= %(since)s and p.race_date <= %(until)s
group by p.race_date
"""
DAY_PROGRESS_NO_RESULTS_SQL = f"""
select race_date, count(*) filter (where not cancelled) as races, 0 as resulted,
       max(start_utc) filter (where not cancelled) as last_start
from {RACE_PLAN.fullname}
where race_date >= %(since)s and race_date <= %(until)s
group by race_date
"""
# The ledger sensor looks at the days whose races may still be settling.
LEDGER_LOOKBACK = timedelta(days=2)
LEDGER_INTERVAL_S = 60


class PostgresUnavailable(RuntimeError):
    """The tables cannot be read right now: a sensor skips its tick with this message."""


def _read(postgres: PostgresResource, sql: str, params: dict[str, Any]) -> pd.DataFrame | None:
    """A sensor's query; None when a table it reads does not exist yet."""
    try:
        return postgres.query_frame(sql, params)
    except TableNotFoundError:
        return None
    except UNREACHABLE as exc:
        raise PostgresUnavailable(f"Postgres unreachable, tick skipped: {first_line(exc)}") from exc


def read_plan_window(postgres: PostgresResource, now: datetime) -> list[PlannedRace] | None:
    """Races whose phases may be due around ``now``; None when no plan was ever built."""
    frame = _read(
        postgres, PLAN_WINDOW_SQL, {"since": now - LOOKBACK - timedelta(minutes=1), "until": now + LOOKAHEAD}
    )
    if frame is None:
        return None
    return [
        PlannedRace(key, start.to_pydatetime(), bool(cancelled))
        for key, start, cancelled in zip(
            frame["race_key"], frame["start_utc"], frame["cancelled"], strict=True
        )
    ]


def read_day_progress(postgres: PostgresResource, now: datetime) -> list[DayProgress]:
    """Per recent racing day: races in the plan, how many have a stored result, the last start."""
    today = now.astimezone(PARIS).date()
    params = {"since": today - LEDGER_LOOKBACK, "until": today}
    frame = _read(postgres, DAY_PROGRESS_SQL, params)
    if frame is None:
        frame = _read(postgres, DAY_PROGRESS_NO_RESULTS_SQL, params)
    if frame is None:
        return []
    return [
        DayProgress(
            day,
            int(races),
            int(resulted),
            None if pd.isna(last) else last.to_pydatetime(),
        )
        for day, races, resulted, last in zip(
            frame["race_date"], frame["races"], frame["resulted"], frame["last_start"], strict=True
        )
    ]


def _previous_tick(cursor: str | None) -> datetime | None:
    if not cursor:
        return None
    try:
        return datetime.fromisoformat(json.loads(cursor)["last_tick"])
    except (ValueError, KeyError, TypeError):
        return None


def run_request(run: PhaseRun, now: datetime, key_suffix: str = "") -> RunRequest:
    late_s = int((now - run.due).total_seconds())
    tags = {
        PHASE_TAG: run.phase,
        DUE_TAG: run.due.isoformat(),
        RACE_TAG: run.race_key,
        RACE_PHASE_TAG: f"{run.race_key}:{run.phase}",
        PRIORITY_TAG: RACE_RUN_PRIORITY[run.phase],
        "hippique/late_s": str(late_s),
    }
    if run.off is not None:
        tags[OFF_TAG] = run.off.isoformat()
    return RunRequest(
        run_key=run.run_key + key_suffix,
        job_name=PHASE_JOBS[run.phase].name,
        partition_key=run.race_key,
        tags=tags,
    )


# A watcher that dies is started again this many times at most (each restart records its gap).
WATCH_RESTARTS = 3


def watch_restart(tags: Mapping[str, str], now: datetime, key_suffix: str = "") -> RunRequest | None:
    """A new run for a failed odds watcher whose race is not off yet, under its own run key; None
    for any other run, a race already off, or a watcher restarted too often already."""
    if tags.get(PHASE_TAG) != WATCH or RACE_TAG not in tags or DUE_TAG not in tags:
        return None
    off = tags.get(OFF_TAG)
    if off is not None and now >= datetime.fromisoformat(off):
        return None
    restart = int(tags.get(RESTART_TAG, "0")) + 1
    if restart > WATCH_RESTARTS:
        return None
    run = PhaseRun(tags[RACE_TAG], WATCH, datetime.fromisoformat(tags[DUE_TAG]))
    kept = {k: v for k, v in tags.items() if k.startswith("hippique/") or k == PRIORITY_TAG}
    return RunRequest(
        run_key=f"{run.run_key}:restart{restart}{key_suffix}",
        job_name=PHASE_JOBS[WATCH].name,
        partition_key=run.race_key,
        tags={**kept, RESTART_TAG: str(restart)},
    )


def race_clock_tick(
    context: SensorEvaluationContext,
    postgres: PostgresResource,
    now: datetime,
    key_suffix: str = "",
    last_call_minutes: int = DEFAULT_LAST_CALL_MINUTES,
    switched_off: frozenset[str] = frozenset(),
) -> tuple[SensorResult, Evaluation | None]:
    """One evaluation of the race clock at ``now``; the phases in ``switched_off`` are neither
    requested nor recorded as missed."""
    cursor = json.dumps({"last_tick": now.isoformat()})
    try:
        races = read_plan_window(postgres, now)
    except PostgresUnavailable as exc:
        # Keep the previous cursor: the next tick that reads the plan judges what was missed meanwhile.
        return SensorResult(skip_reason=str(exc), cursor=context.cursor), None
    if races is None:
        return SensorResult(skip_reason="no race plan yet: run plan_day first", cursor=cursor), None
    evaluation = evaluate(
        races,
        now,
        previous_tick=_previous_tick(context.cursor),
        last_call_minutes=last_call_minutes,
        switched_off=switched_off,
    )
    if evaluation.missed:
        record_missed(postgres, evaluation.missed, now, key_suffix)
        for run in evaluation.missed:
            context.log.warning(
                f"missed {run.run_key}: grace window closed {now - run.due} after it was due; not fired"
            )
    requests = [run_request(run, now, key_suffix) for run in evaluation.due]
    keys = sorted({run.race_key for run in evaluation.due})
    # One look-up per tick, not one query per race (0.47 s a tick with 2,000 races in the window).
    known = set(context.instance.get_dynamic_partitions(RACES_PARTITIONS_NAME)) if keys else set()
    unknown = [k for k in keys if k not in known]
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
    # HIPPIQUE_ODDS_WATCH=off: no minute captures (a day then costs 4 runs a race, not 5).
    switched_off: frozenset[str] = frozenset() if settings.odds_watch else frozenset({WATCH})

    @sensor(
        name="race_clock",
        jobs=list(PHASE_JOBS.values()),
        minimum_interval_seconds=settings.race_clock_interval_s,
        default_status=DefaultSensorStatus.RUNNING if settings.sensors_on else DefaultSensorStatus.STOPPED,
        description="Launches each race's H-30 snapshot, H-10 odds watcher, H-5 and last-call decisions "
        "and H+15 result from racing.race_plan (last call: [decision] last_call_minutes of the analysis "
        "config). Late ticks inside the grace window (20 min, 9 min, 4 min, until 20 s before the off, "
        "6 h) still fire; missed phases are logged and kept in racing.missed_runs.",
    )
    def race_clock(
        context: SensorEvaluationContext, postgres: PostgresResource, clock: ClockResource
    ) -> SensorResult:
        # Read every tick (a small file): a new last_call_minutes applies without a reload.
        minutes = load_config(settings.analysis_config).decision.last_call_minutes
        result, _ = race_clock_tick(
            context, postgres, clock.now(), clock.run_key_suffix, minutes, switched_off=switched_off
        )
        return result

    return race_clock


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


def build_ledger_sensor(settings: Settings) -> SensorDefinition:
    @sensor(
        name="day_ledger",
        job=ledger_job,
        minimum_interval_seconds=min(LEDGER_INTERVAL_S, settings.race_clock_interval_s * 2),
        default_status=DefaultSensorStatus.RUNNING if settings.sensors_on else DefaultSensorStatus.STOPPED,
        description="Builds the day's ledger and workbook once every race has its result (or an hour "
        "after the last start when some result never came); a result stored later rebuilds them.",
    )
    def day_ledger(
        context: SensorEvaluationContext, postgres: PostgresResource, clock: ClockResource
    ) -> SensorResult | SkipReason:
        now = clock.now()
        try:
            progress = read_day_progress(postgres, now)
        except PostgresUnavailable as exc:
            return SkipReason(str(exc))
        closed = closed_days(progress, now)
        if not closed:
            waiting = ", ".join(f"{d.race_date} {d.resulted}/{d.races}" for d in progress) or "no plan"
            return SkipReason(f"no day closed yet (results: {waiting})")
        return SensorResult(
            run_requests=[
                RunRequest(
                    run_key=day.run_key + clock.run_key_suffix,
                    partition_key=day.race_date.isoformat(),
                    tags={"hippique/results": f"{day.resulted}/{day.races}"},
                )
                for day in closed
            ]
        )

    return day_ledger


def first_failure(context: RunFailureSensorContext, secret_url: str | None = None) -> tuple[str, str]:
    """The first failed step and what went wrong in it; the run's own message when no step failed
    (a run that never started, one the run launcher refused). With ``secret_url`` (the tables'
    connection URL), nothing of its password survives in the message, whatever the error said."""
    step, message = _failure(context)
    return step, redact(message, secret_url) if secret_url else message


def _failure(context: RunFailureSensorContext) -> tuple[str, str]:
    events = context.get_step_failure_events()
    if events:
        error = events[0].step_failure_data.error
        # Dagster wraps the asset's exception: its cause says what went wrong.
        cause = (error.cause or error) if error else None
        message = cause.message.strip() if cause else events[0].message
        return events[0].step_key or "run", (message or "failed")[:500]
    failure = context.failure_event
    return "run", ((failure.message if failure else None) or "failed")[:500]


def build_run_failure_sensor(settings: Settings) -> SensorDefinition:
    @run_failure_sensor(
        name="race_run_failures",
        monitored_jobs=list(PHASE_JOBS.values()),
        request_job=PHASE_JOBS[WATCH],
        minimum_interval_seconds=settings.race_clock_interval_s,
        default_status=DefaultSensorStatus.RUNNING,
        description="Tags failed race runs with the failing step and error so they can be filtered in "
        "the UI, records a failed H-30, H-5 or last-call run (never retried) in racing.missed_runs, and "
        "starts a failed odds watcher again while its race is not off (the new run records the gap).",
    )
    def race_run_failures(
        context: RunFailureSensorContext, postgres: PostgresResource, clock: ClockResource
    ) -> RunRequest | None:
        run = context.dagster_run
        step, message = first_failure(context, postgres.get_url())
        context.instance.add_run_tags(
            run.run_id, {"hippique/failed_step": step, "hippique/failure": message[:200]}
        )
        context.log.error(
            f"race run {run.job_name} {run.tags.get(RACE_TAG, '?')} failed at {step}: {message}"
        )
        now = clock.now()
        missed = record_failed_snapshot(postgres, run.tags, now, clock.run_key_suffix)
        if missed is not None:
            context.log.warning(f"missed {missed.run_key}: its run failed and is not retried")
        restart = watch_restart(run.tags, now, clock.run_key_suffix)
        if restart is not None:
            context.log.warning(
                f"odds watcher of {run.tags[RACE_TAG]} died: started again ({restart.run_key})"
            )
        return restart

    return race_run_failures


def build_automation(
    settings: Settings | None = None,
) -> tuple[list[ScheduleDefinition], list[SensorDefinition]]:
    settings = settings or load_settings()
    sensors = [
        build_race_clock_sensor(settings),
        build_ledger_sensor(settings),
        build_run_failure_sensor(settings),
    ]
    return build_schedules(settings), sensors
