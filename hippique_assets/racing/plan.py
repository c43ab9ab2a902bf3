"""Building and validating the day's race plan from the PMU programme tables.

Pure functions over pandas frames: the Dagster asset in :mod:`hippique_assets.defs.race_day` wires
them to Postgres. Due instants are computed in UTC from the start instant, so a race near midnight
or on a daylight-saving day fires at the right moment whatever its Paris wall-clock time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from hippique_assets.racing.keys import race_key
from hippique_assets.racing.tables import RACE_PLAN
from hippique_assets.storage.tables import column_names

PARIS = ZoneInfo("Europe/Paris")

WATCH = "watch"
LAST_CALL = "last_call"
# The phases whose offset from the start is fixed.
PHASE_OFFSETS: dict[str, timedelta] = {
    "h30": timedelta(minutes=-30),
    "h5": timedelta(minutes=-5),
    "result": timedelta(minutes=15),
}
# The minute-by-minute odds are watched from this long before the off.
WATCH_LEAD = timedelta(minutes=10)
# The last call's lead is the analysis config's ``[decision] last_call_minutes``.
DEFAULT_LAST_CALL_MINUTES = 2
LAST_CALL_MINUTES_RANGE = (1, 5)
# The plan's column of each phase's due instant, in the order the phases fall.
DUE_COLUMNS: dict[str, str] = {
    "h30": "h30_due_utc",
    WATCH: "watch_due_utc",
    "h5": "h5_due_utc",
    LAST_CALL: "last_call_due_utc",
    "result": "result_due_utc",
}

CANCELLED_STATUSES = frozenset({"COURSE_ANNULEE", "ANNULEE"})


def check_last_call_minutes(minutes: int) -> int:
    low, high = LAST_CALL_MINUTES_RANGE
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not low <= minutes <= high:
        raise ValueError(f"last_call_minutes must be a whole number from {low} to {high}, got {minutes!r}")
    return minutes


def phase_offsets(last_call_minutes: int = DEFAULT_LAST_CALL_MINUTES) -> dict[str, timedelta]:
    """Each phase's due instant relative to the start, in the order they fall."""
    minutes = check_last_call_minutes(last_call_minutes)
    return {
        "h30": PHASE_OFFSETS["h30"],
        WATCH: -WATCH_LEAD,
        "h5": PHASE_OFFSETS["h5"],
        LAST_CALL: timedelta(minutes=-minutes),
        "result": PHASE_OFFSETS["result"],
    }


def is_cancelled(status: object, category_status: object = None) -> bool:
    """PMU marks a cancelled race in ``statut`` (``COURSE_ANNULEE``) or ``categorieStatut`` (``ANNULEE``)."""
    return any(isinstance(s, str) and s.upper() in CANCELLED_STATUSES for s in (status, category_status))


def _utc(series: pd.Series) -> pd.Series:
    values = pd.to_datetime(series, errors="coerce")
    if values.dt.tz is None:
        return values.dt.tz_localize("UTC")
    return values.dt.tz_convert("UTC")


def build_race_plan(
    races: pd.DataFrame,
    reunions: pd.DataFrame,
    day: date,
    *,
    planned_at: datetime,
    last_call_minutes: int = DEFAULT_LAST_CALL_MINUTES,
) -> pd.DataFrame:
    """One row per race of ``day`` (columns of ``racing.race_plan``), deduplicated on (R, C), by start time.

    ``races`` and ``reunions`` have the columns of ``pmu.races`` and ``pmu.reunions``. When a race
    appears twice (a reunion listed twice by the source), the row with a start time and the latest
    status wins. The due instants are those of :func:`phase_offsets` with ``last_call_minutes``.
    """
    check_last_call_minutes(last_call_minutes)
    if races.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in column_names(RACE_PLAN)})
    frame = races.copy()
    frame = frame[pd.to_datetime(frame["race_date"]).dt.date == day]
    if "race_date" in reunions.columns:
        # Reunion numbers restart every day: a multi-day run must not give a race another day's venue.
        reunions = reunions[pd.to_datetime(reunions["race_date"]).dt.date == day]
    venue = reunions[["reunion", "hippodrome_name", "country_code"]].drop_duplicates("reunion")
    frame = frame.merge(venue, on="reunion", how="left")
    start = _utc(frame["start_utc"])
    frame = frame.assign(_start=start, _has_start=start.notna())
    frame = frame.sort_values(["reunion", "course", "_has_start"], ascending=[True, True, False])
    frame = frame.drop_duplicates(["reunion", "course"], keep="first")

    start = frame["_start"]
    start_paris = start.dt.tz_convert(PARIS)
    plan = pd.DataFrame(
        {
            "race_date": day,
            "race_key": [
                race_key(day, int(r), int(c)) for r, c in zip(frame["reunion"], frame["course"], strict=True)
            ],
            "reunion": frame["reunion"].astype(int).to_numpy(),
            "course": frame["course"].astype(int).to_numpy(),
            "hippodrome": frame["hippodrome_name"].to_numpy(),
            "country_code": frame["country_code"].to_numpy(),
            "race_name": frame.get("name", pd.Series(None, index=frame.index)).to_numpy(),
            "discipline": frame["discipline"].to_numpy(),
            "distance_m": frame["distance_m"].to_numpy(),
            "n_declared": frame["n_declared"].to_numpy(),
            "start_utc": start.to_numpy(),
            "start_paris": start_paris.dt.tz_localize(None).to_numpy(),
            "start_paris_time": start_paris.dt.strftime("%H:%M").to_numpy(),
            "status": frame["status"].to_numpy(),
            "cancelled": [
                is_cancelled(s, c)
                for s, c in zip(frame["status"], frame.get("category_status", frame["status"]), strict=True)
            ],
            "start_source": ["pmu" if has else "none" for has in frame["_has_start"]],
            "identity_source": "pmu",
            "zeturf_agrees": None,
            "geny_agrees": None,
            "cross_check_notes": None,
            "planned_at": pd.Timestamp(planned_at).tz_convert("UTC"),
        }
    )
    plan["start_utc"] = pd.to_datetime(plan["start_utc"], utc=True)
    plan = with_due_instants(plan, last_call_minutes)
    plan = plan.sort_values(["start_utc", "reunion", "course"], na_position="last", kind="stable")
    return plan[column_names(RACE_PLAN)].reset_index(drop=True)


