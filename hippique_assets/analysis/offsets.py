"""What each minute before the off is worth: the market and the model at several decision offsets,
scored side by side on the same races against the result, with the final odds as the ceiling.

For an offset of ``m`` minutes the odds known are, per runner, the latest snapshot captured at or
before start - ``m`` (:func:`hippique_assets.analysis.snapshots.odds_at`); no capture after that
instant is read. A race is compared only when every offset and the final odds give it a complete,
plausible market on the same starters (the runners that ran): a race where a runner was withdrawn
after an offset, or one offset has no capture, is left out of every row, so the rows differ only by
the instant of the price.

The model at an offset is the conditional logit of the config's market-price features (the market
log-probability and its shape terms; other features are left out) fitted walk-forward on that
offset's prices: each day by a fit on the earlier days of the study.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from hippique_assets.analysis.config import AnalysisConfig
from hippique_assets.analysis.market import check_market, market_probabilities
from hippique_assets.analysis.metrics import clustered_mean_se
from hippique_assets.analysis.model import fit_conditional_logit, predict
from hippique_assets.analysis.price_shape import SHAPE_FEATURES, shape_columns
from hippique_assets.analysis.scores import race_scores
from hippique_assets.analysis.snapshots import odds_at
from hippique_assets.analysis.stored_history import History, instant

DEFAULT_OFFSETS = (60, 30, 15, 5, 2)
OFFSET_FEATURES = ("market_logit", *SHAPE_FEATURES)
FINAL = "final odds"


def parse_offsets(text: str) -> tuple[int, ...]:
    """``"60,30,5"`` as minutes before the off, largest first; each between 0 and 240."""
    try:
        values = sorted({int(part) for part in text.split(",") if part.strip()}, reverse=True)
    except ValueError:
        raise ValueError(f"offsets must be whole minutes separated by commas, got {text!r}") from None
    if not values or not all(0 <= v <= 240 for v in values):
        raise ValueError(f"offsets must be between 0 and 240 minutes, got {text!r}")
    return tuple(values)


def label(offset: int) -> str:
    return f"H-{offset}"


@dataclass
class OffsetStudy:
    """``runners``: one row per starter of a compared race, with ``p_<label>`` (market), ``lead_<label>``
    (minutes between the capture used and the off) and ``p_final``. ``scores``: one row per
    probability source (market and model at each offset, final odds) on the same races."""

    offsets: tuple[int, ...]
    reference: int
    method: str
    runners: pd.DataFrame
    scores: pd.DataFrame
    left_out: dict[str, int]

    @property
    def races(self) -> int:
        return int(self.runners["race_key"].nunique()) if not self.runners.empty else 0

    def markdown(self) -> str:
        if self.scores.empty:
            return "_no race has a complete market at every offset_"
        shown = self.scores.copy()
        for column in ("log_loss", "log_loss_se", "brier", "brier_se", "vs_ref", "vs_ref_se"):
            shown[column] = shown[column].map(lambda v: "-" if pd.isna(v) else f"{v:.4f}")
        shown["median_lead_min"] = shown["median_lead_min"].map(lambda v: "-" if pd.isna(v) else f"{v:.1f}")
        left = ", ".join(f"{reason} {count}" for reason, count in self.left_out.items() if count)
        return (
            f"{self.races} races on {self.runners['race_date'].nunique()} days with a complete market at "
            f"{', '.join(label(o) for o in self.offsets)} and at the final odds ({self.method}); "
            f"vs_ref is the per-race difference from the {label(self.reference)} market; SEs clustered by "
            f"day. Left out: {left or 'none'}.\n\n" + shown.to_markdown(index=False)
        )


def _race_markets(
    race_runs: pd.DataFrame,
    snapshots: pd.DataFrame,
    start: pd.Timestamp,
    offsets: Sequence[int],
    config: AnalysisConfig,
    method: str,
) -> tuple[pd.DataFrame | None, str | None]:
    """The starters of one race with their market at each offset and at the final odds, or why not."""
    ran = race_runs[~race_runs["non_runner"]].sort_values("number")
    numbers = ran["number"].astype(int).tolist()
    low, high = config.decision.overround_min, config.decision.overround_max
    final = ran["odds_direct"].astype(float).to_numpy()
    if check_market(numbers, final, low, high) is not None:
        return None, "final market incomplete or implausible"
    frame = pd.DataFrame({"number": numbers, "won": ran["won"].to_numpy(bool)})
    frame["p_final"] = market_probabilities(final, method)
    for offset in offsets:
        known = odds_at(snapshots, start - timedelta(minutes=offset))
        if known.empty:
            return None, f"no capture at or before {label(offset)}"
        priced = known[~known["non_runner"].astype(bool)]
        if set(priced["number"].astype(int)) - set(numbers):
            return None, f"a runner withdrawn after {label(offset)}"
        odds = known.set_index(known["number"].astype(int))["odds_direct"].astype(float)
        values = odds.reindex(numbers).to_numpy(float)
        if check_market(numbers, values, low, high) is not None:
            return None, f"market incomplete or implausible at {label(offset)}"
        frame[f"p_{label(offset)}"] = market_probabilities(values, method)
        frame[f"lead_{label(offset)}"] = (start - known["captured_at"].max()).total_seconds() / 60.0
    return frame, None


def offset_markets(
    history: History, days: Iterable[date], offsets: Sequence[int], config: AnalysisConfig, method: str
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Runner rows of every race of ``days`` with one winner and a complete market at every offset and
    at the final odds, and how many races were left out by reason."""
    wanted = set(days)
    races = history.races[history.races["race_date"].isin(wanted)]
    snapshots = {key: rows for key, rows in history.snapshots.groupby("race_key", sort=False)}
    runs = {key: rows for key, rows in history.runs.groupby("race_key", sort=False)}
    frames, left_out = [], {"no single winner": 0}
    for race in races.sort_values(["race_date", "race_key"]).itertuples(index=False):
        key = str(race.race_key)
        race_runs = runs.get(key)
        if race_runs is None or int(race_runs.loc[~race_runs["non_runner"], "won"].sum()) != 1:
            left_out["no single winner"] += 1
            continue
        start = instant(race.start_utc)
        if start is None:
            left_out["no start time"] = left_out.get("no start time", 0) + 1
            continue
        captures = snapshots.get(key)
        if captures is None:
            left_out["no capture"] = left_out.get("no capture", 0) + 1
            continue
        frame, reason = _race_markets(race_runs, captures, start, offsets, config, method)
        if frame is None:
            key_reason = str(reason)
            left_out[key_reason] = left_out.get(key_reason, 0) + 1
            continue
        frame["race_key"] = key
        frame["race_date"] = pd.Series([race.race_date] * len(frame), index=frame.index)
        frames.append(frame)
    runners = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return runners, dict(sorted(left_out.items(), key=lambda item: -item[1]))


