"""The market and the model at several offsets before the off, on the same races, and the price-shape
terms the model may use."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from hippique_assets.analysis.config import default_config
from hippique_assets.analysis.offsets import offset_markets, offset_study, parse_offsets
from hippique_assets.analysis.price_shape import shape_columns
from hippique_assets.analysis.snapshots import phase_offset
from hippique_assets.analysis.stored_history import History

CONFIG = dataclasses.replace(
    default_config(), model=dataclasses.replace(default_config().model, min_train_races=5)
)
START = pd.Timestamp("2026-01-10T14:00Z")


def _race(key: str, day: date, start: pd.Timestamp, winner: int, captures: dict[int, list[float]]):
    """Three runners; ``captures`` maps minutes before the off to their odds then."""
    runs = pd.DataFrame(
        {
            "race_key": key,
            "race_date": day,
            "number": [1, 2, 3],
            "non_runner": False,
            "odds_direct": [1.7, 2.6, 5.5],  # final odds (sum of 1/odds 1.155)
            "won": [n == winner for n in (1, 2, 3)],
        }
    )
    rows = [
        {
            "race_key": key,
            "phase": "capture",
            "captured_at": start - timedelta(minutes=minutes),
            "number": number,
            "odds_direct": odds,
            "odds_reference": odds,
            "non_runner": False,
        }
        for minutes, prices in captures.items()
        for number, odds in zip((1, 2, 3), prices, strict=True)
    ]
    return {"race_key": key, "race_date": day, "start_utc": start}, runs, pd.DataFrame(rows)


def _history(races: list) -> History:
    frames = list(zip(*races, strict=True))
    return History(
        since=date(2026, 1, 1),
        until=date(2026, 12, 31),
        races=pd.DataFrame(list(frames[0])),
        runs=pd.concat(frames[1], ignore_index=True),
        snapshots=pd.concat(frames[2], ignore_index=True),
        performances=pd.DataFrame(),
        dividends=pd.DataFrame(),
    )


def test_offsets_are_parsed_largest_first_and_bounded():
    assert parse_offsets("5, 60,30,5") == (60, 30, 5)
    for bad in ("", "five", "-1", "300"):
        with pytest.raises(ValueError, match="offsets"):
            parse_offsets(bad)
    assert phase_offset("h2") == timedelta(minutes=2) and phase_offset("h30") == timedelta(minutes=30)
    with pytest.raises(ValueError, match="decision phase"):
        phase_offset("last")


def test_each_offset_reads_the_latest_capture_at_or_before_it_and_only_complete_races_count():
    day = date(2026, 1, 10)
    full = _race(
        "2026-01-10-R1C1", day, START, 1, {70: [2.6, 2.6, 2.6], 20: [2.0, 2.6, 4.4], 1: [1.9, 2.6, 4.4]}
    )
    # No capture before H-60: left out of every row, not just the H-60 one.
    late = _race("2026-01-10-R1C2", day, START, 2, {20: [2.0, 2.6, 4.4]})
    runners, left_out = offset_markets(_history([full, late]), [day], (60, 5, 2), CONFIG, "proportional")
    assert set(runners["race_key"]) == {"2026-01-10-R1C1"}
    assert left_out["no capture at or before H-60"] == 1
    # H-5 and H-2 both see the capture of H-20 (the H-1 one comes after them).
    assert runners["lead_H-5"].iloc[0] == 20.0 and runners["lead_H-2"].iloc[0] == 20.0
    assert runners["lead_H-60"].iloc[0] == 70.0
    expected = (1 / np.array([2.0, 2.6, 4.4])) / (1 / np.array([2.0, 2.6, 4.4])).sum()
    assert runners["p_H-5"].to_numpy() == pytest.approx(expected)
    assert runners["p_H-60"].to_numpy() == pytest.approx([1 / 3] * 3)


def test_a_runner_withdrawn_after_an_offset_leaves_the_race_out():
    day = date(2026, 1, 10)
    race, runs, snaps = _race("2026-01-10-R1C1", day, START, 1, {40: [2.0, 2.6, 4.4]})
    extra = snaps.iloc[[0]].assign(number=4, odds_direct=9.0)  # priced at H-40, did not run
    runners, left_out = offset_markets(
        _history([(race, runs, pd.concat([snaps, extra]))]), [day], (30,), CONFIG, "proportional"
    )
    assert runners.empty and left_out["a runner withdrawn after H-30"] == 1


def test_the_study_scores_market_model_and_final_odds_on_the_same_races():
    races = []
    rng = np.random.default_rng(3)
    for n in range(16):
        day = date(2026, 1, 1) + timedelta(days=n // 2)
        start = pd.Timestamp(f"{day.isoformat()}T14:00Z") + timedelta(hours=n % 2)
        early = list(1 / (1.2 * rng.dirichlet([4.0, 4.0, 4.0])))  # overround 0.2
        races.append(
            _race(f"{day.isoformat()}-R1C{n % 2 + 1}", day, start, 1 + n % 3, {45: early, 8: [1.7, 2.7, 5.5]})
        )
    history = _history(races)
    study = offset_study(history, date(2026, 1, 6), date(2026, 1, 8), CONFIG, offsets=(30, 5))
    scores = study.scores.set_index("probabilities")
    # Days 6-8, two races each, all predicted by models fitted on the 10 earlier races.
    assert set(scores["races"]) == {6} and study.races == 6
    assert scores.loc["market H-5", "vs_ref"] == 0.0
    final = scores.loc["market, final odds"]
    winners = study.runners[study.runners["won"]]
    assert final["log_loss"] == pytest.approx(-np.log(winners["p_final"]).mean())
    assert scores.loc["market H-30", "median_lead_min"] == 45.0
    assert f"model H-30 ({' + '.join(CONFIG.model.features)})" in scores.index
    assert "6 races on 3 days" in study.markdown()


def test_shape_terms_are_zero_between_the_knots():
    logit = np.log(np.array([0.02, 0.05, 0.2, 0.5, 0.7]))
    shape = shape_columns(logit, (0.05, 0.5))
    assert shape["market_shape_low"] == pytest.approx([np.log(0.02 / 0.05), 0, 0, 0, 0])
    assert shape["market_shape_high"] == pytest.approx([0, 0, 0, 0, np.log(0.7 / 0.5)])
