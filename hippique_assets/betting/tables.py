"""Postgres tables of schema ``betting``: the H-5 analysis, tickets, settlements and the daily ledger.

Per-race tables are partitioned by race key (replaced when a race is re-analysed or re-settled);
the ledger is partitioned by racing day.
"""

from __future__ import annotations

from sqlalchemy import ARRAY, Boolean, Column, Date, Double, Integer, Text

from hippique_assets.storage.tables import EUROS, TIMESTAMPTZ, References, declare_table

_RACE_KEY = Column(
    "race_key", Text, nullable=False, comment="Race partition key, day-R-C, e.g. 2026-03-23-R1C4"
)
_DAY = Column("race_date", Date, nullable=False, comment="Racing day, Europe/Paris")
_REUNION = Column(
    "reunion", Integer, nullable=False, comment="Reunion number of the day, the R of R1C4 (numOfficiel)"
)
_COURSE = Column(
    "course", Integer, nullable=False, comment="Race number within the reunion, the C of R1C4 (numOrdre)"
)

RUNNER_ANALYSIS = declare_table(
    schema="betting",
    name="runner_analysis",
    description="Per runner at H-5: market and final win probabilities and what moved them.",
    columns=(
        _RACE_KEY,
        _DAY,
        _REUNION,
        _COURSE,
        Column("number", Integer, nullable=False, comment="Runner number on the saddle cloth (numPmu)"),
        Column("horse_id", Text, comment="Horse identifier, key of pmu.horses"),
        Column("odds_h30", Double, comment="Live win odds at H-30, for 1 euro (null when missing)"),
        Column("odds_h5", Double, comment="Live win odds at H-5, for 1 euro"),
        Column(
            "p_market",
            Double,
            nullable=False,
            comment="Win probability implied by the H-5 odds, overround removed",
        ),
        Column("p_finale", Double, nullable=False, comment="Final win probability"),
        Column("p_place", Double, comment="Probability of a paid place"),
        Column("ev_win", Double, comment="Expected value per euro of a simple gagnant (win) bet"),
        Column("jockey", Double, comment="Log-scale contribution of the jockey factor"),
        Column("trainer", Double, comment="Log-scale contribution of the trainer factor"),
        Column("form", Double, comment="Log-scale contribution of the form (musique) factor"),
        Column("chrono", Double, comment="Log-scale contribution of the time (best reduction) factor"),
        Column("drift", Double, comment="Log-scale contribution of the odds drift factor"),
        Column(
            "drift_available", Boolean, nullable=False, comment="H-30 odds were there to measure the drift"
        ),
        Column(
            "method", Text, nullable=False, comment="How p_finale was computed: model:<version> or factors"
        ),
        Column("config_version", Text, nullable=False, comment="Version of the analysis config used"),
        Column("analysed_at", TIMESTAMPTZ, nullable=False, comment="When the runner was analysed"),
        Column("odds_ref", Double, comment="Reference (morning) odds known at H-5, for 1 euro"),
        Column(
            "payout_win", Double, comment="Expected simple gagnant (win) payout at post time, euros per euro"
        ),
        Column("x_market_logit", Double, comment="Model input: log p_market"),
        Column("x_drift_logit", Double, comment="Model input: log(odds H-30 / odds H-5)"),
        Column("x_reference_logit", Double, comment="Model input: log p_ref - log p_direct"),
        Column("x_market_logit_sq", Double, comment="Model input: (log p_market)^2"),
        Column("x_jockey", Double, comment="Model input: jockey score (within race)"),
        Column("x_trainer", Double, comment="Model input: trainer score"),
        Column("x_form", Double, comment="Model input: musique form score"),
        Column("x_chrono", Double, comment="Model input: best reduction score"),
        Column("x_drift", Double, comment="Model input: drift score"),
        Column(
            "horse_name",
            Text,
            comment="Horse name beside its number, from pmu.participants (nom); null before revision 0010",
        ),
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
        Column("abstained", Boolean, nullable=False, comment="No ticket was placed on the race"),
        Column("reason", Text, comment="Why the race was abstained from, or how it was bet"),
        Column("n_candidates", Integer, nullable=False, comment="Number of bets considered"),
        Column("n_tickets", Integer, nullable=False, comment="Number of tickets placed"),
        Column("stake_eur", EUROS, nullable=False, comment="Total stake on the race, euros"),
        Column("expected_return_eur", EUROS, nullable=False, comment="Expected return of the tickets, euros"),
        Column(
            "drift_available", Boolean, nullable=False, comment="H-30 odds were there to measure the drift"
        ),
        Column("config_version", Text, nullable=False, comment="Version of the analysis config used"),
        Column("decided_at", TIMESTAMPTZ, nullable=False, comment="When the decision was made"),
        Column(
            "odds_source",
            Text,
            comment="Odds decided on: h5 (live snapshot), capture (recorded), final_proxy",
        ),
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
        Column("bet_type", Text, nullable=False, comment="Bet type, e.g. SIMPLE_GAGNANT (typePari)"),
        Column("combination", Text, nullable=False, comment="Runner numbers ascending, e.g. 3-7"),
        Column("numbers", ARRAY(Integer), nullable=False, comment="Runner numbers of the combination"),
        Column("probability", Double, nullable=False, comment="Probability that the ticket wins"),
        Column(
            "market_probability", Double, comment="Probability that the ticket wins, by the market odds alone"
        ),
        Column("payout_estimate", Double, nullable=False, comment="Estimated payout, euros per euro staked"),
        Column("ev", Double, nullable=False, comment="Expected value per euro staked"),
        Column("stake_eur", EUROS, nullable=False, comment="Stake, euros"),
        Column("config_version", Text, nullable=False, comment="Version of the analysis config used"),
        Column("decided_at", TIMESTAMPTZ, nullable=False, comment="When the ticket was decided"),
        Column(
            "horse_names",
            Text,
            comment="Runners of the combination as number and horse name, e.g. 3 JAZZY, 7 ULYSSE "
            "(nom); null before revision 0010",
        ),
        Column(
            "decision_odds",
            Double,
            comment="Win odds of the horse at the decision instant (simple gagnant only); null for other "
            "bet types and before revision 0012",
        ),
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
        Column("bet_type", Text, nullable=False, comment="Bet type, e.g. SIMPLE_GAGNANT (typePari)"),
        Column("combination", Text, nullable=False, comment="Runner numbers ascending, e.g. 3-7"),
        Column("stake_eur", EUROS, nullable=False, comment="Stake, euros"),
        Column("outcome", Text, nullable=False, comment="won, lost or refunded"),
        Column("dividend_per_eur", EUROS, comment="Dividend for a 1 euro stake, euros (dividendePourUnEuro)"),
        Column("return_eur", EUROS, nullable=False, comment="Amount returned, euros"),
        Column("profit_eur", EUROS, nullable=False, comment="Return minus stake, euros"),
        Column("official", Boolean, nullable=False, comment="Settled on the official PMU dividends"),
        Column("settled_at", TIMESTAMPTZ, nullable=False, comment="When the ticket was settled"),
        Column(
            "final_odds",
            Double,
            comment="Final win odds of the horse (dernierRapportDirect), simple gagnant only; null before "
            "revision 0012",
        ),
        Column(
            "clv",
            Double,
            comment="Closing-line value: decision odds / final odds - 1 (positive: the price shortened "
            "after the decision)",
        ),
        Column("beat_final", Boolean, comment="The decision odds were longer than the final odds"),
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
        Column("abstained", Boolean, nullable=False, comment="No ticket was placed on the race"),
        Column("reason", Text, comment="Why the race was abstained from, or how it was bet"),
        Column("n_tickets", Integer, nullable=False, comment="Number of tickets placed"),
        Column("n_won", Integer, nullable=False, comment="Number of winning tickets"),
        Column("stake_eur", EUROS, nullable=False, comment="Total stake, euros"),
        Column(
            "expected_return_eur",
            EUROS,
            nullable=False,
            comment="Expected return of the tickets at H-5, euros",
        ),
        Column("return_eur", EUROS, nullable=False, comment="Amount returned, euros"),
        Column("profit_eur", EUROS, nullable=False, comment="Return minus stake, euros"),
        Column("roi", Double, comment="Return on investment: profit / stake; null without stake"),
        Column(
            "settled", Boolean, nullable=False, comment="The race's result is known and its tickets settled"
        ),
        Column("brier", Double, comment="Brier score of p_finale against the arrival"),
        Column("log_loss", Double, comment="Log loss of p_finale against the winner"),
        Column("market_brier", Double, comment="Brier score of p_market against the arrival"),
        Column("market_log_loss", Double, comment="Log loss of p_market against the winner"),
        Column(
            "clv",
            Double,
            comment="Stake-weighted closing-line value of the race's tickets that have one (decision "
            "odds / final odds - 1); null without such a ticket",
        ),
        Column(
            "clv_tickets", Integer, comment="Tickets with a closing-line value; null before revision 0012"
        ),
        Column(
            "beat_final_share",
            Double,
            comment="Share of those tickets whose decision odds were longer than the final odds",
        ),
    ),
    primary_key=("race_date", "race_key"),
    partition_column="race_date",
)

ALL_TABLES = (RUNNER_ANALYSIS, DECISIONS, TICKETS, SETTLEMENTS, LEDGER)
