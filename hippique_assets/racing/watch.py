"""What needs a person on a race day: the conditions of the operations guide, from a day's facts.

Pure functions: :class:`DayFacts` is what the race-day watch sensor and ``hippique status`` read from
Postgres and the Dagster instance, :func:`day_alerts` says which alerts hold at an instant. Each alert
carries a dedup key (condition, day and race) so that it is raised once however often it is seen.

Critical, at once: the morning plan not stored by its deadline; no race planned on a day whose
programme lists races; the programme shrank by more than a race without cancellations; no race run
requested some minutes after the first H-30 was due; more than half of the day's analyses failed.
Warning: a failed race run (raised by the run-failure sensor), an H-5 or last-call decision later
than its tolerance, a missed phase, a last call missed or refused on a race H-5 decided on, a queue
deeper than its threshold, a day that ends with ingestion gaps, a ledger not built some hours after
the last start. With the odds watchers switched off (``HIPPIQUE_ODDS_WATCH=off``) nothing is said
about them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from hippique_assets.alerts import Alert
from hippique_assets.racing.plan import PARIS
from hippique_assets.racing.race_clock import LAST_CALL, PHASE_LABEL, WATCH


@dataclass(frozen=True)
class Thresholds:
    """The operations guide's limits (each configurable through ``HIPPIQUE_ALERT_*``)."""

    plan_deadline: time = time(9, 5)
    first_run_grace: timedelta = timedelta(minutes=5)
    h5_late: timedelta = timedelta(seconds=30)
    last_call_late: timedelta = timedelta(seconds=30)
    failed_analyses_share: float = 0.5
    queue_depth: int = 20
    shrunk_races: int = 1
    day_end_wait: timedelta = timedelta(hours=1)
    ledger_deadline: timedelta = timedelta(hours=2)


@dataclass(frozen=True)
class RunOutcome:
    """One finished run of a decision phase (H-5, last call): its race, whether it succeeded, and how
    long after its due instant it ended, its last step having stored the decision (None when not
    measured)."""

    race_key: str
    success: bool
    late: timedelta | None
    run_id: str


@dataclass
class DayFacts:
    """What the watch knows about ``day`` at one instant."""

    day: date
    programme_races: int = 0
    planned_races: int = 0
    cancelled_races: int = 0
    first_h30_due: datetime | None = None
    last_start: datetime | None = None
    race_runs: int = 0
    h5_runs: list[RunOutcome] = field(default_factory=list)
    last_call_runs: list[RunOutcome] = field(default_factory=list)
    missed: list[tuple[str, str, str]] = field(default_factory=list)  # race, phase, reason
    shrunk_races: list[str] = field(default_factory=list)
    gaps: int = 0
    queued_runs: int = 0
    ledger_races: int = 0
    # HIPPIQUE_ODDS_WATCH: whether the race clock requests the minute-odds watchers.
    odds_watch: bool = True


# A run's page in the UI from its id (None without a UI address).
RunLink = Callable[[str], str | None]


def _no_link(run_id: str) -> str | None:
    return None


def phase_name(phase: str) -> str:
    """The phase as a title starts it: ``H-5``, ``Last call``, ``H-10 watch``."""
    label = PHASE_LABEL.get(phase, phase)
    return label[:1].upper() + label[1:]


def _alert(
    severity: str,
    condition: str,
    day: date,
    title: str,
    lines: list[str],
    *,
    run_url: str | None = None,
    **fields: str,
) -> Alert:
    race = fields.get("race")
    return Alert.create(
        severity=severity,  # type: ignore[arg-type]
        condition=condition,
        day=day,
        title=title,
        text=lines,
        fields={"day": day.isoformat(), **fields},
        race_key=race,
        run_url=run_url or fields.get("run"),
    )


