"""Plots for materialization metadata: cumulative ROI over the day's races, and calibration."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure

from hippique_assets.analysis.metrics import calibration_table


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    return buffer.getvalue()


def _empty(fig: Figure, title: str) -> bytes:
    ax = fig.add_subplot()
    ax.text(0.5, 0.5, "no data", ha="center", va="center")
    ax.set_title(title)
    ax.set_axis_off()
    return _png(fig)


def cumulative_roi_png(ledger: pd.DataFrame) -> bytes:
    """Cumulative profit / cumulative stake after each race bet, in start order (date, reunion, course).

    Races without stake are skipped; without any bet the image says "no data".
    """
    fig = Figure(figsize=(6, 3))
    bets = ledger[ledger["stake_eur"].astype(float) > 0] if not ledger.empty else ledger
    if bets.empty:
        return _empty(fig, "Cumulative ROI")
    ordered = bets.sort_values(["race_date", "reunion", "course"])
    stake = ordered["stake_eur"].astype(float).cumsum()
    profit = ordered["profit_eur"].astype(float).cumsum()
    ax = fig.add_subplot()
    ax.plot(range(1, len(ordered) + 1), (profit / stake * 100).to_numpy(), marker="o", ms=3)
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xlabel("races bet")
    ax.set_ylabel("cumulative ROI (%)")
    ax.set_title("Cumulative ROI")
    return _png(fig)


def calibration_png(
    p: Sequence[float],
    won: Sequence[bool],
    bins: int = 10,
    *,
    reference: Sequence[float] | None = None,
    labels: tuple[str, str] = ("p_finale", "market"),
) -> bytes:
    """Mean predicted probability against observed hit rate, in ``bins`` equal-count bins; with
    ``reference`` (e.g. the market's probabilities for the same runners) a second curve."""
    if len(p) != len(won):
        raise ValueError(f"calibration needs one outcome per probability: {len(p)} p, {len(won)} outcomes")
    if reference is not None and len(reference) != len(won):
        raise ValueError(f"reference needs one value per outcome: {len(reference)} for {len(won)}")
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")
    fig = Figure(figsize=(4, 4))
    table = calibration_table(p, won, bins)
    if table.empty:
        return _empty(fig, "Calibration")
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8)
    ax.plot(table["mean_p"], table["hit_rate"], marker="o", label=labels[0])
    top = max(float(table["mean_p"].max()), float(table["hit_rate"].max()), 0.05) * 1.1
    if reference is not None:
        other = calibration_table(reference, won, bins)
        ax.plot(other["mean_p"], other["hit_rate"], marker="s", ms=3, ls="--", label=labels[1])
        top = max(top, float(other["mean_p"].max()) * 1.1, float(other["hit_rate"].max()) * 1.1)
        ax.legend(loc="upper left", fontsize=8)
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("predicted win probability")
    ax.set_ylabel("observed win rate")
    ax.set_title("Calibration")
    return _png(fig)


def markdown_image(png: bytes, alt: str) -> str:
    """An inline image for Dagster's markdown metadata."""
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode('ascii')})"
