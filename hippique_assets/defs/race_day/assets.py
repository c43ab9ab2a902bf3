"""The day's race plan: one row per race with its start and due instants, and the race partitions.

The plan is what the race-clock sensor reads every 30 seconds. Building it also registers one
dynamic partition per race (``2026-03-23-R1C4``) so per-race assets can run.
"""

from collections.abc import Iterator
from datetime import date

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    MetadataValue,
    Output,
    asset,
)

from hippique_assets.defs.betting.resources import AnalysisResource
from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.partitions import (
    DAILY_BACKFILL,
    RACES_PARTITIONS_NAME,
    daily_partitions,
    partition_days,
)
from hippique_assets.lib.table_assets import PG_IO_MANAGER, table_metadata
from hippique_assets.racing import plan as race_plan_logic
from hippique_assets.racing.race_clock import PHASE_LABEL
from hippique_assets.racing.tables import RACE_PLAN
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets.storage.tables import column_names
from hippique_assets.web import cross_check
from hippique_assets.web.tables import RACE_CARDS

GATES = ("starts_within_day", "no_race_lost", "within_caps")
PREVIEW_COLUMNS = ["race_key", "start_paris_time", "hippodrome", "discipline", "status"]


def plan_preview(plan: pd.DataFrame, limit: int = 60) -> str:
    """The plan as a markdown table for the UI: each race with its start and every phase's due
    instant as Paris HH:MM (empty where the start is unknown)."""
    if plan.empty:
        return "_no races_"
    preview = plan[PREVIEW_COLUMNS].head(limit).copy()
    for phase, column in race_plan_logic.DUE_COLUMNS.items():
        due = pd.to_datetime(plan[column].head(limit), utc=True).dt.tz_convert(race_plan_logic.PARIS)
        preview[PHASE_LABEL[phase]] = due.dt.strftime("%H:%M").fillna("")
    return preview.to_markdown(index=False)


