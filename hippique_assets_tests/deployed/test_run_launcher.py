"""The local instance's run launcher: runs forked from a zygote, crashes and terminations reported."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import DagsterInstance, DagsterRun, DagsterRunStatus, reconstructable
from dagster._core.test_utils import instance_for_test
from dagster._grpc.types import ExecuteRunArgs
from dagster._serdes import serialize_value

from hippique_assets.deploy.run_launcher import PID_TAG, PreloadedRunLauncher, Zygote, code_fingerprint
from hippique_assets_tests.deployed import launched_jobs

MODULE = launched_jobs.__name__


@pytest.fixture
def instance():
    launcher = {
        "module": "hippique_assets.deploy.run_launcher",
        "class": "PreloadedRunLauncher",
        "config": {"preload": [MODULE]},
    }
    with instance_for_test(overrides={"run_launcher": launcher}) as instance:
        yield instance


def _create(instance: DagsterInstance, name: str, marker: Path) -> DagsterRun:
    """A run of the job ``name`` whose ops write their pids to ``marker``, not launched yet."""
    job_def = getattr(launched_jobs, name)
    origin = reconstructable(job_def).get_python_origin()
    run_config = {"ops": {op: {"config": {"marker": str(marker)}} for op in job_def.graph.node_names()}}
    return instance.create_run_for_job(job_def, run_config=run_config, job_code_origin=origin)


def _launch(instance: DagsterInstance, name: str, marker: Path) -> str:
    run = _create(instance, name, marker)
    # No workspace: a run forked from the zygote needs none (only the default launcher asks its code server).
    instance.launch_run(run.run_id, workspace=None)
    return run.run_id


def _wait(instance: DagsterInstance, run_id: str, timeout_s: float = 60.0) -> DagsterRunStatus:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        run = instance.get_run_by_id(run_id)
        assert run is not None
        if run.is_finished:
            return run.status
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} still {run.status} after {timeout_s} s")


def _messages(instance: DagsterInstance, run_id: str) -> list[str]:
    return [
        e.dagster_event.message or "" if e.dagster_event else e.user_message
        for e in instance.all_logs(run_id)
    ]


def _marked(marker: Path, timeout_s: float = 60.0) -> tuple[int, int]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if marker.exists() and marker.read_text():
            pid, parent = marker.read_text().split()
            return int(pid), int(parent)
        time.sleep(0.1)
    raise AssertionError(f"{marker} never written")


def test_runs_are_forked_from_one_zygote_and_succeed(instance, tmp_path):
    assert isinstance(instance.run_launcher, PreloadedRunLauncher)
    first = _launch(instance, "where", tmp_path / "first")
    second = _launch(instance, "where", tmp_path / "second")
    assert _wait(instance, first) == DagsterRunStatus.SUCCESS
    assert _wait(instance, second) == DagsterRunStatus.SUCCESS
    pid_1, zygote_1 = _marked(tmp_path / "first")
    pid_2, zygote_2 = _marked(tmp_path / "second")
    # Two processes, forked by the same preloaded parent, which is not this process.
    assert pid_1 != pid_2 and zygote_1 == zygote_2 != os.getpid()
    assert instance.get_run_by_id(first).tags[PID_TAG] == str(pid_1)
    messages = _messages(instance, first)
    assert any(f"Started process for run (pid: {pid_1})" in m for m in messages), messages


def test_a_run_whose_process_is_killed_is_failed_with_the_signal(instance, tmp_path):
    run_id = _launch(instance, "waits", tmp_path / "marker")
    pid, _ = _marked(tmp_path / "marker")
    os.kill(pid, signal.SIGKILL)
    assert _wait(instance, run_id, timeout_s=30) == DagsterRunStatus.FAILURE
    messages = _messages(instance, run_id)
    assert any("terminated by signal 9 (SIGKILL)" in m for m in messages), messages[-5:]


def test_a_terminated_run_is_canceled(instance, tmp_path):
    run_id = _launch(instance, "waits", tmp_path / "marker")
    _marked(tmp_path / "marker")
    assert instance.run_launcher.terminate(run_id)
    assert _wait(instance, run_id, timeout_s=30) == DagsterRunStatus.CANCELED


def test_changed_code_gets_a_new_zygote(instance, tmp_path):
    _wait(instance, _launch(instance, "where", tmp_path / "before"))
    _, zygote_before = _marked(tmp_path / "before")
    source = Path(launched_jobs.__file__)
    stat = source.stat()
    try:
        # Newer than any file of the package: an edit, as far as the launcher can tell.
        os.utime(source, ns=(stat.st_atime_ns, code_fingerprint([MODULE]) + 1_000_000_000))
        _wait(instance, _launch(instance, "where", tmp_path / "after"))
        _, zygote_after = _marked(tmp_path / "after")
    finally:
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert zygote_after != zygote_before


def test_the_fingerprint_follows_the_newest_file_of_the_package():
    before = code_fingerprint([MODULE])
    assert before == max(p.stat().st_mtime_ns for p in Path(launched_jobs.__file__).parents[1].rglob("*.py"))


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


@contextlib.contextmanager
def _listening(kind: str, tmp_path: Path) -> Iterator[str]:
    """A code server's listening socket, as the launcher gives its address: TCP or unix (``dagster dev``)."""
    if kind == "tcp":
        with socket.create_server(("127.0.0.1", 0)) as server:
            host, port = server.getsockname()[:2]
            yield f"{host}:{port}"
        return
    path = tmp_path / "server.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        server.listen()
        yield str(path)


@pytest.mark.parametrize("kind", ["tcp", "unix"])
def test_runs_outlive_the_launcher_while_their_code_server_answers(instance, tmp_path, kind):
    run = _create(instance, "waits", tmp_path / "marker")
    args = serialize_value(
        ExecuteRunArgs(job_origin=run.job_code_origin, run_id=run.run_id, instance_ref=instance.get_ref())
    )
    with _listening(kind, tmp_path) as address:
        zygote = Zygote([MODULE])
        pid = zygote.fork(args, address)
        _marked(tmp_path / "marker")
        zygote.close()  # the daemon stopped or restarts
        time.sleep(3)
        assert _alive(pid) and _alive(zygote.pid)
        assert instance.get_run_by_id(run.run_id).status == DagsterRunStatus.STARTED
    # The code server is gone: the run is stopped and the zygote leaves.
    assert _wait(instance, run.run_id, timeout_s=30) != DagsterRunStatus.SUCCESS
    deadline = time.monotonic() + 30
    while _alive(zygote.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(pid) and not _alive(zygote.pid)
