"""Point-in-time odds: importing recorded pre-start captures, and choosing the odds known at an instant.

``pmu.odds_snapshots`` keeps every capture of a race's odds: the live H-30 and H-5 snapshots
(phases ``h30``, ``h5``) and recorded captures imported from a file (phase ``capture``, with their
real capture times). The odds known at an instant ``T`` are, per runner, the latest row captured
at or before ``T``. The H-5 decision uses:

- the race's own ``h5`` snapshot when it has one (what the live H-5 run took and decided on);
- otherwise the latest capture at or before the due instant, start - 5 minutes, provided it is not
  older than ``max_capture_age_min`` (an old capture is not what a live run would have seen).

H-30 likewise with start - 30 minutes. Nothing captured after the decision instant is ever read.
"""

from __future__ import annotations

import gzip
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from hippique_assets.pmu.schema.live_odds import ODDS_SNAPSHOTS
from hippique_assets.storage.tables import column_names

CAPTURE_PHASE = "capture"
PHASE_OFFSETS = {"h5": timedelta(minutes=5), "h30": timedelta(minutes=30)}
_OFFSET_PHASE = re.compile(r"h(\d{1,3})")


def phase_offset(phase: str) -> timedelta:
    """How long before the start a phase decides: ``h5``, ``h30``, or any ``h<minutes>`` (``h2``, ``h60``)."""
    if phase in PHASE_OFFSETS:
        return PHASE_OFFSETS[phase]
    match = _OFFSET_PHASE.fullmatch(phase)
    if match is None:
        raise ValueError(f"unknown decision phase {phase!r}: use h<minutes before the off>, e.g. h5 or h2")
    return timedelta(minutes=int(match.group(1)))


# Columns of the shared capture files (one row per race x distinct capture x runner).
CAPTURE_COLUMNS = (
    "date",
    "reunion",
    "course",
    "num",
    "captured_at_utc",
    "odds_time_utc",
    "odds_direct",
    "odds_reference",
    "statut",
    "start_utc",
)


class CaptureFileError(ValueError):
    """A capture file lacks a column or holds values that cannot be read."""


@dataclass(frozen=True)
class CaptureImport:
    """Rows of ``pmu.odds_snapshots`` read from a capture file, and what was left out and why."""

    rows: pd.DataFrame
    read: int
    outside_range: int
    after_start: int
    unreadable: int

    @property
    def races(self) -> int:
        return int(self.rows["race_key"].nunique()) if not self.rows.empty else 0


def _utc(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True, errors="coerce", format="ISO8601")


def _read_lines(path: Path, since: date | None, until: date | None) -> tuple[pd.DataFrame, int]:
    """The file's rows as text, and how many lines were skipped for being outside the days.

    Rows start with their ISO date, so a range is applied to the raw lines before parsing: one
    day out of a season costs a line scan, not a parse of a million rows.
    """
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            header = handle.readline()
            if not header.startswith("date,") or (since is None and until is None):
                text, skipped = header + handle.read(), 0
            else:
                low = since.isoformat() if since else "0000-00-00"
                high = until.isoformat() if until else "9999-99-99"
                kept, skipped = [header], 0
                for line in handle:
                    if low <= line[:10] <= high:
                        kept.append(line)
                    else:
                        skipped += 1
                text = "".join(kept)
    except FileNotFoundError:
        raise CaptureFileError(f"capture file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CaptureFileError(f"capture file {path} cannot be read: {exc}") from None
    if not text.strip():
        raise CaptureFileError(f"capture file {path} is empty")
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False), skipped


def read_capture_file(
    path: str | Path, since: date | None = None, until: date | None = None
) -> CaptureImport:
    """The captures of ``path`` (CSV, gzip allowed) between ``since`` and ``until`` as snapshot rows.

    Rows captured at or after the race's start are left out (they are not pre-start information),
    as are rows whose key, number or capture time cannot be read; each exclusion is counted.
    """
    raw, skipped = _read_lines(Path(path), since, until)
    missing = [c for c in CAPTURE_COLUMNS if c not in raw.columns]
    if missing:
        raise CaptureFileError(f"{path}: missing columns {missing}; it has {list(raw.columns)}")
    read = len(raw) + skipped
    day = pd.to_datetime(raw["date"], format="%Y-%m-%d", errors="coerce")
    reunion = pd.to_numeric(raw["reunion"], errors="coerce")
    course = pd.to_numeric(raw["course"], errors="coerce")
    number = pd.to_numeric(raw["num"], errors="coerce")
    captured = _utc(raw["captured_at_utc"])
    start = _utc(raw["start_utc"])
    readable = day.notna() & reunion.gt(0) & course.gt(0) & number.gt(0) & captured.notna()
    in_range = pd.Series(True, index=raw.index)
    if since is not None:
        in_range &= day >= pd.Timestamp(since)
    if until is not None:
        in_range &= day <= pd.Timestamp(until)
    before_start = start.isna() | (captured < start)
    keep = readable & in_range & before_start
    frame = pd.DataFrame(
        {
            "race_date": day[keep].dt.date,
            "reunion": reunion[keep].astype(int),
            "course": course[keep].astype(int),
            "phase": CAPTURE_PHASE,
            "captured_at": captured[keep],
            "number": number[keep].astype(int),
            "horse_id": None,
            "odds_direct": pd.to_numeric(raw.loc[keep, "odds_direct"], errors="coerce"),
            "odds_direct_at": _utc(raw.loc[keep, "odds_time_utc"]),
            "odds_reference": pd.to_numeric(raw.loc[keep, "odds_reference"], errors="coerce"),
            "odds_reference_at": pd.Series(pd.NaT, index=raw.index[keep], dtype="datetime64[ns, UTC]"),
            "non_runner": raw.loc[keep, "statut"].str.upper().eq("NON_PARTANT"),
        }
    )
    frame.insert(
        0,
        "race_key",
        [
            f"{d.isoformat()}-R{r}C{c}"
            for d, r, c in zip(frame["race_date"], frame["reunion"], frame["course"], strict=True)
        ],
    )
    return CaptureImport(
        # Fields a capture file does not have (trend, favourite, large bet) stay null.
        rows=frame.reindex(columns=column_names(ODDS_SNAPSHOTS)).reset_index(drop=True),
        read=read,
        outside_range=int((readable & ~in_range).sum()) + skipped,
        after_start=int((readable & in_range & ~before_start).sum()),
        unreadable=int((~readable).sum()),
    )


