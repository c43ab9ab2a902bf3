"""Brier score, log-loss, calibration and ROI on hand values."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from hippique_assets.analysis.metrics import brier_score, calibration_table, log_loss, race_scores, roi


def test_brier_and_log_loss_by_hand():
    assert brier_score([0.5, 0.3, 0.2], 0) == pytest.approx(0.25 + 0.09 + 0.04)
    assert log_loss([0.5, 0.3, 0.2], 1) == pytest.approx(-math.log(0.3))
    assert log_loss([1.0, 0.0], 1) == pytest.approx(-math.log(1e-12))


def test_race_scores_skip_races_without_a_single_winner():
    frame = pd.DataFrame(
        {
            "race_key": ["a", "a", "b", "b"],
            "p": [0.6, 0.4, 0.5, 0.5],
            "won": [False, True, False, False],
        }
    )
    scores = race_scores(frame, "p")
    assert list(scores["race_key"]) == ["a"]
    assert scores["log_loss"].iloc[0] == pytest.approx(-math.log(0.4))


def test_calibration_bins_and_roi():
    table = calibration_table([0.1, 0.1, 0.9, 0.9], [False, False, True, True], bins=2)
    assert list(table["mean_p"]) == pytest.approx([0.1, 0.9])
    assert list(table["hit_rate"]) == [0.0, 1.0]
    assert roi(10.0, 12.5) == pytest.approx(0.25)
    assert roi(0.0, 0.0) is None
