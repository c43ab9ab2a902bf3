"""Overround removal: proportional and Shin, on hand-computed markets."""

from __future__ import annotations

import numpy as np
import pytest

from hippique_assets.analysis.market import implied, market_probabilities, overround, proportional, shin


def test_fair_book_needs_no_correction():
    result = shin([2.0, 2.0])
    assert result.z == 0.0
    np.testing.assert_allclose(result.probabilities, [0.5, 0.5])
    np.testing.assert_allclose(proportional([2.0, 2.0]), [0.5, 0.5])


def test_proportional_divides_by_the_book_total():
    # 1/1.6 + 1/2.5 + 1/5 = 0.625 + 0.4 + 0.2 = 1.225
    assert overround([1.6, 2.5, 5.0]) == pytest.approx(0.225)
    np.testing.assert_allclose(proportional([1.6, 2.5, 5.0]), [0.625 / 1.225, 0.4 / 1.225, 0.2 / 1.225])


def test_shin_sums_to_one_and_favours_the_favourite():
    odds = [1.8, 3.5, 6.0, 11.0]
    result = shin(odds)
    assert result.probabilities.sum() == pytest.approx(1.0)
    assert 0 < result.z < 0.2
    prop = proportional(odds)
    assert result.probabilities[0] > prop[0]  # less margin taken from the favourite
    assert result.probabilities[-1] < prop[-1]  # more from the long shot
    # Shin's formula holds for the solved z: p_i = (sqrt(z^2 + 4(1-z) q_i^2 / S) - z) / (2(1-z)).
    q = implied(odds)
    z = result.z
    expected = (np.sqrt(z * z + 4 * (1 - z) * q * q / q.sum()) - z) / (2 * (1 - z))
    np.testing.assert_allclose(result.probabilities, expected / expected.sum(), rtol=1e-9)


def test_bad_odds_are_refused_with_their_position():
    with pytest.raises(ValueError, match=r"\(1, 1.0\)"):
        implied([2.0, 1.0])
    with pytest.raises(ValueError, match="unknown overround method"):
        market_probabilities([2.0, 2.0], "magic")


def test_check_market_names_what_is_impossible_or_missing():
    from hippique_assets.analysis.market import check_market

    assert check_market([1, 2, 3], [1.6, 3.5, 5.0], 1.10, 1.40) is None  # sum 1.11
    # The winner priced below 1: a source error.
    assert (
        check_market([1, 2, 3], [0.8, 3.5, 6.0], 1.10, 1.40)
        == "impossible market: odds at or below 1 for [1]"
    )
    # Runners missing from the pool: the sum of 1/odds falls far below a pari-mutuel book.
    low = check_market([1, 2, 3], [4.0, 6.0, 9.0], 1.10, 1.40)
    assert low.startswith("impossible market: sum of 1/odds 0.528 outside [1.1, 1.4]")
    assert (
        check_market([1, 2], [float("nan"), 1.5], 1.10, 1.40)
        == "incomplete market: starters without odds [1]"
    )
    assert check_market([1], [1.5], 1.10, 1.40).startswith("incomplete market: fewer than 2 starters")
