"""Daily ingestion of the PMU turfinfo API: raw payloads as files, then typed tables in ``pmu``.

Each endpoint has two steps. ``raw_*`` assets call the API and land every answer as a JSON file
(with a manifest of the requests); table assets parse those files into Postgres, so re-parsing a
past season never calls the API again.

A failure costs only its own race: a request that fails for good is recorded (and keeps an earlier
answer when there is one), a race or a runner whose values break their rules is left out, and
every other race lands. ``ingest_gaps`` then names what is missing for the day and fails the run,
so that it is retried; a retry requests only what is still missing.

The assets take several days per run (a backfill of a season runs 31 days at a time): one process
start, one parse and one load per table for all of them.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from time import monotonic

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Failure,
    MaterializeResult,
    MetadataValue,
    Output,
    asset,
    multi_asset,
)
from sqlalchemy import Table

from hippique_assets.defs.partitions import DAILY_BACKFILL, daily_partitions, partition_days
from hippique_assets.defs.resources import PMU_API_POOL, PmuApiResource
from hippique_assets.lib.frame_types import frame_type
from hippique_assets.lib.table_assets import PG_IO_MANAGER, table_metadata, table_out
from hippique_assets.lib.table_checks import table_check_results, table_check_specs
from hippique_assets.pmu import last_good, parsers, tables
from hippique_assets.pmu.batch import Batch
from hippique_assets.pmu.gaps import ENDPOINTS, day_gaps, is_transient, read_rejections, write_rejections
from hippique_assets.pmu.landing import (
    ANY_RUN,
    Manifest,
    failure_lines,
    find_manifest,
    iter_payloads_safely,
    land,
    read_manifest,
)
from hippique_assets.pmu.parse_participants import participants_rows
from hippique_assets.pmu.parse_performances import performances_rows
from hippique_assets.pmu.parse_programme import programme_rows
from hippique_assets.pmu.parse_rapports import rapports_rows
from hippique_assets.pmu.paths import participants_path, performances_path, programme_path, rapports_path
from hippique_assets.quality import arrival_mismatches
from hippique_assets.racing.keys import race_key
from hippique_assets.storage.files import FilesResource
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets.storage.tables import column_names, primary_key

RAW_GROUP = "pmu_raw"
TABLE_GROUP = "pmu"
PROGRESS_EVERY_S = 15.0


# A run with this tag requests only what the previous landing of the day missed (``hippique
# ingest --missing-only``); retries and re-executions do so by sharing their root run.
FETCH_TAG = "hippique/fetch"


def _run_ids(context: AssetExecutionContext) -> tuple[str, str]:
    """This run's id, and the run family whose earlier landings count as already fetched."""
    run = context.run
    if run.tags.get(FETCH_TAG) == "missing":
        return run.run_id, ANY_RUN
    return run.run_id, run.root_run_id or run.run_id


def _day_rows(frame: pd.DataFrame, day: date, column: str = "race_date") -> pd.DataFrame:
    """The rows of ``frame`` dated ``day`` in ``column``."""
    if frame.empty:
        return frame
    return frame[(pd.to_datetime(frame[column]).dt.date == day).to_numpy(dtype=bool)]


def _add_day_metadata(
    context: AssetExecutionContext,
    asset: str | AssetKey,
    days: Sequence[date],
    metadata_of: Callable[[date], dict[str, object]],
) -> None:
    """Each day's own figures on that day's materialization: a run over several days (a backfill
    chunk) would otherwise show its totals on every day."""
    for day in days:
        context.add_asset_metadata(metadata_of(day), asset_key=asset, partition_key=day.isoformat())


def _landing_metadata(manifests: Sequence[Manifest]) -> dict[str, MetadataValue]:
    statuses: dict[str, int] = defaultdict(int)
    for manifest in manifests:
        for outcome, count in manifest.statuses.items():
            statuses[outcome] += count
    requests = [r for m in manifests for r in m.requests]
    meta: dict[str, MetadataValue] = {
        "days": MetadataValue.int(len(manifests)),
        "requests": MetadataValue.int(len(requests)),
        "statuses": MetadataValue.json(dict(sorted(statuses.items()))),
        "bytes": MetadataValue.int(sum(m.total_bytes for m in manifests)),
        "files": MetadataValue.int(sum(len(m.with_data) for m in manifests)),
        "retries": MetadataValue.int(sum(max(r.attempts - 1, 0) for r in requests)),
        "failed": MetadataValue.int(sum(len(m.failed) for m in manifests)),
    }
    example = next((r.file for m in manifests for r in m.with_data), None)
    if example:
        meta["example_file"] = MetadataValue.path(example)
    return meta


