"""Why a race phase was missed: never fired, or started after its window closed

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "missed_runs",
        sa.Column(
            "reason",
            sa.Text(),
            nullable=True,
            comment="not_fired (no race clock tick in the window) or started_late (the run was "
            "requested in time but started after the window closed); null before revision 0005",
        ),
        schema="racing",
    )
    op.create_table_comment(
        "missed_runs",
        "Race phases that did not do their work inside their grace window: never fired, or their run "
        "started after the window closed.",
        existing_comment="Race phases whose grace window closed before the race clock could fire them.",
        schema="racing",
    )


def downgrade() -> None:
    op.create_table_comment(
        "missed_runs",
        "Race phases whose grace window closed before the race clock could fire them.",
        schema="racing",
    )
    op.drop_column("missed_runs", "reason", schema="racing")
