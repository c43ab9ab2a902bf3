"""Start and stop Dagster's own processes (``dagster dev``, a gRPC code server, ``dagster-daemon``).

The commands that need a running Dagster (``hippique dev``, ``hippique day``) and the tests that
check the deployed path start the real programs through :class:`ManagedProcess`: each runs in a
session of its own with the default signal handlers (a process started from a script may inherit
SIGINT ignored), its output goes to a log file, and :meth:`ManagedProcess.stop` ends the whole
process group (a code server's run workers included) whatever state it is in. Every one of them
runs with Dagster's telemetry off (:func:`~hippique_assets.deploy.roles.dagster_environ`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

from hippique_assets.deploy.roles import (
    DEFINITIONS_MODULE,
    LOCATION_NAME,
    code_server_argv,
    dagster_environ,
    webserver_argv,
)
from hippique_assets.deploy.sessions import session_keeps_niceness


class ProcessError(RuntimeError):
    """A managed process did not start or stopped on its own; names its log file."""


def restore_default_signals() -> None:
    """SIGINT and SIGTERM back to their defaults: a process started with them ignored passes that
    on to what it starts or execs, and Dagster's clean shutdown on SIGINT would be lost."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)


def executable(name: str) -> str:
    """A console script of this virtualenv (beside the running Python), else from ``PATH``."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise ProcessError(f"{name} not found beside {sys.executable} nor on PATH")
    return found


class ManagedProcess:
    """One child process (and its process group), logged to ``log_path``; ``env`` (default: this
    process's environment) is passed through :func:`dagster_environ`."""

    def __init__(
        self,
        name: str,
        args: Sequence[str],
        log_path: Path,
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.args = list(args)
        self.log_path = log_path
        self.env = dagster_environ(os.environ if env is None else env)
        self.cwd = cwd
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> ManagedProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.popen = subprocess.Popen(
                self.args,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,
                preexec_fn=restore_default_signals,
            )
        session_keeps_niceness(self.popen.pid)
        return self

    @property
    def pid(self) -> int:
        if self.popen is None:
            raise ProcessError(f"{self.name} is not started")
        return self.popen.pid

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def check_running(self) -> None:
        """Raise :class:`ProcessError` with the end of its log when the process has exited."""
        if self.popen is not None and self.popen.poll() is not None:
            raise ProcessError(
                f"{self.name} exited with status {self.popen.returncode}; last lines of {self.log_path}:\n"
                + self.tail()
            )

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, timeout_s: float = 20.0) -> None:
        """SIGINT (Dagster's clean shutdown), then SIGTERM, then SIGKILL to the process group."""
        if self.popen is None:
            return
        for signum, wait_s in ((signal.SIGINT, timeout_s), (signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            if self.popen.poll() is not None:
                break
            try:
                os.killpg(self.popen.pid, signum)
            except ProcessLookupError:
                break
            try:
                self.popen.wait(wait_s)
            except subprocess.TimeoutExpired:
                continue
        # Children that outlived their parent (run workers) go with the group.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)

    def __enter__(self) -> ManagedProcess:
        return self.start() if self.popen is None else self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_for_port(process: ManagedProcess, port: int, timeout_s: float, host: str = "127.0.0.1") -> None:
    """Wait until ``port`` accepts connections; fail early when ``process`` dies."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        process.check_running()
        try:
            with socket.create_connection((host, port), timeout=1.0):
                return
        except OSError:
            time.sleep(0.25)
    raise ProcessError(
        f"{process.name} did not listen on {host}:{port} within {timeout_s:.0f} s:\n{process.tail()}"
    )


def write_module_workspace(path: Path) -> Path:
    """A workspace that loads the code location from the installed package (as ``workspace.yaml`` does)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "load_from:\n"
        "  - python_module:\n"
        f"      module_name: {DEFINITIONS_MODULE}\n"
        f"      location_name: {LOCATION_NAME}\n"
    )
    return path


def write_grpc_workspace(path: Path, port: int, host: str = "127.0.0.1") -> Path:
    """A workspace that reaches the code location through a running gRPC code server."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "load_from:\n"
        "  - grpc_server:\n"
        f"      host: {host}\n"
        f"      port: {port}\n"
        f"      location_name: {LOCATION_NAME}\n"
    )
    return path


def code_server(port: int, log_path: Path, env: Mapping[str, str]) -> ManagedProcess:
    """``dagster code-server start`` serving the code location on loopback."""
    program, *args = code_server_argv("127.0.0.1", port)
    return ManagedProcess("code server", [executable(program), *args], log_path, env=env)


def webserver(workspace: Path, port: int, log_path: Path, env: Mapping[str, str]) -> ManagedProcess:
    """``dagster-webserver`` on loopback: the UI and its GraphQL API."""
    program, *args = webserver_argv("127.0.0.1", port, workspace)
    return ManagedProcess("dagster-webserver", [executable(program), *args], log_path, env=env)


def daemon(workspace: Path, log_path: Path, env: Mapping[str, str]) -> ManagedProcess:
    """``dagster-daemon run``: sensors, schedules, the run queue, backfills, run monitoring."""
    return ManagedProcess(
        "dagster-daemon", [executable("dagster-daemon"), "run", "-w", str(workspace)], log_path, env=env
    )
