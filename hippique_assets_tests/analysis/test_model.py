"""The conditional logit recovers known coefficients; save and load round-trip."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from hippique_assets.analysis.model import fit_model, load_model, predict, save_model


def _simulated(beta: np.ndarray, races: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(races):
        n = rng.integers(6, 15)
        x = rng.normal(size=(n, len(beta)))
        u = x @ beta
        p = np.exp(u - u.max())
        p /= p.sum()
        winner = rng.choice(n, p=p)
        for i in range(n):
            rows.append({"race_key": f"r{r}", "x1": x[i, 0], "x2": x[i, 1], "won": i == winner})
    return pd.DataFrame(rows)


def test_recovers_known_coefficients():
    beta = np.array([1.0, -0.5])
    frame = _simulated(beta, 4000, seed=5)
    model = fit_model(frame, ["x1", "x2"], date(2026, 1, 1), date(2026, 2, 1), l2=0.0)
    np.testing.assert_allclose(model.coef, beta, atol=0.08)
    assert model.n_races == 4000


def test_predictions_sum_to_one_per_race_in_row_order():
    frame = _simulated(np.array([0.7, 0.2]), 50, seed=1).sample(frac=1.0, random_state=2)
    p = predict(frame, np.array([0.7, 0.2]), ["x1", "x2"])
    sums = pd.Series(p, index=frame.index).groupby(frame["race_key"]).sum()
    np.testing.assert_allclose(sums, 1.0)
    one = frame[frame["race_key"] == "r3"]
    u = np.exp(one[["x1", "x2"]].to_numpy() @ np.array([0.7, 0.2]))
    np.testing.assert_allclose(p[frame["race_key"].to_numpy() == "r3"], u / u.sum())


def test_save_and_load_round_trip(tmp_path):
    model = fit_model(
        _simulated(np.array([0.5, 0.5]), 200, 3), ["x1", "x2"], date(2026, 1, 1), date(2026, 1, 31)
    )
    save_model(model, tmp_path / "m.json")
    loaded = load_model(tmp_path / "m.json")
    assert loaded.version == model.version and loaded.features == ("x1", "x2")
    np.testing.assert_allclose(loaded.coef, model.coef)
    (tmp_path / "bad.json").write_text('{"format": 99}')
    with pytest.raises(ValueError, match="format 99"):
        load_model(tmp_path / "bad.json")
