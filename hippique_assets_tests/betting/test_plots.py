"""Plots render as PNG, with data and without."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from hippique_assets.betting.plots import calibration_png, cumulative_roi_png, markdown_image

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
