"""Run the code location's jobs in this process, one partition at a time or a range of days per run,
with readable progress.

The CLI uses this for ``hippique ingest``, the demo and the morning plan of ``hippique day``: the
jobs, assets, resources and instance are those the webserver and the daemon use, so what the CLI
loads shows in the UI under the job's own name (``ingest_day``, ``plan_day``).
"""

import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

from dagster import (
    AssetCheckEvaluation,
    AssetKey,
    DagsterEventType,
    DagsterInstance,
    ExecuteInProcessResult,
    JobDefinition,
    MetadataValue,
    PartitionsDefinition,
    TimeWindowPartitionsDefinition,
)

from hippique_assets.errors import UnknownPartitionError
from hippique_assets.settings import Settings

# The commands print one line per run themselves; the Dagster run log keeps everything.
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
LOCAL_INSTANCE_MARKER = "# The local Dagster instance"
# What earlier versions wrote into a new local instance; replaced by the current configuration.
_OLD_LOCAL_CONFIG = "telemetry:\n  enabled: false\n"
# A run over several days, as a backfill under the daily assets' policy launches it.
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
# The asset that names each day's gaps; its per-day metadata says which days failed a range run.
GAPS_ASSET = "ingest_gaps"


@dataclass
class PartitionOutcome:
    partition: str
    success: bool
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    failed_checks: list[str] = field(default_factory=list)
    run_id: str | None = None
    # Days of the run this outcome comes from (its time is the day's share of that run).
    run_days: int = 1
    # The day failed in a run over several days and this outcome is its run alone.
    retried_alone: bool = False


def local_instance_config() -> str:
    """The local instance's ``dagster.yaml`` (the repository root holds the same file)."""
    return resources.files("hippique_assets.config").joinpath("dagster_local.yaml").read_text()


def ensure_dagster_home(home: Path) -> Path:
    """``DAGSTER_HOME`` (default ``<home>/dagster_home``, exported) with the local instance configuration.

    A ``dagster.yaml`` already there is kept unless it is one this function wrote (then it is
    brought up to date), so a production instance configuration is never overwritten.
    """
    dagster_home = os.environ.get("DAGSTER_HOME")
    if not dagster_home:
        dagster_home = str((home / "dagster_home").resolve())
        os.environ["DAGSTER_HOME"] = dagster_home
    path = Path(dagster_home)
    path.mkdir(parents=True, exist_ok=True)
    config = path / "dagster.yaml"
    wanted = local_instance_config()
    current = config.read_text() if config.exists() else None
    if current is None or (
        current != wanted and (current == _OLD_LOCAL_CONFIG or current.startswith(LOCAL_INSTANCE_MARKER))
    ):
        config.write_text(wanted)
    return path


def dagster_instance(home: Path) -> DagsterInstance:
    """The persistent instance under ``DAGSTER_HOME`` (default ``<home>/dagster_home``)."""
    ensure_dagster_home(home)
    return DagsterInstance.get()


def outcome_of(partition: str, result: ExecuteInProcessResult, seconds: float) -> PartitionOutcome:
    """Rows per table, failed checks and the first failure of one in-process run."""
    outcome = PartitionOutcome(partition, result.success, seconds, run_id=result.run_id)
    for event in result.all_events:
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            mat = event.step_materialization_data.materialization
            rows = mat.metadata.get("dagster/row_count")
            if rows is not None:
                outcome.rows[mat.asset_key.to_user_string()] = _count(rows)
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if isinstance(evaluation, AssetCheckEvaluation) and not evaluation.passed:
                outcome.failed_checks.append(
                    f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
                )
        elif event.event_type == DagsterEventType.STEP_FAILURE and outcome.error is None:
            failure = event.step_failure_data
            message = _user_message(failure.error) if failure.error else "step failed"
            outcome.error = f"{event.step_key}: {message}"
    if not result.success and outcome.error is None:
        outcome.error = "run failed (see the Dagster run log)"
    return outcome