def _report_failures(context: AssetExecutionContext, endpoint: str, manifests: Sequence[Manifest]) -> None:
    failed = [m for m in manifests if m.failed]
    if not failed:
        return
    total = sum(len(m.failed) for m in failed)
    lines = [line for m in failed for line in failure_lines(m)]
    shown = lines[:20] + ([f"... and {len(lines) - 20} more"] if len(lines) > 20 else [])
    context.log.warning(
        f"{total} {endpoint} request(s) failed for good; the other races land, ingest_gaps names the "
        "missing ones and a retry requests only them:\n" + "\n".join(shown)
    )


def _progress(context: AssetExecutionContext, label: str) -> Callable[[int, int], None]:
    last = monotonic()

    def report(done: int, total: int) -> None:
        nonlocal last
        if done < total and monotonic() - last >= PROGRESS_EVERY_S:
            last = monotonic()
            context.log.info(f"{label}: {done}/{total} requests done")

    return report


def _land_days(
    context: AssetExecutionContext,
    pmu: PmuApiResource,
    files: FilesResource,
    endpoint: str,
    paths_by_day: dict[date, list[str]],
    *,
    not_final_on_404: bool = False,
) -> MaterializeResult:
    store = files.store()
    run_id, root_run_id = _run_ids(context)
    manifests: dict[date, Manifest] = {}
    started = monotonic()
    with pmu.client() as client:
        for day, paths in paths_by_day.items():
            manifests[day] = land(
                client,
                store,
                endpoint,
                paths,
                day.isoformat(),
                not_final_on_404=not_final_on_404,
                progress=_progress(context, f"{endpoint} {day}"),
                run_id=run_id,
                root_run_id=root_run_id,
            )
    _report_failures(context, endpoint, list(manifests.values()))
    requests = sum(len(m.requests) for m in manifests.values())
    context.log.info(
        f"{endpoint}: {requests} requests for {len(manifests)} day(s) in {monotonic() - started:.1f} s, "
        f"{sum(len(m.failed) for m in manifests.values())} failed"
    )
    _add_day_metadata(
        context, context.assets_def.key, list(manifests), lambda d: _landing_metadata([manifests[d]])
    )
    return MaterializeResult()


_INGEST = dict(partitions_def=daily_partitions, backfill_policy=DAILY_BACKFILL)


@asset(**_INGEST, group_name=RAW_GROUP, kinds={"json", "file"}, pool=PMU_API_POOL)
def raw_programme(
    context: AssetExecutionContext, pmu: PmuApiResource, files: FilesResource
) -> MaterializeResult:
    """The day's programme as served by ``/programme/{DDMMYYYY}``, kept verbatim as a JSON file.

    A 204 answer (no racing, or a date the API does not hold) is recorded in the manifest and gives
    empty tables downstream.
    """
    return _land_days(
        context, pmu, files, "programme", {day: [programme_path(day)] for day in partition_days(context)}
    )


def _race_paths(
    races: pd.DataFrame, days: Sequence[date], path_of: Callable[[date, int, int], str]
) -> dict[date, list[str]]:
    by_day: dict[date, list[str]] = {day: [] for day in days}
    ordered = races.sort_values(["race_date", "reunion", "course"])
    for day, reunion, course in zip(ordered["race_date"], ordered["reunion"], ordered["course"], strict=True):
        by_day.setdefault(day, []).append(path_of(day, int(reunion), int(course)))
    return by_day


def _save_rejections(files: FilesResource, batch: Batch, days: Sequence[date]) -> None:
    store = files.store()
    by_day = defaultdict(list)
    for rejection in batch.rejections:
        by_day[rejection.race_date].append(rejection)
    for day in days:
        write_rejections(store, day.isoformat(), batch.endpoint, by_day.get(day, []))


def _keep_stored(
    postgres: PostgresResource, batch: Batch, frames: dict[Table, pd.DataFrame], days: Sequence[date]
) -> list[last_good.Kept]:
    """Put back into ``frames`` the stored units the new answers lack (last good data wins)."""
    kept: list[last_good.Kept] = []
    for table, frame in frames.items():
        if table.fullname not in last_good.UNITS:
            continue
        unit = last_good.unit_of(table)
        missing = last_good.missing_units(
            frame, postgres.read_frame(table, partition_values=days, columns=unit), unit
        )
        if missing.empty:
            continue
        stored = postgres.read_frame(table, partition_values=days)
        frames[table] = last_good.keep_last_good(frame, stored, missing)
        kept.extend(last_good.kept_records(batch.endpoint, table, missing, batch.rejections))
    return kept


