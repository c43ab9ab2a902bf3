"""What a race clock run carries, and what is kept when a phase cannot do its work in time.

The race clock tags each per-race run with its race, phase and due instant. A phase is *missed*
either because no tick fell inside its window (daemon down) or because its run, requested in time,
only started after the window closed (it waited in the queue, e.g. through a daemon restart). Both
land in ``racing.missed_runs`` with the reason; neither takes a snapshot nor places a ticket.
"""

from collections.abc import Sequence
from datetime import datetime

from dagster import AssetExecutionContext, Failure

from hippique_assets.racing.race_clock import DEFAULT_GRACE, PhaseRun, window_closed
from hippique_assets.racing.tables import MISSED_RUNS
from hippique_assets.storage.postgres import PostgresResource

PHASE_TAG = "hippique/phase"
DUE_TAG = "hippique/due"
RACE_TAG = "hippique/race"
# One run per race and phase at a time (the tag limit in dagster.yaml keys on it).
RACE_PHASE_TAG = "hippique/race_phase"
# Race-day runs leave the queue before backfill runs (Dagster's run priority tag, higher first).
PRIORITY_TAG = "dagster/priority"
RACE_RUN_PRIORITY = "10"

NOT_FIRED = "not_fired"
STARTED_LATE = "started_late"


def record_missed(
    postgres: PostgresResource,
    missed: Sequence[PhaseRun],
    detected_at: datetime,
    key_suffix: str = "",
    reason: str = NOT_FIRED,
) -> None:
    """Keep each phase in ``racing.missed_runs`` once (its run key is the primary key)."""
    with postgres.connection() as conn, conn.cursor() as cur:
        for run in missed:
            cur.execute(
                f"insert into {MISSED_RUNS.fullname} "
                "(run_key, race_key, phase, due_utc, detected_at, reason) "
                "values (%s, %s, %s, %s, %s, %s) on conflict (run_key) do nothing",
                (run.run_key + key_suffix, run.race_key, run.phase, run.due, detected_at, reason),
            )


def refuse_late_start(
    context: AssetExecutionContext,
    phase: str,
    now: datetime,
    postgres: PostgresResource,
    key_suffix: str = "",
) -> None:
    """Fail a race clock run that starts after its phase's window closed, and record it missed.

    The grace windows are checked when the race clock requests a run; this checks them again when
    the run starts, so that a run held in the queue does not take an "H-5" snapshot, nor place
    tickets, after the off. Runs launched by hand (no due tag) are not checked.
    """
    due_tag = context.run.tags.get(DUE_TAG)
    if due_tag is None:
        return
    run = PhaseRun(context.partition_key, phase, datetime.fromisoformat(due_tag))
    if not window_closed(phase, run.due, now):
        return
    record_missed(postgres, [run], now, key_suffix, reason=STARTED_LATE)
    raise Failure(
        f"{run.race_key} {phase}: started at {now:%H:%M:%S}Z, {now - run.due} after it was due; its "
        f"{DEFAULT_GRACE[phase]} window had closed, so nothing is taken (recorded in "
        f"{MISSED_RUNS.fullname} as {STARTED_LATE})",
        allow_retries=False,
    )