def _count(entry: MetadataValue) -> int:
    """A count our assets record as integer metadata (``dagster/row_count``, the gaps' kinds)."""
    value = entry.value
    if not isinstance(value, int | float | str):
        raise TypeError(f"expected a count in the metadata, found {value!r}")
    return int(value)


def _user_message(error: object) -> str:
    """A step's error as its author wrote it: the innermost user error, without the class path
    Dagster prefixes (``dagster._core.definitions.events.Failure: ...``)."""
    while getattr(error, "cause", None) is not None and getattr(error, "cls_name", "").startswith(
        "DagsterExecution"
    ):
        error = error.cause  # type: ignore[attr-defined]
    message = str(getattr(error, "message", error)).strip()
    head, sep, rest = message.partition(": ")
    if sep and "." in head and " " not in head:
        message = rest
    return message


def _prepared_job(
    job_name: str, partitions: Sequence[str], settings: Settings, instance: DagsterInstance
) -> JobDefinition:
    from hippique_assets.definitions import build_definitions

    job = build_definitions(settings).resolve_job_def(job_name)
    _check_partitions(job_name, job.partitions_def, partitions)
    if len(partitions) > 1:
        # Many runs in one process: keep Dagster's storage connections open between events rather
        # than opening one per event (what the webserver does for the same reason).
        instance.optimize_for_webserver(statement_timeout=0, pool_recycle=3600, max_overflow=4)
    return job


def _run_partition(
    job: JobDefinition, partition: str, instance: DagsterInstance, tags: dict[str, str] | None
) -> PartitionOutcome:
    started = time.perf_counter()
    result = job.execute_in_process(
        partition_key=partition,
        instance=instance,
        raise_on_error=False,
        run_config=QUIET_RUN_CONFIG,
        tags=tags,
    )
    return outcome_of(partition, result, time.perf_counter() - started)


def run_job_partitions(
    job_name: str,
    partitions: Sequence[str],
    settings: Settings,
    instance: DagsterInstance,
    *,
    on_outcome: Callable[[PartitionOutcome], None] | None = None,
    tags: dict[str, str] | None = None,
) -> list[PartitionOutcome]:
    """Run job ``job_name`` of the code location built from ``settings`` for each partition in turn.

    A failed partition does not stop the others.
    """
    job = _prepared_job(job_name, partitions, settings, instance)
    outcomes = []
    for partition in partitions:
        outcome = _run_partition(job, partition, instance, tags)
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    return outcomes


def consecutive_runs(partitions: Sequence[str], days_per_run: int) -> Iterator[list[str]]:
    """``partitions`` (ISO days) in their order, cut into runs of at most ``days_per_run``
    consecutive days: a gap between two days, or a day out of order, starts a new run."""
    run: list[str] = []
    for key in partitions:
        if run and (
            len(run) >= days_per_run
            or date.fromisoformat(key) != date.fromisoformat(run[-1]) + timedelta(days=1)
        ):
            yield run
            run = []
        run.append(key)
    if run:
        yield run


def run_job_days(
    job_name: str,
    partitions: Sequence[str],
    settings: Settings,
    instance: DagsterInstance,
    *,
    days_per_run: int = 31,
    on_outcome: Callable[[PartitionOutcome], None] | None = None,
    tags: dict[str, str] | None = None,
) -> list[PartitionOutcome]:
    """Run the daily job ``job_name`` over ``partitions`` in runs of up to ``days_per_run``
    consecutive days, as a backfill under the daily assets' policy does, with one outcome per day.

    A run over several days pays the run's set-up and each table's load once. When it fails, the
    days it completed keep its outcome and each other day is run again alone, so that a failed day
    costs only itself and its outcome (rows, checks, error) is that of a run of its own.
    """
    job = _prepared_job(job_name, partitions, settings, instance)
    if not isinstance(job.partitions_def, TimeWindowPartitionsDefinition):
        days_per_run = 1
    expected = set(job.asset_layer.selected_asset_keys)
    outcomes: list[PartitionOutcome] = []

    def emit(outcome: PartitionOutcome) -> None:
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)

    for run in consecutive_runs(partitions, max(days_per_run, 1)):
        if len(run) == 1:
            emit(_run_partition(job, run[0], instance, tags))
            continue
        started = time.perf_counter()
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config=QUIET_RUN_CONFIG,
            tags={**(tags or {}), RANGE_START_TAG: run[0], RANGE_END_TAG: run[-1]},
        )
        for outcome in day_outcomes(run, result, time.perf_counter() - started, expected):
            if not outcome.success:
                outcome = _run_partition(job, outcome.partition, instance, tags)
                outcome.retried_alone = True
            emit(outcome)
    return outcomes


