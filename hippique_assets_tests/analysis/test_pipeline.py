"""One race from stored rows to a decision: the odds known at H-5, market checks, the edge rule
and the expected post-time payout."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from hippique_assets.analysis.config import default_config
from hippique_assets.analysis.edge import EdgeEvidence
from hippique_assets.analysis.model import FittedModel
from hippique_assets.analysis.payout import PayoutModel
from hippique_assets.analysis.pipeline import assemble_inputs, prepare_race, score_race

START = pd.Timestamp("2026-01-10T14:00:00Z")
DAY = date(2026, 1, 10)
CONFIG = dataclasses.replace(
    default_config(), budget=dataclasses.replace(default_config().budget, min_ev=0.05)
)
RUNNERS = pd.DataFrame(
    {
        "number": [1, 2, 3, 4],
        "horse_id": ["a", "b", "c", "d"],
        "jockey": ["j1", "j2", "j3", "j4"],
        "trainer": ["t1", "t2", "t3", "t4"],
        "musique": ["1p2p", "3p", "0p0p", ""],
        "non_runner": [False] * 4,
        "odds_direct": [1.6, 4.0, 8.0, 30.0],
        "odds_reference": [2.0, 4.0, 6.0, 20.0],
    }
)
HISTORY = pd.DataFrame(columns=["race_date", "jockey", "trainer", "won"])
PERFS = pd.DataFrame(columns=["horse_id", "past_race_date", "reduction_km_s", "discipline"])


def _snapshots(h5_odds: list[float], *, minutes: float = 7.0) -> pd.DataFrame:
    rows = []
    for phase_minutes, odds in ((32.0, [1.8, 4.0, 7.0, 25.0]), (minutes, h5_odds)):
        for number, value in zip([1, 2, 3, 4], odds, strict=True):
            rows.append(
                {
                    "phase": "capture",
                    "captured_at": START - timedelta(minutes=phase_minutes),
                    "number": number,
                    "odds_direct": value,
                    "odds_reference": value + 0.5,
                    "non_runner": False,
                }
            )
    return pd.DataFrame(rows)


def _prepared(h5_odds: list[float], **kw):
    inputs = assemble_inputs(
        "2026-01-10-R1C1", DAY, START, RUNNERS, _snapshots(h5_odds, **kw), HISTORY, PERFS, CONFIG
    )
    return prepare_race(inputs, CONFIG)


def _model(coef: float, evidence: EdgeEvidence | None, payout: PayoutModel | None = None) -> FittedModel:
    return FittedModel(
        version="t",
        features=("market_logit",),
        coef=np.array([coef]),
        n_races=1000,
        n_runners=10000,
        log_loss=2.0,
        fitted_from=DAY,
        fitted_to=DAY,
        fitted_at=pd.Timestamp("2026-01-09T00:00:00Z").to_pydatetime(),
        payout=payout or PayoutModel.identity(),
        evidence=evidence,
    )


GOOD = EdgeEvidence(2000, 60, 1.95, 2.00, 0.01, DAY, DAY)


def test_features_come_from_the_h5_capture_not_the_final_odds():
    prepared = _prepared([1.5, 3.4, 6.5, 20.0])
    runners = prepared.runners.set_index("number")
    assert prepared.decidable and prepared.odds_source == "capture"
    assert runners["odds_h5"].tolist() == [1.5, 3.4, 6.5, 20.0]  # not RUNNERS.odds_direct
    assert runners.loc[3, "drift_logit"] == pytest.approx(np.log(7.0 / 6.5))
    assert runners["p_market"].sum() == pytest.approx(1.0)


def test_impossible_and_stale_markets_are_not_decided():
    impossible = _prepared([0.8, 3.4, 6.5, 20.0])
    assert impossible.skip_reason.startswith("impossible market: odds at or below 1")
    analysis = score_race(impossible, CONFIG, _model(1.0, GOOD))
    assert analysis.decision.abstained and analysis.decision.tickets.empty
    stale = _prepared([1.5, 3.4, 6.5, 20.0], minutes=40.0)
    assert stale.skip_reason == "no H-5 odds: latest capture before H5 is 27 min old (limit 20)"


def test_no_ticket_without_out_of_sample_edge():
    prepared = _prepared([1.5, 3.4, 6.5, 20.0])
    # A model that disagrees with the market enough to find value, but with no evidence behind it.
    eager = _model(0.3, None)
    blocked = score_race(prepared, CONFIG, eager)
    assert blocked.decision.abstained and blocked.decision.reason.startswith("no out-of-sample edge")
    allowed = score_race(prepared, CONFIG, _model(0.3, GOOD))
    assert not allowed.decision.abstained and not allowed.decision.tickets.empty


def test_ev_uses_the_expected_post_time_payout():
    prepared = _prepared([1.5, 3.4, 6.5, 20.0])
    payout = PayoutModel((5.0,), (1.1, 0.8), (100, 100))
    analysis = score_race(prepared, CONFIG, _model(0.3, GOOD, payout))
    runners = analysis.runners.set_index("number")
    assert runners["payout_win"].tolist() == pytest.approx([1.5 * 1.1, 3.4 * 1.1, 6.5 * 0.8, 20.0 * 0.8])
    assert runners["ev_win"].tolist() == pytest.approx(
        (runners["p_finale"] * runners["payout_win"] - 1).tolist()
    )
    tickets = analysis.decision.tickets
    for ticket in tickets.itertuples():
        assert ticket.payout_estimate == pytest.approx(runners.loc[ticket.numbers[0], "payout_win"])
