"""A run launcher for one machine that forks each run from a process with the code already imported.

Dagster's default launcher asks the code server to start a run, and the code server starts a new
interpreter for it, which imports Dagster, pandas and the definitions again: about 3 CPU seconds
on a two-core machine before the first step, paid by each of a race day's runs (an H-5 run is
due 5 minutes before the off). :class:`PreloadedRunLauncher` forks the run instead from a
zygote (:mod:`hippique_assets.deploy.run_zygote`) that imported them once. The run is executed as
``dagster api execute_run`` executes it, in the code location's Python.

It serves the local instance (``make dev``, ``hippique day``). What it cannot serve as well as the
default launcher it leaves to it: a code location with another Python executable, a run without
a code origin. When the imported code changes on disk (``make dev`` while editing), the next run
comes from a new zygote and the old one leaves once its runs have ended. Like the code server,
the zygote has a session of its own (restarting the daemon does not end the runs) and reports a
run whose process died as failed. Production keeps the default launcher (one container per role).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Self

from dagster import DefaultRunLauncher, Field
from dagster._core.launcher import LaunchRunContext
from dagster._serdes import ConfigurableClassData, serialize_value

from hippique_assets.deploy.sessions import session_keeps_niceness

# The run tag that names the process a run was forked into (termination signals it).
PID_TAG = "hippique/run_pid"
# Imported once by the zygote; a run imports what else it needs itself. scipy.optimize is imported
# on first use by the analysis (the code server and the commands load without it): preloaded, each
# H-5 and last-call run saves 0.27 CPU s.
DEFAULT_PRELOAD = ("hippique_assets.definitions", "scipy.optimize")
# How long a new zygote may take to import its modules, in seconds.
READY_TIMEOUT_S = 120.0
# How long a zygote may take to fork a run and answer its pid, in seconds.
FORK_TIMEOUT_S = 30.0


def code_fingerprint(modules: Sequence[str]) -> int:
    """The newest modification time of the Python files of the packages ``modules`` belong to."""
    newest = 0
    for name in sorted({m.split(".")[0] for m in modules}):
        spec = find_spec(name)
        roots = list(spec.submodule_search_locations or []) if spec else []
        for root in roots:
            for path in Path(root).rglob("*.py"):
                newest = max(newest, path.stat().st_mtime_ns)
    return newest


class Zygote:
    """One ``run_zygote`` process: a request per run, answered with the pid of its process."""

    def __init__(self, modules: Sequence[str]) -> None:
        self.fingerprint = code_fingerprint(modules)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "hippique_assets.deploy.run_zygote", *modules],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            start_new_session=True,
        )
        if self._process.stdin is None or self._process.stdout is None:  # pragma: no cover - PIPE gives both
            raise RuntimeError("the run zygote was started without its pipes")
        self._requests, self._answers = self._process.stdin, self._process.stdout
        # A session of its own weighs as one scheduling group: give it the launcher's niceness.
        session_keeps_niceness(self._process.pid)
        self.pid = self._process.pid
        self._pending = b""
        self.broken = False
        ready = self._answer(READY_TIMEOUT_S)
        if ready != "ready":
            self.close()
            raise RuntimeError(
                f"the run zygote did not start (it said {ready!r}; its errors are in this process's log)"
            )

    def _answer(self, timeout_s: float) -> str:
        """The next line the zygote writes, or "" if none comes within ``timeout_s``."""
        fd = self._answers.fileno()
        deadline = time.monotonic() + timeout_s
        while b"\n" not in self._pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                self.broken = True
                return ""
            chunk = os.read(fd, 4096)
            if not chunk:
                self.broken = True
                return ""
            self._pending += chunk
        line, self._pending = self._pending.split(b"\n", 1)
        return line.decode().strip()

    def usable(self, fingerprint: int) -> bool:
        return not self.broken and self._process.poll() is None and fingerprint == self.fingerprint

    def fork(self, args: str, server: str | None) -> int:
        """Ask for a process executing the run of ``args`` (serialized ``ExecuteRunArgs``); its pid."""
        request = json.dumps({"args": args, "server": server})
        try:
            self._requests.write(request.encode() + b"\n")
            self._requests.flush()
        except OSError as error:
            self.broken = True
            raise RuntimeError(f"the run zygote is gone ({error})") from error
        answer = self._answer(FORK_TIMEOUT_S)
        if not answer.isdigit():
            self.broken = True
            raise RuntimeError(f"the run zygote did not fork the run (it said {answer!r})")
        return int(answer)

    def close(self) -> None:
        """No more runs: the zygote leaves once those it forked have ended (see its module)."""
        with contextlib.suppress(OSError):
            self._requests.close()
        # Reaped in the background: the zygote may outlive its launcher by a whole run.
        threading.Thread(target=self._process.wait, daemon=True).start()


def _code_server(context: LaunchRunContext) -> str | None:
    """Where the code server of the run's code location listens (``host:port`` or a socket), if one does."""
    from dagster._core.remote_representation.code_location import GrpcServerCodeLocation

    origin = context.dagster_run.remote_job_origin
    if context.workspace is None or origin is None:
        return None
    name = origin.repository_origin.code_location_origin.location_name
    try:
        location = context.workspace.get_code_location(name)
    except Exception:  # a location that does not load now has no server to follow: the run lives on its own
        return None
    if not isinstance(location, GrpcServerCodeLocation):
        return None
    client = location.client
    if client.socket:
        return client.socket
    return f"{client.host or 'localhost'}:{client.port}" if client.port is not None else None


