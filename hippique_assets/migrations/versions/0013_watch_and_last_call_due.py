"""The race plan says when the odds watcher and the last call are due, beside H-30, H-5 and H+15

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "race_plan",
        sa.Column(
            "watch_due_utc",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="Start - 10 min: the minute-odds watcher starts (none with HIPPIQUE_ODDS_WATCH=off)",
        ),
        schema="racing",
    )
    op.add_column(
        "race_plan",
        sa.Column(
            "last_call_due_utc",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="Start - last_call_minutes of the analysis config the plan was built with: last-call "
            "snapshot and decision; null for rows planned before revision 0013",
        ),
        schema="racing",
    )
    # The watcher's lead is fixed, so the rows already planned get theirs; the last call's lead came
    # from the analysis config of the time, which the table does not keep: the next plan refresh
    # fills it for the day's races.
    op.execute(
        "update racing.race_plan set watch_due_utc = start_utc - interval '10 minutes' "
        "where start_utc is not null"
    )


def downgrade() -> None:
    op.drop_column("race_plan", "last_call_due_utc", schema="racing")
    op.drop_column("race_plan", "watch_due_utc", schema="racing")
