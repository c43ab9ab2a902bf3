"""A snapshot run is refused once its snapshot has lost its meaning, not when its grace window closes

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE_BEFORE = (
    "Race phases that did not do their work inside their grace window: never fired, or their run "
    "started after the window closed."
)
TABLE_AFTER = (
    "Race phases that did not do their work: never fired inside their grace window, or their "
    "snapshot run started too late (H-30 once H-5 was due, H-5 once the race was off)."
)
REASON_BEFORE = (
    "not_fired (no race clock tick in the window) or started_late (the run was requested in time "
    "but started after the window closed); null before revision 0005"
)
REASON_AFTER = (
    "not_fired (no race clock tick in the grace window) or started_late (the run was requested in "
    "time but started too late: H-30 once H-5 was due, H-5 once the race was off); null before "
    "revision 0005"
)


def _comment(table: str, reason: str, existing_table: str, existing_reason: str) -> None:
    op.create_table_comment("missed_runs", table, existing_comment=existing_table, schema="racing")
    op.alter_column(
        "missed_runs",
        "reason",
        comment=reason,
        existing_comment=existing_reason,
        existing_type=sa.Text(),
        existing_nullable=True,
        schema="racing",
    )


def upgrade() -> None:
    _comment(TABLE_AFTER, REASON_AFTER, TABLE_BEFORE, REASON_BEFORE)


def downgrade() -> None:
    _comment(TABLE_BEFORE, REASON_BEFORE, TABLE_AFTER, REASON_AFTER)
