"""An unofficial race result from a Geny arrivée page, for when PMU rapports never become final."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from hippique_assets.racing.results import build_result
from hippique_assets.web.models import WebArrival

GENY_ARRIVEE_PATH = "web/geny/{race_key}/arrivee.html"


def result_from_geny(
    race_key: str, page: WebArrival, *, resulted_at: datetime
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``pmu.race_results`` and ``pmu.race_dividends`` rows from a Geny page, marked unofficial."""
    runners = pd.DataFrame(
        [
            {"number": n, "finish_rank": rank, "non_runner": False}
            for rank, n in enumerate(page.arrival, start=1)
        ]
        + [{"number": n, "finish_rank": None, "non_runner": True} for n in page.non_runners]
    )
    dividends = pd.DataFrame(
        [
            {
                "bet_type": d.bet_type,
                "combination": f"{d.combination} {d.label}".strip() if d.label else d.combination,
                "combination_numbers": list(d.numbers),
                "has_non_runner": False,
                "dividend_per_eur": round(d.dividend_eur / d.base_stake_eur, 2),
            }
            for d in page.dividends
        ],
        columns=["bet_type", "combination", "combination_numbers", "has_non_runner", "dividend_per_eur"],
    )
    return build_result(race_key, runners, dividends, resulted_at=resulted_at, official=False, source="geny")
