"""The season view: the settled races of a date range rolled up for an analyst.

Cumulative profit day by day with its drawdown from the running peak, ROI by bet type, by
discipline and by hippodrome, and calibration by H-5 odds band. The ledger (``betting.ledger``)
decides which races are in: its settled rows of the range; tickets come from
``betting.settlements`` for those races only, so every table adds up to the same totals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from hippique_assets.analysis.metrics import roi
from hippique_assets.betting import plots
from hippique_assets.betting.safe_text import clean_text

# H-5 win odds bands (euros per euro): favourites, short prices, the middle, outsiders, long shots.
ODDS_BANDS = (1.0, 3.0, 5.0, 10.0, 20.0, np.inf)
BAND_LABELS = ("<3", "3-5", "5-10", "10-20", "20+")
UNKNOWN = "unknown"

DAILY_COLUMNS = [
    "day",
    "races",
    "races_bet",
    "stake_eur",
    "return_eur",
    "profit_eur",
    "cumulative_profit_eur",
    "drawdown_eur",
]
MONEY_COLUMNS = ["races", "races_bet", "tickets", "stake_eur", "return_eur", "profit_eur", "roi"]
BET_TYPE_COLUMNS = ["bet_type", "tickets", "won", "refunded", "stake_eur", "return_eur", "profit_eur", "roi"]
BAND_COLUMNS = ["band", "runners", "winners", "mean_p_finale", "mean_p_market", "win_rate"]


def _floats(frame: pd.DataFrame, column: str) -> pd.Series:
    # Postgres numeric columns arrive as Decimal; a missing column counts as no money.
    if column not in frame.columns:
        return pd.Series(0.0, index=frame.index)
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def _label(value: object) -> str:
    """A group label for a markdown table or a plot: cleaned, no table pipes, ``unknown`` if empty."""
    if not isinstance(value, str) or not value.strip():
        return UNKNOWN
    return clean_text(value).replace("|", "/").strip() or UNKNOWN


def _winner(arrival: object) -> int | None:
    if arrival is None or isinstance(arrival, (float, str)):
        return None
    order = list(arrival)  # type: ignore[call-overload]
    return int(order[0]) if order else None


@dataclass
class SeasonView:
    """One date range's settled races: daily money, groups, calibration and the totals."""

    start: date
    end: date
    races: pd.DataFrame = field(default_factory=pd.DataFrame)  # settled ledger rows with their groups
    daily: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DAILY_COLUMNS))
    by_bet_type: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=BET_TYPE_COLUMNS))
    by_discipline: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["discipline", *MONEY_COLUMNS])
    )
    by_hippodrome: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["hippodrome", *MONEY_COLUMNS])
    )
    calibration: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=BAND_COLUMNS))

    @property
    def range_text(self) -> str:
        return f"{self.start.isoformat()} .. {self.end.isoformat()}"

    @property
    def tickets(self) -> int:
        return int(self.by_bet_type["tickets"].sum()) if not self.by_bet_type.empty else 0

    @property
    def empty_message(self) -> str | None:
        """Why there is nothing to chart, in one line; None when tickets were settled."""
        if self.races.empty:
            return f"no settled race in {self.range_text}: no settled tickets in the range"
        if self.tickets == 0:
            return f"no settled tickets in {self.range_text} ({len(self.races)} settled races, all abstained)"
        return None

    def figures(self) -> dict[str, int | float]:
        """The range's numbers: counts, money, ROI, drawdown, mean scores and ROI per bet type.
        A figure without a value (no stake, no scored race) is left out."""
        races = self.races
        stake = round(float(_floats(races, "stake_eur").sum()), 2) if not races.empty else 0.0
        returned = round(float(_floats(races, "return_eur").sum()), 2) if not races.empty else 0.0
        figures: dict[str, int | float] = {
            "days": int(races["race_date"].nunique()) if not races.empty else 0,
            "races": len(races),
            "races_bet": int((~races["abstained"].astype(bool)).sum()) if not races.empty else 0,
            "abstained": int(races["abstained"].astype(bool).sum()) if not races.empty else 0,
            "tickets": self.tickets,
            "won": int(self.by_bet_type["won"].sum()) if not self.by_bet_type.empty else 0,
            "stake_eur": stake,
            "return_eur": returned,
            "profit_eur": round(returned - stake, 2),
            "max_drawdown_eur": round(-float(self.daily["drawdown_eur"].min()), 2)
            if not self.daily.empty
            else 0.0,
        }
        value = roi(stake, returned)
        if value is not None:
            figures["roi"] = round(value, 4)
        for column in ("brier", "log_loss", "market_brier", "market_log_loss"):
            if column in races.columns:
                scores = _floats(races, column).dropna()
                if len(scores):
                    figures[column] = round(float(scores.mean()), 4)
        for row in self.by_bet_type.itertuples(index=False):
            bet_roi = row.roi
            if isinstance(bet_roi, int | float) and bet_roi == bet_roi:  # NaN is not equal to itself
                slug = re.sub(r"[^a-z0-9]+", "_", str(row.bet_type).lower()).strip("_")
                figures[f"roi_{slug}"] = round(float(bet_roi), 4)
        return figures


