"""A racing day's operations figures, from what is stored about it: the plan, the race runs, the missed
phases, the odds watchers' captures and gaps, the tickets, the alerts and the ingestion gaps.

Plain computation for the ``ops_report`` asset: :func:`day_report` gathers the figures,
:func:`numeric_figures` flattens them under stable names (so a chart over days always finds its
series), :func:`summary_markdown` and :func:`summary_lines` say them to a person. A day with nothing
stored gives zeros everywhere, never an error.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from hippique_assets.racing import race_clock
from hippique_assets.racing.race_clock import WATCH

PHASES = race_clock.PHASES
# A watcher runs from H-10 until the off: the end of its run says nothing of how late it was.
LATENCY_PHASES = tuple(phase for phase in PHASES if phase != WATCH)
# The reasons hippique_assets.lib.race_runs records a missed phase with; always reported, at zero
# when absent, so every day has the same series.
MISSED_REASONS = ("not_fired", "started_late", "run_failed")
# Dagster run status values: a run that ended without doing its work counts as failed.
SUCCEEDED = "SUCCESS"
FAILED = ("FAILURE", "CANCELED")


@dataclass(frozen=True)
class RaceRun:
    """One race run of the day: its phase, its Dagster status, when it was due and when it ended, and
    whether it is a dead watcher started again."""

    phase: str
    status: str
    due: datetime | None = None
    ended: datetime | None = None
    restarted: bool = False


@dataclass(frozen=True)
class PhaseFigures:
    """The runs of one phase: requested, succeeded, failed, the phase's missed runs, and the latency
    of the successful runs (seconds from the due instant to the run's end; an H-5 or last-call run
    ends once its decision is stored)."""

    requested: int = 0
    succeeded: int = 0
    failed: int = 0
    missed: int = 0
    latency_p50_s: float | None = None
    latency_p95_s: float | None = None
    latency_max_s: float | None = None
    measured: int = 0


@dataclass(frozen=True)
class WatchFigures:
    """The day's minute-odds watchers beside their runs: how many were dead ones started again, the
    captures they stored, and the gaps between captures (``racing.odds_capture_gaps``) by reason."""

    restarts: int = 0
    captures: int = 0
    gaps: int = 0
    gap_seconds: float = 0.0
    gaps_by_reason: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DayReport:
    """The end-of-day figures of ``day``."""

    day: date
    planned_races: int = 0
    cancelled_races: int = 0
    phases: dict[str, PhaseFigures] = field(default_factory=dict)
    missed_by_reason: dict[str, int] = field(default_factory=dict)
    tickets: int = 0
    stake_eur: float = 0.0
    alerts: int = 0
    gaps: int = 0
    latency_measured: bool = True
    watch: WatchFigures = field(default_factory=WatchFigures)
    # HIPPIQUE_ODDS_WATCH: off, no watcher is expected and the summaries say so instead of zeros.
    odds_watch: bool = True

    @property
    def requested(self) -> int:
        return sum(p.requested for p in self.phases.values())

    @property
    def succeeded(self) -> int:
        return sum(p.succeeded for p in self.phases.values())

    @property
    def failed(self) -> int:
        return sum(p.failed for p in self.phases.values())

    @property
    def success_rate(self) -> float:
        """Succeeded runs over requested runs (retries included); 0 without any run."""
        return self.succeeded / self.requested if self.requested else 0.0

    @property
    def missed(self) -> int:
        return sum(self.missed_by_reason.values())

    @property
    def had_racing(self) -> bool:
        """Whether anything of a racing day happened: a race planned, a run, a missed phase, a ticket."""
        return bool(
            self.planned_races or self.cancelled_races or self.requested or self.missed or self.tickets
        )


def percentile(values: Iterable[float], q: float) -> float | None:
    """The ``q``-th percentile (0 to 100) of ``values`` with linear interpolation between the closest
    ranks (numpy's default); None without values."""
    if not 0 <= q <= 100:
        raise ValueError(f"a percentile is between 0 and 100, got {q}")
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def phase_figures(runs: Iterable[RaceRun], *, measure_latency: bool = True, missed: int = 0) -> PhaseFigures:
    """The figures of one phase's runs (``missed``: the phase's missed runs). Latency counts
    successful runs with a due instant and an end; ``measure_latency`` is False when the due instants
    are simulated (an accelerated clock), where wall seconds after them mean nothing."""
    runs = list(runs)
    latencies = [
        (run.ended - run.due).total_seconds()
        for run in runs
        if measure_latency and run.status == SUCCEEDED and run.due is not None and run.ended is not None
    ]
    return PhaseFigures(
        requested=len(runs),
        succeeded=sum(run.status == SUCCEEDED for run in runs),
        failed=sum(run.status in FAILED for run in runs),
        missed=missed,
        latency_p50_s=percentile(latencies, 50),
        latency_p95_s=percentile(latencies, 95),
        latency_max_s=max(latencies, default=None),
        measured=len(latencies),
    )


def watch_figures(
    runs: Iterable[RaceRun], *, captures: int = 0, gaps: Iterable[tuple[str, float]] = ()
) -> WatchFigures:
    """The watchers' figures from the day's runs (their restarts), the captures stored and the
    capture gaps as (reason, seconds)."""
    gaps = list(gaps)
    by_reason: dict[str, int] = {}
    for reason, _ in gaps:
        by_reason[reason] = by_reason.get(reason, 0) + 1
    return WatchFigures(
        restarts=sum(run.restarted for run in runs if run.phase == WATCH),
        captures=captures,
        gaps=len(gaps),
        gap_seconds=round(sum(seconds for _, seconds in gaps), 1),
        gaps_by_reason=by_reason,
    )


def missed_by_reason(reasons: Iterable[str | None]) -> dict[str, int]:
    """Missed phases counted by reason: the known reasons first (zero when absent), then any other;
    a phase recorded without a reason (before reasons were kept) was not fired."""
    counts = dict.fromkeys(MISSED_REASONS, 0)
    for reason in reasons:
        key = reason or "not_fired"
        counts[key] = counts.get(key, 0) + 1
    return counts


def day_report(
    day: date,
    *,
    planned_races: int = 0,
    cancelled_races: int = 0,
    runs: Sequence[RaceRun] = (),
    missed: Iterable[tuple[str, str | None]] = (),
    tickets: int = 0,
    stake_eur: float = 0.0,
    alerts: int = 0,
    gaps: int = 0,
    measure_latency: bool = True,
    odds_watch: bool = True,
    watch_captures: int = 0,
    capture_gaps: Iterable[tuple[str, float]] = (),
) -> DayReport:
    """The day's figures from what was read about it: ``missed`` holds the missed phases as (phase,
    reason), ``capture_gaps`` the watchers' gaps as (reason, seconds). Runs of a phase outside
    :data:`PHASES` are left out."""
    missed = list(missed)
    return DayReport(
        day=day,
        planned_races=planned_races,
        cancelled_races=cancelled_races,
        phases={
            phase: phase_figures(
                [r for r in runs if r.phase == phase],
                measure_latency=measure_latency and phase in LATENCY_PHASES,
                missed=sum(missed_phase == phase for missed_phase, _ in missed),
            )
            for phase in PHASES
        },
        missed_by_reason=missed_by_reason(reason for _, reason in missed),
        tickets=tickets,
        stake_eur=round(float(stake_eur), 2),
        alerts=alerts,
        gaps=gaps,
        latency_measured=measure_latency,
        watch=watch_figures(runs, captures=watch_captures, gaps=capture_gaps),
        odds_watch=odds_watch,
    )


def numeric_figures(report: DayReport) -> dict[str, int | float]:
    """Every figure under a stable name, counts as ints and the rest as floats; a latency not measured
    is 0.0 (the markdown says so)."""
    figures: dict[str, int | float] = {
        "races_planned": report.planned_races,
        "races_cancelled": report.cancelled_races,
    }
    for phase in PHASES:
        figures_of = report.phases.get(phase, PhaseFigures())
        figures[f"{phase}_requested"] = figures_of.requested
        figures[f"{phase}_succeeded"] = figures_of.succeeded
        figures[f"{phase}_failed"] = figures_of.failed
        figures[f"{phase}_missed"] = figures_of.missed
    figures["runs_requested"] = report.requested
    figures["runs_succeeded"] = report.succeeded
    figures["runs_failed"] = report.failed
    figures["success_rate"] = round(report.success_rate, 4)
    figures["missed_phases"] = report.missed
    for reason, count in report.missed_by_reason.items():
        figures[f"missed_{reason}"] = count
    for phase in LATENCY_PHASES:
        figures_of = report.phases.get(phase, PhaseFigures())
        figures[f"{phase}_latency_p50_s"] = round(figures_of.latency_p50_s or 0.0, 3)
        figures[f"{phase}_latency_p95_s"] = round(figures_of.latency_p95_s or 0.0, 3)
        figures[f"{phase}_latency_max_s"] = round(figures_of.latency_max_s or 0.0, 3)
    figures["watch_restarts"] = report.watch.restarts
    figures["watch_captures"] = report.watch.captures
    figures["watch_capture_gaps"] = report.watch.gaps
    figures["watch_capture_gap_s"] = round(float(report.watch.gap_seconds), 1)
    figures["tickets"] = report.tickets
    figures["stake_eur"] = round(report.stake_eur, 2)
    figures["alerts_raised"] = report.alerts
    figures["ingest_gaps"] = report.gaps
    return figures


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} s"


