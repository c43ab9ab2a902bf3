"""The packaged GPI config loads; bad values are refused with the key named."""

from __future__ import annotations

import dataclasses
from typing import get_args

import pydantic
import pytest

from hippique_assets.analysis.config import (
    METHODS,
    MODEL_FEATURES,
    PLACING_PHASES,
    ConfigError,
    Method,
    ModelFeature,
    PlacingPhase,
    default_config,
    load_config,
)

GOOD = (
    'version = "t1"\n[budget]\nbudget_eur = 5.0\nmin_ev = 0.4\nkelly_fraction = 0.5\n'
    "max_share_per_horse = 0.6\nstake_step_eur = 0.1\n"
    '[market]\noverround_method = "shin"\n[bets]\ntypes = ["SIMPLE_GAGNANT"]\n[bets.takeout]\nSIMPLE_GAGNANT = 0.15\n'
    "[factors]\nhistory_window_days = 365\nprior_rides = 20.0\n"
    "[factors.weights]\njockey = 0.4\ntrainer = 0.3\nform = 0.3\nchrono = 0.2\ndrift = 0.5\n"
    '[model]\nl2 = 0.001\nmin_train_races = 300\nfeatures = ["market_logit"]\n'
    "[decision]\nmax_capture_age_min = 20.0\noverround_min = 1.1\noverround_max = 1.4\n"
    "[edge]\nrequire_edge = true\nmin_races = 500\nmin_z = 2.0\nmin_gain = 0.002\n"
    "[payout]\nodds_bands = [3.0, 8.0]\nprior_winners = 50.0\n"
)


def test_packaged_defaults_match_the_documented_values():
    config = default_config()
    assert config.version.startswith("gpi-")
    assert config.budget.budget_eur == 5.0 and config.budget.min_ev == 0.40
    assert config.budget.kelly_fraction == 0.5 and config.budget.max_share_per_horse == 0.60
    assert config.budget.stake_step_eur == 0.10
    # The betting rule is on: no ticket without an out-of-sample edge over the market.
    assert config.edge.require_edge and config.edge.min_z >= 1.0


def test_a_file_loads(tmp_path):
    path = tmp_path / "gpi.toml"
    path.write_text(GOOD)
    assert load_config(path).bets.types == ("SIMPLE_GAGNANT",)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("kelly_fraction = 0.5", "kelly_fraction = 1.5"), "kelly_fraction"),
        (('overround_method = "shin"', 'overround_method = "magic"'), "overround_method"),
        (('types = ["SIMPLE_GAGNANT"]', 'types = ["QUARTE"]'), "QUARTE"),
        (("budget_eur = 5.0", 'budget_eur = "five"'), "budget_eur"),
        (("l2 = 0.001", "l2 = 0.001\nsurprise = 1"), "surprise"),
        # A setting nothing reads is refused rather than silently ignored.
        (("l2 = 0.001", "l2 = 0.001\nuse_fitted = true"), "use_fitted"),
        (("overround_min = 1.1", "overround_min = 1.5"), "overround_min"),
        (("require_edge = true", 'require_edge = "yes"'), "require_edge"),
        (("odds_bands = [3.0, 8.0]", "odds_bands = [8.0, 3.0]"), "odds_bands"),
        (("[edge]\n", "[edges]\n"), "edges"),
        (("overround_max = 1.4", 'overround_max = 1.4\nplacing_phase = "h1"'), "placing_phase"),
        (("overround_max = 1.4", "overround_max = 1.4\nlast_call_minutes = 0"), "last_call_minutes"),
        (("overround_max = 1.4", "overround_max = 1.4\nlast_call_minutes = 6"), "last_call_minutes"),
        (("overround_max = 1.4", "overround_max = 1.4\nlast_call_minutes = 2.5"), "last_call_minutes"),
        (("l2 = 0.001", "l2 = 0.001\nshape_knots = [0.5, 0.05]"), "shape_knots"),
        (("l2 = 0.001", "l2 = 0.001\nshape_knots = [0.05]"), "shape_knots"),
    ],
)
def test_bad_values_are_named(tmp_path, change, message):
    path = tmp_path / "gpi.toml"
    path.write_text(GOOD.replace(*change))
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_the_placing_phase_defaults_to_h5_two_minutes_before_the_off(tmp_path):
    path = tmp_path / "gpi.toml"
    path.write_text(GOOD)
    decision = load_config(path).decision
    assert (decision.placing_phase, decision.last_call_minutes) == ("h5", 2)
    assert default_config().decision.placing_phase in ("h5", "last_call")


def test_the_shipped_model_uses_the_price_shape_with_ordered_knots():
    model = default_config().model
    assert set(model.features) <= set(MODEL_FEATURES) and "market_logit" in model.features
    low, high = model.shape_knots
    assert 0 < low < high < 1


def test_the_last_call_can_place_the_tickets(tmp_path):
    path = tmp_path / "gpi.toml"
    path.write_text(
        GOOD.replace(
            "overround_max = 1.4", 'overround_max = 1.4\nplacing_phase = "last_call"\nlast_call_minutes = 1'
        )
    )
    decision = load_config(path).decision
    assert (decision.placing_phase, decision.last_call_minutes) == ("last_call", 1)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")


def test_the_checked_names_are_the_published_ones():
    assert set(get_args(ModelFeature)) == set(MODEL_FEATURES)
    assert get_args(Method) == METHODS and get_args(PlacingPhase) == PLACING_PHASES


def test_a_replaced_value_is_checked_again():
    decision = default_config().decision
    assert dataclasses.replace(decision, last_call_minutes=1).last_call_minutes == 1
    with pytest.raises(pydantic.ValidationError, match="last_call_minutes"):
        dataclasses.replace(decision, last_call_minutes=9)


def test_a_missing_key_and_section_are_named(tmp_path):
    path = tmp_path / "gpi.toml"
    path.write_text(GOOD.replace("min_z = 2.0\n", "").replace('[market]\noverround_method = "shin"\n', ""))
    with pytest.raises(ConfigError, match=r"edge\.min_z: is missing") as error:
        load_config(path)
    assert "market: is missing" in str(error.value)