def _daily(races: pd.DataFrame) -> pd.DataFrame:
    """Per day: races, races bet, money, cumulative profit and drawdown from the running peak."""
    if races.empty:
        return pd.DataFrame(columns=DAILY_COLUMNS)
    frame = races.assign(
        stake=_floats(races, "stake_eur"),
        returned=_floats(races, "return_eur"),
        bet=~races["abstained"].astype(bool),
    )
    daily = (
        frame.groupby("race_date")
        .agg(
            races=("race_key", "size"),
            races_bet=("bet", "sum"),
            stake_eur=("stake", "sum"),
            return_eur=("returned", "sum"),
        )
        .reset_index()
        .rename(columns={"race_date": "day"})
        .sort_values("day")
    )
    daily["profit_eur"] = daily["return_eur"] - daily["stake_eur"]
    daily["cumulative_profit_eur"] = daily["profit_eur"].cumsum()
    # The peak starts at 0: a season that only ever loses is in drawdown from its first day.
    peak = daily["cumulative_profit_eur"].cummax().clip(lower=0.0)
    daily["drawdown_eur"] = daily["cumulative_profit_eur"] - peak
    money = ["stake_eur", "return_eur", "profit_eur", "cumulative_profit_eur", "drawdown_eur"]
    daily[money] = daily[money].round(2)
    daily["races_bet"] = daily["races_bet"].astype(int)
    return daily[DAILY_COLUMNS].reset_index(drop=True)


def _by_group(races: pd.DataFrame, column: str) -> pd.DataFrame:
    """Races, tickets, money and ROI per value of ``column``, the largest stake first."""
    if races.empty:
        return pd.DataFrame(columns=[column, *MONEY_COLUMNS])
    frame = races.assign(
        stake=_floats(races, "stake_eur"),
        returned=_floats(races, "return_eur"),
        n_tickets=_floats(races, "n_tickets").fillna(0.0),
        bet=~races["abstained"].astype(bool),
    )
    grouped = (
        frame.groupby(column)
        .agg(
            races=("race_key", "size"),
            races_bet=("bet", "sum"),
            tickets=("n_tickets", "sum"),
            stake_eur=("stake", "sum"),
            return_eur=("returned", "sum"),
        )
        .reset_index()
    )
    grouped["races_bet"] = grouped["races_bet"].astype(int)
    grouped["tickets"] = grouped["tickets"].astype(int)
    grouped["profit_eur"] = (grouped["return_eur"] - grouped["stake_eur"]).round(2)
    grouped[["stake_eur", "return_eur"]] = grouped[["stake_eur", "return_eur"]].round(2)
    grouped["roi"] = [roi(s, r) for s, r in zip(grouped["stake_eur"], grouped["return_eur"], strict=True)]
    ordered = grouped.sort_values(
        ["stake_eur", "races", column], ascending=[False, False, True], kind="stable"
    )
    return ordered[[column, *MONEY_COLUMNS]].reset_index(drop=True)


