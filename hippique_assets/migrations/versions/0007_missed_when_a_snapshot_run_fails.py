"""A failed H-30 or H-5 run (never retried) is a missed phase too: reason run_failed

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE_BEFORE = (
    "Race phases that did not do their work: never fired inside their grace window, or their "
    "snapshot run started too late (H-30 once H-5 was due, H-5 once the race was off)."
)
TABLE_AFTER = (
    "Race phases that did not do their work: never fired inside their grace window, or their "
    "snapshot run started too late (H-30 once H-5 was due, H-5 once the race was off) or failed."
)
REASON_BEFORE = (
    "not_fired (no race clock tick in the grace window) or started_late (the run was requested in "
    "time but started too late: H-30 once H-5 was due, H-5 once the race was off); null before "
    "revision 0005"
)
REASON_AFTER = (
    "not_fired (no race clock tick in the grace window), started_late (the run was requested in "
    "time but started too late: H-30 once H-5 was due, H-5 once the race was off) or run_failed "
    "(the H-30 or H-5 run failed, or never started; such runs are not retried); null before "
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
