"""Reading what the analysis needs from Postgres: a race's runners, its odds snapshots, past results.

Everything the analysis uses comes from our own tables (``pmu.*``), never from the source, so a
race can be re-analysed later with exactly the inputs it had.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Protocol

import pandas as pd

from hippique_assets.analysis.pipeline import RaceInputs
from hippique_assets.racing.keys import parse_race_key


class QueryRunner(Protocol):
    def query_frame(self, sql: str, params: object = None) -> pd.DataFrame: ...


RUNNERS_SQL = """
select number, horse_id, jockey, trainer, musique, coalesce(non_runner, false) as non_runner,
       odds_direct, odds_reference
from pmu.participants where race_key = %(race_key)s order by number
"""

SNAPSHOT_SQL = """
select distinct on (number) number, odds_direct, coalesce(non_runner, false) as non_runner, captured_at
from pmu.odds_snapshots where race_key = %(race_key)s and phase = %(phase)s
order by number, captured_at desc
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


def snapshot_odds(db: QueryRunner, race_key: str, phase: str) -> pd.Series | None:
    """Direct odds by runner number at the latest capture of ``phase``; None when never captured."""
    frame = db.query_frame(SNAPSHOT_SQL, {"race_key": race_key, "phase": phase})
    if frame.empty:
        return None
    odds = frame.set_index("number")["odds_direct"].astype(float)
    odds.index = odds.index.astype(int)
    return odds


def past_runs(db: QueryRunner, as_of: date, window_days: int) -> pd.DataFrame:
    """Finished runs of the ``window_days`` before ``as_of`` (for jockey and trainer win rates)."""
    frame = db.query_frame(HISTORY_SQL, {"since": as_of - timedelta(days=window_days), "until": as_of})
    frame["won"] = frame["won"].fillna(False).astype(bool)
    return frame


def race_inputs(
    db: QueryRunner, race_key: str, *, window_days: int, history: pd.DataFrame | None = None
) -> RaceInputs:
    """The inputs of one race's H-5 analysis, from its H-5 (or latest) and H-30 snapshots."""
    race = parse_race_key(race_key)
    runners = db.query_frame(RUNNERS_SQL, {"race_key": race_key})
    if runners.empty:
        raise LookupError(f"no participants stored for {race_key}: run the day's plan first")
    runners["number"] = runners["number"].astype(int)
    odds_h5 = snapshot_odds(db, race_key, "h5")
    if odds_h5 is None:
        raise LookupError(f"no H-5 odds snapshot stored for {race_key}")
    odds_h30 = snapshot_odds(db, race_key, "h30")
    horses = [h for h in runners["horse_id"].dropna().unique().tolist()]
    performances = db.query_frame(PERFORMANCES_SQL, {"horses": horses, "until": race.race_date})
    return RaceInputs(
        race_key=race_key,
        as_of=race.race_date,
        runners=runners[["number", "horse_id", "jockey", "trainer", "musique", "non_runner"]],
        odds_h5=odds_h5,
        odds_h30=odds_h30,
        history=history if history is not None else past_runs(db, race.race_date, window_days),
        performances=performances,
    )