def odds_at(snapshots: pd.DataFrame, instant: datetime | pd.Timestamp) -> pd.DataFrame:
    """Per runner, the latest snapshot row captured at or before ``instant`` (any phase)."""
    at = pd.Timestamp(instant)
    known = snapshots[snapshots["captured_at"] <= at]
    if known.empty:
        return known
    latest = known.sort_values(["captured_at", "phase"], kind="stable").groupby("number").tail(1)
    return latest.sort_values("number").reset_index(drop=True)


@dataclass(frozen=True)
class PhaseOdds:
    """The odds a phase decides on: by runner number, with the instant they were known at."""

    phase: str
    due_at: pd.Timestamp | None
    captured_at: pd.Timestamp | None
    odds: pd.Series  # direct odds by number (NaN when unpriced)
    reference: pd.Series  # reference odds by number
    non_runners: frozenset[int]
    source: str  # "h5"/"h30" (the live snapshot), "capture", or "none"
    problem: str | None = None

    @property
    def available(self) -> bool:
        return self.problem is None and not self.odds.empty

    @property
    def age_min(self) -> float | None:
        """Minutes between the capture and the due instant (negative when captured after it)."""
        if self.due_at is None or self.captured_at is None:
            return None
        return float((self.due_at - self.captured_at).total_seconds() / 60.0)


def _empty(phase: str, due: pd.Timestamp | None, problem: str) -> PhaseOdds:
    empty = pd.Series(dtype=float)
    return PhaseOdds(phase, due, None, empty, empty, frozenset(), "none", problem)


def _aware(instant: datetime | pd.Timestamp) -> pd.Timestamp:
    stamp = pd.Timestamp(instant)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp


def phase_odds(
    snapshots: pd.DataFrame, start_utc: datetime | pd.Timestamp | None, phase: str, max_age_min: float
) -> PhaseOdds:
    """The odds known at ``phase`` (``h5``, ``h30`` or any ``h<minutes>``) of one race, from all its
    snapshot rows.

    ``snapshots``: rows of ``pmu.odds_snapshots`` of the race (phase, captured_at, number,
    odds_direct, odds_reference, non_runner).
    """
    due = pd.Timestamp(start_utc) - phase_offset(phase) if start_utc is not None else None
    if due is not None and due.tzinfo is None:
        due = due.tz_localize("UTC")
    if snapshots.empty:
        return _empty(phase, due, f"no odds snapshot stored before {phase.upper()}")
    own = snapshots[snapshots["phase"] == phase]
    if start_utc is not None and not own.empty:
        # A phase snapshot captured once the race was off holds post-race odds: never decide on it.
        own = own[pd.to_datetime(own["captured_at"], utc=True) < _aware(start_utc)]
    if not own.empty:
        instant = own["captured_at"].max()
        source = phase
    elif due is None:
        return _empty(phase, due, "no start time to place the decision instant")
    else:
        instant = due
        source = CAPTURE_PHASE
    rows = odds_at(snapshots, instant)
    if rows.empty:
        return _empty(phase, due, f"no odds captured at or before {phase.upper()}")
    captured = rows["captured_at"].max()
    if source == CAPTURE_PHASE and due is not None and (due - captured) > timedelta(minutes=max_age_min):
        age = (due - captured).total_seconds() / 60.0
        return _empty(
            phase, due, f"latest capture before {phase.upper()} is {age:.0f} min old (limit {max_age_min:g})"
        )
    numbers = rows["number"].astype(int).to_numpy()
    odds = pd.Series(pd.to_numeric(rows["odds_direct"], errors="coerce").to_numpy(float), index=numbers)
    reference = pd.Series(
        pd.to_numeric(rows["odds_reference"], errors="coerce").to_numpy(float), index=numbers
    )
    scratched = frozenset(int(n) for n, nr in zip(numbers, rows["non_runner"], strict=True) if bool(nr))
    return PhaseOdds(phase, due, captured, odds, reference, scratched, source)


def final_proxy_odds(runners: pd.DataFrame, phase: str) -> PhaseOdds:
    """The optimistic stand-in when a day has no snapshot: final direct odds for H-5 and the
    last reference odds for H-30, both published after the decision instant."""
    numbers = runners["number"].astype(int).to_numpy()
    column = "odds_direct" if phase == "h5" else "odds_reference"
    odds = pd.Series(pd.to_numeric(runners[column], errors="coerce").to_numpy(float), index=numbers)
    reference = pd.Series(
        pd.to_numeric(runners["odds_reference"], errors="coerce").to_numpy(float), index=numbers
    )
    scratched = frozenset(
        int(n) for n, nr in zip(numbers, runners["non_runner"].fillna(False), strict=True) if bool(nr)
    )
    if not np.isfinite(odds.to_numpy(float)).any():
        return _empty(phase, None, f"no {column} stored")
    return PhaseOdds(phase, None, None, odds, reference, scratched, "final_proxy")
