"""Every Dagster program the product starts runs with ``DAGSTER_DISABLE_TELEMETRY`` set: the only
switch that stops the webserver's and the daemon's telemetry upload (which moves $DAGSTER_HOME/logs
aside and posts it), whatever dagster.yaml says. Fast: no Dagster program is started."""

from __future__ import annotations

import re
import sys
import threading
from pathlib import Path

import pytest

from hippique_assets.cli import serve as serve_module
from hippique_assets.cli.dev import dev_log_path
from hippique_assets.cli.processes import ManagedProcess, code_server, daemon, webserver
from hippique_assets.deploy.roles import DAGSTER_CHILD_VARIABLES, dagster_environ
from hippique_assets_tests.deployed.stack import REPO

TELEMETRY_OFF = ("DAGSTER_DISABLE_TELEMETRY", "1")


def test_the_child_environment_turns_telemetry_off_and_keeps_the_rest():
    assert dict([TELEMETRY_OFF]) == DAGSTER_CHILD_VARIABLES
    built = dagster_environ({"DAGSTER_HOME": "/x", "DAGSTER_DISABLE_TELEMETRY": ""})
    assert built == {"DAGSTER_HOME": "/x", "DAGSTER_DISABLE_TELEMETRY": "1"}
    assert dagster_environ({})["DAGSTER_DISABLE_TELEMETRY"] == "1"


def test_dagster_reads_that_variable(monkeypatch, tmp_path):
    from dagster._core.telemetry_upload import is_running_in_test, upload_logs

    monkeypatch.delenv("BUILDKITE", raising=False)
    monkeypatch.delenv("TF_BUILD", raising=False)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    monkeypatch.setenv(*TELEMETRY_OFF)
    assert is_running_in_test()
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "kept.log").write_text("line\n")
    upload_logs(threading.Event(), raise_errors=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["logs"]
    assert (tmp_path / "logs" / "kept.log").read_text() == "line\n"


def test_every_process_helper_passes_it(tmp_path):
    env = {"DAGSTER_HOME": str(tmp_path)}
    workspace = tmp_path / "workspace.yaml"
    started = [
        code_server(4000, tmp_path / "c.log", env),
        webserver(workspace, 3000, tmp_path / "w.log", env),
        daemon(workspace, tmp_path / "d.log", env),
        ManagedProcess("inherits", ["true"], tmp_path / "i.log"),
        ManagedProcess("given", ["true"], tmp_path / "g.log", env=env),
    ]
    for process in started:
        assert process.env["DAGSTER_DISABLE_TELEMETRY"] == "1", process.name
    assert started[0].env["DAGSTER_HOME"] == str(tmp_path)


def test_a_managed_child_sees_it(tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_DISABLE_TELEMETRY", raising=False)
    log = tmp_path / "child.log"
    code = "import os; print(os.environ.get('DAGSTER_DISABLE_TELEMETRY'))"
    process = ManagedProcess("child", [sys.executable, "-c", code], log).start()
    assert process.popen is not None
    assert process.popen.wait(30) == 0
    assert log.read_text().strip() == "1"


@pytest.mark.parametrize("argv", [["dagster-daemon", "run"], ["dagster", "instance", "migrate"]])
def test_hippique_serve_execs_with_it(monkeypatch, argv):
    monkeypatch.delenv("DAGSTER_DISABLE_TELEMETRY", raising=False)
    monkeypatch.setenv("HIPPIQUE_MARK", "kept")
    seen: dict[str, object] = {}

    def execve(path: str, args: list[str], env: dict[str, str]) -> None:
        seen.update(path=path, args=args, env=env)

    monkeypatch.setattr(serve_module.os, "execve", execve)
    serve_module._exec(argv)
    assert Path(str(seen["path"])).name == argv[0]
    env = seen["env"]
    assert isinstance(env, dict)
    assert env["DAGSTER_DISABLE_TELEMETRY"] == "1"
    assert env["HIPPIQUE_MARK"] == "kept"


def test_the_image_sets_it():
    final_stage = (REPO / "Dockerfile").read_text().rsplit("\nFROM ", 1)[1]
    assert re.search(r"^\s+DAGSTER_DISABLE_TELEMETRY=1\b", final_stage, re.M)


def test_the_dev_log_is_outside_the_telemetry_folder(tmp_path):
    path = dev_log_path(tmp_path)
    assert path == tmp_path.resolve() / "logs" / "dagster-dev.log"
    assert tmp_path.resolve() / "dagster_home" not in path.parents
