"""Processes started in a session of their own keep the priority they were started at."""

from __future__ import annotations

import os
from pathlib import Path


def session_keeps_niceness(pid: int) -> None:
    """Give the session that ``pid`` leads the niceness ``pid`` was started at.

    Where Linux groups processes by session for scheduling (``kernel.sched_autogroup_enabled``,
    on by default), a new session is a group of its own that weighs as much as any other whatever
    its processes' niceness: a code server started at -5 beside a busy test session would get an
    even share, not the larger one asked for. Setting the group's niceness (``/proc/PID/autogroup``)
    restores what was asked. Nothing to do without autogroups; a niceness below 0 not allowed
    (unprivileged) leaves the group at its default.
    """
    group = Path(f"/proc/{pid}/autogroup")
    try:
        niceness = os.getpriority(os.PRIO_PROCESS, pid)
        if group.exists():
            group.write_text(f"{niceness}\n")
    except OSError:
        pass
