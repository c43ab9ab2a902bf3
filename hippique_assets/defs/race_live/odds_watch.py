"""The minute-by-minute odds of one race, from H-10 to the off, by one watcher run.

The race clock requests the watcher at H-10. It captures the race's odds every 30 seconds
(:mod:`hippique_assets.racing.minute_odds`) and appends each capture to ``pmu.odds_snapshots``
with phase ``watch``, the capture instant and PMU's own computation instants, and keeps the raw
answer. It holds no slot of the ``pmu_live`` pool (H-5 and the last call never wait for it) and
has its own run limit (``hippique/phase: watch`` in dagster.yaml). A capture that fails leaves a
gap; a watcher that dies is started again by the ``race_run_failures`` sensor and the new run
records the gap since the last stored capture. Gaps go to ``racing.odds_capture_gaps``, never
filled in.
"""

import time
from datetime import datetime

import pandas as pd
from dagster import AssetExecutionContext, Failure, MaterializeResult, MetadataValue, asset

from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.partitions import race_partitions
from hippique_assets.defs.race_live.assets import LIVE_GROUP, live_file_path
from hippique_assets.defs.resources import PmuApiResource
from hippique_assets.lib.race_runs import RESTART_TAG, race_start
from hippique_assets.lib.table_assets import table_metadata
from hippique_assets.net.errors import HttpError
from hippique_assets.pmu import parsers
from hippique_assets.pmu.client import PmuClient
from hippique_assets.pmu.errors import PmuError
from hippique_assets.pmu.odds_snapshots import live_odds_fields
from hippique_assets.pmu.parse_common import PmuParseError
from hippique_assets.pmu.schema.live_odds import ODDS_SNAPSHOTS
from hippique_assets.racing.clock import parse_clock
from hippique_assets.racing.keys import RaceId, parse_race_key
from hippique_assets.racing.minute_odds import (
    CAPTURE_EVERY,
    CAPTURE_FAILED,
    LATE_START,
    MIN_WALL_BETWEEN_CAPTURES_S,
    RESTARTED,
    Gap,
    gap_at_the_off,
    gap_before,
    next_step,
    wall_seconds_until,
    window_start,
)
from hippique_assets.racing.race_clock import WATCH
from hippique_assets.racing.tables import ODDS_CAPTURE_GAPS
from hippique_assets.storage.files import FilesResource
from hippique_assets.storage.postgres import PostgresResource

LAST_CAPTURE_SQL = (
    f"select max(captured_at) as last from {ODDS_SNAPSHOTS.fullname} "
    "where race_key = %s and phase = %s and captured_at >= %s"
)


def record_gap(postgres: PostgresResource, gap: Gap, now: datetime) -> None:
    """Keep one gap of the race's minute captures (the same start again replaces it)."""
    frame = pd.DataFrame(
        [
            {
                "race_key": gap.race_key,
                "race_date": parse_race_key(gap.race_key).race_date,
                "gap_from": gap.gap_from,
                "gap_to": gap.gap_to,
                "seconds": gap.seconds,
                "reason": gap.reason,
                "recorded_at": now,
            }
        ]
    )
    for column in ("gap_from", "gap_to", "recorded_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    postgres.write_frame(ODDS_CAPTURE_GAPS, frame)


def last_capture(postgres: PostgresResource, race_key: str, off: datetime) -> datetime | None:
    """The latest stored minute capture of the race's current window (a watcher before this one's)."""
    frame = postgres.query_frame(LAST_CAPTURE_SQL, (race_key, WATCH, window_start(off)))
    value = frame["last"].iloc[0] if not frame.empty else None
    return None if value is None or pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def capture(
    client: PmuClient, race: RaceId, files: FilesResource, postgres: PostgresResource, at: datetime
) -> int:
    """One capture of the race's odds at ``at``, stored; the number of runners it holds."""
    answer = client.participants(race.race_date, race.reunion, race.course)
    if answer.payload is None:
        raise PmuError(answer.url, f"no participants for {race.key} (HTTP {answer.status})")
    runners = parsers.parse_participants(
        answer.payload, race.race_date, race.reunion, race.course, rejected=[]
    ).participants
    if runners.empty:
        raise PmuError(answer.url, f"participants of {race.key} hold no readable runner")
    files.store().write_bytes(live_file_path(race.key, WATCH, "participants", at), answer.content)
    rows = parsers.odds_snapshot(runners, WATCH, at, live_odds_fields(answer.payload))
    postgres.write_frame(ODDS_SNAPSHOTS, rows)
    return len(rows)


@asset(
    partitions_def=race_partitions,
    group_name=LIVE_GROUP,
    metadata=table_metadata(ODDS_SNAPSHOTS),
    kinds={"postgres"},
)
def odds_watch(
    context: AssetExecutionContext,
    pmu: PmuApiResource,
    files: FilesResource,
    clock: ClockResource,
    postgres: PostgresResource,
) -> MaterializeResult:
    """The race's odds every 30 seconds from H-10 to the off, appended to ``pmu.odds_snapshots``
    (phase ``watch``) with every field of the live odds answer; the stretches with no capture for
    over a minute go to ``racing.odds_capture_gaps``. Stops at the off (re-read from the plan every
    capture: a start moved later gets a new watcher at its new H-10)."""
    race = parse_race_key(context.partition_key)
    source = parse_clock(clock.spec)
    restarted = RESTART_TAG in context.run.tags
    off = race_start(postgres, race.key)
    if off is None:
        raise Failure(f"{race.key} watch: no start time stored for the race; nothing to watch")
    previous = last_capture(postgres, race.key, off)
    first_reason = RESTARTED if restarted else LATE_START
    captures = failures = 0
    gaps: list[Gap] = []
    next_capture = clock.now()
    with pmu.client() as client:
        while True:
            now = clock.now()
            step = next_step(now, off, next_capture)
            if step.action == "stop" or off is None:
                context.log.info(f"{race.key} watch: stopping, {step.why}")
                break
            if step.action == "wait":
                assert step.at is not None
                time.sleep(max(MIN_WALL_BETWEEN_CAPTURES_S, wall_seconds_until(source, step.at)))
                off = race_start(postgres, race.key)
                continue
            next_capture = now + CAPTURE_EVERY
            try:
                capture(client, race, files, postgres, now)
            except (PmuError, PmuParseError, HttpError) as exc:
                failures += 1
                first_reason = CAPTURE_FAILED
                context.log.warning(f"{race.key} watch: capture at {now:%H:%M:%S}Z failed: {exc}")
                continue
            captures += 1
            gap = gap_before(race.key, previous, now, off, first_reason)
            if gap is not None:
                record_gap(postgres, gap, now)
                gaps.append(gap)
            previous, first_reason = now, CAPTURE_FAILED
    ended = clock.now()
    if off is not None and ended >= off:
        closing = gap_at_the_off(race.key, previous, off)
        if closing is not None:
            record_gap(postgres, closing, ended)
            gaps.append(closing)
    context.log.info(
        f"{race.key} watch: {captures} captures, {failures} failed, {len(gaps)} gap(s) "
        f"({sum(g.seconds for g in gaps):.0f} s)"
    )
    return MaterializeResult(
        metadata={
            "captures": MetadataValue.int(captures),
            "failed_captures": MetadataValue.int(failures),
            "gaps": MetadataValue.int(len(gaps)),
            "gap_seconds": MetadataValue.float(float(round(sum(g.seconds for g in gaps), 1))),
            "restarted": MetadataValue.bool(restarted),
        }
    )
