"""Win rates with shrinkage, best reduction, drift, within-race scores and their combination."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from hippique_assets.analysis.factors import best_reduction, combine, odds_drift, race_features, win_rates

HISTORY = pd.DataFrame(
    {
        "race_date": [date(2026, 3, 1)] * 4 + [date(2026, 3, 10)] * 4 + [date(2025, 1, 1)],
        "jockey": ["A", "A", "B", "B", "A", "B", "B", "B", "A"],
        "won": [True, True, False, False, False, True, False, False, True],
    }
)


def test_win_rates_inside_the_window_with_shrinkage():
    rates = win_rates(HISTORY, "jockey", date(2026, 3, 20), window_days=30, prior_rides=2).set_index("jockey")
    # window: 8 rides, 3 wins -> overall 0.375; A: 2 wins / 3 rides, B: 1 / 5
    assert rates.loc["A", "rides"] == 3 and rates.loc["A", "wins"] == 2
    assert rates.loc["A", "rate"] == pytest.approx((2 + 2 * 0.375) / (3 + 2))
    assert rates.loc["B", "rate"] == pytest.approx((1 + 2 * 0.375) / (5 + 2))
    # Nothing on or after as_of counts.
    assert win_rates(HISTORY, "jockey", date(2026, 3, 1), 30, 2).empty


def test_best_reduction_and_drift():
    perf = pd.DataFrame(
        {
            "horse_id": ["h1", "h1", "h2"],
            "past_race_date": [date(2026, 1, 1), date(2026, 2, 1), date(2026, 4, 1)],
            "reduction_km_s": [75.2, 74.1, 70.0],
            "discipline": ["ATTELE"] * 3,
        }
    )
    best = best_reduction(perf, date(2026, 3, 1))
    assert best.to_dict() == {"h1": pytest.approx(74.1)}
    drift = odds_drift(pd.Series({1: 8.0, 2: 4.0}), pd.Series({1: 4.0, 2: 4.0}))
    assert drift[1] == pytest.approx(np.log(2.0)) and drift[2] == 0.0


def test_combine_by_hand():
    features = pd.DataFrame(
        {"number": [1, 2], "jockey": [1.0, -1.0], "trainer": 0.0, "form": 0.0, "chrono": 0.0, "drift": 0.0}
    )
    p, contributions = combine(np.array([0.5, 0.5]), features, {"jockey": 0.5})
    # odds ratio exp(0.5) / exp(-0.5) = e
    assert p[0] / p[1] == pytest.approx(np.e)
    assert p.sum() == pytest.approx(1.0)
    assert list(contributions["jockey"]) == [0.5, -0.5]


def test_race_features_are_centred_and_missing_is_average():
    runners = pd.DataFrame(
        {
            "number": [1, 2, 3],
            "horse_id": ["h1", "h2", "h3"],
            "jockey": ["A", "B", "Z"],
            "trainer": [None, None, None],
            "musique": ["1a1a", "0a0a", None],
        }
    )
    rates = pd.DataFrame({"jockey": ["A", "B"], "rides": [3, 5], "wins": [2, 1], "rate": [0.5, 0.25]})
    out = race_features(
        runners, rates, pd.DataFrame(columns=["trainer", "rate"]), pd.Series(dtype=float), None
    )
    assert out.loc[0, "jockey"] > 0 > out.loc[1, "jockey"] and out.loc[2, "jockey"] == 0.0
    assert out["trainer"].eq(0).all() and out["chrono"].eq(0).all()
    assert out.loc[0, "form"] > out.loc[2, "form"] > out.loc[1, "form"]
    assert not out["drift_available"].any()
