"""Plots for materialization metadata: cumulative ROI over the day's races, calibration, and the
season view's cumulative profit with its drawdown, ROI by group and calibration by odds band.

Every plot renders without data too: a titled image that says what is missing.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from hippique_assets.analysis.metrics import calibration_table

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _figure(width: float, height: float) -> Figure:
    # matplotlib costs a third of a second to import: only the runs that draw pay for it.
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    return buffer.getvalue()


def _empty(fig: Figure, title: str, message: str = "no data") -> bytes:
    ax = fig.add_subplot()
    ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True)
    ax.set_title(title)
    ax.set_axis_off()
    return _png(fig)


def cumulative_roi_png(ledger: pd.DataFrame, empty_message: str = "no race bet") -> bytes:
    """Cumulative profit / cumulative stake after each race bet, in start order (date, reunion, course).

    Races without stake are skipped; without any bet the image says ``empty_message``.
    """
    fig = _figure(6, 3)
    bets = ledger[ledger["stake_eur"].astype(float) > 0] if not ledger.empty else ledger
    if bets.empty:
        return _empty(fig, "Cumulative ROI", empty_message)
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
    empty_message: str = "no runner with a known result",
) -> bytes:
    """Mean predicted probability against observed hit rate, in ``bins`` equal-count bins; with
    ``reference`` (e.g. the market's probabilities for the same runners) a second curve."""
    if len(p) != len(won):
        raise ValueError(f"calibration needs one outcome per probability: {len(p)} p, {len(won)} outcomes")
    if reference is not None and len(reference) != len(won):
        raise ValueError(f"reference needs one value per outcome: {len(reference)} for {len(won)}")
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")
    fig = _figure(4, 4)
    table = calibration_table(p, won, bins)
    if table.empty:
        return _empty(fig, "Calibration", empty_message)
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


def cumulative_profit_png(daily: pd.DataFrame, empty_message: str = "no settled ticket") -> bytes:
    """Cumulative profit per day (line) over its drawdown from the running peak (shaded), from a
    frame with ``day``, ``cumulative_profit_eur`` and ``drawdown_eur``."""
    fig = _figure(7, 3.5)
    if daily.empty:
        return _empty(fig, "Cumulative profit", empty_message)
    days = pd.to_datetime(daily["day"])
    ax = fig.add_subplot()
    ax.plot(days, daily["cumulative_profit_eur"].astype(float), marker="o", ms=3, label="cumulative profit")
    ax.fill_between(
        days, daily["drawdown_eur"].astype(float), 0, color="tab:red", alpha=0.25, label="drawdown"
    )
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_ylabel("EUR")
    ax.set_title("Cumulative profit and drawdown")
    ax.legend(loc="upper left", fontsize=8)
    fig.autofmt_xdate()
    return _png(fig)


def roi_bars_png(table: pd.DataFrame, label: str, title: str, empty_message: str = "no stake") -> bytes:
    """ROI in percent of each row of ``table`` (columns ``label`` and ``roi``) as horizontal bars,
    rows without ROI (no stake) left out."""
    rows = table[table["roi"].notna()] if not table.empty else table
    fig = _figure(6, max(2.0, 0.35 * len(rows) + 1.2))
    if rows.empty:
        return _empty(fig, title, empty_message)
    values = rows["roi"].astype(float).to_numpy() * 100
    ax = fig.add_subplot()
    ax.barh(
        [str(v) for v in rows[label]], values, color=["tab:green" if v >= 0 else "tab:red" for v in values]
    )
    ax.axvline(0, color="grey", lw=0.8)
    ax.invert_yaxis()
    ax.set_xlabel("ROI (%)")
    ax.set_title(title)
    return _png(fig)


def odds_band_calibration_png(
    table: pd.DataFrame, empty_message: str = "no runner with a known result"
) -> bytes:
    """Per H-5 odds band: mean p_finale, mean market probability and observed win rate, from a frame
    with ``band``, ``mean_p_finale``, ``mean_p_market`` and ``win_rate``."""
    fig = _figure(6, 3.5)
    if table.empty:
        return _empty(fig, "Calibration by odds band", empty_message)
    ax = fig.add_subplot()
    positions = range(len(table))
    width = 0.27
    ax.bar([x - width for x in positions], table["mean_p_finale"].astype(float), width, label="p_finale")
    ax.bar(list(positions), table["mean_p_market"].astype(float), width, label="market")
    ax.bar([x + width for x in positions], table["win_rate"].astype(float), width, label="observed")
    ax.set_xticks(list(positions), [str(b) for b in table["band"]])
    ax.set_xlabel("H-5 odds")
    ax.set_ylabel("win probability")
    ax.set_title("Calibration by odds band")
    ax.legend(fontsize=8)
    return _png(fig)


def markdown_image(png: bytes, alt: str) -> str:
    """An inline image for Dagster's markdown metadata."""
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode('ascii')})"
