"""Performances payloads: one past race of the real excerpt, wrapped in the endpoint's envelope."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hippique_assets.pmu import parsers
from hippique_assets.pmu.schema.performances import PERFORMANCES
from hippique_assets.storage.tables import primary_key

DAY = date(2025, 11, 5)


def _past(pmu_samples: Path) -> dict:
    path = pmu_samples / "excerpt_05112025_R1C1_performances_coursesCourues0.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _envelope(*entries: dict) -> dict:
    return {"participants": list(entries)}


def _entry(number: int, past_races: list[dict], **extra: Any) -> dict:
    return {"numPmu": number, "nomCheval": "KING DU PLESSIS", "coursesCourues": past_races, **extra}


def test_one_past_race_in_seconds_and_euros(pmu_samples: Path) -> None:
    frame = parsers.parse_performances(
        _envelope(_entry(6, [_past(pmu_samples)])), DAY, 1, 1, horse_ids={6: "KING DU PLESSIS-X-Y"}
    )
    assert parsers.frame_problems(frame, PERFORMANCES) == []
    assert len(frame) == 1
    row = frame.iloc[0]
    assert row["horse_id"] == "KING DU PLESSIS-X-Y"
    # date 1761951600000 is local midnight of 1 November 2025.
    assert row["past_race_date"] == date(2025, 11, 1)
    assert row["hippodrome"] == "Pontchâteau" and row["race_name"] == "PRIX JEAN-MARIE DAVID (Grp A)"
    assert row["discipline"] == "ATTELE" and row["distance_m"] == 2800 and row["n_runners"] == 13
    assert row["prize_eur"] == 15500.0
    # The horse itself (itsHim) finished 6th in 1'17"5; the winner's 21567 hundredths = 215.67 s.
    assert row["place"] == 6 and row["finish_status"] == "PLACE"
    assert row["jockey"] == "CH. BOISNARD"
    assert row["reduction_km_s"] == 77.5
    assert row["winner_time_s"] == 215.67
    assert row["winner_name"] == "KILIADO BELLO"
    assert row["distance_covered_m"] == 2800
    assert pd.isna(row["jockey_weight_kg"]) and pd.isna(row["draw"])
    assert row["last_seen_date"] == DAY and row["last_seen_race_key"] == "2025-11-05-R1C1"


def test_same_past_race_seen_on_two_days_is_one_row(pmu_samples: Path) -> None:
    past = _past(pmu_samples)
    first = parsers.parse_performances(_envelope(_entry(6, [past], idCheval="K-1")), DAY, 1, 1)
    later = parsers.parse_performances(_envelope(_entry(3, [past], idCheval="K-1")), date(2025, 11, 19), 4, 2)
    key = list(primary_key(PERFORMANCES))
    assert first[key].equals(later[key])
    both = pd.concat([first, later], ignore_index=True).drop_duplicates(subset=key, keep="last")
    assert len(both) == 1
    assert both.iloc[0]["last_seen_race_key"] == "2025-11-19-R4C2"


def test_id_cheval_in_the_entry_identifies_the_horse(pmu_samples: Path) -> None:
    frame = parsers.parse_performances(
        _envelope(_entry(6, [_past(pmu_samples)], idCheval="KDP-A-B")), DAY, 1, 1
    )
    assert frame["horse_id"].tolist() == ["KDP-A-B"]


def test_horse_ids_from_the_race_participants_link_both_tables(pmu_samples: Path) -> None:
    runners = parsers.parse_participants(
        json.loads((pmu_samples / "participants_01012024_R1C1.json").read_text(encoding="utf-8")),
        date(2024, 1, 1),
        1,
        1,
    ).participants
    past = _past(pmu_samples)
    earlier = copy.deepcopy(past)
    earlier["date"] -= 14 * 86_400_000
    payload = _envelope(_entry(10, [past, earlier]), _entry(6, [past]), _entry(3, []))
    frame = parsers.parse_performances(
        payload, date(2024, 1, 1), 1, 1, horse_ids=parsers.horse_ids_by_number(runners)
    )
    assert len(frame) == 3
    ids = runners.set_index("number")["horse_id"]
    assert set(frame["horse_id"]) == {ids[10], ids[6]}
    assert sorted(frame.loc[frame["horse_id"] == ids[10], "past_race_date"]) == [
        date(2025, 10, 18),
        date(2025, 11, 1),
    ]


def test_unidentifiable_runner_is_an_error(pmu_samples: Path) -> None:
    payload = _envelope(_entry(6, [_past(pmu_samples)]))
    with pytest.raises(parsers.PmuParseError, match=r"performances 2025-11-05-R1C1 runner 6: .*'idCheval'"):
        parsers.parse_performances(payload, DAY, 1, 1)
    with pytest.raises(parsers.PmuParseError, match="numPmu 6 is not among the race's participants"):
        parsers.parse_performances(payload, DAY, 1, 1, horse_ids={1: "A"})


def test_missing_optional_keys_are_tolerated(pmu_samples: Path) -> None:
    past = _past(pmu_samples)
    for key in ("participants", "tempsDuPremier", "allocation", "nomPrix", "hippodrome"):
        past.pop(key)
    payload = _envelope(_entry(6, [past], idCheval="K"), {"numPmu": 7, "idCheval": "L"})
    frame = parsers.parse_performances(payload, DAY, 1, 1)
    assert len(frame) == 1
    row = frame.iloc[0]
    assert row["past_race_date"] == date(2025, 11, 1) and row["distance_m"] == 2800
    assert pd.isna(row["place"]) and row["jockey"] is None and pd.isna(row["winner_time_s"])
    assert parsers.frame_problems(frame, PERFORMANCES) == []


def test_past_race_date_on_the_october_change_day(pmu_samples: Path) -> None:
    past = _past(pmu_samples)
    # Local midnight of 26/10/2025 is 22:00 UTC the day before; its timezoneOffset says +1h.
    past["date"] = int(datetime(2025, 10, 25, 22, 0, tzinfo=UTC).timestamp() * 1000)
    frame = parsers.parse_performances(_envelope(_entry(6, [past], idCheval="K")), DAY, 1, 1)
    assert frame.iloc[0]["past_race_date"] == date(2025, 10, 26)


@pytest.mark.parametrize(("served", "kg"), [(58, 58.0), (57.5, 57.5), (575, 57.5), (0, None)])
def test_jockey_weight_in_kilograms_or_tenths(pmu_samples: Path, served: float, kg: float | None) -> None:
    past = _past(pmu_samples)
    past["participants"][5]["poidsJockey"] = served
    frame = parsers.parse_performances(_envelope(_entry(6, [past], idCheval="K")), DAY, 1, 1)
    value = frame.iloc[0]["jockey_weight_kg"]
    assert (pd.isna(value) and kg is None) or value == kg


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda p: p.pop("participants"),
            r"performances 2025-11-05-R1C1: missing required key 'participants'",
        ),
        (
            lambda p: p["participants"][0].update(coursesCourues={"a": 1}),
            r"'coursesCourues' should be an array",
        ),
        (
            lambda p: p["participants"][0]["coursesCourues"][0]["participants"][5].update(poidsJockey=5),
            "poidsJockey",
        ),
        (
            lambda p: p["participants"][0]["coursesCourues"][0]["participants"][0].update(itsHim=True),
            "2 finishers",
        ),
        (
            lambda p: p["participants"][0]["coursesCourues"][0].update(distance="2800m"),
            "'distance' should be",
        ),
        (lambda p: p["participants"].append(7), "participant entry should be an object"),
    ],
)
def test_broken_performances_raise_named_errors(pmu_samples: Path, mutate: Any, message: str) -> None:
    payload = _envelope(_entry(6, [_past(pmu_samples)], idCheval="K"))
    mutate(payload)
    with pytest.raises(parsers.PmuParseError, match=message):
        parsers.parse_performances(payload, DAY, 1, 1)


def test_two_different_past_races_on_one_day_is_an_error(pmu_samples: Path) -> None:
    past = _past(pmu_samples)
    other = copy.deepcopy(past)
    other["hippodrome"] = "Laval"
    payload = _envelope(_entry(6, [past, other], idCheval="K"))
    with pytest.raises(parsers.PmuParseError, match="two different past races on 2025-11-01"):
        parsers.parse_performances(payload, DAY, 1, 1)
    repeated = _envelope(_entry(6, [past, copy.deepcopy(past)], idCheval="K"))
    assert len(parsers.parse_performances(repeated, DAY, 1, 1)) == 1
