"""The plan cross-checked against web race cards, and the unofficial Geny result."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from hippique_assets.racing.plan import build_race_plan
from hippique_assets.web.cross_check import cards_frame, compare, disagreeing
from hippique_assets.web.fallback import result_from_geny
from hippique_assets.web.geny import parse_geny_arrivee
from hippique_assets.web.models import WebRace, WebRunner

DAY = date(2026, 1, 18)


def _plan(start: datetime | None) -> pd.DataFrame:
    races = pd.DataFrame(
        [
            {
                "race_date": DAY,
                "reunion": 5,
                "course": 6,
                "name": "PRIX D'ANGERS",
                "start_utc": start,
                "discipline": "ATTELE",
                "distance_m": 2650,
                "n_declared": 14,
                "status": "PROGRAMMEE",
                "category_status": "A_PARTIR",
            }
        ]
    )
    reunions = pd.DataFrame([{"reunion": 5, "hippodrome_name": "MARSEILLE VIVAUX", "country_code": "FRA"}])
    return build_race_plan(races, reunions, DAY, planned_at=datetime(2026, 1, 18, 8, tzinfo=UTC))


def _card(start: datetime, runners: int) -> pd.DataFrame:
    race = WebRace(
        "zeturf",
        DAY,
        "MARSEILLE VIVAUX",
        "Prix d'Angers",
        5,
        6,
        start,
        "ATTELE",
        2650,
        22000.0,
        tuple(WebRunner(n, f"H{n}") for n in range(1, runners + 1)),
    )
    return cards_frame([(race, "web/zeturf/2026-01-18/R5C6.html", datetime(2026, 1, 18, 9, tzinfo=UTC))])


def test_agreement_is_recorded():
    checked = compare(
        _plan(datetime(2026, 1, 18, 18, 5, tzinfo=UTC)), _card(datetime(2026, 1, 18, 18, 6, tzinfo=UTC), 14)
    )
    assert bool(checked.loc[0, "zeturf_agrees"]) and pd.isna(checked.loc[0, "geny_agrees"])
    assert disagreeing(checked) == []


def test_disagreement_on_start_and_runners_is_noted():
    checked = compare(
        _plan(datetime(2026, 1, 18, 18, 5, tzinfo=UTC)), _card(datetime(2026, 1, 18, 18, 20, tzinfo=UTC), 13)
    )
    assert checked.loc[0, "zeturf_agrees"] == False  # noqa: E712
    assert disagreeing(checked) == [
        "2026-01-18-R5C6: zeturf: start differs by 15 min; 13 runners vs 14 at PMU"
    ]


def test_missing_pmu_start_is_filled_from_the_web_source():
    checked = compare(_plan(None), _card(datetime(2026, 1, 18, 18, 5, tzinfo=UTC), 14))
    assert checked.loc[0, "start_utc"] == pd.Timestamp("2026-01-18T18:05Z")
    assert checked.loc[0, "start_source"] == "zeturf"


def test_unofficial_result_from_the_geny_page(html_samples: Path):
    name = "geny_arrivee_rapports_2024-09-02_craon.html"
    page = parse_geny_arrivee((html_samples / name).read_bytes(), name)
    result, dividends = result_from_geny(
        "2024-09-02-R1C1", page, resulted_at=datetime(2024, 9, 2, 12, tzinfo=UTC)
    )
    row = result.iloc[0]
    assert not row["official"] and row["source"] == "geny"
    assert row["arrival_order"][:5] == [7, 1, 5, 9, 16]
    winner = dividends[dividends["bet_type"] == "SIMPLE_GAGNANT"].iloc[0]
    assert (winner["combination"], winner["dividend_per_eur"]) == ("7 Gagnant", 11.3)
    quinte = dividends[
        dividends["combination"].str.contains("sordre") & (dividends["bet_type"] == "QUINTE_PLUS")
    ]
    assert quinte["dividend_per_eur"].tolist() == [275.2]  # 550,40 EUR for a 2 EUR base stake
