"""Every race of a period prepared as the live H-5 run would have prepared it (features, status)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from hippique_assets.analysis import factors
from hippique_assets.analysis.config import AnalysisConfig
from hippique_assets.analysis.pipeline import (
    PreparedRace,
    assemble_inputs,
    prepare_race,
)
from hippique_assets.analysis.stored_history import History, Progress, instant


@dataclass
class PreparedPeriod:
    """Every race of a period prepared as the H-5 run would have prepared it.

    ``races``: one row per race (race_key, race_date, status, winner, n_starters, h5_age_min,
    odds_source); status is ``ok`` or the reason the race cannot be decided.
    ``features``: runner rows of the decidable races, with ``race_date`` and ``won``.
    ``runs_by_race``: the stored runner rows of every race of the history, by race key.
    """

    races: pd.DataFrame
    features: pd.DataFrame
    prepared: dict[str, PreparedRace]
    runs_by_race: dict[str, pd.DataFrame]


def _history_runs(runs: pd.DataFrame, day: date) -> pd.DataFrame:
    done = runs[(runs["race_date"] < day) & runs["finish_rank"].notna() & ~runs["non_runner"]]
    return done[["race_date", "jockey", "trainer", "won"]]


def _winner(race_runs: pd.DataFrame) -> int | None:
    winners = race_runs.loc[race_runs["won"], "number"].astype(int).tolist()
    return winners[0] if len(winners) == 1 else None


def _performances_of(history: History, day: date) -> pd.DataFrame:
    """The performances of the horses that run on ``day``: the only ones its races look up."""
    performances = history.performances
    if performances.empty:
        return performances
    horses = history.runs.loc[history.runs["race_date"] == day, "horse_id"]
    return performances[performances["horse_id"].isin(horses)]


def prepare_period(
    history: History,
    days: Iterable[date],
    config: AnalysisConfig,
    *,
    odds_source: str = "snapshots",
    decision_phase: str = "h5",
    progress: Progress | None = None,
) -> PreparedPeriod:
    """Features of every race of ``days``, each built from what was known at its H-5 instant."""
    window, prior = config.factors.history_window_days, config.factors.prior_rides
    snapshots = {key: rows for key, rows in history.snapshots.groupby("race_key", sort=False)}
    no_snapshots = history.snapshots.iloc[0:0]
    runs_by_race = {str(key): rows for key, rows in history.runs.groupby("race_key", sort=False)}
    race_rows, frames, prepared_races = [], [], {}
    for day in sorted(days):
        today = history.races[history.races["race_date"] == day]
        if today.empty:
            continue
        past = _history_runs(history.runs, day)
        jockeys = factors.win_rates(past, "jockey", day, window, prior)
        trainers = factors.win_rates(past, "trainer", day, window, prior)
        best = factors.best_reduction(_performances_of(history, day), day)
        for race in today.sort_values("race_key").itertuples(index=False):
            key = str(race.race_key)
            race_runs = runs_by_race.get(key)
            if race_runs is None or race_runs.empty:
                race_rows.append({"race_key": key, "race_date": day, "status": "no participants stored"})
                continue
            inputs = assemble_inputs(
                key,
                day,
                instant(race.start_utc),
                race_runs,
                snapshots.get(key, no_snapshots),
                past,
                history.performances,
                config,
                odds_source=odds_source,
                decision_phase=decision_phase,
                jockey_rates=jockeys,
                trainer_rates=trainers,
                best_reduction=best,
            )
            prepared = prepare_race(inputs, config)
            prepared_races[key] = prepared
            winner = _winner(race_runs)
            row = {
                "race_key": key,
                "race_date": day,
                "status": prepared.skip_reason or "ok",
                "winner": winner,
                "n_starters": len(prepared.runners),
                "odds_source": prepared.odds_source,
                "h5_age_min": inputs.h5.age_min,
                "start_utc": race.start_utc,
            }
            if prepared.decidable:
                runners = prepared.runners.assign(race_date=day)
                runners["won"] = runners["number"].eq(winner) if winner is not None else False
                if winner is not None and not runners["won"].any():
                    row["status"] = "winner not among the H-5 starters"
                frames.append(runners)
            race_rows.append(row)
        if progress is not None:
            progress("features", day)
    features = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return PreparedPeriod(pd.DataFrame(race_rows), features, prepared_races, runs_by_race)
