"""``hippique status``: the day at a glance in a terminal, exit 1 when something needs a person."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hippique_assets.storage.postgres import PostgresResource

HIPPIQUE = str(Path(sys.executable).parent / "hippique")
DAY = "2026-03-23"


def _status(url: str, home: Path, at: str, *args: str, **variables: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("HIPPIQUE_") and k != "DAGSTER_HOME"}
    environ.update(HIPPIQUE_HOME=str(home), HIPPIQUE_PG_URL=url, HIPPIQUE_CLOCK=f"at:{at}", **variables)
    return subprocess.run(
        [HIPPIQUE, "status", "--date", DAY, *args], capture_output=True, text=True, timeout=120, env=environ
    )


def test_a_day_without_a_plan_after_the_deadline_needs_a_person(fresh_pg_url, tmp_path):
    done = _status(fresh_pg_url, tmp_path, "2026-03-23T08:10:00+00:00")
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"hippique status {DAY} at 2026-03-23 09:10 Paris"
    assert "plan: 0 races (0 cancelled), programme 0" in lines
    assert lines[-1] == (
        "status: NEEDS A PERSON: The plan of 2026-03-23 is not stored at 09:05 Paris; "
        "the daemon is silent (no heartbeat)"
    )


def test_the_plan_the_missed_phases_and_undelivered_alerts_are_shown(fresh_pg_url, tmp_path):
    postgres = PostgresResource(url=fresh_pg_url)
    start = datetime(2026, 3, 23, 13, 0, tzinfo=UTC)
    postgres.execute(
        "insert into racing.race_plan (race_date, race_key, reunion, course, start_utc, h30_due_utc, "
        "watch_due_utc, h5_due_utc, last_call_due_utc, result_due_utc, cancelled, start_source, "
        "identity_source, planned_at) values (%s, %s, 1, 1, %s, %s, %s, %s, %s, %s, false, 'pmu', 'pmu', %s)",
        (
            DAY,
            f"{DAY}-R1C1",
            start,
            start - timedelta(minutes=30),
            start - timedelta(minutes=10),
            start - timedelta(minutes=5),
            start - timedelta(minutes=3),
            start + timedelta(minutes=15),
            start - timedelta(hours=5),
        ),
    )
    postgres.execute(
        "insert into racing.odds_capture_gaps (race_key, race_date, gap_from, gap_to, seconds, reason, "
        "recorded_at) values (%s, %s, %s, %s, 72, 'capture_failed', %s)",
        (f"{DAY}-R1C1", DAY, start, start + timedelta(seconds=72), start),
    )
    postgres.execute(
        "insert into racing.missed_runs (run_key, race_key, phase, due_utc, detected_at, reason) "
        "values ('k', %s, 'h30', %s, %s, 'not_fired')",
        (f"{DAY}-R1C1", start - timedelta(minutes=30), start),
    )
    postgres.execute(
        "insert into racing.alerts (dedup_key, condition, severity, race_date, race_key, title, detail, "
        "raised_at, delivered, deliveries) values ('h30_missed:2026-03-23:2026-03-23-R1C1', 'h30_missed', "
        "'warning', %s, %s, 'H-30 of 2026-03-23-R1C1 missed (not_fired)', 'd', %s, false, "
        "'email smtp://127.0.0.1:25: not delivered after 3 attempt(s): refused')",
        (DAY, f"{DAY}-R1C1", start),
    )
    done = _status(fresh_pg_url, tmp_path, "2026-03-23T12:33:00+00:00")
    out = done.stdout
    assert "plan: 1 races (0 cancelled), programme 0" in out
    # Every run the race clock will request, the watcher and the last call (3 minutes here) included.
    assert (
        f"next due: {DAY}-R1C1 H-10 watch 13:50, {DAY}-R1C1 H-5 13:55, {DAY}-R1C1 last call 13:57, "
        f"{DAY}-R1C1 H+15 14:15"
    ) in out
    assert "odds watchers: 0 run(s), 1 capture gap(s) (72 s)" in out
    assert f"missed phases: 1\n  {DAY}-R1C1 h30 (not_fired)" in out
    assert "alerts: 1 raised, 1 not delivered" in out
    assert "[not delivered: email smtp://127.0.0.1:25: not delivered after 3 attempt(s): refused]" in out
    # Only the silent daemon needs a person: no condition of the day is critical.
    assert out.splitlines()[-1] == "status: NEEDS A PERSON: the daemon is silent (no heartbeat)"
    assert done.returncode == 1


def test_with_the_watchers_off_none_is_due_nor_reported(fresh_pg_url, tmp_path):
    postgres = PostgresResource(url=fresh_pg_url)
    start = datetime(2026, 3, 23, 13, 0, tzinfo=UTC)
    postgres.execute(
        "insert into racing.race_plan (race_date, race_key, reunion, course, start_utc, watch_due_utc, "
        "h5_due_utc, cancelled, start_source, identity_source, planned_at) "
        "values (%s, %s, 1, 1, %s, %s, %s, false, 'pmu', 'pmu', %s)",
        (
            DAY,
            f"{DAY}-R1C1",
            start,
            start - timedelta(minutes=10),
            start - timedelta(minutes=5),
            start - timedelta(hours=5),
        ),
    )
    done = _status(fresh_pg_url, tmp_path, "2026-03-23T12:33:00+00:00", HIPPIQUE_ODDS_WATCH="off")
    assert f"next due: {DAY}-R1C1 H-5 13:55\n" in done.stdout, done.stderr
    assert "odds watchers: off (HIPPIQUE_ODDS_WATCH)" in done.stdout


def test_the_alert_thresholds_of_the_environment_decide_what_needs_a_person(fresh_pg_url, tmp_path):
    # No plan at 09:10 Paris: critical with the 09:05 deadline, not with a 10:00 one.
    done = _status(fresh_pg_url, tmp_path, "2026-03-23T08:10:00+00:00", HIPPIQUE_ALERT_PLAN_DEADLINE="10:00")
    assert done.stdout.splitlines()[-1] == "status: NEEDS A PERSON: the daemon is silent (no heartbeat)"
