"""Race-day work against a season of history: one race's H-5 analysis and one day's asset checks,
with 20 days and then a year of synthetic history in the tables.

    .venv/bin/python benchmarks/bench_history_scale.py                 # 20 days, then 365
    .venv/bin/python benchmarks/bench_history_scale.py --days 365 --races 60 --repeat 7
    .venv/bin/python benchmarks/bench_history_scale.py --smoke      # 20 then 22 days of 3 races (CI)

The history is written straight into a throw-away database (60 races of 12 runners a day, 400
jockeys, 500 trainers, 40,000 horses with their past races): what is measured is the queries and
the computation of the H-5 step and of the checks, not the ingestion. Figures are min / median /
max over ``--repeat`` runs, for both sizes side by side.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd
from figures import spread
from scratch_db import scratch_database

from hippique_assets.analysis.config import default_config
from hippique_assets.analysis.history import race_inputs
from hippique_assets.analysis.pipeline import analyse_race
from hippique_assets.lib.table_checks import table_check_results
from hippique_assets.pmu.parse_common import typed_frame
from hippique_assets.pmu.schema.live_odds import ODDS_SNAPSHOTS
from hippique_assets.pmu.schema.participants import HORSES, PARTICIPANTS
from hippique_assets.pmu.schema.performances import PERFORMANCES
from hippique_assets.pmu.schema.programme import RACES
from hippique_assets.racing.keys import race_key
from hippique_assets.storage import migrate
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets.storage.tables import column_names

LAST_DAY = date(2026, 3, 23)
RUNNERS = 12


def _row(table, **values):
    return {name: values.get(name) for name in column_names(table)}


def day_rows(day: date, races: int, rng: np.random.Generator, horses: int) -> dict:
    race_rows, runner_rows, horse_rows = [], [], []
    for course in range(1, races + 1):
        reunion, c = 1 + (course - 1) // 10, 1 + (course - 1) % 10
        key = race_key(day, reunion, c)
        start = datetime(day.year, day.month, day.day, 11, tzinfo=UTC) + timedelta(minutes=10 * course)
        race_rows.append(
            _row(
                RACES,
                race_date=day,
                reunion=reunion,
                course=c,
                race_key=key,
                start_utc=start,
                start_paris=start.replace(tzinfo=None) + timedelta(hours=1),
                discipline="ATTELE",
            )
        )
        ids = rng.choice(horses, RUNNERS + 4, replace=False)[
            : 16 if day == LAST_DAY and course == 1 else RUNNERS
        ]
        winner = int(rng.integers(1, len(ids) + 1))
        for number, horse in enumerate(ids, start=1):
            hid = f"H{horse}"
            runner_rows.append(
                _row(
                    PARTICIPANTS,
                    race_date=day,
                    reunion=reunion,
                    course=c,
                    race_key=key,
                    number=number,
                    horse_id=hid,
                    horse_name=hid,
                    non_runner=False,
                    jockey=f"J{rng.integers(400)}",
                    trainer=f"T{rng.integers(500)}",
                    musique="1a2a3a",
                    odds_direct=float(rng.uniform(2, 40)),
                    finish_rank=None if day == LAST_DAY else (1 if number == winner else number + 1),
                )
            )
            horse_rows.append(
                _row(
                    HORSES,
                    horse_id=hid,
                    horse_id_source="pmu",
                    name=hid,
                    first_seen=day,
                    last_seen=day,
                )
            )
    return {"races": race_rows, "participants": runner_rows, "horses": horse_rows}


def load_days(postgres: PostgresResource, days: list[date], races: int, rng: np.random.Generator) -> None:
    for start in range(0, len(days), 30):
        chunk = days[start : start + 30]
        rows = {"races": [], "participants": [], "horses": []}
        for day in chunk:
            for name, found in day_rows(day, races, rng, 40_000).items():
                rows[name] += found
        postgres.write_frame(RACES, typed_frame(RACES, rows["races"]), partition_values=chunk)
        postgres.write_frame(
            PARTICIPANTS,
            typed_frame(PARTICIPANTS, rows["participants"]),
            partition_values=chunk,
        )
        horses = typed_frame(HORSES, rows["horses"]).drop_duplicates("horse_id", keep="last")
        postgres.write_frame(HORSES, horses)
        performances = [
            _row(
                PERFORMANCES,
                horse_id=h,
                past_race_date=chunk[0] - timedelta(days=k * 17 + 1),
                reduction_km_s=float(70 + k),
                discipline="ATTELE",
                last_seen_date=chunk[-1],
                last_seen_race_key=race_key(chunk[-1], 1, 1),
            )
            for h in horses["horse_id"].head(3000)
            for k in range(4)
        ]
        postgres.write_frame(
            PERFORMANCES,
            typed_frame(PERFORMANCES, performances).drop_duplicates(["horse_id", "past_race_date"]),
        )


def snapshots(postgres: PostgresResource, key: str, start: datetime) -> None:
    runners = postgres.query_frame("select * from pmu.participants where race_key = %s", (key,))
    rows = []
    for phase, before in (("h30", 30), ("h5", 5)):
        for r in runners.itertuples():
            rows.append(
                _row(
                    ODDS_SNAPSHOTS,
                    race_key=key,
                    race_date=r.race_date,
                    reunion=r.reunion,
                    course=r.course,
                    phase=phase,
                    captured_at=start - timedelta(minutes=before),
                    number=r.number,
                    horse_id=r.horse_id,
                    odds_direct=float(r.odds_direct) * (1.1 if phase == "h30" else 1.0),
                    non_runner=False,
                )
            )
    postgres.write_frame(ODDS_SNAPSHOTS, typed_frame(ODDS_SNAPSHOTS, rows))


def timed(fn, repeat: int) -> list[float]:
    values = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        values.append(time.perf_counter() - started)
    return values


def measure(postgres: PostgresResource, repeat: int) -> tuple[list[float], list[float]]:
    config = default_config()
    key = race_key(LAST_DAY, 1, 1)

    def h5() -> None:
        analyse_race(race_inputs(postgres, key, config), config)

    def checks() -> None:
        for name, table, scope in (
            ("races", RACES, None),
            ("participants", PARTICIPANTS, None),
            ("horses", HORSES, "last_seen"),
            ("performances", PERFORMANCES, "last_seen_date"),
        ):
            with_data = [LAST_DAY] if scope is None and name != "horses" else None
            list(
                table_check_results(
                    postgres, name, table, [LAST_DAY], days_with_data=with_data, scope_column=scope
                )
            )

    h5()  # warm: connections, imports
    return timed(h5, repeat), timed(checks, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--races", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("HIPPIQUE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks the script still runs")
    args = parser.parse_args()
    if args.smoke:
        args.days, args.races, args.repeat = 22, 3, 1
    rng = np.random.default_rng(7)
    with scratch_database(args.admin_url) as url:
        migrate.upgrade(url)
        postgres = PostgresResource(url=url)
        all_days = [LAST_DAY - timedelta(days=n) for n in range(args.days - 1, -1, -1)]
        results = {}
        for size in (20, args.days):
            loaded = set(postgres.query_frame("select distinct race_date from pmu.races")["race_date"])
            todo = [d for d in all_days[-size:] if d not in loaded]
            started = time.perf_counter()
            load_days(postgres, todo, args.races, rng)
            start = postgres.query_frame(
                "select start_utc from pmu.races where race_key = %s", (race_key(LAST_DAY, 1, 1),)
            )
            snapshots(
                postgres, race_key(LAST_DAY, 1, 1), pd.Timestamp(start["start_utc"].iloc[0]).to_pydatetime()
            )
            rows = int(postgres.query_frame("select count(*) as n from pmu.participants")["n"].iloc[0])
            print(
                f"{size} days of history: {rows:,} runners (loaded in {time.perf_counter() - started:.0f} s)"
            )
            postgres.execute("analyze")
            results[size] = measure(postgres, args.repeat)
        print(
            f"\n{'history':>10}  {'H-5 analysis of a 16-runner race':>34}  {'one day of checks':>28}   (min / median / max)"
        )
        for size, (h5, checks) in results.items():
            print(f"{size:>6} days  {spread(h5, 3, ' s'):>34}  {spread(checks, 3, ' s'):>28}")
        (h5_small, ch_small), (h5_big, ch_big) = results[20], results[args.days]
        print(
            f"ratio {args.days} days / 20 days: H-5 {statistics.median(h5_big) / statistics.median(h5_small):.2f}x, "
            f"checks {statistics.median(ch_big) / statistics.median(ch_small):.2f}x"
        )


if __name__ == "__main__":
    main()
