"""The backtest's figures as numbers and its cumulative profit, from a report built by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
from dagster._core.definitions.metadata.metadata_value import FloatMetadataValue, IntMetadataValue

from hippique_assets.analysis.backtest import BacktestReport
from hippique_assets.analysis.clv import clv_summary_markdown
from hippique_assets.analysis.report import cumulative_profit, report_figures
from hippique_assets.defs.betting.model import report_metadata

D1, D2 = date(2026, 3, 22), date(2026, 3, 23)


def _report() -> BacktestReport:
    return BacktestReport(
        start=D1,
        end=D2,
        mode="walk_forward",
        odds_source="snapshots",
        config_version="v1",
        races=pd.DataFrame({"race_key": ["a", "b", "c"], "status": ["ok"] * 3}),
        scored=pd.DataFrame(
            {
                "race_key": ["a", "a", "b", "b"],
                "race_date": [D1, D1, D2, D2],
                "p_finale": [0.6, 0.4, 0.5, 0.5],
                "p_market_shin": [0.55, 0.45, 0.5, 0.5],
                "won": [True, False, False, True],
            }
        ),
        scores=pd.DataFrame(
            {
                "probabilities": ["p_finale: model (walk-forward)", "market (Shin, H-5)", "uniform"],
                "races": [2, 2, 2],
                "log_loss": [0.61234, 0.65, 0.69],
                "brier": [0.41, 0.45, 0.5],
            }
        ),
        by_bet_type=pd.DataFrame(
            {
                "bet_type": ["SIMPLE_GAGNANT", "all"],
                "tickets": [3, 3],
                "unsettled": [1, 1],
                "stake_eur": [4.0, 4.0],
                "return_eur": [5.0, 5.0],
                "roi": [0.25, 0.25],
            }
        ),
        abstentions=pd.DataFrame({"reason": ["no bet reaches min EV", "-"], "races": [2, 1]}),
        per_day=pd.DataFrame({"day": [D1, D2], "stake_eur": [1.0, 3.0], "return_eur": [4.0, 1.0]}),
    )


def test_figures_are_the_reports_headline_numbers():
    figures = report_figures(_report())
    assert figures == {
        "races_in_range": 3,
        "races_scored": 2,
        "days": 2,
        "tickets": 3,
        "unsettled_tickets": 1,
        "stake_eur": 4.0,
        "return_eur": 5.0,
        "profit_eur": 1.0,
        "roi": 0.25,
        "model_log_loss": 0.6123,
        "model_brier": 0.41,
        "market_log_loss": 0.65,
        "market_brier": 0.45,
        "abstained_no_bet_reaches_min_ev": 2,
        "abstained_unknown": 1,
    }


def test_ticket_clv_is_a_headline_figure():
    report = _report()
    report.tickets = pd.DataFrame(
        {
            "race_date": [D1, D2, D2],
            "stake_eur": [1.0, 3.0, 2.0],
            "clv": [0.2, -0.1, None],  # the last one is a place ticket: no CLV
            "beat_final": [True, False, None],
        }
    )
    figures = report_figures(report)
    assert figures["clv"] == round((0.2 - 0.3) / 4.0, 4) and figures["beat_final_share"] == 0.5
    assert figures["clv_tickets"] == 2
    assert "2 tickets: CLV -2.50% (stake-weighted)" in clv_summary_markdown(report.tickets)


def test_cumulative_profit_and_drawdown():
    curve = cumulative_profit(_report())
    assert list(curve["cumulative_profit_eur"]) == [3.0, 1.0]
    assert list(curve["drawdown_eur"]) == [0.0, -2.0]


def test_metadata_types_the_numbers_and_always_shows_both_plots():
    metadata = report_metadata(_report())
    assert isinstance(metadata["roi"], FloatMetadataValue) and isinstance(
        metadata["tickets"], IntMetadataValue
    )
    assert metadata["cumulative_profit"].value.startswith("![cumulative profit](data:image/png;base64,")
    empty = report_metadata(
        BacktestReport(start=D1, end=D2, mode="factors", odds_source="snapshots", config_version="v1")
    )
    assert empty["races_scored"].value == 0 and "roi" not in empty
    assert empty["calibration"].value.startswith("![calibration](data:image/png;base64,")
    assert empty["cumulative_profit"].value.startswith("![cumulative profit](")
