"""Race-clock sensor evaluation time with a plan of 200 races (and a season of past plans) in Postgres.

    .venv/bin/python benchmarks/bench_sensor.py                       # machine's Postgres, 200 races
    .venv/bin/python benchmarks/bench_sensor.py --races 400 --past-days 365 --repeat 50
    .venv/bin/python benchmarks/bench_sensor.py --smoke                # tiny sizes, seconds (CI)

Each evaluation is a full sensor tick as the daemon runs it: the plan query, the due-phase logic,
one run request per due phase. The plan is written to a throw-away database, brought to the latest migration first and dropped
at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from dagster import DagsterInstance, build_sensor_context
from scratch_db import scratch_database

from hippique_assets.defs.clock_resource import ClockResource
from hippique_assets.defs.race_day.automation import build_race_clock_sensor
from hippique_assets.racing.plan import build_race_plan
from hippique_assets.racing.tables import RACE_PLAN
from hippique_assets.settings import load_settings
from hippique_assets.storage import migrate
from hippique_assets.storage.postgres import PostgresResource


def plan_for(day: date, races: int, first_start: datetime) -> pd.DataFrame:
    rows = [
        {
            "race_date": day,
            "reunion": i // 10 + 1,
            "course": i % 10 + 1,
            "name": "PRIX",
            "start_utc": first_start + timedelta(minutes=3 * (i % 40)),
            "discipline": "ATTELE",
            "distance_m": 2700,
            "n_declared": 14,
            "status": "PROGRAMMEE",
            "category_status": "A_PARTIR",
        }
        for i in range(races)
    ]
    reunions = pd.DataFrame(
        [
            {"reunion": r, "hippodrome_name": "VINCENNES", "country_code": "FRA"}
            for r in range(1, races // 10 + 2)
        ]
    )
    return build_race_plan(pd.DataFrame(rows), reunions, day, planned_at=first_start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("HIPPIQUE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--races", type=int, default=200)
    parser.add_argument("--past-days", type=int, default=365, help="Past days of 60 races also in the table")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks the script still runs")
    args = parser.parse_args()
    if args.smoke:
        args.races, args.past_days, args.repeat = 20, 2, 2

    with scratch_database(args.admin_url) as url:
        # The tables are created by the migrations, as `hippique db upgrade` does in a deploy.
        migrate.upgrade(url)
        run(args, url)


def run(args: argparse.Namespace, url: str) -> None:
    postgres = PostgresResource(url=url)
    day = date(2026, 6, 14)
    start = datetime(2026, 6, 14, 11, 0, tzinfo=UTC)
    for back in range(args.past_days, 0, -1):
        past = day - timedelta(days=back)
        postgres.write_frame(
            RACE_PLAN, plan_for(past, 60, start - timedelta(days=back)), partition_values=[past]
        )
    postgres.write_frame(RACE_PLAN, plan_for(day, args.races, start), partition_values=[day])
    sensor = build_race_clock_sensor(load_settings({}))
    instance = DagsterInstance.ephemeral()
    # Half the races (20 starts 3 min apart, repeated) have a phase in its window at this instant.
    now = start + timedelta(minutes=40)
    cursor = json.dumps({"last_tick": (now - timedelta(seconds=30)).isoformat()})
    timings, requests = [], 0
    for _ in range(args.repeat):
        context = build_sensor_context(
            instance=instance,
            cursor=cursor,
            resources={"postgres": postgres, "clock": ClockResource(spec=f"at:{now.isoformat()}")},
        )
        began = time.perf_counter()
        result = sensor(context)
        timings.append(time.perf_counter() - began)
        requests = len(result.run_requests)
    timings.sort()
    print(f"plan: {args.races} races today, {args.past_days} past days of 60 races in {RACE_PLAN.fullname}")
    print(f"run requests per tick: {requests}")
    print(
        f"sensor evaluation over {args.repeat} ticks: min {timings[0] * 1000:.1f} ms, "
        f"median {statistics.median(timings) * 1000:.1f} ms, "
        f"p95 {timings[int(0.95 * (len(timings) - 1))] * 1000:.1f} ms, max {timings[-1] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
