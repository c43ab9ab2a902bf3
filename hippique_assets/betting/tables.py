"""Postgres tables of schema ``betting``: the H-5 analysis, tickets, settlements and the daily ledger.

Per-race tables are partitioned by race key (replaced when a race is re-analysed or re-settled);
the ledger is partitioned by racing day.
"""

from __future__ import annotations

from hippique_assets.storage.tables import Column, ForeignKey, TableSpec, register_tables

MONEY = "numeric(12,2)"
_RACE_KEY = Column("race_key", "text", nullable=False, description="Race partition key, e.g. 2026-03-23-R1C4")
_DAY = Column("race_date", "date", nullable=False, description="Racing day (Europe/Paris)")
_REUNION = Column("reunion", "integer", nullable=False)
_COURSE = Column("course", "integer", nullable=False)

RUNNER_ANALYSIS = TableSpec(
    schema="betting",
    name="runner_analysis",
    description="Per runner at H-5: market and final win probabilities and what moved them.",
    columns=(
        _RACE_KEY,
        _DAY,
        _REUNION,
        _COURSE,
        Column("number", "integer", nullable=False),
        Column("horse_id", "text"),
        Column("odds_h30", "double precision", description="Direct odds at H-30 (null when missing)"),
        Column("odds_h5", "double precision", description="Direct odds at H-5"),
        Column("p_market", "double precision", nullable=False, description="Overround removed"),
        Column("p_finale", "double precision", nullable=False, description="Final win probability"),
        Column("p_place", "double precision", description="Probability of a paid place"),
        Column("ev_win", "double precision", description="EV per euro of a simple gagnant bet"),
        Column("jockey", "double precision", description="Log-scale contribution of the jockey factor"),
        Column("trainer", "double precision"),
        Column("form", "double precision"),
        Column("chrono", "double precision"),
        Column("drift", "double precision"),
        Column("drift_available", "boolean", nullable=False),
        Column("method", "text", nullable=False, description="model:<version> or factors"),
        Column("config_version", "text", nullable=False),
        Column("analysed_at", "timestamptz", nullable=False),
        Column("odds_ref", "double precision", description="Reference odds known at H-5"),
        Column("payout_win", "double precision", description="Expected simple-gagnant payout at post time"),
        Column("x_market_logit", "double precision", description="Model input: log p_market"),
        Column("x_drift_logit", "double precision", description="Model input: log(odds H-30 / odds H-5)"),
        Column("x_reference_logit", "double precision", description="Model input: log p_ref - log p_direct"),
        Column("x_market_logit_sq", "double precision", description="Model input: (log p_market)^2"),
        Column("x_jockey", "double precision", description="Model input: jockey score (within race)"),
        Column("x_trainer", "double precision", description="Model input: trainer score"),
        Column("x_form", "double precision", description="Model input: musique form score"),
        Column("x_chrono", "double precision", description="Model input: best reduction score"),
        Column("x_drift", "double precision", description="Model input: drift score"),
    ),
    primary_key=("race_key", "number"),
    partition_column="race_key",
)

DECISIONS = TableSpec(
    schema="betting",
    name="decisions",
    description="One row per analysed race: bet or abstain, and why.",
    columns=(
        _RACE_KEY,
        _DAY,
        _REUNION,
        _COURSE,
        Column("abstained", "boolean", nullable=False),
        Column("reason", "text"),
        Column("n_candidates", "integer", nullable=False),
        Column("n_tickets", "integer", nullable=False),
        Column("stake_eur", MONEY, nullable=False),
        Column("expected_return_eur", MONEY, nullable=False),
        Column("drift_available", "boolean", nullable=False),
        Column("config_version", "text", nullable=False),
        Column("decided_at", "timestamptz", nullable=False),
        Column("odds_source", "text", description="h5 (live snapshot), capture (recorded), final_proxy"),
        Column("h5_captured_at", "timestamptz", description="When the H-5 odds decided on were captured"),
        Column("h30_captured_at", "timestamptz", description="When the H-30 odds were captured"),
        Column("edge_evidence", "text", description="Out-of-sample gain over the market behind the rule"),
    ),
    primary_key=("race_key",),
    partition_column="race_key",
)

TICKETS = TableSpec(
    schema="betting",
    name="tickets",
    description="Bets decided at H-5, within the race budget.",
    columns=(
        _RACE_KEY,
        _DAY,
        _REUNION,
        _COURSE,
        Column("bet_type", "text", nullable=False),
        Column("combination", "text", nullable=False, description="Numbers ascending, e.g. 3-7"),
        Column("numbers", "integer[]", nullable=False),
        Column("probability", "double precision", nullable=False),
        Column("market_probability", "double precision"),
        Column("payout_estimate", "double precision", nullable=False, description="Euros per euro"),
        Column("ev", "double precision", nullable=False, description="Expected value per euro staked"),
        Column("stake_eur", MONEY, nullable=False),
        Column("config_version", "text", nullable=False),
        Column("decided_at", "timestamptz", nullable=False),
    ),
    primary_key=("race_key", "bet_type", "combination"),
    partition_column="race_key",
    foreign_keys=(ForeignKey(("race_key",), "betting.decisions", ("race_key",)),),
)

SETTLEMENTS = TableSpec(
    schema="betting",
    name="settlements",
    description="Tickets settled at H+15 on the official dividends (refunds for non-runners).",
    columns=(
        _RACE_KEY,
        _DAY,
        _REUNION,
        _COURSE,
        Column("bet_type", "text", nullable=False),
        Column("combination", "text", nullable=False),
        Column("stake_eur", MONEY, nullable=False),
        Column("outcome", "text", nullable=False, description="won, lost or refunded"),
        Column("dividend_per_eur", "numeric(12,2)"),
        Column("return_eur", MONEY, nullable=False),
        Column("profit_eur", MONEY, nullable=False),
        Column("official", "boolean", nullable=False),
        Column("settled_at", "timestamptz", nullable=False),
    ),
    primary_key=("race_key", "bet_type", "combination"),
    partition_column="race_key",
    foreign_keys=(
        ForeignKey(
            ("race_key", "bet_type", "combination"),
            "betting.tickets",
            ("race_key", "bet_type", "combination"),
        ),
    ),
)

LEDGER = TableSpec(
    schema="betting",
    name="ledger",
    description="One row per race of the day: stakes, returns, ROI and the quality of the probabilities.",
    columns=(
        _DAY,
        _RACE_KEY,
        _REUNION,
        _COURSE,
        Column("abstained", "boolean", nullable=False),
        Column("reason", "text"),
        Column("n_tickets", "integer", nullable=False),
        Column("n_won", "integer", nullable=False),
        Column("stake_eur", MONEY, nullable=False),
        Column("expected_return_eur", MONEY, nullable=False),
        Column("return_eur", MONEY, nullable=False),
        Column("profit_eur", MONEY, nullable=False),
        Column("roi", "double precision", description="profit / stake; null without stake"),
        Column("settled", "boolean", nullable=False),
        Column("brier", "double precision", description="Brier score of p_finale against the arrival"),
        Column("log_loss", "double precision"),
        Column("market_brier", "double precision"),
        Column("market_log_loss", "double precision"),
    ),
    primary_key=("race_date", "race_key"),
    partition_column="race_date",
)

ALL_TABLES = (RUNNER_ANALYSIS, DECISIONS, TICKETS, SETTLEMENTS, LEDGER)
register_tables(ALL_TABLES)
