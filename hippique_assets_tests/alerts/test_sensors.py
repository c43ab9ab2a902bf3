"""The race-day watch sensor on real Postgres, a real SMTP server and a real webhook receiver: an alert
that holds reaches both channels once, is recorded in racing.alerts, and a channel that is down is
recorded as not delivered without failing the tick."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from dagster import (
    DagsterEvent,
    DagsterEventType,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    SkipReason,
    build_sensor_context,
)

from hippique_assets.defs.alerts.resources import NotificationsResource
from hippique_assets.defs.alerts.sensors import build_watch_sensor
from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.partitions import RACES_PARTITIONS_NAME
from hippique_assets.lib.race_runs import DUE_TAG, RACE_TAG
from hippique_assets.settings import Settings
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets_tests.alerts.receivers import WebhookReceiver, refused_port, smtp_server

DAY = date(2026, 3, 23)
FIRST_H30 = datetime(2026, 3, 23, 11, 0, tzinfo=UTC)
TOKEN_PATH = "/hooks/T000/B000/secret-token"


@pytest.fixture
def postgres(fresh_pg_url: str) -> PostgresResource:
    postgres = PostgresResource(url=fresh_pg_url)
    for course in (1, 2):
        start = FIRST_H30 + timedelta(minutes=30 + 30 * (course - 1))
        postgres.execute(
            "insert into racing.race_plan (race_date, race_key, reunion, course, start_utc, h30_due_utc, "
            "h5_due_utc, result_due_utc, cancelled, start_source, identity_source, planned_at) "
            "values (%s, %s, 1, %s, %s, %s, %s, %s, false, 'pmu', 'pmu', %s)",
            (
                DAY,
                f"{DAY}-R1C{course}",
                course,
                start,
                start - timedelta(minutes=30),
                start - timedelta(minutes=5),
                start + timedelta(minutes=15),
                FIRST_H30 - timedelta(hours=3),
            ),
        )
    return postgres


@pytest.fixture
def instance() -> Iterator[DagsterInstance]:
    with DagsterInstance.ephemeral() as instance:
        yield instance


def _tick(
    instance: DagsterInstance,
    postgres: PostgresResource,
    notifications: NotificationsResource,
    now: datetime,
    **settings: object,
):
    sensor = build_watch_sensor(Settings.replayed(Path("unused"), "http://127.0.0.1:1", **settings))
    context = build_sensor_context(
        instance=instance,
        resources={
            "postgres": postgres,
            "clock": ClockResource(spec=f"at:{now.isoformat()}"),
            "notifications": notifications,
        },
    )
    result = sensor(context)
    assert isinstance(result, SkipReason)
    return result.skip_message


def test_no_race_run_after_the_first_h30_reaches_both_channels_once(instance, postgres):
    with smtp_server() as (inbox, port), WebhookReceiver() as receiver:
        notifications = NotificationsResource(
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_starttls=False,
            email_from="hippique@example.org",
            email_to=["ops@example.org"],
            webhook_url=receiver.url + TOKEN_PATH,
            backoff_s=0.01,
            ui_url="http://127.0.0.1:3000",
        )
        assert _tick(instance, postgres, notifications, FIRST_H30 + timedelta(minutes=4)) == "no new alert"
        message = _tick(instance, postgres, notifications, FIRST_H30 + timedelta(minutes=6))
        assert message.startswith("1 alert(s) raised: critical no_race_runs:2026-03-23:-")
        # Seen again on the next ticks: never sent twice.
        assert _tick(instance, postgres, notifications, FIRST_H30 + timedelta(minutes=7)) == "no new alert"
    [mail] = inbox.mails
    assert "CRITICAL" in mail.message["Subject"] and "No race run requested" in mail.message["Subject"]
    [post] = receiver.posts
    assert post.json["alert"]["dedup_key"] == "no_race_runs:2026-03-23:-"
    recorded = postgres.query_frame("select dedup_key, severity, delivered, deliveries from racing.alerts")
    assert recorded[["dedup_key", "severity"]].values.tolist() == [["no_race_runs:2026-03-23:-", "critical"]]
    assert bool(recorded["delivered"].iloc[0]) is True
    assert TOKEN_PATH not in recorded["deliveries"].iloc[0]


def test_a_channel_that_is_down_is_recorded_and_never_fails_the_tick(instance, postgres):
    notifications = NotificationsResource(
        smtp_host="127.0.0.1",
        smtp_port=refused_port(),
        smtp_starttls=False,
        email_from="hippique@example.org",
        email_to=["ops@example.org"],
        attempts=2,
        backoff_s=0.01,
        budget_s=3,
    )
    message = _tick(instance, postgres, notifications, FIRST_H30 + timedelta(minutes=6))
    assert "no_race_runs" in message
    recorded = postgres.query_frame("select delivered, deliveries from racing.alerts")
    assert bool(recorded["delivered"].iloc[0]) is False
    assert "not delivered after 2 attempt(s)" in recorded["deliveries"].iloc[0]


def test_the_thresholds_come_from_the_environment_and_bad_values_are_named():
    from hippique_assets.defs.alerts.resources import build_thresholds
    from hippique_assets.racing.watch import Thresholds
    from hippique_assets.settings_errors import SettingsError

    assert build_thresholds({}) == Thresholds()
    limits = build_thresholds(
        {
            "HIPPIQUE_ALERT_PLAN_DEADLINE": " 08:30",
            "HIPPIQUE_ALERT_QUEUE_DEPTH": "5",
            "HIPPIQUE_ALERT_H5_LATE_S": "10",
            "HIPPIQUE_ALERT_LAST_CALL_LATE_S": "7.5",
            "HIPPIQUE_ALERT_LEDGER_DEADLINE_MIN": "90",
            "HIPPIQUE_ALERT_SHRUNK_RACES": "",
        }
    )
    assert (limits.plan_deadline.isoformat(), limits.queue_depth, limits.h5_late) == (
        "08:30:00",
        5,
        timedelta(seconds=10),
    )
    assert (limits.last_call_late, limits.ledger_deadline) == (timedelta(seconds=7.5), timedelta(minutes=90))
    assert limits.shrunk_races == Thresholds().shrunk_races  # empty: the default
    for env, message in (
        (
            {"HIPPIQUE_ALERT_PLAN_DEADLINE": "9h05"},
            "HIPPIQUE_ALERT_PLAN_DEADLINE must be HH:MM (Paris), got '9h05'",
        ),
        (
            {"HIPPIQUE_ALERT_FAILED_ANALYSES_SHARE": "2"},
            "HIPPIQUE_ALERT_FAILED_ANALYSES_SHARE must be <= 1, got '2'",
        ),
        (
            {"HIPPIQUE_ALERT_LAST_CALL_LATE_S": "soon"},
            "HIPPIQUE_ALERT_LAST_CALL_LATE_S must be a number, got 'soon'",
        ),
        ({"HIPPIQUE_ALERT_QUEUE_DEPTH": "0"}, "HIPPIQUE_ALERT_QUEUE_DEPTH must be >= 1, got '0'"),
    ):
        with pytest.raises(SettingsError) as raised:
            build_thresholds(env)
        assert str(raised.value) == message


def _finished_run(
    instance: DagsterInstance, job: str, race: str, due: datetime, ended: datetime, ok: bool
) -> str:
    """A finished race-clock run as the instance keeps it; its id."""
    run = instance.add_run(
        DagsterRun(
            job_name=job, status=DagsterRunStatus.STARTED, tags={RACE_TAG: race, DUE_TAG: due.isoformat()}
        )
    )
    event = DagsterEventType.RUN_SUCCESS if ok else DagsterEventType.RUN_FAILURE
    instance.report_dagster_event(
        DagsterEvent(event_type_value=event.value, job_name=job), run.run_id, timestamp=ended.timestamp()
    )
    return run.run_id


def test_a_refused_last_call_after_an_h5_decision_names_the_race_and_links_its_run(instance, postgres):
    race = f"{DAY}-R1C1"
    start = FIRST_H30 + timedelta(minutes=30)
    instance.add_dynamic_partitions(RACES_PARTITIONS_NAME, [race, f"{DAY}-R1C2"])
    h5 = start - timedelta(minutes=5)
    _finished_run(instance, "race_h5", race, h5, h5 + timedelta(seconds=20), ok=True)
    last_call = start - timedelta(minutes=2)
    run_id = _finished_run(
        instance, "race_last_call", race, last_call, start + timedelta(seconds=3), ok=False
    )
    # The watchers are off: a watcher recorded missed earlier is not a problem of the day.
    postgres.execute(
        "insert into racing.missed_runs (run_key, race_key, phase, due_utc, detected_at, reason) "
        "values ('w', %s, 'watch', %s, %s, 'not_fired')",
        (f"{DAY}-R1C2", start + timedelta(minutes=20), start + timedelta(minutes=30)),
    )
    with WebhookReceiver() as receiver:
        notifications = NotificationsResource(
            webhook_url=receiver.url + TOKEN_PATH, backoff_s=0.01, ui_url="http://127.0.0.1:3000"
        )
        message = _tick(instance, postgres, notifications, start + timedelta(minutes=1), odds_watch=False)
    assert message == (
        f"1 alert(s) raised: warning last_call_missed:2026-03-23:{race}: Last call of {race} missed "
        f"(run_failed): run {run_id} failed or was refused"
    )
    [post] = receiver.posts
    assert post.json["alert"]["run_url"] == f"http://127.0.0.1:3000/runs/{run_id}"
    assert post.json["alert"]["race_key"] == race
