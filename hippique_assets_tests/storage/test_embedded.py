"""The embedded pgserver PostgreSQL: start under a temporary home, share it across processes, stop it."""

import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import psycopg2
import pytest
from click.testing import CliRunner

from hippique_assets.cli.db import db
from hippique_assets.storage.bulk_read import read_frame
from hippique_assets.storage.bulk_write import write_frame
from hippique_assets.storage.embedded import (
    EmbeddedPostgresError,
    embedded_pg_url,
    pgdata_dir,
    stop_embedded_pg,
)
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets_tests.storage.sample_tables import created, runners_frame, runners_spec, sorted_frame

pytestmark = pytest.mark.slow

D1 = date(2026, 3, 23)


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    """A home folder whose embedded server is stopped at the end of the test."""
    home = tmp_path / "h"
    try:
        embedded_pg_url(home)
    except EmbeddedPostgresError as exc:
        pytest.skip(f"pgserver cannot run a PostgreSQL server on this machine: {exc}")
    try:
        yield home
    finally:
        stop_embedded_pg(home)


def _answers(url: str) -> str:
    conn = psycopg2.connect(url, connect_timeout=5)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT current_database()")
            return cur.fetchone()[0]
    finally:
        conn.close()


def test_embedded_server_stores_tables_and_is_shared_across_processes(home: Path) -> None:
    url = embedded_pg_url(home)
    assert url.startswith("postgresql://") and _answers(url) == "hippique"
    assert (pgdata_dir(home) / "PG_VERSION").is_file()

    spec = created(url, runners_spec("embedded"))
    frame = runners_frame(D1, n=5)
    assert write_frame(url, spec, frame, partition_values=[D1]).rows == 5

    # Another process (a run worker, the CLI) finds the running server and exits without stopping it.
    code = "import sys; from hippique_assets.storage.embedded import embedded_pg_url; print(embedded_pg_url(sys.argv[1]))"
    child = subprocess.run(
        [sys.executable, "-c", code, str(home)], capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == url
    assert _answers(url) == "hippique"

    # The resource without a URL resolves to the same server under its home.
    assert PostgresResource(home=str(home)).get_url() == url
    pd.testing.assert_frame_equal(
        read_frame(url, spec), sorted_frame(frame, ["race_date", "race_key", "number"])
    )


def test_a_stopped_server_is_started_again_with_its_data(home: Path) -> None:
    url = embedded_pg_url(home)
    spec = created(url, runners_spec("embedded"))
    write_frame(url, spec, runners_frame(D1, n=3), partition_values=[D1])
    assert stop_embedded_pg(home) is True
    assert stop_embedded_pg(home) is False
    with pytest.raises(psycopg2.OperationalError):
        _answers(url)
    again = embedded_pg_url(home)
    assert sorted(read_frame(again, spec)["number"].tolist()) == [1, 2, 3]


def test_hippique_db_stop_stops_the_server_of_its_home(home: Path, monkeypatch) -> None:
    url = embedded_pg_url(home)
    monkeypatch.setenv("HIPPIQUE_HOME", str(home))
    monkeypatch.delenv("HIPPIQUE_PG_URL", raising=False)
    stopped = CliRunner().invoke(db, ["stop"])
    assert stopped.exit_code == 0, stopped.output
    assert stopped.output.strip() == f"embedded PostgreSQL in {pgdata_dir(home)}: stopped"
    with pytest.raises(psycopg2.OperationalError):
        _answers(url)
    again = CliRunner().invoke(db, ["stop"])
    assert again.output.strip().endswith(": not running")


def test_hippique_db_stop_leaves_a_configured_server_alone(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HIPPIQUE_HOME", str(tmp_path))
    monkeypatch.setenv("HIPPIQUE_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    result = CliRunner().invoke(db, ["stop"])
    assert result.exit_code == 0
    assert "no embedded PostgreSQL to stop" in result.output
