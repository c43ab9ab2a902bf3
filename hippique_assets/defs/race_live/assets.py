"""Per-race assets, partitioned by race key and launched by the race-clock sensor.

H-30, H-5 and the last call take an odds snapshot (appended to ``pmu.odds_snapshots``, raw payload
kept); H+15 fetches the official result. The analysis assets build on these; the last call's
decision and the minute-by-minute watcher have modules of their own.
"""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    Config,
    Failure,
    MetadataValue,
    Output,
    RetryRequested,
    asset,
    get_dagster_logger,
    multi_asset,
)

from hippique_assets.analysis.market import check_market
from hippique_assets.defs.betting.resources import AnalysisResource
from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.partitions import race_partitions
from hippique_assets.defs.resources import PMU_LIVE_POOL, PmuApiResource
from hippique_assets.lib.race_runs import refuse_after_the_off, refuse_late_start
from hippique_assets.lib.table_assets import PG_IO_MANAGER, table_metadata, table_out
from hippique_assets.pmu import parsers
from hippique_assets.pmu.odds_snapshots import live_odds_fields
from hippique_assets.pmu.schema.live_odds import ODDS_SNAPSHOTS
from hippique_assets.pmu.validation import Rejection
from hippique_assets.racing.keys import RaceId, parse_race_key
from hippique_assets.racing.results import RACE_DIVIDENDS, RACE_RESULTS, build_result
from hippique_assets.storage.files import FilesResource
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets.web.fallback import GENY_ARRIVEE_PATH, result_from_geny

LIVE_GROUP = "race_live"


class ResultConfig(Config):
    """How long H+15 keeps asking for rapports that are not final yet."""

    max_retries: int = 12
    retry_delay_s: int = 60
    # Past the limit, use a Geny arrivée page kept under web/geny/<race_key>/arrivee.html, if any.
    web_fallback: bool = True


def live_file_path(race_key: str, label: str, endpoint: str, at: datetime) -> str:
    """Where a per-race payload is kept: one file per capture, named by its instant (UTC)."""
    return f"pmu/live/{race_key}/{label}/{endpoint}-{at.strftime('%Y%m%dT%H%M%SZ')}.json"


def take_snapshot(
    context: AssetExecutionContext,
    phase: str,
    pmu: PmuApiResource,
    files: FilesResource,
    clock: ClockResource,
    postgres: PostgresResource,
) -> tuple[pd.DataFrame, list[str]]:
    """The race's odds now, and a line per runner left out because a value broke its rule."""
    race = parse_race_key(context.partition_key)
    captured_at = clock.now()
    refuse_late_start(context, phase, captured_at, postgres, clock.run_key_suffix)
    refuse_after_the_off(context, phase, captured_at, postgres)
    with pmu.client() as client:
        answer = client.participants(race.race_date, race.reunion, race.course)
    if answer.payload is None:
        raise Failure(f"no participants for {race.key} at {phase} (HTTP {answer.status} on {answer.url})")
    files.store().write_bytes(live_file_path(race.key, phase, "participants", captured_at), answer.content)
    rejected: list[Rejection] = []
    runners = parsers.parse_participants(
        answer.payload, race.race_date, race.reunion, race.course, rejected=rejected
    ).participants
    if runners.empty and rejected:
        raise Failure(f"participants of {race.key} at {phase} could not be read: {rejected[0].line()}")
    if rejected:
        # A bad value costs its runner, never the race's snapshot.
        context.log.warning(
            f"{race.key} {phase}: {len(rejected)} runner(s) left out of the snapshot:\n"
            + "\n".join(r.line() for r in rejected[:20])
        )
    snapshot = parsers.odds_snapshot(runners, phase, captured_at, live_odds_fields(answer.payload))
    priced = snapshot["odds_direct"].notna().sum()
    context.log.info(
        f"{race.key} {phase}: {len(snapshot)} runners, {priced} with direct odds at {captured_at:%H:%M:%S}Z"
    )
    return snapshot, [r.line() for r in rejected]


