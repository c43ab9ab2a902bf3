"""Horse names beside runner numbers in the runner analysis and the tickets

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "runner_analysis",
        sa.Column(
            "horse_name",
            sa.Text(),
            nullable=True,
            comment="Horse name beside its number, from pmu.participants (nom); null before revision 0010",
        ),
        schema="betting",
    )
    op.add_column(
        "tickets",
        sa.Column(
            "horse_names",
            sa.Text(),
            nullable=True,
            comment="Runners of the combination as number and horse name, e.g. 3 JAZZY, 7 ULYSSE "
            "(nom); null before revision 0010",
        ),
        schema="betting",
    )


def downgrade() -> None:
    op.drop_column("tickets", "horse_names", schema="betting")
    op.drop_column("runner_analysis", "horse_name", schema="betting")