def _plan_alerts(facts: DayFacts, now: datetime, limits: Thresholds) -> list[Alert]:
    day = facts.day
    deadline = datetime.combine(day, limits.plan_deadline, PARIS)
    found = []
    if facts.planned_races == 0 and facts.cancelled_races == 0 and now >= deadline:
        if facts.programme_races:
            found.append(
                _alert(
                    "critical",
                    "plan_empty",
                    day,
                    f"No race planned for {day}, though the programme lists {facts.programme_races}",
                    ["The race clock has nothing to fire: look at the plan_day run and race_plan's checks."],
                    reason=f"{facts.programme_races} races in the programme, 0 in the plan",
                )
            )
        else:
            found.append(
                _alert(
                    "critical",
                    "plan_missing",
                    day,
                    f"The plan of {day} is not stored at {limits.plan_deadline:%H:%M} Paris",
                    ["The morning plan failed or did not run: look at the plan_day runs and schedule."],
                    reason="no plan and no programme stored",
                )
            )
    if len(facts.shrunk_races) > limits.shrunk_races:
        found.append(
            _alert(
                "critical",
                "plan_shrank",
                day,
                f"The programme of {day} lost {len(facts.shrunk_races)} races without a cancellation",
                [
                    "Their last good rows are kept and still fire; the source must be checked.",
                    *facts.shrunk_races[:10],
                ],
                reason=f"{len(facts.shrunk_races)} races missing from the source's programme",
            )
        )
    return found


def _late_decisions(
    day: date, runs: list[RunOutcome], phase: str, label: str, tolerance: timedelta, run_url: RunLink
) -> list[Alert]:
    """A warning per decision of ``phase`` stored later than ``tolerance`` after its due instant."""
    return [
        _alert(
            "warning",
            f"{phase}_late",
            day,
            f"{label} decision of {run.race_key} came {run.late.total_seconds():.0f} s after its due instant",
            [f"Tolerance: {tolerance.total_seconds():.0f} s.", f"Run {run.run_id}."],
            run_url=run_url(run.run_id),
            race=run.race_key,
            phase=phase,
            run_id=run.run_id,
            reason="late decision",
        )
        for run in runs
        if run.success and run.late is not None and run.late > tolerance
    ]


def _last_call_alerts(facts: DayFacts, limits: Thresholds, run_url: RunLink) -> list[Alert]:
    """A last call decided later than its tolerance; a last call missed or refused (its run failed)
    on a race H-5 decided on, once per race, naming its run when there was one."""
    day = facts.day
    found = _late_decisions(day, facts.last_call_runs, LAST_CALL, "Last-call", limits.last_call_late, run_url)
    decided_h5 = {run.race_key for run in facts.h5_runs if run.success}
    decided = {run.race_key for run in facts.last_call_runs if run.success}
    # Per race, why its last call did not decide, and its failed run when there is one.
    reasons: dict[str, str] = {}
    failed: dict[str, str] = {}
    for race, phase, reason in facts.missed:
        if phase == LAST_CALL:
            reasons.setdefault(race, reason)
    for run in facts.last_call_runs:
        if not run.success:
            failed.setdefault(run.race_key, run.run_id)
            reasons.setdefault(run.race_key, "run_failed")
    for race, reason in reasons.items():
        if race not in decided_h5 or race in decided:
            continue
        run_id = failed.get(race)
        details = {"run_id": run_id} if run_id else {}
        found.append(
            _alert(
                "warning",
                "last_call_missed",
                day,
                f"Last call of {race} missed ({reason})"
                + (f": run {run_id} failed or was refused" if run_id else ""),
                [
                    "H-5 decided on this race, the last call did not: with placing_phase = last_call "
                    "the race is not bet, otherwise only the comparison with H-5 is lost.",
                    "Missed last calls are recorded in racing.missed_runs, decisions in "
                    "racing.phase_decisions.",
                ],
                run_url=run_url(run_id) if run_id else None,
                race=race,
                phase=LAST_CALL,
                reason=reason,
                **details,
            )
        )
    return found


