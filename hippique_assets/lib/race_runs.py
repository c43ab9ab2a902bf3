"""What a race clock run carries, and what is kept when a phase cannot do its work in time.

The race clock tags each per-race run with its race, phase, due instant and the race's start (the
off). A phase is *missed* when no tick fell inside its window (daemon down), when its snapshot run,
requested in time, only started once the snapshot had lost its meaning (an H-5 or last-call run
after the off, having waited in the queue through a daemon restart), or when its snapshot run failed (snapshot runs are never retried;
this includes a run the daemon died while launching, which run monitoring fails once it has not
started in time). Each lands in ``racing.missed_runs`` once, with the first reason found.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime

from dagster import AssetExecutionContext, Failure

from hippique_assets.pmu.schema.programme import RACES
from hippique_assets.racing.race_clock import (
    LAST_CALL,
    PHASE_LABEL,
    SNAPSHOT_PHASES,
    WATCH,
    PhaseRun,
    start_limit,
    too_late_to_start,
)
from hippique_assets.racing.tables import MISSED_RUNS, RACE_PLAN
from hippique_assets.storage.postgres import PostgresResource

PHASE_TAG = "hippique/phase"
DUE_TAG = "hippique/due"
RACE_TAG = "hippique/race"
# The race's start instant when the run was requested: a last call never starts after it.
OFF_TAG = "hippique/off"
# How many times a dead odds watcher was started again (see the race_run_failures sensor).
RESTART_TAG = "hippique/restart"
# One run per race and phase at a time (the tag limit in dagster.yaml keys on it).
RACE_PHASE_TAG = "hippique/race_phase"
# Race-day runs leave the queue before backfill runs (Dagster's run priority tag, higher first): the
# last call (two minutes to decide) first of all, then H-5, the H-30 snapshots, the results (6 hours
# of grace); the odds watcher last (it has its own run limit and never holds the others' slots).
PRIORITY_TAG = "dagster/priority"
RACE_RUN_PRIORITY = {LAST_CALL: "40", "h5": "30", "h30": "20", "result": "10", WATCH: "5"}

NOT_FIRED = "not_fired"
STARTED_LATE = "started_late"
RUN_FAILED = "run_failed"


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
    """Fail a race clock snapshot run that starts too late to mean its phase, and record it missed.

    The grace windows are checked when the race clock requests a run; a run held in the queue can
    still start much later. An H-5 run that starts once the race is off (an H-30 run once H-5 is
    due) takes nothing: no snapshot, no probabilities, no tickets. Runs launched by hand (no due
    tag) are not checked.
    """
    due_tag = context.run.tags.get(DUE_TAG)
    if due_tag is None:
        return
    off_tag = context.run.tags.get(OFF_TAG)
    off = datetime.fromisoformat(off_tag) if off_tag else None
    run = PhaseRun(context.partition_key, phase, datetime.fromisoformat(due_tag), off)
    if not too_late_to_start(phase, run.due, now, off):
        return
    record_missed(postgres, [run], now, key_suffix, reason=STARTED_LATE)
    raise Failure(
        f"{run.race_key} {phase}: started at {now:%H:%M:%S}Z, {now - run.due} after it was due "
        f"(limit {start_limit(phase, run.due, off)}), so nothing is taken; recorded in {MISSED_RUNS.fullname} "
        f"as {STARTED_LATE}",
        allow_retries=False,
    )


def race_start(postgres: PostgresResource, race_key: str) -> datetime | None:
    """The race's start instant as the plan (or else the programme) stores it; None when unknown."""
    frame = postgres.query_frame(
        f"select start_utc from {RACE_PLAN.fullname} where race_key = %s and start_utc is not null "
        f"union all select start_utc from {RACES.fullname} where race_key = %s and start_utc is not null",
        (race_key, race_key),
    )
    return frame["start_utc"].iloc[0].to_pydatetime() if not frame.empty else None


def refuse_after_the_off(
    context: AssetExecutionContext, phase: str, now: datetime, postgres: PostgresResource
) -> None:
    """Fail a snapshot run launched by hand (no due tag) for a race that is off, or whose start is
    unknown: odds read then are post-race odds, and stored as this race's H-30 or H-5 snapshot they
    would leak into the model's and the backtest's history. Race clock runs are checked by
    :func:`refuse_late_start`."""
    if context.run.tags.get(DUE_TAG) is not None:
        return
    race = context.partition_key
    start = race_start(postgres, race)
    if start is None:
        raise Failure(
            f"{race} {phase}: no start time is stored for this race (racing.race_plan, pmu.races), so a "
            "snapshot taken now could hold post-race odds; nothing is stored. Build the day's plan first.",
            allow_retries=False,
        )
    if now >= start:
        raise Failure(
            f"{race} {phase}: the race started at {start:%Y-%m-%d %H:%M}Z; a snapshot taken now "
            f"({now:%Y-%m-%d %H:%M}Z) would store post-race odds as its {PHASE_LABEL[phase]} odds, so nothing is "
            "stored. Its stored snapshots are kept; a backtest replays its decision from them.",
            allow_retries=False,
        )


def record_failed_snapshot(
    postgres: PostgresResource, tags: Mapping[str, str], now: datetime, key_suffix: str = ""
) -> PhaseRun | None:
    """Record the phase of a failed race clock snapshot run (H-30, H-5 or last call) as missed.

    Returns the phase, or None for a run this does not apply to: results (retried, and the ledger
    waits for them), and runs launched by hand (no due tag). A run that refused itself for starting
    late is already recorded with that reason, which is kept.
    """
    phase, due, race = tags.get(PHASE_TAG), tags.get(DUE_TAG), tags.get(RACE_TAG)
    if phase not in SNAPSHOT_PHASES or due is None or race is None:
        return None
    run = PhaseRun(race, phase, datetime.fromisoformat(due))
    record_missed(postgres, [run], now, key_suffix, reason=RUN_FAILED)
    return run