@asset(
    partitions_def=daily_partitions,
    backfill_policy=DAILY_BACKFILL,
    group_name="race_day",
    io_manager_key=PG_IO_MANAGER,
    metadata=table_metadata(RACE_PLAN),
    kinds={"postgres", "pandas"},
    check_specs=[
        AssetCheckSpec(
            "starts_within_day",
            asset="race_plan",
            blocking=True,
            description="Every start time falls on the racing day (Europe/Paris). A race that breaks "
            "this keeps its previous plan row (or stays out of the plan) and is named here; the other "
            "races are planned and fire.",
        ),
        AssetCheckSpec(
            "no_race_lost",
            asset="race_plan",
            blocking=True,
            description="Every race of the previous plan is still in the programme (a race leaves only "
            "as cancelled). One that vanished keeps its previous row and is named here.",
        ),
        AssetCheckSpec(
            "within_caps",
            asset="race_plan",
            blocking=True,
            description=f"At most {race_plan_logic.MAX_RACES_PER_DAY} races a day: a plan above it is "
            "refused whole (no race partition registered) and the previous plan stays.",
        ),
        AssetCheckSpec(
            "web_sources_agree",
            asset="race_plan",
            description="Where a web source (ZEturf, Geny) was read, its start time and runners match PMU "
            "(warns; never blocks the race clock).",
        ),
    ],
    deps=[AssetKey("web_race_cards")],
)
def race_plan(
    context: AssetExecutionContext,
    clock: ClockResource,
    postgres: PostgresResource,
    analysis: AnalysisResource,
    races: pd.DataFrame,
    reunions: pd.DataFrame,
) -> Iterator:
    """The day's races sorted by start time, with the Paris wall-clock time and the due instant
    (UTC) of each race-clock run: H-30, the H-10 odds watcher, H-5, the last call (start -
    ``[decision] last_call_minutes`` of the analysis config) and H+15; registers a ``races``
    partition per race. Gates work race by race and the last good plan wins: a race whose new row
    breaks a rule keeps its previous row, a race that vanished from the programme keeps its row (a
    race leaves only as cancelled), and a plan above the races-per-day cap is refused whole. Each
    gate's check names what it set aside."""
    days = partition_days(context)
    planned_at = clock.now()
    last_call_minutes = analysis.config().decision.last_call_minutes
    plans: list[pd.DataFrame] = []
    gated: dict[date, race_plan_logic.GatedPlan] = {}
    disagreements: list[str] = []
    cards = postgres.query_frame(f"select * from {RACE_CARDS.fullname} where race_date = any(%s)", (days,))
    previous_plans = postgres.read_frame(RACE_PLAN, partition_values=days)
    for day in days:
        plan = race_plan_logic.build_race_plan(
            races, reunions, day, planned_at=planned_at, last_call_minutes=last_call_minutes
        )
        plan = cross_check.compare(plan, cards[cards["race_date"] == day] if not cards.empty else cards)
        # A start the web cards gave (none from PMU) needs its due instants too.
        plan = race_plan_logic.with_due_instants(plan, last_call_minutes)
        previous = previous_plans[previous_plans["race_date"] == day]
        gate = race_plan_logic.gate_plan(plan, previous, day)
        if any(gate.problems.values()):
            gated[day] = gate
            context.log.warning(
                f"plan {day}: " + "; ".join(line for lines in gate.problems.values() for line in lines[:10])
            )
        disagreements.extend(cross_check.disagreeing(gate.plan))
        plans.append(gate.plan)
    plan = pd.concat(plans, ignore_index=True) if plans else pd.DataFrame(columns=column_names(RACE_PLAN))
    keys = [str(k) for k in plan["race_key"]]
    existing = set(context.instance.get_dynamic_partitions(RACES_PARTITIONS_NAME))
    new_keys = [k for k in keys if k not in existing]
    if new_keys:
        context.instance.add_dynamic_partitions(RACES_PARTITIONS_NAME, new_keys)
    cancelled = int(plan["cancelled"].sum()) if not plan.empty else 0
    context.log.info(
        f"plan of {len(days)} day(s): {len(plan)} races ({cancelled} cancelled), {len(new_keys)} new race partitions"
    )
    new = set(new_keys)
    for day, day_plan in zip(days, plans, strict=True):
        # Each day's own figures: a run over several days would otherwise show its totals on each.
        day_gate = gated.get(day)
        context.add_asset_metadata(
            {
                "races": len(day_plan),
                "cancelled": int(day_plan["cancelled"].sum()) if not day_plan.empty else 0,
                "new_partitions": sum(str(k) in new for k in day_plan["race_key"]),
                "set_aside": len(day_gate.set_aside) if day_gate else 0,
                "kept_from_previous_plan": len(day_gate.kept) + len(day_gate.lost) if day_gate else 0,
                "refused_days": MetadataValue.json(
                    [day.isoformat()] if day_gate and day_gate.refused else []
                ),
                "last_call_minutes": last_call_minutes,
                "plan": MetadataValue.md(plan_preview(day_plan)),
            },
            partition_key=day.isoformat(),
        )
    yield Output(plan)
    yield AssetCheckResult(
        check_name="web_sources_agree",
        passed=not disagreements,
        severity=AssetCheckSeverity.WARN,
        metadata={"web_cards": len(cards), "disagreements": MetadataValue.json(list(disagreements)[:50])},
    )
    for name in GATES:
        failed = {d.isoformat(): g.problems[name] for d, g in gated.items() if g.problems[name]}
        yield AssetCheckResult(
            check_name=name,
            passed=not failed,
            metadata={
                "problems": MetadataValue.json({d: lines[:20] for d, lines in failed.items()}),
                "races": sum(len(lines) for lines in failed.values()),
            },
            description="; ".join(f"{d}: {lines[0]}" for d, lines in failed.items())[:500] or None,
        )


RACE_DAY_ASSETS = [race_plan]
