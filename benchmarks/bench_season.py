"""A season of generated days ingested the way users and the daemon do it, side by side on the same days.

    .venv/bin/python benchmarks/bench_season.py                                  # 30 days from 2026-01-01
    .venv/bin/python benchmarks/bench_season.py --first 2025-11-01 --days 365 --paths cli
    .venv/bin/python benchmarks/bench_season.py --days 3 --repeat 3 --paths cli,cli-daily
    .venv/bin/python benchmarks/bench_season.py --smoke                          # 2 days of 2 races (CI)

The replay server runs in a process of its own. By default the days are written first (``hippique
replay generate``, untimed) and served byte for byte by ``hippique replay serve --folder``, as
recorded real days are, so that the generator's work (about 2 s of CPU a day) does not compete with
the ingestion for the same cores; ``--world generated`` generates them on request instead
(``benchmarks/worlds.py``, the world ``hippique replay serve --seed`` serves). Paths:

- cli: ``hippique ingest --date D1 --to Dn --base-url URL --rate-limit 0`` as a process, exactly as a
  user types it, with a fresh empty database and a fresh ``HIPPIQUE_HOME`` (so its local Dagster
  instance is new too); the wall time includes the process start and the tables' migration;
- cli-daily: the same command with ``--days-per-run 1`` (one run per day, what the command did before);
- daemon: one partition backfill of ``ingest_day`` launched through the webserver's GraphQL API as
  the UI launches it, carried out by a running ``dagster-daemon`` and gRPC code server on a Postgres
  Dagster instance; an asset backfill, so the daily assets' backfill policy applies (31 days per
  run). Timed from the launch to the last run's end (the processes' start is printed apart).

Prints per day and per race (days differ in size), min / median / max over ``--repeat`` runs of the
command paths, the command's peak RSS, the 365-day projection and each path's ratio to ``cli``.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg2
from dagster import DagsterInstance, DagsterRunStatus, RunsFilter
from figures import DONE, spread
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
from hippique_assets.lib.runner import local_instance_config
from hippique_assets_tests.deployed.graphql import DagsterUi

HERE = Path(__file__).resolve().parent
DAY_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(ok|FAILED)\s+([\d.]+) s")


@dataclass
class Measure:
    """One ingestion of the days by one path."""

    wall_s: float
    races: int
    failed: int
    runs: int
    peak_rss_mb: float | None = None
    # The command's own time per day (its share of the day's run), in day order.
    per_day_s: list[float] = field(default_factory=list)


def postgres_instance_yaml(storage_url: str) -> str:
    """The local instance configuration with Dagster's storage in Postgres, as in production."""
    return (
        local_instance_config()
        + "\nstorage:\n  postgres:\n    postgres_url: "
        + storage_url.replace("postgresql://", "postgresql+psycopg2://", 1)
        + "\n"
    )


def races_in(url: str, days: list[date]) -> int:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select count(*) from pmu.races where race_date between %s and %s", (days[0], days[-1]))
        return int(cur.fetchone()[0])


def command_path(days: list[date], base_url: str, home: Path, admin_url: str, *extra: str) -> Measure:
    """``hippique ingest`` over the days as a process, fresh database and home."""
    home.mkdir(parents=True)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("HIPPIQUE_") and k != "DAGSTER_HOME"}
    with scratch_database(admin_url) as url:
        environ.update(HIPPIQUE_HOME=str(home), HIPPIQUE_PG_URL=url)
        command = [
            executable("hippique"),
            "ingest",
            "--date",
            days[0].isoformat(),
            "--to",
            days[-1].isoformat(),
        ]
        command += ["--base-url", base_url, "--rate-limit", "0", *extra]
        log = home / "ingest.log"
        began = time.perf_counter()
        with log.open("w") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=environ)
            # wait4 gives this child's own peak RSS (kilobytes on Linux).
            _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        lines = [m for line in log.read_text().splitlines() if (m := DAY_LINE.match(line))]
        if len(lines) != len(days):
            sys.exit(
                f"hippique ingest printed {len(lines)} day lines for {len(days)} days:\n{log.read_text()}"
            )
        with DagsterInstance.from_config(str(home / "dagster_home")) as instance:
            runs = len(instance.get_run_records(RunsFilter(job_name="ingest_day")))
        return Measure(
            wall_s=wall,
            races=races_in(url, days),
            failed=sum(m.group(2) != "ok" for m in lines),
            runs=runs,
            peak_rss_mb=usage.ru_maxrss / 1024,
            per_day_s=[float(m.group(3)) for m in lines],
        )


