"""One bad value anywhere in a payload costs only the smallest unit that holds it.

Each example takes the payloads of one endpoint (real captures from the shared samples, or races
of a day of the replay world), changes one value anywhere in one payload's JSON tree (removed,
null, of the wrong type, NaN, infinite, huge, negative, nested, very long text, zero...) and
parses them all together as the table assets do (a :class:`Batch`, validated into typed frames).
Whatever the value:

- nothing raises but typed rejections, each naming its field;
- every other race keeps exactly its rows;
- inside the changed race, every other unit (reunion, race, runner, past race, bet) keeps exactly
  its rows, unless the value identifies the unit (``numPmu``, ``typePari``...) so that the whole
  race, or reunion, has to go;
- the strict frame functions (``parse_*`` without ``rejected``) raise nothing but PmuParseError.

The examples are deterministic (``derandomize``): 45 per test, 405 in all.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Table

from hippique_assets.pmu import parsers
from hippique_assets.pmu.batch import Batch
from hippique_assets.pmu.parse_common import PmuParseError, strip_bet_prefix
from hippique_assets.pmu.parse_participants import participants_rows
from hippique_assets.pmu.parse_performances import performances_rows
from hippique_assets.pmu.parse_programme import programme_rows, reunion_rows
from hippique_assets.pmu.parse_rapports import rapports_rows
from hippique_assets.pmu.schema.participants import HORSES, PARTICIPANTS
from hippique_assets.pmu.schema.performances import PERFORMANCES
from hippique_assets.pmu.schema.programme import RACES, REUNIONS
from hippique_assets.pmu.schema.rapports import BETS, DIVIDENDS
from hippique_assets.pmu.units import PARIS, epoch_ms_to_utc
from hippique_assets.pmu.validation import Rejection
from hippique_assets.racing.keys import race_key

PROPERTIES = settings(
    max_examples=45,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
GENERATED_DAY = date(2026, 3, 23)
GENERATED_SEED = 7
GENERATED_RACES = 3

Path_ = tuple[str | int, ...]


# --- the values put in place of the original one ----------------------------------------------


def _deep(depth: int) -> Any:
    value: Any = [1]
    for _ in range(depth):
        value = {"a": [value]}
    return value


MISSING = "missing"
BAD_VALUES: dict[str, Any] = {
    "null": None,
    "text": "x",
    "empty text": "",
    "bool": True,
    "non-integral": 1.5,
    "nan": math.nan,
    "inf": math.inf,
    "-inf": -math.inf,
    "huge int": 10**20,
    "past int64": 2**63,
    "past float": 10**400,
    "negative": -1,
    "very negative": -(10**6),
    "zero": 0,
    "object": {"a": [1, {"b": None}]},
    "list": [[1, 2], {"c": "d"}],
    "deep": _deep(60),
    "long text": "x" * 100_000,
    "nul text": "a\x00b",
    "lone surrogate": "\ud800",
}
MUTATIONS = [MISSING, *BAD_VALUES]
# Keys the parsers read, added with a bad value to objects that lack them (a capture holds only
# some of the optional ones).
READ_KEYS = (
    "age",
    "allocation",
    "arriveeDefinitive",
    "avisEntraineur",
    "categorieParticularite",
    "codePari",
    "combinaison",
    "corde",
    "datePrevision",
    "dateRapport",
    "deferre",
    "dernierRapportDirect",
    "dernierRapportReference",
    "discipline",
    "disciplinesMere",
    "distance",
    "distanceAvecPrecedent",
    "distanceChevalPrecedent",
    "distanceParcourue",
    "distanceUnit",
    "dividende",
    "dividendePourUnEuro",
    "dividendePourUneMiseDeBase",
    "driver",
    "driverChange",
    "dureeCourse",
    "favoris",
    "forceVent",
    "gainsCarriere",
    "gainsParticipant",
    "handicapDistance",
    "handicapPoids",
    "handicapValeur",
    "heureDepart",
    "idCheval",
    "incident",
    "incidents",
    "indicateurInedit",
    "isArriveeDefinitive",
    "itsHim",
    "jockey",
    "libelle",
    "libelleLong",
    "meteo",
    "miseBase",
    "montantOffert1er",
    "montantPrix",
    "nbParticipants",
    "nom",
    "nomCheval",
    "nomJockey",
    "nomMere",
    "nomPere",
    "nombreCourses",
    "nombreGagnants",
    "numExterne",
    "numPmu",
    "numReunion",
    "numeroParticipants",
    "ordreArrivee",
    "paris",
    "penetrometre",
    "place",
    "placeCorde",
    "poidsConditionMonte",
    "poidsJockey",
    "rapport",
    "rapportsDefinitifsDisponibles",
    "reductionKilometrique",
    "rembourse",
    "specialites",
    "statut",
    "temperature",
    "tempsDuPremier",
    "tempsObtenu",
    "timezoneOffset",
    "typePari",
    "valeurMesure",
)


def _paths(node: Any, prefix: Path_ = ()) -> Iterator[Path_]:
    """Every position of the JSON tree below the root."""
    children: Sequence[tuple[str | int, Any]]
    if isinstance(node, dict):
        children = list(node.items())
    elif isinstance(node, list):
        children = list(enumerate(node))
    else:
        return
    for key, child in children:
        yield (*prefix, key)
        yield from _paths(child, (*prefix, key))


def _mutated(payload: Any, path: Path_, mutation: str) -> Any:
    """``payload`` with the value at ``path`` changed; only the containers on the path are copied."""
    root = _shallow(payload)
    node = root
    for key in path[:-1]:
        child = _shallow(node[key])
        node[key] = child
        node = child
    last = path[-1]
    if mutation == MISSING and isinstance(node, dict):
        node.pop(last, None)
    else:
        node[last] = BAD_VALUES.get(mutation)
    return root


def _at(node: Any, path: Path_) -> Any:
    for key in path:
        node = node[key]
    return node


def _shallow(node: Any) -> Any:
    return dict(node) if isinstance(node, dict) else list(node)


# --- payloads, how to parse them and how their rows are keyed ---------------------------------


@dataclass
class Payload:
    """One payload of a set and the arguments of its rows function."""

    body: Any
    race_date: date
    reunion: int | None = None
    course: int | None = None
    horse_ids: dict[int, str] | None = None

    @property
    def key(self) -> str | None:
        return race_key(self.race_date, self.reunion, self.course) if self.course is not None else None

    @cached_property
    def paths(self) -> list[Path_]:
        return list(_paths(self.body))

    @cached_property
    def objects(self) -> list[Path_]:
        """The positions of the JSON objects of the tree (the root included when it is one)."""
        found = [p for p in self.paths if isinstance(_at(self.body, p), dict)]
        return [(), *found] if isinstance(self.body, dict) else found


@dataclass(frozen=True)
class Endpoint:
    """How the table assets parse one endpoint, and the key of each table's rows."""

    name: str
    specs: tuple[Table, ...]
    rows_of: Callable[..., Any]
    keys: dict[str, Callable[[dict[str, Any]], Hashable]]

    def add(self, batch: Batch, payload: Payload, body: Any) -> bool:
        if self.name in ("programme", "reunion"):
            return batch.add(payload.race_date, None, self.rows_of, body, payload.race_date)
        args = (body, payload.race_date, payload.reunion, payload.course)
        if self.name == "performances":
            return batch.add(payload.race_date, payload.key, self.rows_of, *args, horse_ids=payload.horse_ids)
        return batch.add(payload.race_date, payload.key, self.rows_of, *args)

    def strict(self, payload: Payload, body: Any) -> None:
        """The frame function of the endpoint, without ``rejected``."""
        day = payload.race_date
        if self.name == "programme":
            parsers.parse_programme(body, day)
        elif self.name == "reunion":
            parsers.parse_reunion(body, day)
        elif self.name == "participants":
            parsers.parse_participants(body, day, payload.reunion, payload.course)
        elif self.name == "performances":
            parsers.parse_performances(body, day, payload.reunion, payload.course, payload.horse_ids)
        else:
            parsers.parse_rapports(body, day, payload.reunion, payload.course)


