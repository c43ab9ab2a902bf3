"""A whole generated racing day ingested from the loopback replay server: wall time and peak RSS.

    .venv/bin/python benchmarks/bench_day.py                  # machine's Postgres, rate limit 0
    .venv/bin/python benchmarks/bench_day.py --date 2026-06-14 --seed 3 --concurrency 8
    .venv/bin/python benchmarks/bench_day.py --smoke          # two races of the day, seconds (CI)

The day is served by the replay server in its final state; the four endpoints' assets run in
this process exactly as ``hippique ingest`` runs them, into a throw-away database.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

from dagster import DagsterInstance
from scratch_db import scratch_database
from worlds import generated_source

from hippique_assets.lib.runner import run_job_partitions
from hippique_assets.settings import Settings
from hippique_replay.server import ReplayServer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("HIPPIQUE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--date", default="2026-03-23")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--races", type=int, default=None, help="keep only this many races of the day")
    parser.add_argument("--smoke", action="store_true", help="two races: checks the script still runs")
    args = parser.parse_args()
    if args.smoke:
        args.races = 2

    with scratch_database(args.admin_url) as url:
        run(args, url)


def run(args: argparse.Namespace, url: str) -> None:
    os.environ["HIPPIQUE_PG_URL"] = url
    day = date.fromisoformat(args.date)
    source = generated_source(args.seed, [day], args.races)
    with tempfile.TemporaryDirectory() as home, ReplayServer(source) as server:
        settings = Settings.replayed(Path(home), server.base_url, concurrency=args.concurrency)
        began = time.perf_counter()
        [outcome] = run_job_partitions("ingest_day", [args.date], settings, DagsterInstance.ephemeral())
        wall = time.perf_counter() - began
        requests = server.stats.requests
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    races = outcome.rows.get("races", 0)
    print(
        f"day {args.date} (seed {args.seed}): {'ok' if outcome.success else 'FAILED ' + str(outcome.error)}"
    )
    print(f"  races {races}, rows {sum(outcome.rows.values())}, requests served {requests}")
    print(f"  wall {wall:.1f} s (rate limit 0, concurrency {args.concurrency}), peak RSS {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
