"""From an H-5 or last-call due instant to its decision stored, over a replayed day played by the real daemon.

    .venv/bin/python benchmarks/bench_race_day.py                       # 8 races, x4 clock, 10 s sensor
    .venv/bin/python benchmarks/bench_race_day.py --races 16 --factor 4 --interval 30
    .venv/bin/python benchmarks/bench_race_day.py --smoke         # one race, x60 clock, 2 s sensor (CI)

The day is played as ``hippique day`` plays it (gRPC code server, ``dagster-daemon``, the race clock
sensor at the production interval, 10 s by default). Latency is measured in wall seconds: from the
instant the simulated clock reached the phase's due time to the end of the run that stored its tickets
(H-5, last call) or its settlement (H+15). A factor of 4 keeps a 10 s tick (40 simulated seconds) well
inside the last call's 2 minutes (requested until 20 s before the off) and the 4-minute H-5 window; a
30 s tick (2 simulated minutes) would leave the last call no time. The last call is also checked against the
off: every decision it stored must be earlier than the race's start, and each refused one is recorded
missed. The odds watchers' figures (runs, captures, which are the requests, and gaps) and the daemon's
CPU time are printed beside. The processes run at the default priority, so a busy machine shows.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from datetime import date
from pathlib import Path

from scratch_db import scratch_database

from hippique_assets.pmu.schema.live_odds import ODDS_SNAPSHOTS
from hippique_assets.racing.tables import MISSED_RUNS, ODDS_CAPTURE_GAPS, PHASE_DECISIONS, RACE_PLAN
from hippique_assets.settings import load_settings
from hippique_assets.storage.postgres import PostgresResource
from hippique_replay.day_play import DayPlay
from hippique_replay.played_runs import latency_summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", default="2026-03-23")
    parser.add_argument("--races", type=int, default=8)
    parser.add_argument("--factor", type=float, default=4.0)
    parser.add_argument(
        "--interval",
        type=int,
        default=10,
        help="race clock sensor interval (wall seconds; production default 10)",
    )
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
        assert clock is not None and play.postgres is not None
        figures = day_figures(play.postgres)
    print(report.summary_line())
    for phase in ("h30", "h5", "last_call", "result"):
        values = [v for r in report.by_phase(phase) if r.success and (v := r.due_to_end_s(clock)) is not None]
        print(f"{phase:<9} due to run end: {latency_summary(values)}")
    for line in figures:
        print(line)
    hours = report.wall_s / 3600
    cpu = ", ".join(
        f"{name} {seconds:.0f} s ({seconds / hours:.0f} s per wall hour)"
        for name, seconds in report.cpu_s.items()
    )
    print(f"CPU: {cpu}")
    print(
        f"wall {report.wall_s:.0f} s for {len(report.races)} races (x{args.factor:g}, sensor every {args.interval} s)"
    )


def day_figures(postgres: PostgresResource) -> list[str]:
    """The last call against the off, and what the odds watchers cost and caught."""
    last_call = postgres.query_frame(
        f"select d.race_key, d.decided_at, p.start_utc from {PHASE_DECISIONS.fullname} d "
        f"join {RACE_PLAN.fullname} p using (race_key) where d.phase = 'last_call'"
    )
    after_off = int((last_call["decided_at"] >= last_call["start_utc"]).sum()) if not last_call.empty else 0
    lead = (
        (last_call["start_utc"] - last_call["decided_at"]).dt.total_seconds() if not last_call.empty else None
    )
    missed = postgres.query_frame(
        f"select reason, count(*) as n from {MISSED_RUNS.fullname} where phase = 'last_call' group by reason"
    )
    watch = postgres.query_frame(
        f"select race_key, count(distinct captured_at) as captures, max(gap) as widest from ("
        f"  select race_key, captured_at, captured_at - lag(captured_at) over (partition by race_key "
        f"  order by captured_at) as gap from (select distinct race_key, captured_at from "
        f"  {ODDS_SNAPSHOTS.fullname} where phase = 'watch') c) g group by race_key"
    )
    gaps = postgres.query_frame(
        f"select count(*) as n, coalesce(sum(seconds), 0) as s from {ODDS_CAPTURE_GAPS.fullname}"
    )
    lines = [
        f"last call: {len(last_call)} decisions stored, {after_off} at or after the off, "
        + (
            f"stored {lead.min():.0f}-{lead.max():.0f} simulated s before the off; "
            if lead is not None
            else ""
        )
        + "missed: "
        + (", ".join(f"{r} {n}" for r, n in zip(missed["reason"], missed["n"], strict=True)) or "none")
    ]
    if not watch.empty:
        widest = watch["widest"].dropna().dt.total_seconds()
        lines.append(
            f"watch: {len(watch)} races, captures (requests) per race {watch['captures'].min()}-{watch['captures'].max()}"
            f" (total {watch['captures'].sum()}), widest interval {widest.max():.0f} simulated s; "
            f"gaps recorded: {int(gaps['n'].iloc[0])} ({float(gaps['s'].iloc[0]):.0f} s)"
        )
    return lines


if __name__ == "__main__":
    main()
