"""A bad value costs only its unit: the cases found on real-shaped input, one test each.

Each payload is parsed as the table assets parse it (a :class:`Batch`, then validated frames) or
through the frame functions with ``rejected``; the bad value's unit is left out with a typed
rejection naming its field, and everything else is kept.
"""

from __future__ import annotations

import copy
import json
import math
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hippique_assets.pmu import parsers
from hippique_assets.pmu.batch import Batch
from hippique_assets.pmu.parse_common import PmuParseError, as_float, as_instant, as_int, parse_error
from hippique_assets.pmu.parse_participants import participants_rows
from hippique_assets.pmu.parse_performances import performances_rows
from hippique_assets.pmu.parse_programme import programme_rows
from hippique_assets.pmu.parse_rapports import rapports_rows
from hippique_assets.pmu.schema.live_odds import ODDS_SNAPSHOTS
from hippique_assets.pmu.schema.participants import HORSES, PARTICIPANTS
from hippique_assets.pmu.schema.performances import PERFORMANCES
from hippique_assets.pmu.schema.programme import RACES, REUNIONS
from hippique_assets.pmu.schema.rapports import BETS, DIVIDENDS
from hippique_assets.pmu.units import decimal_comma, epoch_ms_to_utc
from hippique_assets.pmu.validation import Rejection, validate_rows

DST_DAY = date(2025, 3, 30)
PROGRAMME = "programme_30032025.json"
TRIMMED = date(2026, 7, 7)


def _load(pmu_samples: Path, name: str) -> Any:
    return json.loads((pmu_samples / name).read_text(encoding="utf-8"))


def _programme_batch(payload: dict, day: date = DST_DAY) -> tuple[Batch, dict]:
    batch = Batch("programme", (REUNIONS, RACES))
    assert batch.add(day, None, programme_rows, payload, day)
    return batch, batch.frames(day)


def _course(payload: dict, reunion: int, course: int) -> dict:
    return payload["programme"]["reunions"][reunion]["courses"][course]


def _only(rejections: list[Rejection]) -> Rejection:
    assert len(rejections) == 1, rejections
    return rejections[0]


@pytest.fixture
def programme(pmu_samples: Path) -> dict:
    return _load(pmu_samples, PROGRAMME)


# --- programme: a race, or a reunion, costs itself ------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("numOrdre", 0, "'numOrdre' should be 1 to 99, got 0"),
        ("heureDepart", 10**20, "'heureDepart' epoch milliseconds 1e+20 fall outside"),
        ("heureDepart", 2 * 10**14, "fall outside the years 1678 to 2261"),
        ("timezoneOffset", 10**20, "timezoneOffset"),
        ("ordreArrivee", [[3], [None]], "'ordreArrivee' has a null place"),
        ("penetrometre", {"valeurMesure": {"a": 1}}, "penetrometre.valeurMesure"),
        ("incidents", [{"type": "DAI", "numeroParticipants": 5}], "'incidents.numeroParticipants' should be"),
        ("paris", [{"typePari": {"a": 1}}], "'paris.typePari' should be short text"),
        ("discipline", ["PLAT"], "'discipline' should be text"),
        ("montantPrix", 10**400, "'montantPrix' is out of range for a number"),
    ],
)
def test_a_bad_value_of_a_race_costs_that_race_only(
    programme: dict, key: str, value: Any, problem: str
) -> None:
    total = sum(len(r["courses"]) for r in programme["programme"]["reunions"])
    broken = copy.deepcopy(programme)
    _course(broken, 0, 1)[key] = value
    batch, frames = _programme_batch(broken)
    rejection = _only(batch.rejections)
    assert problem in rejection.reason
    assert rejection.field is not None and key.split(".")[0] in rejection.field
    assert len(frames[RACES]) == total - 1
    assert len(frames[REUNIONS]) == len(programme["programme"]["reunions"])
    assert "2025-03-30-R1C2" not in set(frames[RACES]["race_key"])


def test_the_race_rejection_names_the_race_where_it_can(programme: dict) -> None:
    _course(programme, 0, 1)["heureDepart"] = 10**20
    batch, _ = _programme_batch(programme)
    rejection = _only(batch.rejections)
    assert (rejection.race_key, rejection.field, rejection.value) == (
        "2025-03-30-R1C2",
        "heureDepart",
        "1" + "0" * 20,
    )
    assert rejection.reason.startswith("programme 2025-03-30 R1C2: ")


