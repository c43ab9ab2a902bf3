"""The operations guide's conditions, from a day's facts to the alerts that hold."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hippique_assets.racing.watch import DayFacts, H5Outcome, Thresholds, day_alerts, run_failed_alert

DAY = date(2026, 3, 23)
MORNING = datetime(2026, 3, 23, 7, 0, tzinfo=UTC)  # 08:00 Paris
AFTER_DEADLINE = datetime(2026, 3, 23, 8, 10, tzinfo=UTC)  # 09:10 Paris


def _keys(facts: DayFacts, now: datetime, limits: Thresholds | None = None) -> list[str]:
    return [alert.dedup_key for alert in day_alerts(facts, now, limits)]


def test_a_quiet_day_raises_nothing():
    facts = DayFacts(
        DAY,
        programme_races=60,
        planned_races=60,
        first_h30_due=datetime(2026, 3, 23, 10, 0, tzinfo=UTC),
        last_start=datetime(2026, 3, 23, 20, 0, tzinfo=UTC),
        race_runs=3,
        h5_runs=[H5Outcome("2026-03-23-R1C1", True, timedelta(seconds=12), "r1")],
    )
    assert _keys(facts, datetime(2026, 3, 23, 12, 0, tzinfo=UTC)) == []


def test_no_plan_by_the_deadline_is_critical_and_says_whether_the_programme_came():
    assert _keys(DayFacts(DAY), MORNING) == []
    [missing] = day_alerts(DayFacts(DAY), AFTER_DEADLINE)
    assert (missing.severity, missing.dedup_key) == ("critical", "plan_missing:2026-03-23:-")
    [empty] = day_alerts(DayFacts(DAY, programme_races=58), AFTER_DEADLINE)
    assert (empty.severity, empty.condition) == ("critical", "plan_empty")
    assert "58" in empty.title


def test_a_programme_that_lost_more_than_one_race_is_critical():
    one = DayFacts(DAY, programme_races=60, planned_races=60, shrunk_races=["2026-03-23-R1C1"])
    assert _keys(one, AFTER_DEADLINE) == []
    two = DayFacts(
        DAY, programme_races=60, planned_races=60, shrunk_races=["2026-03-23-R1C1", "2026-03-23-R2C3"]
    )
    [alert] = day_alerts(two, AFTER_DEADLINE)
    assert alert.condition == "plan_shrank" and "2026-03-23-R2C3" in alert.text


def test_no_race_run_five_minutes_after_the_first_h30():
    first = datetime(2026, 3, 23, 10, 0, tzinfo=UTC)
    facts = DayFacts(DAY, programme_races=60, planned_races=60, first_h30_due=first)
    assert _keys(facts, first + timedelta(minutes=4)) == []
    assert _keys(facts, first + timedelta(minutes=5)) == ["no_race_runs:2026-03-23:-"]
    facts.race_runs = 1
    assert _keys(facts, first + timedelta(minutes=5)) == []


def test_failed_analyses_late_and_missed_decisions_and_a_deep_queue():
    now = datetime(2026, 3, 23, 15, 0, tzinfo=UTC)
    facts = DayFacts(
        DAY,
        programme_races=4,
        planned_races=4,
        h5_runs=[
            H5Outcome("2026-03-23-R1C1", False, None, "a"),
            H5Outcome("2026-03-23-R1C2", False, None, "b"),
            H5Outcome("2026-03-23-R1C3", True, timedelta(seconds=45), "c"),
        ],
        missed=[("2026-03-23-R1C4", "h5", "not_fired")],
        queued_runs=25,
    )
    alerts = {a.dedup_key: a.severity for a in day_alerts(facts, now)}
    assert alerts == {
        "analyses_failing:2026-03-23:-": "critical",
        "h5_late:2026-03-23:2026-03-23-R1C3": "warning",
        "h5_missed:2026-03-23:2026-03-23-R1C4": "warning",
        "queue_deep:2026-03-23:-": "warning",
    }


def test_a_day_that_ends_with_gaps_warns_once_it_has_ended():
    last = datetime(2026, 3, 23, 20, 0, tzinfo=UTC)
    facts = DayFacts(DAY, programme_races=60, planned_races=60, last_start=last, gaps=3)
    assert _keys(facts, last + timedelta(minutes=30)) == []
    assert _keys(facts, last + timedelta(hours=1)) == ["day_gaps:2026-03-23:-"]


def test_a_failed_race_run_names_its_race_phase_step_and_run():
    alert = run_failed_alert(
        DAY, "race_h5", "2026-03-23-R1C4", "h5", "odds_snapshot_h5", "boom", "http://ui/runs/x"
    )
    assert alert.dedup_key == "h5_run_failed:2026-03-23:2026-03-23-R1C4"
    assert alert.severity == "warning" and alert.run_url == "http://ui/runs/x"
    assert dict(alert.fields) == {
        "day": "2026-03-23",
        "job": "race_h5",
        "step": "odds_snapshot_h5",
        "reason": "boom",
        "race": "2026-03-23-R1C4",
        "phase": "h5",
        "run": "http://ui/runs/x",
    }
    daily = run_failed_alert(DAY, "plan_day", None, None, "race_plan", "no plan", None)
    assert (daily.severity, daily.dedup_key) == ("critical", "plan_day_failed:2026-03-23:-")


def test_a_ledger_not_built_two_hours_after_the_last_start_warns():
    last = datetime(2026, 3, 23, 20, 0, tzinfo=UTC)
    facts = DayFacts(DAY, programme_races=60, planned_races=60, last_start=last)
    assert _keys(facts, last + timedelta(minutes=110)) == []
    assert _keys(facts, last + timedelta(hours=2)) == ["ledger_missing:2026-03-23:-"]
    facts.ledger_races = 60
    assert _keys(facts, last + timedelta(hours=3)) == []
