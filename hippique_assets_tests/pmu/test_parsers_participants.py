"""Participants payloads, horse identity and odds snapshots, against the real captures."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hippique_assets.pmu import parsers
from hippique_assets.pmu.schema.live_odds import ODDS_SNAPSHOTS
from hippique_assets.storage.tables import column_names


@cache
def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _load(pmu_samples: Path, name: str) -> Any:
    return json.loads(_text(pmu_samples / name))


def _by_number(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("number")


def _arrival(frame: pd.DataFrame) -> list[int]:
    ranked = frame.dropna(subset=["finish_rank"]).sort_values(["finish_rank", "number"])
    return [int(n) for n in ranked["number"]]


def test_pau_r3c1_matches_the_programme_arrival(pmu_samples: Path) -> None:
    day = date(2018, 1, 1)
    parsed = parsers.parse_participants(_load(pmu_samples, "participants_01012018_R3C1.json"), day, 3, 1)
    runners = parsed.participants
    assert len(runners) == 7 and len(parsed.horses) == 7
    assert _arrival(runners) == [6, 4, 5, 2, 3, 1, 7]
    races = parsers.parse_programme(_load(pmu_samples, "programme_01012018.json"), day).races
    programme = races[races["race_key"] == "2018-01-01-R3C1"].iloc[0]
    assert _arrival(runners) == programme["arrival_order"]
    by = _by_number(runners)
    assert by.loc[6, "horse_name"] == "VITABELLA" and by.loc[6, "finish_rank"] == 1
    assert by.loc[6, "jockey"] == "M.FOREST" and by.loc[6, "draw"] == 2
    # handicapPoids 580 tenths = 58 kg; poidsConditionMonte 535 = 53.5 kg after allowance.
    assert by.loc[6, "weight_kg"] == 58.0 and by.loc[7, "weight_kg"] == 56.0
    assert by.loc[3, "weight_carried_kg"] == 53.5 and pd.isna(by.loc[6, "weight_carried_kg"])
    # gainsCarriere 890000 centimes.
    assert by.loc[6, "earnings_career_eur"] == 8900.0
    assert by.loc[6, "odds_direct"] == 2.9 and by.loc[6, "odds_reference"] == 3.0
    assert by.loc[3, "odds_direct_at"] == pd.Timestamp(1514807657000, unit="ms", tz="UTC")
    assert by.loc[1, "musique"] == "(17)0p4p8p5p7p6p"
    assert by.loc[7, "musique"] == "Inédite"  # text kept verbatim, accents included
    assert by.loc[3, "distance_to_previous"] == "1 longueur 1/4"
    assert by.loc[1, "blinkers"] == "OEILLERES_CLASSIQUE"
    assert not runners["non_runner"].any()
    # No idCheval in 2018: derived keys, all distinct, none of them the bare name.
    assert runners["horse_id"].str.startswith("d:").all() and runners["horse_id"].is_unique
    assert set(parsed.horses["horse_id_source"]) == {"derived"}
    assert set(parsed.horses["birth_year"]) == {2015}
    horse = parsed.horses.set_index("name").loc["DITES MOI"]
    assert (horse["father"], horse["mother"], horse["mother_father"]) == ("Stormy river", "Minza", "Zamindar")


def test_vincennes_non_runner_disqualified_and_times(pmu_samples: Path) -> None:
    day = date(2024, 1, 1)
    parsed = parsers.parse_participants(_load(pmu_samples, "participants_01012024_R1C1.json"), day, 1, 1)
    runners = parsed.participants
    assert len(runners) == 13
    by = _by_number(runners)
    assert runners["non_runner"].tolist().count(True) == 1
    assert bool(by.loc[3, "non_runner"]) and by.loc[3, "status"] == "NON_PARTANT"
    assert pd.isna(by.loc[3, "odds_direct"]) and pd.isna(by.loc[3, "odds_reference_at"])
    # poidsConditionMonte 0 for the non-runner is unknown, not 0 kg.
    assert pd.isna(by.loc[3, "weight_carried_kg"])
    disqualified = runners[runners["incident"] == "DISQUALIFIE_POUR_ALLURE_IRREGULIERE"]
    assert sorted(disqualified["number"]) == [1, 2, 5, 8, 12, 13]
    assert disqualified["finish_rank"].isna().all() and not disqualified["non_runner"].any()
    assert _arrival(runners) == [10, 6, 9, 7, 4, 11]
    # tempsObtenu 172140 ms; reductionKilometrique 78200 ms per km = 1'18"2.
    assert by.loc[10, "time_s"] == 172.14 and by.loc[10, "reduction_km_s"] == 78.2
    assert by.loc[11, "time_s"] == 180.56 and by.loc[11, "reduction_km_s"] == 82.1
    assert by.loc[4, "shoes"] == "PROTEGE_ANTERIEURS_POSTERIEURS"
    assert (runners["handicap_distance_m"] == 2200).all() and (runners["weight_kg"] == 60.0).all()
    assert by.loc[10, "jockey"] == "A. LAMY" and by.loc[10, "trainer_opinion"] is not None
    assert runners.loc[runners["time_s"].notna(), "number"].tolist() == [4, 6, 7, 9, 10, 11]
    reunion = parsers.parse_reunion(_load(pmu_samples, "reunion_01012024_R1.json"), day).races
    assert _arrival(runners) == reunion.set_index("course").loc[1, "arrival_order"]
    assert reunion.set_index("course").loc[1, "non_runners"] == by.index[by["non_runner"]].tolist()


def test_id_cheval_is_the_horse_key_when_present(pmu_samples: Path) -> None:
    parsed = parsers.parse_participants(
        _load(pmu_samples, "participants_08042026_R3C2.json"), date(2026, 4, 8), 3, 2
    )
    by = _by_number(parsed.participants)
    assert by.loc[1, "horse_id"] == "LOVE IS GOLD-KAZEERA-HAVANA GOLD"
    assert set(parsed.horses["horse_id_source"]) == {"pmu"}
    assert parsed.horses["horse_id"].tolist() == parsed.participants["horse_id"].tolist()
    assert by.loc[1, "odds_direct"] == 3.2 and bool(by.loc[1, "favourite"])
    assert by.loc[1, "odds_direct_at"] == pd.Timestamp("2026-04-08T09:36:35Z")
    assert by.loc[2, "odds_direct"] == 17.0  # served as the integer 17
    assert by.loc[1, "handicap_value"] == 39.0 and by.loc[10, "weight_carried_kg"] == 49.0
    assert by.loc[1, "earnings_career_eur"] == 117007.0
    assert parsed.participants["finish_rank"].isna().all()  # before the race
    horse = parsed.horses.set_index("horse_id").loc["LOVE IS GOLD-KAZEERA-HAVANA GOLD"]
    assert horse["birth_year"] == 2020 and horse["country"] == "France" and horse["coat"] == "ALEZAN"
    assert horse["first_seen"] == date(2026, 4, 8) == horse["last_seen"]


def test_trimmed_participants_ranks_and_weights(pmu_samples: Path) -> None:
    parsed = parsers.parse_participants(
        _load(pmu_samples, "trimmed_07072026_participants.json"), date(2026, 7, 7), 1, 1
    )
    by = _by_number(parsed.participants)
    assert by["finish_rank"].tolist() == [2, 5, 3]
    assert by["weight_kg"].tolist() == [57.0, 54.5, 53.0]
    assert by["weight_carried_kg"].tolist() == [57.5, 55.0, 53.5]
    assert by.loc[1, "distance_to_previous"] == "Courte encolure"


def _runner_payload(pmu_samples: Path) -> dict:
    return copy.deepcopy(_load(pmu_samples, "participants_01012018_R3C1.json"))


def _id_of(payload: dict, day: date, number: int = 6) -> str:
    frame = parsers.parse_participants(payload, day, 3, 1).participants
    return str(_by_number(frame).loc[number, "horse_id"])


def test_derived_horse_key_is_stable_and_not_name_only(pmu_samples: Path) -> None:
    day = date(2018, 1, 1)
    base = _id_of(_runner_payload(pmu_samples), day)
    assert base == _id_of(_runner_payload(pmu_samples), day)
    assert base != "VITABELLA" and "VITABELLA" not in base

    # The same horse a year later (one year older), or its name in another case, keeps its key.
    later = _runner_payload(pmu_samples)
    later["participants"][5]["age"] = 4
    assert _id_of(later, date(2019, 1, 1)) == base
    spelled = _runner_payload(pmu_samples)
    spelled["participants"][5]["nom"] = "Vitabella"
    assert _id_of(spelled, day) == base

    # A namesake with another dam, or born another year, is another horse.
    namesake = _runner_payload(pmu_samples)
    namesake["participants"][5]["nomMere"] = "OTHER MARE"
    assert _id_of(namesake, day) != base
    older = _runner_payload(pmu_samples)
    older["participants"][5]["age"] = 5
    assert _id_of(older, day) != base


def test_derived_key_ignores_a_change_of_sex() -> None:
    colt, _ = parsers.derived_horse_id(
        "LOTUS ZEN", 2021, "SAXO DE VANDEL", "ROSE", race_key="2024-01-01-R1C1"
    )
    assert (
        colt == parsers.horse_identity(None, "LOTUS ZEN", 2021, "SAXO DE VANDEL", "ROSE", race_key="other")[0]
    )
    assert parsers.normalise_name("Pontchâteau") == parsers.normalise_name("PONTCH?TEAU") == "PONTCH?TEAU"
    assert parsers.normalise_name("  l'enjoleur ") == "L ENJOLEUR"


def test_horse_without_age_or_parents_gets_a_race_scoped_key(pmu_samples: Path) -> None:
    payload = _runner_payload(pmu_samples)
    for key in ("age", "nomPere", "nomMere"):
        payload["participants"][5].pop(key)
    in_r3c1 = parsers.parse_participants(payload, date(2018, 1, 1), 3, 1)
    in_r3c2 = parsers.parse_participants(payload, date(2018, 1, 1), 3, 2)
    first = _by_number(in_r3c1.participants).loc[6, "horse_id"]
    assert first.startswith("u:")
    assert first != _by_number(in_r3c2.participants).loc[6, "horse_id"]
    assert in_r3c1.horses.set_index("horse_id").loc[first, "horse_id_source"] == "race"


def test_two_runners_resolving_to_one_horse_is_an_error(pmu_samples: Path) -> None:
    payload = _runner_payload(pmu_samples)
    twin = copy.deepcopy(payload["participants"][5])
    twin["numPmu"] = 8
    payload["participants"].append(twin)
    with pytest.raises(parsers.PmuParseError, match="runners 6 and 8 resolve to the same horse"):
        parsers.parse_participants(payload, date(2018, 1, 1), 3, 1)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda p: p.pop("participants"),
            r"participants 2018-01-01-R3C1: missing required key 'participants'",
        ),
        (lambda p: p["participants"][2].pop("numPmu"), r"R3C1: missing required key 'numPmu'"),
        (lambda p: p["participants"][2].pop("nom"), r"R3C1 runner 3: missing required key 'nom'"),
        (lambda p: p["participants"][2].update(numPmu=1), r"runner number 1 listed twice"),
        (lambda p: p["participants"][2].update(age="trois"), r"runner 3: 'age' should be an integer"),
        (
            lambda p: p["participants"][2]["dernierRapportDirect"].update(rapport="x"),
            r"dernierRapportDirect.rapport",
        ),
        (lambda p: p.update(participants={}), r"'participants' should be an array"),
    ],
)
def test_broken_participants_raise_named_errors(pmu_samples: Path, mutate: Any, message: str) -> None:
    payload = _runner_payload(pmu_samples)
    mutate(payload)
    with pytest.raises(parsers.PmuParseError, match=message):
        parsers.parse_participants(payload, date(2018, 1, 1), 3, 1)


def test_odds_snapshot_rows(pmu_samples: Path) -> None:
    runners = parsers.parse_participants(
        _load(pmu_samples, "participants_01012024_R1C1.json"), date(2024, 1, 1), 1, 1
    ).participants
    paris = timezone(timedelta(hours=1))
    snap = parsers.odds_snapshot(runners, "h5", datetime(2024, 1, 1, 13, 20, tzinfo=paris))
    assert list(snap.columns) == column_names(ODDS_SNAPSHOTS)
    assert parsers.frame_problems(snap, ODDS_SNAPSHOTS) == []
    assert len(snap) == 13 and set(snap["phase"]) == {"h5"}
    assert set(snap["captured_at"]) == {pd.Timestamp("2024-01-01T12:20:00Z")}
    by = _by_number(snap)
    assert by.loc[10, "odds_direct"] == 5.8 and by.loc[10, "odds_reference"] == 6.2
    assert bool(by.loc[3, "non_runner"]) and pd.isna(by.loc[3, "odds_direct"])
    assert by.loc[10, "horse_id"] == _by_number(runners).loc[10, "horse_id"]
    assert set(snap["race_key"]) == {"2024-01-01-R1C1"}


def test_odds_snapshot_rejects_bad_arguments(pmu_samples: Path) -> None:
    runners = parsers.parse_participants(
        _load(pmu_samples, "participants_08042026_R3C2.json"), date(2026, 4, 8), 3, 2
    ).participants
    with pytest.raises(ValueError, match="no timezone"):
        parsers.odds_snapshot(runners, "h30", datetime(2026, 4, 8, 12, 0))
    with pytest.raises(ValueError, match="phase"):
        parsers.odds_snapshot(runners, " ", datetime(2026, 4, 8, 12, 0, tzinfo=UTC))
    with pytest.raises(ValueError, match="odds_direct"):
        parsers.odds_snapshot(runners.drop(columns=["odds_direct"]), "h30", datetime(2026, 4, 8, tzinfo=UTC))
    empty = parsers.odds_snapshot(runners.iloc[0:0], "h30", datetime(2026, 4, 8, tzinfo=UTC))
    assert empty.empty and parsers.frame_problems(empty, ODDS_SNAPSHOTS) == []


def test_horse_ids_by_number(pmu_samples: Path) -> None:
    runners = parsers.parse_participants(
        _load(pmu_samples, "participants_08042026_R3C2.json"), date(2026, 4, 8), 3, 2
    ).participants
    mapping = parsers.horse_ids_by_number(runners)
    assert mapping[9] == "KALAFA-KALAHANA-DARIYAN" and len(mapping) == 10
    other = runners.assign(race_key="2026-04-08-R3C3")
    with pytest.raises(ValueError, match="one race"):
        parsers.horse_ids_by_number(pd.concat([runners, other]))