def snapshot_events(
    context: AssetExecutionContext, taken: tuple[pd.DataFrame, list[str]], analysis: AnalysisResource
) -> Iterator[Output | AssetCheckResult]:
    """The snapshot as the asset's output, and the plausibility of the market it shows (a runner
    left out of the snapshot makes the market incomplete: the check fails and names it)."""
    snapshot, left_out = taken
    config = analysis.config().decision
    starters = snapshot[~snapshot["non_runner"].astype(bool)]
    problem = check_market(
        starters["number"].astype(int).tolist(),
        starters["odds_direct"].astype(float).tolist(),
        config.overround_min,
        config.overround_max,
    )
    if left_out:
        problem = f"{len(left_out)} runner(s) left out of the snapshot: " + "; ".join(left_out[:5])
    yield Output(
        snapshot,
        metadata={
            "captured_at": MetadataValue.timestamp(snapshot["captured_at"].iloc[0])
            if not snapshot.empty
            else None,
            "runners": len(snapshot),
            "priced": int(snapshot["odds_direct"].notna().sum()),
            "left_out": len(left_out),
            "odds": MetadataValue.md(
                snapshot[["number", "odds_direct", "odds_reference", "non_runner"]].to_markdown(index=False)
            ),
        },
    )
    total = float((1.0 / starters["odds_direct"].astype(float)).sum()) if not starters.empty else 0.0
    yield AssetCheckResult(
        check_name="plausible_market",
        passed=problem is None,
        severity=AssetCheckSeverity.WARN,
        description=problem,
        metadata={"sum_inverse_odds": round(total, 4) if total == total else None, "starters": len(starters)},
    )


def market_check(asset_name: str) -> list[AssetCheckSpec]:
    return [
        AssetCheckSpec(
            "plausible_market",
            asset=asset_name,
            description="Every starter is priced above 1.0 and the sum of 1/odds lies in the band of the "
            "analysis config ([decision] overround_min..max); the H-5 analysis abstains otherwise.",
        )
    ]


SNAPSHOT_KW: dict[str, Any] = dict(
    partitions_def=race_partitions,
    group_name=LIVE_GROUP,
    io_manager_key=PG_IO_MANAGER,
    metadata=table_metadata(ODDS_SNAPSHOTS),
    kinds={"postgres", "pandas"},
    pool=PMU_LIVE_POOL,
)


@asset(**SNAPSHOT_KW, check_specs=market_check("odds_snapshot_h30"))
def odds_snapshot_h30(
    context: AssetExecutionContext,
    pmu: PmuApiResource,
    files: FilesResource,
    clock: ClockResource,
    analysis: AnalysisResource,
    postgres: PostgresResource,
) -> Iterator[Output | AssetCheckResult]:
    """Odds of every runner 30 minutes before the start, appended to ``pmu.odds_snapshots``.

    A run of the race clock that starts once H-5 is due fails instead (kept in
    ``racing.missed_runs``). A run launched by hand for a race that is off (or whose start is not
    stored) stores nothing: post-race odds never enter the history as a pre-race snapshot."""
    yield from snapshot_events(context, take_snapshot(context, "h30", pmu, files, clock, postgres), analysis)


@asset(**SNAPSHOT_KW, check_specs=market_check("odds_snapshot_h5"))
def odds_snapshot_h5(
    context: AssetExecutionContext,
    pmu: PmuApiResource,
    files: FilesResource,
    clock: ClockResource,
    analysis: AnalysisResource,
    postgres: PostgresResource,
) -> Iterator[Output | AssetCheckResult]:
    """Odds of every runner 5 minutes before the start: the input of the H-5 analysis.

    A run of the race clock that starts once the race is off fails instead, before any odds are
    read or tickets placed (kept in ``racing.missed_runs``). A run launched by hand for a race that
    is off (or whose start is not stored) stores nothing and says so in one line: post-race odds
    never enter the history as an H-5 snapshot."""
    yield from snapshot_events(context, take_snapshot(context, "h5", pmu, files, clock, postgres), analysis)


