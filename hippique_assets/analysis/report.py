"""The backtest report: what a backtest found (:class:`BacktestReport`), as markdown (scores,
calibration, money, baseline, abstentions, skipped races), its headline figures as numbers and its
cumulative profit over the days."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from hippique_assets.analysis.clv import clv_summary_markdown, clv_totals
from hippique_assets.analysis.edge import EdgeEvidence
from hippique_assets.analysis.offsets import OffsetStudy
from hippique_assets.analysis.payout import PayoutModel
from hippique_assets.betting.ledger import reason_key


@dataclass
class BacktestReport:
    start: date
    end: date
    mode: str
    odds_source: str
    config_version: str
    model_version: str | None = None
    notes: list[str] = field(default_factory=list)
    races: pd.DataFrame = field(default_factory=pd.DataFrame)  # one row per race of the range
    scored: pd.DataFrame = field(default_factory=pd.DataFrame)  # runner rows of the scored races
    scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    differences: pd.DataFrame = field(default_factory=pd.DataFrame)
    # Same scores on the races whose final (or H-30) market is complete: title -> (scores, differences).
    comparisons: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = field(default_factory=dict)
    calibration: pd.DataFrame = field(default_factory=pd.DataFrame)
    calibration_errors: dict[str, float | None] = field(default_factory=dict)
    tickets: pd.DataFrame = field(default_factory=pd.DataFrame)  # settled tickets
    by_bet_type: pd.DataFrame = field(default_factory=pd.DataFrame)
    favourite: pd.DataFrame = field(default_factory=pd.DataFrame)
    abstentions: pd.DataFrame = field(default_factory=pd.DataFrame)
    skipped: pd.DataFrame = field(default_factory=pd.DataFrame)
    ev_rule: dict[str, float | int | None] = field(default_factory=dict)
    per_day: pd.DataFrame = field(default_factory=pd.DataFrame)
    last_coef: dict[str, float] = field(default_factory=dict)
    last_evidence: EdgeEvidence | None = None
    payout: PayoutModel | None = None
    # Market and model at several offsets before the off, on the same races (None: not asked for).
    offsets: OffsetStudy | None = None

    @property
    def optimistic(self) -> bool:
        return self.odds_source == "final_proxy"

    @property
    def days(self) -> int:
        return int(self.scored["race_date"].nunique()) if not self.scored.empty else 0

    @property
    def races_scored(self) -> int:
        return int(self.scored["race_key"].nunique()) if not self.scored.empty else 0

    def score(self, name: str, column: str = "log_loss") -> float | None:
        if self.scores.empty or name not in set(self.scores["probabilities"]):
            return None
        return float(self.scores.loc[self.scores["probabilities"] == name, column].astype(float).iloc[0])

    def total(self, column: str) -> float:
        if self.by_bet_type.empty:
            return 0.0
        return float(self.by_bet_type.loc[self.by_bet_type["bet_type"] == "all", column].sum())

    def markdown(self, *, with_days: bool = True) -> str:
        return report_markdown(self, with_days=with_days)


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


def _score(report: BacktestReport, prefix: str, column: str) -> float | None:
    if report.scores.empty:
        return None
    rows = report.scores[report.scores["probabilities"].str.startswith(prefix)]
    if rows.empty or pd.isna(rows[column].iloc[0]):
        return None
    return round(float(rows[column].iloc[0]), 4)


def report_figures(report: BacktestReport) -> dict[str, int | float]:
    """The report's headline figures as numbers: races, days, tickets, stake, return, profit, ROI
    (settled tickets, all bet types), log-loss and Brier of p_finale and of the H-5 market (Shin),
    the closing-line value of the tickets that have one (stake-weighted) with the share beating the
    final price, and abstentions by reason (``abstained_<reason>``). A figure without a value is left out."""
    figures: dict[str, int | float] = {
        "races_in_range": len(report.races),
        "races_scored": report.races_scored,
        "days": report.days,
        "tickets": int(report.total("tickets")),
        "unsettled_tickets": int(report.total("unsettled")),
        "stake_eur": round(report.total("stake_eur"), 2),
        "return_eur": round(report.total("return_eur"), 2),
    }
    figures["profit_eur"] = round(figures["return_eur"] - figures["stake_eur"], 2)
    if not report.by_bet_type.empty:
        value = report.by_bet_type.loc[report.by_bet_type["bet_type"] == "all", "roi"].iloc[0]
        if value is not None and pd.notna(value):
            figures["roi"] = round(float(value), 4)
    for name, prefix, column in (
        ("model_log_loss", "p_finale", "log_loss"),
        ("model_brier", "p_finale", "brier"),
        ("market_log_loss", "market (Shin, H-5)", "log_loss"),
        ("market_brier", "market (Shin, H-5)", "brier"),
    ):
        value = _score(report, prefix, column)
        if value is not None:
            figures[name] = value
    clv, beat_share, clv_tickets = clv_totals(report.tickets)
    if clv is not None and beat_share is not None:
        figures.update(
            {"clv": round(clv, 4), "beat_final_share": round(beat_share, 4), "clv_tickets": clv_tickets}
        )
    if not report.abstentions.empty:
        for reason, races in zip(report.abstentions["reason"], report.abstentions["races"], strict=True):
            key = reason_key(None if reason == "-" else str(reason))
            figures[key] = int(figures.get(key, 0)) + int(races)
    return figures


def cumulative_profit(report: BacktestReport) -> pd.DataFrame:
    """Per scored day: profit, cumulative profit and drawdown from its running peak (EUR)."""
    columns = ["day", "profit_eur", "cumulative_profit_eur", "drawdown_eur"]
    per_day = report.per_day
    if per_day.empty or "stake_eur" not in per_day:
        return pd.DataFrame(columns=columns)
    money = per_day[["day", "stake_eur", "return_eur"]].fillna(0.0).sort_values("day")
    profit = money["return_eur"].astype(float) - money["stake_eur"].astype(float)
    cumulative = profit.cumsum()
    peak = cumulative.cummax().clip(lower=0.0)
    return pd.DataFrame(
        {
            "day": money["day"].to_numpy(),
            "profit_eur": profit.round(2).to_numpy(),
            "cumulative_profit_eur": cumulative.round(2).to_numpy(),
            "drawdown_eur": (cumulative - peak).round(2).to_numpy(),
        },
        columns=columns,
    )


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
    if report.offsets is not None:
        lines += ["", "## What each minute is worth (market and model by decision offset)", ""]
        lines.append(report.offsets.markdown())
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
    lines += ["", "## Closing-line value (decision price against the final price, simple gagnant)", ""]
    lines.append(clv_summary_markdown(report.tickets))
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