def _by_bet_type(settlements: pd.DataFrame) -> pd.DataFrame:
    """Settled tickets, won, refunded, money and ROI per bet type."""
    if settlements.empty:
        return pd.DataFrame(columns=BET_TYPE_COLUMNS)
    frame = settlements.assign(
        stake=_floats(settlements, "stake_eur"), returned=_floats(settlements, "return_eur")
    )
    grouped = (
        frame.groupby("bet_type")
        .agg(
            tickets=("race_key", "size"),
            won=("outcome", lambda o: int((o == "won").sum())),
            refunded=("outcome", lambda o: int((o == "refunded").sum())),
            stake_eur=("stake", "sum"),
            return_eur=("returned", "sum"),
        )
        .reset_index()
    )
    grouped[["stake_eur", "return_eur"]] = grouped[["stake_eur", "return_eur"]].round(2)
    grouped["profit_eur"] = (grouped["return_eur"] - grouped["stake_eur"]).round(2)
    grouped["roi"] = [roi(s, r) for s, r in zip(grouped["stake_eur"], grouped["return_eur"], strict=True)]
    return grouped.sort_values("bet_type")[BET_TYPE_COLUMNS].reset_index(drop=True)


def _calibration(analysis: pd.DataFrame, results: pd.DataFrame, race_keys: set[str]) -> pd.DataFrame:
    """Per H-5 odds band, over the runners of the settled races with an arrival: mean p_finale, mean
    market probability and the observed win rate."""
    if analysis.empty or results.empty:
        return pd.DataFrame(columns=BAND_COLUMNS)
    winners = {str(k): _winner(a) for k, a in zip(results["race_key"], results["arrival_order"], strict=True)}
    known = analysis["race_key"].astype(str).map(lambda k: k in race_keys and winners.get(k) is not None)
    runners = analysis.loc[known.astype(bool).to_numpy()]
    runners = runners.loc[pd.to_numeric(runners["odds_h5"], errors="coerce").notna().to_numpy()]
    if runners.empty:
        return pd.DataFrame(columns=BAND_COLUMNS)
    won = runners["number"].astype(int) == runners["race_key"].map(lambda k: winners[str(k)])
    frame = pd.DataFrame(
        {
            "band": pd.cut(
                _floats(runners, "odds_h5"),
                ODDS_BANDS,
                labels=list(BAND_LABELS),
                right=False,
                include_lowest=True,
            ),
            "p_finale": _floats(runners, "p_finale"),
            "p_market": _floats(runners, "p_market"),
            "won": won.astype(bool),
        }
    ).dropna(subset=["band"])
    grouped = (
        frame.groupby("band", observed=True)
        .agg(
            runners=("won", "size"),
            winners=("won", "sum"),
            mean_p_finale=("p_finale", "mean"),
            mean_p_market=("p_market", "mean"),
            win_rate=("won", "mean"),
        )
        .reset_index()
    )
    grouped["band"] = grouped["band"].astype(str)
    grouped["winners"] = grouped["winners"].astype(int)
    return grouped[BAND_COLUMNS].round(4).reset_index(drop=True)


def season_view(
    start: date,
    end: date,
    ledger: pd.DataFrame,
    settlements: pd.DataFrame,
    analysis: pd.DataFrame,
    results: pd.DataFrame,
    plan: pd.DataFrame,
) -> SeasonView:
    """The view of ``start`` .. ``end`` (inclusive) from the rows of those days: ledger, settlements,
    runner analysis, race results and the race plan (discipline, hippodrome)."""
    if end < start:
        raise ValueError(f"the season's end {end} is before its start {start}")
    view = SeasonView(start=start, end=end)
    if ledger.empty:
        return view
    days = pd.to_datetime(ledger["race_date"]).dt.date
    races = ledger[(days >= start) & (days <= end) & ledger["settled"].astype(bool)].copy()
    if races.empty:
        return view
    races["race_date"] = pd.to_datetime(races["race_date"]).dt.date
    labels = {}
    if not plan.empty:
        missing = pd.Series(None, index=plan.index, dtype=object)
        disciplines, hippodromes = (
            plan[c] if c in plan.columns else missing for c in ("discipline", "hippodrome")
        )
        labels = {
            str(k): (_label(d), _label(h))
            for k, d, h in zip(plan["race_key"], disciplines, hippodromes, strict=True)
        }
    races["discipline"] = [labels.get(str(k), (UNKNOWN, UNKNOWN))[0] for k in races["race_key"]]
    races["hippodrome"] = [labels.get(str(k), (UNKNOWN, UNKNOWN))[1] for k in races["race_key"]]
    view.races = races.sort_values(["race_date", "reunion", "course"], kind="stable").reset_index(drop=True)
    keys = set(races["race_key"].astype(str))
    tickets = (
        settlements[settlements["race_key"].astype(str).isin(keys)] if not settlements.empty else settlements
    )
    view.daily = _daily(view.races)
    view.by_bet_type = _by_bet_type(tickets)
    view.by_discipline = _by_group(view.races, "discipline")
    view.by_hippodrome = _by_group(view.races, "hippodrome")
    view.calibration = _calibration(analysis, results, keys)
    return view