def test_the_programme_frame_function_leaves_a_bad_race_out_when_asked(programme: dict) -> None:
    _course(programme, 0, 1)["numOrdre"] = 0
    with pytest.raises(PmuParseError, match="'numOrdre' should be 1 to 99, got 0"):
        parsers.parse_programme(programme, DST_DAY)
    rejected: list[Rejection] = []
    races = parsers.parse_programme(programme, DST_DAY, rejected=rejected).races
    assert len(races) == 66 and _only(rejected).field == "numOrdre"


def test_the_programme_assets_error_list_still_gets_every_unit(programme: dict) -> None:
    """The programme asset passes ``race_errors`` and rejects what it receives itself."""
    _course(programme, 0, 1)["numOrdre"] = 0
    programme["programme"]["reunions"][2]["numOfficiel"] = "R3"
    errors: list[PmuParseError] = []
    rows = programme_rows(programme, DST_DAY, race_errors=errors)
    assert [e.field for e in errors] == ["numOrdre", "numOfficiel"]
    assert rows.rejected == []
    assert not any(r["reunion"] == 3 for r in rows[RACES])


def test_a_bad_reunion_header_costs_its_row_and_keeps_its_races(programme: dict) -> None:
    reunion = programme["programme"]["reunions"][1]
    reunion["meteo"]["datePrevision"] = math.nan
    batch, frames = _programme_batch(programme)
    rejection = _only(batch.rejections)
    assert rejection.field == "meteo.datePrevision" and "finite" in rejection.reason
    assert 2 not in set(frames[REUNIONS]["reunion"])
    assert (frames[RACES]["reunion"] == 2).sum() == len(reunion["courses"])


@pytest.mark.parametrize(
    ("key", "value"), [("numOfficiel", "R2"), ("numOfficiel", 0), ("courses", {"C1": {}})]
)
def test_an_unidentified_reunion_costs_its_races_and_keeps_the_others(
    programme: dict, key: str, value: Any
) -> None:
    reunions = programme["programme"]["reunions"]
    lost = len(reunions[1]["courses"])
    total = sum(len(r["courses"]) for r in reunions)
    reunions[1][key] = value
    batch, frames = _programme_batch(programme)
    assert _only(batch.rejections).field == key
    assert len(frames[REUNIONS]) == len(reunions) - 1
    assert len(frames[RACES]) == total - lost


def test_a_race_listed_twice_is_left_out_both_times(programme: dict) -> None:
    courses = programme["programme"]["reunions"][0]["courses"]
    courses.append(copy.deepcopy(courses[0]))
    batch, frames = _programme_batch(programme)
    assert [(r.race_key, r.field) for r in batch.rejections] == [("2025-03-30-R1C1", "numOrdre")] * 2
    assert "2025-03-30-R1C1" not in set(frames[RACES]["race_key"])
    assert len(frames[RACES]) == 66


# --- participants: a runner costs itself -----------------------------------------------------


def test_a_nan_odds_instant_costs_its_runner_and_every_race_keeps_its_runners(pmu_samples: Path) -> None:
    first = _load(pmu_samples, "participants_01012024_R1C1.json")
    second = _load(pmu_samples, "participants_08042026_R3C2.json")
    first["participants"][1]["dernierRapportDirect"]["dateRapport"] = math.nan
    batch = Batch("participants", (PARTICIPANTS, HORSES))
    assert batch.add(date(2024, 1, 1), "2024-01-01-R1C1", participants_rows, first, date(2024, 1, 1), 1, 1)
    assert batch.add(date(2026, 4, 8), "2026-04-08-R3C2", participants_rows, second, date(2026, 4, 8), 3, 2)
    runners = batch.frames(date(2024, 1, 1))[PARTICIPANTS]
    rejection = _only(batch.rejections)
    assert (rejection.race_key, rejection.runner, rejection.field) == (
        "2024-01-01-R1C1",
        2,
        "dernierRapportDirect.dateRapport",
    )
    assert "finite" in rejection.reason and rejection.value == "nan"
    counts = runners.groupby("race_key").size().to_dict()
    assert counts == {"2024-01-01-R1C1": 12, "2026-04-08-R3C2": 10}