def _shown_phases(report: DayReport) -> list[str]:
    """The phases the summaries list: the watchers only when switched on or when some ran anyway."""
    watch = report.phases.get(WATCH, PhaseFigures())
    hidden = not report.odds_watch and not (watch.requested or watch.missed)
    return [phase for phase in PHASES if not (phase == WATCH and hidden)]


def watch_line(report: DayReport) -> str:
    """The odds watchers in one sentence, or that they are switched off."""
    if not report.odds_watch:
        return "Odds watchers off (HIPPIQUE_ODDS_WATCH=off): no minute captures expected."
    w = report.watch
    runs = report.phases.get(WATCH, PhaseFigures()).requested
    reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(w.gaps_by_reason.items()))
    return (
        f"Odds watchers: {runs} runs ({w.restarts} restarts), {w.captures} captures, "
        f"{w.gaps} capture gaps ({w.gap_seconds:.0f} s{': ' + reasons if reasons else ''})."
    )


def summary_markdown(report: DayReport) -> str:
    """The figures as markdown: a sentence and a table of the runs per phase, or the no-racing line."""
    day = report.day.isoformat()
    if not report.had_racing:
        lines = [f"**No racing on {day}**: no race planned, no race run, no ticket."]
    else:
        lines = [
            f"**{day}**: {report.planned_races} races planned, {report.cancelled_races} cancelled; "
            f"{report.requested} race runs, {report.success_rate:.0%} succeeded; "
            f"{report.missed} phases missed; {report.tickets} tickets for {report.stake_eur:.2f} EUR.",
            "",
            "| phase | requested | succeeded | failed | missed | latency p50 | latency p95 | latency max |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for phase in _shown_phases(report):
            p = report.phases.get(phase, PhaseFigures())
            lines.append(
                f"| {phase} | {p.requested} | {p.succeeded} | {p.failed} | {p.missed} | "
                f"{_seconds(p.latency_p50_s)} | {_seconds(p.latency_p95_s)} | {_seconds(p.latency_max_s)} |"
            )
        lines += [
            "",
            "_Latency: from the due instant to the run's end (H-5 and the last call: the decision "
            "stored); none for the watchers, which run until the off._",
        ]
        if not report.latency_measured:
            lines += ["", "_Latency not measured: the day ran on a simulated clock._"]
        if report.missed:
            reasons = ", ".join(f"{reason} {n}" for reason, n in report.missed_by_reason.items() if n)
            lines += ["", f"Missed phases by reason: {reasons}."]
        lines += ["", watch_line(report)]
    lines += ["", f"Alerts raised: {report.alerts}. Ingestion gaps: {report.gaps}."]
    return "\n".join(lines)


def summary_title(report: DayReport) -> str:
    """One line for the notification's title."""
    day = report.day.isoformat()
    if not report.had_racing:
        return f"Operations report of {day}: no racing"
    return (
        f"Operations report of {day}: {report.requested} race runs, {report.success_rate:.0%} succeeded, "
        f"{report.missed} phases missed"
    )


def summary_lines(report: DayReport) -> list[str]:
    """The figures as plain lines for a notification (no markdown table)."""
    if not report.had_racing:
        return [
            "No race planned, no race run, no ticket.",
            f"Alerts raised: {report.alerts}. Ingestion gaps: {report.gaps}.",
        ]
    lines = [
        f"Races: {report.planned_races} planned, {report.cancelled_races} cancelled.",
        f"Race runs: {report.requested} requested, {report.succeeded} succeeded, {report.failed} failed "
        f"({report.success_rate:.0%}).",
    ]
    for phase in _shown_phases(report):
        p = report.phases.get(phase, PhaseFigures())
        latency = (
            f", latency p50 {_seconds(p.latency_p50_s)}, p95 {_seconds(p.latency_p95_s)}, "
            f"max {_seconds(p.latency_max_s)}"
            if p.measured
            else ""
        )
        lines.append(
            f"{phase}: {p.requested} requested, {p.succeeded} succeeded, {p.failed} failed, "
            f"{p.missed} missed{latency}."
        )
    reasons = ", ".join(f"{reason} {n}" for reason, n in report.missed_by_reason.items() if n)
    lines.append(f"Missed phases: {report.missed}" + (f" ({reasons})." if reasons else "."))
    lines.append(watch_line(report))
    lines.append(f"Tickets: {report.tickets}, stake {report.stake_eur:.2f} EUR.")
    lines.append(f"Alerts raised: {report.alerts}. Ingestion gaps: {report.gaps}.")
    return lines
