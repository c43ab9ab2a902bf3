"""The race plan table: what the race-clock sensor reads every 30 seconds."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    Text,
)

from hippique_assets.storage.tables import (
    TIMESTAMPTZ,
    declare_table,
)

RACE_PLAN = declare_table(
    schema="racing",
    name="race_plan",
    description="The day's races with their start and due instants; rebuilt by every plan refresh.",
    columns=(
        Column("race_date", Date, nullable=False, comment="Racing day (Europe/Paris)"),
        Column("race_key", Text, nullable=False, comment="Race partition key, e.g. 2026-03-23-R1C4"),
        Column("reunion", Integer, nullable=False),
        Column("course", Integer, nullable=False),
        Column("hippodrome", Text),
        Column("country_code", Text),
        Column("race_name", Text),
        Column("discipline", Text),
        Column("distance_m", Integer),
        Column("n_declared", Integer),
        Column("start_utc", TIMESTAMPTZ, comment="Start instant; null when no source gives one"),
        Column("start_paris", DateTime, comment="Start, Europe/Paris wall clock"),
        Column("start_paris_time", Text, comment="HH:MM in Paris, for reading"),
        Column("h30_due_utc", TIMESTAMPTZ, comment="Start - 30 min: first odds snapshot"),
        Column("h5_due_utc", TIMESTAMPTZ, comment="Start - 5 min: snapshot, analysis, tickets"),
        Column("result_due_utc", TIMESTAMPTZ, comment="Start + 15 min: official result, settlement"),
        Column("status", Text, comment="PMU statut of the race when planned"),
        Column("cancelled", Boolean, nullable=False),
        Column("start_source", Text, nullable=False, comment="pmu, zeturf, geny or none"),
        Column("identity_source", Text, nullable=False, comment="Source of reunion/course/hippodrome"),
        Column(
            "zeturf_agrees",
            Boolean,
            comment="ZEturf start time and runners match PMU (null: unchecked)",
        ),
        Column("geny_agrees", Boolean, comment="Geny start time and runners match PMU (null: unchecked)"),
        Column("cross_check_notes", Text, comment="What a web source disagreed on"),
        Column("planned_at", TIMESTAMPTZ, nullable=False, comment="When this version was built"),
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
        Column("run_key", Text, nullable=False, comment="race_key:phase:due instant"),
        Column("race_key", Text, nullable=False),
        Column("phase", Text, nullable=False, comment="h30, h5 or result"),
        Column("due_utc", TIMESTAMPTZ, nullable=False),
        Column("detected_at", TIMESTAMPTZ, nullable=False),
        Column(
            "reason",
            Text,
            comment="not_fired (no race clock tick in the grace window), started_late (the run "
            "was requested in time but started too late: H-30 once H-5 was due, H-5 once the race "
            "was off) or run_failed (the H-30 or H-5 run failed, or never started; such runs are "
            "not retried); null before revision 0005",
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