def fetch_result(
    race: RaceId, pmu: PmuApiResource, files: FilesResource, at: datetime
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The race's runners and dividends, or None while the rapports are not final (404)."""
    with pmu.client() as client:
        rapports = client.rapports(race.race_date, race.reunion, race.course)
        if rapports.payload is None:
            return None
        runners = client.participants(race.race_date, race.reunion, race.course)
    store = files.store()
    store.write_bytes(live_file_path(race.key, "result", "rapports-definitifs", at), rapports.content)
    if runners.payload is None:
        raise Failure(f"rapports are final but participants are empty for {race.key} ({runners.url})")
    store.write_bytes(live_file_path(race.key, "result", "participants", at), runners.content)
    rejected: list[Rejection] = []
    parsed = parsers.parse_participants(
        runners.payload, race.race_date, race.reunion, race.course, rejected=rejected
    ).participants
    if rejected:
        get_dagster_logger().warning(
            f"{race.key} result: runners left out: " + "; ".join(r.line() for r in rejected[:20])
        )
    bad_bets: list[Rejection] = []
    dividends = parsers.parse_rapports(
        rapports.payload, race.race_date, race.reunion, race.course, rejected=bad_bets
    ).dividends
    if bad_bets:
        get_dagster_logger().warning(
            f"{race.key} result: dividends left out: " + "; ".join(r.line() for r in bad_bets[:20])
        )
    return parsed, dividends


@multi_asset(
    outs={
        "race_result": table_out(
            RACE_RESULTS,
            key=AssetKey("race_result"),
            group=LIVE_GROUP,
            description="Official arrival of the race (``pmu.race_results``), fetched at H+15.",
        ),
        "race_dividends": table_out(
            RACE_DIVIDENDS,
            key=AssetKey("race_dividends"),
            group=LIVE_GROUP,
            description="The race's official dividends (``pmu.race_dividends``), euros per euro staked.",
        ),
    },
    partitions_def=race_partitions,
    # The op is named apart from its asset: the H+15 job is called ``race_result`` too, and Dagster
    # refuses an op and a job of the same name in one code location.
    name="fetch_race_result",
    pool=PMU_LIVE_POOL,
)
def race_result(
    context: AssetExecutionContext,
    config: ResultConfig,
    pmu: PmuApiResource,
    files: FilesResource,
    clock: ClockResource,
) -> Iterator[Output]:
    """Arrival and dividends of one race at H+15, retried while ``rapports-definitifs`` answers 404."""
    race = parse_race_key(context.partition_key)
    now = clock.now()
    fetched = fetch_result(race, pmu, files, now)
    if fetched is None:
        if context.retry_number >= config.max_retries:
            fallback = geny_fallback(race.key, files, now) if config.web_fallback else None
            if fallback is None:
                raise Failure(f"rapports for {race.key} still not final after {config.max_retries} retries")
            context.log.warning(f"{race.key}: PMU rapports unavailable, unofficial result from Geny")
            result, race_divs = fallback
            yield Output(result, output_name="race_result", metadata={"official": False, "source": "geny"})
            yield Output(race_divs, output_name="race_dividends", metadata={"dividends": len(race_divs)})
            return
        context.log.info(f"{race.key}: rapports not final yet (try {context.retry_number + 1}), retrying")
        raise RetryRequested(max_retries=config.max_retries, seconds_to_wait=config.retry_delay_s)
    runners, dividends = fetched
    result, race_divs = build_result(race.key, runners, dividends, resulted_at=now)
    arrival = result.iloc[0]["arrival_order"]
    context.log.info(f"{race.key}: arrival {'-'.join(map(str, arrival))}, {len(race_divs)} dividends")
    yield Output(result, output_name="race_result", metadata={"arrival": "-".join(map(str, arrival))})
    yield Output(race_divs, output_name="race_dividends", metadata={"dividends": len(race_divs)})


def geny_fallback(
    race_key: str, files: FilesResource, now: datetime
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The unofficial result from a kept Geny arrivée page, or None when there is none."""
    store = files.store()
    path = GENY_ARRIVEE_PATH.format(race_key=race_key)
    if not store.exists(path):
        return None
    # BeautifulSoup takes a sixth of a second to import: every run process of the code location
    # would pay it, only a result that falls back on a kept page needs it.
    from hippique_assets.web.geny import parse_geny_arrivee

    page = parse_geny_arrivee(store.read_bytes(path), store.uri(path))
    return result_from_geny(race_key, page, resulted_at=now)


RACE_LIVE_ASSETS = [odds_snapshot_h30, odds_snapshot_h5, race_result]