def _save_kept(
    files: FilesResource, endpoint: str, kept: Sequence[last_good.Kept], days: Sequence[date]
) -> None:
    store = files.store()
    by_day = defaultdict(list)
    for record in kept:
        by_day[record.race_date].append(record)
    for day in days:
        last_good.write_kept(store, day.isoformat(), endpoint, by_day.get(day, []))


def _parse_days(
    files: FilesResource,
    postgres: PostgresResource,
    days: Sequence[date],
    endpoint: str,
    tables_out: tuple[Table, ...],
    add_payload: Callable[[Batch, date, object, object], None],
) -> tuple[Batch, dict[Table, pd.DataFrame], list[date], dict[date, int]]:
    """Parse every landed payload of ``endpoint`` for ``days`` into one frame per table; units that
    are stored but missing from the new answers keep their stored rows. Also gives the days with
    data, and the payloads parsed per day."""
    store = files.store()
    batch = Batch(endpoint, tables_out)
    with_data: list[date] = []
    payloads: dict[date, int] = {}
    for day in days:
        before = batch.payloads
        manifest = read_manifest(store, day.isoformat(), endpoint)
        if manifest.with_data:
            with_data.append(day)
        for path, payload, problem in iter_payloads_safely(store, manifest):
            key = race_key(day, path.reunion, path.course) if path.course is not None else None
            if problem is not None:
                batch.reject(day, key, problem)
                continue
            add_payload(batch, day, path, payload)
        payloads[day] = batch.payloads - before
    frames = batch.frames(days[0])
    kept = _keep_stored(postgres, batch, frames, days)
    _save_rejections(files, batch, days)
    _save_kept(files, batch.endpoint, kept, days)
    return batch, frames, with_data, payloads


def _rejection_note(
    context: AssetExecutionContext, batch: Batch, payloads: Mapping[date, int]
) -> Callable[[date], dict[str, MetadataValue]]:
    """Log the run's rejections; give each day's rejected rows and parsed payloads."""
    if batch.rejections:
        context.log.warning(
            f"{batch.endpoint}: {len(batch.rejections)} race(s) or row(s) rejected:\n"
            + "\n".join(r.line() for r in batch.rejections[:20])
        )
    rejected: dict[date, int] = defaultdict(int)
    for rejection in batch.rejections:
        rejected[rejection.race_date] += 1

    def note(day: date) -> dict[str, MetadataValue]:
        return {
            "rejected": MetadataValue.int(rejected[day]),
            "payloads": MetadataValue.int(payloads.get(day, 0)),
        }

    return note


@multi_asset(
    outs={
        "reunions": table_out(tables.REUNIONS, group=TABLE_GROUP, typed=True),
        "races": table_out(tables.RACES, group=TABLE_GROUP, typed=True),
    },
    deps=[raw_programme],
    **_INGEST,
    check_specs=[
        *table_check_specs("reunions", tables.REUNIONS),
        *table_check_specs("races", tables.RACES),
    ],
)
def programme(context: AssetExecutionContext, files: FilesResource, postgres: PostgresResource) -> Iterator:
    """Parse the landed programmes into ``pmu.reunions`` and ``pmu.races``."""
    days = partition_days(context)

    def add(batch: Batch, day: date, path: object, payload: object) -> None:
        # A bad reunion or course costs only itself: Batch records it typed (race key, field, value).
        batch.add(day, None, programme_rows, payload, day)

    batch, frames, with_data, payloads = _parse_days(
        files, postgres, days, "programme", (tables.REUNIONS, tables.RACES), add
    )
    reunions, races = frames[tables.REUNIONS], frames[tables.RACES]
    context.log.info(f"programme: {len(reunions)} reunions and {len(races)} races over {len(days)} day(s)")
    note = _rejection_note(context, batch, payloads)
    _add_day_metadata(
        context, "reunions", days, lambda d: {"reunions": len(_day_rows(reunions, d)), **note(d)}
    )
    yield Output(reunions, output_name="reunions")
    yield from table_check_results(postgres, "reunions", tables.REUNIONS, days, days_with_data=with_data)
    _add_day_metadata(
        context,
        "races",
        days,
        lambda d: {"races": len(_day_rows(races, d)), "preview": _preview(_day_rows(races, d))},
    )
    yield Output(races, output_name="races")
    yield from table_check_results(postgres, "races", tables.RACES, days, days_with_data=with_data)


