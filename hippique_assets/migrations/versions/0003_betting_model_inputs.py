"""Betting: model inputs, decision odds source and capture times, expected payout

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "decisions",
        sa.Column(
            "odds_source",
            sa.Text(),
            nullable=True,
            comment="h5 (live snapshot), capture (recorded), final_proxy",
        ),
        schema="betting",
    )
    op.add_column(
        "decisions",
        sa.Column(
            "h5_captured_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="When the H-5 odds decided on were captured",
        ),
        schema="betting",
    )
    op.add_column(
        "decisions",
        sa.Column(
            "h30_captured_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="When the H-30 odds were captured",
        ),
        schema="betting",
    )
    op.add_column(
        "decisions",
        sa.Column(
            "edge_evidence",
            sa.Text(),
            nullable=True,
            comment="Out-of-sample gain over the market behind the rule",
        ),
        schema="betting",
    )
    op.add_column(
        "runner_analysis",
        sa.Column("odds_ref", sa.Double(), nullable=True, comment="Reference odds known at H-5"),
        schema="betting",
    )
    op.add_column(
        "runner_analysis",
        sa.Column(
            "payout_win", sa.Double(), nullable=True, comment="Expected simple-gagnant payout at post time"
        ),
        schema="betting",
    )
    op.add_column(
        "runner_analysis",
        sa.Column("x_market_logit", sa.Double(), nullable=True, comment="Model input: log p_market"),
        schema="betting",
    )
    op.add_column(
        "runner_analysis",
        sa.Column(
            "x_drift_logit", sa.Double(), nullable=True, comment="Model input: log(odds H-30 / odds H-5)"
        ),
        schema="betting",
    )
    op.add_column(
        "runner_analysis",
        sa.Column(
            "x_reference_logit", sa.Double(), nullable=True, comment="Model input: log p_ref - log p_direct"
        ),
        schema="betting",
    )
    op.add_column(
        "runner_analysis",
        sa.Column("x_market_logit_sq", sa.Double(), nullable=True, comment="Model input: (log p_market)^2"),
        schema="betting",
    )
    op.add_column(
        "runner_analysis",
        sa.Column("x_jockey", sa.Double(), nullable=True, comment="Model input: jockey score (within race)"),
        schema="betting",
    )
    op.add_column(
        "runner_analysis",
        sa.Column("x_trainer", sa.Double(), nullable=True, comment="Model input: trainer score"),
        schema="betting",
    )
    op.add_column(
        "runner_analysis",
        sa.Column("x_form", sa.Double(), nullable=True, comment="Model input: musique form score"),
        schema="betting",
    )
    op.add_column(
        "runner_analysis",
        sa.Column("x_chrono", sa.Double(), nullable=True, comment="Model input: best reduction score"),
        schema="betting",
    )
    op.add_column(
        "runner_analysis",
        sa.Column("x_drift", sa.Double(), nullable=True, comment="Model input: drift score"),
        schema="betting",
    )


def downgrade() -> None:
    op.drop_column("runner_analysis", "x_drift", schema="betting")
    op.drop_column("runner_analysis", "x_chrono", schema="betting")
    op.drop_column("runner_analysis", "x_form", schema="betting")
    op.drop_column("runner_analysis", "x_trainer", schema="betting")
    op.drop_column("runner_analysis", "x_jockey", schema="betting")
    op.drop_column("runner_analysis", "x_market_logit_sq", schema="betting")
    op.drop_column("runner_analysis", "x_reference_logit", schema="betting")
    op.drop_column("runner_analysis", "x_drift_logit", schema="betting")
    op.drop_column("runner_analysis", "x_market_logit", schema="betting")
    op.drop_column("runner_analysis", "payout_win", schema="betting")
    op.drop_column("runner_analysis", "odds_ref", schema="betting")
    op.drop_column("decisions", "edge_evidence", schema="betting")
    op.drop_column("decisions", "h30_captured_at", schema="betting")
    op.drop_column("decisions", "h5_captured_at", schema="betting")
    op.drop_column("decisions", "odds_source", schema="betting")
