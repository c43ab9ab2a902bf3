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

from hippique_assets.defs.alerts.ops_report import build_ops_report
from hippique_assets.defs.alerts.resources import NotificationsResource
from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.partitions import RACES_PARTITIONS_NAME
from hippique_assets.lib.race_runs import DUE_TAG, NOT_FIRED, RACE_TAG, RESTART_TAG, RUN_FAILED, STARTED_LATE
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
        DAY, planned_races=2, runs=runs, missed=[("h5", "run_failed")], tickets=3, stake_eur=4.5
    )
    figures = ops_figures.numeric_figures(report)
    assert (figures["runs_requested"], figures["runs_succeeded"], figures["runs_failed"]) == (3, 2, 1)
    assert figures["success_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert figures["result_requested"] == 0 and figures["missed_run_failed"] == 1
    assert figures["h5_missed"] == 1 and figures["h30_missed"] == 0
    markdown = ops_figures.summary_markdown(report)
    assert "| h5 | 2 | 1 | 1 | 1 |" in markdown and "run_failed 1" in markdown
    assert any("4.50 EUR" in line for line in ops_figures.summary_lines(report))


def test_the_last_call_has_the_figures_of_h5_with_its_misses_and_latencies():
    due = FIRST_START - timedelta(minutes=2)
    runs = [
        RaceRun("last_call", "SUCCESS", due, due + timedelta(seconds=seconds)) for seconds in (4, 6, 8, 50)
    ] + [RaceRun("last_call", "FAILURE", due, due + timedelta(seconds=90))]
    missed = [("last_call", "started_late"), ("last_call", "run_failed"), ("h5", "not_fired")]
    report = ops_figures.day_report(DAY, planned_races=6, runs=runs, missed=missed)
    last_call = report.phases["last_call"]
    assert (last_call.requested, last_call.succeeded, last_call.failed, last_call.missed) == (5, 4, 1, 2)
    assert last_call.latency_p50_s == pytest.approx(7.0)
    assert last_call.latency_p95_s == pytest.approx(43.7)
    assert last_call.latency_max_s == pytest.approx(50.0)  # the failed run's 90 s are not a latency
    figures = ops_figures.numeric_figures(report)
    assert [figures[f"last_call_{k}"] for k in ("requested", "succeeded", "failed", "missed")] == [5, 4, 1, 2]
    assert figures["last_call_latency_max_s"] == pytest.approx(50.0)
    assert figures["h5_latency_max_s"] == 0.0 and figures["missed_started_late"] == 1
    assert figures["runs_requested"] == 5 and figures["missed_phases"] == 3
    assert "| last_call | 5 | 4 | 1 | 2 | 7.0 s | 43.7 s | 50.0 s |" in ops_figures.summary_markdown(report)
    assert (
        "last_call: 5 requested, 4 succeeded, 1 failed, 2 missed, latency p50 7.0 s, p95 43.7 s, max 50.0 s."
        in (ops_figures.summary_lines(report))
    )


def test_the_watchers_figures_runs_restarts_captures_and_gaps_without_a_latency():
    due = FIRST_START - timedelta(minutes=10)
    runs = [
        RaceRun("watch", "SUCCESS", due, due + timedelta(minutes=10)),
        RaceRun("watch", "FAILURE", due, due + timedelta(minutes=3)),
        RaceRun("watch", "SUCCESS", due, due + timedelta(minutes=10), restarted=True),
    ]
    gaps = [("restarted", 75.0), ("capture_failed", 62.5), ("restarted", 61.0)]
    report = ops_figures.day_report(DAY, planned_races=2, runs=runs, watch_captures=37, capture_gaps=gaps)
    figures = ops_figures.numeric_figures(report)
    assert [figures[f"watch_{k}"] for k in ("requested", "succeeded", "failed")] == [3, 2, 1]
    assert (figures["watch_restarts"], figures["watch_captures"], figures["watch_capture_gaps"]) == (1, 37, 3)
    assert figures["watch_capture_gap_s"] == pytest.approx(198.5)
    assert not any(name.startswith("watch_latency") for name in figures)
    assert report.phases["watch"].measured == 0  # a watcher ends at the off, not when its work is due
    line = "Odds watchers: 3 runs (1 restarts), 37 captures, 3 capture gaps (198 s: capture_failed 1, restarted 2)."
    markdown = ops_figures.summary_markdown(report)
    assert line in markdown and "| watch | 3 | 2 | 1 | 0 | – | – | – |" in markdown
    assert line in ops_figures.summary_lines(report)


def test_with_the_watchers_off_the_report_expects_none():
    runs = [RaceRun("h30", "SUCCESS"), RaceRun("h5", "SUCCESS")]
    report = ops_figures.day_report(DAY, planned_races=1, runs=runs, odds_watch=False)
    figures = ops_figures.numeric_figures(report)
    # The series stay (at zero), so a chart over days keeps its lines.
    assert figures["watch_requested"] == figures["watch_captures"] == figures["watch_capture_gaps"] == 0
    markdown = ops_figures.summary_markdown(report)
    off = "Odds watchers off (HIPPIQUE_ODDS_WATCH=off): no minute captures expected."
    assert off in markdown and off in ops_figures.summary_lines(report)
    assert "| watch |" not in markdown and not any(
        line.startswith("watch:") for line in ops_figures.summary_lines(report)
    )
    on = ops_figures.day_report(DAY, planned_races=1, runs=runs)
    assert "| watch | 0 | 0 | 0 | 0 |" in ops_figures.summary_markdown(on)
    assert (
        "Odds watchers: 0 runs (0 restarts), 0 captures, 0 capture gaps (0 s)."
        in ops_figures.summary_markdown(on)
    )


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
    for race, phase, reason in (
        ("R1C2", "h5", "run_failed"),
        ("R1C2", "result", None),
        ("R1C2", "last_call", "run_failed"),
    ):
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
    # The watchers' minute captures of R1C1 (two runners, three instants; the H-5 snapshot is not
    # one) and their gaps, and another day's, which the report of DAY leaves out.
    for race, phase, minute in [(f"{DAY}-R1C1", "watch", m) for m in (0, 1, 2)] + [
        (f"{DAY}-R1C1", "h5", 5),
        ("2026-03-24-R1C1", "watch", 0),
    ]:
        for number in (1, 2):
            postgres.execute(
                "insert into pmu.odds_snapshots (race_key, race_date, reunion, course, phase, captured_at, "
                "number, non_runner) values (%s, %s, 1, 1, %s, %s, %s, false)",
                (race, race[:10], phase, FIRST_START - timedelta(minutes=10 - minute), number),
            )
    for race, gap_from, seconds, reason in (
        (f"{DAY}-R1C1", FIRST_START - timedelta(minutes=7), 70.0, "capture_failed"),
        (f"{DAY}-R1C2", FIRST_START + timedelta(minutes=20), 95.5, "restarted"),
        ("2026-03-24-R1C1", FIRST_START, 600.0, "late_start"),
    ):
        postgres.execute(
            "insert into racing.odds_capture_gaps (race_key, race_date, gap_from, gap_to, seconds, reason, "
            "recorded_at) values (%s, %s, %s, %s, %s, %s, %s)",
            (race, race[:10], gap_from, gap_from + timedelta(seconds=seconds), seconds, reason, FIRST_START),
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
    instance: DagsterInstance,
    job: str,
    race: str,
    due: datetime,
    ended: datetime,
    ok: bool,
    tags: dict[str, str] | None = None,
) -> None:
    """A finished race-clock run as the instance keeps it: tags, and its end event at ``ended``."""
    run = instance.add_run(
        DagsterRun(
            job_name=job,
            status=DagsterRunStatus.STARTED,
            tags={RACE_TAG: race, DUE_TAG: due.isoformat(), **(tags or {})},
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
    # R1C1's last call decided 6 s after its due instant, R1C2's was refused after the off.
    for course, race in enumerate(races[:2]):
        last_call = FIRST_START + timedelta(minutes=30 * course - 2)
        _race_run(
            instance,
            "race_last_call",
            race,
            last_call,
            last_call + timedelta(seconds=6 + 120 * course),
            ok=course == 0,
        )
    # R1C1's watcher ran to the off; R1C2's died and was started again.
    watch = FIRST_START - timedelta(minutes=10)
    _race_run(instance, "race_watch", races[0], watch, FIRST_START, ok=True)
    _race_run(instance, "race_watch", races[1], watch, watch + timedelta(minutes=33), ok=False)
    _race_run(
        instance,
        "race_watch",
        races[1],
        watch,
        watch + timedelta(minutes=40),
        ok=True,
        tags={RESTART_TAG: "1"},
    )
    # Another day's run is not counted.
    _race_run(instance, "race_h30", "2026-03-24-R1C1", result_due, result_due, ok=True)

    resources = {"postgres": postgres, "notifications": NotificationsResource(), "clock": ClockResource()}
    ops_report = build_ops_report()
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
    assert [figures[f"last_call_{k}"] for k in ("requested", "succeeded", "failed", "missed")] == [2, 1, 1, 1]
    assert [figures[f"watch_{k}"] for k in ("requested", "succeeded", "failed", "missed")] == [3, 2, 1, 0]
    assert figures["runs_requested"] == 10 and figures["success_rate"] == pytest.approx(0.7)
    assert figures["missed_phases"] == 3 and figures["h5_missed"] == figures["result_missed"] == 1
    assert figures["missed_run_failed"] == 2 and figures["missed_not_fired"] == 1
    assert figures["missed_started_late"] == 0
    assert figures["h30_latency_p50_s"] == pytest.approx(20.0)
    assert figures["h30_latency_p95_s"] == pytest.approx(29.0)
    assert figures["h30_latency_max_s"] == pytest.approx(30.0)
    assert figures["h5_latency_p50_s"] == figures["h5_latency_p95_s"] == pytest.approx(40.0)
    assert figures["result_latency_p95_s"] == pytest.approx(90.0)
    assert figures["last_call_latency_p50_s"] == figures["last_call_latency_max_s"] == pytest.approx(6.0)
    assert (figures["watch_restarts"], figures["watch_captures"], figures["watch_capture_gaps"]) == (1, 3, 2)
    assert figures["watch_capture_gap_s"] == pytest.approx(165.5)
    assert "| h5 | 2 | 1 | 1 | 1 |" in figures["summary"]
    assert "| last_call | 2 | 1 | 1 | 1 | 6.0 s | 6.0 s | 6.0 s |" in figures["summary"]
    assert "Odds watchers: 3 runs (1 restarts), 3 captures, 2 capture gaps" in figures["summary"]
    assert figures["notification"] == "recorded in racing.alerts (no channel configured)"

    again = _figures(
        materialize([ops_report], resources=resources, partition_key=DAY.isoformat(), instance=instance)
    )
    assert again["notification"] == "already sent" and again["alerts_raised"] == 1
    recorded = postgres.query_frame(
        "select dedup_key, severity from racing.alerts where condition = 'day_report'"
    ).values.tolist()
    assert recorded == [["day_report:2026-03-23:-", "info"]]


def test_with_the_watchers_off_the_report_says_so_instead_of_figures(instance, postgres):
    resources = {"postgres": postgres, "notifications": NotificationsResource(), "clock": ClockResource()}
    ops_report = build_ops_report(odds_watch=False)
    result = materialize([ops_report], resources=resources, partition_key=DAY.isoformat(), instance=instance)
    figures = _figures(result)
    assert "Odds watchers off (HIPPIQUE_ODDS_WATCH=off)" in figures["summary"]
    assert "| watch |" not in figures["summary"] and figures["watch_requested"] == 0
    [detail] = postgres.query_frame("select detail from racing.alerts where condition = 'day_report'")[
        "detail"
    ].tolist()
    assert "Odds watchers off" in detail and "Odds watchers:" not in detail


def test_a_day_with_nothing_stored_reports_zeros(instance, postgres):
    resources = {"postgres": postgres, "notifications": NotificationsResource(), "clock": ClockResource()}
    ops_report = build_ops_report()
    result = materialize([ops_report], resources=resources, partition_key="2019-07-14", instance=instance)
    figures = _figures(result)
    summary = figures.pop("summary")
    figures.pop("notification")
    assert set(figures.values()) == {0}
    assert "No racing on 2019-07-14" in summary