def raw_race_asset(
    name: str,
    endpoint: str,
    path_of: Callable[[date, int, int], str],
    doc: str,
    *,
    not_final_on_404: bool = False,
) -> AssetsDefinition:
    """The landing asset of an endpoint asked once per race of the day (``races`` gives the races)."""

    @asset(
        name=name, **_INGEST, group_name=RAW_GROUP, kinds={"json", "file"}, pool=PMU_API_POOL, description=doc
    )
    def land_races(
        context: AssetExecutionContext, pmu: PmuApiResource, files: FilesResource, races: pd.DataFrame
    ) -> MaterializeResult:
        paths = _race_paths(races, partition_days(context), path_of)
        return _land_days(context, pmu, files, endpoint, paths, not_final_on_404=not_final_on_404)

    return land_races


raw_participants = raw_race_asset(
    "raw_participants",
    "participants",
    participants_path,
    "``/R{n}/C{n}/participants`` for every race of the day: runners, odds, musique, results.",
)
raw_performances = raw_race_asset(
    "raw_performances",
    "performances",
    performances_path,
    "``/R{n}/C{n}/performances-detaillees/pretty`` for every race: each runner's past races.",
)
raw_rapports = raw_race_asset(
    "raw_rapports",
    "rapports",
    rapports_path,
    "``/R{n}/C{n}/rapports-definitifs`` for every race: official dividends (404 = not final yet).",
    not_final_on_404=True,
)


def _add_race(rows_of: Callable) -> Callable[[Batch, date, object, object], None]:
    def add(batch: Batch, day: date, path: object, payload: object) -> None:
        reunion, course = path.reunion, path.course  # type: ignore[attr-defined]
        batch.add(day, race_key(day, reunion, course), rows_of, payload, day, reunion, course)

    return add


