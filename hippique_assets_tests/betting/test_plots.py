"""Plots render as PNG, with data and without."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from hippique_assets.betting.plots import (
    calibration_png,
    cumulative_profit_png,
    cumulative_roi_png,
    markdown_image,
    odds_band_calibration_png,
    roi_bars_png,
)

PNG = b"\x89PNG\r\n\x1a\n"


def test_cumulative_roi_and_calibration_are_pngs():
    ledger = pd.DataFrame(
        {
            "race_date": [date(2026, 3, 23)] * 3,
            "reunion": [1, 1, 2],
            "course": [1, 2, 1],
            "stake_eur": [2.0, 1.0, 0.0],
            "profit_eur": [-2.0, 3.0, 0.0],
        }
    )
    roi = cumulative_roi_png(ledger)
    assert roi.startswith(PNG) and len(roi) > 2000
    calibration = calibration_png([0.1, 0.2, 0.5, 0.7], [False, False, True, True], bins=2)
    assert calibration.startswith(PNG)
    assert markdown_image(roi, "ROI").startswith("![ROI](data:image/png;base64,iVBORw0KGgo")


def test_no_data_still_renders():
    assert cumulative_roi_png(pd.DataFrame(columns=["stake_eur"])).startswith(PNG)
    assert calibration_png([], []).startswith(PNG)


def test_calibration_rejects_mismatched_inputs():
    with pytest.raises(ValueError, match="3 p, 2 outcomes"):
        calibration_png([0.1, 0.2, 0.3], [True, False])
    with pytest.raises(ValueError, match="bins must be at least 1, got 0"):
        calibration_png([0.1], [True], bins=0)


def test_season_plots_render_with_data_and_say_what_is_missing_without():
    daily = pd.DataFrame(
        {
            "day": [date(2026, 3, 22), date(2026, 3, 23)],
            "cumulative_profit_eur": [4.0, 1.0],
            "drawdown_eur": [0.0, -3.0],
        }
    )
    assert cumulative_profit_png(daily).startswith(PNG)
    roi = pd.DataFrame({"bet_type": ["SIMPLE_GAGNANT", "SIMPLE_PLACE"], "roi": [0.5, None]})
    assert roi_bars_png(roi, "bet_type", "ROI by bet type").startswith(PNG)
    bands = pd.DataFrame(
        {
            "band": ["<3", "3-5"],
            "mean_p_finale": [0.4, 0.2],
            "mean_p_market": [0.4, 0.2],
            "win_rate": [0.5, 0.1],
        }
    )
    assert odds_band_calibration_png(bands).startswith(PNG)
    # The empty states are images too, each with its own sentence (so different images).
    empties = {
        cumulative_profit_png(daily.iloc[0:0], "no settled tickets in the range"),
        roi_bars_png(roi.iloc[0:0], "bet_type", "ROI by bet type", "no settled tickets in the range"),
        odds_band_calibration_png(bands.iloc[0:0]),
        cumulative_roi_png(pd.DataFrame(columns=["stake_eur"]), "no race bet on this day"),
        cumulative_roi_png(pd.DataFrame(columns=["stake_eur"]), "another sentence"),
    }
    assert len(empties) == 5 and all(png.startswith(PNG) for png in empties)