def with_due_instants(plan: pd.DataFrame, last_call_minutes: int = DEFAULT_LAST_CALL_MINUTES) -> pd.DataFrame:
    """``plan`` with every phase's due instant (:data:`DUE_COLUMNS`) computed from ``start_utc``; null
    where the start is unknown."""
    offsets = phase_offsets(last_call_minutes)
    start = pd.to_datetime(plan["start_utc"], utc=True)
    return plan.assign(**{column: start + offsets[phase] for phase, column in DUE_COLUMNS.items()})


def check_starts_within_day(plan: pd.DataFrame, day: date) -> list[str]:
    """Races whose start is missing or falls outside ``day`` in Europe/Paris."""
    problems = []
    for key, start, cancelled in zip(plan["race_key"], plan["start_utc"], plan["cancelled"], strict=True):
        problem = _start_problem(start, bool(cancelled), day)
        if problem is not None:
            problems.append(f"{key}: {problem}")
    return problems


def due_instants(
    start_utc: datetime,
    phases: Sequence[str] | None = None,
    *,
    last_call_minutes: int = DEFAULT_LAST_CALL_MINUTES,
) -> dict[str, datetime]:
    """The UTC instants at which each phase of a race is due (every phase unless ``phases`` says)."""
    offsets = phase_offsets(last_call_minutes)
    return {phase: start_utc + offsets[phase] for phase in (phases or tuple(offsets))}


# Real days hold 30 to about 110 races (PMU's French and foreign meetings); a plan far above that
# is a broken answer, and registering its races would flood the race partitions.
MAX_RACES_PER_DAY = 150


@dataclass
class GatedPlan:
    """The plan a day stores after its gates, and what the gates set aside.

    ``set_aside`` maps a race key to why its new row was not taken (its previous row is kept when
    there is one, in ``kept``); ``lost`` are previous races missing from the new plan without a
    cancellation, kept too; ``refused`` says why the whole new plan was refused (the previous plan
    stays), None when it was taken.
    """

    plan: pd.DataFrame
    set_aside: dict[str, str] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    refused: str | None = None

    @property
    def problems(self) -> dict[str, list[str]]:
        """Per gate, the lines naming what broke it (empty lists: the gate passed)."""
        return {
            "starts_within_day": [f"{key}: {why}" for key, why in self.set_aside.items()],
            "no_race_lost": [
                f"{key}: missing from the new programme, previous row kept" for key in self.lost
            ],
            "within_caps": [self.refused] if self.refused else [],
        }


def _start_problem(start: datetime | pd.Timestamp | None, cancelled: bool, day: date) -> str | None:
    if pd.isna(start):
        return None if cancelled else "no start time"
    local_day = pd.Timestamp(start).tz_convert(PARIS).date()
    if local_day != day:
        return f"starts {pd.Timestamp(start).isoformat()} ({local_day} in Paris)"
    return None


def gate_plan(
    new: pd.DataFrame, previous: pd.DataFrame, day: date, *, max_races: int = MAX_RACES_PER_DAY
) -> GatedPlan:
    """Apply the plan's gates race by race: last good data wins.

    A race whose new row breaks a rule (no start, a start off the racing day) keeps its previous
    row, or stays out of the plan when it has none; a previous race the new plan lacks keeps its
    row (a race leaves the plan only as cancelled, which the source says with a status); a plan with
    more than ``max_races`` races is refused whole and the previous plan stays.
    """
    if len(new) > max_races:
        reason = f"{len(new)} races for {day}, above the cap of {max_races}: the previous plan stays"
        return GatedPlan(previous.reset_index(drop=True), refused=reason)
    previous_rows = {str(k): i for i, k in enumerate(previous["race_key"])} if not previous.empty else {}
    set_aside: dict[str, str] = {}
    kept: list[str] = []
    keep_new: list[bool] = []
    for key, start, cancelled in zip(new["race_key"], new["start_utc"], new["cancelled"], strict=True):
        problem = _start_problem(start, bool(cancelled), day)
        keep_new.append(problem is None)
        if problem is not None:
            set_aside[str(key)] = problem
            if str(key) in previous_rows:
                kept.append(str(key))
    new_keys = {str(k) for k in new["race_key"]}
    lost = [k for k in previous_rows if k not in new_keys]
    back = [previous_rows[k] for k in [*kept, *lost]]
    parts = [new[keep_new]]
    if back:
        parts.append(previous.iloc[back])
    frames = [p for p in parts if not p.empty]
    plan = pd.concat(frames, ignore_index=True) if frames else new.iloc[0:0]
    plan = plan.sort_values(["start_utc", "reunion", "course"], na_position="last", kind="stable")
    return GatedPlan(plan.reset_index(drop=True), set_aside, kept, lost)
