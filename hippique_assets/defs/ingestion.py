"""Daily ingestion of the PMU turfinfo API: raw payloads as files, then typed tables in ``pmu``.

Each endpoint has two steps. ``raw_*`` assets call the API and land every answer as a JSON file
(with a manifest of the requests); table assets parse those files into Postgres. Re-parsing a past
season therefore never calls the API again.
"""

from collections.abc import Callable, Iterator, Sequence
from datetime import date

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetOut,
    Failure,
    MaterializeResult,
    MetadataValue,
    Output,
    asset,
    multi_asset,
)
from sqlalchemy import Table

from hippique_assets.defs.partitions import daily_partitions
from hippique_assets.defs.resources import PMU_API_POOL, PmuApiResource
from hippique_assets.defs.table_assets import PG_IO_MANAGER, table_metadata, table_out
from hippique_assets.defs.table_checks import table_check_results, table_check_specs
from hippique_assets.pmu import parsers, tables
from hippique_assets.pmu.landing import Manifest, iter_payloads, land, read_manifest
from hippique_assets.pmu.paths import participants_path, performances_path, programme_path, rapports_path
from hippique_assets.quality import arrival_mismatches
from hippique_assets.storage.files import FilesResource
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets.storage.tables import column_names, primary_key

RAW_GROUP = "pmu_raw"
TABLE_GROUP = "pmu"


def _table_out(spec: Table, description: str) -> AssetOut:
    return table_out(spec, group=TABLE_GROUP, description=description)


def _landing_metadata(manifest: Manifest, seconds: float | None = None) -> dict[str, MetadataValue]:
    meta: dict[str, MetadataValue] = {
        "requests": MetadataValue.int(len(manifest.requests)),
        "statuses": MetadataValue.json(manifest.statuses),
        "bytes": MetadataValue.int(manifest.total_bytes),
        "files": MetadataValue.int(len(manifest.with_data)),
        "retries": MetadataValue.int(sum(max(r.attempts - 1, 0) for r in manifest.requests)),
    }
    if manifest.with_data:
        meta["example_file"] = MetadataValue.path(manifest.with_data[0].file or "")
    return meta


def _fail_on_errors(context: AssetExecutionContext, manifest: Manifest) -> None:
    if manifest.failed:
        listed = "\n".join(f"{r.path}: {r.error}" for r in manifest.failed[:20])
        raise Failure(
            description=f"{len(manifest.failed)} of {len(manifest.requests)} {manifest.endpoint} requests failed; "
            "the answers that arrived are kept, re-run the partition to fetch the rest.",
            metadata={"failed": MetadataValue.md(f"```\n{listed}\n```"), **_landing_metadata(manifest)},
        )


def _progress(context: AssetExecutionContext, endpoint: str) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        if done == total or done % 20 == 0:
            context.log.info(f"{endpoint}: {done}/{total} requests done")

    return report


@asset(partitions_def=daily_partitions, group_name=RAW_GROUP, kinds={"json", "file"}, pool=PMU_API_POOL)
def raw_programme(
    context: AssetExecutionContext, pmu: PmuApiResource, files: FilesResource
) -> MaterializeResult:
    """The day's programme as served by ``/programme/{DDMMYYYY}``, kept verbatim as a JSON file.

    A 204 answer (no racing, or a date the API does not hold) is recorded in the manifest and gives
    empty tables downstream.
    """
    day = date.fromisoformat(context.partition_key)
    with pmu.client() as client:
        manifest = land(client, files.store(), "programme", [programme_path(day)], context.partition_key)
    _fail_on_errors(context, manifest)
    context.log.info(f"programme {day}: {manifest.statuses}, {manifest.total_bytes} bytes")
    return MaterializeResult(metadata=_landing_metadata(manifest))


@multi_asset(
    outs={
        "reunions": _table_out(
            tables.REUNIONS, "One row per reunion (meeting) of the day, French and foreign."
        ),
        "races": _table_out(
            tables.RACES, "One row per race: start time, discipline, distance, prize, arrival."
        ),
    },
    deps=[raw_programme],
    partitions_def=daily_partitions,
    check_specs=[*table_check_specs("reunions", tables.REUNIONS), *table_check_specs("races", tables.RACES)],
)
def programme(context: AssetExecutionContext, files: FilesResource, postgres: PostgresResource) -> Iterator:
    """Parse the landed programme into ``pmu.reunions`` and ``pmu.races``."""
    day = date.fromisoformat(context.partition_key)
    store = files.store()
    manifest = read_manifest(store, context.partition_key, "programme")
    frames = [parsers.parse_programme(payload, day) for _, payload in iter_payloads(store, manifest)]
    reunions = _concat([f.reunions for f in frames], tables.REUNIONS)
    races = _concat([f.races for f in frames], tables.RACES)
    context.log.info(f"programme {day}: {len(reunions)} reunions, {len(races)} races")
    had_data = bool(manifest.with_data)
    yield Output(reunions, output_name="reunions", metadata={"reunions": len(reunions)})
    yield from table_check_results(postgres, "reunions", tables.REUNIONS, day, source_had_data=had_data)
    yield Output(races, output_name="races", metadata={"races": len(races), "preview": _preview(races)})
    yield from table_check_results(postgres, "races", tables.RACES, day, source_had_data=had_data)