def offset_features(
    runners: pd.DataFrame, column: str, features: Sequence[str], knots: Sequence[float]
) -> pd.DataFrame:
    """The model inputs of one offset's market column: its log-probability and the price-shape terms."""
    logit = np.log(runners[column].to_numpy(float))
    inputs = pd.DataFrame({"race_key": runners["race_key"].to_numpy(), "market_logit": logit})
    for name, values in shape_columns(logit, knots).items():
        inputs[name] = values
    missing = [f for f in features if f not in inputs]
    if missing:
        raise ValueError(f"the offset study models the market only; it cannot use {missing}")
    return inputs


def walk_forward_offset(
    runners: pd.DataFrame,
    column: str,
    features: Sequence[str],
    knots: Sequence[float],
    scored_days: Iterable[date],
    *,
    l2: float,
    min_train_races: int,
) -> pd.Series:
    """Each of ``scored_days`` predicted from ``column`` by a fit on the earlier days (NaN without one)."""
    inputs = offset_features(runners, column, features, knots)
    inputs["won"] = runners["won"].to_numpy(bool)
    predicted = pd.Series(np.nan, index=runners.index)
    for day in sorted(set(scored_days)):
        today = (runners["race_date"] == day).to_numpy()
        past = (runners["race_date"] < day).to_numpy()
        if not today.any() or runners.loc[past, "race_key"].nunique() < min_train_races:
            continue
        coef = fit_conditional_logit(inputs[past], features, l2=l2)
        predicted[today] = predict(inputs[today], coef, features)
    return predicted


