"""Table of the live odds: ``pmu.odds_snapshots``, every runner's odds captured at each phase of
the race day from the participants answer, kept as history (appended, never replaced)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Double, Integer, Text

from hippique_assets.pmu.schema.columns import COURSE, RACE_DATE, RACE_KEY, REUNION
from hippique_assets.storage.tables import ODDS, TIMESTAMPTZ, declare_table, rule

ODDS_SNAPSHOTS = declare_table(
    schema="pmu",
    name="odds_snapshots",
    description="Odds of every runner captured at a phase of the race day (h30, h5, last_call, and "
    "watch: about twice a minute from H-10 to the off), kept as history.",
    columns=(
        RACE_KEY,
        RACE_DATE,
        REUNION,
        COURSE,
        Column("phase", Text, nullable=False, comment="Phase of the capture: h30, h5 or another label"),
        Column("captured_at", TIMESTAMPTZ, nullable=False, comment="When the participants were fetched"),
        Column(
            "number",
            Integer,
            nullable=False,
            comment="Runner number on the saddle cloth (numPmu)",
            info=rule(ge=1, le=99),
        ),
        Column("horse_id", Text, comment="Horse identifier, key of pmu.horses (idCheval, or derived)"),
        Column(
            "odds_direct",
            ODDS,
            comment="Live win odds, euros returned for 1 euro (dernierRapportDirect.rapport)",
            info=rule(ge=1),
        ),
        Column(
            "odds_direct_at",
            TIMESTAMPTZ,
            comment="When the live odds were published (dernierRapportDirect.dateRapport)",
        ),
        Column(
            "odds_reference",
            ODDS,
            comment="Reference (morning) win odds, euros returned for 1 euro (dernierRapportReference.rapport)",
            info=rule(ge=1),
        ),
        Column(
            "odds_reference_at",
            TIMESTAMPTZ,
            comment="When the reference odds were published (dernierRapportReference.dateRapport)",
        ),
        Column("non_runner", Boolean, nullable=False, comment="Withdrawn at the capture (statut, incident)"),
        Column(
            "odds_direct_trend",
            Double,
            comment="Change of the live odds against the reference, percent "
            "(dernierRapportDirect.nombreIndicateurTendance); null before revision 0011",
        ),
        Column(
            "odds_direct_trend_sign",
            Text,
            comment="Trend indicator of the live odds: +, - or blank "
            "(dernierRapportDirect.indicateurTendance); null before revision 0011",
        ),
        Column(
            "odds_direct_favourite",
            Boolean,
            comment="Favourite of the live market (dernierRapportDirect.favoris); null before revision 0011",
        ),
        Column(
            "odds_direct_large_bet",
            Boolean,
            comment="A large bet moved the live odds (dernierRapportDirect.grossePrise); null before revision 0011",
        ),
        Column(
            "odds_reference_favourite",
            Boolean,
            comment="Favourite of the reference market (dernierRapportReference.favoris); null before "
            "revision 0011",
        ),
    ),
    primary_key=("race_key", "phase", "captured_at", "number"),
    partition_column="race_key",
    write_mode="append",
)
