"""The backtest report as markdown: scores, calibration, money, baseline, abstentions, skipped races."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from hippique_assets.analysis.backtest import BacktestReport


def _fmt(value: object, pattern: str = "{:.4f}") -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    return pattern.format(value)


def _pct(value: object) -> str:
    return _fmt(value, "{:+.1%}")


def _money_markdown(table: pd.DataFrame) -> str:
    if table.empty:
        return "_no ticket_"
    shown = table.assign(
        roi=table["roi"].map(_pct),
        roi_95_ci=[
            f"[{_pct(lo)}, {_pct(hi)}]"
            for lo, hi in zip(table["roi_ci_low"], table["roi_ci_high"], strict=True)
        ],
    ).drop(columns=["roi_ci_low", "roi_ci_high"])
    return shown.to_markdown(index=False)


def report_markdown(report: BacktestReport, *, with_days: bool = True) -> str:
    """The report as markdown: scores, calibration, money, baseline, abstentions, skipped races."""
    lines = [f"# Backtest {report.start} .. {report.end} ({report.mode}, odds: {report.odds_source})", ""]
    lines += [f"**{note}**" for note in report.notes]
    if report.notes:
        lines.append("")
    races = report.races
    lines += [
        f"- config {report.config_version}"
        + (f", model {report.model_version}" if report.model_version else ""),
        f"- races in range {len(races)}, scored {report.races_scored} over {report.days} days",
    ]
    ages = races.get("h5_age_min", pd.Series(dtype=float)).astype(float).dropna()
    if not ages.empty:
        lines.append(
            f"- H-5 odds captured a median {ages.median():.1f} min before the due instant "
            f"(p90 {ages.quantile(0.9):.1f} min; live snapshots count as 0 or less)"
        )
    if report.last_coef:
        lines.append(
            f"- last model coefficients: {', '.join(f'{k} {v:+.3f}' for k, v in report.last_coef.items())}"
        )
    if report.last_evidence is not None:
        lines.append(f"- edge evidence at the last day: {report.last_evidence.describe()}")
    lines += ["", "## Probabilities (same races; SE clustered by day)", ""]
    if report.scores.empty:
        lines.append("_no race scored_")
    else:
        lines.append(report.scores.round(4).to_markdown(index=False))
        lines += [
            "",
            "Difference from the H-5 market (negative log-loss difference = better than the market):",
            "",
        ]
        lines.append(report.differences.round(4).to_markdown(index=False))
    for title, (table, diffs) in report.comparisons.items():
        lines += ["", f"### Against {title} (races whose market is complete then too)", ""]
        lines += [table.round(4).to_markdown(index=False), "", diffs.round(4).to_markdown(index=False)]
    lines += ["", "## Calibration by decile", ""]
    if report.calibration.empty:
        lines.append("_none_")
    else:
        errors = report.calibration_errors
        lines.append(
            f"calibration error (size-weighted |mean p - hit rate|): p_finale {_fmt(errors.get('p_finale'))}, "
            f"market {_fmt(errors.get('market'))}"
        )
        lines += ["", report.calibration.round(4).to_markdown(index=False)]
    lines += ["", "## Tickets by bet type (settled on official dividends; 95 % bootstrap CI over days)", ""]
    lines.append(_money_markdown(report.by_bet_type))
    lines += ["", "## Flat favourite (1 EUR on the H-5 favourite of every scored race)", ""]
    lines.append(_money_markdown(report.favourite))
    lines += ["", "## Decisions", ""]
    for name, value in report.ev_rule.items():
        lines.append(f"- {name}: {_fmt(value, '{:.3f}') if isinstance(value, float) else value}")
    lines += ["", "Abstentions by reason (decidable races):", ""]
    lines.append(report.abstentions.to_markdown(index=False) if not report.abstentions.empty else "_none_")
    lines += ["", "Races not decided (no usable H-5 odds, impossible market, no model yet):", ""]
    lines.append(report.skipped.to_markdown(index=False) if not report.skipped.empty else "_none_")
    if report.payout is not None and not report.payout.is_identity:
        lines += ["", "## Expected post-time payout (dividend / H-5 odds among earlier winners)", ""]
        lines.append(pd.DataFrame(report.payout.table()).to_markdown(index=False))
    if with_days and not report.per_day.empty:
        lines += ["", "## Per day", "", report.per_day.round(4).to_markdown(index=False)]
    return "\n".join(lines)
