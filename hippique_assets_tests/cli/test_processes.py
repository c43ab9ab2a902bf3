from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from hippique_assets.cli.processes import ManagedProcess

AUTOGROUPS = Path("/proc/sys/kernel/sched_autogroup_enabled")


def _started_at(niceness: int, log: Path) -> ManagedProcess:
    """A process started from a thread at ``niceness`` (on Linux a niceness is per thread)."""
    started: list[ManagedProcess] = []

    def start() -> None:
        os.setpriority(os.PRIO_PROCESS, 0, niceness)
        started.append(ManagedProcess("sleeper", ["sleep", "30"], log).start())

    thread = threading.Thread(target=start)
    thread.start()
    thread.join()
    return started[0]


@pytest.mark.skipif(
    not AUTOGROUPS.exists() or AUTOGROUPS.read_text().strip() != "1", reason="no autogroup scheduling here"
)
def test_a_session_started_at_a_niceness_schedules_as_a_group_at_that_niceness(tmp_path):
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    wanted = min(ours + 7, 19)
    process = _started_at(wanted, tmp_path / "sleeper.log")
    try:
        group = Path(f"/proc/{process.pid}/autogroup").read_text()
        assert os.getpriority(os.PRIO_PROCESS, process.pid) == wanted
        # Its own group, not this test's, weighed at the niceness it was started at. A process that
        # never left the boot-time group (a child of init that made no session) reads an empty file.
        ours = Path("/proc/self/autogroup").read_text().split()
        assert group.split()[:1] != ours[:1], (group, ours)
        assert group.split()[-1] == str(wanted), group
    finally:
        process.stop()
    assert not process.running()
