"""Harville place, couplé and trio probabilities against hand computation."""

from __future__ import annotations

import numpy as np
import pytest

from hippique_assets.analysis.combinations import (
    couple_probabilities,
    ordered_pair_matrix,
    paid_places,
    place_probabilities,
    trio_probabilities,
)

P = np.array([0.5, 0.3, 0.2])


@pytest.mark.parametrize(("runners", "places"), [(3, 1), (4, 2), (7, 2), (8, 3), (18, 3)])
def test_paid_places(runners: int, places: int):
    assert paid_places(runners) == places


def test_ordered_pairs_by_hand():
    m = ordered_pair_matrix(P)
    assert m[0, 1] == pytest.approx(0.5 * 0.3 / 0.5)
    assert m[1, 0] == pytest.approx(0.3 * 0.5 / 0.7)
    assert m[2, 1] == pytest.approx(0.2 * 0.3 / 0.8)
    assert m.sum() == pytest.approx(1.0)


def test_place_in_first_two_by_hand():
    # A: 0.5 + P(B 1st, A 2nd) + P(C 1st, A 2nd) = 0.5 + 0.3*0.5/0.7 + 0.2*0.5/0.8
    expected_a = 0.5 + 0.3 * 0.5 / 0.7 + 0.2 * 0.5 / 0.8
    places = place_probabilities(P, 2)
    assert places[0] == pytest.approx(expected_a)
    assert places.sum() == pytest.approx(2.0)


def test_uniform_three_runners():
    uniform = np.full(3, 1 / 3)
    np.testing.assert_allclose(place_probabilities(uniform, 2), [2 / 3] * 3)
    assert trio_probabilities(uniform) == {(0, 1, 2): pytest.approx(1.0)}


def test_couple_and_trio_sum_to_one_on_a_big_field():
    p = np.random.default_rng(3).dirichlet(np.ones(14))
    assert sum(couple_probabilities(p).values()) == pytest.approx(1.0)
    assert sum(trio_probabilities(p).values()) == pytest.approx(1.0)
    assert place_probabilities(p, 3).sum() == pytest.approx(3.0)
    assert couple_probabilities(P)[(0, 1)] == pytest.approx(0.3 + 0.3 * 0.5 / 0.7)


def test_bad_probabilities_refused():
    with pytest.raises(ValueError):
        place_probabilities(np.array([0.5, 0.6]), 2)
