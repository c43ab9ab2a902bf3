"""A season of generated days ingested into Postgres with a production-like Postgres Dagster instance.

    .venv/bin/python benchmarks/bench_season.py                      # 30 days, CLI path then daemon path
    .venv/bin/python benchmarks/bench_season.py --first 2025-11-01 --days 365 --paths cli

The replay server runs in a process of its own (``hippique replay serve``), so that generating the
days is not counted against the ingestion. Two paths, side by side on the same days:

- cli: one run per day in this process, as ``hippique ingest --date D1 --to Dn`` does;
- daemon: one partition backfill of ``ingest_day`` launched through the webserver's GraphQL API as
  the UI launches it, carried out by a running ``dagster-daemon`` and gRPC code server; it is an
  asset backfill, so the daily assets' backfill policy applies (31 days per run).

Each path writes its own tables database; both use one Postgres database for Dagster's storage.
Prints per-day times (first and last ten days' medians for the CLI path: the time per day must not
grow with the tables), totals, the 365-day projection and the daemon / CLI ratio per day.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter
from figures import DONE
from scratch_db import scratch_database

from hippique_assets.cli.processes import (
    ManagedProcess,
    code_server,
    daemon,
    executable,
    free_port,
    wait_for_port,
    webserver,
    write_grpc_workspace,
)
from hippique_assets.defs.runner import local_instance_config, run_job_partitions
from hippique_assets.settings import Settings
from hippique_assets.storage import migrate
from hippique_assets_tests.deployed.graphql import DagsterUi


def postgres_instance_yaml(storage_url: str) -> str:
    """The local instance configuration with Dagster's storage in Postgres, as in production."""
    return (
        local_instance_config()
        + "\nstorage:\n  postgres:\n    postgres_url: "
        + storage_url.replace("postgresql://", "postgresql+psycopg2://", 1)
        + "\n"
    )


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def cli_path(days: list[date], base_url: str, home: Path, tables_url: str) -> tuple[float, list[float], int]:
    os.environ["HIPPIQUE_PG_URL"] = tables_url
    settings = Settings.replayed(home, base_url)
    instance = DagsterInstance.get()
    began = time.perf_counter()
    outcomes = run_job_partitions("ingest_day", [d.isoformat() for d in days], settings, instance)
    total = time.perf_counter() - began
    return total, [o.seconds for o in outcomes], sum(not o.success for o in outcomes)


def daemon_path(
    days: list[date], base_url: str, home: Path, tables_url: str, dagster_home: Path
) -> tuple[float, int, int]:
    env = {
        **os.environ,
        "DAGSTER_HOME": str(dagster_home),
        "HIPPIQUE_HOME": str(home),
        "HIPPIQUE_PG_URL": tables_url,
        "HIPPIQUE_FILES_DIR": str(home / "files"),
        "HIPPIQUE_PMU_BASE_URL": base_url,
        "HIPPIQUE_RATE_LIMIT": "0",
    }
    port = free_port()
    processes = [code_server(port, home / "code-server.log", env).start()]
    try:
        wait_for_port(processes[0], port, timeout_s=120)
        workspace = write_grpc_workspace(home / "workspace.yaml", port)
        processes.append(daemon(workspace, home / "daemon.log", env).start())
        web_port = free_port()
        processes.append(webserver(workspace, web_port, home / "webserver.log", env).start())
        wait_for_port(processes[-1], web_port, timeout_s=120)
        instance = DagsterInstance.get()
        before = datetime.now(UTC)
        began = time.perf_counter()
        # As the UI launches it: an asset backfill, which follows the assets' backfill policy
        # (`dagster job backfill` would make a job backfill of one run per day).
        DagsterUi(web_port).launch_backfill("ingest_day", [d.isoformat() for d in days])
        covered: set[date] = set()
        failed = 0
        runs = 0
        while covered != set(days):
            for process in processes:
                process.check_running()
            records = instance.get_run_records(RunsFilter(job_name="ingest_day", created_after=before))
            finished = [r for r in records if r.dagster_run.status in DONE]
            covered, failed, runs = set(), 0, len(records)
            for record in finished:
                tags = record.dagster_run.tags
                first = date.fromisoformat(
                    tags.get("dagster/asset_partition_range_start") or tags["dagster/partition"]
                )
                last = date.fromisoformat(
                    tags.get("dagster/asset_partition_range_end") or tags["dagster/partition"]
                )
                covered |= {first + timedelta(days=n) for n in range((last - first).days + 1)}
                failed += record.dagster_run.status != DagsterRunStatus.SUCCESS
            time.sleep(1.0)
        return time.perf_counter() - began, runs, failed
    finally:
        for process in reversed(processes):
            process.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", default="2026-01-01")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--paths", default="cli,daemon", help="cli, daemon or both (comma-separated)")
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("HIPPIQUE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    args = parser.parse_args()
    first = date.fromisoformat(args.first)
    days = [first + timedelta(days=n) for n in range(args.days)]
    paths = [p.strip() for p in args.paths.split(",") if p.strip()]
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp, scratch_database(args.admin_url) as storage_url:
        root = Path(tmp)
        server = ManagedProcess(
            "replay server",
            [
                executable("hippique"),
                "replay",
                "serve",
                "--seed",
                str(args.seed),
                "--port",
                str(port),
                "--quiet",
                "--cache-days",
                "4",
            ],
            root / "replay.log",
        ).start()
        base_url = f"http://127.0.0.1:{port}/rest/client/61"
        dagster_home = root / "dagster_home"
        dagster_home.mkdir()
        (dagster_home / "dagster.yaml").write_text(postgres_instance_yaml(storage_url))
        os.environ["DAGSTER_HOME"] = str(dagster_home)
        try:
            wait_for_port(server, port, timeout_s=60)
            figures = {}
            if "cli" in paths:
                with scratch_database(args.admin_url) as tables_url:
                    migrate.upgrade(tables_url)
                    total, per_day, failed = cli_path(days, base_url, root / "cli", tables_url)
                figures["cli"] = total / len(days)
                head, tail = per_day[:10], per_day[-10:]
                print(
                    f"cli: {len(days)} days in {total:.0f} s ({failed} failed), {total / len(days):.2f} s a day"
                )
                print(
                    f"     per day, median of the first ten {_median(head):.2f} s, of the last ten {_median(tail):.2f} s"
                )
                print(f"     365 days projected: {365 * total / len(days) / 60:.1f} min")
            if "daemon" in paths:
                with scratch_database(args.admin_url) as tables_url:
                    migrate.upgrade(tables_url)
                    total, runs, failed = daemon_path(
                        days, base_url, root / "daemon", tables_url, dagster_home
                    )
                figures["daemon"] = total / len(days)
                print(
                    f"daemon: {len(days)} days in {total:.0f} s over {runs} run(s) ({failed} failed), {total / len(days):.2f} s a day"
                )
                print(f"        365 days projected: {365 * total / len(days) / 60:.1f} min")
            if len(figures) == 2:
                print(f"daemon / cli per day: {figures['daemon'] / figures['cli']:.2f}x")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
