"""The odds known at an instant: latest capture at or before it, the live snapshot first, stale
captures refused; capture files read with their real capture times."""

from __future__ import annotations

import gzip
from datetime import date, timedelta

import pandas as pd
import pytest

from hippique_assets.analysis.snapshots import (
    CAPTURE_PHASE,
    CaptureFileError,
    odds_at,
    phase_odds,
    read_capture_file,
)
from hippique_assets.pmu.schema.live_odds import ODDS_SNAPSHOTS
from hippique_assets.storage.tables import column_names

START = pd.Timestamp("2026-01-10T14:00:00Z")


def _rows(
    phase: str, minutes_before: float, odds: list[float], non_runner: tuple[int, ...] = ()
) -> list[dict]:
    at = START - timedelta(minutes=minutes_before)
    return [
        {
            "phase": phase,
            "captured_at": at,
            "number": n,
            "odds_direct": o,
            "odds_reference": o + 1.0,
            "non_runner": n in non_runner,
        }
        for n, o in enumerate(odds, start=1)
    ]


def _frame(*groups: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([row for group in groups for row in group])


def test_h5_uses_the_latest_capture_at_or_before_the_due_instant_and_nothing_after():
    snapshots = _frame(
        _rows(CAPTURE_PHASE, 40, [2.0, 4.0, 8.0]),
        _rows(CAPTURE_PHASE, 12, [2.2, 3.8, 8.5]),
        _rows(CAPTURE_PHASE, 5, [2.4, 3.6, 9.0]),  # exactly at H-5: known
        _rows(CAPTURE_PHASE, 4.9, [9.9, 9.9, 1.1]),  # six seconds later: not known yet
    )
    h5 = phase_odds(snapshots, START, "h5", max_age_min=20)
    assert h5.available and h5.source == CAPTURE_PHASE
    assert h5.odds.to_dict() == {1: 2.4, 2: 3.6, 3: 9.0}
    assert h5.captured_at == START - timedelta(minutes=5) and h5.age_min == 0
    h30 = phase_odds(snapshots, START, "h30", max_age_min=20)
    assert h30.odds.to_dict() == {1: 2.0, 2: 4.0, 3: 8.0} and h30.age_min == pytest.approx(10)


def test_the_live_snapshot_of_the_phase_comes_first():
    snapshots = _frame(
        _rows(CAPTURE_PHASE, 8, [2.2, 3.8, 8.5]),
        # Taken by the H-5 run a few seconds after its due instant.
        _rows("h5", 4.8, [2.5, 3.5, 9.5], non_runner=(3,)),
    )
    h5 = phase_odds(snapshots, START, "h5", max_age_min=20)
    assert h5.source == "h5" and h5.odds.to_dict() == {1: 2.5, 2: 3.5, 3: 9.5}
    assert h5.non_runners == frozenset({3}) and h5.age_min < 0


def test_a_phase_snapshot_taken_once_the_race_was_off_is_never_decided_on():
    snapshots = _frame(
        _rows(CAPTURE_PHASE, 8, [2.2, 3.8, 8.5]),
        # An H-5 run launched by hand long after the race: final odds under the h5 label.
        _rows("h5", -60 * 24 * 30, [1.5, 6.0, 30.0]),
    )
    h5 = phase_odds(snapshots, START, "h5", max_age_min=20)
    assert h5.source == CAPTURE_PHASE and h5.odds.to_dict() == {1: 2.2, 2: 3.8, 3: 8.5}
    only_late = _frame(_rows("h5", -1, [1.5, 6.0, 30.0]))
    assert not phase_odds(only_late, START, "h5", max_age_min=20).available


def test_a_stale_capture_is_not_used():
    snapshots = _frame(_rows(CAPTURE_PHASE, 90, [2.0, 4.0]))
    h5 = phase_odds(snapshots, START, "h5", max_age_min=20)
    assert not h5.available and "85 min old" in h5.problem
    assert not phase_odds(snapshots.iloc[0:0], START, "h5", 20).available


def test_odds_at_takes_each_runner_latest_row():
    snapshots = _frame(_rows(CAPTURE_PHASE, 30, [2.0, 4.0, 6.0]), _rows(CAPTURE_PHASE, 10, [2.1, 4.1])[:1])
    known = odds_at(snapshots, START)
    assert known.set_index("number")["odds_direct"].to_dict() == {1: 2.1, 2: 4.0, 3: 6.0}


HEADER = "date,reunion,course,num,captured_at_utc,odds_time_utc,odds_direct,odds_reference,statut,start_utc\n"


def test_capture_file_rows_keep_their_capture_time(tmp_path):
    path = tmp_path / "captures.csv.gz"
    lines = [
        "2026-01-10,1,3,1,2026-01-10T13:50:00Z,2026-01-10T13:49:30Z,2.5,3.0,PARTANT,2026-01-10T14:00:00Z\n",
        "2026-01-10,1,3,2,2026-01-10T13:50:00Z,,7.0,6.0,NON_PARTANT,2026-01-10T14:00:00Z\n",
        "2026-01-10,1,3,1,2026-01-10T14:01:00Z,,2.4,3.0,PARTANT,2026-01-10T14:00:00Z\n",  # after the start
        "2026-01-10,1,3,x,2026-01-10T13:50:00Z,,2.4,3.0,PARTANT,2026-01-10T14:00:00Z\n",  # unreadable
        "2026-01-11,2,1,1,2026-01-11T13:50:00Z,,2.4,3.0,PARTANT,2026-01-11T14:00:00Z\n",  # outside
    ]
    with gzip.open(path, "wt") as handle:
        handle.write(HEADER + "".join(lines))
    imported = read_capture_file(path, date(2026, 1, 10), date(2026, 1, 10))
    assert (imported.read, imported.after_start, imported.unreadable, imported.outside_range) == (5, 1, 1, 1)
    rows = imported.rows
    assert list(rows.columns) == column_names(ODDS_SNAPSHOTS)
    assert list(rows["race_key"]) == ["2026-01-10-R1C3"] * 2
    assert list(rows["captured_at"]) == [pd.Timestamp("2026-01-10T13:50:00Z")] * 2
    assert list(rows["non_runner"]) == [False, True] and set(rows["phase"]) == {CAPTURE_PHASE}
    assert rows["odds_direct_at"].iloc[0] == pd.Timestamp("2026-01-10T13:49:30Z")


def test_capture_file_errors_are_named(tmp_path):
    with pytest.raises(CaptureFileError, match="does not exist"):
        read_capture_file(tmp_path / "nope.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("date,reunion\n2026-01-10,1\n")
    with pytest.raises(CaptureFileError, match="missing columns"):
        read_capture_file(bad)


def test_real_captures_of_one_day(real_races_dir):
    imported = read_capture_file(
        real_races_dir / "snapshots" / "odds_snapshots.csv.gz", date(2025, 12, 25), date(2025, 12, 25)
    )
    rows = imported.rows
    assert imported.races == 6 and imported.after_start == 0
    assert set(rows["race_date"]) == {date(2025, 12, 25)}
    # Captured many times through the day (real instants, not the load time).
    assert rows.groupby("race_key")["captured_at"].nunique().min() > 5
    assert rows["captured_at"].max() - rows["captured_at"].min() > timedelta(hours=6)
