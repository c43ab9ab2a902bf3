"""Table of what the web sources showed for each race (``web.race_cards``)."""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    Column,
    Date,
    Integer,
    Text,
)

from hippique_assets.storage.tables import (
    TIMESTAMPTZ,
    declare_table,
)

RACE_CARDS = declare_table(
    schema="web",
    name="race_cards",
    description="Start time and runners of each race as a web source (ZEturf, Geny) showed them.",
    columns=(
        Column("race_date", Date, nullable=False, comment="Racing day, Europe/Paris"),
        Column("race_key", Text, nullable=False, comment="Race partition key, day-R-C, e.g. 2026-03-23-R1C4"),
        Column("source", Text, nullable=False, comment="zeturf or geny"),
        Column("start_utc", TIMESTAMPTZ, comment="Start instant the page shows"),
        Column("n_runners", Integer, nullable=False, comment="Number of runners the page lists"),
        Column("non_runners", ARRAY(Integer), comment="Runner numbers the page shows as withdrawn"),
        Column("page", Text, nullable=False, comment="Where the raw page is kept"),
        Column("fetched_at", TIMESTAMPTZ, nullable=False, comment="When the page was fetched"),
    ),
    primary_key=("race_key", "source"),
    partition_column="race_date",
)
