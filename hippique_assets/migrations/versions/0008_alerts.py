"""Alerts raised about the race day; ingest gaps name answers that shrank

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KIND_BEFORE = (
    "request_failed, stale (failed, earlier answer kept), not_requested, rejected_race, rejected_row"
)
KIND_AFTER = (
    "request_failed, stale (failed or no data after data, earlier answer kept), not_requested, shrank "
    "(missing from a new answer, stored rows kept): transient, retried; rejected_race, rejected_row: "
    "permanent, the source's values broke their rules"
)


def _kind_comment(comment: str, existing: str) -> None:
    op.alter_column(
        "ingest_gaps",
        "kind",
        comment=comment,
        existing_comment=existing,
        existing_type=sa.Text(),
        existing_nullable=False,
        schema="pmu",
    )


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column(
            "dedup_key", sa.Text(), nullable=False, comment="condition:day[:race]: an alert is raised once"
        ),
        sa.Column(
            "condition", sa.Text(), nullable=False, comment="What happened, e.g. run_failed, plan_missing"
        ),
        sa.Column("severity", sa.Text(), nullable=False, comment="critical, warning or info"),
        sa.Column("race_date", sa.Date(), nullable=False, comment="Racing day concerned (Europe/Paris)"),
        sa.Column("race_key", sa.Text(), nullable=True, comment="The race concerned, when there is one"),
        sa.Column("title", sa.Text(), nullable=False, comment="One line for a person"),
        sa.Column("detail", sa.Text(), nullable=False, comment="What happened and what to look at"),
        sa.Column(
            "run_url", sa.Text(), nullable=True, comment="The run in the Dagster UI, when a run is concerned"
        ),
        sa.Column(
            "raised_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the condition was first seen",
        ),
        sa.Column(
            "delivered",
            sa.Boolean(),
            nullable=True,
            comment="Every configured channel took it (null: no channel configured)",
        ),
        sa.Column(
            "deliveries",
            sa.Text(),
            nullable=True,
            comment="One line per channel: ok, or why it was not delivered",
        ),
        sa.PrimaryKeyConstraint("dedup_key", name=op.f("alerts_pkey")),
        schema="racing",
        comment="Alerts raised about the race day, once per condition, day and race, with what each "
        "notification channel did with them.",
    )
    _kind_comment(KIND_AFTER, KIND_BEFORE)


def downgrade() -> None:
    _kind_comment(KIND_BEFORE, KIND_AFTER)
    op.drop_table("alerts", schema="racing")
