"""``hippique demo``: one command gives every group of the UI something to show: the ingested day,
the morning plan, the first races' snapshots, decisions and results, and the day's ledger and workbook."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hippique_assets.storage.postgres import query_frame

HIPPIQUE = str(Path(sys.executable).parent / "hippique")
DAY = "2026-03-23"

pytestmark = pytest.mark.slow


def test_the_demo_plays_its_races_and_builds_the_ledger(fresh_pg_url, tmp_path):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("HIPPIQUE_") and k != "DAGSTER_HOME"}
    environ.update(HIPPIQUE_HOME=str(tmp_path), HIPPIQUE_PG_URL=fresh_pg_url)
    done = subprocess.run(
        [HIPPIQUE, "demo", "--date", DAY, "--races", "3"],
        capture_output=True,
        text=True,
        timeout=600,
        env=environ,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    counts = {
        table: int(query_frame(fresh_pg_url, f"select count(*) as n from {table}")["n"].iloc[0])
        for table in ("racing.race_plan", "betting.decisions", "pmu.race_results", "betting.ledger")
    }
    assert counts["racing.race_plan"] > 3
    assert counts["betting.decisions"] == counts["pmu.race_results"] == counts["betting.ledger"] == 3
    phases = query_frame(fresh_pg_url, "select distinct phase from pmu.odds_snapshots order by 1")
    assert list(phases["phase"]) == ["h30", "h5"]
    # Every snapshot was taken before its race was off: the history holds no look-ahead.
    late = query_frame(
        fresh_pg_url,
        "select count(*) as n from pmu.odds_snapshots s join racing.race_plan p using (race_key) "
        "where s.captured_at >= p.start_utc",
    )
    assert late["n"].iloc[0] == 0
    assert (tmp_path / "files" / "artifacts" / "betting" / DAY / f"hippique-{DAY}.xlsx").exists()
    assert "Ledger and workbook of 2026-03-23: ok" in done.stdout