def day_outcomes(
    days: Sequence[str], result: ExecuteInProcessResult, seconds: float, expected: set[AssetKey]
) -> list[PartitionOutcome]:
    """One outcome per day of a run over ``days``: the day's own rows and checks, its share of the
    run's time. A day of a failed run succeeded when every asset of the job materialized it and
    its gaps hold nothing a retry could fill (the gaps' check is what fails such a run)."""
    share = seconds / len(days)
    outcomes = {
        day: PartitionOutcome(day, result.success, share, run_id=result.run_id, run_days=len(days))
        for day in days
    }
    materialized: dict[str, set[AssetKey]] = {day: set() for day in days}
    gaps: dict[str, dict[str, int]] = {}
    run_checks: list[str] = []
    error: str | None = None
    for event in result.all_events:
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            mat = event.step_materialization_data.materialization
            outcome = outcomes.get(mat.partition or "")
            if outcome is None:
                continue
            materialized[outcome.partition].add(mat.asset_key)
            rows = mat.metadata.get("dagster/row_count")
            if rows is not None:
                outcome.rows[mat.asset_key.to_user_string()] = _count(rows)
            if mat.asset_key.to_user_string() == GAPS_ASSET:
                gaps[outcome.partition] = {
                    name: _count(mat.metadata[name])
                    for name in ("transient", "permanent")
                    if name in mat.metadata
                }
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not isinstance(evaluation, AssetCheckEvaluation) or evaluation.passed:
                continue
            label = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
            if evaluation.partition in outcomes:
                outcomes[evaluation.partition].failed_checks.append(label)
            elif evaluation.asset_key.to_user_string() != GAPS_ASSET:
                # A check over the whole run: it concerns each of its days.
                run_checks.append(label)
        elif event.event_type == DagsterEventType.STEP_FAILURE and error is None:
            failure = event.step_failure_data
            error = f"{event.step_key}: {_user_message(failure.error) if failure.error else 'step failed'}"
    for day, outcome in outcomes.items():
        found = gaps.get(day, {})
        # The gaps' checks cover the run; each day's own gaps say whether the day fails them.
        if found.get("transient"):
            outcome.failed_checks.append(f"{GAPS_ASSET}:day_complete")
        if found.get("permanent"):
            outcome.failed_checks.append(f"{GAPS_ASSET}:values_valid")
        outcome.failed_checks.extend(run_checks)
        if not result.success:
            outcome.success = materialized[day] >= expected and not found.get("transient")
            if not outcome.success:
                outcome.error = error or "run failed (see the Dagster run log)"
    return list(outcomes.values())


def _check_partitions(
    job_name: str, partitions_def: PartitionsDefinition | None, partitions: Sequence[str]
) -> None:
    """Refuse the whole range before any run when a day lies outside the job's daily partitions,
    rather than failing at that day after the earlier ones ran."""
    if not isinstance(partitions_def, TimeWindowPartitionsDefinition):
        return
    valid = partitions_def.filter_valid_partition_keys(set(partitions))
    unknown = [p for p in partitions if p not in valid]
    if unknown:
        more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
        raise UnknownPartitionError(
            f"{job_name} has no partition {unknown[0]}{more}: its days run from "
            f"{partitions_def.get_first_partition_key()} to {partitions_def.get_last_partition_key()}"
        )