def _run_alerts(facts: DayFacts, now: datetime, limits: Thresholds, run_url: RunLink) -> list[Alert]:
    day = facts.day
    found = []
    first = facts.first_h30_due
    if first is not None and facts.race_runs == 0 and now >= first + limits.first_run_grace:
        found.append(
            _alert(
                "critical",
                "no_race_runs",
                day,
                f"No race run requested for {day} {int(limits.first_run_grace.total_seconds() // 60)} min "
                "after the first H-30 was due",
                ["Is the daemon running, and the race_clock sensor on?"],
                reason=f"first H-30 due {first.astimezone(PARIS):%H:%M} Paris",
            )
        )
    failed = [h5 for h5 in facts.h5_runs if not h5.success]
    if len(facts.h5_runs) >= 2 and len(failed) > limits.failed_analyses_share * len(facts.h5_runs):
        found.append(
            _alert(
                "critical",
                "analyses_failing",
                day,
                f"{len(failed)} of {len(facts.h5_runs)} H-5 analyses of {day} failed",
                [f"{h5.race_key}: run {h5.run_id}" for h5 in failed[:10]],
                reason=f"more than {limits.failed_analyses_share:.0%} of the analyses failed",
            )
        )
    found += _late_decisions(day, facts.h5_runs, "h5", "H-5", limits.h5_late, run_url)
    for race, phase, reason in facts.missed:
        # The last call has its own alert; switched-off watchers are expected to be absent.
        if phase == LAST_CALL or (phase == WATCH and not facts.odds_watch):
            continue
        found.append(
            _alert(
                "warning",
                f"{phase}_missed",
                day,
                f"{phase_name(phase)} of {race} missed ({reason})",
                ["The phase did not do its work; it is recorded in racing.missed_runs."],
                race=race,
                phase=phase,
                reason=reason,
            )
        )
    if facts.queued_runs > limits.queue_depth:
        found.append(
            _alert(
                "warning",
                "queue_deep",
                day,
                f"{facts.queued_runs} runs are queued (threshold {limits.queue_depth})",
                ["Race runs may start late: look at the run queue and the concurrency limits."],
                reason=f"{facts.queued_runs} queued",
            )
        )
    return found


def day_alerts(
    facts: DayFacts, now: datetime, limits: Thresholds | None = None, run_url: RunLink = _no_link
) -> list[Alert]:
    """Every alert that holds for ``facts`` at ``now``; ``run_url`` links an alert that names a run
    to its page in the UI."""
    limits = limits or Thresholds()
    found = (
        _plan_alerts(facts, now, limits)
        + _run_alerts(facts, now, limits, run_url)
        + _last_call_alerts(facts, limits, run_url)
    )
    if (
        facts.last_start is not None
        and facts.planned_races
        and not facts.ledger_races
        and now >= facts.last_start + limits.ledger_deadline
    ):
        found.append(
            _alert(
                "warning",
                "ledger_missing",
                facts.day,
                f"The ledger of {facts.day} is not built {limits.ledger_deadline.total_seconds() / 3600:g} h "
                "after the last start",
                ["Look at the day_ledger sensor and the ledger_day runs."],
                reason="no ledger rows",
            )
        )
    ended = facts.last_start is not None and now >= facts.last_start + limits.day_end_wait
    if ended and facts.gaps:
        found.append(
            _alert(
                "warning",
                "day_gaps",
                facts.day,
                f"{facts.day} ends with {facts.gaps} ingestion gap(s)",
                ["pmu.ingest_gaps names them; the next-morning consolidation retries what a retry can fill."],
                reason=f"{facts.gaps} gaps",
            )
        )
    return found


def run_failed_alert(
    day: date, job: str, race_key: str | None, phase: str | None, step: str, message: str, run_url: str | None
) -> Alert:
    """The warning for one failed run (the run-failure sensor raises it as soon as the run fails)."""
    what = f"{phase_name(phase)} run of {race_key}" if race_key and phase else f"{job} run of {day}"
    fields = {"job": job, "step": step, "reason": message[:300]}
    if race_key:
        fields["race"] = race_key
    if phase:
        fields["phase"] = phase
    if run_url:
        fields["run"] = run_url
    condition = f"{phase}_run_failed" if phase else f"{job}_failed"
    return _alert(
        "warning" if race_key else "critical", condition, day, f"{what} failed", [message[:500]], **fields
    )
