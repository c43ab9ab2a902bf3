"""Closing-line value: each simple-gagnant ticket keeps its decision odds, its settlement the final
odds, the CLV and whether it beat the final price, and the ledger the race's CLV

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "tickets",
        sa.Column(
            "decision_odds",
            sa.Double(),
            nullable=True,
            comment="Win odds of the horse at the decision instant (simple gagnant only); null for other "
            "bet types and before revision 0012",
        ),
        schema="betting",
    )
    op.add_column(
        "settlements",
        sa.Column(
            "final_odds",
            sa.Double(),
            nullable=True,
            comment="Final win odds of the horse (dernierRapportDirect), simple gagnant only; null before "
            "revision 0012",
        ),
        schema="betting",
    )
    op.add_column(
        "settlements",
        sa.Column(
            "clv",
            sa.Double(),
            nullable=True,
            comment="Closing-line value: decision odds / final odds - 1 (positive: the price shortened "
            "after the decision)",
        ),
        schema="betting",
    )
    op.add_column(
        "settlements",
        sa.Column(
            "beat_final",
            sa.Boolean(),
            nullable=True,
            comment="The decision odds were longer than the final odds",
        ),
        schema="betting",
    )
    op.add_column(
        "ledger",
        sa.Column(
            "clv",
            sa.Double(),
            nullable=True,
            comment="Stake-weighted closing-line value of the race's tickets that have one (decision "
            "odds / final odds - 1); null without such a ticket",
        ),
        schema="betting",
    )
    op.add_column(
        "ledger",
        sa.Column(
            "clv_tickets",
            sa.Integer(),
            nullable=True,
            comment="Tickets with a closing-line value; null before revision 0012",
        ),
        schema="betting",
    )
    op.add_column(
        "ledger",
        sa.Column(
            "beat_final_share",
            sa.Double(),
            nullable=True,
            comment="Share of those tickets whose decision odds were longer than the final odds",
        ),
        schema="betting",
    )


def downgrade() -> None:
    for table, column in (
        ("ledger", "beat_final_share"),
        ("ledger", "clv_tickets"),
        ("ledger", "clv"),
        ("settlements", "beat_final"),
        ("settlements", "clv"),
        ("settlements", "final_odds"),
        ("tickets", "decision_odds"),
    ):
        op.drop_column(table, column, schema="betting")
