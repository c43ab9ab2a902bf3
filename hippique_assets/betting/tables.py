"""Postgres tables of schema ``betting``: the H-5 analysis, tickets, settlements and the daily ledger.

Per-race tables are partitioned by race key (replaced when a race is re-analysed or re-settled);
the ledger is partitioned by racing day.
"""

from __future__ import annotations

from sqlalchemy import ARRAY, Boolean, Column, Date, Double, Integer, Text

from hippique_assets.storage.tables import EUROS, TIMESTAMPTZ, References, declare_table

_RACE_KEY = Column("race_key", Text, nullable=False, comment="Race partition key, e.g. 2026-03-23-R1C4")
_DAY = Column("race_date", Date, nullable=False, comment="Racing day (Europe/Paris)")
_REUNION = Column("reunion", Integer, nullable=False)
_COURSE = Column("course", Integer, nullable=False)

RUNNER_ANALYSIS = declare_table(
    schema="betting",
    name="runner_analysis",
    description="Per runner at H-5: market and final win probabilities and what moved them.",
    columns=(
        _RACE_KEY,
        _DAY,
        _REUNION,
        _COURSE,
        Column("number", Integer, nullable=False),
        Column("horse_id", Text),
        Column("odds_h30", Double, comment="Direct odds at H-30 (null when missing)"),
        Column("odds_h5", Double, comment="Direct odds at H-5"),
        Column("p_market", Double, nullable=False, comment="Overround removed"),
        Column("p_finale", Double, nullable=False, comment="Final win probability"),
        Column("p_place", Double, comment="Probability of a paid place"),
        Column("ev_win", Double, comment="EV per euro of a simple gagnant bet"),
        Column("jockey", Double, comment="Log-scale contribution of the jockey factor"),
        Column("trainer", Double),
        Column("form", Double),
        Column("chrono", Double),
        Column("drift", Double),
        Column("drift_available", Boolean, nullable=False),
        Column("method", Text, nullable=False, comment="model:<version> or factors"),
        Column("config_version", Text, nullable=False),
        Column("analysed_at", TIMESTAMPTZ, nullable=False),
        Column("odds_ref", Double, comment="Reference odds known at H-5"),
        Column("payout_win", Double, comment="Expected simple-gagnant payout at post time"),
        Column("x_market_logit", Double, comment="Model input: log p_market"),
        Column("x_drift_logit", Double, comment="Model input: log(odds H-30 / odds H-5)"),
        Column("x_reference_logit", Double, comment="Model input: log p_ref - log p_direct"),
        Column("x_market_logit_sq", Double, comment="Model input: (log p_market)^2"),
        Column("x_jockey", Double, comment="Model input: jockey score (within race)"),
        Column("x_trainer", Double, comment="Model input: trainer score"),
        Column("x_form", Double, comment="Model input: musique form score"),
        Column("x_chrono", Double, comment="Model input: best reduction score"),
        Column("x_drift", Double, comment="Model input: drift score"),
    ),
    primary_key=("race_key", "number"),
    partition_column="race_key",
)

DECISIONS = declare_table(
    schema="betting",
    name="decisions",
    description="One row per analysed race: bet or abstain, and why.",
    columns=(
        _RACE_KEY,
        _DAY,
        _REUNION,
        _COURSE,
        Column("abstained", Boolean, nullable=False),
        Column("reason", Text),
        Column("n_candidates", Integer, nullable=False),
        Column("n_tickets", Integer, nullable=False),
        Column("stake_eur", EUROS, nullable=False),
        Column("expected_return_eur", EUROS, nullable=False),
        Column("drift_available", Boolean, nullable=False),
        Column("config_version", Text, nullable=False),
        Column("decided_at", TIMESTAMPTZ, nullable=False),
        Column("odds_source", Text, comment="h5 (live snapshot), capture (recorded), final_proxy"),
        Column("h5_captured_at", TIMESTAMPTZ, comment="When the H-5 odds decided on were captured"),
        Column("h30_captured_at", TIMESTAMPTZ, comment="When the H-30 odds were captured"),
        Column("edge_evidence", Text, comment="Out-of-sample gain over the market behind the rule"),
    ),
    primary_key=("race_key",),
    partition_column="race_key",
)

TICKETS = declare_table(
    schema="betting",
    name="tickets",
    description="Bets decided at H-5, within the race budget.",
    columns=(
        _RACE_KEY,
        _DAY,
        _REUNION,
        _COURSE,
        Column("bet_type", Text, nullable=False),
        Column("combination", Text, nullable=False, comment="Numbers ascending, e.g. 3-7"),
        Column("numbers", ARRAY(Integer), nullable=False),
        Column("probability", Double, nullable=False),
        Column("market_probability", Double),
        Column("payout_estimate", Double, nullable=False, comment="Euros per euro"),
        Column("ev", Double, nullable=False, comment="Expected value per euro staked"),
        Column("stake_eur", EUROS, nullable=False),
        Column("config_version", Text, nullable=False),
        Column("decided_at", TIMESTAMPTZ, nullable=False),
    ),
    primary_key=("race_key", "bet_type", "combination"),
    partition_column="race_key",
    references=(References(("race_key",), "betting.decisions", ("race_key",)),),
)

SETTLEMENTS = declare_table(
    schema="betting",
    name="settlements",
    description="Tickets settled at H+15 on the official dividends (refunds for non-runners).",
    columns=(
        _RACE_KEY,
        _DAY,
        _REUNION,
        _COURSE,
        Column("bet_type", Text, nullable=False),
        Column("combination", Text, nullable=False),
        Column("stake_eur", EUROS, nullable=False),
        Column("outcome", Text, nullable=False, comment="won, lost or refunded"),
        Column("dividend_per_eur", EUROS),
        Column("return_eur", EUROS, nullable=False),
        Column("profit_eur", EUROS, nullable=False),
        Column("official", Boolean, nullable=False),
        Column("settled_at", TIMESTAMPTZ, nullable=False),
    ),
    primary_key=("race_key", "bet_type", "combination"),
    partition_column="race_key",
    references=(
        References(
            ("race_key", "bet_type", "combination"),
            "betting.tickets",
            ("race_key", "bet_type", "combination"),
        ),
    ),
)

LEDGER = declare_table(
    schema="betting",
    name="ledger",
    description="One row per race of the day: stakes, returns, ROI and the quality of the probabilities.",
    columns=(
        _DAY,
        _RACE_KEY,
        _REUNION,
        _COURSE,
        Column("abstained", Boolean, nullable=False),
        Column("reason", Text),
        Column("n_tickets", Integer, nullable=False),
        Column("n_won", Integer, nullable=False),
        Column("stake_eur", EUROS, nullable=False),
        Column("expected_return_eur", EUROS, nullable=False),
        Column("return_eur", EUROS, nullable=False),
        Column("profit_eur", EUROS, nullable=False),
        Column("roi", Double, comment="profit / stake; null without stake"),
        Column("settled", Boolean, nullable=False),
        Column("brier", Double, comment="Brier score of p_finale against the arrival"),
        Column("log_loss", Double),
        Column("market_brier", Double),
        Column("market_log_loss", Double),
    ),
    primary_key=("race_date", "race_key"),
    partition_column="race_date",
)

ALL_TABLES = (RUNNER_ANALYSIS, DECISIONS, TICKETS, SETTLEMENTS, LEDGER)
