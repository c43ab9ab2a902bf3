"""Official race results: one row per race with its arrival, and the race's dividends.

Built at H+15 from the race's participants (ranks, non-runners) and its ``rapports-definitifs``.
When the PMU rapports stay unavailable past the retry limit, a web source (Geny) may supply an
unofficial arrival instead; the row then says so.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import (
    ARRAY,
    Boolean,
    Column,
    Date,
    Integer,
    Text,
)

from hippique_assets.racing.keys import parse_race_key
from hippique_assets.storage.tables import (
    EUROS,
    TIMESTAMPTZ,
    References,
    column_names,
    declare_table,
)

RACE_RESULTS = declare_table(
    schema="pmu",
    name="race_results",
    description="Arrival and status of each race, as known at H+15 (official when from PMU rapports).",
    columns=(
        Column("race_key", Text, nullable=False),
        Column("race_date", Date, nullable=False),
        Column("reunion", Integer, nullable=False),
        Column("course", Integer, nullable=False),
        Column("official", Boolean, nullable=False),
        Column("source", Text, nullable=False, comment="pmu or a web source such as geny"),
        Column("arrival_order", ARRAY(Integer)),
        Column("arrival_ranks", ARRAY(Integer)),
        Column("non_runners", ARRAY(Integer)),
        Column("n_dividends", Integer),
        Column("resulted_at", TIMESTAMPTZ, nullable=False),
    ),
    primary_key=("race_key",),
    partition_column="race_key",
)

RACE_DIVIDENDS = declare_table(
    schema="pmu",
    name="race_dividends",
    description="Dividends of one race as fetched at H+15 (euros per 1 euro staked).",
    columns=(
        Column("race_key", Text, nullable=False),
        Column("bet_type", Text, nullable=False),
        Column("combination", Text, nullable=False),
        Column("combination_numbers", ARRAY(Integer)),
        Column("has_non_runner", Boolean, nullable=False),
        Column("dividend_per_eur", EUROS),
        Column("source", Text, nullable=False),
    ),
    primary_key=("race_key", "bet_type", "combination"),
    partition_column="race_key",
    references=(References(("race_key",), "pmu.race_results", ("race_key",)),),
)


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
        columns=column_names(RACE_RESULTS),
    )
    divs = dividends.assign(race_key=race_key, source=source)
    divs = divs[column_names(RACE_DIVIDENDS)].drop_duplicates(
        subset=["bet_type", "combination"], keep="first"
    )
    return result, divs.reset_index(drop=True)