_PROGRAMME_KEYS: dict[str, Callable[[dict[str, Any]], Hashable]] = {
    "reunions": lambda r: ("reunion", r["race_date"], r["reunion"]),
    "races": lambda r: ("race", r["race_date"], r["reunion"], r["course"]),
}
ENDPOINTS = {
    "programme": Endpoint("programme", (REUNIONS, RACES), programme_rows, _PROGRAMME_KEYS),
    "reunion": Endpoint("reunion", (REUNIONS, RACES), reunion_rows, _PROGRAMME_KEYS),
    "participants": Endpoint(
        "participants",
        (PARTICIPANTS, HORSES),
        participants_rows,
        {
            "participants": lambda r: ("runner", r["race_key"], r["number"]),
            "horses": lambda r: ("horse", r["horse_id"]),
        },
    ),
    "performances": Endpoint(
        "performances",
        (PERFORMANCES,),
        performances_rows,
        {"performances": lambda r: ("past", r["last_seen_race_key"], r["horse_id"], r["past_race_date"])},
    ),
    "rapports": Endpoint(
        "rapports",
        (BETS, DIVIDENDS),
        rapports_rows,
        {
            "bets": lambda r: ("bet", r["race_key"], r["bet_type"]),
            "dividends": lambda r: ("bet", r["race_key"], r["bet_type"]),
        },
    ),
}


