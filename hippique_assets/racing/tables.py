"""The race plan table: what the race-clock sensor reads every 30 seconds."""

from __future__ import annotations

from hippique_assets.storage.tables import Column, TableSpec, register_tables

RACE_PLAN = TableSpec(
    schema="racing",
    name="race_plan",
    description="The day's races with their start and due instants; rebuilt by every plan refresh.",
    columns=(
        Column("race_date", "date", nullable=False, description="Racing day (Europe/Paris)"),
        Column("race_key", "text", nullable=False, description="Race partition key, e.g. 2026-03-23-R1C4"),
        Column("reunion", "integer", nullable=False),
        Column("course", "integer", nullable=False),
        Column("hippodrome", "text"),
        Column("country_code", "text"),
        Column("race_name", "text"),
        Column("discipline", "text"),
        Column("distance_m", "integer"),
        Column("n_declared", "integer"),
        Column("start_utc", "timestamptz", description="Start instant; null when no source gives one"),
        Column("start_paris", "timestamp", description="Start, Europe/Paris wall clock"),
        Column("start_paris_time", "text", description="HH:MM in Paris, for reading"),
        Column("h30_due_utc", "timestamptz", description="Start - 30 min: first odds snapshot"),
        Column("h5_due_utc", "timestamptz", description="Start - 5 min: snapshot, analysis, tickets"),
        Column("result_due_utc", "timestamptz", description="Start + 15 min: official result, settlement"),
        Column("status", "text", description="PMU statut of the race when planned"),
        Column("cancelled", "boolean", nullable=False),
        Column("start_source", "text", nullable=False, description="pmu, zeturf, geny or none"),
        Column("identity_source", "text", nullable=False, description="Source of reunion/course/hippodrome"),
        Column(
            "zeturf_agrees",
            "boolean",
            description="ZEturf start time and runners match PMU (null: unchecked)",
        ),
        Column(
            "geny_agrees", "boolean", description="Geny start time and runners match PMU (null: unchecked)"
        ),
        Column("cross_check_notes", "text", description="What a web source disagreed on"),
        Column("planned_at", "timestamptz", nullable=False, description="When this version was built"),
    ),
    primary_key=("race_key",),
    partition_column="race_date",
    unique_keys=(("race_date", "reunion", "course"),),
)

MISSED_RUNS = TableSpec(
    schema="racing",
    name="missed_runs",
    description="Race phases whose grace window closed before the race clock could fire them.",
    columns=(
        Column("run_key", "text", nullable=False, description="race_key:phase:due instant"),
        Column("race_key", "text", nullable=False),
        Column("phase", "text", nullable=False, description="h30, h5 or result"),
        Column("due_utc", "timestamptz", nullable=False),
        Column("detected_at", "timestamptz", nullable=False),
    ),
    primary_key=("run_key",),
    write_mode="upsert",
)

register_tables([RACE_PLAN, MISSED_RUNS])
