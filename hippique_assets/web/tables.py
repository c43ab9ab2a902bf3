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
        Column("race_date", Date, nullable=False),
        Column("race_key", Text, nullable=False),
        Column("source", Text, nullable=False, comment="zeturf or geny"),
        Column("start_utc", TIMESTAMPTZ),
        Column("n_runners", Integer, nullable=False),
        Column("non_runners", ARRAY(Integer)),
        Column("page", Text, nullable=False, comment="Where the raw page is kept"),
        Column("fetched_at", TIMESTAMPTZ, nullable=False),
    ),
    primary_key=("race_key", "source"),
    partition_column="race_date",
)