def daemon_path(days: list[date], base_url: str, home: Path, admin_url: str, storage_url: str) -> Measure:
    dagster_home = home / "dagster_home"
    dagster_home.mkdir(parents=True)
    (dagster_home / "dagster.yaml").write_text(postgres_instance_yaml(storage_url))
    with scratch_database(admin_url) as tables_url:
        env = {
            **os.environ,
            "DAGSTER_HOME": str(dagster_home),
            "HIPPIQUE_HOME": str(home),
            "HIPPIQUE_PG_URL": tables_url,
            "HIPPIQUE_FILES_DIR": str(home / "files"),
            "HIPPIQUE_PMU_BASE_URL": base_url,
            "HIPPIQUE_RATE_LIMIT": "0",
        }
        started = time.perf_counter()
        port = free_port()
        processes = [code_server(port, home / "code-server.log", env).start()]
        try:
            wait_for_port(processes[0], port, timeout_s=180)
            workspace = write_grpc_workspace(home / "workspace.yaml", port)
            processes.append(daemon(workspace, home / "daemon.log", env).start())
            web_port = free_port()
            processes.append(webserver(workspace, web_port, home / "webserver.log", env).start())
            wait_for_port(processes[-1], web_port, timeout_s=180)
            print(f"daemon: code server, daemon and webserver up in {time.perf_counter() - started:.0f} s")
            instance = DagsterInstance.from_config(str(dagster_home))
            before = datetime.now(UTC)
            began = time.perf_counter()
            # As the UI launches it: an asset backfill, which follows the assets' backfill policy
            # (`dagster job backfill` would make a job backfill of one run per day).
            DagsterUi(web_port).launch_backfill("ingest_day", [d.isoformat() for d in days])
            covered: set[date] = set()
            failed = runs = 0
            while covered != set(days):
                for process in processes:
                    process.check_running()
                records = instance.get_run_records(RunsFilter(job_name="ingest_day", created_after=before))
                covered, failed, runs = set(), 0, len(records)
                for record in (r for r in records if r.dagster_run.status in DONE):
                    tags = record.dagster_run.tags
                    first = date.fromisoformat(
                        tags.get("dagster/asset_partition_range_start") or tags["dagster/partition"]
                    )
                    last = date.fromisoformat(
                        tags.get("dagster/asset_partition_range_end") or tags["dagster/partition"]
                    )
                    span = {first + timedelta(days=n) for n in range((last - first).days + 1)}
                    covered |= span
                    if record.dagster_run.status != DagsterRunStatus.SUCCESS:
                        failed += len(span)
                time.sleep(0.5)
            wall = time.perf_counter() - began
            instance.dispose()
        finally:
            for process in reversed(processes):
                process.stop()
        return Measure(wall_s=wall, races=races_in(tables_url, days), failed=failed, runs=runs)