def test_a_live_snapshot_keeps_the_runners_around_a_bad_one(pmu_samples: Path) -> None:
    payload = _load(pmu_samples, "participants_08042026_R3C2.json")
    payload["participants"][3]["dernierRapportDirect"]["dateRapport"] = math.nan
    payload["participants"][5]["dernierRapportDirect"]["rapport"] = math.inf
    with pytest.raises(PmuParseError, match=r"runner 4: 'dernierRapportDirect\.dateRapport'"):
        parsers.parse_participants(payload, date(2026, 4, 8), 3, 2)
    rejected: list[Rejection] = []
    runners = parsers.parse_participants(payload, date(2026, 4, 8), 3, 2, rejected=rejected).participants
    assert sorted((r.runner, r.field) for r in rejected) == [
        (4, "dernierRapportDirect.dateRapport"),
        (6, "odds_direct"),
    ]
    snapshot = parsers.odds_snapshot(runners, "h5", datetime(2026, 4, 8, 12, tzinfo=UTC))
    assert sorted(snapshot["number"]) == [1, 2, 3, 5, 7, 8, 9, 10]
    assert parsers.frame_problems(snapshot, ODDS_SNAPSHOTS) == []


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("dernierRapportDirect", "5.2", "dernierRapportDirect"),
        (
            "dernierRapportReference",
            {"rapport": 4.0, "dateRapport": 10**400},
            "dernierRapportReference.dateRapport",
        ),
        ("age", "²", "age"),
        ("idCheval", {"id": 1}, "idCheval"),
        ("handicapPoids", 10**400, "handicapPoids"),
    ],
)
def test_a_bad_value_of_a_runner_costs_that_runner(
    pmu_samples: Path, key: str, value: Any, field: str
) -> None:
    payload = _load(pmu_samples, "participants_08042026_R3C2.json")
    payload["participants"][2][key] = value
    rows = participants_rows(payload, date(2026, 4, 8), 3, 2)
    error = _only(rows.rejected)  # type: ignore[arg-type]
    assert (error.runner, error.field) == (3, field)
    assert sorted(r["number"] for r in rows[PARTICIPANTS]) == [1, 2, 4, 5, 6, 7, 8, 9, 10]


def test_a_derived_horse_key_needs_a_name_that_is_text(pmu_samples: Path) -> None:
    payload = _load(pmu_samples, "participants_01012018_R3C1.json")
    assert "idCheval" not in payload["participants"][0]
    payload["participants"][0]["nom"] = {"first": "NOT A NAME"}
    rows = participants_rows(payload, date(2018, 1, 1), 3, 1)
    error = _only(rows.rejected)  # type: ignore[arg-type]
    assert (error.runner, error.field) == (1, "nom") and "derive the horse's key" in error.problem
    assert len(rows[PARTICIPANTS]) == 6


def test_two_runners_with_one_number_are_both_left_out(pmu_samples: Path) -> None:
    payload = _load(pmu_samples, "participants_01012018_R3C1.json")
    payload["participants"][2]["numPmu"] = 1
    rows = participants_rows(payload, date(2018, 1, 1), 3, 1)
    assert [(e.runner, e.field) for e in rows.rejected] == [(1, "numPmu"), (1, "numPmu")]
    assert sorted(r["number"] for r in rows[PARTICIPANTS]) == [2, 4, 5, 6, 7]


def test_an_unidentified_runner_costs_the_race(pmu_samples: Path) -> None:
    payload = _load(pmu_samples, "participants_01012018_R3C1.json")
    payload["participants"][2]["numPmu"] = math.nan
    batch = Batch("participants", (PARTICIPANTS, HORSES))
    assert not batch.add(
        date(2018, 1, 1), "2018-01-01-R3C1", participants_rows, payload, date(2018, 1, 1), 3, 1
    )
    rejection = _only(batch.rejections)
    assert (rejection.race_key, rejection.runner, rejection.field) == ("2018-01-01-R3C1", None, "numPmu")


def test_a_runner_number_too_large_for_the_gaps_is_not_the_rejections_runner(pmu_samples: Path) -> None:
    payload = _load(pmu_samples, "participants_01012018_R3C1.json")
    payload["participants"][2]["numPmu"] = 2**63
    batch = Batch("participants", (PARTICIPANTS, HORSES))
    batch.add(date(2018, 1, 1), "2018-01-01-R3C1", participants_rows, payload, date(2018, 1, 1), 3, 1)
    assert len(batch.frames(date(2018, 1, 1))[PARTICIPANTS]) == 6
    rejection = _only(batch.rejections)
    assert (rejection.runner, rejection.field, rejection.value) == (None, "number", str(2**63))


# --- performances and rapports ----------------------------------------------------------------


def _performances(pmu_samples: Path) -> dict:
    past = _load(pmu_samples, "excerpt_05112025_R1C1_performances_coursesCourues0.json")
    entries = [
        {"numPmu": n, "nomCheval": f"H{n}", "coursesCourues": [copy.deepcopy(past)]} for n in (6, 7, 8)
    ]
    return {"participants": entries}


