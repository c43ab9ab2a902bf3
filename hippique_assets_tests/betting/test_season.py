"""The season view: cumulative profit and drawdown, ROI by bet type, discipline and hippodrome,
calibration by odds band, and a readable empty state."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from hippique_assets.betting import season

PNG = b"\x89PNG\r\n\x1a\n"
D1, D2, D3 = date(2026, 3, 21), date(2026, 3, 22), date(2026, 3, 23)


def _ledger_row(day: date, course: int, stake: float, returned: float, **extra: object) -> dict[str, object]:
    return {
        "race_date": day,
        "race_key": f"{day.isoformat()}-R1C{course}",
        "reunion": 1,
        "course": course,
        "abstained": stake == 0,
        "reason": "no bet reaches min EV (best EV 0.10)" if stake == 0 else None,
        "n_tickets": 1 if stake else 0,
        "stake_eur": stake,
        "return_eur": returned,
        "profit_eur": returned - stake,
        "settled": True,
        "log_loss": 1.5,
        "market_log_loss": 1.4,
        **extra,
    }


def _frames() -> dict[str, pd.DataFrame]:
    ledger = pd.DataFrame(
        [
            _ledger_row(D1, 1, 2.0, 6.0),  # +4
            _ledger_row(D2, 1, 3.0, 0.0),  # -3
            _ledger_row(D2, 2, 0.0, 0.0),  # abstained
            _ledger_row(D3, 1, 2.0, 0.0),  # -2: drawdown 5 from the peak of 4
            _ledger_row(D3, 2, 1.0, 0.0, settled=False),  # not settled: left out
        ]
    )
    settlements = pd.DataFrame(
        [
            {
                "race_key": f"{D1}-R1C1",
                "bet_type": "SIMPLE_GAGNANT",
                "stake_eur": 2.0,
                "return_eur": 6.0,
                "outcome": "won",
            },
            {
                "race_key": f"{D2}-R1C1",
                "bet_type": "SIMPLE_PLACE",
                "stake_eur": 3.0,
                "return_eur": 0.0,
                "outcome": "lost",
            },
            {
                "race_key": f"{D3}-R1C1",
                "bet_type": "SIMPLE_GAGNANT",
                "stake_eur": 2.0,
                "return_eur": 0.0,
                "outcome": "lost",
            },
            {
                "race_key": f"{D3}-R1C2",
                "bet_type": "SIMPLE_GAGNANT",
                "stake_eur": 1.0,
                "return_eur": 0.0,
                "outcome": "lost",
            },
        ]
    )
    analysis = pd.DataFrame(
        [
            {"race_key": f"{D1}-R1C1", "number": 1, "odds_h5": 2.0, "p_finale": 0.5, "p_market": 0.45},
            {"race_key": f"{D1}-R1C1", "number": 2, "odds_h5": 12.0, "p_finale": 0.1, "p_market": 0.08},
            {"race_key": f"{D2}-R1C1", "number": 1, "odds_h5": 2.5, "p_finale": 0.4, "p_market": 0.4},
            {"race_key": f"{D2}-R1C1", "number": 2, "odds_h5": 30.0, "p_finale": 0.03, "p_market": 0.03},
        ]
    )
    results = pd.DataFrame(
        [
            {"race_key": f"{D1}-R1C1", "arrival_order": [1, 2]},
            {"race_key": f"{D2}-R1C1", "arrival_order": [2, 1]},
        ]
    )
    plan = pd.DataFrame(
        [
            {"race_key": f"{D1}-R1C1", "discipline": "ATTELE", "hippodrome": "VINCENNES"},
            {"race_key": f"{D2}-R1C1", "discipline": "PLAT", "hippodrome": "=CHANTILLY|X"},
            {"race_key": f"{D2}-R1C2", "discipline": "PLAT", "hippodrome": "CHANTILLY"},
        ]
    )
    return {
        "ledger": ledger,
        "settlements": settlements,
        "analysis": analysis,
        "results": results,
        "plan": plan,
    }


def _view(start: date = D1, end: date = D3) -> season.SeasonView:
    return season.season_view(start, end, **_frames())


def test_cumulative_profit_and_drawdown_day_by_day():
    view = _view()
    daily = view.daily
    assert list(daily["day"]) == [D1, D2, D3]
    assert list(daily["profit_eur"]) == [4.0, -3.0, -2.0]
    assert list(daily["cumulative_profit_eur"]) == [4.0, 1.0, -1.0]
    assert list(daily["drawdown_eur"]) == [0.0, -3.0, -5.0]
    figures = view.figures()
    assert (figures["races"], figures["races_bet"], figures["abstained"], figures["days"]) == (4, 3, 1, 3)
    assert (figures["stake_eur"], figures["return_eur"], figures["profit_eur"]) == (7.0, 6.0, -1.0)
    assert figures["roi"] == pytest.approx(-1 / 7, abs=1e-4)
    assert figures["max_drawdown_eur"] == 5.0
    assert figures["log_loss"] == 1.5 and figures["market_log_loss"] == 1.4
    assert all(isinstance(v, (int, float)) for v in figures.values())


def test_roi_by_bet_type_counts_only_the_settled_races_tickets():
    view = _view()
    table = view.by_bet_type.set_index("bet_type")
    # R1C2 of D3 is not settled in the ledger: its ticket stays out, so the tables add up.
    assert table.loc["SIMPLE_GAGNANT", "tickets"] == 2 and table.loc["SIMPLE_GAGNANT", "stake_eur"] == 4.0
    assert table.loc["SIMPLE_GAGNANT", "roi"] == pytest.approx(0.5)
    assert table.loc["SIMPLE_PLACE", "roi"] == pytest.approx(-1.0)
    assert view.figures()["roi_simple_gagnant"] == 0.5 and view.figures()["tickets"] == 3


def test_discipline_hippodrome_and_odds_bands():
    view = _view()
    disciplines = view.by_discipline.set_index("discipline")
    assert disciplines.loc["ATTELE", "roi"] == pytest.approx(2.0)
    assert disciplines.loc["PLAT", "races"] == 2 and disciplines.loc["PLAT", "races_bet"] == 1
    assert disciplines.loc["unknown", "races"] == 1  # D3 R1C1 is not in the plan
    # A pipe would split a markdown table cell; text is cleaned like every exported label.
    assert "=CHANTILLY/X" in set(view.by_hippodrome["hippodrome"])
    bands = view.calibration.set_index("band")
    assert list(bands.index) == ["<3", "10-20", "20+"]
    assert bands.loc["<3", "runners"] == 2 and bands.loc["<3", "win_rate"] == 0.5
    assert bands.loc["20+", "winners"] == 1 and bands.loc["<3", "mean_p_finale"] == pytest.approx(0.45)


def test_images_tables_and_report():
    view = _view()
    pictures = season.images(view)
    assert set(pictures) == {
        "cumulative_profit",
        "roi_by_bet_type",
        "roi_by_discipline",
        "calibration_by_odds_band",
    }
    assert all(png.startswith(PNG) for png in pictures.values())
    tables = season.tables_markdown(view)
    assert "| SIMPLE_GAGNANT |" in tables["by_bet_type"] and "+50.0%" in tables["by_bet_type"]
    report = season.report_markdown(view)
    assert report.startswith("# Season 2026-03-21 .. 2026-03-23")
    assert report.count("data:image/png;base64,") == 4
    assert view.empty_message is None


def test_a_range_without_settled_tickets_says_so():
    view = _view(date(2026, 1, 1), date(2026, 1, 31))
    assert (
        view.empty_message == "no settled race in 2026-01-01 .. 2026-01-31: no settled tickets in the range"
    )
    figures = view.figures()
    assert figures["races"] == 0 and figures["tickets"] == 0 and figures["profit_eur"] == 0.0
    assert "roi" not in figures
    assert season.summary_markdown(view) == f"**{view.empty_message}**"
    assert all(png.startswith(PNG) for png in season.images(view).values())
    assert "_no settled ticket in the range_" in season.tables_markdown(view)["by_bet_type"]
    empty = pd.DataFrame()
    nothing = season.season_view(D1, D3, empty, empty, empty, empty, empty)
    assert nothing.empty_message is not None and nothing.daily.empty


def test_only_abstentions_is_its_own_empty_state():
    frames = _frames()
    frames["ledger"] = frames["ledger"][frames["ledger"]["abstained"]]
    view = season.season_view(D1, D3, **frames)
    assert (
        view.empty_message
        == "no settled tickets in 2026-03-21 .. 2026-03-23 (1 settled races, all abstained)"
    )
    assert view.figures()["abstained"] == 1


def test_end_before_start_is_refused():
    with pytest.raises(ValueError, match="end 2026-03-21 is before its start 2026-03-23"):
        season.season_view(D3, D1, *(pd.DataFrame() for _ in range(5)))
