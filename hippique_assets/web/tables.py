"""Table of what the web sources showed for each race (``web.race_cards``)."""

from __future__ import annotations

from hippique_assets.storage.tables import Column, TableSpec, register_tables

RACE_CARDS = TableSpec(
    schema="web",
    name="race_cards",
    description="Start time and runners of each race as a web source (ZEturf, Geny) showed them.",
    columns=(
        Column("race_date", "date", nullable=False),
        Column("race_key", "text", nullable=False),
        Column("source", "text", nullable=False, description="zeturf or geny"),
        Column("start_utc", "timestamptz"),
        Column("n_runners", "integer", nullable=False),
        Column("non_runners", "integer[]"),
        Column("page", "text", nullable=False, description="Where the raw page is kept"),
        Column("fetched_at", "timestamptz", nullable=False),
    ),
    primary_key=("race_key", "source"),
    partition_column="race_date",
)

register_tables([RACE_CARDS])
