"""Data-quality rules shared by the asset checks, as plain functions over DataFrames."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def duplicate_keys(frame: pd.DataFrame, key: Sequence[str]) -> pd.DataFrame:
    """Rows whose key appears more than once (all copies), for the check's preview."""
    if frame.empty:
        return frame
    mask = frame.duplicated(subset=list(key), keep=False)
    return frame.loc[mask, list(key)]


def missing_references(
    child: pd.DataFrame, child_cols: Sequence[str], parent: pd.DataFrame, parent_cols: Sequence[str]
) -> pd.DataFrame:
    """Distinct child keys that have no matching parent row (nulls in the child key are not references)."""
    if child.empty:
        return child[list(child_cols)]
    keys = child[list(child_cols)].dropna().drop_duplicates()
    if parent.empty:
        return keys
    parent_keys = parent[list(parent_cols)].drop_duplicates()
    parent_keys.columns = list(child_cols)
    merged = keys.merge(parent_keys, how="left", on=list(child_cols), indicator=True)
    return merged.loc[merged["_merge"] == "left_only", list(child_cols)]


def arrival_mismatches(races: pd.DataFrame, participants: pd.DataFrame) -> list[str]:
    """Races whose programme arrival (``arrival_order``) differs from the runners' finish ranks.

    The programme lists the finishers in order (dead heats share a rank); the participants carry
    one ``finish_rank`` each. Runners without a rank (non-runners, disqualified, fallen) are not in
    the arrival. Only races that have both an arrival and ranked runners are compared.
    """
    problems: list[str] = []
    ranked = participants.dropna(subset=["finish_rank"])
    by_race = {key: grp for key, grp in ranked.groupby("race_key")}
    for race_key, arrival in zip(races["race_key"], races["arrival_order"], strict=True):
        if (
            arrival is None
            or (not isinstance(arrival, list | tuple) and pd.isna(arrival))
            or len(arrival) == 0
        ):
            continue
        runners = by_race.get(race_key)
        if runners is None or runners.empty:
            continue
        from_ranks = [int(n) for n in runners.sort_values(["finish_rank", "number"])["number"]]
        programme = [int(n) for n in arrival]
        compared = min(len(programme), len(from_ranks))
        if compared == 0:
            continue
        if sorted(programme[:compared]) != sorted(from_ranks[:compared]) or _ranks_disagree(
            programme[:compared], runners
        ):
            problems.append(f"{race_key}: programme {programme} vs participants {from_ranks}")
    return problems


def _ranks_disagree(programme: list[int], runners: pd.DataFrame) -> bool:
    rank_of = dict(zip(runners["number"].astype(int), runners["finish_rank"].astype(int), strict=True))
    previous = 0
    for number in programme:
        rank = rank_of.get(number)
        if rank is None or rank < previous:
            return True
        previous = rank
    return False
