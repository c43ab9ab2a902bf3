"""Run the code location's jobs in this process, one partition at a time, with readable progress.

The CLI uses this for ``hippique ingest``, the demo and the morning plan of ``hippique day``: the
jobs, assets, resources and instance are those the webserver and the daemon use, so what the CLI
loads shows in the UI under the job's own name (``ingest_day``, ``plan_day``).
"""

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from dagster import (
    DagsterEventType,
    DagsterInstance,
    ExecuteInProcessResult,
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


@dataclass
class PartitionOutcome:
    partition: str
    success: bool
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    failed_checks: list[str] = field(default_factory=list)
    run_id: str | None = None


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
                outcome.rows[mat.asset_key.to_user_string()] = int(rows.value)
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed:
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
    from hippique_assets.definitions import build_definitions

    job = build_definitions(settings).resolve_job_def(job_name)
    _check_partitions(job_name, job.partitions_def, partitions)
    if len(partitions) > 1:
        # Many runs in one process: keep Dagster's storage connections open between events rather
        # than opening one per event (what the webserver does for the same reason).
        instance.optimize_for_webserver(statement_timeout=0, pool_recycle=3600, max_overflow=4)
    outcomes = []
    for partition in partitions:
        started = time.perf_counter()
        result = job.execute_in_process(
            partition_key=partition,
            instance=instance,
            raise_on_error=False,
            run_config=QUIET_RUN_CONFIG,
            tags=tags,
        )
        outcome = outcome_of(partition, result, time.perf_counter() - started)
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    return outcomes


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
