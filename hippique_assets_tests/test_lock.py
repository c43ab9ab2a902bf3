"""What the production install takes from uv.lock (the product without extras, as the Dockerfile's
``uv sync --locked --no-dev``): the Dagster stack, and neither the replay world nor pgserver nor the
test tools. The lock's own freshness is checked by every ``uv sync --locked`` (make venv, CI)."""

from __future__ import annotations

import tomllib
from collections import deque
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEV_ONLY = {"hippique-replay", "pgserver", "pytest", "ruff", "hypothesis", "gcp-storage-emulator"}


@pytest.fixture(scope="module")
def lock() -> dict[str, list[dict]]:
    """The lock's package entries by name (a name can have one entry per Python version range)."""
    packages: dict[str, list[dict]] = {}
    for package in tomllib.loads((ROOT / "uv.lock").read_text())["package"]:
        packages.setdefault(package["name"], []).append(package)
    return packages


def installed_by(lock: dict[str, list[dict]], name: str, extras: tuple[str, ...] = ()) -> set[str]:
    """Every package that installing ``name`` with ``extras`` brings, following the locked graph."""
    seen: set[tuple[str, tuple[str, ...]]] = set()
    todo = deque([(name, extras)])
    while todo:
        current, wanted = todo.popleft()
        for entry in lock[current]:
            edges = list(entry.get("dependencies", []))
            for extra in wanted:
                edges += entry.get("optional-dependencies", {}).get(extra, [])
            for edge in edges:
                key = (edge["name"], tuple(edge.get("extra", ())))
                if key not in seen:
                    seen.add(key)
                    todo.append(key)
    return {package for package, _ in seen}


def test_the_production_install_has_no_replay_no_pgserver_no_test_tools(lock):
    production = installed_by(lock, "hippique-assets")
    assert production & DEV_ONLY == set()
    assert {"dagster", "dagster-webserver", "dagster-postgres", "pandas", "psycopg2-binary"} <= production


def test_the_dev_install_has_them_all(lock):
    assert installed_by(lock, "hippique-assets", ("dev",)) >= DEV_ONLY


@pytest.mark.parametrize(
    ("name", "version"),
    [
        ("dagster", "1.13.27"),
        ("dagster-webserver", "1.13.27"),
        ("dagster-postgres", "0.29.27"),
        ("dagster-gcp", "0.29.27"),
        ("dagster-pandas", "0.29.27"),
        ("dagster-k8s", "0.29.27"),
    ],
)
def test_the_dagster_family_is_locked_at_its_pins(lock, name: str, version: str):
    assert [entry["version"] for entry in lock[name]] == [version]
