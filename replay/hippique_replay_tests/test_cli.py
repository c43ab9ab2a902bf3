"""``hippique replay``: ``serve`` as a real process on loopback, ``generate`` through click's runner."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import httpx
from click.testing import CliRunner

from hippique_assets.pmu.paths import participants_path, performances_path, rapports_path
from hippique_replay.cli import replay
from hippique_replay.generator import generate_day
from hippique_replay.server import ReplayServer
from hippique_replay.sources import FolderSource, GeneratedSource


@contextmanager
def serving(*args: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Run ``replay serve --port 0 ARGS`` and yield the base URL it printed, then stop it with SIGTERM."""
    process = subprocess.Popen(
        [sys.executable, "-m", "hippique_replay.cli", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.search(r" at (http://127\.0\.0\.1:\d+/rest/client/61)$", first.strip())
        assert match, (
            f"no base URL in {first!r}; stderr: {process.stderr.read() if process.poll() is not None else ''}"
        )
        yield match.group(1), process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        process.wait(10)


def test_serve_prints_its_url_answers_and_logs_each_request(tmp_path: Path, pmu_samples: Path) -> None:
    (tmp_path / "programme").mkdir()
    (tmp_path / "programme" / "23032026.json").symlink_to(pmu_samples / "programme_23032026.json")
    faults = r"burst=503:0:1,seed=1,path=^/programme/\d{8}$"
    with serving("--folder", str(tmp_path), "--faults", faults) as (base_url, process):
        with httpx.Client(timeout=5.0) as http:
            assert http.get(f"{base_url}/programme/23032026").status_code == 503
            programme = http.get(f"{base_url}/programme/23032026")
            assert programme.content == (pmu_samples / "programme_23032026.json").read_bytes()
            assert http.get(f"{base_url}/programme/23032026/R1/C1/participants").status_code == 204
        process.send_signal(signal.SIGTERM)
        # Read through the same text wrapper that read the first line (it may hold buffered lines).
        assert process.stdout is not None and process.stderr is not None
        out, err = process.stdout.read(), process.stderr.read()
        process.wait(10)
    assert process.returncode == 0, err
    lines = out.splitlines()
    assert f"faults: {faults}" in lines[0]
    requests = [line for line in lines if "/programme/" in line and "sim=" in line]
    assert [line.split()[1:3] for line in requests] == [
        ["503", "/programme/23032026"],
        ["200", "/programme/23032026"],
        ["204", "/programme/23032026/R1/C1/participants"],
    ]
    assert "fault=503" in requests[0]
    assert lines[-1] == "Stopped after 3 requests (200: 1, 204: 1, 503: 1)."


def test_serve_rejects_bad_options_clearly(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(replay, ["serve", "--host", "0.0.0.0", "--folder", str(tmp_path)])
    assert result.exit_code == 2 and "only loopback addresses" in result.output
    result = runner.invoke(replay, ["serve", "--faults", "5xx=2", "--folder", str(tmp_path)])
    assert result.exit_code == 2 and "probability 2.0 is outside [0, 1]" in result.output
    result = runner.invoke(replay, ["serve", "--clock", "soon", "--folder", str(tmp_path)])
    assert result.exit_code == 2 and "unknown clock 'soon'" in result.output
    result = runner.invoke(replay, ["serve", "--folder", str(tmp_path / "absent")])
    assert result.exit_code == 2 and "absent" in result.output
    with ReplayServer(FolderSource(tmp_path)) as busy:
        port = busy.port
        result = runner.invoke(replay, ["serve", "--port", str(port), "--folder", str(tmp_path)])
    assert result.exit_code == 1 and f"cannot bind 127.0.0.1:{port}" in result.output


def test_generate_rejects_a_naive_as_of_and_a_backwards_range(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        replay, ["generate", "--date", "2026-03-23", "--out", str(tmp_path), "--as-of", "2026-03-23T12:00"]
    )
    assert result.exit_code == 2 and "has no timezone" in result.output
    result = runner.invoke(
        replay, ["generate", "--date", "2026-03-23", "--to", "2026-03-22", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2 and "before --date" in result.output
    assert not any(tmp_path.iterdir())


def test_generate_writes_days_that_a_folder_replay_serves_identically(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        replay,
        ["generate", "--date", "2026-03-23", "--to", "2026-03-24", "--out", str(tmp_path), "--seed", "3"],
    )
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.rglob("*.json"))
    per_day = [int(re.search(r": (\d+) files", line).group(1)) for line in result.output.splitlines()[:2]]
    assert sum(per_day) == len(files) > 0
    assert result.output.splitlines()[-1] == f"Wrote {len(files)} files for 2 day(s) under {tmp_path}"

    folder, generated = FolderSource(tmp_path), GeneratedSource(seed=3)
    day = date(2026, 3, 23)
    race = next(r for r in generate_day(day, seed=3).races() if not r.cancelled)
    paths = [
        "/programme/23032026",
        "/programme/24032026",
        participants_path(day, race.reunion, race.course),
        performances_path(day, race.reunion, race.course),
        rapports_path(day, race.reunion, race.course),
    ]
    for path in paths:
        recorded, live = folder.respond(path, None), generated.respond(path, None)
        assert recorded.status == live.status, path
        assert json.loads(recorded.body) == json.loads(live.body), path


def test_generate_as_of_writes_the_state_at_that_instant(tmp_path: Path) -> None:
    day = date(2026, 3, 23)
    races = [r for r in generate_day(day, seed=3).races() if not r.cancelled]
    as_of = min(r.start_utc for r in races) - timedelta(hours=1)
    result = CliRunner().invoke(
        replay,
        [
            "generate",
            "--date",
            "2026-03-23",
            "--out",
            str(tmp_path),
            "--seed",
            "3",
            "--as-of",
            as_of.isoformat(),
        ],
    )
    assert result.exit_code == 0, result.output
    assert not list(tmp_path.rglob("rapports-definitifs.json"))
    assert len(list(tmp_path.rglob("participants.json"))) == len(races)


def test_serve_a_generated_world_on_a_frozen_clock() -> None:
    day = date(2026, 3, 23)
    race = next(r for r in generate_day(day, seed=5).races() if not r.cancelled)
    at = race.start_utc - timedelta(minutes=10)
    with serving("--seed", "5", "--clock", f"at:{at.isoformat()}", "--quiet") as (base_url, process):
        root = base_url.removesuffix("/rest/client/61")
        with httpx.Client(timeout=10.0) as http:
            assert http.get(f"{root}/_replay/clock").json()["now"] == at.isoformat()
            assert http.get(base_url + rapports_path(day, race.reunion, race.course)).status_code == 404
            runners = http.get(base_url + participants_path(day, race.reunion, race.course)).json()[
                "participants"
            ]
            assert runners and all(p.get("ordreArrivee") is None for p in runners)
        process.send_signal(signal.SIGTERM)
        assert process.stdout is not None
        out = process.stdout.read()
        process.wait(10)
    assert process.returncode == 0
    assert out.splitlines()[-1] == "Stopped after 2 requests (200: 1, 404: 1)."
