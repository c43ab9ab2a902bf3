"""Every benchmark once with ``--smoke`` (tiny sizes), so that none can rot unnoticed; exits 1 if one fails.

    .venv/bin/python benchmarks/smoke.py              # all of them, three at a time
    .venv/bin/python benchmarks/smoke.py --jobs 1 bench_day bench_sensor

The benchmarks that start a daemon mostly wait on it, so a few run side by side. Each one's output
is printed when it ends (in full when it failed), with its time; the total wall time comes last.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Longest first, so that the short ones fill in beside them.
BENCHMARKS = (
    "bench_race_day",
    "bench_season",
    "bench_daemon_ingest",
    "bench_day",
    "bench_generator",
    "bench_history_scale",
    "bench_sensor",
    "bench_instance",
    "bench_bulk_load",
    "eval_real_races",
)
TIMEOUT_S = 600


def run(name: str) -> tuple[str, int, float, str]:
    began = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, str(HERE / f"{name}.py"), "--smoke"],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
        code, output = done.returncode, done.stdout + done.stderr
    except subprocess.TimeoutExpired as exc:
        code, output = -1, f"timed out after {TIMEOUT_S} s\n{exc.stdout or ''}{exc.stderr or ''}"
    return name, code, time.perf_counter() - began, output


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=list(BENCHMARKS), help="default: every benchmark")
    parser.add_argument("--jobs", type=int, default=3)
    args = parser.parse_args()
    unknown = sorted(set(args.names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    began = time.perf_counter()
    failed = []
    with ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
        for future in as_completed(pool.submit(run, name) for name in args.names):
            name, code, seconds, output = future.result()
            if code == 0:
                tail = output.strip().splitlines()[-1:] or [""]
                print(f"ok      {name:<20} {seconds:6.1f} s  {tail[0]}", flush=True)
            else:
                failed.append(name)
                print(f"FAILED  {name:<20} {seconds:6.1f} s  (exit {code})\n{output}", flush=True)
    print(
        f"\n{len(args.names) - len(failed)}/{len(args.names)} benchmark(s) ran in {time.perf_counter() - began:.0f} s"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
