"""When the race clock fires each phase: on time, late, missed, moved, cancelled, DST, midnight."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    assert evaluation.next_due == START - timedelta(minutes=10)  # the odds watcher


def test_late_tick_inside_grace_still_fires_and_past_grace_is_missed_once():
    h5_due = START - timedelta(minutes=5)
    late = _due(h5_due + timedelta(minutes=3, seconds=59), previous=h5_due - timedelta(seconds=30))
    assert [r.phase for r in late.due] == ["watch", "h5", "last_call"]
    assert late.missed == []  # h30's window closed long after a tick had requested it
    missed = _due(h5_due + timedelta(minutes=4, seconds=1), previous=h5_due - timedelta(seconds=30))
    assert [r.phase for r in missed.due] == ["last_call"]  # due until 20 s before the off
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
    assert len(evaluation.due) == 400
    assert {r.phase for r in evaluation.due} == {"h5", "watch"}
    assert len({r.run_key for r in evaluation.due}) == 400


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


def test_the_last_call_is_due_at_its_configured_lead_and_requested_until_20_s_before_the_off():
    for minutes in (1, 2, 5):
        due = START - timedelta(minutes=minutes)
        at_due = evaluate([RACE], due, previous_tick=due - timedelta(seconds=30), last_call_minutes=minutes)
        [last_call] = [r for r in at_due.due if r.phase == "last_call"]
        assert last_call.run_key == f"{RACE.race_key}:last_call:{due:%Y%m%dT%H%M%SZ}"
        assert last_call.off == START
        still = evaluate([RACE], START - timedelta(seconds=20), previous_tick=due, last_call_minutes=minutes)
        assert "last_call" in [r.phase for r in still.due]
        gone = evaluate([RACE], START - timedelta(seconds=19), previous_tick=due, last_call_minutes=minutes)
        assert "last_call" not in [r.phase for r in gone.due]


@pytest.mark.parametrize("minutes", [0, 6, -1, 2.5, True])
def test_a_last_call_lead_outside_one_to_five_minutes_is_refused(minutes):
    with pytest.raises(ValueError, match="last_call_minutes"):
        evaluate([RACE], START, previous_tick=None, last_call_minutes=minutes)


def test_a_last_call_never_starts_at_or_after_the_off():
    due = START - timedelta(minutes=2)
    assert not too_late_to_start("last_call", due, START - timedelta(seconds=1), off=START)
    assert too_late_to_start("last_call", due, START, off=START)
    # A race moved later (off tag at the new time) gives its last call until the new off.
    assert not too_late_to_start(
        "last_call", due, START + timedelta(minutes=1), off=START + timedelta(minutes=2)
    )
    # Without the off tag the default lead (2 minutes) is the limit.
    assert too_late_to_start("last_call", due, START)


def test_a_moved_start_gets_its_last_call_at_the_new_time():
    moved = PlannedRace(RACE.race_key, START + timedelta(minutes=7))
    at_old = evaluate([moved], START - timedelta(minutes=2), previous_tick=START - timedelta(minutes=3))
    assert "last_call" not in [r.phase for r in at_old.due]
    at_new = evaluate([moved], START + timedelta(minutes=5), previous_tick=START + timedelta(minutes=4))
    [last_call] = [r for r in at_new.due if r.phase == "last_call"]
    assert last_call.due == START + timedelta(minutes=5)
    assert last_call.run_key.endswith(":20260323T140500Z")


@settings(max_examples=300, deadline=None)
@given(
    offset_s=st.integers(min_value=-3 * 3600, max_value=8 * 3600),
    minutes=st.integers(min_value=1, max_value=5),
    tick_s=st.integers(min_value=1, max_value=120),
)
def test_a_phase_fires_only_inside_its_window_and_the_last_call_never_at_or_after_the_off(
    offset_s, minutes, tick_s
):
    now = START + timedelta(seconds=offset_s)
    evaluation = evaluate(
        [RACE], now, previous_tick=now - timedelta(seconds=tick_s), last_call_minutes=minutes
    )
    for run in evaluation.due:
        assert run.due <= now
        if run.phase == "last_call":
            assert run.due == START - timedelta(minutes=minutes)
            assert now < START
    for run in evaluation.missed:
        # Reported missed only when no earlier tick fell in its window.
        assert run.due > now - timedelta(seconds=tick_s) - timedelta(hours=6, minutes=15)
    # Every phase is due, missed or ahead, never two of these at once.
    seen = [r.phase for r in evaluation.due] + [r.phase for r in evaluation.missed]
    assert len(seen) == len(set(seen))


@settings(max_examples=100, deadline=None)
@given(minutes=st.integers(min_value=1, max_value=5), interval_s=st.integers(min_value=1, max_value=30))
def test_ticks_at_any_interval_up_to_30_s_request_every_phase_once_and_miss_none(minutes, interval_s):
    now = START - timedelta(minutes=31)
    previous: datetime | None = now - timedelta(seconds=interval_s)
    requested: dict[str, set[str]] = {}
    while now <= START + timedelta(minutes=16):
        evaluation = evaluate([RACE], now, previous_tick=previous, last_call_minutes=minutes)
        assert evaluation.missed == []
        for run in evaluation.due:
            requested.setdefault(run.phase, set()).add(run.run_key)
        previous, now = now, now + timedelta(seconds=interval_s)
    assert {phase: len(keys) for phase, keys in requested.items()} == {
        "h30": 1,
        "watch": 1,
        "h5": 1,
        "last_call": 1,
        "result": 1,
    }


def test_a_switched_off_phase_is_neither_due_nor_missed_nor_waited_for():
    # H-12: the watcher (H-10) would be the next instant; off, the next is H-5.
    evaluation = evaluate(
        [RACE], START - timedelta(minutes=12), previous_tick=None, switched_off=frozenset({"watch"})
    )
    assert evaluation.next_due == START - timedelta(minutes=5)
    # H-30 s, first tick ever: the windows of H-30, the watcher and H-5 have closed; the watcher alone
    # is not among the missed.
    late = evaluate(
        [RACE], START - timedelta(seconds=30), previous_tick=None, switched_off=frozenset({"watch"})
    )
    assert "watch" not in {run.phase for run in (*late.due, *late.missed)}
    assert {run.phase for run in late.missed} == {"h30", "h5"}
