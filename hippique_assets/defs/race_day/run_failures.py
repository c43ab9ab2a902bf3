"""The failure sensor of per-race runs: tags a failed run with its failing step and error, records
a failed snapshot or decision run as missed (never retried), and starts a failed odds watcher again
while its race is not off."""

from collections.abc import Mapping
from datetime import datetime

from dagster import (
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    SensorDefinition,
    run_failure_sensor,
)

from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.race_day.intervals import run_follower_interval_s
from hippique_assets.defs.race_live.jobs import PHASE_JOBS
from hippique_assets.lib.race_runs import (
    DUE_TAG,
    OFF_TAG,
    PHASE_TAG,
    PRIORITY_TAG,
    RACE_TAG,
    RESTART_TAG,
    record_failed_snapshot,
)
from hippique_assets.racing.race_clock import WATCH, PhaseRun
from hippique_assets.settings import Settings
from hippique_assets.storage.postgres import PostgresResource, redact

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
        minimum_interval_seconds=run_follower_interval_s(settings.race_clock_interval_s),
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