def _race_paths(races: pd.DataFrame, day: date, path_of: Callable[[date, int, int], str]) -> list[str]:
    ordered = races.sort_values(["reunion", "course"])
    return [path_of(day, int(r), int(c)) for r, c in zip(ordered["reunion"], ordered["course"], strict=True)]


def _land_races(
    context: AssetExecutionContext,
    pmu: PmuApiResource,
    files: FilesResource,
    races: pd.DataFrame,
    endpoint: str,
    path_of: Callable[[date, int, int], str],
    *,
    not_final_on_404: bool = False,
) -> MaterializeResult:
    day = date.fromisoformat(context.partition_key)
    paths = _race_paths(races, day, path_of)
    context.log.info(f"{endpoint} {day}: fetching {len(paths)} races")
    with pmu.client() as client:
        manifest = land(
            client,
            files.store(),
            endpoint,
            paths,
            context.partition_key,
            not_final_on_404=not_final_on_404,
            progress=_progress(context, endpoint),
        )
    _fail_on_errors(context, manifest)
    context.log.info(f"{endpoint} {day}: {manifest.statuses}, {manifest.total_bytes} bytes")
    return MaterializeResult(metadata=_landing_metadata(manifest))


@asset(partitions_def=daily_partitions, group_name=RAW_GROUP, kinds={"json", "file"}, pool=PMU_API_POOL)
def raw_participants(
    context: AssetExecutionContext, pmu: PmuApiResource, files: FilesResource, races: pd.DataFrame
) -> MaterializeResult:
    """``/R{n}/C{n}/participants`` for every race of the day: runners, odds, musique, results."""
    return _land_races(context, pmu, files, races, "participants", participants_path)


@asset(partitions_def=daily_partitions, group_name=RAW_GROUP, kinds={"json", "file"}, pool=PMU_API_POOL)
def raw_performances(
    context: AssetExecutionContext, pmu: PmuApiResource, files: FilesResource, races: pd.DataFrame
) -> MaterializeResult:
    """``/R{n}/C{n}/performances-detaillees/pretty`` for every race: each runner's past races."""
    return _land_races(context, pmu, files, races, "performances", performances_path)


@asset(partitions_def=daily_partitions, group_name=RAW_GROUP, kinds={"json", "file"}, pool=PMU_API_POOL)
def raw_rapports(
    context: AssetExecutionContext, pmu: PmuApiResource, files: FilesResource, races: pd.DataFrame
) -> MaterializeResult:
    """``/R{n}/C{n}/rapports-definitifs`` for every race: official dividends (404 = not final yet)."""
    return _land_races(context, pmu, files, races, "rapports", rapports_path, not_final_on_404=True)


@multi_asset(
    outs={
        "participants": _table_out(tables.PARTICIPANTS, "One row per runner of every race of the day."),
        "horses": _table_out(
            tables.HORSES, "Horses seen on any day, keyed by PMU idCheval (or a derived key)."
        ),
    },
    deps=[raw_participants],
    partitions_def=daily_partitions,
    check_specs=[
        *table_check_specs("participants", tables.PARTICIPANTS),
        *table_check_specs("horses", tables.HORSES, non_empty=False),
        AssetCheckSpec(
            "arrival_consistent",
            asset="participants",
            description="The programme's arrival order equals the runners' finish ranks.",
            additional_deps=["races"],
        ),
    ],
)
def participants(
    context: AssetExecutionContext, files: FilesResource, postgres: PostgresResource, races: pd.DataFrame
) -> Iterator:
    """Parse the landed participants into ``pmu.participants`` and upsert ``pmu.horses``."""
    day = date.fromisoformat(context.partition_key)
    store = files.store()
    manifest = read_manifest(store, context.partition_key, "participants")
    runners, horses = [], []
    for path, payload in iter_payloads(store, manifest):
        assert path.reunion is not None and path.course is not None
        parsed = parsers.parse_participants(payload, day, path.reunion, path.course)
        runners.append(parsed.participants)
        horses.append(parsed.horses)
    frame = _concat(runners, tables.PARTICIPANTS)
    horse_frame = _concat(horses, tables.HORSES).drop_duplicates(
        subset=list(primary_key(tables.HORSES)), keep="last"
    )
    context.log.info(
        f"participants {day}: {len(frame)} runners in {len(runners)} races, {len(horse_frame)} horses"
    )
    yield Output(horse_frame, output_name="horses", metadata={"horses": len(horse_frame)})
    yield from table_check_results(postgres, "horses", tables.HORSES, None)
    yield Output(
        frame, output_name="participants", metadata={"runners": len(frame), "preview": _preview(frame)}
    )
    yield from table_check_results(
        postgres, "participants", tables.PARTICIPANTS, day, source_had_data=bool(manifest.with_data)
    )
    problems = arrival_mismatches(races, frame)
    yield AssetCheckResult(
        asset_key="participants",
        check_name="arrival_consistent",
        passed=not problems,
        metadata={"mismatches": len(problems), "examples": MetadataValue.json(problems[:10])},
    )