def report(name: str, days: list[date], measures: list[Measure]) -> float:
    """Print one path's figures; returns its median wall time."""
    walls = [m.wall_s for m in measures]
    per_day = [w / len(days) for w in walls]
    per_race = [m.wall_s / max(m.races, 1) for m in measures]
    last = measures[-1]
    failed = sum(m.failed for m in measures)
    print(
        f"{name}: {len(days)} days, {last.races} races, {last.runs} run(s), {failed} failed day(s) "
        f"over {len(measures)} repeat(s); min / median / max"
    )
    print(f"  wall        {spread(walls, 1, ' s')}")
    print(f"  per day     {spread(per_day, 2, ' s')}")
    print(f"  per race    {spread(per_race, 3, ' s')}")
    print(f"  365 days projected (median): {365 * statistics.median(per_day) / 60:.1f} min")
    if last.peak_rss_mb is not None:
        print(f"  peak RSS of the command: {spread([m.peak_rss_mb or 0.0 for m in measures], 0, ' MB')}")
    if len(last.per_day_s) >= 20:
        head, tail = last.per_day_s[:10], last.per_day_s[-10:]
        print(
            f"  the command's time per day, median of the first ten {statistics.median(head):.2f} s, "
            f"of the last ten {statistics.median(tail):.2f} s"
        )
    return statistics.median(walls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", default="2026-01-01")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--paths", default="cli,daemon", help="cli, cli-daily, daemon (comma-separated)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each command path")
    parser.add_argument("--races", type=int, default=None, help="keep only this many races a day")
    parser.add_argument(
        "--world",
        choices=("recorded", "generated"),
        default="recorded",
        help="serve the days written beforehand (default) or generate them on request",
    )
    parser.add_argument("--smoke", action="store_true", help="2 days of 2 races, every path (CI)")
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("HIPPIQUE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    args = parser.parse_args()
    if args.smoke:
        args.days, args.races, args.repeat, args.paths = 2, 2, 1, "cli,cli-daily,daemon"
        args.world = "generated"
    first = date.fromisoformat(args.first)
    days = [first + timedelta(days=n) for n in range(args.days)]
    paths = [p.strip() for p in args.paths.split(",") if p.strip()]
    unknown = set(paths) - {"cli", "cli-daily", "daemon"}
    if unknown:
        parser.error(f"unknown path(s): {', '.join(sorted(unknown))}")
    if args.races is not None and args.world == "recorded":
        parser.error("--races needs --world generated")
    port = free_port()
    print(
        f"days {days[0]} .. {days[-1]} (seed {args.seed}, {args.world} world"
        f"{f', {args.races} races a day' if args.races else ''})"
    )
    with tempfile.TemporaryDirectory() as tmp, scratch_database(args.admin_url) as storage_url:
        root = Path(tmp)
        if args.world == "recorded":
            began = time.perf_counter()
            folder = root / "world"
            generate = [executable("hippique"), "replay", "generate", "--date", days[0].isoformat()]
            generate += ["--to", days[-1].isoformat(), "--out", str(folder), "--seed", str(args.seed)]
            subprocess.run(generate, check=True, capture_output=True)
            print(f"days written in {time.perf_counter() - began:.0f} s (untimed)")
            world = [executable("hippique"), "replay", "serve", "--folder", str(folder)]
            world += ["--port", str(port), "--quiet"]
        else:
            world = [sys.executable, str(HERE / "worlds.py"), "--port", str(port), "--seed", str(args.seed)]
            if args.races is not None:
                subset = ["--first", days[0].isoformat(), "--days", str(len(days))]
                world += [*subset, "--races", str(args.races)]
        server = ManagedProcess("replay server", world, root / "replay.log").start()
        base_url = f"http://127.0.0.1:{port}/rest/client/61"
        try:
            wait_for_port(server, port, timeout_s=120)
            medians: dict[str, float] = {}
            for name in paths:
                if name == "daemon":
                    measures = [daemon_path(days, base_url, root / "daemon", args.admin_url, storage_url)]
                else:
                    extra = ("--days-per-run", "1") if name == "cli-daily" else ()
                    measures = [
                        command_path(days, base_url, root / f"{name}-{n}", args.admin_url, *extra)
                        for n in range(args.repeat)
                    ]
                medians[name] = report(name, days, measures)
            if "cli" in medians:
                for name, wall in medians.items():
                    if name != "cli":
                        print(f"{name} / cli wall (medians): {wall / medians['cli']:.2f}x")
        finally:
            server.stop()
    print(f"this process's peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
