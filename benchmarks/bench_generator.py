"""How fast the replay generator builds racing days, and how much memory streaming a year takes.

    .venv/bin/python benchmarks/bench_generator.py                  # 10 timed days, 365 streamed
    .venv/bin/python benchmarks/bench_generator.py --days 5 --stream 30
    .venv/bin/python benchmarks/bench_generator.py --smoke        # 2 days, 1 streamed (CI)

A "full day" is every endpoint's body in its final state: the programme, each reunion, and the
participants, past performances and rapports of every race, serialised to JSON. The first day of a
fresh process is cold (it builds the cores of every past day its runners raced on); the following
consecutive days reuse them, which is how the replay server and ``replay generate`` work.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from datetime import date, timedelta

from hippique_replay.generator import generate_day


def full_day(day: date, seed: int) -> tuple[int, int]:
    """Generate and serialise every body of a day; returns (races, bytes of JSON)."""
    generated = generate_day(day, seed)
    size = len(json.dumps(generated.programme()))
    races = generated.races()
    for reunion in {slot.reunion for slot in races}:
        size += len(json.dumps(generated.reunion(reunion)))
    for slot in races:
        for body in (
            generated.participants(slot.reunion, slot.course),
            generated.performances(slot.reunion, slot.course),
            generated.rapports(slot.reunion, slot.course),
        ):
            if body is not None:
                size += len(json.dumps(body))
    return len(races), size


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 3, 2), help="first day")
    parser.add_argument("--days", type=int, default=10, help="consecutive days timed one by one")
    parser.add_argument(
        "--stream", type=int, default=365, help="days generated in a row for the memory figure"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks the script still runs")
    args = parser.parse_args()
    if args.smoke:
        args.days, args.stream = 2, 1

    timings = []
    for offset in range(args.days):
        day = args.start + timedelta(days=offset)
        began = time.perf_counter()
        races, size = full_day(day, args.seed)
        elapsed = time.perf_counter() - began
        timings.append(elapsed)
        print(f"{day}  {races:3d} races  {size / 1e6:5.1f} MB of JSON  {elapsed:6.2f} s", flush=True)
    print(f"cold first day: {timings[0]:.2f} s")
    if len(timings) > 1:
        print(f"median of the next {len(timings) - 1} days: {statistics.median(timings[1:]):.3f} s")
    print(f"median of all {len(timings)} days: {statistics.median(timings):.3f} s")
    print(f"peak RSS after the timed days: {peak_rss_mb():.0f} MB")

    if args.stream > 0:
        # A separate stretch of the calendar so the timed days' caches do not help.
        start = args.start + timedelta(days=args.days + 400)
        began = time.perf_counter()
        for offset in range(args.stream):
            full_day(start + timedelta(days=offset), args.seed)
            if (offset + 1) % 30 == 0:
                print(f"  streamed {offset + 1} days, peak RSS {peak_rss_mb():.0f} MB", flush=True)
        elapsed = time.perf_counter() - began
        print(
            f"streamed {args.stream} days in {elapsed:.0f} s ({elapsed / args.stream:.2f} s a day), "
            f"peak RSS {peak_rss_mb():.0f} MB"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
