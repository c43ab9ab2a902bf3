"""Table of what a day's ingestion could not land or keep: ``pmu.ingest_gaps``, one row per failed
request, race never requested or rejected race or runner, for every endpoint."""

from __future__ import annotations

from sqlalchemy import Column, Integer, Text

from hippique_assets.pmu.schema.columns import RACE_DATE
from hippique_assets.storage.tables import declare_table

INGEST_GAPS = declare_table(
    schema="pmu",
    name="ingest_gaps",
    description=(
        "What a day's ingestion could not land or keep: requests that failed for good (an earlier "
        "answer kept when there was one), races never requested, and races or runners rejected by "
        "validation. Empty when the day is complete."
    ),
    columns=(
        RACE_DATE,
        Column(
            "endpoint",
            Text,
            nullable=False,
            comment="API endpoint: programme, participants, performances or rapports",
        ),
        Column("seq", Integer, nullable=False, comment="Order of the gap within the day and endpoint"),
        Column(
            "kind",
            Text,
            nullable=False,
            comment="request_failed, stale (failed or no data after data, earlier answer kept), not_requested, shrank (missing from a new answer, stored rows kept): transient, retried; rejected_race, rejected_row: permanent, the source's values broke their rules",
        ),
        Column("race_key", Text, comment="The race concerned, when there is one"),
        Column("path", Text, comment="API path of the request"),
        Column("status", Integer, comment="Last HTTP status (0: no answer)"),
        Column("runner", Integer, comment="Runner number of a rejected row (numPmu)"),
        Column("field", Text, comment="Column or API field whose value broke its rule"),
        Column("value", Text, comment="The offending value, as received"),
        Column("detail", Text, nullable=False, comment="What went wrong"),
    ),
    primary_key=("race_date", "endpoint", "seq"),
    partition_column="race_date",
)
