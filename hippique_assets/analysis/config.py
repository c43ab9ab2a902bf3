"""The versioned GPI configuration: budget, gates, stakes, overround method, bet types, factor weights,
the decision data (capture age, plausible market), the edge rule and the post-time payout estimate.

One TOML file (``gpi.toml`` in this package by default, or ``HIPPIQUE_ANALYSIS_CONFIG``) drives every
analysis; its ``version`` is stored with each decision so a result can be traced to its settings.
"""

from __future__ import annotations

import tomllib
from dataclasses import MISSING, dataclass, fields
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from hippique_assets.analysis.bets import known as known_bet_types

# The bet types the product knows (see hippique_assets.analysis.bets, where a new one is registered).
BET_TYPES = known_bet_types()
METHODS = ("proportional", "shin")
# The race-clock phase whose decision places the tickets; the other one still records its decision.
PLACING_PHASES = ("h5", "last_call")
# The factor scores, and what a fitted model may use: those scores and the market-derived columns.
FACTOR_NAMES = ("jockey", "trainer", "form", "chrono", "drift")
MARKET_FEATURES = ("market_logit", "drift_logit", "reference_logit", "market_logit_sq")
MODEL_FEATURES = (*FACTOR_NAMES, *MARKET_FEATURES)


class ConfigError(ValueError):
    """The analysis config file has a missing, unknown or out-of-range value."""


@dataclass(frozen=True)
class BudgetConfig:
    budget_eur: float
    min_ev: float
    kelly_fraction: float
    max_share_per_horse: float
    stake_step_eur: float


@dataclass(frozen=True)
class MarketConfig:
    overround_method: str


@dataclass(frozen=True)
class BetsConfig:
    types: tuple[str, ...]
    takeout: dict[str, float]


@dataclass(frozen=True)
class FactorWeights:
    jockey: float
    trainer: float
    form: float
    chrono: float
    drift: float


@dataclass(frozen=True)
class FactorsConfig:
    history_window_days: int
    prior_rides: float
    weights: FactorWeights


@dataclass(frozen=True)
class ModelConfig:
    l2: float
    min_train_races: int
    features: tuple[str, ...]


@dataclass(frozen=True)
class DecisionConfig:
    """Which odds a decision may use (capture age limit, plausible sum of 1/odds), which phase places
    the tickets and how many minutes before the off the last-call decision runs."""

    max_capture_age_min: float
    overround_min: float
    overround_max: float
    placing_phase: str = "h5"
    last_call_minutes: int = 2


@dataclass(frozen=True)
class EdgeConfig:
    """No ticket unless the probabilities beat the market out of sample on earlier days."""

    require_edge: bool
    min_races: int
    min_z: float
    min_gain: float


@dataclass(frozen=True)
class PayoutConfig:
    """The simple-gagnant payout expected at post time from the H-5 odds, by odds band."""

    odds_bands: tuple[float, ...]
    prior_winners: float


@dataclass(frozen=True)
class AnalysisConfig:
    version: str
    budget: BudgetConfig
    market: MarketConfig
    bets: BetsConfig
    factors: FactorsConfig
    model: ModelConfig
    decision: DecisionConfig
    edge: EdgeConfig
    payout: PayoutConfig


SECTIONS = ("version", "budget", "market", "bets", "factors", "model", "decision", "edge", "payout")


def _section(raw: dict[str, Any], name: str, where: str) -> dict[str, Any]:
    value = raw.get(name)
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: section [{name}] is missing")
    return value


def _build(cls: type, raw: dict[str, Any], where: str, **nested: Any) -> Any:
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(raw) - names - set(nested))
    if unknown:
        raise ConfigError(f"{where}: unknown keys {unknown}")
    values = {}
    for f in fields(cls):
        if f.name in nested:
            values[f.name] = nested[f.name]
            continue
        if f.name not in raw:
            if f.default is not MISSING:
                values[f.name] = f.default
                continue
            raise ConfigError(f"{where}: {f.name} is missing")
        value = raw[f.name]
        expected = {"float": (int, float), "int": (int,), "bool": (bool,), "str": (str,)}.get(str(f.type))
        if expected and (
            not isinstance(value, expected) or (str(f.type) != "bool" and isinstance(value, bool))
        ):
            raise ConfigError(f"{where}: {f.name} must be a {f.type}, got {value!r}")
        values[f.name] = float(value) if str(f.type) == "float" else value
    return cls(**values)