# --- which unit a path belongs to ------------------------------------------------------------


@dataclass
class Scope:
    """The row keys of the changed unit, and those that may go with it when the value identifies
    its container (``None``: anything may change, the value was above every unit)."""

    unit: set[Hashable] = field(default_factory=set)
    container: set[Hashable] | None = field(default_factory=set)


def _programme_scope(payload: Payload, path: Path_, reunions: list[Any], offset: int) -> Scope:
    """``offset``: where the reunion index sits in ``path`` (after ``programme.reunions``)."""
    day = payload.race_date
    if len(path) <= offset:
        return Scope(container=None)
    reunion = reunions[path[offset]]
    number = reunion["numOfficiel"]
    races = {("race", day, number, c["numOrdre"]) for c in reunion["courses"]}
    inner = path[offset + 1 :]
    if len(inner) >= 2 and inner[0] == "courses":
        course = reunion["courses"][inner[1]]
        return Scope(unit={("race", day, number, course["numOrdre"])})
    scope = Scope(unit={("reunion", day, number)})
    if not inner or inner[0] in ("numOfficiel", "courses"):
        scope.container = races
    return scope


def _race_scope(endpoint: str, payload: Payload, path: Path_, rows: dict[str, list[dict]]) -> Scope:
    """The scope of a path in one race's payload; ``rows`` are the race's baseline rows by table."""
    body, key = payload.body, payload.key
    whole = {ENDPOINTS[endpoint].keys[t](r) for t, table_rows in rows.items() for r in table_rows}
    if endpoint == "rapports":
        bet_type = strip_bet_prefix(str(body[path[0]]["typePari"]))
        scope = Scope(unit={("bet", key, bet_type)})
        if len(path) == 1 or path[1] == "typePari":
            scope.container = whole
        return scope
    if path[0] != "participants" or len(path) == 1:
        return Scope(container=whole)
    entry = body["participants"][path[1]]
    if endpoint == "participants":
        number = entry["numPmu"]
        horses = {("horse", r["horse_id"]) for r in rows["participants"] if r["number"] == number}
        scope = Scope(unit={("runner", key, number), *horses})
        if len(path) == 2 or path[2] == "numPmu":
            scope.container = whole
        return scope
    assert payload.horse_ids is not None
    horse_id = payload.horse_ids[entry["numPmu"]]
    past = entry.get("coursesCourues") or []
    days = [epoch_ms_to_utc(p["date"]).astimezone(PARIS).date() for p in past]  # type: ignore[union-attr]
    if len(path) >= 4 and path[2] == "coursesCourues":
        days = [days[path[3]]]
    scope = Scope(unit={("past", key, horse_id, d) for d in days})
    if len(path) == 2 or path[2] == "numPmu":
        scope.container = whole
    return scope


# --- the property --------------------------------------------------------------------------------


@dataclass
class PayloadSet:
    """Payloads of one endpoint parsed together, and their rows when nothing is changed."""

    endpoint: str
    payloads: list[Payload]

    @cached_property
    def baseline(self) -> dict[Hashable, list[str]]:
        _, frames, rejected = self.parse(self.payloads[0].body, 0)
        assert rejected == [], rejected[:3]
        return _rows_by_key(self.endpoint, frames)

    def parse(self, body: Any, index: int) -> tuple[Batch, dict[Table, pd.DataFrame], list[Rejection]]:
        endpoint = ENDPOINTS[self.endpoint]
        batch = Batch(self.endpoint, endpoint.specs)
        for i, payload in enumerate(self.payloads):
            endpoint.add(batch, payload, body if i == index else payload.body)
        frames = batch.frames(self.payloads[0].race_date)
        return batch, frames, batch.rejections

    def scope(self, index: int, path: Path_) -> Scope:
        payload = self.payloads[index]
        if self.endpoint == "programme":
            if path[:2] != ("programme", "reunions"):
                return Scope(container=None)
            return _programme_scope(payload, path, payload.body["programme"]["reunions"], 2)
        if self.endpoint == "reunion":
            return _programme_scope(payload, (0, *path), [payload.body], 0)
        rows = self._race_rows(payload)
        return _race_scope(self.endpoint, payload, path, rows)

    def _race_rows(self, payload: Payload) -> dict[str, list[dict]]:
        endpoint = ENDPOINTS[self.endpoint]
        args = (payload.body, payload.race_date, payload.reunion, payload.course)
        kwargs = {"horse_ids": payload.horse_ids} if self.endpoint == "performances" else {}
        produced = endpoint.rows_of(*args, **kwargs)
        return {spec.name: produced[spec] for spec in endpoint.specs}


