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
        Column("race_key", Text, nullable=False, comment="Race partition key, day-R-C, e.g. 2026-03-23-R1C4"),
        Column("race_date", Date, nullable=False, comment="Racing day, Europe/Paris"),
        Column(
            "reunion",
            Integer,
            nullable=False,
            comment="Reunion number of the day, the R of R1C4 (numOfficiel)",
        ),
        Column(
            "course",
            Integer,
            nullable=False,
            comment="Race number within the reunion, the C of R1C4 (numOrdre)",
        ),
        Column(
            "official",
            Boolean,
            nullable=False,
            comment="The arrival is official (from the PMU rapports), not a web source's",
        ),
        Column("source", Text, nullable=False, comment="pmu or a web source such as geny"),
        Column(
            "arrival_order",
            ARRAY(Integer),
            comment="Runner numbers of the finishers, first first (ordreArrivee)",
        ),
        Column(
            "arrival_ranks",
            ARRAY(Integer),
            comment="Finishing rank of each number of arrival_order; dead heats share a rank (ordreArrivee)",
        ),
        Column(
            "non_runners", ARRAY(Integer), comment="Runner numbers withdrawn (statut, incident NON_PARTANT)"
        ),
        Column("n_dividends", Integer, comment="Number of dividends fetched for the race (rapports)"),
        Column("resulted_at", TIMESTAMPTZ, nullable=False, comment="When the result was built"),
    ),
    primary_key=("race_key",),
    partition_column="race_key",
)

RACE_DIVIDENDS = declare_table(
    schema="pmu",
    name="race_dividends",
    description="Dividends of one race as fetched at H+15 (euros per 1 euro staked).",
    columns=(
        Column("race_key", Text, nullable=False, comment="Race partition key, day-R-C, e.g. 2026-03-23-R1C4"),
        Column(
            "bet_type",
            Text,
            nullable=False,
            comment="Bet type without any E_ prefix, e.g. SIMPLE_GAGNANT (typePari)",
        ),
        Column(
            "combination",
            Text,
            nullable=False,
            comment="Winning combination verbatim, e.g. 5-3-7, 5-NP (combinaison)",
        ),
        Column(
            "combination_numbers",
            ARRAY(Integer),
            comment="Runner numbers of the combination, non-runners left out (combinaison)",
        ),
        Column(
            "has_non_runner",
            Boolean,
            nullable=False,
            comment="The combination holds a non-runner, NP (combinaison)",
        ),
        Column(
            "dividend_per_eur",
            EUROS,
            comment="Dividend for a 1 euro stake, euros (dividendePourUnEuro, centimes)",
        ),
        Column("source", Text, nullable=False, comment="pmu or a web source such as geny"),
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
