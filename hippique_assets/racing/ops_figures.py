"""A racing day's operations figures, from what is stored about it: the plan, the race runs, the missed
phases, the tickets, the alerts and the ingestion gaps.

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

PHASES = ("h30", "h5", "result")
# The reasons hippique_assets.lib.race_runs records a missed phase with; always reported, at zero
# when absent, so every day has the same series.
MISSED_REASONS = ("not_fired", "started_late", "run_failed")
# Dagster run status values: a run that ended without doing its work counts as failed.
SUCCEEDED = "SUCCESS"
FAILED = ("FAILURE", "CANCELED")


@dataclass(frozen=True)
class RaceRun:
    """One race run of the day: its phase, its Dagster status, when it was due and when it ended."""

    phase: str
    status: str
    due: datetime | None = None
    ended: datetime | None = None


@dataclass(frozen=True)
class PhaseFigures:
    """The runs of one phase: requested, succeeded, failed, and the latency of the successful ones
    (seconds from the due instant to the run's end)."""

    requested: int = 0
    succeeded: int = 0
    failed: int = 0
    latency_p50_s: float | None = None
    latency_p95_s: float | None = None
    measured: int = 0


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


def phase_figures(runs: Iterable[RaceRun], *, measure_latency: bool = True) -> PhaseFigures:
    """The figures of one phase's runs. Latency counts successful runs with a due instant and an end;
    ``measure_latency`` is False when the due instants are simulated (an accelerated clock), where
    wall seconds after them mean nothing."""
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
        latency_p50_s=percentile(latencies, 50),
        latency_p95_s=percentile(latencies, 95),
        measured=len(latencies),
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
    missed_reasons: Iterable[str | None] = (),
    tickets: int = 0,
    stake_eur: float = 0.0,
    alerts: int = 0,
    gaps: int = 0,
    measure_latency: bool = True,
) -> DayReport:
    """The day's figures from what was read about it; runs of a phase outside :data:`PHASES` are
    left out."""
    return DayReport(
        day=day,
        planned_races=planned_races,
        cancelled_races=cancelled_races,
        phases={
            phase: phase_figures([r for r in runs if r.phase == phase], measure_latency=measure_latency)
            for phase in PHASES
        },
        missed_by_reason=missed_by_reason(missed_reasons),
        tickets=tickets,
        stake_eur=round(float(stake_eur), 2),
        alerts=alerts,
        gaps=gaps,
        latency_measured=measure_latency,
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
    figures["runs_requested"] = report.requested
    figures["runs_succeeded"] = report.succeeded
    figures["runs_failed"] = report.failed
    figures["success_rate"] = round(report.success_rate, 4)
    figures["missed_phases"] = report.missed
    for reason, count in report.missed_by_reason.items():
        figures[f"missed_{reason}"] = count
    for phase in PHASES:
        figures_of = report.phases.get(phase, PhaseFigures())
        figures[f"{phase}_latency_p50_s"] = round(figures_of.latency_p50_s or 0.0, 3)
        figures[f"{phase}_latency_p95_s"] = round(figures_of.latency_p95_s or 0.0, 3)
    figures["tickets"] = report.tickets
    figures["stake_eur"] = round(report.stake_eur, 2)
    figures["alerts_raised"] = report.alerts
    figures["ingest_gaps"] = report.gaps
    return figures


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} s"


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
            "| phase | requested | succeeded | failed | latency p50 | latency p95 |",
            "|---|---|---|---|---|---|",
        ]
        for phase in PHASES:
            p = report.phases.get(phase, PhaseFigures())
            lines.append(
                f"| {phase} | {p.requested} | {p.succeeded} | {p.failed} | "
                f"{_seconds(p.latency_p50_s)} | {_seconds(p.latency_p95_s)} |"
            )
        if not report.latency_measured:
            lines += ["", "_Latency not measured: the day ran on a simulated clock._"]
        if report.missed:
            reasons = ", ".join(f"{reason} {n}" for reason, n in report.missed_by_reason.items() if n)
            lines += ["", f"Missed phases by reason: {reasons}."]
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
    for phase in PHASES:
        p = report.phases.get(phase, PhaseFigures())
        latency = (
            f", latency p50 {_seconds(p.latency_p50_s)}, p95 {_seconds(p.latency_p95_s)}"
            if p.measured
            else ""
        )
        lines.append(
            f"{phase}: {p.requested} requested, {p.succeeded} succeeded, {p.failed} failed{latency}."
        )
    reasons = ", ".join(f"{reason} {n}" for reason, n in report.missed_by_reason.items() if n)
    lines.append(f"Missed phases: {report.missed}" + (f" ({reasons})." if reasons else "."))
    lines.append(f"Tickets: {report.tickets}, stake {report.stake_eur:.2f} EUR.")
    lines.append(f"Alerts raised: {report.alerts}. Ingestion gaps: {report.gaps}.")
    return lines
