"""The last call: an odds snapshot a minute or two before the off, and a decision on it.

The race clock requests it at start - ``[decision] last_call_minutes`` (analysis config). Like H-5,
a run that starts once the race is off takes nothing and is recorded as missed; a decision that
would be stored after the off is refused too. The decision is the H-5 analysis run on the last
call's odds (the drift is then H-30 to the last call). Whether it places the tickets is the
config's ``[decision] placing_phase``; either way it is kept in ``racing.phase_decisions``.
"""

import dataclasses
from collections.abc import Iterator
from datetime import datetime
from typing import cast

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetExecutionContext,
    AssetKey,
    AssetMaterialization,
    Failure,
    MaterializeResult,
    MetadataValue,
    Output,
    asset,
)

from hippique_assets.analysis.history import QueryRunner, race_inputs
from hippique_assets.analysis.pipeline import analyse_race
from hippique_assets.analysis.snapshots import PhaseOdds, odds_at
from hippique_assets.betting.decision_rows import decision_rows, race_columns, with_race
from hippique_assets.betting.tables import DECISIONS, RUNNER_ANALYSIS, TICKETS
from hippique_assets.defs.betting.race_assets import horse_names
from hippique_assets.defs.betting.resources import AnalysisResource
from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.partitions import race_partitions
from hippique_assets.defs.race_live.assets import (
    LIVE_GROUP,
    SNAPSHOT_KW,
    market_check,
    snapshot_events,
    take_snapshot,
)
from hippique_assets.defs.resources import PmuApiResource
from hippique_assets.lib.race_runs import DUE_TAG, OFF_TAG, race_start
from hippique_assets.pmu.schema.live_odds import ODDS_SNAPSHOTS
from hippique_assets.racing.phase_decisions import record_phase_decision
from hippique_assets.racing.race_clock import LAST_CALL
from hippique_assets.storage.files import FilesResource
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets.storage.tables import column_names

LAST_CALL_SQL = (
    f"select * from {ODDS_SNAPSHOTS.fullname} where race_key = %s and phase = %s "
    "order by captured_at desc, number"
)


# A pool of its own (two slots, dagster.yaml's default): the last call never waits for an H-5 or H-30
# snapshot's slot, nor they for it.
LAST_CALL_POOL = "pmu_last_call"


@asset(**{**SNAPSHOT_KW, "pool": LAST_CALL_POOL}, check_specs=market_check("odds_snapshot_last_call"))
def odds_snapshot_last_call(
    context: AssetExecutionContext,
    pmu: PmuApiResource,
    files: FilesResource,
    clock: ClockResource,
    analysis: AnalysisResource,
    postgres: PostgresResource,
) -> Iterator[Output | AssetCheckResult]:
    """Odds of every runner at the last call (start - ``last_call_minutes``, 2 by default), appended
    to ``pmu.odds_snapshots`` with phase ``last_call``: the input of the last-call decision.

    A run of the race clock that starts once the race is off fails instead, before any odds are read
    (kept in ``racing.missed_runs``); a run launched by hand for a race that is off stores nothing."""
    yield from snapshot_events(
        context, take_snapshot(context, LAST_CALL, pmu, files, clock, postgres), analysis
    )


def last_call_odds(snapshot: pd.DataFrame, due: datetime | None) -> PhaseOdds:
    """The odds the last call decides on: its own latest capture, by runner number."""
    empty = pd.Series(dtype=float)
    if snapshot.empty:
        return PhaseOdds(LAST_CALL, None, None, empty, empty, frozenset(), "none", "no last-call snapshot")
    snapshot = snapshot.assign(captured_at=pd.to_datetime(snapshot["captured_at"], utc=True))
    rows = odds_at(snapshot, snapshot["captured_at"].max())
    numbers = rows["number"].astype(int).to_numpy()
    odds = pd.Series(pd.to_numeric(rows["odds_direct"], errors="coerce").to_numpy(float), index=numbers)
    reference = pd.Series(
        pd.to_numeric(rows["odds_reference"], errors="coerce").to_numpy(float), index=numbers
    )
    scratched = frozenset(int(n) for n, nr in zip(numbers, rows["non_runner"], strict=True) if bool(nr))
    due_at = pd.Timestamp(due) if due is not None else None
    return PhaseOdds(LAST_CALL, due_at, rows["captured_at"].max(), odds, reference, scratched, LAST_CALL)