@multi_asset(
    outs={
        "participants": table_out(
            tables.PARTICIPANTS,
            group=TABLE_GROUP,
            typed=True,
            description="One row per runner of every race of the day.",
        ),
        "horses": table_out(
            tables.HORSES,
            group=TABLE_GROUP,
            typed=True,
            description="Horses seen on any day, keyed by PMU idCheval (or a derived key).",
            day_column="last_seen",
        ),
    },
    deps=[raw_participants],
    **_INGEST,
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
    days = partition_days(context)
    batch, frames, with_data, payloads = _parse_days(
        files,
        postgres,
        days,
        "participants",
        (tables.PARTICIPANTS, tables.HORSES),
        _add_race(participants_rows),
    )
    runners = frames[tables.PARTICIPANTS]
    horses = frames[tables.HORSES].drop_duplicates(subset=list(primary_key(tables.HORSES)), keep="last")
    context.log.info(f"participants: {len(runners)} runners, {len(horses)} horses over {len(days)} day(s)")
    note = _rejection_note(context, batch, payloads)
    # A horse seen on several days of the run is one row, dated (and counted) by its last day.
    _add_day_metadata(context, "horses", days, lambda d: {"horses": len(_day_rows(horses, d, "last_seen"))})
    yield Output(horses, output_name="horses")
    yield from table_check_results(postgres, "horses", tables.HORSES, days, scope_column="last_seen")
    _add_day_metadata(
        context,
        "participants",
        days,
        lambda d: {
            "runners": len(_day_rows(runners, d)),
            "preview": _preview(_day_rows(runners, d)),
            **note(d),
        },
    )
    yield Output(runners, output_name="participants")
    yield from table_check_results(
        postgres, "participants", tables.PARTICIPANTS, days, days_with_data=with_data
    )
    problems = arrival_mismatches(races, runners)
    yield AssetCheckResult(
        asset_key="participants",
        check_name="arrival_consistent",
        passed=not problems,
        metadata={"mismatches": len(problems), "examples": MetadataValue.json(problems[:10])},
    )


@asset(
    **_INGEST,
    group_name=TABLE_GROUP,
    deps=[raw_performances],
    io_manager_key=PG_IO_MANAGER,
    metadata=table_metadata(tables.PERFORMANCES, day_column="last_seen_date"),
    dagster_type=frame_type(tables.PERFORMANCES),
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
    days = partition_days(context)
    ids_by_race = {
        str(key): dict(zip(group["number"].astype(int), group["horse_id"].astype(str), strict=True))
        for key, group in participants.groupby("race_key")
    }

    def add(batch: Batch, day: date, path: object, payload: object) -> None:
        reunion, course = path.reunion, path.course  # type: ignore[attr-defined]
        key = race_key(day, reunion, course)
        batch.add(day, key, performances_rows, payload, day, reunion, course, horse_ids=ids_by_race.get(key))

    batch, frames, _, payloads = _parse_days(
        files, postgres, days, "performances", (tables.PERFORMANCES,), add
    )
    frame = frames[tables.PERFORMANCES].drop_duplicates(
        subset=list(primary_key(tables.PERFORMANCES)), keep="last"
    )
    context.log.info(f"performances: {len(frame)} past races of {frame['horse_id'].nunique()} horses")
    note = _rejection_note(context, batch, payloads)

    def day_metadata(day: date) -> dict[str, object]:
        # A past race listed on several days of the run is one row, dated by its last day.
        rows = _day_rows(frame, day, "last_seen_date")
        return {"past_races": len(rows), "preview": _preview(rows), **note(day)}

    _add_day_metadata(context, "performances", days, day_metadata)
    yield Output(frame)
    yield from table_check_results(
        postgres, "performances", tables.PERFORMANCES, days, scope_column="last_seen_date"
    )


@multi_asset(
    outs={
        "bets": table_out(
            tables.BETS,
            group=TABLE_GROUP,
            typed=True,
            description="Bet types offered per race with their base stake and refund flag.",
        ),
        "dividends": table_out(
            tables.DIVIDENDS,
            group=TABLE_GROUP,
            typed=True,
            description="Official dividends per bet type and winning combination.",
        ),
    },
    deps=[raw_rapports],
    **_INGEST,
    check_specs=[*table_check_specs("bets", tables.BETS), *table_check_specs("dividends", tables.DIVIDENDS)],
)
def rapports(context: AssetExecutionContext, files: FilesResource, postgres: PostgresResource) -> Iterator:
    """Parse the landed rapports-definitifs into ``pmu.bets`` and ``pmu.dividends`` (euros)."""
    days = partition_days(context)
    batch, frames, with_data, payloads = _parse_days(
        files, postgres, days, "rapports", (tables.BETS, tables.DIVIDENDS), _add_race(rapports_rows)
    )
    bets, dividends = frames[tables.BETS], frames[tables.DIVIDENDS]
    context.log.info(f"rapports: {len(bets)} bets, {len(dividends)} dividends over {len(days)} day(s)")
    note = _rejection_note(context, batch, payloads)
    _add_day_metadata(context, "bets", days, lambda d: {"bets": len(_day_rows(bets, d)), **note(d)})
    yield Output(bets, output_name="bets")
    yield from table_check_results(postgres, "bets", tables.BETS, days, days_with_data=with_data)
    _add_day_metadata(context, "dividends", days, lambda d: {"preview": _preview(_day_rows(dividends, d))})
    yield Output(dividends, output_name="dividends")
    yield from table_check_results(postgres, "dividends", tables.DIVIDENDS, days, days_with_data=with_data)


@asset(
    **_INGEST,
    group_name=TABLE_GROUP,
    io_manager_key=PG_IO_MANAGER,
    metadata=table_metadata(tables.INGEST_GAPS),
    dagster_type=frame_type(tables.INGEST_GAPS),
    kinds={"postgres", "pandas"},
    deps=[
        AssetKey(name)
        for name in ("reunions", "races", "participants", "horses", "performances", "bets", "dividends")
    ],
    check_specs=[
        AssetCheckSpec(
            "day_complete",
            asset="ingest_gaps",
            description="Every race of the day landed for every endpoint and no answer shrank: no "
            "request failed, none is missing, nothing stored was lost (a retry may fill these).",
        ),
        AssetCheckSpec(
            "values_valid",
            asset="ingest_gaps",
            description="No race or runner was rejected because a source value broke its rule "
            "(warns: a retry gets the same values, so these gaps do not fail the run).",
        ),
    ],
)
def ingest_gaps(context: AssetExecutionContext, files: FilesResource, races: pd.DataFrame) -> Iterator:
    """What the day's ingestion is missing (``pmu.ingest_gaps``): failed requests, races never
    requested, answers that shrank (their stored rows kept), rejected races and runners. A gap a
    retry may fill fails the run, so that it is retried, and the retry requests only what is
    missing; a value the source got wrong is a permanent gap: named and warned about, not retried."""
    store = files.store()
    days = partition_days(context)
    manifests = {day: {e: find_manifest(store, day.isoformat(), e) for e in ENDPOINTS} for day in days}
    endpoints = _endpoints_of_run(context.run_id, manifests)
    frames = []
    for day in days:
        today = races.loc[races["race_date"] == day, ["reunion", "course"]]
        expected = [race_key(day, int(r), int(c)) for r, c in today.itertuples(index=False)]
        rejections = read_rejections(store, day.isoformat())
        # The day's table holds every endpoint landed so far (a plan refresh keeps the runners' gaps
        # of the morning plan), but this run only fails on the gaps of what it landed itself.
        shown = [e for e in ENDPOINTS if e in endpoints or manifests[day][e] is not None]
        kept = last_good.read_kept(store, day.isoformat(), shown)
        frames.append(day_gaps(day, expected, rejections, {e: manifests[day][e] for e in shown}, kept))
    gaps = (
        pd.concat(frames, ignore_index=True)[column_names(tables.INGEST_GAPS)]
        if frames
        else parsers.empty_frame(tables.INGEST_GAPS)
    )
    transient = gaps[gaps["kind"].map(is_transient).astype(bool)] if not gaps.empty else gaps
    permanent = gaps[~gaps.index.isin(transient.index)]

    def day_metadata(day: date) -> dict[str, object]:
        today = _day_rows(gaps, day)
        return {
            "gaps": len(today),
            "transient": len(_day_rows(transient, day)),
            "permanent": len(_day_rows(permanent, day)),
            "by_kind": MetadataValue.json(today["kind"].value_counts().to_dict()),
        }

    _add_day_metadata(context, "ingest_gaps", days, day_metadata)
    yield Output(gaps)
    yield _gap_check("day_complete", transient, AssetCheckSeverity.ERROR)
    yield _gap_check("values_valid", permanent, AssetCheckSeverity.WARN)
    if not permanent.empty:
        context.log.warning(
            f"{len(permanent)} source value(s) broke their rules; those races or runners are left out "
            "(a retry gets the same values):\n" + "\n".join(_gap_lines(permanent))
        )
    own = transient[transient["endpoint"].isin(endpoints)] if not transient.empty else transient
    if len(own) < len(transient):
        context.log.warning(
            f"{len(transient) - len(own)} gap(s) of endpoints this run did not land (another job fills them):\n"
            + "\n".join(_gap_lines(transient[~transient.index.isin(own.index)]))
        )
    if not own.empty:
        raise Failure(
            description=f"{len(own)} gap(s) in the ingestion of {len(frames)} day(s); the rest landed. "
            "Re-run (or let the retry run) to request only what is missing:\n" + "\n".join(_gap_lines(own)),
            metadata={"gaps": len(own)},
        )


def _gap_lines(gaps: pd.DataFrame, limit: int = 20) -> list[str]:
    lines = [
        f"{g.race_date} {g.endpoint} {g.kind} {g.path or g.race_key or ''}"
        f"{f' runner {g.runner}' if pd.notna(g.runner) else ''}: {g.detail}".rstrip()
        for g in gaps.head(limit).itertuples(index=False)
    ]
    if len(gaps) > limit:
        lines.append(f"... and {len(gaps) - limit} more")
    return lines


def _gap_check(name: str, gaps: pd.DataFrame, severity: AssetCheckSeverity) -> AssetCheckResult:
    return AssetCheckResult(
        check_name=name,
        passed=gaps.empty,
        severity=severity,
        metadata={
            "gaps": len(gaps),
            "first_gaps": MetadataValue.md("\n".join(f"- {line}" for line in _gap_lines(gaps)) or "_none_"),
        },
    )


def _endpoints_of_run(run_id: str, manifests: Mapping[date, Mapping[str, Manifest | None]]) -> list[str]:
    """The endpoints this run landed (the plan job lands no rapports); all when it landed none
    (``ingest_gaps`` materialized on its own)."""
    landed = [
        endpoint
        for endpoint in ENDPOINTS
        if any((m := day[endpoint]) is not None and m.run_id == run_id for day in manifests.values())
    ]
    return landed or list(ENDPOINTS)


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
    ingest_gaps,
]
