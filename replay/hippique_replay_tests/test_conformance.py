"""Generated bodies conform to the shape of the real captures, and agree with each other.

The schema is inferred at test time from the real PMU responses in ``shared/pmu-samples/pmu``:
keys, nesting and value types, null where a capture shows null, optional keys where captures
disagree. Every generated endpoint body must conform (see :mod:`hippique_replay.shape`).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hippique_assets.pmu.parse_participants import horse_ids_by_number, parse_participants
from hippique_assets.pmu.parse_performances import parse_performances
from hippique_assets.pmu.parse_programme import parse_programme, parse_reunion
from hippique_assets.pmu.parse_rapports import parse_rapports
from hippique_replay.generator import GeneratedDay, generate_day
from hippique_replay.shape import Shape, check_conforms, coverage, infer_shape

PARIS = ZoneInfo("Europe/Paris")
SEED = 5
DAYS = (date(2026, 3, 23), date(2026, 3, 29), date(2026, 10, 25))
# The only captured past race lists classified runners; a runner that fell or was disqualified has
# no place and no time (documented as null by third-party descriptions of this endpoint).
PERFORMANCE_NULLABLE = frozenset({"$.participants[].place.place", "$.participants[].reductionKilometrique"})


def _load(folder: Path, pattern: str) -> list:
    files = sorted(folder.glob(pattern))
    assert files, f"no capture matches {pattern} in {folder}"
    return [json.loads(f.read_text(encoding="utf-8")) for f in files]


@pytest.fixture(scope="module")
def shapes(pmu_samples: Path) -> dict[str, Shape]:
    programmes = _load(pmu_samples, "programme_*.json") + _load(pmu_samples, "trimmed_*_programme.json")
    # The reunion endpoint answers one element of programme.reunions: both kinds of capture describe it.
    reunions = _load(pmu_samples, "reunion_*.json") + [
        r for p in programmes for r in p["programme"]["reunions"]
    ]
    return {
        "programme": infer_shape(programmes),
        "reunion": infer_shape(reunions),
        "participants": infer_shape(
            _load(pmu_samples, "participants_*.json") + _load(pmu_samples, "trimmed_*_participants.json")
        ),
        "rapports": infer_shape(_load(pmu_samples, "trimmed_*_rapports_*.json")),
        "past_race": infer_shape(_load(pmu_samples, "excerpt_*_performances_coursesCourues*.json")),
    }


@pytest.fixture(scope="module", params=DAYS, ids=[d.isoformat() for d in DAYS])
def day(request) -> GeneratedDay:
    return generate_day(request.param, seed=SEED)


def _instants(day: GeneratedDay) -> list[datetime | None]:
    d = day.day
    return [
        None,
        datetime(d.year, d.month, d.day, 10, 0, tzinfo=PARIS),
        datetime(d.year, d.month, d.day, 16, 0, tzinfo=PARIS),
    ]


# --- the shape module itself --------------------------------------------------------------------


def test_shape_inference_finds_required_optional_and_nullable_keys() -> None:
    shape = infer_shape([{"a": 1, "b": None, "c": [{"x": 1.5}]}, {"a": 2, "b": "t", "c": [], "d": True}])
    assert shape.required_keys() == {"a", "b", "c"}
    assert shape.optional_keys() == {"d"}
    assert shape.at("b").kinds == {"null", "str"}
    assert shape.at("c[]").required_keys() == {"x"}
    assert check_conforms({"a": 3, "b": None, "c": [{"x": 2}]}, shape) == []  # int where floats were seen
    problems = check_conforms({"a": "3", "c": [{"x": 1.0, "y": 0}], "e": 1}, shape)
    assert problems == [
        "$: missing key 'b'",
        "$.a: str where captures have int",
        "$.c[0]: unknown key 'y'",
        "$: unknown key 'e'",
    ]
    assert check_conforms({"a": 1.5, "b": None, "c": []}, shape) == ["$.a: float where captures have int"]


def test_positions_the_captures_say_nothing_about_accept_anything() -> None:
    shape = infer_shape([{"empty": [], "unknown": None, "value": 1}])
    assert check_conforms({"empty": [{"any": 1}], "unknown": 12.5, "value": 2}, shape) == []
    assert check_conforms({"empty": [], "unknown": None, "value": None}, shape) == [
        "$.value: null where captures have int"
    ]
    assert (
        check_conforms({"empty": [], "unknown": None, "value": None}, shape, nullable=frozenset({"$.value"}))
        == []
    )


def test_every_capture_conforms_to_the_merged_shape(pmu_samples: Path, shapes: dict[str, Shape]) -> None:
    for pattern, kind in (
        ("programme_*.json", "programme"),
        ("reunion_*.json", "reunion"),
        ("participants_*.json", "participants"),
        ("trimmed_*_rapports_*.json", "rapports"),
    ):
        for body in _load(pmu_samples, pattern):
            assert check_conforms(body, shapes[kind]) == []
    # The shapes carry what the captures always have.
    assert {"heureDepart", "timezoneOffset", "numOrdre", "paris", "statut"} <= shapes["programme"].at(
        "programme.reunions[].courses[]"
    ).required_keys()
    assert "ordreArrivee" in shapes["programme"].at("programme.reunions[].courses[]").optional_keys()


# --- generated bodies conform -------------------------------------------------------------------


def test_programme_and_reunions_conform(day: GeneratedDay, shapes: dict[str, Shape]) -> None:
    for as_of in _instants(day):
        programme = day.programme(as_of)
        assert check_conforms(programme, shapes["programme"]) == []
        for reunion in programme["programme"]["reunions"]:
            assert check_conforms(reunion, shapes["reunion"]) == []
            assert day.reunion(reunion["numOfficiel"], as_of) == reunion
    # The final programme shows every kind of course key the real final days show, bar rarities.
    generated = infer_shape([day.programme()])
    missing = set(coverage(shapes["programme"], generated))
    assert "$.programme.reunions[].courses[].ordreArrivee" not in missing
    assert "$.programme.reunions[].courses[].incidents" not in missing


def test_participants_conform(day: GeneratedDay, shapes: dict[str, Shape]) -> None:
    bodies = []
    for as_of in _instants(day):
        for slot in day.races():
            body = day.participants(slot.reunion, slot.course, as_of)
            assert check_conforms(body, shapes["participants"]) == [], (slot, as_of)
            bodies.append(body)
    # Every key the captured runners show somewhere, the generated runners show somewhere too.
    assert coverage(shapes["participants"], infer_shape(bodies)) == []


def test_past_performances_conform(day: GeneratedDay, shapes: dict[str, Shape]) -> None:
    checked = 0
    for slot in day.races():
        body = day.performances(slot.reunion, slot.course)
        if body is None:
            continue
        for entry in body["participants"]:
            assert set(entry) == {"numPmu", "nomCheval", "idCheval", "coursesCourues"}
            for past in entry["coursesCourues"]:
                assert check_conforms(past, shapes["past_race"], nullable=PERFORMANCE_NULLABLE) == []
                assert sum(1 for p in past["participants"] if p["itsHim"]) == 1
                checked += 1
    assert checked > 500


def test_rapports_conform(day: GeneratedDay, shapes: dict[str, Shape]) -> None:
    seen: set[str] = set()
    for slot in day.races():
        body = day.rapports(slot.reunion, slot.course)
        if slot.cancelled:
            assert body is None
            continue
        assert check_conforms(body, shapes["rapports"]) == [], slot
        seen |= {bet["typePari"] for bet in body}
    assert seen == {"SIMPLE_GAGNANT", "SIMPLE_PLACE", "COUPLE_GAGNANT", "COUPLE_PLACE", "TRIO", "QUINTE_PLUS"}


def test_generated_bodies_parse_with_the_project_parsers(day: GeneratedDay) -> None:
    d = day.day
    for as_of in _instants(day):
        tables = parse_programme(day.programme(as_of), d)
        assert len(tables.races) == len(day.races())
        assert len(parse_reunion(day.reunion(1, as_of), d).races) == len(day.reunion(1)["courses"])
    for slot in day.races()[:20]:
        parsed = parse_participants(day.participants(slot.reunion, slot.course), d, slot.reunion, slot.course)
        performances = day.performances(slot.reunion, slot.course)
        if performances is not None:
            rows = parse_performances(
                performances, d, slot.reunion, slot.course, horse_ids_by_number(parsed.participants)
            )
            assert (rows["past_race_date"] < d).all()
        rapports = day.rapports(slot.reunion, slot.course)
        if rapports is not None:
            assert len(parse_rapports(rapports, d, slot.reunion, slot.course).bets) == len(rapports)


# --- agreement between endpoints ----------------------------------------------------------------


def test_programme_arrival_matches_participants_and_rapports(day: GeneratedDay) -> None:
    for reunion in day.programme()["programme"]["reunions"]:
        for course in reunion["courses"]:
            r, c = reunion["numOfficiel"], course["numOrdre"]
            runners = day.participants(r, c)["participants"]
            if course["statut"] == "COURSE_ANNULEE":
                assert "ordreArrivee" not in course and day.rapports(r, c) is None
                continue
            arrival = course["ordreArrivee"]
            ranks: dict[int, list[int]] = {}
            for runner in runners:
                if "ordreArrivee" in runner:
                    ranks.setdefault(runner["ordreArrivee"], []).append(runner["numPmu"])
            assert [sorted(ranks[k]) for k in sorted(ranks)] == [sorted(group) for group in arrival]
            position = 1
            for group in arrival:
                assert sorted(ranks[position]) == sorted(group)
                position += len(group)
            off = {r_["numPmu"] for r_ in runners if "incident" in r_}
            assert not off & {n for group in arrival for n in group}
            incidents = {n for i in course.get("incidents", []) for n in i["numeroParticipants"]}
            assert incidents == off
            assert len(runners) == course["nombreDeclaresPartants"]
            bets = {bet["typePari"]: bet for bet in day.rapports(r, c)}
            assert bets["SIMPLE_GAGNANT"]["rapports"][0]["combinaison"] == str(arrival[0][0])
            assert course["dureeCourse"] > 0


def test_participants_times_and_units(day: GeneratedDay) -> None:
    for slot in day.races():
        runners = day.participants(slot.reunion, slot.course)["participants"]
        for runner in runners:
            if slot.discipline in ("ATTELE", "MONTE"):
                assert runner["handicapDistance"] >= 1600
                if "tempsObtenu" in runner:
                    per_km = runner["tempsObtenu"] / runner["handicapDistance"] * 1000
                    assert abs(per_km - runner["reductionKilometrique"]) <= 60
                    assert 65_000 <= runner["reductionKilometrique"] <= 95_000  # ms per km: 1'05" to 1'35"
            else:
                assert 450 <= runner["handicapPoids"] <= 760  # tenths of a kilogram
                assert "tempsObtenu" not in runner
            gains = runner["gainsParticipant"]["gainsCarriere"]
            assert gains % 100 == 0  # centimes of whole-euro prizes


def test_pre_race_participants_and_programme_hide_results(day: GeneratedDay) -> None:
    d = day.day
    morning = datetime(d.year, d.month, d.day, 10, 0, tzinfo=PARIS)
    later = 0
    for reunion in day.programme(morning)["programme"]["reunions"]:
        for course in reunion["courses"]:
            start = datetime.fromtimestamp(course["heureDepart"] / 1000, tz=UTC)
            if start < morning:  # early foreign meetings (Hong Kong) have already run
                assert "ordreArrivee" in course or course["statut"] == "COURSE_ANNULEE"
                continue
            later += 1
            assert "ordreArrivee" not in course and "incidents" not in course
            assert course["statut"] in ("PROGRAMMEE", "COURSE_ANNULEE")
            runners = day.participants(reunion["numOfficiel"], course["numOrdre"], morning)["participants"]
            assert not [r for r in runners if "ordreArrivee" in r or "tempsObtenu" in r]
    assert later > 40


def test_dst_days_keep_each_course_on_its_own_offset(day: GeneratedDay) -> None:
    for reunion in day.programme()["programme"]["reunions"]:
        assert reunion["timezoneOffset"] == day.programme()["programme"]["timezoneOffset"]
        for course in reunion["courses"]:
            start = datetime.fromtimestamp(course["heureDepart"] / 1000, tz=UTC)
            assert course["timezoneOffset"] == start.astimezone(PARIS).utcoffset() / timedelta(milliseconds=1)
