"""Materialize assets in this process, one partition at a time, with readable progress.

The CLI uses this for ``hippique ingest`` and the demo: the same assets, resources and instance as
``dagster dev``, so what the CLI loads shows in the UI.
"""

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dagster import AssetsDefinition, DagsterEventType, DagsterInstance, materialize

QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


@dataclass
class PartitionOutcome:
    partition: str
    success: bool
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    failed_checks: list[str] = field(default_factory=list)


def dagster_instance(home: Path) -> DagsterInstance:
    """The persistent instance under ``DAGSTER_HOME`` (default ``<home>/dagster_home``)."""
    dagster_home = os.environ.get("DAGSTER_HOME")
    if not dagster_home:
        dagster_home = str((home / "dagster_home").resolve())
        os.environ["DAGSTER_HOME"] = dagster_home
    Path(dagster_home).mkdir(parents=True, exist_ok=True)
    config = Path(dagster_home) / "dagster.yaml"
    if not config.exists():
        # A local instance: SQLite storage beside the data, and no usage reporting from a racing box.
        config.write_text("telemetry:\n  enabled: false\n")
    return DagsterInstance.get()


def materialize_partitions(
    assets: Sequence[AssetsDefinition],
    partitions: Sequence[str],
    resources: dict[str, Any],
    instance: DagsterInstance,
    *,
    on_outcome: Callable[[PartitionOutcome], None] | None = None,
    tags: dict[str, str] | None = None,
) -> list[PartitionOutcome]:
    """Run the assets for each partition in turn; a failed partition does not stop the others."""
    outcomes = []
    for partition in partitions:
        started = time.perf_counter()
        result = materialize(
            assets,
            partition_key=partition,
            resources=resources,
            instance=instance,
            raise_on_error=False,
            run_config=QUIET_RUN_CONFIG,
            tags=tags,
        )
        outcome = PartitionOutcome(partition, result.success, time.perf_counter() - started)
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
                message = failure.error.message.strip() if failure.error else "step failed"
                outcome.error = f"{event.step_key}: {message}"
        if not result.success and outcome.error is None:
            outcome.error = "run failed (see the Dagster run log)"
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    return outcomes
