"""``hippique status``: the racing day at a glance in a terminal.

The plan, the next phases due, the day's race runs by phase and state, the queue, missed phases,
the odds watchers' capture gaps, ingestion gaps, the alerts raised and whether they reached anyone,
and the daemon's heartbeat. Exits 1 when something needs a person (a critical condition of the
operations guide holds, or the daemon is silent), so a cron job or a monitoring probe can run it.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, date, datetime, timedelta

import click

from hippique_assets.cli.options import DATE

DAEMON_SILENT = timedelta(minutes=3)


def _next_due(postgres, now: datetime, *, odds_watch: bool, limit: int = 5) -> list[str]:
    from hippique_assets.racing.plan import DUE_COLUMNS, PARIS
    from hippique_assets.racing.race_clock import PHASE_LABEL, WATCH
    from hippique_assets.racing.tables import RACE_PLAN

    # Every run the race clock will request, from the plan's due columns (no watcher when switched off).
    phases = ", ".join(
        f"('{PHASE_LABEL[phase]}', {column})"
        for phase, column in DUE_COLUMNS.items()
        if odds_watch or phase != WATCH
    )
    frame = postgres.query_frame(
        f"select race_key, phase, due from {RACE_PLAN.fullname}, lateral (values {phases}) as p(phase, due) "
        "where not cancelled and due >= %s order by due limit %s",
        (now, limit),
    )
    return [f"{r.race_key} {r.phase} {r.due.tz_convert(PARIS):%H:%M}" for r in frame.itertuples(index=False)]


def _watchers(runs: dict[str, int], gaps: list[tuple[str, float]], odds_watch: bool) -> str:
    if not odds_watch:
        return "odds watchers: off (HIPPIQUE_ODDS_WATCH)"
    seconds = sum(length for _, length in gaps)
    return f"odds watchers: {sum(runs.values())} run(s), {len(gaps)} capture gap(s) ({seconds:.0f} s)"


def _heartbeat_age(instance, wall_now: datetime) -> timedelta | None:
    beats = instance.get_daemon_heartbeats()
    if not beats:
        return None
    newest_per_daemon = [datetime.fromtimestamp(b.timestamp, UTC) for b in beats.values()]
    return wall_now - min(newest_per_daemon)


def render(day: date | None) -> tuple[list[str], bool]:
    """The status lines of ``day`` (default: today in Paris) and whether a person is needed."""
    from hippique_assets.defs.alerts.day_state import (
        day_facts,
        read_alerts,
        read_capture_gaps,
        read_run_facts,
    )
    from hippique_assets.defs.alerts.resources import build_thresholds
    from hippique_assets.defs.clock_resource import ClockResource
    from hippique_assets.defs.resources import build_resources
    from hippique_assets.lib.runner import dagster_instance
    from hippique_assets.racing.plan import PARIS
    from hippique_assets.racing.race_clock import WATCH
    from hippique_assets.racing.watch import day_alerts
    from hippique_assets.settings import load_settings

    settings = load_settings()
    limits = build_thresholds()
    postgres = build_resources(settings)["postgres"]
    now = ClockResource(spec=settings.clock).now()
    wall_now = datetime.now(UTC)
    day = day or now.astimezone(PARIS).date()
    instance = dagster_instance(settings.home)
    runs = read_run_facts(instance, day)
    facts = day_facts(
        postgres,
        instance,
        day,
        measure_lateness=settings.clock == "real",
        odds_watch=settings.odds_watch,
        runs=runs,
    )
    alerts = read_alerts(postgres, day)
    holding = day_alerts(facts, now, limits)
    critical = [a.title for a in holding if a.severity == "critical"]
    age = _heartbeat_age(instance, wall_now)
    if age is None or age > DAEMON_SILENT:
        critical.append(
            "the daemon is silent" + (f" ({age.total_seconds():.0f} s)" if age else " (no heartbeat)")
        )
    lines = [
        f"hippique status {day} at {now.astimezone(PARIS):%Y-%m-%d %H:%M} Paris",
        f"plan: {facts.planned_races} races ({facts.cancelled_races} cancelled), programme {facts.programme_races}",
        "next due: " + (", ".join(_next_due(postgres, now, odds_watch=settings.odds_watch)) or "nothing"),
        "runs: "
        + "; ".join(
            f"{phase} " + (" ".join(f"{state.lower()}={n}" for state, n in sorted(counts.items())) or "none")
            for phase, counts in runs.by_phase.items()
        ),
        f"queue: {runs.queued} run(s) queued",
        f"missed phases: {len(facts.missed)}"
        + "".join(f"\n  {race} {phase} ({reason})" for race, phase, reason in facts.missed[:20]),
        _watchers(runs.by_phase[WATCH], read_capture_gaps(postgres, day), settings.odds_watch),
        f"ingestion gaps: {facts.gaps}"
        + (f" ({len(facts.shrunk_races)} races lost by the programme)" if facts.shrunk_races else ""),
        f"alerts: {len(alerts)} raised, {sum(1 for a in alerts if a['delivered'] is False)} not delivered"
        + "".join(
            f"\n  {a['severity']} {a['title']}"
            + ("" if a["delivered"] is not False else f" [not delivered: {a['deliveries']}]")
            for a in alerts[-20:]
        ),
        "daemon: " + (f"heartbeat {age.total_seconds():.0f} s ago" if age is not None else "no heartbeat"),
        "status: " + ("NEEDS A PERSON: " + "; ".join(critical) if critical else "ok"),
    ]
    return lines, bool(critical)


@click.command()
@click.option("--date", "day", type=DATE, default=None, help="The racing day (default: today in Paris).")
@click.option("--watch", "every", type=click.IntRange(min=1), default=None, help="Refresh every N seconds.")
def status(day: date | None, every: int | None) -> None:
    """The racing day at a glance; exits 1 when something needs a person."""
    while True:
        lines, needs_person = render(day)
        if every:
            click.clear()
        click.echo("\n".join(lines))
        if not every:
            sys.exit(1 if needs_person else 0)
        time.sleep(every)
