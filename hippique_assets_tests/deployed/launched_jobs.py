"""Jobs the run launcher tests launch: one that says which process ran it, one that waits."""

# No `from __future__ import annotations`: Dagster reads the config class from the annotation.

import os
import time
from pathlib import Path

from dagster import Config, OpExecutionContext, in_process_executor, job, op


class MarkerConfig(Config):
    marker: str


@op
def say_where(config: MarkerConfig) -> None:
    Path(config.marker).write_text(f"{os.getpid()} {os.getppid()}")


@op
def wait_for_a_minute(context: OpExecutionContext, config: MarkerConfig) -> None:
    Path(config.marker).write_text(f"{os.getpid()} {os.getppid()}")
    for _ in range(600):
        time.sleep(0.1)
    context.log.info("waited")


@job(executor_def=in_process_executor)
def where() -> None:
    say_where()


@job(executor_def=in_process_executor)
def waits() -> None:
    wait_for_a_minute()
