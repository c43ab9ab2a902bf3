"""Reading what the analysis needs from Postgres: a race's runners, its odds snapshots, past results.

Everything the analysis uses comes from our own tables (``pmu.*``), never from the source, so a
race can be re-analysed later with exactly the inputs it had. The rows are turned into inputs by
:func:`hippique_assets.analysis.pipeline.assemble_inputs`, the same function the backtest uses.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Protocol

import pandas as pd

from hippique_assets.analysis import factors
from hippique_assets.analysis.config import AnalysisConfig
from hippique_assets.analysis.pipeline import RaceInputs, assemble_inputs
from hippique_assets.racing.keys import parse_race_key


class QueryRunner(Protocol):
    def query_frame(self, sql: str, params: Any = None) -> pd.DataFrame: ...

    def table_exists(self, qualified: str) -> bool: ...


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

# The win rates of one race's jockeys and trainers, counted in the database: the window's totals for
# the shrinkage prior (a count over the window), and the counts of the race's people only (indexed by
# person and day), so the H-5 step receives a few rows whatever the size of the history.
_FINISHED = "race_date >= %(since)s and race_date < %(until)s and not coalesce(non_runner, false) and finish_rank is not null"
OVERALL_SQL = f"""
select count(*) filter (where jockey is not null) as jockey_rides,
       count(*) filter (where jockey is not null and finish_rank = 1) as jockey_wins,
       count(*) filter (where trainer is not null) as trainer_rides,
       count(*) filter (where trainer is not null and finish_rank = 1) as trainer_wins
from pmu.participants where {_FINISHED}
"""
PEOPLE_SQL = {
    who: f"""
select {who}, count(*) as rides, count(*) filter (where finish_rank = 1) as wins
from pmu.participants where {_FINISHED} and {who} = any(%(people)s)
group by {who}
"""
    for who in ("jockey", "trainer")
}

PERFORMANCES_SQL = """
select p.horse_id, p.past_race_date, p.reduction_km_s, p.discipline
from pmu.performances p
where p.horse_id = any(%(horses)s) and p.past_race_date < %(until)s
"""


def race_snapshots(db: QueryRunner, race_key: str) -> pd.DataFrame:
    """Every stored odds snapshot row of the race (live phases and imported captures)."""
    frame = db.query_frame(SNAPSHOTS_SQL, {"race_key": race_key})
    frame["number"] = frame["number"].astype(int)
    frame["captured_at"] = pd.to_datetime(frame["captured_at"], utc=True)
    return frame


def race_inputs(db: QueryRunner, race_key: str, config: AnalysisConfig) -> RaceInputs:
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
    jockeys, trainers = race_win_rates(db, runners, race.race_date, window, config.factors.prior_rides)
    return assemble_inputs(
        race_key,
        race.race_date,
        start_utc,
        runners,
        snapshots,
        pd.DataFrame(columns=["race_date", "jockey", "trainer", "won"]),
        performances,
        config,
        jockey_rates=jockeys,
        trainer_rates=trainers,
    )


def race_win_rates(
    db: QueryRunner, runners: pd.DataFrame, as_of: date, window_days: int, prior_rides: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shrunk win rates of the race's jockeys and trainers over the window before ``as_of``
    (the same figures :func:`~hippique_assets.analysis.factors.win_rates` gives on the full history)."""
    params = {"since": as_of - timedelta(days=window_days), "until": as_of}
    totals = db.query_frame(OVERALL_SQL, params).iloc[0]
    rates = []
    for who in ("jockey", "trainer"):
        people = sorted({str(p) for p in runners[who].dropna()})
        rides, wins = int(totals[f"{who}_rides"]), int(totals[f"{who}_wins"])
        counts = db.query_frame(PEOPLE_SQL[who], {**params, "people": people}) if people and rides else None
        if counts is None or counts.empty:
            rates.append(pd.DataFrame(columns=[who, "rides", "wins", "rate"]))
            continue
        counts = counts.astype({"rides": "int64", "wins": "int64"})
        rates.append(factors.shrunk_rates(counts, who, wins / rides, prior_rides))
    return rates[0], rates[1]
