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

from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.partitions import RACES_PARTITIONS_NAME, daily_partitions
from hippique_assets.defs.table_assets import PG_IO_MANAGER, table_metadata
from hippique_assets.racing import plan as race_plan_logic
from hippique_assets.racing.tables import RACE_PLAN
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets.web import cross_check
from hippique_assets.web.tables import RACE_CARDS

PLAN_CHECKS = ("unique_keys", "starts_within_day", "non_empty")


@asset(
    partitions_def=daily_partitions,
    group_name="race_day",
    io_manager_key=PG_IO_MANAGER,
    metadata=table_metadata(RACE_PLAN),
    kinds={"postgres", "pandas"},
    check_specs=[
        AssetCheckSpec("unique_keys", asset="race_plan", blocking=True, description="One row per race key."),
        AssetCheckSpec(
            "starts_within_day",
            asset="race_plan",
            blocking=True,
            description="Every start time falls on the racing day (Europe/Paris).",
        ),
        AssetCheckSpec(
            "non_empty", asset="race_plan", blocking=True, description="A racing day has at least one race."
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
    Paris wall-clock time; registers a ``races`` partition per race."""
    day = date.fromisoformat(context.partition_key)
    plan = race_plan_logic.build_race_plan(races, reunions, day, planned_at=clock.now())
    cards = postgres.query_frame(f"select * from {RACE_CARDS.fullname} where race_date = %s", (day,))
    plan = cross_check.compare(plan, cards)
    keys = [str(k) for k in plan["race_key"]]
    existing = set(context.instance.get_dynamic_partitions(RACES_PARTITIONS_NAME))
    new_keys = [k for k in keys if k not in existing]
    if new_keys:
        context.instance.add_dynamic_partitions(RACES_PARTITIONS_NAME, new_keys)
    cancelled = int(plan["cancelled"].sum()) if not plan.empty else 0
    context.log.info(
        f"plan {day}: {len(plan)} races ({cancelled} cancelled), {len(new_keys)} new race partitions"
    )
    preview = plan[["race_key", "start_paris_time", "hippodrome", "discipline", "status"]]
    yield Output(
        plan,
        metadata={
            "races": len(plan),
            "cancelled": cancelled,
            "new_partitions": len(new_keys),
            "plan": MetadataValue.md(preview.to_markdown(index=False) if not plan.empty else "_no races_"),
        },
    )
    disagreements = cross_check.disagreeing(plan)
    yield AssetCheckResult(
        check_name="web_sources_agree",
        passed=not disagreements,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "web_cards": len(cards),
            "disagreements": MetadataValue.json(list(disagreements)[:50]),
        },
    )
    for name, problems in (
        ("unique_keys", race_plan_logic.check_unique_keys(plan)),
        ("starts_within_day", race_plan_logic.check_starts_within_day(plan, day)),
        ("non_empty", race_plan_logic.check_non_empty(plan, had_programme=not races.empty)),
    ):
        yield AssetCheckResult(
            check_name=name,
            passed=not problems,
            metadata={"problems": MetadataValue.json(list(problems)[:20])},
        )


RACE_DAY_ASSETS = [race_plan]
