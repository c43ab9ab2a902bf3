"""The betting rule's first condition: the probabilities beat the market out of sample.

Evidence is measured on earlier days only: the log-loss of the probabilities the analysis would
have used (each day predicted by a model fitted before it) against the log-loss of the market at
the same decision instant, on the same races. The difference's standard error is clustered by
racing day, since races of one day share conditions (going, late money, missing captures).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import pandas as pd

from hippique_assets.analysis.config import EdgeConfig
from hippique_assets.analysis.metrics import clustered_mean_se


@dataclass(frozen=True)
class EdgeEvidence:
    """Out-of-sample log-loss of the probabilities and of the decision-instant market."""

    races: int
    days: int
    model_log_loss: float
    market_log_loss: float
    se: float
    first_day: date
    last_day: date

    @property
    def edge(self) -> float:
        """Market log-loss minus model log-loss: positive when the model is better."""
        return self.market_log_loss - self.model_log_loss

    @property
    def z(self) -> float:
        return self.edge / self.se if self.se > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["first_day"], out["last_day"] = self.first_day.isoformat(), self.last_day.isoformat()
        return out

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> EdgeEvidence:
        values = dict(raw)
        values["first_day"] = date.fromisoformat(values["first_day"])
        values["last_day"] = date.fromisoformat(values["last_day"])
        return cls(**values)

    def describe(self) -> str:
        return (
            f"log-loss gain over the market {self.edge:+.4f} ± {self.se:.4f} "
            f"on {self.races} races, {self.days} days ({self.first_day} .. {self.last_day})"
        )


def evidence_from_scores(scores: pd.DataFrame) -> EdgeEvidence | None:
    """Evidence from per-race scores (race_date, log_loss, market_log_loss); None without races."""
    if scores.empty:
        return None
    days = pd.Series(scores["race_date"]).to_numpy()
    diff = scores["market_log_loss"].to_numpy(float) - scores["log_loss"].to_numpy(float)
    _, se = clustered_mean_se(diff, days)
    return EdgeEvidence(
        races=len(scores),
        days=int(pd.Series(days).nunique()),
        model_log_loss=float(scores["log_loss"].mean()),
        market_log_loss=float(scores["market_log_loss"].mean()),
        se=float(se),
        first_day=min(days),
        last_day=max(days),
    )


def edge_gate(evidence: EdgeEvidence | None, rule: EdgeConfig) -> str | None:
    """The abstention reason when the rule blocks betting, or None when tickets may be made."""
    if not rule.require_edge:
        return None
    if evidence is None:
        return "no out-of-sample edge: no evidence recorded for these probabilities"
    if evidence.races < rule.min_races:
        return f"no out-of-sample edge: {evidence.races} races of evidence, {rule.min_races} needed"
    needed = max(rule.min_z * evidence.se, rule.min_gain)
    if not evidence.edge > needed:
        return (
            f"no out-of-sample edge: gain {evidence.edge:+.4f} is not above {needed:.4f} "
            f"(max of {rule.min_z:g} x SE {evidence.se:.4f} and {rule.min_gain:g}; {evidence.races} races)"
        )
    return None
