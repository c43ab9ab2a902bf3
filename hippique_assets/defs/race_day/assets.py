"""The day's race plan: one row per race with its start and due instants, and the race partitions.

The plan is what the race-clock sensor reads every 30 seconds. Building it also registers one
dynamic partition per race (``2026-03-23-R1C4``) so per-race assets can run.
"""

from collections.abc import Iterator

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

from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.partitions import (
    DAILY_BACKFILL,
    RACES_PARTITIONS_NAME,
    daily_partitions,
    partition_days,
)
from hippique_assets.defs.table_assets import PG_IO_MANAGER, table_metadata
from hippique_assets.racing import plan as race_plan_logic
from hippique_assets.racing.tables import RACE_PLAN
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets.storage.tables import column_names
from hippique_assets.web import cross_check
from hippique_assets.web.tables import RACE_CARDS

GATES = ("starts_within_day", "non_empty")


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
            description="Every start time falls on the racing day (Europe/Paris). A day that fails keeps "
            "its previous plan: the race clock never reads a plan that breaks this rule.",
        ),
        AssetCheckSpec(
            "non_empty",
            asset="race_plan",
            blocking=True,
            description="A day whose programme lists races has a non-empty plan (else its previous plan is kept).",
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
    races: pd.DataFrame,
    reunions: pd.DataFrame,
) -> Iterator:
    """The day's races sorted by start time, with H-30, H-5 and H+15 due instants (UTC) and the
    Paris wall-clock time; registers a ``races`` partition per race. A plan that breaks a gate
    (start times off the day, races lost) is not stored: the day keeps its previous plan."""
    days = partition_days(context)
    planned_at = clock.now()
    plans, refused, disagreements = [], {}, []
    cards = postgres.query_frame(f"select * from {RACE_CARDS.fullname} where race_date = any(%s)", (days,))
    for day in days:
        plan = race_plan_logic.build_race_plan(races, reunions, day, planned_at=planned_at)
        plan = cross_check.compare(plan, cards[cards["race_date"] == day] if not cards.empty else cards)
        problems = {
            "starts_within_day": race_plan_logic.check_starts_within_day(plan, day),
            "non_empty": race_plan_logic.check_non_empty(
                plan, had_programme=bool((races["race_date"] == day).any()) if not races.empty else False
            ),
        }
        if any(problems.values()):
            refused[day] = problems
            plan = postgres.read_frame(RACE_PLAN, partition_values=[day])
            context.log.warning(f"plan {day} refused, the previous plan stays: {problems}")
        disagreements.extend(cross_check.disagreeing(plan))
        plans.append(plan)
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
    preview = plan[["race_key", "start_paris_time", "hippodrome", "discipline", "status"]].head(60)
    yield Output(
        plan,
        metadata={
            "races": len(plan),
            "cancelled": cancelled,
            "new_partitions": len(new_keys),
            "refused_days": MetadataValue.json([d.isoformat() for d in refused]),
            "plan": MetadataValue.md(preview.to_markdown(index=False) if not plan.empty else "_no races_"),
        },
    )
    yield AssetCheckResult(
        check_name="web_sources_agree",
        passed=not disagreements,
        severity=AssetCheckSeverity.WARN,
        metadata={"web_cards": len(cards), "disagreements": MetadataValue.json(list(disagreements)[:50])},
    )
    for name in GATES:
        failed = {d.isoformat(): p[name] for d, p in refused.items() if p[name]}
        yield AssetCheckResult(
            check_name=name,
            passed=not failed,
            metadata={"problems": MetadataValue.json({d: list(p)[:20] for d, p in failed.items()})},
        )


RACE_DAY_ASSETS = [race_plan]
