"""Shared fixtures: the real sample captures and a throw-away Postgres database per test run."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2
import pytest

from hippique_assets.storage import migrate
from hippique_assets_tests.net.scripted_server import ScriptedServer, SleepRecorder

SAMPLES_DIR = Path(
    os.environ.get("HIPPIQUE_SAMPLES_DIR", Path(__file__).resolve().parents[2] / "shared" / "pmu-samples")
)
REAL_RACES_DIR = Path(
    os.environ.get("HIPPIQUE_REAL_RACES_DIR", Path(__file__).resolve().parents[2] / "shared" / "real-races")
)
ADMIN_PG_URL = os.environ.get("HIPPIQUE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

# The longest modules, longest first (measured: each plays a day on the real daemon or builds the
# image). The suite runs one module per worker at a time (pytest-xdist, --dist loadfile, with
# --no-loadscope-reorder so that xdist keeps this order), so the long ones never come last. The
# production topology (four minutes, most of it waiting) is not among them: started with the others,
# its code server, daemon and Postgres storage loaded the first minutes, when the hostile day's first
# races are due (an H-5 decided 43.6 s after it was due, against 22.3 s with the compose test there).
LONGEST_FIRST = (
    "test_hostile_day.py",
    "test_race_day.py",
    "deployed/test_image.py",
    "deployed/test_daemon_restart.py",
    "deployed/test_compose.py",
)


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        os.setpriority(os.PRIO_PROCESS, 0, max(os.getpriority(os.PRIO_PROCESS, 0), WORKER_NICENESS))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Longest modules first, then the modules with a slow test, then the rest; each module kept
    whole (its module fixtures set up once) and every group in collection order."""

    def rank(item: pytest.Item) -> int:
        path = item.path.as_posix()
        for position, tail in enumerate(LONGEST_FIRST):
            if path.endswith(tail):
                return position
        return len(LONGEST_FIRST) + (0 if item.get_closest_marker("slow") else 1)

    module_rank: dict[Path, int] = {}
    for item in items:
        module_rank[item.path] = min(module_rank.get(item.path, rank(item)), rank(item))
    items.sort(key=lambda item: module_rank[item.path])


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """``shared/pmu-samples`` beside the checkout (read-only real captures)."""
    if not SAMPLES_DIR.is_dir():
        pytest.skip(f"real captures not found at {SAMPLES_DIR} (set HIPPIQUE_SAMPLES_DIR)")
    return SAMPLES_DIR


@pytest.fixture(scope="session")
def real_races_dir() -> Path:
    """``shared/real-races`` beside the checkout: real races (API layout) and their odds captures."""
    tarball = REAL_RACES_DIR / "train-2025-10-24_2026-03-31.tar.gz"
    captures = REAL_RACES_DIR / "snapshots" / "odds_snapshots.csv.gz"
    if not tarball.is_file() or not captures.is_file():
        pytest.skip(f"real races not found at {REAL_RACES_DIR} (set HIPPIQUE_REAL_RACES_DIR)")
    return REAL_RACES_DIR


@pytest.fixture(scope="session")
def pmu_samples(samples_dir: Path) -> Path:
    return samples_dir / "pmu"


@pytest.fixture(scope="session")
def html_samples(samples_dir: Path) -> Path:
    return samples_dir / "html"


def _admin_connection():
    try:
        conn = psycopg2.connect(ADMIN_PG_URL, connect_timeout=5)
    except psycopg2.OperationalError as exc:  # pragma: no cover - depends on the machine
        pytest.fail(
            f"cannot reach the test Postgres at {ADMIN_PG_URL}: {exc}. Start it or set HIPPIQUE_TEST_PG_URL."
        )
    conn.autocommit = True
    return conn


def _with_database(url: str, database: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{database}"


@contextmanager
def database(prefix: str, *, migrated: bool = True) -> Iterator[str]:
    """A database of its own on the machine's Postgres, at the latest migration unless told
    otherwise (as a deploy leaves it), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = _admin_connection()
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    url = _with_database(ADMIN_PG_URL, name)
    try:
        if migrated:
            migrate.upgrade(url)
        yield url
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


# The niceness of a played day's code server, daemon and runs: its H-5 and last-call runs have half a
# minute of wall time at x8-x20, while the other workers run CPU-bound tests (and image builds) beside.
# Each of those processes leads a session, which Linux schedules as a group at that niceness
# (hippique_assets.deploy.sessions.session_keeps_niceness).
PLAYED_DAY_PRIORITY = -5
# Every other test runs at this niceness (a worker's processes inherit it): when a played day's runs
# and other tests want the two cores at once, the day's get about nine times their share.
WORKER_NICENESS = 5
# The three played days start together, each the first module of its worker, and each is busy (runs
# due seconds before an off, and for the daemon-restart day the catch-up after its outage) for one to
# four wall minutes. They play at PLAYED_DAY_PRIORITY and their lead-ins keep those stretches apart,
# one after the other (test_played_days.py checks it): the two cores cannot carry two of them at once.
# The daemon-restart day comes last: its outage ends in a burst of catch-up runs, and nothing follows
# it that is timed in seconds.
HOSTILE_LEAD_WALL_S = 45.0
RACE_DAY_LEAD_WALL_S = 237.0
RESTART_DAY_LEAD_WALL_S = 390.0


@contextmanager
def played_day_environment(prefix: str, home: Path, *, watched: bool) -> Iterator[str]:
    """The environment ``hippique day`` runs in on a workstation: ``HIPPIQUE_HOME`` and
    ``DAGSTER_HOME`` under ``home``, tables in an empty database of their own (the local processes
    migrate it on first use), the default PMU source (the play starts its replay server), and minute
    watchers only when the races are ``watched`` (whatever HIPPIQUE_ODDS_WATCH the shell has)."""
    with database(prefix, migrated=False) as url, pytest.MonkeyPatch.context() as mp:
        mp.setenv("HIPPIQUE_PG_URL", url)
        mp.setenv("HIPPIQUE_HOME", str(home))
        mp.setenv("DAGSTER_HOME", str(home / "dagster_home"))
        mp.delenv("HIPPIQUE_PMU_BASE_URL", raising=False)
        mp.setenv("HIPPIQUE_ODDS_WATCH", "on" if watched else "off")
        yield url


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A database for this test run, with the platform's tables, dropped at the end."""
    with database(f"hippique_test_{os.getpid()}") as url:
        yield url


@pytest.fixture
def fresh_pg_url(pg_url: str) -> Iterator[str]:
    """A database of its own for one test (for tests that must start from empty tables)."""
    with database("hippique_t") as url:
        yield url


@pytest.fixture
def empty_pg_url(pg_url: str) -> Iterator[str]:
    """A database without any table (before the first migration)."""
    with database("hippique_e", migrated=False) as url:
        yield url


# A scripted loopback HTTP server, and a stand-in for time.sleep, for the HTTP client tests.
@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as srv:
        yield srv


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()
