"""The favourite-longshot shape of the price: a piecewise-linear function of the market
log-probability with two knots, so a fitted model can trust long shots, the middle of the market and
heavy favourites by different amounts.

Beside ``market_logit`` (the slope everywhere), ``market_shape_low`` = min(0, log p - log k_low)
changes the slope below the low knot and ``market_shape_high`` = max(0, log p - log k_high) above
the high one; both are 0 in the middle, so a model without them is the model with them at 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

SHAPE_FEATURES = ("market_shape_low", "market_shape_high")


def shape_columns(market_logit: np.ndarray, knots: Sequence[float]) -> dict[str, np.ndarray]:
    """The two shape terms of ``market_logit`` (log p_market) for knots ``(k_low, k_high)`` (probabilities)."""
    low, high = (float(k) for k in knots)
    logit = np.asarray(market_logit, dtype=float)
    return {
        "market_shape_low": np.minimum(0.0, logit - np.log(low)),
        "market_shape_high": np.maximum(0.0, logit - np.log(high)),
    }
