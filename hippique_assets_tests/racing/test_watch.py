"""The operations guide's conditions, from a day's facts to the alerts that hold."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hippique_assets.racing.watch import DayFacts, RunOutcome, Thresholds, day_alerts, run_failed_alert

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
        h5_runs=[RunOutcome("2026-03-23-R1C1", True, timedelta(seconds=12), "r1")],
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
            RunOutcome("2026-03-23-R1C1", False, None, "a"),
            RunOutcome("2026-03-23-R1C2", False, None, "b"),
            RunOutcome("2026-03-23-R1C3", True, timedelta(seconds=45), "c"),
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
    linked = day_alerts(facts, now, run_url=lambda run: f"http://ui/runs/{run}")
    [late] = [a for a in linked if a.condition == "h5_late"]
    assert late.fields["run_id"] == "c" and late.run_url == "http://ui/runs/c"


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


R1, R2, R3, R4 = (f"2026-03-23-R1C{course}" for course in (1, 2, 3, 4))
AFTERNOON = datetime(2026, 3, 23, 15, 0, tzinfo=UTC)


def _by_key(facts: DayFacts, limits: Thresholds | None = None, **kwargs) -> dict:
    return {alert.dedup_key: alert for alert in day_alerts(facts, AFTERNOON, limits, **kwargs)}


def test_a_late_last_call_warns_beyond_its_own_tolerance_naming_the_race_and_the_run():
    facts = DayFacts(
        DAY,
        programme_races=4,
        planned_races=4,
        h5_runs=[RunOutcome(R1, True, timedelta(seconds=12), "h5-1")],
        last_call_runs=[
            RunOutcome(R1, True, timedelta(seconds=31), "lc-1"),
            RunOutcome(R2, True, timedelta(seconds=30), "lc-2"),  # at the tolerance: on time
            RunOutcome(R3, True, None, "lc-3"),  # not measured (simulated clock)
        ],
    )
    alerts = _by_key(facts, run_url=lambda run_id: f"http://ui/runs/{run_id}")
    assert list(alerts) == [f"last_call_late:2026-03-23:{R1}"]
    late = alerts[f"last_call_late:2026-03-23:{R1}"]
    assert late.severity == "warning" and late.race_key == R1
    assert late.title == f"Last-call decision of {R1} came 31 s after its due instant"
    assert late.fields["run_id"] == "lc-1" and late.fields["phase"] == "last_call"
    assert late.run_url == "http://ui/runs/lc-1"
    # Its tolerance is its own, not H-5's.
    assert _by_key(facts, Thresholds(last_call_late=timedelta(minutes=1))) == {}
    tight = Thresholds(h5_late=timedelta(minutes=5), last_call_late=timedelta(seconds=10))
    assert sorted(_by_key(facts, tight)) == [f"last_call_late:2026-03-23:{r}" for r in (R1, R2)]


def test_a_missed_or_refused_last_call_warns_once_per_race_only_where_h5_decided():
    facts = DayFacts(
        DAY,
        programme_races=4,
        planned_races=4,
        h5_runs=[
            RunOutcome(R1, True, None, "h5-1"),
            RunOutcome(R2, True, None, "h5-2"),
            RunOutcome(R3, False, None, "h5-3"),
            RunOutcome(R4, True, None, "h5-4"),
        ],
        # R1's last call was refused after the off (its run failed, then recorded missed); R2's never
        # fired; R3 had no H-5 decision; R4's first last call failed but the one at its moved start
        # decided.
        last_call_runs=[
            RunOutcome(R1, False, None, "lc-1"),
            RunOutcome(R4, False, None, "lc-4a"),
            RunOutcome(R4, True, None, "lc-4b"),
        ],
        missed=[
            (R1, "last_call", "run_failed"),
            (R2, "last_call", "not_fired"),
            (R3, "last_call", "started_late"),
        ],
    )
    alerts = _by_key(facts, run_url=lambda run_id: f"http://ui/runs/{run_id}")
    assert sorted(alerts) == [f"last_call_missed:2026-03-23:{R1}", f"last_call_missed:2026-03-23:{R2}"]
    refused = alerts[f"last_call_missed:2026-03-23:{R1}"]
    assert refused.title == f"Last call of {R1} missed (run_failed): run lc-1 failed or was refused"
    assert refused.fields["run_id"] == "lc-1" and refused.run_url == "http://ui/runs/lc-1"
    assert refused.fields["reason"] == "run_failed" and refused.race_key == R1
    never = alerts[f"last_call_missed:2026-03-23:{R2}"]
    assert never.title == f"Last call of {R2} missed (not_fired)"
    assert "run_id" not in never.fields and never.run_url is None
    assert any("placing_phase = last_call" in line for line in never.text)


def test_a_failed_last_call_not_yet_recorded_missed_already_warns():
    facts = DayFacts(
        DAY,
        programme_races=1,
        planned_races=1,
        h5_runs=[RunOutcome(R1, True, None, "h5-1")],
        last_call_runs=[RunOutcome(R1, False, None, "lc-1")],
    )
    [alert] = day_alerts(facts, AFTERNOON)
    assert alert.dedup_key == f"last_call_missed:2026-03-23:{R1}" and alert.fields["reason"] == "run_failed"
    assert alert.run_url is None  # no UI address to link to


def test_missed_watchers_warn_only_while_the_watchers_are_on():
    facts = DayFacts(
        DAY,
        programme_races=2,
        planned_races=2,
        missed=[(R1, "watch", "not_fired"), (R2, "result", "not_fired")],
    )
    alerts = _by_key(facts)
    assert alerts[f"watch_missed:2026-03-23:{R1}"].title == f"H-10 watch of {R1} missed (not_fired)"
    assert alerts[f"result_missed:2026-03-23:{R2}"].title == f"H+15 of {R2} missed (not_fired)"
    facts.odds_watch = False
    assert list(_by_key(facts)) == [f"result_missed:2026-03-23:{R2}"]


def test_a_failed_run_is_titled_with_its_phase_as_a_person_names_it():
    for phase, title in (
        ("h5", "H-5 run of R failed"),
        ("last_call", "Last call run of R failed"),
        ("watch", "H-10 watch run of R failed"),
        ("result", "H+15 run of R failed"),
    ):
        assert run_failed_alert(DAY, "race_x", "R", phase, "step", "boom", None).title == title