@asset(
    partitions_def=daily_partitions,
    group_name=TABLE_GROUP,
    deps=[raw_performances],
    io_manager_key=PG_IO_MANAGER,
    metadata=table_metadata(tables.PERFORMANCES),
    kinds={"postgres", "pandas"},
    check_specs=table_check_specs("performances", tables.PERFORMANCES, non_empty=False),
)
def performances(
    context: AssetExecutionContext,
    files: FilesResource,
    postgres: PostgresResource,
    participants: pd.DataFrame,
) -> Iterator:
    """Past races of every runner of the day, one row per horse and past race, deduplicated across days.

    The performances payload carries no pedigree, so horses are identified through the day's
    participants (number -> horse_id) when PMU's ``idCheval`` is absent.
    """
    day = date.fromisoformat(context.partition_key)
    store = files.store()
    manifest = read_manifest(store, context.partition_key, "performances")
    ids_by_race = {
        (int(r), int(c)): parsers.horse_ids_by_number(group)
        for (r, c), group in participants.groupby(["reunion", "course"])
    }
    frames = []
    for path, payload in iter_payloads(store, manifest):
        assert path.reunion is not None and path.course is not None
        horse_ids = ids_by_race.get((path.reunion, path.course))
        frames.append(
            parsers.parse_performances(payload, day, path.reunion, path.course, horse_ids=horse_ids)
        )
    frame = _concat(frames, tables.PERFORMANCES).drop_duplicates(
        subset=list(primary_key(tables.PERFORMANCES)), keep="last"
    )
    context.log.info(f"performances {day}: {len(frame)} past races of {frame['horse_id'].nunique()} horses")
    yield Output(frame, metadata={"past_races": len(frame), "preview": _preview(frame)})
    yield from table_check_results(postgres, "performances", tables.PERFORMANCES, None)


@multi_asset(
    outs={
        "bets": _table_out(tables.BETS, "Bet types offered per race with their base stake and refund flag."),
        "dividends": _table_out(tables.DIVIDENDS, "Official dividends per bet type and winning combination."),
    },
    deps=[raw_rapports],
    partitions_def=daily_partitions,
    check_specs=[*table_check_specs("bets", tables.BETS), *table_check_specs("dividends", tables.DIVIDENDS)],
)
def rapports(context: AssetExecutionContext, files: FilesResource, postgres: PostgresResource) -> Iterator:
    """Parse the landed rapports-definitifs into ``pmu.bets`` and ``pmu.dividends`` (euros)."""
    day = date.fromisoformat(context.partition_key)
    store = files.store()
    manifest = read_manifest(store, context.partition_key, "rapports")
    bets, dividends = [], []
    for path, payload in iter_payloads(store, manifest):
        assert path.reunion is not None and path.course is not None
        parsed = parsers.parse_rapports(payload, day, path.reunion, path.course)
        bets.append(parsed.bets)
        dividends.append(parsed.dividends)
    bet_frame = _concat(bets, tables.BETS)
    dividend_frame = _concat(dividends, tables.DIVIDENDS)
    not_final = sum(1 for r in manifest.requests if r.status == 404)
    context.log.info(
        f"rapports {day}: {len(bet_frame)} bets, {len(dividend_frame)} dividends, {not_final} races not final"
    )
    had_data = bool(manifest.with_data)
    yield Output(
        bet_frame, output_name="bets", metadata={"bets": len(bet_frame), "races_not_final": not_final}
    )
    yield from table_check_results(postgres, "bets", tables.BETS, day, source_had_data=had_data)
    yield Output(dividend_frame, output_name="dividends", metadata={"preview": _preview(dividend_frame)})
    yield from table_check_results(postgres, "dividends", tables.DIVIDENDS, day, source_had_data=had_data)


def _concat(frames: Sequence[pd.DataFrame], spec: Table) -> pd.DataFrame:
    non_empty = [f for f in frames if not f.empty]
    if not non_empty:
        return parsers.empty_frame(spec)
    return pd.concat(non_empty, ignore_index=True)[column_names(spec)]


def _preview(frame: pd.DataFrame, rows: int = 10) -> MetadataValue:
    return MetadataValue.md(frame.head(rows).to_markdown(index=False) if not frame.empty else "_no rows_")


INGESTION_ASSETS = [
    raw_programme,
    programme,
    raw_participants,
    raw_performances,
    raw_rapports,
    participants,
    performances,
    rapports,
]
