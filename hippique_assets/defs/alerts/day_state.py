"""A racing day's state as the watch sees it: facts read from Postgres and the Dagster instance, and
the alert log (``racing.alerts``) that makes every alert go out once.

Shared by the ``race_day_watch`` and ``run_failure_alerts`` sensors and by ``hippique status``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from dagster import DagsterInstance, DagsterRun, DagsterRunStatus, RunRecord, RunsFilter

from hippique_assets.alerts import Alert, Delivery
from hippique_assets.betting.tables import LEDGER
from hippique_assets.defs.alerts.resources import NotificationsResource
from hippique_assets.defs.partitions import RACES_PARTITIONS_NAME
from hippique_assets.defs.race_live.jobs import PHASE_JOBS
from hippique_assets.lib.race_runs import DUE_TAG, RACE_TAG
from hippique_assets.pmu.tables import INGEST_GAPS, ODDS_SNAPSHOTS, RACES
from hippique_assets.racing.race_clock import LAST_CALL, WATCH
from hippique_assets.racing.tables import ALERTS, MISSED_RUNS, ODDS_CAPTURE_GAPS, RACE_PLAN
from hippique_assets.racing.watch import DayFacts, RunOutcome
from hippique_assets.storage.postgres import PostgresResource

FINISHED = (DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE)


def _one_row(postgres: PostgresResource, sql: str, params: tuple) -> dict:
    frame = postgres.query_frame(sql, params)
    return frame.iloc[0].to_dict() if not frame.empty else {}


def aware(value: object) -> datetime | None:
    """An instant (a datetime, a pandas timestamp or ISO text) as an aware datetime; None when missing
    or unreadable."""
    if value is None or value != value or value == "":  # None, NaT or empty
        return None
    try:
        stamp = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def read_table_facts(postgres: PostgresResource, day: date) -> DayFacts:
    """The plan, the programme, missed phases and gaps of ``day`` (one query each)."""
    plan = _one_row(
        postgres,
        f"select count(*) filter (where not cancelled) as planned, count(*) filter (where cancelled) as cancelled, "
        f"min(h30_due_utc) filter (where not cancelled) as first_h30, max(start_utc) as last_start "
        f"from {RACE_PLAN.fullname} where race_date = %s",
        (day,),
    )
    programme = _one_row(postgres, f"select count(*) as n from {RACES.fullname} where race_date = %s", (day,))
    missed = postgres.query_frame(
        f"select race_key, phase, coalesce(reason, 'not_fired') as reason from {MISSED_RUNS.fullname} "
        "where race_key like %s order by due_utc",
        (f"{day.isoformat()}-%",),
    )
    ledger = postgres.query_frame(f"select count(*) as n from {LEDGER.fullname} where race_date = %s", (day,))
    gaps = postgres.query_frame(
        f"select kind, endpoint, race_key from {INGEST_GAPS.fullname} where race_date = %s", (day,)
    )
    shrunk = gaps[(gaps["kind"] == "shrank") & (gaps["endpoint"] == "programme")]["race_key"].dropna()
    return DayFacts(
        day=day,
        programme_races=int(programme.get("n") or 0),
        planned_races=int(plan.get("planned") or 0),
        cancelled_races=int(plan.get("cancelled") or 0),
        first_h30_due=aware(plan.get("first_h30")),
        last_start=aware(plan.get("last_start")),
        missed=[(str(r.race_key), str(r.phase), str(r.reason)) for r in missed.itertuples(index=False)],
        shrunk_races=sorted(set(map(str, shrunk))),
        gaps=len(gaps),
        ledger_races=int(ledger["n"].iloc[0]),
    )


def read_capture_gaps(postgres: PostgresResource, day: date) -> list[tuple[str, float]]:
    """The reason and length in seconds of each gap of the day's minute-odds captures."""
    frame = postgres.query_frame(
        f"select reason, seconds from {ODDS_CAPTURE_GAPS.fullname} where race_date = %s order by gap_from",
        (day,),
    )
    return [
        (str(reason), float(seconds))
        for reason, seconds in zip(frame["reason"], frame["seconds"], strict=True)
    ]


def read_watch_captures(postgres: PostgresResource, day: date) -> int:
    """How many minute-odds captures the day's watchers stored (one per race and instant)."""
    frame = postgres.query_frame(
        f"select count(distinct (race_key, captured_at)) as n from {ODDS_SNAPSHOTS.fullname} "
        f"where phase = %s and race_key in (select race_key from {RACE_PLAN.fullname} where race_date = %s)",
        (WATCH, day),
    )
    return int(frame["n"].iloc[0]) if not frame.empty else 0


@dataclass(frozen=True)
class RunCounts:
    """The day's race runs by phase and status, the finished runs of the decision phases, and the
    instance's queue."""

    by_phase: dict[str, dict[str, int]]
    h5: list[RunOutcome]
    last_call: list[RunOutcome]
    queued: int
    total: int


def read_race_runs(instance: DagsterInstance, day: date) -> list[tuple[str, RunRecord]]:
    """Every race run of ``day``, however long ago it ran, with its phase.

    The day's race keys come from the race partitions (every race run is a run of one), so the runs
    are found by their race tag rather than by creation time, which says nothing of the racing day
    when a day is replayed or reported later.
    """
    prefix = f"{day.isoformat()}-"
    keys = [key for key in instance.get_dynamic_partitions(RACES_PARTITIONS_NAME) if key.startswith(prefix)]
    if not keys:
        return []
    return [
        (phase, record)
        for phase, job in PHASE_JOBS.items()
        for record in instance.get_run_records(RunsFilter(job_name=job.name, tags={RACE_TAG: keys}))
    ]


