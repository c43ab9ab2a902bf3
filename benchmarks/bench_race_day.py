"""From an H-5 due instant to its tickets stored, over a replayed day played by the real daemon.

    .venv/bin/python benchmarks/bench_race_day.py                       # 8 races, x4 clock, 30 s sensor
    .venv/bin/python benchmarks/bench_race_day.py --races 16 --factor 4 --interval 30
    .venv/bin/python benchmarks/bench_race_day.py --smoke         # one race, x60 clock, 2 s sensor (CI)

The day is played as ``hippique day`` plays it (gRPC code server, ``dagster-daemon``, the race clock
sensor at the production interval of 30 s). Latency is measured in wall seconds: from the instant
the simulated clock reached the phase's due time to the end of the run that stored its tickets
(H-5) or its settlement (H+15). A factor of 4 keeps a 30 s tick (2 simulated minutes) inside the
4-minute H-5 window.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from datetime import date
from pathlib import Path

from scratch_db import scratch_database

from hippique_assets.settings import load_settings
from hippique_replay.day_play import DayPlay, latency_summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", default="2026-03-23")
    parser.add_argument("--races", type=int, default=8)
    parser.add_argument("--factor", type=float, default=4.0)
    parser.add_argument("--interval", type=int, default=30, help="race clock sensor interval (wall seconds)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("HIPPIQUE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument("--smoke", action="store_true", help="one race on a fast clock (CI)")
    args = parser.parse_args()
    if args.smoke:
        # Checks that the script runs, not the latency: at x60 a phase may be missed on a busy machine.
        args.races, args.factor, args.interval = 1, 60.0, 2
    with scratch_database(args.admin_url) as url, tempfile.TemporaryDirectory() as tmp:
        os.environ.update(
            HIPPIQUE_PG_URL=url, HIPPIQUE_HOME=tmp, DAGSTER_HOME=str(Path(tmp) / "dagster_home")
        )
        os.environ.pop("HIPPIQUE_PMU_BASE_URL", None)
        play = DayPlay(
            date.fromisoformat(args.date),
            load_settings(),
            races=args.races,
            factor=args.factor,
            seed=args.seed,
            sensor_interval_s=args.interval,
        )
        report = play.play()
        clock = play.clock
    print(report.summary_line())
    for phase in ("h30", "h5", "result"):
        values = [v for r in report.by_phase(phase) if r.success and (v := r.due_to_end_s(clock)) is not None]
        print(f"{phase:<6} due to run end: {latency_summary(values)}")
    print(
        f"wall {report.wall_s:.0f} s for {len(report.races)} races (x{args.factor:g}, sensor every {args.interval} s)"
    )


if __name__ == "__main__":
    main()
