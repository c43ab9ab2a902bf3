"""Ingestion gaps of each day; participants indexed by race key

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ingest_gaps",
        sa.Column("race_date", sa.Date(), nullable=False, comment="Racing day requested (Europe/Paris)"),
        sa.Column(
            "endpoint", sa.Text(), nullable=False, comment="programme, participants, performances or rapports"
        ),
        sa.Column(
            "seq", sa.Integer(), nullable=False, comment="Order of the gap within the day and endpoint"
        ),
        sa.Column(
            "kind",
            sa.Text(),
            nullable=False,
            comment="request_failed, stale (failed, earlier answer kept), not_requested, rejected_race, rejected_row",
        ),
        sa.Column("race_key", sa.Text(), nullable=True, comment="The race concerned, when there is one"),
        sa.Column("path", sa.Text(), nullable=True, comment="API path of the request"),
        sa.Column("status", sa.Integer(), nullable=True, comment="Last HTTP status (0: no answer)"),
        sa.Column("runner", sa.Integer(), nullable=True, comment="Runner number of a rejected row"),
        sa.Column("field", sa.Text(), nullable=True, comment="Column whose value broke its rule"),
        sa.Column("value", sa.Text(), nullable=True, comment="The offending value, as received"),
        sa.Column("detail", sa.Text(), nullable=False, comment="What went wrong"),
        sa.PrimaryKeyConstraint("race_date", "endpoint", "seq", name=op.f("ingest_gaps_pkey")),
        schema="pmu",
        comment="What a day's ingestion could not land or keep: requests that failed for good (an earlier answer kept when there was one), races never requested, and races or runners rejected by validation. Empty when the day is complete.",
    )
    op.create_index("participants_race_key_idx", "participants", ["race_key"], unique=False, schema="pmu")


def downgrade() -> None:
    op.drop_index("participants_race_key_idx", table_name="participants", schema="pmu")
    op.drop_table("ingest_gaps", schema="pmu")
