"""Programme and reunion payloads: values read by hand from the real captures."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hippique_assets.pmu import parsers
from hippique_assets.racing.keys import race_key


@cache
def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _load(pmu_samples: Path, name: str) -> Any:
    return json.loads(_text(pmu_samples / name))


def _race(races: pd.DataFrame, reunion: int, course: int) -> pd.Series:
    rows = races[(races["reunion"] == reunion) & (races["course"] == course)]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.mark.parametrize(
    ("name", "day", "n_reunions", "n_races"),
    [
        ("programme_01012018.json", date(2018, 1, 1), 5, 36),
        ("programme_23032026.json", date(2026, 3, 23), 6, 47),
        ("programme_30032025.json", date(2025, 3, 30), 11, 67),
        ("trimmed_07072026_programme.json", date(2026, 7, 7), 1, 2),
    ],
)
def test_programme_counts_and_keys(
    pmu_samples: Path, name: str, day: date, n_reunions: int, n_races: int
) -> None:
    parsed = parsers.parse_programme(_load(pmu_samples, name), day)
    assert len(parsed.reunions) == n_reunions
    assert len(parsed.races) == n_races
    assert parsed.reunions["n_races"].sum() == n_races
    assert (parsed.races["race_date"] == day).all() and (parsed.reunions["race_date"] == day).all()
    expected_keys = [
        race_key(day, int(r), int(c))
        for r, c in zip(parsed.races["reunion"], parsed.races["course"], strict=True)
    ]
    assert parsed.races["race_key"].tolist() == expected_keys
    assert parsed.races["race_key"].is_unique
    assert not parsed.races.duplicated(["reunion", "course"]).any()


def test_dst_day_auteuil_start_and_offsets(pmu_samples: Path) -> None:
    races = parsers.parse_programme(_load(pmu_samples, "programme_30032025.json"), date(2025, 3, 30)).races
    auteuil = _race(races, 1, 1)
    assert auteuil["name"] == "PRIX GEOGRAPHIE"
    assert auteuil["start_utc"] == pd.Timestamp("2025-03-30T11:58:00Z")
    assert auteuil["start_paris"] == pd.Timestamp("2025-03-30T13:58:00")
    assert auteuil["discipline"] == "HAIE" and auteuil["distance_m"] == 3000
    assert auteuil["prize_eur"] == 62000.0
    assert auteuil["duration_s"] == 220.24
    assert auteuil["going"] == "Collant" and auteuil["going_value"] == 4.3
    assert auteuil["incidents"] == "ARRETE:1,7;TOMBE:5"
    assert auteuil["arrival_order"] == [9, 3, 4, 2, 8, 6]
    # The clocks went forward that night: every race of the day is two hours ahead of UTC.
    assert (races["timezone_offset_s"] == 7200).all()
    shift = races["start_paris"] - races["start_utc"].dt.tz_localize(None)
    assert (shift == timedelta(hours=2)).all()


def test_winter_day_is_one_hour_ahead(pmu_samples: Path) -> None:
    races = parsers.parse_programme(_load(pmu_samples, "programme_01012018.json"), date(2018, 1, 1)).races
    shift = races["start_paris"] - races["start_utc"].dt.tz_localize(None)
    assert (shift == timedelta(hours=1)).all()
    first = _race(races, 1, 1)
    assert first["start_paris"] == pd.Timestamp("2018-01-01T13:07:00")


def test_pau_r3c1_arrival_and_facts(pmu_samples: Path) -> None:
    parsed = parsers.parse_programme(_load(pmu_samples, "programme_01012018.json"), date(2018, 1, 1))
    pau = _race(parsed.races, 3, 1)
    assert pau["name"] == "PRIX DE GOURETTE"
    assert pau["arrival_order"] == [6, 4, 5, 2, 3, 1, 7]
    assert pau["arrival_ranks"] == [1, 2, 3, 4, 5, 6, 7]
    assert pau["discipline"] == "PLAT" and pau["distance_m"] == 1500 and pau["n_declared"] == 7
    assert pau["prize_eur"] == 18000.0
    assert pau["non_runners"] == [] and pau["incidents"] is None
    reunion = parsed.reunions.set_index("reunion").loc[3]
    assert reunion["hippodrome_name"] == "PAU" and reunion["country_code"] == "FRA"
    assert reunion["disciplines"] == ["PLAT", "OBSTACLE"]


def test_dead_heat_shares_a_rank_and_the_next_rank_is_skipped(pmu_samples: Path) -> None:
    races = parsers.parse_programme(_load(pmu_samples, "programme_30032025.json"), date(2025, 3, 30)).races
    race = _race(races, 7, 4)
    assert race["arrival_order"] == [13, 15, 10, 12, 8, 4, 14, 6, 9, 11, 16, 1, 3, 7, 5, 2]
    assert race["arrival_ranks"] == [1, 2, 3, 4, 5, 6, 7, 8, 8, 10, 11, 12, 13, 14, 15, 16]


def test_flatten_arrival_shapes() -> None:
    assert parsers.flatten_arrival([[10], [6, 9], [3]], "x") == ([10, 6, 9, 3], [1, 2, 2, 4])
    assert parsers.flatten_arrival([], "x") == (None, None)
    assert parsers.flatten_arrival(None, "x") == (None, None)
    with pytest.raises(parsers.PmuParseError, match="twice"):
        parsers.flatten_arrival([[1], [1]], "x")


def test_pre_race_day_keeps_foreign_reunions_and_has_no_arrival(pmu_samples: Path) -> None:
    parsed = parsers.parse_programme(_load(pmu_samples, "programme_23032026.json"), date(2026, 3, 23))
    countries = dict(zip(parsed.reunions["reunion"], parsed.reunions["country_code"], strict=True))
    assert countries == {1: "FRA", 2: "FRA", 3: "FRA", 4: "FRA", 5: "CHL", 6: "ARG"}
    assert parsed.reunions.set_index("reunion").loc[4, "region"] == "REGION_NORD"
    assert parsed.races["arrival_order"].isna().all()
    assert set(parsed.races["discipline"]) == {"PLAT", "ATTELE", "HAIE", "STEEPLECHASE", "MONTE"}
    palermo = _race(parsed.races, 6, 12)  # foreign race numbers need not start at 1
    assert palermo["start_paris"] == pd.Timestamp("2026-03-23T23:30:00")


def test_reunion_payload_vincennes(pmu_samples: Path) -> None:
    parsed = parsers.parse_reunion(_load(pmu_samples, "reunion_01012024_R1.json"), date(2024, 1, 1))
    reunion = parsed.reunions.iloc[0]
    assert reunion["hippodrome_code"] == "VIN" and reunion["n_races"] == 7
    assert reunion["meteo_label"] == "Couvert" and reunion["temperature_c"] == 9.0
    assert reunion["wind_speed_kmh"] == 18.0 and reunion["wind_direction"] == "SO"
    assert reunion["meteo_forecast_at"] == pd.Timestamp("2024-01-01T07:45:00Z")
    race = _race(parsed.races, 1, 1)
    assert race["name"] == "PRIX DE GRETZ" and race["discipline"] == "MONTE"
    assert race["arrival_order"] == [10, 6, 9, 7, 4, 11]
    assert race["non_runners"] == [3]
    assert "DISQUALIFIE_POUR_ALLURE_IRREGULIERE:1,2,5,8,12,13" in race["incidents"]
    assert race["duration_s"] == 172.14
    assert bool(race["arrival_final"]) and pd.isna(race["rapports_available"])  # key absent in 2024


def test_cagnes_reunion_is_obstacle(pmu_samples: Path) -> None:
    parsed = parsers.parse_reunion(_load(pmu_samples, "reunion_01012024_R2.json"), date(2024, 1, 1))
    assert parsed.reunions.iloc[0]["hippodrome_name"] == "CAGNES/MER"
    assert set(parsed.races["specialite"]) == {"OBSTACLE"}
    assert (parsed.races["reunion"] == 2).all() and len(parsed.races) == 7


def test_race_date_is_the_requested_day_not_programme_date(pmu_samples: Path) -> None:
    # On October change days programme.date + timezoneOffset falls on the previous day at 23:00;
    # the parser never reads programme.date, so a shifted one changes nothing.
    payload = copy.deepcopy(_load(pmu_samples, "programme_30032025.json"))
    payload["programme"]["date"] -= 3600000 * 2
    races = parsers.parse_programme(payload, date(2025, 3, 30)).races
    assert set(races["race_date"]) == {date(2025, 3, 30)}
    assert races["race_key"].str.startswith("2025-03-30-").all()


def test_inconsistent_course_offset_is_an_error(pmu_samples: Path) -> None:
    payload = copy.deepcopy(_load(pmu_samples, "programme_30032025.json"))
    payload["programme"]["reunions"][0]["courses"][0]["timezoneOffset"] = 3600000
    with pytest.raises(
        parsers.PmuParseError, match=r"R1C1: heureDepart 1743335880000 \+ timezoneOffset 3600000"
    ):
        parsers.parse_programme(payload, date(2025, 3, 30))


def test_race_refs_sorted_by_start(pmu_samples: Path) -> None:
    refs = parsers.race_refs(_load(pmu_samples, "programme_23032026.json"), date(2026, 3, 23))
    assert len(refs) == 47
    assert [r.start_utc for r in refs] == sorted(r.start_utc for r in refs)
    first = refs[0]
    assert (first.reunion, first.course, first.race_key) == (2, 1, "2026-03-23-R2C1")
    assert first.start_utc == datetime(2026, 3, 23, 10, 5, tzinfo=UTC)
    assert first.discipline == "PLAT"
    one = parsers.race_refs(_load(pmu_samples, "reunion_01012024_R2.json"), date(2024, 1, 1))
    assert [r.course for r in one] == [1, 2, 3, 4, 5, 6, 7]
    assert {r.status for r in one} == {"ARRIVEE_DEFINITIVE_COMPLETE"}


def test_bet_types_lose_the_e_prefix(pmu_samples: Path) -> None:
    races = parsers.parse_programme(_load(pmu_samples, "programme_01012018.json"), date(2018, 1, 1)).races
    bet_types = _race(races, 1, 1)["bet_types"]
    assert bet_types == [
        "SIMPLE_GAGNANT",
        "SIMPLE_PLACE",
        "REPORT_PLUS",
        "COUPLE_ORDRE",
        "TRIO_ORDRE",
        "SUPER_QUATRE",
    ]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda p: p.pop("programme"), r"programme 2025-03-30: missing required key 'programme'"),
        (lambda p: p["programme"].pop("reunions"), r"missing required key 'reunions'"),
        (lambda p: p["programme"]["reunions"][1].pop("numOfficiel"), r"missing required key 'numOfficiel'"),
        (
            lambda p: p["programme"]["reunions"][1]["courses"][0].pop("numOrdre"),
            r"R2: missing required key 'numOrdre'",
        ),
        (
            lambda p: p["programme"]["reunions"][0]["courses"][3].pop("discipline"),
            r"R1C4: missing required key",
        ),
        (
            lambda p: p["programme"]["reunions"][0]["courses"][0].update(distanceUnit="MILE"),
            r"R1C1: distanceUnit",
        ),
        (lambda p: p["programme"]["reunions"][0]["courses"][0].update(numReunion=4), r"numReunion 4"),
        (lambda p: p["programme"]["reunions"].append(p["programme"]["reunions"][0]), r"R1 listed twice"),
        (
            lambda p: p["programme"]["reunions"][0]["courses"][0].update(distance="loin"),
            r"'distance' should be",
        ),
    ],
)
def test_broken_programmes_raise_named_errors(pmu_samples: Path, mutate: Any, message: str) -> None:
    payload = copy.deepcopy(_load(pmu_samples, "programme_30032025.json"))
    mutate(payload)
    with pytest.raises(parsers.PmuParseError, match=message):
        parsers.parse_programme(payload, date(2025, 3, 30))


def test_reunion_parser_rejects_a_whole_programme(pmu_samples: Path) -> None:
    with pytest.raises(parsers.PmuParseError, match="numOfficiel"):
        parsers.parse_reunion(_load(pmu_samples, "programme_01012018.json"), date(2018, 1, 1))