def _check(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise ConfigError(f"{where}: {message}")


def parse_config(raw: dict[str, Any], where: str = "config") -> AnalysisConfig:
    """Validate a parsed TOML document into an :class:`AnalysisConfig`."""
    unknown = sorted(set(raw) - set(SECTIONS))
    _check(not unknown, where, f"unknown sections {unknown}")
    version = raw.get("version")
    _check(isinstance(version, str) and bool(version), where, "version must be a non-empty string")
    budget = _build(BudgetConfig, _section(raw, "budget", where), f"{where} [budget]")
    _check(budget.budget_eur > 0, where, f"budget_eur must be > 0, got {budget.budget_eur}")
    _check(budget.min_ev >= 0, where, f"min_ev must be >= 0, got {budget.min_ev}")
    _check(
        0 < budget.kelly_fraction <= 1,
        where,
        f"kelly_fraction must be in (0, 1], got {budget.kelly_fraction}",
    )
    _check(
        0 < budget.max_share_per_horse <= 1,
        where,
        f"max_share_per_horse must be in (0, 1], got {budget.max_share_per_horse}",
    )
    _check(
        0 < budget.stake_step_eur <= budget.budget_eur, where, f"bad stake_step_eur {budget.stake_step_eur}"
    )
    market = _build(MarketConfig, _section(raw, "market", where), f"{where} [market]")
    _check(market.overround_method in METHODS, where, f"overround_method must be one of {METHODS}")
    bets_raw = dict(_section(raw, "bets", where))
    takeout = bets_raw.pop("takeout", None)
    _check(isinstance(takeout, dict), where, "[bets.takeout] is missing")
    types = bets_raw.get("types")
    _check(isinstance(types, list) and bool(types), where, "bets.types must be a non-empty list")
    # Read at parse time, so a type registered after this module was imported is accepted too.
    known = known_bet_types()
    bad = [t for t in types if t not in known]
    _check(not bad, where, f"unknown bet types {bad}; known: {list(known)}")
    missing_takeout = [
        t for t in types if not isinstance(takeout.get(t), int | float) or not 0 <= takeout[t] < 1
    ]
    _check(not missing_takeout, where, f"bets.takeout needs a value in [0, 1) for {missing_takeout}")
    bets = _build(
        BetsConfig,
        bets_raw,
        f"{where} [bets]",
        types=tuple(types),
        takeout={k: float(v) for k, v in takeout.items()},
    )
    factors_raw = dict(_section(raw, "factors", where))
    weights = _build(FactorWeights, factors_raw.pop("weights", {}), f"{where} [factors.weights]")
    factors_cfg = _build(FactorsConfig, factors_raw, f"{where} [factors]", weights=weights)
    _check(factors_cfg.history_window_days >= 1, where, "history_window_days must be >= 1")
    _check(factors_cfg.prior_rides >= 0, where, "prior_rides must be >= 0")
    model_raw = dict(_section(raw, "model", where))
    model_features = model_raw.pop("features", None)
    _check(
        isinstance(model_features, list)
        and bool(model_features)
        and set(model_features) <= set(MODEL_FEATURES),
        where,
        f"model.features must be a non-empty list drawn from {list(MODEL_FEATURES)}, got {model_features!r}",
    )
    model = _build(ModelConfig, model_raw, f"{where} [model]", features=tuple(model_features))
    _check(model.l2 >= 0, where, "model.l2 must be >= 0")
    _check(model.min_train_races >= 1, where, "model.min_train_races must be >= 1")
    decision = _build(DecisionConfig, _section(raw, "decision", where), f"{where} [decision]")
    _check(decision.max_capture_age_min > 0, where, "decision.max_capture_age_min must be > 0")
    _check(
        0 < decision.overround_min < decision.overround_max,
        where,
        "decision needs 0 < overround_min < overround_max",
    )
    _check(
        decision.placing_phase in PLACING_PHASES,
        where,
        f"decision.placing_phase must be one of {PLACING_PHASES}, got {decision.placing_phase!r}",
    )
    _check(
        1 <= decision.last_call_minutes <= 5,
        where,
        f"decision.last_call_minutes must be between 1 and 5, got {decision.last_call_minutes}",
    )
    edge = _build(EdgeConfig, _section(raw, "edge", where), f"{where} [edge]")
    _check(edge.min_races >= 1, where, "edge.min_races must be >= 1")
    _check(edge.min_z >= 0, where, "edge.min_z must be >= 0")
    _check(edge.min_gain >= 0, where, "edge.min_gain must be >= 0")
    payout_raw = dict(_section(raw, "payout", where))
    bands = payout_raw.pop("odds_bands", None)
    _check(
        isinstance(bands, list)
        and all(isinstance(b, int | float) and not isinstance(b, bool) and b > 1 for b in bands)
        and bands == sorted(set(bands)),
        where,
        f"payout.odds_bands must be increasing odds above 1, got {bands!r}",
    )
    payout = _build(PayoutConfig, payout_raw, f"{where} [payout]", odds_bands=tuple(float(b) for b in bands))
    _check(payout.prior_winners >= 0, where, "payout.prior_winners must be >= 0")
    return AnalysisConfig(version, budget, market, bets, factors_cfg, model, decision, edge, payout)


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