def _table(frame: pd.DataFrame, empty: str) -> str:
    if frame.empty:
        return f"_{empty}_"
    shown = frame.copy()
    if "roi" in shown.columns:
        shown["roi"] = [f"{v:+.1%}" if v is not None and pd.notna(v) else "-" for v in shown["roi"]]
    return shown.to_markdown(index=False, floatfmt=".4g")


def tables_markdown(view: SeasonView) -> dict[str, str]:
    """The view's tables as markdown, by name; an empty table says what it lacks."""
    return {
        "by_bet_type": _table(view.by_bet_type, "no settled ticket in the range"),
        "by_discipline": _table(view.by_discipline, "no settled race in the range"),
        "by_hippodrome": _table(view.by_hippodrome, "no settled race in the range"),
        "calibration_by_odds_band": _table(view.calibration, "no analysed runner with a result in the range"),
        "daily": _table(view.daily, "no settled race in the range"),
    }


def images(view: SeasonView) -> dict[str, bytes]:
    """The view's plots as PNG, by name; each says in the image what it lacks when empty."""
    none = f"no settled tickets in {view.range_text}"
    return {
        "cumulative_profit": plots.cumulative_profit_png(
            view.daily if view.tickets else view.daily.iloc[0:0], none
        ),
        "roi_by_bet_type": plots.roi_bars_png(view.by_bet_type, "bet_type", "ROI by bet type", none),
        "roi_by_discipline": plots.roi_bars_png(view.by_discipline, "discipline", "ROI by discipline", none),
        "calibration_by_odds_band": plots.odds_band_calibration_png(
            view.calibration, f"no analysed runner with a result in {view.range_text}"
        ),
    }


def summary_markdown(view: SeasonView) -> str:
    """Two columns of headline figures, or the one-line empty state."""
    message = view.empty_message
    figures = view.figures()
    if message is not None and view.races.empty:
        return f"**{message}**"
    roi_text = f"{figures['roi']:+.1%}" if "roi" in figures else "-"
    lines = [
        f"| {view.range_text} | |",
        "|---|---|",
        f"| days / races | {figures['days']} / {figures['races']} ({figures['races_bet']} bet, "
        f"{figures['abstained']} abstained) |",
        f"| tickets | {figures['tickets']} ({figures['won']} won) |",
        f"| stake / return | {figures['stake_eur']:.2f} EUR / {figures['return_eur']:.2f} EUR |",
        f"| profit / ROI | {figures['profit_eur']:+.2f} EUR / {roi_text} |",
        f"| max drawdown | {figures['max_drawdown_eur']:.2f} EUR |",
    ]
    if message is not None:
        lines.insert(0, f"**{message}**\n")
    return "\n".join(lines)


def report_markdown(view: SeasonView) -> str:
    """The whole view as one markdown document with its images inline, for the files store."""
    tables = tables_markdown(view)
    pictures = images(view)
    parts = [f"# Season {view.range_text}", "", summary_markdown(view), ""]
    for title, table, image in (
        ("Cumulative profit and drawdown", "daily", "cumulative_profit"),
        ("ROI by bet type", "by_bet_type", "roi_by_bet_type"),
        ("By discipline", "by_discipline", "roi_by_discipline"),
        ("By hippodrome", "by_hippodrome", None),
        ("Calibration by H-5 odds band", "calibration_by_odds_band", "calibration_by_odds_band"),
    ):
        parts += [f"## {title}", ""]
        if image is not None:
            parts += [plots.markdown_image(pictures[image], title), ""]
        parts += [tables[table], ""]
    return "\n".join(parts)
