"""The product runs without the development packages that the production image leaves out:
hippique_replay (the generated world) and pgserver (the embedded PostgreSQL). The definitions and
every module of hippique_assets import without them, and the commands that would need them say what
to do in one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hippique_assets_tests.without_modules import run_without

LEFT_OUT = ["hippique_replay", "pgserver"]

IMPORT_EVERY_MODULE = """
import importlib
import json
import pkgutil

failures = {}
imported = []


def attempt(name):
    try:
        importlib.import_module(name)
        imported.append(name)
    except Exception as exc:
        failures[name] = f"{type(exc).__name__}: {exc}"


attempt("hippique_assets.definitions")
import hippique_assets

for info in pkgutil.walk_packages(
    hippique_assets.__path__, "hippique_assets.", onerror=lambda name: failures.setdefault(name, "walk")
):
    # The migration environment runs inside Alembic (hippique db upgrade), which imports it there.
    if info.name != "hippique_assets.migrations.env":
        attempt(info.name)
attempts = list(Refuse.refused)
still_importable = []
for name in REFUSED_PACKAGES:
    try:
        importlib.import_module(name)
        still_importable.append(name)
    except ModuleNotFoundError:
        pass
print(json.dumps({"imported": imported, "failures": failures, "attempts": attempts,
                  "still_importable": still_importable}))
"""


def _hippique_fails_in_one_line(args: list[str], home: Path, *, unset: str) -> str:
    """``hippique ARGS`` where the left-out packages cannot be imported and ``unset`` is not set:
    it must fail with a single line on stderr and no traceback; returns that line."""
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", unset)}
    env["HIPPIQUE_HOME"] = str(home)
    code = f"import sys\nfrom hippique_assets.cli import main\nsys.argv = ['hippique', *{args!r}]\nmain()"
    done = run_without(LEFT_OUT, code, env=env)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_no_module_of_hippique_assets_needs_replay_or_pgserver():
    done = run_without(LEFT_OUT, IMPORT_EVERY_MODULE)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    # The finder works: both packages are refused in that process.
    assert report["still_importable"] == []
    assert report["failures"] == {}, "modules that do not import without hippique_replay or pgserver"
    # Only the discovery of installed commands tries hippique_replay (the hippique.commands entry
    # points of the hippique-replay installed here; a production install has none).
    importers = {importer for importer, name in report["attempts"]}
    assert importers <= {"hippique_assets.cli.plugins"}, f"modules that try: {report['attempts']}"
    assert not [name for _, name in report["attempts"] if name.startswith("pgserver")]
    imported = set(report["imported"])
    assert {"hippique_assets.definitions", "hippique_assets.cli.main", "hippique_assets.cli.dev"} <= imported
    assert {"hippique_assets.storage.embedded", "hippique_assets.defs.pmu.assets"} <= imported
    assert len(imported) > 80


def test_hippique_dev_without_replay_says_what_to_do_in_one_line(tmp_path: Path):
    home = tmp_path / "home"
    line = _hippique_fails_in_one_line(["dev"], home, unset="HIPPIQUE_PMU_BASE_URL")
    assert "hippique-replay" in line
    assert "HIPPIQUE_PMU_BASE_URL" in line
    # It stopped before starting anything: no embedded server, no Dagster instance.
    assert not home.exists()


def test_no_server_and_no_pgserver_is_a_one_line_error(tmp_path: Path):
    line = _hippique_fails_in_one_line(
        ["summary", "--date", "2026-03-23"], tmp_path / "home", unset="HIPPIQUE_PG_URL"
    )
    assert "HIPPIQUE_PG_URL" in line
    assert "hippique_assets[embedded]" in line


def test_loading_the_definitions_leaves_plotting_spreadsheets_and_optimisation_unimported():
    """Every run process loads the definitions before its first step: matplotlib, openpyxl and
    scipy.optimize (0.9 s of imports together) are imported by the steps that draw, write a workbook
    or fit, not by the loading."""
    code = (
        "import json, sys\n"
        "import hippique_assets.definitions as d\n"
        "d.defs\n"
        "print(json.dumps(sorted(m for m in ('matplotlib', 'openpyxl', 'scipy.optimize') if m in sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
