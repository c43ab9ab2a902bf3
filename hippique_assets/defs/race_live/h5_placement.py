"""H-5's decision beside the last call's: recorded for comparison, and taken back when it does not place.

The H-5 analysis writes the race's decision and tickets (``race_decision``, ``race_tickets``). This
asset, last of the H-5 run, keeps that decision in ``racing.phase_decisions``. When the analysis
config says the last call places the tickets (``[decision] placing_phase = "last_call"``), H-5's
tickets leave ``betting.tickets`` (they stay in ``racing.phase_decisions``) and its decision row
says it was not placed, so a race whose last call never comes has no ticket to settle.
"""

from datetime import datetime

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from hippique_assets.betting.tables import DECISIONS, TICKETS
from hippique_assets.defs.betting.resources import AnalysisResource
from hippique_assets.defs.partitions import race_partitions
from hippique_assets.defs.race_live.assets import LIVE_GROUP
from hippique_assets.lib.race_runs import DUE_TAG
from hippique_assets.racing.phase_decisions import record_phase_decision, unplaced
from hippique_assets.storage.postgres import PostgresResource

H5 = "h5"
UNPLACED_FIELDS = ("abstained", "reason", "n_tickets", "stake_eur", "expected_return_eur")


@asset(
    partitions_def=race_partitions,
    group_name=LIVE_GROUP,
    deps=[AssetKey("race_decision"), AssetKey("race_tickets")],
    kinds={"postgres"},
)
def h5_placement(
    context: AssetExecutionContext, postgres: PostgresResource, analysis: AnalysisResource
) -> MaterializeResult:
    """Keeps the H-5 decision in ``racing.phase_decisions`` (phase ``h5``); when the last call places
    the tickets, takes H-5's tickets out of ``betting.tickets`` and marks its decision not placed."""
    race_key = context.partition_key
    placing = analysis.config().decision.placing_phase
    decisions = postgres.read_frame(DECISIONS, partition_values=[race_key])
    if decisions.empty:
        raise LookupError(f"no H-5 decision stored for {race_key}: race_decision must run first")
    tickets = postgres.read_frame(TICKETS, partition_values=[race_key])
    decision = {str(k): v for k, v in decisions.iloc[0].items()}
    due_tag = context.run.tags.get(DUE_TAG)
    due = datetime.fromisoformat(due_tag) if due_tag else None
    placed = placing == H5
    record_phase_decision(postgres, race_key, H5, due, decision, tickets, placed=placed)
    if not placed:
        changed = {k: v for k, v in unplaced(decision, H5, placing).items() if k in UNPLACED_FIELDS}
        postgres.write_frame(DECISIONS, decisions.assign(**changed), partition_values=[race_key])
        postgres.write_frame(TICKETS, tickets.iloc[0:0], partition_values=[race_key])
        context.log.info(f"{race_key}: H-5 decision kept for comparison, {placing} places the tickets")
    return MaterializeResult(
        metadata={
            "placed": MetadataValue.bool(placed),
            "placing_phase": MetadataValue.text(placing),
            "h5_tickets": MetadataValue.int(len(tickets)),
        }
    )
