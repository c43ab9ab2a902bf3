"""The end-of-day operations report: its figures from plain lists, and one materialization of
``ops_report`` on a fresh database and an ephemeral instance."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from dagster import (
    DagsterEvent,
    DagsterEventType,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    materialize,
)

from hippique_assets.defs.alerts.ops_report import ops_report
from hippique_assets.defs.alerts.resources import NotificationsResource
from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.partitions import RACES_PARTITIONS_NAME
from hippique_assets.lib.race_runs import DUE_TAG, NOT_FIRED, RACE_TAG, RUN_FAILED, STARTED_LATE
from hippique_assets.racing import ops_figures
from hippique_assets.racing.ops_figures import RaceRun
from hippique_assets.storage.postgres import PostgresResource

DAY = date(2026, 3, 23)
FIRST_START = datetime(2026, 3, 23, 12, 0, tzinfo=UTC)


# The figures.


def test_percentile_interpolates_between_the_closest_ranks():
    values = [4.0, 1.0, 3.0, 2.0]
    assert ops_figures.percentile(values, 50) == pytest.approx(2.5)
    assert ops_figures.percentile(values, 95) == pytest.approx(3.85)
    assert ops_figures.percentile(values, 0) == 1.0
    assert ops_figures.percentile(values, 100) == 4.0
    assert ops_figures.percentile([7.0], 95) == 7.0
    assert ops_figures.percentile([], 50) is None
    with pytest.raises(ValueError, match="between 0 and 100"):
        ops_figures.percentile(values, 101)


def test_an_empty_day_is_all_zeros_and_says_there_was_no_racing():
    report = ops_figures.day_report(DAY)
    figures = ops_figures.numeric_figures(report)
    assert set(figures.values()) == {0}
    assert figures["missed_not_fired"] == figures["h5_latency_p95_s"] == 0
    assert isinstance(figures["success_rate"], float) and isinstance(figures["races_planned"], int)
    assert not report.had_racing
    assert "No racing on 2026-03-23" in ops_figures.summary_markdown(report)
    assert ops_figures.summary_title(report).endswith("no racing")


def test_missed_phases_are_counted_by_reason_known_ones_always_present():
    counts = ops_figures.missed_by_reason(["run_failed", None, "not_fired", "run_failed", "odd"])
    assert counts == {"not_fired": 2, "started_late": 0, "run_failed": 2, "odd": 1}
    assert ops_figures.MISSED_REASONS == (NOT_FIRED, STARTED_LATE, RUN_FAILED)


def test_latency_counts_successful_runs_only_and_not_on_a_simulated_clock():
    due = FIRST_START
    runs = [
        RaceRun("h5", "SUCCESS", due, due + timedelta(seconds=10)),
        RaceRun("h5", "SUCCESS", due, due + timedelta(seconds=30)),
        RaceRun("h5", "FAILURE", due, due + timedelta(seconds=500)),
        RaceRun("h5", "CANCELED", due, None),
        RaceRun("h5", "STARTED", due, None),
        RaceRun("h5", "SUCCESS", None, due),
    ]
    figures = ops_figures.phase_figures(runs)
    assert (figures.requested, figures.succeeded, figures.failed, figures.measured) == (6, 3, 2, 2)
    assert figures.latency_p50_s == pytest.approx(20.0)
    assert figures.latency_p95_s == pytest.approx(29.0)
    simulated = ops_figures.phase_figures(runs, measure_latency=False)
    assert simulated.latency_p50_s is None and simulated.measured == 0


def test_a_day_report_adds_up_its_phases():
    runs = [RaceRun("h30", "SUCCESS"), RaceRun("h5", "SUCCESS"), RaceRun("h5", "FAILURE")]
    report = ops_figures.day_report(
        DAY, planned_races=2, runs=runs, missed_reasons=["run_failed"], tickets=3, stake_eur=4.5
    )
    figures = ops_figures.numeric_figures(report)
    assert (figures["runs_requested"], figures["runs_succeeded"], figures["runs_failed"]) == (3, 2, 1)
    assert figures["success_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert figures["result_requested"] == 0 and figures["missed_run_failed"] == 1
    markdown = ops_figures.summary_markdown(report)
    assert "| h5 | 2 | 1 | 1 |" in markdown and "run_failed 1" in markdown
    assert any("4.50 EUR" in line for line in ops_figures.summary_lines(report))


# The asset.


@pytest.fixture
def postgres(fresh_pg_url: str) -> PostgresResource:
    postgres = PostgresResource(url=fresh_pg_url)
    for course, cancelled in ((1, False), (2, False), (3, True)):
        start = FIRST_START + timedelta(minutes=30 * (course - 1))
        postgres.execute(
            "insert into racing.race_plan (race_date, race_key, reunion, course, start_utc, h30_due_utc, "
            "h5_due_utc, result_due_utc, cancelled, start_source, identity_source, planned_at) "
            "values (%s, %s, 1, %s, %s, %s, %s, %s, %s, 'pmu', 'pmu', %s)",
            (
                DAY,
                f"{DAY}-R1C{course}",
                course,
                start,
                start - timedelta(minutes=30),
                start - timedelta(minutes=5),
                start + timedelta(minutes=15),
                cancelled,
                FIRST_START - timedelta(hours=3),
            ),
        )
    for race, phase, reason in (("R1C2", "h5", "run_failed"), ("R1C2", "result", None)):
        postgres.execute(
            "insert into racing.missed_runs (run_key, race_key, phase, due_utc, detected_at, reason) "
            "values (%s, %s, %s, %s, %s, %s)",
            (f"{DAY}-{race}:{phase}", f"{DAY}-{race}", phase, FIRST_START, FIRST_START, reason),
        )
    decided = FIRST_START - timedelta(minutes=5)
    postgres.execute(
        "insert into betting.decisions (race_key, race_date, reunion, course, abstained, n_candidates, "
        "n_tickets, stake_eur, expected_return_eur, drift_available, config_version, decided_at) "
        "values (%s, %s, 1, 1, false, 2, 2, 3.5, 4.0, true, 'v1', %s)",
        (f"{DAY}-R1C1", DAY, decided),
    )
    for number, stake in ((3, 2.0), (7, 1.5)):
        postgres.execute(
            "insert into betting.tickets (race_key, race_date, reunion, course, bet_type, combination, "
            "numbers, probability, payout_estimate, ev, stake_eur, config_version, decided_at) "
            "values (%s, %s, 1, 1, 'simple_gagnant', %s, %s, 0.2, 6.0, 0.2, %s, 'v1', %s)",
            (f"{DAY}-R1C1", DAY, str(number), [number], stake, decided),
        )
    # Another day's ticket and alert, which the report of DAY leaves out.
    postgres.execute(
        "insert into racing.alerts (dedup_key, condition, severity, race_date, title, detail, raised_at) "
        "values (%s, 'h5_missed', 'warning', %s, 'H-5 missed', 'detail', %s), "
        "('plan_missing:2026-03-24:-', 'plan_missing', 'critical', '2026-03-24', 'No plan', 'detail', %s)",
        (f"h5_missed:{DAY}:{DAY}-R1C2", DAY, FIRST_START, FIRST_START),
    )
    postgres.execute(
        "insert into pmu.ingest_gaps (race_date, endpoint, seq, kind, race_key, detail) "
        "values (%s, 'participants', 1, 'request_failed', %s, 'HTTP 503')",
        (DAY, f"{DAY}-R1C2"),
    )
    return postgres


@pytest.fixture
def instance() -> Iterator[DagsterInstance]:
    with DagsterInstance.ephemeral() as instance:
        yield instance


def _race_run(
    instance: DagsterInstance, job: str, race: str, due: datetime, ended: datetime, ok: bool
) -> None:
    """A finished race-clock run as the instance keeps it: tags, and its end event at ``ended``."""
    run = instance.add_run(
        DagsterRun(
            job_name=job, status=DagsterRunStatus.STARTED, tags={RACE_TAG: race, DUE_TAG: due.isoformat()}
        )
    )
    event = DagsterEventType.RUN_SUCCESS if ok else DagsterEventType.RUN_FAILURE
    instance.report_dagster_event(
        DagsterEvent(event_type_value=event.value, job_name=job), run.run_id, timestamp=ended.timestamp()
    )


def _figures(result) -> dict:
    [materialization] = result.asset_materializations_for_node("ops_report")
    return {key: value.value for key, value in materialization.metadata.items()}


def test_ops_report_materializes_the_days_figures_and_records_its_alert_once(instance, postgres):
    races = [f"{DAY}-R1C{course}" for course in (1, 2, 3)]
    instance.add_dynamic_partitions(RACES_PARTITIONS_NAME, [*races, "2026-03-24-R1C1"])
    for course, race in enumerate(races[:2]):
        start = FIRST_START + timedelta(minutes=30 * course)
        h30, h5 = start - timedelta(minutes=30), start - timedelta(minutes=5)
        _race_run(instance, "race_h30", race, h30, h30 + timedelta(seconds=10 + 20 * course), ok=True)
        _race_run(instance, "race_h5", race, h5, h5 + timedelta(seconds=40), ok=course == 0)
    result_due = FIRST_START + timedelta(minutes=15)
    _race_run(instance, "race_result", races[0], result_due, result_due + timedelta(seconds=90), ok=True)
    # Another day's run is not counted.
    _race_run(instance, "race_h30", "2026-03-24-R1C1", result_due, result_due, ok=True)

    resources = {"postgres": postgres, "notifications": NotificationsResource(), "clock": ClockResource()}
    result = materialize([ops_report], resources=resources, partition_key=DAY.isoformat(), instance=instance)
    assert result.success
    figures = _figures(result)
    assert {k: figures[k] for k in ("races_planned", "races_cancelled", "tickets", "alerts_raised")} == {
        "races_planned": 2,
        "races_cancelled": 1,
        "tickets": 2,
        "alerts_raised": 1,
    }
    assert figures["stake_eur"] == pytest.approx(3.5)
    assert figures["ingest_gaps"] == 1
    assert [figures[f"h30_{k}"] for k in ("requested", "succeeded", "failed")] == [2, 2, 0]
    assert [figures[f"h5_{k}"] for k in ("requested", "succeeded", "failed")] == [2, 1, 1]
    assert [figures[f"result_{k}"] for k in ("requested", "succeeded", "failed")] == [1, 1, 0]
    assert figures["runs_requested"] == 5 and figures["success_rate"] == pytest.approx(0.8)
    assert figures["missed_phases"] == 2
    assert figures["missed_run_failed"] == 1 and figures["missed_not_fired"] == 1
    assert figures["missed_started_late"] == 0
    assert figures["h30_latency_p50_s"] == pytest.approx(20.0)
    assert figures["h30_latency_p95_s"] == pytest.approx(29.0)
    assert figures["h5_latency_p50_s"] == figures["h5_latency_p95_s"] == pytest.approx(40.0)
    assert figures["result_latency_p95_s"] == pytest.approx(90.0)
    assert "| h5 | 2 | 1 | 1 |" in figures["summary"]
    assert figures["notification"] == "recorded in racing.alerts (no channel configured)"

    again = _figures(
        materialize([ops_report], resources=resources, partition_key=DAY.isoformat(), instance=instance)
    )
    assert again["notification"] == "already sent" and again["alerts_raised"] == 1
    recorded = postgres.query_frame(
        "select dedup_key, severity from racing.alerts where condition = 'day_report'"
    ).values.tolist()
    assert recorded == [["day_report:2026-03-23:-", "info"]]


def test_a_day_with_nothing_stored_reports_zeros(instance, postgres):
    resources = {"postgres": postgres, "notifications": NotificationsResource(), "clock": ClockResource()}
    result = materialize([ops_report], resources=resources, partition_key="2019-07-14", instance=instance)
    figures = _figures(result)
    summary = figures.pop("summary")
    figures.pop("notification")
    assert set(figures.values()) == {0}
    assert "No racing on 2019-07-14" in summary
