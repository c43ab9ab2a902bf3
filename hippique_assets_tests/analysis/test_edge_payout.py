"""The betting rule's evidence and gate, and the expected post-time payout, on hand values."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pandas as pd
import pytest

from hippique_assets.analysis.config import default_config
from hippique_assets.analysis.edge import EdgeEvidence, edge_gate, evidence_from_scores
from hippique_assets.analysis.metrics import bootstrap_roi_ci, calibration_error, clustered_mean_se
from hippique_assets.analysis.payout import PayoutModel, fit_payout

RULE = default_config().edge


def _evidence(edge: float, se: float, races: int = 1000) -> EdgeEvidence:
    return EdgeEvidence(races, 40, 2.0 - edge, 2.0, se, date(2026, 1, 1), date(2026, 2, 9))


def test_gate_blocks_without_a_clear_edge():
    assert edge_gate(None, RULE).startswith("no out-of-sample edge: no evidence")
    assert "races of evidence" in edge_gate(_evidence(0.05, 0.001, races=RULE.min_races - 1), RULE)
    # A gain smaller than min_z standard errors is noise.
    assert edge_gate(_evidence(0.003, 0.002), RULE).startswith("no out-of-sample edge: gain +0.0030")
    assert edge_gate(_evidence(-0.01, 0.002), RULE) is not None
    assert edge_gate(_evidence(0.010, 0.002), RULE) is None
    # Probabilities equal to the market's up to rounding: no SE, no gain, no edge.
    assert edge_gate(_evidence(1e-17, 0.0), RULE) is not None
    assert edge_gate(None, dataclasses.replace(RULE, require_edge=False)) is None


def test_evidence_from_scores_is_the_mean_gain_with_a_day_clustered_se():
    scores = pd.DataFrame(
        {
            "race_date": [date(2026, 1, 1)] * 2 + [date(2026, 1, 2)] * 2 + [date(2026, 1, 3)] * 2,
            "log_loss": [1.9, 2.1, 1.8, 2.0, 2.2, 2.0],
            "market_log_loss": [2.0, 2.0, 2.0, 2.0, 2.0, 2.1],
        }
    )
    evidence = evidence_from_scores(scores)
    diff = scores["market_log_loss"] - scores["log_loss"]
    assert evidence.edge == pytest.approx(diff.mean())
    # Cluster sums of deviations: day 1 (0.1 - 0.1 + ... ) by hand.
    deviations = (diff - diff.mean()).groupby(scores["race_date"]).sum()
    assert evidence.se == pytest.approx(np.sqrt(3 / 2 * (deviations**2).sum()) / 6)
    assert (evidence.races, evidence.days) == (6, 3)
    assert EdgeEvidence.from_dict(evidence.to_dict()) == evidence


def test_clustered_se_is_wider_than_the_naive_one_when_days_move_together():
    values = np.r_[np.full(50, 1.0), np.full(50, -1.0)]
    days = [1] * 50 + [2] * 50
    mean, se = clustered_mean_se(values, days)
    assert mean == 0.0 and se > values.std() / np.sqrt(values.size)
    assert np.isnan(clustered_mean_se([1.0, 2.0], [1, 1])[1])


def test_payout_ratio_by_band_is_shrunk_towards_the_mean():
    odds = np.array([2.0, 2.0, 10.0, 10.0])
    dividend = np.array([2.4, 2.0, 8.0, 9.0])  # ratios 1.2, 1.0, 0.8, 0.9; overall 0.975
    model = fit_payout(odds, dividend, [5.0], prior_winners=2.0)
    assert model.winners == (2, 2)
    assert model.ratios[0] == pytest.approx((2.2 + 2 * 0.975) / 4)
    assert model.ratios[1] == pytest.approx((1.7 + 2 * 0.975) / 4)
    np.testing.assert_allclose(model.expected([3.0, 20.0]), [3.0 * model.ratios[0], 20.0 * model.ratios[1]])
    assert PayoutModel.from_dict(model.to_dict()) == model
    assert PayoutModel.identity().expected([4.2]).tolist() == [4.2]
    assert fit_payout([], [], [5.0], 2.0).is_identity


def test_bootstrap_interval_and_calibration_error():
    rng = np.random.default_rng(3)
    stake = np.ones(400)
    returned = np.where(rng.random(400) < 0.3, 3.0, 0.0)
    days = np.repeat(np.arange(40), 10)
    low, high = bootstrap_roi_ci(stake, returned, days, seed=1)
    point = returned.sum() / stake.sum() - 1
    assert low < point < high and high - low < 0.5
    assert bootstrap_roi_ci(stake, returned, days, seed=1) == (low, high)
    assert bootstrap_roi_ci([], [], []) is None
    assert calibration_error([0.5, 0.5], [True, False], bins=1) == pytest.approx(0.0)
    assert calibration_error([0.9, 0.9], [False, False], bins=1) == pytest.approx(0.9)
