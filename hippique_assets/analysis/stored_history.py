"""The stored rows a period's analysis reads from Postgres: races, runners, odds snapshots,
performances and dividends (plus the win-rate window before the period)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from hippique_assets.analysis.config import AnalysisConfig
from hippique_assets.analysis.history import QueryRunner

# Reports progress: (stage, day done).
Progress = Callable[[str, date], None]

RACES_SQL = """
select race_key, race_date, start_utc from pmu.races
where race_date >= %(since)s and race_date <= %(until)s
"""
RUNS_SQL = """
select p.race_date, p.race_key, p.number, p.horse_id, p.jockey, p.trainer, p.musique,
       coalesce(p.non_runner, false) as non_runner, p.odds_direct, p.odds_reference, p.finish_rank
from pmu.participants p
where p.race_date >= %(since)s and p.race_date <= %(until)s
"""
SNAPSHOTS_SQL = """
select race_key, phase, captured_at, number, odds_direct, odds_reference,
       coalesce(non_runner, false) as non_runner
from pmu.odds_snapshots where race_date >= %(since)s and race_date <= %(until)s
"""
PERFORMANCES_SQL = """
select horse_id, past_race_date, reduction_km_s, discipline from pmu.performances
where past_race_date < %(until)s
"""
DIVIDENDS_SQL = """
select race_key, bet_type, combination, combination_numbers, has_non_runner, dividend_per_eur
from pmu.dividends where race_date >= %(since)s and race_date <= %(until)s
"""


def instant(value: object) -> pd.Timestamp | None:
    """A stored start time as a UTC timestamp; None when it is missing."""
    if not isinstance(value, datetime | str) or pd.isna(value):
        return None
    stamp = pd.Timestamp(value)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp


class NoDataError(LookupError):
    """The requested period holds nothing to backtest or fit on."""


@dataclass
class History:
    """The stored rows a period's analysis reads, for ``since`` .. ``until`` (plus the win-rate window)."""

    since: date
    until: date
    races: pd.DataFrame
    runs: pd.DataFrame
    snapshots: pd.DataFrame
    performances: pd.DataFrame
    dividends: pd.DataFrame

    @property
    def racing_days(self) -> list[date]:
        return sorted(set(self.races["race_date"])) if not self.races.empty else []


def load_history(db: QueryRunner, since: date, until: date, config: AnalysisConfig) -> History:
    """Races, runners, snapshots, performances and dividends of ``since`` .. ``until`` from Postgres."""
    if until < since:
        raise ValueError(f"--to {until} is before --from {since}")
    for table in ("pmu.races", "pmu.participants"):
        if not db.table_exists(table):
            raise NoDataError(f"{table} does not exist: ingest some days first (hippique ingest)")
    params = {"since": since, "until": until}
    races = db.query_frame(RACES_SQL, params)
    races["race_date"] = pd.to_datetime(races["race_date"]).dt.date
    window = timedelta(days=config.factors.history_window_days)
    runs = db.query_frame(RUNS_SQL, {"since": since - window, "until": until})
    runs["race_date"] = pd.to_datetime(runs["race_date"]).dt.date
    runs["number"] = runs["number"].astype(int)
    runs["won"] = runs["finish_rank"].astype("Float64").eq(1).fillna(False).astype(bool)
    runs["non_runner"] = runs["non_runner"].astype(bool)
    snapshots = pd.DataFrame(
        columns=["race_key", "phase", "captured_at", "number", "odds_direct", "odds_reference", "non_runner"]
    )
    if db.table_exists("pmu.odds_snapshots"):
        snapshots = db.query_frame(SNAPSHOTS_SQL, params)
    snapshots["number"] = snapshots["number"].astype(int)
    snapshots["captured_at"] = pd.to_datetime(snapshots["captured_at"], utc=True)
    performances = pd.DataFrame(columns=["horse_id", "past_race_date", "reduction_km_s", "discipline"])
    if db.table_exists("pmu.performances"):
        performances = db.query_frame(PERFORMANCES_SQL, {"until": until})
    performances["past_race_date"] = pd.to_datetime(performances["past_race_date"]).dt.date
    dividends = pd.DataFrame(
        columns=[
            "race_key",
            "bet_type",
            "combination",
            "combination_numbers",
            "has_non_runner",
            "dividend_per_eur",
        ]
    )
    if db.table_exists("pmu.dividends"):
        dividends = db.query_frame(DIVIDENDS_SQL, params)
    return History(since, until, races, runs, snapshots, performances, dividends)
