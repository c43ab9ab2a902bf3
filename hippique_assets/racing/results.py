"""Official race results: one row per race with its arrival, and the race's dividends.

Built at H+15 from the race's participants (ranks, non-runners) and its ``rapports-definitifs``.
When the PMU rapports stay unavailable past the retry limit, a web source (Geny) may supply an
unofficial arrival instead; the row then says so.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from hippique_assets.racing.keys import parse_race_key
from hippique_assets.storage.tables import Column, ForeignKey, TableSpec, register_tables

RACE_RESULTS = TableSpec(
    schema="pmu",
    name="race_results",
    description="Arrival and status of each race, as known at H+15 (official when from PMU rapports).",
    columns=(
        Column("race_key", "text", nullable=False),
        Column("race_date", "date", nullable=False),
        Column("reunion", "integer", nullable=False),
        Column("course", "integer", nullable=False),
        Column("official", "boolean", nullable=False),
        Column("source", "text", nullable=False, description="pmu or a web source such as geny"),
        Column("arrival_order", "integer[]"),
        Column("arrival_ranks", "integer[]"),
        Column("non_runners", "integer[]"),
        Column("n_dividends", "integer"),
        Column("resulted_at", "timestamptz", nullable=False),
    ),
    primary_key=("race_key",),
    partition_column="race_key",
)

RACE_DIVIDENDS = TableSpec(
    schema="pmu",
    name="race_dividends",
    description="Dividends of one race as fetched at H+15 (euros per 1 euro staked).",
    columns=(
        Column("race_key", "text", nullable=False),
        Column("bet_type", "text", nullable=False),
        Column("combination", "text", nullable=False),
        Column("combination_numbers", "integer[]"),
        Column("has_non_runner", "boolean", nullable=False),
        Column("dividend_per_eur", "numeric(12,2)"),
        Column("source", "text", nullable=False),
    ),
    primary_key=("race_key", "bet_type", "combination"),
    partition_column="race_key",
    foreign_keys=(ForeignKey(("race_key",), "pmu.race_results", ("race_key",)),),
)

register_tables([RACE_RESULTS, RACE_DIVIDENDS])


def build_result(
    race_key: str,
    participants: pd.DataFrame,
    dividends: pd.DataFrame,
    *,
    resulted_at: datetime,
    official: bool = True,
    source: str = "pmu",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The race_results row and race_dividends rows of one race.

    ``participants`` has ``number``, ``finish_rank`` and ``non_runner``; ``dividends`` has
    ``bet_type``, ``combination``, ``combination_numbers``, ``has_non_runner`` and ``dividend_per_eur``.
    """
    race = parse_race_key(race_key)
    ranked = participants.dropna(subset=["finish_rank"]).sort_values(["finish_rank", "number"])
    non_runners = sorted(int(n) for n in participants.loc[participants["non_runner"].fillna(False), "number"])
    result = pd.DataFrame(
        [
            {
                "race_key": race_key,
                "race_date": race.race_date,
                "reunion": race.reunion,
                "course": race.course,
                "official": official,
                "source": source,
                "arrival_order": [int(n) for n in ranked["number"]],
                "arrival_ranks": [int(r) for r in ranked["finish_rank"]],
                "non_runners": non_runners,
                "n_dividends": len(dividends),
                "resulted_at": pd.Timestamp(resulted_at).tz_convert("UTC"),
            }
        ],
        columns=RACE_RESULTS.column_names,
    )
    divs = dividends.assign(race_key=race_key, source=source)
    divs = divs[RACE_DIVIDENDS.column_names].drop_duplicates(subset=["bet_type", "combination"], keep="first")
    return result, divs.reset_index(drop=True)
