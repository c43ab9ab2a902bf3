"""Race-day automation: the race clock that launches per-race runs, and :func:`build_automation`,
which gathers it with the day's schedules (:mod:`~hippique_assets.defs.race_day.schedules`), the
ledger sensor (:mod:`~hippique_assets.defs.race_day.ledger_sensor`) and the failure sensor of
race runs (:mod:`~hippique_assets.defs.race_day.run_failures`).

The race clock never calls the PMU API: it reads ``racing.race_plan`` with one query per tick
(:mod:`~hippique_assets.defs.race_day.plan_queries`) and leaves the decision to
:func:`hippique_assets.racing.race_clock.evaluate`.
"""

import json
from datetime import datetime

from dagster import (
    AddDynamicPartitionsRequest,
    DefaultSensorStatus,
    RunRequest,
    ScheduleDefinition,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    sensor,
)

from hippique_assets.analysis.config import load_config
from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.partitions import RACES_PARTITIONS_NAME
from hippique_assets.defs.race_day.ledger_sensor import build_ledger_sensor
from hippique_assets.defs.race_day.plan_queries import PostgresUnavailable, read_plan_window
from hippique_assets.defs.race_day.run_failures import build_run_failure_sensor, first_failure
from hippique_assets.defs.race_day.schedules import build_schedules
from hippique_assets.defs.race_live.jobs import PHASE_JOBS
from hippique_assets.lib.race_runs import (
    DUE_TAG,
    OFF_TAG,
    PHASE_TAG,
    PRIORITY_TAG,
    RACE_PHASE_TAG,
    RACE_RUN_PRIORITY,
    RACE_TAG,
    record_missed,
)
from hippique_assets.racing.race_clock import DEFAULT_LAST_CALL_MINUTES, WATCH, Evaluation, PhaseRun, evaluate
from hippique_assets.settings import Settings, load_settings
from hippique_assets.storage.postgres import UNREACHABLE, PostgresResource

# UNREACHABLE and first_failure are named here for hippique_assets.defs.alerts.sensors, which imports
# them from this module.
__all__ = ["UNREACHABLE", "build_automation", "build_race_clock_sensor", "first_failure", "run_request"]


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
