"""The command line says what went wrong in one line: an unreachable source, an unreachable
database (password masked), days outside the daily partitions; ``summary --date`` counts that day's rows in every table."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from hippique_assets.inventory import summarize_tables
from hippique_assets.racing.results import RACE_RESULTS
from hippique_assets.storage.bulk_write import write_frame
from hippique_assets.storage.tables import column_names

HIPPIQUE = str(Path(sys.executable).parent / "hippique")


def _run(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("HIPPIQUE_") and k != "DAGSTER_HOME"}
    environ.update(HIPPIQUE_HOME=str(home), HIPPIQUE_RETRY_BACKOFF_S="0.01", **env)
    return subprocess.run([HIPPIQUE, *args], capture_output=True, text=True, timeout=180, env=environ)


def test_an_unreachable_database_is_named_in_one_line_with_its_password_masked(tmp_path):
    done = _run(
        ["summary", "--date", "2026-03-23"], tmp_path, HIPPIQUE_PG_URL="postgresql://bob:s3cret@127.0.0.1:9/x"
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "s3cret" not in done.stderr + done.stdout
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("Error: cannot connect to Postgres at postgresql://bob:***@127.0.0.1:9/x")
    assert "refused" in line.lower()


@pytest.mark.postgres
def test_a_refused_source_says_so_in_one_line(fresh_pg_url, tmp_path):
    done = _run(
        ["ingest", "--date", "2026-03-23", "--base-url", "http://127.0.0.1:9/rest", "--rate-limit", "0"],
        tmp_path,
        HIPPIQUE_PG_URL=fresh_pg_url,
    )
    assert done.returncode == 1
    output = done.stdout + done.stderr
    assert "Traceback" not in output
    assert "cannot reach http://127.0.0.1:9/rest/programme/23032026: connection refused" in output
    assert "--missing-only" in done.stderr


@pytest.mark.postgres
def test_a_range_past_the_last_partition_is_refused_before_any_day_runs(fresh_pg_url, tmp_path):
    done = _run(
        ["ingest", "--date", "2099-12-30", "--to", "2100-01-02", "--base-url", "http://127.0.0.1:9/rest"],
        tmp_path,
        HIPPIQUE_PG_URL=fresh_pg_url,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .startswith(
            "Error: ingest_day has no partition 2099-12-30 (and 3 more): its days run from 2013-02-20 to "
        )
    )
    # Refused up front: not one run was made, so nothing tried the (unreachable) source.
    assert "cannot reach" not in done.stdout + done.stderr


@pytest.mark.postgres
def test_summary_counts_only_the_days_rows_in_every_table(fresh_pg_url):
    rows = [
        {
            "race_key": f"{day}-R1C1",
            "race_date": date.fromisoformat(day),
            "reunion": 1,
            "course": 1,
            "official": True,
            "source": "pmu",
            "arrival_order": [1, 2],
            "arrival_ranks": [1, 2],
            "non_runners": [],
            "n_dividends": 1,
            "resulted_at": pd.Timestamp(f"{day}T15:00Z"),
        }
        for day in ("2026-03-23", "2026-03-24")
    ]
    frame = pd.DataFrame(rows)[column_names(RACE_RESULTS)]
    write_frame(fresh_pg_url, RACE_RESULTS, frame)
    counts = {s.table: s.rows for s in summarize_tables(fresh_pg_url, start=date(2026, 3, 23))}
    assert counts["pmu.race_results"] == 1
    assert {"pmu.races", "racing.race_plan", "betting.tickets", "web.race_cards"} <= set(counts)
    assert {s.table: s.rows for s in summarize_tables(fresh_pg_url)}["pmu.race_results"] == 2