class PreloadedRunLauncher(DefaultRunLauncher):
    """Forks each run from a zygote that has imported the code location (see the module)."""

    def __init__(
        self, inst_data: ConfigurableClassData | None = None, preload: Sequence[str] = DEFAULT_PRELOAD
    ):
        super().__init__(inst_data=inst_data)
        self._preload = tuple(preload)
        self._zygote: Zygote | None = None
        self._lock = threading.Lock()

    @classmethod
    def config_type(cls) -> Mapping[str, Any]:
        return {
            "preload": Field(
                [str],
                is_required=False,
                default_value=list(DEFAULT_PRELOAD),
                description="Modules the zygote imports once (the code location's module, or its heavy libraries).",
            )
        }

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData, config_value: Mapping[str, Any]) -> Self:
        return cls(inst_data=inst_data, preload=config_value.get("preload", DEFAULT_PRELOAD))

    def _current_zygote(self) -> Zygote:
        fingerprint = code_fingerprint(self._preload)
        if self._zygote is not None and self._zygote.usable(fingerprint):
            return self._zygote
        if self._zygote is not None:
            self._zygote.close()
        self._zygote = Zygote(self._preload)
        return self._zygote

    def launch_run(self, context: LaunchRunContext) -> None:
        run = context.dagster_run
        origin = run.job_code_origin
        if origin is None or origin.executable_path != sys.executable:
            # Another Python than this one: only its code server can start the run.
            super().launch_run(context)
            return
        from dagster._grpc.types import ExecuteRunArgs

        args = serialize_value(
            ExecuteRunArgs(job_origin=origin, run_id=run.run_id, instance_ref=self._instance.get_ref())
        )
        server = _code_server(context)
        with self._lock:
            pid = self._current_zygote().fork(args, server)
        self._instance.add_run_tags(run.run_id, {PID_TAG: str(pid)})
        self._run_ids.add(run.run_id)

    def terminate(self, run_id: str) -> bool:
        run = self._instance.get_run_by_id(run_id)
        if run is None or PID_TAG not in run.tags:
            return super().terminate(run_id)
        if run.is_finished:
            return False
        self._instance.report_run_canceling(run)
        try:
            # Dagster turns SIGINT into an interruption: the run's steps stop and it ends CANCELED.
            os.kill(int(run.tags[PID_TAG]), signal.SIGINT)
        except ProcessLookupError:
            return False
        return True

    def dispose(self) -> None:
        with self._lock:
            if self._zygote is not None:
                self._zygote.close()
                self._zygote = None
        super().dispose()
