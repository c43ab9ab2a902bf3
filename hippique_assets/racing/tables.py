"""The race-day tables: the plan the race-clock sensor reads every 30 seconds, the phases that missed
their work, the alerts, each decision phase's decision, and the gaps in the minute-by-minute odds."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    Integer,
    Text,
)

from hippique_assets.storage.tables import (
    EUROS,
    TIMESTAMPTZ,
    declare_table,
)

RACE_PLAN = declare_table(
    schema="racing",
    name="race_plan",
    description="The day's races with their start and due instants; rebuilt by every plan refresh.",
    columns=(
        Column("race_date", Date, nullable=False, comment="Racing day, Europe/Paris"),
        Column("race_key", Text, nullable=False, comment="Race partition key, day-R-C, e.g. 2026-03-23-R1C4"),
        Column(
            "reunion",
            Integer,
            nullable=False,
            comment="Reunion number of the day, the R of R1C4 (numOfficiel)",
        ),
        Column(
            "course",
            Integer,
            nullable=False,
            comment="Race number within the reunion, the C of R1C4 (numOrdre)",
        ),
        Column("hippodrome", Text, comment="Racecourse short name (hippodrome.libelleCourt)"),
        Column("country_code", Text, comment="Country of the racecourse, ISO 3 letters (pays.code)"),
        Column("race_name", Text, comment="Race name (libelle)"),
        Column(
            "discipline",
            Text,
            comment="Discipline: ATTELE, MONTE, PLAT, HAIE, STEEPLECHASE, CROSS (discipline)",
        ),
        Column("distance_m", Integer, comment="Race distance, metres (distance)"),
        Column("n_declared", Integer, comment="Number of declared runners (nombreDeclaresPartants)"),
        Column(
            "start_utc", TIMESTAMPTZ, comment="Start instant; null when no source gives one (heureDepart)"
        ),
        Column("start_paris", DateTime, comment="Start, Europe/Paris wall clock"),
        Column("start_paris_time", Text, comment="Start as HH:MM in Paris, for reading"),
        Column("h30_due_utc", TIMESTAMPTZ, comment="Start - 30 min: first odds snapshot"),
        Column("h5_due_utc", TIMESTAMPTZ, comment="Start - 5 min: snapshot, analysis, tickets"),
        Column("result_due_utc", TIMESTAMPTZ, comment="Start + 15 min: official result, settlement"),
        Column("status", Text, comment="PMU race status when planned (statut)"),
        Column("cancelled", Boolean, nullable=False, comment="The race is cancelled and fires nothing more"),
        Column(
            "start_source",
            Text,
            nullable=False,
            comment="Where the start time comes from: pmu, zeturf, geny or none",
        ),
        Column("identity_source", Text, nullable=False, comment="Source of reunion/course/hippodrome"),
        Column("zeturf_agrees", Boolean, comment="ZEturf start time and runners match PMU (null: unchecked)"),
        Column("geny_agrees", Boolean, comment="Geny start time and runners match PMU (null: unchecked)"),
        Column("cross_check_notes", Text, comment="What a web source disagreed on"),
        Column("planned_at", TIMESTAMPTZ, nullable=False, comment="When this version of the row was built"),
        Column(
            "watch_due_utc",
            TIMESTAMPTZ,
            comment="Start - 10 min: the minute-odds watcher starts (none with HIPPIQUE_ODDS_WATCH=off)",
        ),
        Column(
            "last_call_due_utc",
            TIMESTAMPTZ,
            comment="Start - last_call_minutes of the analysis config the plan was built with: last-call "
            "snapshot and decision; null for rows planned before revision 0013",
        ),
    ),
    primary_key=("race_key",),
    partition_column="race_date",
    unique_keys=(("race_date", "reunion", "course"),),
)

MISSED_RUNS = declare_table(
    schema="racing",
    name="missed_runs",
    description="Race phases that did not do their work: never fired inside their grace window, or "
    "their snapshot run started too late (H-30 once H-5 was due, H-5 once the race was off) or failed.",
    columns=(
        Column("run_key", Text, nullable=False, comment="Run key of the phase: race_key:phase:due instant"),
        Column("race_key", Text, nullable=False, comment="Race partition key, day-R-C, e.g. 2026-03-23-R1C4"),
        Column("phase", Text, nullable=False, comment="h30, h5 or result"),
        Column("due_utc", TIMESTAMPTZ, nullable=False, comment="When the phase was due"),
        Column("detected_at", TIMESTAMPTZ, nullable=False, comment="When the phase was found missed"),
        Column(
            "reason",
            Text,
            comment="not_fired (no race clock tick in the grace window), started_late (the run was requested in time but started too late: H-30 once H-5 was due, H-5 once the race was off) or run_failed (the H-30 or H-5 run failed, or never started; such runs are not retried); null before revision 0005",
        ),
    ),
    primary_key=("run_key",),
    write_mode="upsert",
)

ALERTS = declare_table(
    schema="racing",
    name="alerts",
    description="Alerts raised about the race day, once per condition, day and race, with what each "
    "notification channel did with them.",
    columns=(
        Column("dedup_key", Text, nullable=False, comment="condition:day[:race]: an alert is raised once"),
        Column("condition", Text, nullable=False, comment="What happened, e.g. run_failed, plan_missing"),
        Column("severity", Text, nullable=False, comment="critical, warning or info"),
        Column("race_date", Date, nullable=False, comment="Racing day concerned (Europe/Paris)"),
        Column("race_key", Text, comment="The race concerned, when there is one"),
        Column("title", Text, nullable=False, comment="One line for a person"),
        Column("detail", Text, nullable=False, comment="What happened and what to look at"),
        Column("run_url", Text, comment="The run in the Dagster UI, when a run is concerned"),
        Column("raised_at", TIMESTAMPTZ, nullable=False, comment="When the condition was first seen"),
        Column(
            "delivered",
            Boolean,
            comment="Every configured channel took it (null: no channel configured)",
        ),
        Column("deliveries", Text, comment="One line per channel: ok, or why it was not delivered"),
    ),
    primary_key=("dedup_key",),
    write_mode="upsert",
)

PHASE_DECISIONS = declare_table(
    schema="racing",
    name="phase_decisions",
    description="The decision of each decision phase of a race (h5, last_call), side by side: the "
    "placing phase's tickets are the ones in betting.tickets, the other phase's are kept here only.",
    columns=(
        Column("race_key", Text, nullable=False, comment="Race partition key, day-R-C, e.g. 2026-03-23-R1C4"),
        Column("race_date", Date, nullable=False, comment="Racing day, Europe/Paris"),
        Column("phase", Text, nullable=False, comment="Decision phase: h5 or last_call"),
        Column("due_utc", TIMESTAMPTZ, comment="When the phase was due (null for a run launched by hand)"),
        Column("decided_at", TIMESTAMPTZ, nullable=False, comment="When the decision was made"),
        Column("odds_captured_at", TIMESTAMPTZ, comment="When the odds decided on were captured"),
        Column("odds_source", Text, comment="Odds decided on: h5 or last_call (live snapshot), capture"),
        Column("abstained", Boolean, nullable=False, comment="The phase decided no ticket"),
        Column("reason", Text, comment="Why the phase abstained, or how it bet"),
        Column("n_tickets", Integer, nullable=False, comment="Number of tickets the phase decided"),
        Column("stake_eur", EUROS, nullable=False, comment="Total stake the phase decided, euros"),
        Column("expected_return_eur", EUROS, nullable=False, comment="Expected return of its tickets, euros"),
        Column(
            "placed",
            Boolean,
            nullable=False,
            comment="This phase places the tickets ([decision] placing_phase)",
        ),
        Column(
            "tickets",
            Text,
            comment="The phase's tickets as JSON (bet type, combination, stake, probability, EV)",
        ),
        Column("config_version", Text, nullable=False, comment="Version of the analysis config used"),
    ),
    primary_key=("race_key", "phase"),
    partition_column="race_date",
    write_mode="upsert",
)

ODDS_CAPTURE_GAPS = declare_table(
    schema="racing",
    name="odds_capture_gaps",
    description="Stretches of the last ten minutes before a race's off with no odds captured for more "
    "than a minute (a watcher that died, a request that failed): recorded, never filled in.",
    columns=(
        Column("race_key", Text, nullable=False, comment="Race partition key, day-R-C, e.g. 2026-03-23-R1C4"),
        Column("race_date", Date, nullable=False, comment="Racing day, Europe/Paris"),
        Column("gap_from", TIMESTAMPTZ, nullable=False, comment="Last capture before the gap (or H-10)"),
        Column("gap_to", TIMESTAMPTZ, nullable=False, comment="First capture after the gap (or the off)"),
        Column("seconds", Double, nullable=False, comment="Length of the gap, seconds"),
        Column(
            "reason",
            Text,
            nullable=False,
            comment="What the watcher knew: restarted, capture_failed, late_start, ended",
        ),
        Column("recorded_at", TIMESTAMPTZ, nullable=False, comment="When the gap was recorded"),
    ),
    primary_key=("race_key", "gap_from"),
    partition_column="race_date",
    write_mode="upsert",
)
