"""A daily ingest launched through the real daemon against the same day through the CLI, side by side.

    .venv/bin/python benchmarks/bench_daemon_ingest.py                 # 3 rounds, machine's Postgres
    .venv/bin/python benchmarks/bench_daemon_ingest.py --rounds 5 --date 2026-03-23
    .venv/bin/python benchmarks/bench_daemon_ingest.py --smoke      # one round of a two-race day (CI)

Each round ingests one generated day twice, in turn: ``hippique ingest --date D`` (a process, as a
user runs it), then a one-day backfill of ``ingest_day`` (``dagster job backfill``) that the
backfill daemon, the queued run coordinator and the run launcher of a running ``dagster-daemon``
and gRPC code server carry out. Both write the same Dagster instance, so both runs are read back
from it: run time is the run's start to end, "submitted to done" is the run's creation to its end.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter
from figures import DONE, spread
from scratch_db import scratch_database
from worlds import generated_source

from hippique_assets.cli.processes import (
    code_server,
    daemon,
    executable,
    free_port,
    wait_for_port,
    write_grpc_workspace,
)
from hippique_assets.lib.runner import ensure_dagster_home
from hippique_replay.server import ReplayServer


def latest_run(instance: DagsterInstance, day: str, after: datetime, backfill: bool, timeout_s: float = 600):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        records = instance.get_run_records(
            RunsFilter(job_name="ingest_day", tags={"dagster/partition": day}, created_after=after)
        )
        for record in records:
            from_backfill = "dagster/backfill" in record.dagster_run.tags
            if from_backfill == backfill and record.dagster_run.status in DONE:
                return record
        time.sleep(0.5)
    raise TimeoutError(f"no finished ingest_day run for {day} ({'backfill' if backfill else 'CLI'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", default="2026-03-23", help="first day; each round takes the next day")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("HIPPIQUE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--races", type=int, default=None, help="keep only this many races a day")
    parser.add_argument("--smoke", action="store_true", help="one round of a two-race day (CI)")
    args = parser.parse_args()
    if args.smoke:
        args.rounds, args.races = 1, 2
    first = date.fromisoformat(args.date)
    days = [first + timedelta(days=n) for n in range(args.rounds)]

    with (
        scratch_database(args.admin_url) as url,
        tempfile.TemporaryDirectory() as tmp,
        ReplayServer(generated_source(args.seed, days, args.races)) as server,
    ):
        home = Path(tmp)
        os.environ.update(
            HIPPIQUE_PG_URL=url,
            HIPPIQUE_HOME=str(home),
            DAGSTER_HOME=str(home / "dagster_home"),
            HIPPIQUE_PMU_BASE_URL=server.base_url,
            HIPPIQUE_RATE_LIMIT="0",
        )
        dagster_home = ensure_dagster_home(home)
        instance = DagsterInstance.get()
        port = free_port()
        server_process = code_server(port, home / "code-server.log", dict(os.environ)).start()
        processes = [server_process]
        try:
            wait_for_port(server_process, port, timeout_s=120)
            workspace = write_grpc_workspace(dagster_home / "workspace.yaml", port)
            processes.append(daemon(workspace, home / "daemon.log", dict(os.environ)).start())
            rows = []
            for current in days:
                day = current.isoformat()
                before = datetime.now(UTC)
                began = time.perf_counter()
                subprocess.run(
                    [executable("hippique"), "ingest", "--date", day], check=True, capture_output=True
                )
                cli_wall = time.perf_counter() - began
                cli = latest_run(instance, day, before, backfill=False)
                before = datetime.now(UTC)
                subprocess.run(
                    [
                        executable("dagster"),
                        "job",
                        "backfill",
                        "-j",
                        "ingest_day",
                        "--partitions",
                        day,
                        "--noprompt",
                        "-w",
                        str(workspace),
                    ],
                    check=True,
                    capture_output=True,
                )
                via_daemon = latest_run(instance, day, before, backfill=True)
                row = {
                    "day": day,
                    "cli_wall": cli_wall,
                    "cli_run": cli.end_time - cli.start_time,
                    "daemon_run": via_daemon.end_time - via_daemon.start_time,
                    "daemon_total": via_daemon.end_time - via_daemon.create_timestamp.timestamp(),
                    "ok": cli.dagster_run.status == via_daemon.dagster_run.status == DagsterRunStatus.SUCCESS,
                }
                rows.append(row)
                print(
                    f"{day}: CLI command {row['cli_wall']:.1f} s (run {row['cli_run']:.1f} s); daemon run "
                    f"{row['daemon_run']:.1f} s, submitted to done {row['daemon_total']:.1f} s"
                    f"{'' if row['ok'] else '  (a run FAILED)'}"
                )
        finally:
            for process in reversed(processes):
                process.stop()
            instance.dispose()
    print("\nratios, min / median / max")
    print(
        f"daemon run / CLI run:                    {spread([r['daemon_run'] / r['cli_run'] for r in rows])}"
    )
    print(
        f"daemon submitted-to-done / CLI command:  {spread([r['daemon_total'] / r['cli_wall'] for r in rows])}"
    )


if __name__ == "__main__":
    main()
