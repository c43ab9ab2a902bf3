"""The generated world the benchmarks ingest, whole or cut down to a few races a day (smoke runs).

    .venv/bin/python benchmarks/worlds.py --port 8765 --seed 7                      # as `hippique replay serve`
    .venv/bin/python benchmarks/worlds.py --port 8765 --first 2026-01-01 --days 2 --races 2

Run as a script it serves the world on loopback until SIGTERM or Ctrl-C, so that a benchmark can
keep the generation of the days out of the process it measures.
"""

from __future__ import annotations

import argparse
import json
import signal
import threading
from datetime import date, timedelta
from types import FrameType

from hippique_replay.server import ReplayServer
from hippique_replay.sources import GeneratedSource, Source
from hippique_replay.subset import RaceSubsetSource, closest_races


def generated_source(
    seed: int, days: list[date] | None = None, races: int | None = None, cache_days: int = 8
) -> Source:
    """The generated world of ``seed``; with ``races``, each of ``days`` keeps only that many races
    (those closest together in time), as ``hippique day --races`` plays them."""
    source: Source = GeneratedSource(seed=seed, cache_days=cache_days)
    if races is None:
        return source
    for day in days or []:
        answer = source.respond(f"/programme/{day:%d%m%Y}", None)
        if answer.status == 200:
            source = RaceSubsetSource(source, day, closest_races(json.loads(answer.body), races))
    return source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--first", type=date.fromisoformat, default=None)
    parser.add_argument("--days", type=int, default=0)
    parser.add_argument("--races", type=int, default=None, help="races kept on each of the days")
    parser.add_argument("--cache-days", type=int, default=4)
    args = parser.parse_args()
    days = [args.first + timedelta(days=n) for n in range(args.days)] if args.first else []
    source = generated_source(args.seed, days, args.races, cache_days=args.cache_days)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    with ReplayServer(source, port=args.port) as server:
        print(f"serving {server.base_url}", flush=True)
        stop.wait()


if __name__ == "__main__":
    main()
