"""When the race clock fires each phase: on time, late, missed, moved, cancelled, DST, midnight."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hippique_assets.racing.race_clock import PhaseRun, PlannedRace, evaluate, too_late_to_start

START = datetime(2026, 3, 23, 14, 0, tzinfo=UTC)
RACE = PlannedRace("2026-03-23-R1C1", START)


def _due(now: datetime, previous: datetime | None = None, races=(RACE,)):
    return evaluate(races, now, previous_tick=previous)


def test_nothing_due_before_h30_and_next_due_is_h30():
    evaluation = _due(START - timedelta(minutes=31))
    assert evaluation.due == [] and evaluation.missed == []
    assert evaluation.next_due == START - timedelta(minutes=30)


def test_h30_on_time_has_a_deterministic_run_key():
    evaluation = _due(START - timedelta(minutes=30), START - timedelta(minutes=30, seconds=30))
    assert [r.run_key for r in evaluation.due] == ["2026-03-23-R1C1:h30:20260323T133000Z"]
    assert evaluation.next_due == START - timedelta(minutes=5)


def test_late_tick_inside_grace_still_fires_and_past_grace_is_missed_once():
    h5_due = START - timedelta(minutes=5)
    late = _due(h5_due + timedelta(minutes=3, seconds=59), previous=h5_due - timedelta(seconds=30))
    assert [r.phase for r in late.due] == ["h5"]
    assert late.missed == []  # h30's window closed long after a tick had requested it
    missed = _due(h5_due + timedelta(minutes=4, seconds=1), previous=h5_due - timedelta(seconds=30))
    assert missed.due == []
    assert missed.missed == [PhaseRun(RACE.race_key, "h5", h5_due)]
    # The next tick does not report it again.
    again = _due(h5_due + timedelta(minutes=4, seconds=31), previous=h5_due + timedelta(minutes=4, seconds=1))
    assert again.missed == []


def test_phase_requested_inside_its_window_is_never_reported_missed():
    h5_due = START - timedelta(minutes=5)
    evaluation = _due(h5_due + timedelta(minutes=10), previous=h5_due + timedelta(minutes=1))
    assert "h5" not in [r.phase for r in evaluation.missed]


def test_result_grace_is_six_hours():
    result_due = START + timedelta(minutes=15)
    assert [r.phase for r in _due(result_due + timedelta(hours=5, minutes=59)).due] == ["result"]
    assert [r.phase for r in _due(result_due + timedelta(hours=6, minutes=1)).due] == []


def test_moved_start_fires_at_the_new_time_with_a_new_key():
    moved = PlannedRace(RACE.race_key, START + timedelta(minutes=10))
    at_old_time = _due(START - timedelta(minutes=5), races=(moved,))
    assert [r.phase for r in at_old_time.due] == ["h30"]
    at_new_time = _due(START + timedelta(minutes=5), races=(moved,))
    keys = [r.run_key for r in at_new_time.due]
    assert "2026-03-23-R1C1:h5:20260323T140500Z" in keys
    assert "2026-03-23-R1C1:h5:20260323T135500Z" not in keys


def test_cancelled_race_and_race_without_start_fire_nothing():
    races = (PlannedRace("2026-03-23-R1C1", START, cancelled=True), PlannedRace("2026-03-23-R1C2", None))
    evaluation = _due(START, previous=None, races=races)
    assert evaluation.due == [] and evaluation.missed == [] and evaluation.next_due is None


@pytest.mark.parametrize(
    ("start", "expected_h5"),
    [
        # 14:00 Paris on the last Sunday of March (UTC+2 from 03:00) and of October (UTC+1 from 03:00).
        (datetime(2026, 3, 29, 12, 0, tzinfo=UTC), "20260329T115500Z"),
        (datetime(2026, 10, 25, 13, 0, tzinfo=UTC), "20261025T125500Z"),
        # 00:02 Paris on 24 March is 23:02 UTC on the 23rd: H-5 falls the previous UTC day.
        (datetime(2026, 3, 23, 23, 2, tzinfo=UTC), "20260323T225700Z"),
    ],
)
def test_due_instants_are_utc_on_dst_days_and_near_midnight(start: datetime, expected_h5: str):
    race = PlannedRace("k", start)
    evaluation = _due(start - timedelta(minutes=5), races=(race,))
    assert [r.run_key for r in evaluation.due if r.phase == "h5"] == [f"k:h5:{expected_h5}"]


def test_two_hundred_races_in_one_tick():
    now = datetime(2026, 3, 23, 15, 0, tzinfo=UTC)
    races = [
        PlannedRace(f"2026-03-23-R{i // 10 + 1}C{i % 10 + 1}", now + timedelta(minutes=5)) for i in range(200)
    ]
    evaluation = _due(now, previous=now - timedelta(seconds=30), races=races)
    assert len(evaluation.due) == 200
    assert {r.phase for r in evaluation.due} == {"h5"}
    assert len({r.run_key for r in evaluation.due}) == 200


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        evaluate([RACE], datetime(2026, 3, 23, 14, 0), previous_tick=None)


@pytest.mark.parametrize(
    ("phase", "started", "refused"),
    [
        ("h5", START - timedelta(seconds=1), False),
        ("h5", START, True),  # the race is off: no H-5 snapshot, no ticket
        ("h30", START - timedelta(minutes=5, seconds=1), False),
        ("h30", START - timedelta(minutes=5), True),  # H-5 is due: an "H-30" snapshot means nothing
        ("result", START + timedelta(days=2), False),  # a late result is still the result
    ],
)
def test_a_snapshot_run_is_too_late_once_its_phase_has_lost_its_meaning(phase, started, refused):
    due = {"h30": START - timedelta(minutes=30), "h5": START - timedelta(minutes=5)}.get(
        phase, START + timedelta(minutes=15)
    )
    assert too_late_to_start(phase, due, started) is refused
