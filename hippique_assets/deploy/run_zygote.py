"""The process that :class:`~hippique_assets.deploy.run_launcher.PreloadedRunLauncher` forks runs from.

Started as ``python -m hippique_assets.deploy.run_zygote MODULE...``, it imports the modules and
what Dagster needs to execute a run (:data:`RUN_MODULES`), says ``ready`` on stdout, then reads one
request per line on stdin: a JSON object with the serialized
:class:`dagster._grpc.types.ExecuteRunArgs` of a run and, when the run's code location is served by
a code server, that server's address (``host:port``, or the path of its unix socket, as ``dagster
dev`` serves it). For each it forks a child that executes the run as ``dagster api execute_run``
would, and answers the child's pid.

It starts no thread of its own, so that forking is safe (pyarrow's allocator keeps a background
thread, which its fork handlers cover), reaps its children between requests and reports a run whose
process ended before the run did (killed, out of memory) as failed, as a code server does. Runs live
as long as their code server, as the default launcher's do: when stdin closes (the daemon stopped or
restarts) the zygote takes no more runs, lets its runs go on while their code server answers, stops
those whose server is gone, and leaves once the last of them has ended.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import selectors
import signal
import socket
import sys
import time
from dataclasses import dataclass

from dagster import DagsterInstance
from dagster._grpc.types import ExecuteRunArgs
from dagster._serdes import deserialize_value

# What Dagster imports to execute any run on a local instance (the run command, SQLite storage, compute
# logs): about 0.35 CPU s that each run would otherwise pay again, whatever the code location.
RUN_MODULES = (
    "dagster._cli.api",
    "dagster._core.storage.sqlite_storage",
    "dagster._core.storage.local_compute_log_manager",
    "dagster._core.storage.root",
)
# How often children are reaped (and, once the launcher is gone, code servers checked), in seconds.
TICK_S = 1.0
# A run whose code server is gone gets this long to stop on SIGINT before SIGKILL, in seconds.
STOP_GRACE_S = 10.0


@dataclass
class Child:
    """A forked run: its request, the code server it lives with, when it was asked to stop."""

    request: ExecuteRunArgs
    server: str | None
    stop_asked: float | None = None


def _execute(request: ExecuteRunArgs) -> int:
    """Execute the run of one request in this (forked) process; its exit code."""
    from dagster._cli.api import _execute_run_command_body
    from dagster._utils.interrupts import capture_interrupts

    if request.instance_ref is None:
        raise ValueError(f"run {request.run_id}: no instance to execute it in")
    with capture_interrupts(), DagsterInstance.from_ref(request.instance_ref) as instance:
        return _execute_run_command_body(
            request.run_id,
            instance,
            write_stream_fn=lambda _event: None,
            set_exit_code_on_failure=bool(request.set_exit_code_on_failure),
        )


def _fork(request: ExecuteRunArgs, protocol: tuple[int, ...]) -> int:
    """Fork a child that executes the run of ``request``; the child's pid (in the parent)."""
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        for fd in protocol:
            os.close(fd)  # the launcher's pipes are the zygote's, not the run's
        signal.signal(signal.SIGINT, signal.default_int_handler)
        code = _execute(request)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _report_if_unfinished(request: ExecuteRunArgs, status: int) -> None:
    """A child ended: if its run is still in progress, nothing will ever finish it; say so and fail it."""
    from dagster._utils import get_run_crash_explanation

    if request.instance_ref is None:
        return
    with DagsterInstance.from_ref(request.instance_ref) as instance:
        run = instance.get_run_by_id(request.run_id)
        if run is None or run.is_finished:
            return
        message = get_run_crash_explanation(
            prefix=f"Run execution process for {run.run_id}", exit_code=os.waitstatus_to_exitcode(status)
        )
        instance.report_engine_event(message, run)
        instance.report_run_failed(run)


def _collect(children: dict[int, Child]) -> None:
    """Reap the children that have ended, failing the runs they left unfinished."""
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            children.clear()
            return
        if pid == 0:
            return
        child = children.pop(pid, None)
        if child is None:
            continue
        try:
            _report_if_unfinished(child.request, status)
        except Exception as error:
            print(f"run_zygote: could not check the run of pid {pid}: {error!r}", file=sys.stderr, flush=True)


def _answers(server: str) -> bool:
    """Whether a code server listens at ``server`` (``host:port`` or a unix socket's path)."""
    try:
        if server.startswith("/"):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as unix:
                unix.settimeout(2.0)
                unix.connect(server)
        else:
            host, port = server.rsplit(":", 1)
            socket.create_connection((host, int(port)), timeout=2.0).close()
    except OSError:
        return False
    return True


def _stop_orphans(children: dict[int, Child]) -> None:
    """Once the launcher is gone: stop the runs whose code server is gone too (SIGINT, then SIGKILL)."""
    now = time.monotonic()
    for pid, child in children.items():
        if child.stop_asked is None:
            if child.server is not None and not _answers(child.server):
                child.stop_asked = now
                _signal(pid, signal.SIGINT)
        elif now - child.stop_asked > STOP_GRACE_S:
            _signal(pid, signal.SIGKILL)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _request(line: str) -> Child:
    """A request line: ``{"args": <serialized ExecuteRunArgs>, "server": <address> | null}``."""
    data = json.loads(line)
    return Child(request=deserialize_value(data["args"], ExecuteRunArgs), server=data.get("server"))


def serve(modules: list[str]) -> None:
    """Preload ``modules``, then fork one child per request until stdin closes and no child is left.

    The requests and answers keep stdin and stdout to themselves: the children get /dev/null and
    stderr (a run's prints end in the launcher's log, never in its answers).
    """
    requests, answers = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    for module in (*modules, *RUN_MODULES):
        importlib.import_module(module)
    os.write(answers, b"ready\n")
    children: dict[int, Child] = {}
    pending = b""
    selector = selectors.DefaultSelector()
    selector.register(requests, selectors.EVENT_READ)
    launcher_gone = False
    while not launcher_gone or children:
        if not launcher_gone and selector.select(timeout=TICK_S):
            chunk = os.read(requests, 1 << 16)
            if not chunk:
                launcher_gone = True
                selector.unregister(requests)
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in filter(None, (raw.decode().strip() for raw in lines)):
                child = _request(line)
                pid = _fork(child.request, (requests, answers))
                children[pid] = child
                os.write(answers, f"{pid}\n".encode())
        elif launcher_gone:
            _stop_orphans(children)
            time.sleep(TICK_S)
        _collect(children)


if __name__ == "__main__":
    serve(sys.argv[1:])