def test_a_runner_the_participants_left_out_costs_only_its_past_races(pmu_samples: Path) -> None:
    rows = performances_rows(_performances(pmu_samples), date(2025, 11, 5), 1, 1, {6: "A", 8: "C"})
    assert sorted(r["horse_id"] for r in rows[PERFORMANCES]) == ["A", "C"]
    error = _only(rows.rejected)  # type: ignore[arg-type]
    assert (error.race_key, error.runner, error.field) == ("2025-11-05-R1C1", 7, "numPmu")


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [("date", math.nan, "date"), ("date", 10**20, "date"), ("tempsDuPremier", 10**400, "tempsDuPremier")],
)
def test_a_bad_past_race_costs_only_itself(pmu_samples: Path, key: str, value: Any, field: str) -> None:
    payload = _performances(pmu_samples)
    payload["participants"][1]["coursesCourues"][0][key] = value
    rows = performances_rows(payload, date(2025, 11, 5), 1, 1, {6: "A", 7: "B", 8: "C"})
    assert sorted(r["horse_id"] for r in rows[PERFORMANCES]) == ["A", "C"]
    error = _only(rows.rejected)  # type: ignore[arg-type]
    assert (error.runner, error.field) == (7, field)


def test_a_bad_dividend_costs_its_bet_and_keeps_the_others(pmu_samples: Path) -> None:
    payload = _load(pmu_samples, "trimmed_07072026_rapports_definitifs.json")
    payload[1]["rapports"][0]["libelle"] = {"deep": [1]}
    rows = rapports_rows(payload, TRIMMED, 1, 1)
    assert [r["bet_type"] for r in rows[BETS]] == ["SIMPLE_GAGNANT"]
    error = _only(rows.rejected)  # type: ignore[arg-type]
    assert (error.race_key, error.field) == ("2026-07-07-R1C1", "libelle")


def test_a_bet_listed_twice_with_different_dividends_is_left_out_both_times(pmu_samples: Path) -> None:
    payload = _load(pmu_samples, "trimmed_07072026_rapports_definitifs.json")
    prefixed = copy.deepcopy(payload[0])
    prefixed["typePari"] = "E_SIMPLE_GAGNANT"
    prefixed["rapports"][0]["dividendePourUnEuro"] = 150
    rows = rapports_rows([*payload, prefixed], TRIMMED, 1, 1)
    assert [r["bet_type"] for r in rows[BETS]] == ["SIMPLE_PLACE"]
    assert [e.value for e in rows.rejected] == ["'SIMPLE_GAGNANT'", "'E_SIMPLE_GAGNANT'"]


def test_a_combination_with_digits_int_cannot_read_is_an_error() -> None:
    with pytest.raises(PmuParseError, match="'5-²' holds '²'"):
        parsers.parse_combination("5-²", "x")


# --- the unit boundary: any error, typed ------------------------------------------------------


def test_any_error_of_a_payload_is_a_rejection_with_its_type_and_message() -> None:
    def broken(*_: Any) -> dict:
        raise ZeroDivisionError("boom")

    batch = Batch("rapports", (BETS, DIVIDENDS))
    assert not batch.add(TRIMMED, "2026-07-07-R1C1", broken)
    rejection = _only(batch.rejections)
    assert rejection.race_key == "2026-07-07-R1C1"
    assert rejection.reason == "rapports 2026-07-07-R1C1: ZeroDivisionError: boom"


@pytest.mark.parametrize("error", [KeyboardInterrupt, SystemExit, MemoryError])
def test_an_interruption_is_not_a_rejection(error: type[BaseException]) -> None:
    def interrupted(*_: Any) -> dict:
        raise error()

    with pytest.raises(error):
        Batch("rapports", (BETS,)).add(TRIMMED, None, interrupted)


def test_a_rejection_can_be_recorded_from_its_error() -> None:
    batch = Batch("programme", (RACES,))
    batch.reject(DST_DAY, None, PmuParseError("programme R1C2", "bad", field="heureDepart", race_key="k"))
    batch.reject(DST_DAY, None, "a reason")
    assert [(r.race_key, r.field, r.reason) for r in batch.rejections] == [
        ("k", "heureDepart", "programme R1C2: bad"),
        (None, None, "a reason"),
    ]


def test_parse_errors_survive_pickling() -> None:
    import pickle

    error = parse_error(OverflowError("too big"), "programme R1C2").at(race_key="k", runner=3)
    again = pickle.loads(pickle.dumps(error))
    assert (str(again), again.race_key, again.runner) == (str(error), "k", 3)