def _canonical(row: dict[str, Any]) -> str:
    return repr(sorted((k, "nan" if _is_missing(v) else repr(v)) for k, v in row.items()))


def _is_missing(value: Any) -> bool:
    return value is None or (not isinstance(value, list | tuple) and bool(pd.isna(value)))


def _rows_by_key(endpoint: str, frames: dict[Table, pd.DataFrame]) -> dict[Hashable, list[str]]:
    keys = ENDPOINTS[endpoint].keys
    out: dict[Hashable, list[str]] = defaultdict(list)
    for spec, frame in frames.items():
        for row in frame.to_dict("records"):
            out[(spec.name, keys[spec.name](row))].append(_canonical(row))
    return {key: sorted(rows) for key, rows in out.items()}


def _names(payload: Any, path: Path_) -> set[str]:
    """The keys a rejection of the value at ``path`` may name: those on the path, and those of
    the object that was there (an element of an array has no key of its own)."""
    node = payload
    for key in path:
        if not isinstance(node, dict | list) or (isinstance(node, dict) and key not in node):
            break  # a key added to an object that lacked it
        node = node[key]
    inside = set(node) if isinstance(node, dict) else set()
    return {key for key in path if isinstance(key, str)} | inside


def check_one_bad_value(payloads: PayloadSet, index: int, path: Path_, mutation: str) -> None:
    """Change the value at ``path`` of payload ``index`` and check the property (see the module)."""
    payload = payloads.payloads[index]
    body = _mutated(payload.body, path, mutation)
    baseline = payloads.baseline
    _, frames, rejected = payloads.parse(body, index)
    for rejection in rejected:
        assert isinstance(rejection, Rejection) and rejection.reason, rejection
        assert rejection.endpoint == ENDPOINTS[payloads.endpoint].name, rejection
        assert rejection.field, f"a rejection that names no field: {rejection}"
        if rejection.reason.startswith(payloads.endpoint):  # a parse error rather than a column rule
            said = f"{rejection.field} {rejection.reason}"
            assert any(name in said for name in _names(payload.body, path)), rejection
    with contextlib.suppress(PmuParseError):
        ENDPOINTS[payloads.endpoint].strict(payload, body)
    scope = payloads.scope(index, path)
    if scope.container is None:
        return
    got = _rows_by_key(payloads.endpoint, frames)
    for (table, key), rows in baseline.items():
        if key in scope.unit:
            continue
        if (table, key) not in got and key in scope.container:
            continue  # the value identified the container: it went as a whole
        assert got.get((table, key)) == rows, (
            f"{table} {key} changed after {mutation} at {path} (scope {sorted(map(str, scope.unit))[:3]})"
        )


# --- the payload sets ------------------------------------------------------------------------------


def _day(ddmmyyyy: str) -> date:
    return date(int(ddmmyyyy[4:]), int(ddmmyyyy[2:4]), int(ddmmyyyy[:2]))


def _load(folder: Path, name: str) -> Any:
    return json.loads((folder / name).read_text(encoding="utf-8"))


