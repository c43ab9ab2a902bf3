"""CPU time to build the local Dagster instance from its reference and read it, as each sensor
evaluation and each run process does: Dagster's own SQLite storage against ``LocalInstance``.

    .venv/bin/python benchmarks/bench_instance.py                # 200 builds each
    .venv/bin/python benchmarks/bench_instance.py --repeat 1000
    .venv/bin/python benchmarks/bench_instance.py --smoke        # 5 builds each (CI)

Both instances live in a temporary folder holding one materialized run; they alternate, so that
both meet the same machine.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from dagster import DagsterInstance, asset, materialize
from dagster._core.instance.ref import InstanceRef

from hippique_assets.lib.runner import QUIET_RUN_CONFIG, local_instance_config

DAGSTER_DEFAULT = "telemetry:\n  enabled: false\n"


@asset
def one_row() -> int:
    return 1


def home(root: Path, name: str, config: str) -> InstanceRef:
    folder = root / name
    folder.mkdir()
    (folder / "dagster.yaml").write_text(config)
    ref = InstanceRef.from_dir(str(folder))
    with DagsterInstance.from_ref(ref) as instance:
        materialize([one_row], instance=instance, run_config=QUIET_RUN_CONFIG)
    return ref


def build_and_read(ref: InstanceRef) -> float:
    """CPU milliseconds to build the instance and read runs, events and dynamic partitions."""
    began = time.process_time()
    with DagsterInstance.from_ref(ref) as instance:
        run = instance.get_runs(limit=1)[0]
        instance.get_records_for_run(run.run_id)
        instance.get_dynamic_partitions("races")
    return (time.process_time() - began) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks the script still runs")
    args = parser.parse_args()
    if args.smoke:
        args.repeat = 5

    with tempfile.TemporaryDirectory() as tmp:
        refs = {
            "Dagster's SQLite storage": home(Path(tmp), "dagster", DAGSTER_DEFAULT),
            "LocalInstance": home(Path(tmp), "local", local_instance_config()),
        }
        times: dict[str, list[float]] = {name: [] for name in refs}
        for _ in range(args.repeat):
            for name, ref in refs.items():
                times[name].append(build_and_read(ref))

    print(f"{'instance':<26} {'builds':>6} {'median CPU ms':>14} {'p90 CPU ms':>11}")
    for name, values in times.items():
        p90 = statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]
        print(f"{name:<26} {len(values):>6} {statistics.median(values):>14.1f} {p90:>11.1f}")


if __name__ == "__main__":
    main()
