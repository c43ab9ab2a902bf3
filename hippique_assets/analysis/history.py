"""Reading what the analysis needs from Postgres: a race's runners, its odds snapshots, past results.

Everything the analysis uses comes from our own tables (``pmu.*``), never from the source, so a
race can be re-analysed later with exactly the inputs it had. The rows are turned into inputs by
:func:`hippique_assets.analysis.pipeline.assemble_inputs`, the same function the backtest uses.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Protocol

import pandas as pd

from hippique_assets.analysis.config import AnalysisConfig
from hippique_assets.analysis.pipeline import RaceInputs, assemble_inputs
from hippique_assets.racing.keys import parse_race_key


class QueryRunner(Protocol):
    def query_frame(self, sql: str, params: object = None) -> pd.DataFrame: ...


RUNNERS_SQL = """
select number, horse_id, jockey, trainer, musique, coalesce(non_runner, false) as non_runner,
       odds_direct, odds_reference
from pmu.participants where race_key = %(race_key)s order by number
"""

START_SQL = "select start_utc from pmu.races where race_key = %(race_key)s"

SNAPSHOTS_SQL = """
select phase, captured_at, number, odds_direct, odds_reference, coalesce(non_runner, false) as non_runner
from pmu.odds_snapshots where race_key = %(race_key)s
"""

HISTORY_SQL = """
select race_date, jockey, trainer, finish_rank = 1 as won
from pmu.participants
where race_date >= %(since)s and race_date < %(until)s
  and not coalesce(non_runner, false) and finish_rank is not null
"""

PERFORMANCES_SQL = """
select p.horse_id, p.past_race_date, p.reduction_km_s, p.discipline
from pmu.performances p
where p.horse_id = any(%(horses)s) and p.past_race_date < %(until)s
"""


def past_runs(db: QueryRunner, as_of: date, window_days: int) -> pd.DataFrame:
    """Finished runs of the ``window_days`` before ``as_of`` (for jockey and trainer win rates)."""
    frame = db.query_frame(HISTORY_SQL, {"since": as_of - timedelta(days=window_days), "until": as_of})
    frame["won"] = frame["won"].fillna(False).astype(bool)
    return frame


def race_snapshots(db: QueryRunner, race_key: str) -> pd.DataFrame:
    """Every stored odds snapshot row of the race (live phases and imported captures)."""
    frame = db.query_frame(SNAPSHOTS_SQL, {"race_key": race_key})
    frame["number"] = frame["number"].astype(int)
    frame["captured_at"] = pd.to_datetime(frame["captured_at"], utc=True)
    return frame


def race_inputs(
    db: QueryRunner,
    race_key: str,
    config: AnalysisConfig,
    *,
    history: pd.DataFrame | None = None,
) -> RaceInputs:
    """The inputs of one race's H-5 analysis: its runners, the odds known at H-5 and H-30, history."""
    race = parse_race_key(race_key)
    runners = db.query_frame(RUNNERS_SQL, {"race_key": race_key})
    if runners.empty:
        raise LookupError(f"no participants stored for {race_key}: run the day's plan first")
    runners["number"] = runners["number"].astype(int)
    snapshots = race_snapshots(db, race_key)
    if snapshots.empty:
        raise LookupError(f"no odds snapshot stored for {race_key}")
    start = db.query_frame(START_SQL, {"race_key": race_key})
    start_utc = pd.Timestamp(start["start_utc"].iloc[0]) if not start.empty else None
    horses = [h for h in runners["horse_id"].dropna().unique().tolist()]
    performances = db.query_frame(PERFORMANCES_SQL, {"horses": horses, "until": race.race_date})
    window = config.factors.history_window_days
    return assemble_inputs(
        race_key,
        race.race_date,
        start_utc,
        runners,
        snapshots,
        history if history is not None else past_runs(db, race.race_date, window),
        performances,
        config,
    )