def _race_scores(runners: pd.DataFrame, column: str) -> pd.DataFrame:
    """:func:`race_scores` of ``column`` on the races where every runner has a probability in it."""
    priced = runners.groupby("race_key", sort=False)[column].transform(lambda s: s.notna().all())
    return race_scores(runners[priced.astype(bool)], column)


def offset_study(
    history: History,
    start: date,
    end: date,
    config: AnalysisConfig,
    *,
    offsets: Sequence[int] = DEFAULT_OFFSETS,
    reference: int = 5,
    method: str = "proportional",
) -> OffsetStudy:
    """Market and walk-forward model at each offset, and the final odds, on the races of ``start`` ..
    ``end`` that have all of them; the models are fitted on every earlier day of ``history``."""
    offsets = tuple(sorted(set(offsets) | {reference}, reverse=True))
    days = [d for d in history.racing_days if d <= end]
    runners, left_out = offset_markets(history, days, offsets, config, method)
    left_out = {k: v for k, v in left_out.items()}
    if runners.empty:
        return OffsetStudy(offsets, reference, method, runners, pd.DataFrame(), left_out)
    scored_days = [d for d in days if d >= start]
    # The study knows the market only: the config's market-price features (at least market_logit).
    features = tuple(f for f in config.model.features if f in OFFSET_FEATURES) or ("market_logit",)
    knots = config.model.shape_knots
    columns: dict[str, str] = {}
    for offset in offsets:
        name = label(offset)
        runners[f"model_{name}"] = walk_forward_offset(
            runners,
            f"p_{name}",
            features,
            knots,
            scored_days,
            l2=config.model.l2,
            min_train_races=config.model.min_train_races,
        )
        columns[f"market {name}"] = f"p_{name}"
        columns[f"model {name} ({' + '.join(features)})"] = f"model_{name}"
    columns[f"market, {FINAL}"] = "p_final"
    in_range = runners[runners["race_date"] >= start].reset_index(drop=True)
    # The same races in every row: those the models could predict.
    predicted = in_range.groupby("race_key")[[f"model_{label(o)}" for o in offsets]].transform(
        lambda s: s.notna().all()
    )
    in_range = in_range[predicted.all(axis=1)].reset_index(drop=True)
    if in_range.empty:
        return OffsetStudy(offsets, reference, method, in_range, pd.DataFrame(), left_out)
    ref = _race_scores(in_range, f"p_{label(reference)}").set_index("race_key")
    rows = []
    for name, column in columns.items():
        table = _race_scores(in_range, column)
        ll, ll_se = clustered_mean_se(table["log_loss"].to_numpy(float), table["race_date"].tolist())
        br, br_se = clustered_mean_se(table["brier"].to_numpy(float), table["race_date"].tolist())
        diff = table["log_loss"].to_numpy(float) - ref.loc[table["race_key"], "log_loss"].to_numpy(float)
        d, d_se = clustered_mean_se(diff, table["race_date"].tolist())
        lead_column = column.replace("p_", "lead_").replace("model_", "lead_")
        lead = (
            float(in_range.groupby("race_key")[lead_column].first().median())
            if lead_column in in_range
            else float("nan")
        )
        rows.append(
            {
                "probabilities": name,
                "races": len(table),
                "log_loss": ll,
                "log_loss_se": ll_se,
                "brier": br,
                "brier_se": br_se,
                "vs_ref": d if column != f"p_{label(reference)}" else 0.0,
                "vs_ref_se": d_se if column != f"p_{label(reference)}" else float("nan"),
                "median_lead_min": lead,
            }
        )
    return OffsetStudy(offsets, reference, method, in_range, pd.DataFrame(rows), left_out)
