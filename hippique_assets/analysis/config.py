"""The versioned GPI configuration: budget, gates, stakes, overround method, bet types, factor weights,
the decision data (capture age, plausible market, placing phase), the edge rule and the post-time
payout estimate.

One TOML file (``gpi.toml`` in this package by default, or ``HIPPIQUE_ANALYSIS_CONFIG``) drives every
analysis; its ``version`` is stored with each decision so a result can be traced to its settings.

The sections are pydantic dataclasses: every value is checked when the file is read (and again by
``dataclasses.replace``), an unknown or missing key is refused with its dotted name.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.dataclasses import dataclass

from hippique_assets.analysis.bets import known as known_bet_types

# The bet types the product knows (see hippique_assets.analysis.bets, where a new one is registered).
BET_TYPES = known_bet_types()
METHODS = ("proportional", "shin")
Method = Literal["proportional", "shin"]
# The race-clock phase whose decision places the tickets; the other one still records its decision.
PLACING_PHASES = ("h5", "last_call")
PlacingPhase = Literal["h5", "last_call"]
# The factor scores, and what a fitted model may use: those scores and the market-derived columns.
FACTOR_NAMES = ("jockey", "trainer", "form", "chrono", "drift")
MARKET_FEATURES = (
    "market_logit",
    "drift_logit",
    "reference_logit",
    "market_logit_sq",
    "market_shape_low",
    "market_shape_high",
)
MODEL_FEATURES = (*FACTOR_NAMES, *MARKET_FEATURES)
ModelFeature = Literal[
    "jockey",
    "trainer",
    "form",
    "chrono",
    "drift",
    "market_logit",
    "drift_logit",
    "reference_logit",
    "market_logit_sq",
    "market_shape_low",
    "market_shape_high",
]

# Unknown keys are refused: a setting nothing reads must not be silently ignored.
STRICT = ConfigDict(extra="forbid", frozen=True)


class ConfigError(ValueError):
    """The analysis config file has a missing, unknown or out-of-range value."""


@dataclass(config=STRICT)
class BudgetConfig:
    budget_eur: Annotated[StrictFloat, Field(gt=0)]
    min_ev: Annotated[StrictFloat, Field(ge=0)]
    kelly_fraction: Annotated[StrictFloat, Field(gt=0, le=1)]
    max_share_per_horse: Annotated[StrictFloat, Field(gt=0, le=1)]
    stake_step_eur: Annotated[StrictFloat, Field(gt=0)]

    @model_validator(mode="after")
    def _step_within_budget(self) -> BudgetConfig:
        if self.stake_step_eur > self.budget_eur:
            raise ValueError(f"stake_step_eur {self.stake_step_eur} is above budget_eur {self.budget_eur}")
        return self


@dataclass(config=STRICT)
class MarketConfig:
    overround_method: Method


@dataclass(config=STRICT)
class BetsConfig:
    types: Annotated[tuple[StrictStr, ...], Field(min_length=1)]
    takeout: dict[str, StrictFloat]

    @field_validator("types")
    @classmethod
    def _known_types(cls, types: tuple[str, ...]) -> tuple[str, ...]:
        # Read at parse time, so a type registered after this module was imported is accepted too.
        known = known_bet_types()
        bad = [t for t in types if t not in known]
        if bad:
            raise ValueError(f"unknown bet types {bad}; known: {list(known)}")
        return types

    @model_validator(mode="after")
    def _takeout_of_every_type(self) -> BetsConfig:
        missing = [t for t in self.types if not 0 <= self.takeout.get(t, -1.0) < 1]
        if missing:
            raise ValueError(f"bets.takeout needs a value in [0, 1) for {missing}")
        return self


@dataclass(config=STRICT)
class FactorWeights:
    jockey: StrictFloat
    trainer: StrictFloat
    form: StrictFloat
    chrono: StrictFloat
    drift: StrictFloat


@dataclass(config=STRICT)
class FactorsConfig:
    history_window_days: Annotated[StrictInt, Field(ge=1)]
    prior_rides: Annotated[StrictFloat, Field(ge=0)]
    weights: FactorWeights


@dataclass(config=STRICT)
class ModelConfig:
    l2: Annotated[StrictFloat, Field(ge=0)]
    min_train_races: Annotated[StrictInt, Field(ge=1)]
    features: Annotated[tuple[ModelFeature, ...], Field(min_length=1)]
    # Knots (win probabilities) of the favourite-longshot shape terms (analysis/price_shape.py).
    shape_knots: tuple[StrictFloat, StrictFloat] = (0.05, 0.5)

    @field_validator("shape_knots")
    @classmethod
    def _knots_in_order(cls, knots: tuple[float, float]) -> tuple[float, float]:
        if not 0 < knots[0] < knots[1] < 1:
            raise ValueError(f"shape_knots must be two probabilities 0 < low < high < 1, got {list(knots)}")
        return knots


@dataclass(config=STRICT)
class DecisionConfig:
    """Which odds a decision may use (capture age limit, plausible sum of 1/odds), which phase places
    the tickets and how many minutes before the off the last-call decision runs."""

    max_capture_age_min: Annotated[StrictFloat, Field(gt=0)]
    overround_min: Annotated[StrictFloat, Field(gt=0)]
    overround_max: StrictFloat
    placing_phase: PlacingPhase = "h5"
    last_call_minutes: StrictInt = Field(default=2, ge=1, le=5)

    @model_validator(mode="after")
    def _band(self) -> DecisionConfig:
        if not self.overround_min < self.overround_max:
            raise ValueError(
                f"overround_min {self.overround_min} must be below overround_max {self.overround_max}"
            )
        return self


@dataclass(config=STRICT)
class EdgeConfig:
    """No ticket unless the probabilities beat the market out of sample on earlier days."""

    require_edge: StrictBool
    min_races: Annotated[StrictInt, Field(ge=1)]
    min_z: Annotated[StrictFloat, Field(ge=0)]
    min_gain: Annotated[StrictFloat, Field(ge=0)]


@dataclass(config=STRICT)
class PayoutConfig:
    """The simple-gagnant payout expected at post time from the H-5 odds, by odds band."""

    odds_bands: tuple[StrictFloat, ...]
    prior_winners: Annotated[StrictFloat, Field(ge=0)]

    @field_validator("odds_bands")
    @classmethod
    def _increasing(cls, bands: tuple[float, ...]) -> tuple[float, ...]:
        if any(b <= 1 for b in bands) or list(bands) != sorted(set(bands)):
            raise ValueError(f"odds_bands must be increasing odds above 1, got {list(bands)}")
        return bands


@dataclass(config=STRICT)
class AnalysisConfig:
    version: Annotated[StrictStr, Field(min_length=1)]
    budget: BudgetConfig
    market: MarketConfig
    bets: BetsConfig
    factors: FactorsConfig
    model: ModelConfig
    decision: DecisionConfig
    edge: EdgeConfig
    payout: PayoutConfig


SECTIONS = ("version", "budget", "market", "bets", "factors", "model", "decision", "edge", "payout")
_ADAPTER = TypeAdapter(AnalysisConfig)


def _describe(error: Any) -> str:
    """One pydantic error as ``section.key: message``, with the refused value when it is a single one."""
    where = ".".join(str(part) for part in error["loc"]) or "(top level)"
    if error["type"] == "extra_forbidden":
        return f"{where}: unknown key"
    if error["type"] == "missing":
        return f"{where}: is missing"
    if error["type"] == "value_error":  # our own checks name the values themselves
        return f"{where}: {error['msg'].removeprefix('Value error, ')}"
    return f"{where}: {error['msg']}, got {error['input']!r}"


def parse_config(raw: dict[str, Any], where: str = "config") -> AnalysisConfig:
    """Validate a parsed TOML document into an :class:`AnalysisConfig`."""
    try:
        return _ADAPTER.validate_python(raw)
    except ValidationError as exc:
        problems = "; ".join(_describe(e) for e in exc.errors(include_url=False))
        raise ConfigError(f"{where}: {problems}") from None


def load_config(path: str | Path | None = None) -> AnalysisConfig:
    """The config at ``path``, or the packaged ``gpi.toml``."""
    if path is None:
        return default_config()
    where = str(path)
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"analysis config {where} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None
    return parse_config(raw, where)


@cache
def default_config() -> AnalysisConfig:
    text = resources.files("hippique_assets.analysis").joinpath("gpi.toml").read_text(encoding="utf-8")
    return parse_config(tomllib.loads(text), "gpi.toml")
