"""Last-call and minute-by-minute odds: every field of the live odds answer in pmu.odds_snapshots,
each decision phase's decision (racing.phase_decisions), and the gaps in the minute captures

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "odds_capture_gaps",
        sa.Column(
            "race_key", sa.Text(), nullable=False, comment="Race partition key, day-R-C, e.g. 2026-03-23-R1C4"
        ),
        sa.Column("race_date", sa.Date(), nullable=False, comment="Racing day, Europe/Paris"),
        sa.Column(
            "gap_from",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="Last capture before the gap (or H-10)",
        ),
        sa.Column(
            "gap_to",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="First capture after the gap (or the off)",
        ),
        sa.Column("seconds", sa.Double(), nullable=False, comment="Length of the gap, seconds"),
        sa.Column(
            "reason",
            sa.Text(),
            nullable=False,
            comment="What the watcher knew: restarted, capture_failed, late_start, ended",
        ),
        sa.Column(
            "recorded_at", sa.DateTime(timezone=True), nullable=False, comment="When the gap was recorded"
        ),
        sa.PrimaryKeyConstraint("race_key", "gap_from", name=op.f("odds_capture_gaps_pkey")),
        schema="racing",
        comment="Stretches of the last ten minutes before a race's off with no odds captured for more than a minute (a watcher that died, a request that failed): recorded, never filled in.",
    )
    op.create_index(
        "odds_capture_gaps_race_date_idx", "odds_capture_gaps", ["race_date"], unique=False, schema="racing"
    )
    op.create_table(
        "phase_decisions",
        sa.Column(
            "race_key", sa.Text(), nullable=False, comment="Race partition key, day-R-C, e.g. 2026-03-23-R1C4"
        ),
        sa.Column("race_date", sa.Date(), nullable=False, comment="Racing day, Europe/Paris"),
        sa.Column("phase", sa.Text(), nullable=False, comment="Decision phase: h5 or last_call"),
        sa.Column(
            "due_utc",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="When the phase was due (null for a run launched by hand)",
        ),
        sa.Column(
            "decided_at", sa.DateTime(timezone=True), nullable=False, comment="When the decision was made"
        ),
        sa.Column(
            "odds_captured_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="When the odds decided on were captured",
        ),
        sa.Column(
            "odds_source",
            sa.Text(),
            nullable=True,
            comment="Odds decided on: h5 or last_call (live snapshot), capture",
        ),
        sa.Column("abstained", sa.Boolean(), nullable=False, comment="The phase decided no ticket"),
        sa.Column("reason", sa.Text(), nullable=True, comment="Why the phase abstained, or how it bet"),
        sa.Column("n_tickets", sa.Integer(), nullable=False, comment="Number of tickets the phase decided"),
        sa.Column(
            "stake_eur",
            sa.Numeric(precision=12, scale=2),
            nullable=False,
            comment="Total stake the phase decided, euros",
        ),
        sa.Column(
            "expected_return_eur",
            sa.Numeric(precision=12, scale=2),
            nullable=False,
            comment="Expected return of its tickets, euros",
        ),
        sa.Column(
            "placed",
            sa.Boolean(),
            nullable=False,
            comment="This phase places the tickets ([decision] placing_phase)",
        ),
        sa.Column(
            "tickets",
            sa.Text(),
            nullable=True,
            comment="The phase's tickets as JSON (bet type, combination, stake, probability, EV)",
        ),
        sa.Column("config_version", sa.Text(), nullable=False, comment="Version of the analysis config used"),
        sa.PrimaryKeyConstraint("race_key", "phase", name=op.f("phase_decisions_pkey")),
        schema="racing",
        comment="The decision of each decision phase of a race (h5, last_call), side by side: the placing phase's tickets are the ones in betting.tickets, the other phase's are kept here only.",
    )
    op.create_index(
        "phase_decisions_race_date_idx", "phase_decisions", ["race_date"], unique=False, schema="racing"
    )
    op.add_column(
        "odds_snapshots",
        sa.Column(
            "odds_direct_trend",
            sa.Double(),
            nullable=True,
            comment="Change of the live odds against the reference, percent (dernierRapportDirect.nombreIndicateurTendance); null before revision 0011",
        ),
        schema="pmu",
    )
    op.add_column(
        "odds_snapshots",
        sa.Column(
            "odds_direct_trend_sign",
            sa.Text(),
            nullable=True,
            comment="Trend indicator of the live odds: +, - or blank (dernierRapportDirect.indicateurTendance); null before revision 0011",
        ),
        schema="pmu",
    )
    op.add_column(
        "odds_snapshots",
        sa.Column(
            "odds_direct_favourite",
            sa.Boolean(),
            nullable=True,
            comment="Favourite of the live market (dernierRapportDirect.favoris); null before revision 0011",
        ),
        schema="pmu",
    )
    op.add_column(
        "odds_snapshots",
        sa.Column(
            "odds_direct_large_bet",
            sa.Boolean(),
            nullable=True,
            comment="A large bet moved the live odds (dernierRapportDirect.grossePrise); null before revision 0011",
        ),
        schema="pmu",
    )
    op.add_column(
        "odds_snapshots",
        sa.Column(
            "odds_reference_favourite",
            sa.Boolean(),
            nullable=True,
            comment="Favourite of the reference market (dernierRapportReference.favoris); null before revision 0011",
        ),
        schema="pmu",
    )
    op.create_table_comment(
        "odds_snapshots",
        "Odds of every runner captured at a phase of the race day (h30, h5, last_call, and watch: about twice a minute from H-10 to the off), kept as history.",
        existing_comment="Odds of every runner captured at a phase of the race day (h30, h5...), kept as history.",
        schema="pmu",
    )


def downgrade() -> None:
    op.create_table_comment(
        "odds_snapshots",
        "Odds of every runner captured at a phase of the race day (h30, h5...), kept as history.",
        existing_comment="Odds of every runner captured at a phase of the race day (h30, h5, last_call, and watch: about twice a minute from H-10 to the off), kept as history.",
        schema="pmu",
    )
    op.drop_column("odds_snapshots", "odds_reference_favourite", schema="pmu")
    op.drop_column("odds_snapshots", "odds_direct_large_bet", schema="pmu")
    op.drop_column("odds_snapshots", "odds_direct_favourite", schema="pmu")
    op.drop_column("odds_snapshots", "odds_direct_trend_sign", schema="pmu")
    op.drop_column("odds_snapshots", "odds_direct_trend", schema="pmu")
    op.drop_index("phase_decisions_race_date_idx", table_name="phase_decisions", schema="racing")
    op.drop_table("phase_decisions", schema="racing")
    op.drop_index("odds_capture_gaps_race_date_idx", table_name="odds_capture_gaps", schema="racing")
    op.drop_table("odds_capture_gaps", schema="racing")