def due_of(run: DagsterRun) -> datetime | None:
    """The due instant a race clock run carries (None for a run launched by hand)."""
    return aware(run.tags.get(DUE_TAG))


def ended_at(record: RunRecord) -> datetime | None:
    return datetime.fromtimestamp(record.end_time, UTC) if record.end_time else None


def read_run_facts(instance: DagsterInstance, day: date) -> RunCounts:
    """The race runs of ``day`` by phase and status, the finished H-5 and last-call runs, and the
    queue. A decision phase's lateness runs from its due instant to the end of its run, whose last
    step stores the decision (``h5_placement``, ``race_decision_last_call``)."""
    by_phase: dict[str, dict[str, int]] = {phase: {} for phase in PHASE_JOBS}
    outcomes: dict[str, list[RunOutcome]] = {"h5": [], LAST_CALL: []}
    runs = read_race_runs(instance, day)
    for phase, record in runs:
        run = record.dagster_run
        counts = by_phase[phase]
        counts[run.status.value] = counts.get(run.status.value, 0) + 1
        if phase in outcomes and run.status in FINISHED:
            due, end = due_of(run), ended_at(record)
            late = end - due if due is not None and end is not None else None
            outcomes[phase].append(
                RunOutcome(run.tags[RACE_TAG], run.status == DagsterRunStatus.SUCCESS, late, run.run_id)
            )
    queued = instance.get_runs_count(RunsFilter(statuses=[DagsterRunStatus.QUEUED]))
    return RunCounts(by_phase, outcomes["h5"], outcomes[LAST_CALL], queued, len(runs))


def _unmeasured(outcomes: list[RunOutcome]) -> list[RunOutcome]:
    return [RunOutcome(o.race_key, o.success, None, o.run_id) for o in outcomes]


def day_facts(
    postgres: PostgresResource,
    instance: DagsterInstance,
    day: date,
    *,
    measure_lateness: bool,
    odds_watch: bool,
    runs: RunCounts | None = None,
) -> DayFacts:
    """Everything :func:`hippique_assets.racing.watch.day_alerts` needs about ``day`` (``runs``: the
    day's run facts when the caller has read them already).

    ``measure_lateness`` is False on an accelerated clock, where wall seconds after a due instant
    mean nothing for the simulated day; ``odds_watch`` is the ``HIPPIQUE_ODDS_WATCH`` switch.
    """
    facts = read_table_facts(postgres, day)
    runs = runs or read_run_facts(instance, day)
    facts.race_runs = runs.total
    facts.h5_runs = runs.h5 if measure_lateness else _unmeasured(runs.h5)
    facts.last_call_runs = runs.last_call if measure_lateness else _unmeasured(runs.last_call)
    facts.queued_runs = runs.queued
    facts.odds_watch = odds_watch
    return facts


def raise_alerts(
    postgres: PostgresResource, notifications: NotificationsResource, alerts: Sequence[Alert], now: datetime
) -> list[tuple[Alert, list[Delivery]]]:
    """Record each alert not raised before (its dedup key) and send it; what was sent, with the
    deliveries. An alert already in ``racing.alerts`` is skipped, so a repeat never goes out."""
    raised = []
    for alert in alerts:
        if not _record(postgres, alert, now):
            continue
        deliveries = notifications.send(alert)
        postgres.execute(
            f"update {ALERTS.fullname} set delivered = %s, deliveries = %s where dedup_key = %s",
            (
                all(d.ok for d in deliveries) if deliveries else None,
                "\n".join(_delivery_line(d) for d in deliveries) or None,
                alert.dedup_key,
            ),
        )
        raised.append((alert, deliveries))
    return raised


def _record(postgres: PostgresResource, alert: Alert, now: datetime) -> bool:
    """Insert the alert unless its dedup key is already there; whether it was inserted."""
    detail = "\n".join([*alert.text, *(f"{k}: {v}" for k, v in alert.fields.items())])
    with postgres.connection() as conn, conn.cursor() as cur:
        cur.execute(
            f"insert into {ALERTS.fullname} (dedup_key, condition, severity, race_date, race_key, title, "
            "detail, run_url, raised_at) values (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "on conflict (dedup_key) do nothing",
            (
                alert.dedup_key,
                alert.condition,
                alert.severity,
                alert.day,
                alert.race_key,
                alert.title,
                detail,
                alert.run_url,
                now,
            ),
        )
        return cur.rowcount == 1


def _delivery_line(delivery: Delivery) -> str:
    outcome = "ok" if delivery.ok else f"not delivered after {delivery.attempts} attempt(s): {delivery.error}"
    return f"{delivery.channel} {delivery.target}: {outcome}"


def read_alerts(postgres: PostgresResource, day: date) -> list[dict]:
    """The alerts raised for ``day``, oldest first."""
    frame = postgres.query_frame(
        f"select severity, condition, race_key, title, delivered, deliveries, raised_at "
        f"from {ALERTS.fullname} where race_date = %s order by raised_at, dedup_key",
        (day,),
    )
    return frame.to_dict("records")
