"""The ledger sensor: builds a racing day's ledger and workbook once the day is closed (every race
resulted, or ``HIPPIQUE_RESULTS_WAIT_MIN`` past the last start), and again when a result is stored later."""

from datetime import timedelta

from dagster import (
    DefaultSensorStatus,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from hippique_assets.defs.betting.jobs import ledger_job
from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.race_day.intervals import day_sensor_interval_s
from hippique_assets.defs.race_day.plan_queries import PostgresUnavailable, read_day_progress
from hippique_assets.racing.day_close import closed_days
from hippique_assets.settings import Settings
from hippique_assets.storage.postgres import PostgresResource


def build_ledger_sensor(settings: Settings) -> SensorDefinition:
    @sensor(
        name="day_ledger",
        job=ledger_job,
        minimum_interval_seconds=day_sensor_interval_s(settings.race_clock_interval_s),
        default_status=DefaultSensorStatus.RUNNING if settings.sensors_on else DefaultSensorStatus.STOPPED,
        description="Builds the day's ledger and workbook once every race has its result (or "
        f"{settings.results_wait_min} minutes after the last start when some result never came); a result "
        "stored later rebuilds them.",
    )
    def day_ledger(
        context: SensorEvaluationContext, postgres: PostgresResource, clock: ClockResource
    ) -> SensorResult | SkipReason:
        now = clock.now()
        try:
            progress = read_day_progress(postgres, now)
        except PostgresUnavailable as exc:
            return SkipReason(str(exc))
        closed = closed_days(progress, now, wait=timedelta(minutes=settings.results_wait_min))
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
