"""Alerts that reach a person: a sensor that watches the racing day and one that follows failed runs.

``race_day_watch`` evaluates the operations guide's conditions on today's facts
(:func:`hippique_assets.racing.watch.day_alerts`) and ``run_failure_alerts`` raises one alert per
failed race-day or daily run. Both record an alert once in ``racing.alerts`` (its dedup key: condition,
day and race) and send it through the notifications resource; a channel that fails is recorded as
not delivered and never fails the tick. Each tick's message (the Sensors page) says what was raised.
"""

from datetime import date

from dagster import (
    DefaultSensorStatus,
    RunFailureSensorContext,
    SensorDefinition,
    SensorEvaluationContext,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from hippique_assets.defs.alerts.day_state import day_facts, raise_alerts
from hippique_assets.defs.alerts.resources import NotificationsResource, build_thresholds
from hippique_assets.defs.betting.jobs import ledger_job
from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.pmu.jobs import ingestion_job
from hippique_assets.defs.race_day.automation import UNREACHABLE, first_failure
from hippique_assets.defs.race_day.intervals import day_sensor_interval_s, run_follower_interval_s
from hippique_assets.defs.race_day.jobs import consolidation_job, plan_job, refresh_plan_job
from hippique_assets.defs.race_live.jobs import PHASE_JOBS
from hippique_assets.errors import first_line
from hippique_assets.lib.race_runs import PHASE_TAG, RACE_TAG
from hippique_assets.racing.plan import PARIS
from hippique_assets.racing.watch import Thresholds, day_alerts, run_failed_alert
from hippique_assets.settings import Settings
from hippique_assets.storage.postgres import PostgresResource

MONITORED_JOBS = [
    *PHASE_JOBS.values(),
    plan_job,
    refresh_plan_job,
    consolidation_job,
    ingestion_job,
    ledger_job,
]


def _summary(raised: list) -> str:
    if not raised:
        return "no new alert"
    lines = [f"{alert.severity} {alert.dedup_key}: {alert.title}" for alert, _ in raised]
    return f"{len(raised)} alert(s) raised: " + "; ".join(lines)


def build_watch_sensor(settings: Settings, thresholds: Thresholds | None = None) -> SensorDefinition:
    limits = thresholds or Thresholds()

    @sensor(
        name="race_day_watch",
        minimum_interval_seconds=day_sensor_interval_s(settings.race_clock_interval_s),
        default_status=DefaultSensorStatus.RUNNING if settings.sensors_on else DefaultSensorStatus.STOPPED,
        description="Raises the race day's alerts once each: plan missing, empty or shrunk, no race run "
        "requested, analyses failing, late H-5 or last-call decisions, missed phases, a last call missed "
        "or refused on a race H-5 decided on, a deep queue, a day ending with gaps.",
    )
    def race_day_watch(
        context: SensorEvaluationContext,
        postgres: PostgresResource,
        clock: ClockResource,
        notifications: NotificationsResource,
    ) -> SkipReason:
        now = clock.now()
        day = now.astimezone(PARIS).date()
        try:
            facts = day_facts(
                postgres,
                context.instance,
                day,
                measure_lateness=clock.spec == "real",
                odds_watch=settings.odds_watch,
            )
        except UNREACHABLE as exc:
            return SkipReason(f"Postgres unreachable, tick skipped: {first_line(exc)}")
        alerts = day_alerts(facts, now, limits, run_url=notifications.run_url)
        raised = raise_alerts(postgres, notifications, alerts, now)
        for alert, deliveries in raised:
            context.log.warning(f"alert {alert.dedup_key}: {alert.title} ({len(deliveries)} channel(s))")
        return SkipReason(_summary(raised))

    return race_day_watch


def _day_of(tags: dict[str, str], fallback: date) -> date:
    key = tags.get(RACE_TAG) or tags.get("dagster/partition") or ""
    try:
        return date.fromisoformat(key[:10])
    except ValueError:
        return fallback


def build_run_failure_alerts(settings: Settings) -> SensorDefinition:
    @run_failure_sensor(
        name="run_failure_alerts",
        monitored_jobs=MONITORED_JOBS,
        minimum_interval_seconds=run_follower_interval_s(settings.race_clock_interval_s),
        default_status=DefaultSensorStatus.RUNNING,
        description="Sends an alert for each failed race-day or daily run, with its race, phase, failing "
        "step, reason and a link to the run.",
    )
    def run_failure_alerts(
        context: RunFailureSensorContext,
        postgres: PostgresResource,
        clock: ClockResource,
        notifications: NotificationsResource,
    ) -> None:
        run = context.dagster_run
        now = clock.now()
        step, message = first_failure(context, postgres.get_url())
        alert = run_failed_alert(
            _day_of(dict(run.tags), now.astimezone(PARIS).date()),
            run.job_name,
            run.tags.get(RACE_TAG),
            run.tags.get(PHASE_TAG),
            step,
            message,
            notifications.run_url(run.run_id),
        )
        raised = raise_alerts(postgres, notifications, [alert], now)
        context.log.warning(_summary(raised))

    return run_failure_alerts


def build_alert_sensors(settings: Settings) -> list[SensorDefinition]:
    return [build_watch_sensor(settings, build_thresholds()), build_run_failure_alerts(settings)]