def _tag_instant(context: AssetExecutionContext, tag: str) -> datetime | None:
    value = context.run.tags.get(tag)
    return datetime.fromisoformat(value) if value else None


@asset(
    partitions_def=race_partitions,
    group_name=LIVE_GROUP,
    deps=[AssetKey("odds_snapshot_last_call"), AssetKey("odds_snapshot_h30"), AssetKey("gpi_model")],
    kinds={"postgres"},
)
def race_decision_last_call(
    context: AssetExecutionContext,
    postgres: PostgresResource,
    files: FilesResource,
    analysis: AnalysisResource,
    clock: ClockResource,
) -> MaterializeResult:
    """The last call's decision on the odds it just took (``racing.phase_decisions``, phase
    ``last_call``). When ``[decision] placing_phase = "last_call"`` its decision and tickets replace
    the race's rows in ``betting.decisions`` and ``betting.tickets`` (settled at H+15); otherwise
    H-5 places and this decision is kept for comparison only. Nothing is stored after the off."""
    race_key = context.partition_key
    config = analysis.config()
    model = analysis.model(files)
    due = _tag_instant(context, DUE_TAG)
    snapshot = postgres.query_frame(LAST_CALL_SQL, (race_key, LAST_CALL))
    # PostgresResource answers query_frame as QueryRunner asks (its params are a narrower type).
    stored = race_inputs(cast(QueryRunner, postgres), race_key, config)
    inputs = dataclasses.replace(stored, h5=last_call_odds(snapshot, due))
    result = analyse_race(inputs, config, model)
    now = clock.now()
    off = _tag_instant(context, OFF_TAG) or race_start(postgres, race_key)
    if off is not None and now >= off:
        raise Failure(
            f"{race_key} last call: decided at {now:%H:%M:%S}Z, once the race was off ({off:%H:%M:%S}Z); "
            "nothing is stored or placed",
            allow_retries=False,
        )
    rows = decision_rows(
        result,
        config_version=config.version,
        now=now,
        names=horse_names(postgres, race_key),
        edge_evidence=model.evidence.describe() if model is not None and model.evidence is not None else None,
    )
    row = {**rows.decision, **race_columns(race_key)}
    runners = with_race(race_key, rows.runners, column_names(RUNNER_ANALYSIS))
    tickets = with_race(race_key, rows.tickets, column_names(TICKETS))
    placed = config.decision.placing_phase == LAST_CALL
    record_phase_decision(postgres, race_key, LAST_CALL, due, row, tickets, placed=placed)
    if placed:
        # The placing phase's decision is the race's decision: the H+15 settlement and the ledger read it.
        for table in (RUNNER_ANALYSIS, DECISIONS, TICKETS):
            frame = (
                pd.DataFrame([row])
                if table is DECISIONS
                else (runners if table is RUNNER_ANALYSIS else tickets)
            )
            postgres.write_frame(
                table, frame.reindex(columns=column_names(table)), partition_values=[race_key]
            )
        for key in ("race_analysis_h5", "race_decision", "race_tickets"):
            context.log_event(
                AssetMaterialization(
                    asset_key=key, partition=race_key, metadata={"placed_by": MetadataValue.text(LAST_CALL)}
                )
            )
    verdict = rows.verdict
    lead = (off - now).total_seconds() if off is not None else None
    context.log.info(
        f"{race_key} last call: {verdict} ({row['reason']}); "
        f"{'placed' if placed else 'kept for comparison'}"
        + (f", {lead:.0f} s before the off" if lead is not None else "")
    )
    metadata: dict[str, MetadataValue] = {
        "decision": MetadataValue.text(verdict),
        "reason": MetadataValue.text(str(row["reason"])),
        "placed": MetadataValue.bool(placed),
        "stake_eur": MetadataValue.float(float(row["stake_eur"])),
        "odds_captured_at": MetadataValue.text(str(row["h5_captured_at"])),
    }
    if lead is not None:
        metadata["seconds_before_off"] = MetadataValue.float(round(lead, 1))
    return MaterializeResult(metadata=metadata)
