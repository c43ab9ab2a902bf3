"""Indexes for the H-5 step and the day checks: participants by jockey and by trainer with the day, horses and past races by the day last seen

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("horses_last_seen_idx", "horses", ["last_seen"], unique=False, schema="pmu")
    op.create_index(
        "participants_jockey_race_date_idx",
        "participants",
        ["jockey", "race_date"],
        unique=False,
        schema="pmu",
    )
    op.create_index(
        "participants_trainer_race_date_idx",
        "participants",
        ["trainer", "race_date"],
        unique=False,
        schema="pmu",
    )
    op.create_index(
        "performances_last_seen_date_idx", "performances", ["last_seen_date"], unique=False, schema="pmu"
    )


def downgrade() -> None:
    op.drop_index("performances_last_seen_date_idx", table_name="performances", schema="pmu")
    op.drop_index("participants_trainer_race_date_idx", table_name="participants", schema="pmu")
    op.drop_index("participants_jockey_race_date_idx", table_name="participants", schema="pmu")
    op.drop_index("horses_last_seen_idx", table_name="horses", schema="pmu")
