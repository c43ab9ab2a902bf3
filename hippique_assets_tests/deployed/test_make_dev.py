"""``make dev`` as a newcomer uses it: the UI loads the code location, a backfill launched from the UI
ingests days from the generated world, the instance's limits hold one run per race and phase,
Ctrl-C leaves no process behind (the embedded Postgres included), the log the banner names is there
afterwards and Dagster's telemetry upload never ran."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from hippique_assets.cli.processes import ManagedProcess, executable, free_port, wait_for_port
from hippique_assets.storage.postgres import query_frame, resolve_url
from hippique_assets_tests.deployed.graphql import TERMINAL, DagsterUi
from hippique_replay.faults import Burst, FaultPlan
from hippique_replay.server import ReplayServer
from hippique_replay.sources import GeneratedSource

pytestmark = pytest.mark.slow

DAY = date(2026, 3, 23)
SLOW_S = 10.0


def processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes whose command line or environment mentions ``text`` (a home
    folder, say): what ``hippique dev`` started, the run launcher's zygote and its runs included."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            environ = (proc / "environ").read_bytes().decode(errors="replace")
            state = next(
                line for line in (proc / "status").read_text().splitlines() if line.startswith("State:")
            )
        except (OSError, StopIteration):
            continue
        if (text in cmdline or text in environ) and "zombie" not in state:
            found.append(f"{proc.name}: {cmdline[:200]}")
    return found


@pytest.fixture(scope="module")
def dev(tmp_path_factory):
    home = tmp_path_factory.mktemp("dev-home")
    # The second and third requests of R1C1's participants (after the backfill's) answer slowly.
    faults = FaultPlan(
        path_pattern=r"/R1/C1/participants$", bursts=(Burst("slow", start=1, count=2),), slow_delay_s=SLOW_S
    )
    server = ReplayServer(GeneratedSource(seed=7), faults=faults).start()
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DAGSTER_HOME", "HIPPIQUE_PG_URL", "DAGSTER_DISABLE_TELEMETRY")
    }
    env.update(HIPPIQUE_HOME=str(home), HIPPIQUE_PMU_BASE_URL=server.base_url, HIPPIQUE_RATE_LIMIT="0")
    process = ManagedProcess(
        "hippique dev", [executable("hippique"), "dev", "--port", str(port)], home / "make-dev.log", env=env
    )
    # Started as from a shell: `hippique dev` must turn telemetry off for what it starts by itself.
    del process.env["DAGSTER_DISABLE_TELEMETRY"]
    process.start()
    try:
        wait_for_port(process, port, timeout_s=180)
        yield DagsterUi(port), process, home
    finally:
        process.stop()
        server.stop()


def test_the_ui_loads_the_code_location(dev):
    ui, _, _ = dev
    assert ui.location_status() == ("LOADED", "RepositoryLocation")


def test_a_backfill_launched_from_the_ui_ingests_its_days(dev):
    ui, _, home = dev
    ui.launch_backfill("ingest_day", ["2026-03-23", "2026-03-24"])
    runs = ui.wait_for_runs(
        lambda runs: any(r["jobName"] == "ingest_day" and r["status"] in TERMINAL for r in runs),
        timeout_s=240,
    )
    # The daily assets take a range of days per run: the two days are one run.
    [run] = [r for r in runs if r["jobName"] == "ingest_day"]
    assert run["status"] == "SUCCESS"
    assert (
        run["tags"]["dagster/asset_partition_range_start"],
        run["tags"]["dagster/asset_partition_range_end"],
    ) == (
        "2026-03-23",
        "2026-03-24",
    )
    counts = query_frame(
        resolve_url(None, home),
        "select race_date, count(*) as races from pmu.races group by race_date order by race_date",
    )
    assert list(counts["race_date"].astype(str)) == ["2026-03-23", "2026-03-24"]
    assert (counts["races"] > 20).all()


def test_a_second_run_of_the_same_race_and_phase_waits_for_the_first(dev):
    ui, _, _ = dev
    for key in ("2026-03-23-R1C1", "2026-03-23-R1C2"):
        ui.add_dynamic_partition("races", key)

    # Launched as the race clock launches them (due now): a run launched by hand for a race that is off,
    # or whose start is not stored, refuses to take a snapshot.
    due = datetime.now(UTC).isoformat()

    def launch(race: str) -> str:
        tags = {
            "dagster/partition": race,
            "hippique/race_phase": f"{race}:h30",
            "hippique/phase": "h30",
            "hippique/due": due,
        }
        return ui.launch_run("race_h30", tags)

    first, second, other = launch("2026-03-23-R1C1"), launch("2026-03-23-R1C1"), launch("2026-03-23-R1C2")
    ids = {first, second, other}
    runs = ui.wait_for_runs(
        lambda runs: {r["runId"] for r in runs if r["status"] in TERMINAL} >= ids, timeout_s=240
    )
    by_id = {r["runId"]: r for r in runs if r["runId"] in ids}
    assert {r["status"] for r in by_id.values()} == {"SUCCESS"}
    # The first run spent SLOW_S waiting for the source; the second only started once it was over,
    # while another race's H-30 ran meanwhile.
    assert by_id[second]["startTime"] >= by_id[first]["endTime"] - 0.5
    assert by_id[other]["startTime"] < by_id[first]["endTime"]


def test_ctrl_c_stops_everything_it_started(dev):
    _, process, home = dev
    assert processes_mentioning(str(home)), "nothing was running under the home folder"
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.popen.wait(90)
    except subprocess.TimeoutExpired:
        pytest.fail(f"hippique dev did not stop on Ctrl-C:\n{process.tail()}")
    # The run launcher's zygote leaves once the daemon is gone and its runs have ended.
    deadline = time.monotonic() + 15
    while processes_mentioning(str(home)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert processes_mentioning(str(home)) == []


def test_the_log_is_where_the_banner_says_and_nothing_was_uploaded(dev):
    _, process, home = dev
    assert process.popen is not None and process.popen.poll() is not None, "runs after the Ctrl-C test"
    banner = re.search(r"^Instance : (\S+) \(log (\S+)\)$", process.log_path.read_text(), re.M)
    assert banner, process.tail()
    dagster_home, log = Path(banner.group(1)), Path(banner.group(2))
    assert log.is_file() and log.stat().st_size > 0, log
    assert "Serving dagster-webserver" in log.read_text(errors="replace")
    # The upload (webserver and daemon) starts by creating $DAGSTER_HOME/.logs_queue, then renames
    # $DAGSTER_HOME/logs to it before posting the files: neither step may have happened.
    assert dagster_home == (home / "dagster_home").resolve()
    assert not (dagster_home / ".logs_queue").exists()
    assert sorted(p.name for p in dagster_home.iterdir() if p.name.startswith(".logs")) == []