def test_a_value_no_frame_can_hold_costs_its_row_only(pmu_samples: Path, programme: dict) -> None:
    batch, _ = _programme_batch(programme)
    batch.rejections.clear()
    # Past what the rules check: only the frame can say it cannot hold year 3000.
    batch.rows[RACES][0]["start_utc"] = datetime(3000, 1, 1, tzinfo=UTC)
    races = batch.frames(DST_DAY)[RACES]
    assert len(races) == 66
    rejection = _only(batch.rejections)
    assert rejection.race_key == "2025-03-30-R1C1" and "OutOfBounds" in rejection.reason


def test_rejected_rows_are_dated_by_their_own_day(pmu_samples: Path) -> None:
    earlier = _load(pmu_samples, "participants_01012018_R3C1.json")
    later = _load(pmu_samples, "participants_01012024_R1C1.json")
    later["participants"][0]["age"] = -4
    later["participants"][1]["nomPereMere"] = {"a": 1}
    batch = Batch("participants", (PARTICIPANTS, HORSES))
    batch.add(date(2018, 1, 1), "2018-01-01-R3C1", participants_rows, earlier, date(2018, 1, 1), 3, 1)
    batch.add(date(2024, 1, 1), "2024-01-01-R1C1", participants_rows, later, date(2024, 1, 1), 1, 1)
    batch.frames(date(2018, 1, 1))
    assert {(r.race_date, r.field) for r in batch.rejections} == {
        (date(2024, 1, 1), "age"),
        (date(2024, 1, 1), "mother_father"),
    }


@pytest.mark.parametrize(("text", "problem"), [("a\x00b", "NUL"), ("\ud800", "lone surrogate")])
def test_text_postgres_cannot_store_is_rejected(programme: dict, text: str, problem: str) -> None:
    batch, _ = _programme_batch(programme)
    batch.rejections.clear()
    batch.rows[RACES][3]["name"] = text
    assert len(batch.frames(DST_DAY)[RACES]) == 66
    rejection = _only(batch.rejections)
    assert rejection.field == "name" and problem in rejection.reason


# --- the converters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("convert", "value", "problem"),
    [
        (as_int, math.nan, "'k' should be an integer, got nan"),
        (as_int, math.inf, "'k' should be an integer, got inf"),
        (as_int, "²", "'k' should be an integer"),
        (as_int, "1" * 5000, "'k' should be an integer"),
        (as_int, [1], "'k' should be an integer, got [1]"),
        (as_float, 10**400, "'k' is out of range for a number"),
        (as_float, {"a": 1}, "'k' should be a number, got {'a': 1}"),
        (as_instant, math.nan, "'k' should be a finite number of epoch milliseconds, got nan"),
        (as_instant, -math.inf, "'k' should be a finite number"),
        (as_instant, 10**20, "fall outside the years 1678 to 2261"),
        (as_instant, 10**400, "'k' is out of range for a number"),
        (as_instant, "x", "'k' should be a number, got 'x'"),
    ],
)
def test_converters_raise_parse_errors_naming_the_field(convert: Any, value: Any, problem: str) -> None:
    with pytest.raises(PmuParseError) as raised:
        convert(value, "where", "k")
    assert problem in str(raised.value) and raised.value.field == "k"
    assert len(str(raised.value)) < 300


def test_non_finite_numbers_are_left_to_the_column_rules() -> None:
    assert math.isnan(as_float("NaN", "w", "k") or 0.0)
    assert as_float(math.inf, "w", "k") == math.inf


def test_unit_conversions_refuse_what_they_cannot_convert() -> None:
    assert epoch_ms_to_utc(0) == datetime(1970, 1, 1, tzinfo=UTC)
    for bad in (math.nan, 10**20, True, "1"):
        with pytest.raises(ValueError):
            epoch_ms_to_utc(bad)  # type: ignore[arg-type]
    for bad in ({"a": 1}, [4.3], True, 10**400):
        with pytest.raises(ValueError):
            decimal_comma(bad)  # type: ignore[arg-type]


def test_validation_names_the_column_of_a_non_finite_number(pmu_samples: Path) -> None:
    payload = _load(pmu_samples, "participants_08042026_R3C2.json")
    payload["participants"][0]["dernierRapportDirect"]["rapport"] = "NaN"
    rows = participants_rows(payload, date(2026, 4, 8), 3, 2)[PARTICIPANTS]
    kept, rejected = validate_rows(PARTICIPANTS, rows, endpoint="participants", race_date=date(2026, 4, 8))
    assert len(kept) == 9 and [(r.runner, r.field) for r in rejected] == [(1, "odds_direct")]
    assert pd.isna(rows[0]["odds_direct"])