def _sample_sets(folder: Path) -> dict[str, list[PayloadSet]]:
    trimmed = date(2026, 7, 7)
    programmes = [
        PayloadSet("programme", [Payload(_load(folder, n), _day(n[10:18]))])
        for n in ("programme_01012018.json", "programme_23032026.json", "programme_30032025.json")
    ]
    programmes.append(
        PayloadSet("programme", [Payload(_load(folder, "trimmed_07072026_programme.json"), trimmed)])
    )
    reunions = [
        PayloadSet("reunion", [Payload(_load(folder, f"reunion_01012024_R{r}.json"), date(2024, 1, 1))])
        for r in (1, 2)
    ]
    participants = [
        Payload(_load(folder, "participants_01012018_R3C1.json"), date(2018, 1, 1), 3, 1),
        Payload(_load(folder, "participants_01012024_R1C1.json"), date(2024, 1, 1), 1, 1),
        Payload(_load(folder, "participants_08042026_R3C2.json"), date(2026, 4, 8), 3, 2),
        Payload(_load(folder, "trimmed_07072026_participants.json"), trimmed, 1, 1),
    ]
    rapports = [
        Payload(_load(folder, f"trimmed_07072026_rapports_{name}.json"), trimmed, 1, course)
        for course, name in enumerate(("definitifs", "couple_2sur4", "quinte"), start=1)
    ]
    past = _load(folder, "excerpt_05112025_R1C1_performances_coursesCourues0.json")
    entries = [
        {"numPmu": 6, "nomCheval": "KING DU PLESSIS", "coursesCourues": [past]},
        {"numPmu": 7, "nomCheval": "ANOTHER", "coursesCourues": [past]},
    ]
    performances = [
        Payload({"participants": entries}, date(2025, 11, 5), 1, course, {6: f"K{course}", 7: f"A{course}"})
        for course in (1, 2)
    ]
    return {
        "programme": programmes,
        "reunion": reunions,
        "participants": _rotations("participants", participants),
        "performances": _rotations("performances", performances),
        "rapports": _rotations("rapports", rapports),
    }


def _rotations(endpoint: str, payloads: list[Payload]) -> list[PayloadSet]:
    """One set per payload, that payload first (the one changed), the others beside it."""
    return [PayloadSet(endpoint, [p, *(q for q in payloads if q is not p)]) for p in payloads]


def _generated_sets() -> dict[str, list[PayloadSet]]:
    from hippique_replay.generator import generate_day

    world = generate_day(GENERATED_DAY, seed=GENERATED_SEED)
    day = GENERATED_DAY
    races = [
        (s.reunion, s.course)
        for s in world.races()
        if not s.cancelled and world.performances(s.reunion, s.course) and world.rapports(s.reunion, s.course)
    ][:GENERATED_RACES]
    participants = [Payload(world.participants(r, c), day, r, c) for r, c in races]
    performances = []
    for runners in participants:
        rows = participants_rows(runners.body, day, runners.reunion, runners.course)[PARTICIPANTS]
        ids = {row["number"]: row["horse_id"] for row in rows}
        body = world.performances(runners.reunion, runners.course)
        performances.append(Payload(body, day, runners.reunion, runners.course, ids))
    rapports = [Payload(world.rapports(r, c), day, r, c) for r, c in races]
    return {
        "programme": [PayloadSet("programme", [Payload(world.programme(), day)])],
        "participants": _rotations("participants", participants),
        "performances": _rotations("performances", performances),
        "rapports": _rotations("rapports", rapports),
    }


@pytest.fixture(scope="module")
def sample_sets(pmu_samples: Path) -> dict[str, list[PayloadSet]]:
    return _sample_sets(pmu_samples)


@pytest.fixture(scope="module")
def generated_sets() -> dict[str, list[PayloadSet]]:
    return _generated_sets()


def _draw_change(data: st.DataObject, sets: list[PayloadSet]) -> tuple[PayloadSet, Path_, str]:
    chosen = data.draw(st.sampled_from(sets), label="payloads")
    payload = chosen.payloads[0]
    if data.draw(st.integers(min_value=0, max_value=3), label="add a key") == 0:
        at = data.draw(st.sampled_from(payload.objects), label="object")
        path = (*at, data.draw(st.sampled_from(READ_KEYS), label="key"))
    else:
        path = data.draw(st.sampled_from(payload.paths), label="path")
    mutation = data.draw(st.sampled_from(MUTATIONS), label="mutation")
    return chosen, path, mutation


@pytest.mark.parametrize("endpoint", ["programme", "reunion", "participants", "performances", "rapports"])
@PROPERTIES
@given(data=st.data())
def test_one_bad_value_in_a_real_capture_costs_only_its_unit(
    sample_sets: dict[str, list[PayloadSet]], endpoint: str, data: st.DataObject
) -> None:
    chosen, path, mutation = _draw_change(data, sample_sets[endpoint])
    check_one_bad_value(chosen, 0, path, mutation)


@pytest.mark.parametrize("endpoint", ["programme", "participants", "performances", "rapports"])
@PROPERTIES
@given(data=st.data())
def test_one_bad_value_in_a_generated_day_costs_only_its_unit(
    generated_sets: dict[str, list[PayloadSet]], endpoint: str, data: st.DataObject
) -> None:
    chosen, path, mutation = _draw_change(data, generated_sets[endpoint])
    check_one_bad_value(chosen, 0, path, mutation)
