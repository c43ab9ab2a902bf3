"""When the odds watcher captures, stops, and what it counts as a gap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from hippique_assets.racing.minute_odds import (
    CAPTURE_EVERY,
    GAP_AFTER,
    RESTARTED,
    gap_at_the_off,
    gap_before,
    next_step,
    window_start,
)

OFF = datetime(2026, 3, 23, 14, 0, tzinfo=UTC)
H10 = OFF - timedelta(minutes=10)
KEY = "2026-03-23-R1C1"


def test_captures_a_minute_apart_leave_no_gap_and_longer_ones_do():
    assert gap_before(KEY, H10, H10 + GAP_AFTER, OFF, RESTARTED) is None
    gap = gap_before(KEY, H10, H10 + GAP_AFTER + timedelta(seconds=1), OFF, RESTARTED)
    assert gap is not None and gap.gap_from == H10 and gap.seconds == 61 and gap.reason == RESTARTED


def test_the_first_capture_of_the_window_is_measured_from_h10_not_from_older_captures():
    yesterday_capture = H10 - timedelta(minutes=20)  # before a start moved later
    gap = gap_before(KEY, yesterday_capture, H10 + timedelta(minutes=3), OFF, RESTARTED)
    assert gap is not None and gap.gap_from == H10
    assert gap_before(KEY, None, H10 + timedelta(seconds=20), OFF, RESTARTED) is None


def test_the_stretch_before_the_off_is_a_gap_only_when_over_a_minute():
    assert gap_at_the_off(KEY, OFF - GAP_AFTER, OFF) is None
    gap = gap_at_the_off(KEY, OFF - timedelta(minutes=3), OFF)
    assert gap is not None and gap.gap_to == OFF and gap.seconds == 180
    whole = gap_at_the_off(KEY, None, OFF)
    assert whole is not None and whole.gap_from == window_start(OFF) and whole.seconds == 600


def test_the_watcher_stops_at_the_off_without_a_start_and_when_the_start_moved_far_later():
    assert next_step(OFF, OFF, OFF).action == "stop"
    assert next_step(H10, None, H10).action == "stop"
    moved = OFF + timedelta(minutes=20)
    assert next_step(H10 + timedelta(minutes=1), moved, H10).action == "stop"
    # Moved a little later: still inside the new window, the watcher carries on.
    assert next_step(H10 + timedelta(minutes=1), OFF + timedelta(minutes=1), H10).action == "capture"


@settings(max_examples=200, deadline=None)
@given(
    now_s=st.integers(min_value=0, max_value=599),
    wait_s=st.integers(min_value=0, max_value=int(CAPTURE_EVERY.total_seconds())),
)
def test_inside_the_window_the_watcher_captures_when_due_and_never_waits_past_the_off(now_s, wait_s):
    now = H10 + timedelta(seconds=now_s)
    step = next_step(now, OFF, now + timedelta(seconds=wait_s))
    if wait_s == 0:
        assert step.action == "capture"
    else:
        assert step.action == "wait" and step.at is not None and now < step.at <= OFF
