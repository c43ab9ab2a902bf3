"""Participants payloads (``/R{n}/C{n}/participants``) to runners and horses; the odds snapshots
taken from them are made in :mod:`~hippique_assets.pmu.odds_snapshots`."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

from hippique_assets.pmu.batch import parse_payload
from hippique_assets.pmu.parse_common import (
    ParsedRows,
    PmuParseError,
    as_bool,
    as_float,
    as_instant,
    as_int,
    as_text,
    element,
    key_text,
    optional,
    parse_error,
    reading,
    require,
    require_list,
)
from hippique_assets.pmu.parse_horses import HorseIdSource, horse_identity
from hippique_assets.pmu.schema.participants import HORSES, PARTICIPANTS
from hippique_assets.pmu.units import centimes_to_eur, ms_to_s, tenths_kg_to_kg
from hippique_assets.pmu.validation import Rejection, shown
from hippique_assets.racing.keys import race_key

NON_RUNNER = "NON_PARTANT"
_TABLES = (PARTICIPANTS, HORSES)


@dataclass
class ParticipantsTables:
    """Rows of ``pmu.participants`` and ``pmu.horses`` from one race's participants payload."""

    participants: pd.DataFrame
    horses: pd.DataFrame


def parse_participants(
    payload: dict,
    race_date: date,
    reunion: int,
    course: int,
    *,
    rejected: list[Rejection] | None = None,
) -> ParticipantsTables:
    """Runners of one race, and the horses they are (one ``pmu.horses`` row each).

    Without ``rejected`` the first runner that cannot be read raises :class:`PmuParseError`. With
    it, a runner that cannot be read or breaks a column's rule is left out and appended there, and
    the other runners are kept: what a live odds snapshot needs (see
    :func:`~hippique_assets.pmu.batch.parse_payload`).
    """
    frames = parse_payload(
        "participants",
        _TABLES,
        race_date,
        race_key(race_date, reunion, course),
        participants_rows,
        payload,
        race_date,
        reunion,
        course,
        rejected=rejected,
    )
    return ParticipantsTables(participants=frames[PARTICIPANTS], horses=frames[HORSES])


@dataclass
class _Runner:
    """One runner of the payload: its number and either its rows or the error that cost it."""

    number: int
    where: str
    rows: tuple[dict[str, Any], dict[str, Any]] | None = None
    error: PmuParseError | None = None


def participants_rows(payload: dict, race_date: date, reunion: int, course: int) -> ParsedRows:
    """The row dicts of :func:`parse_participants`, by table (for parsing many races into one frame).

    A runner that cannot be read is left out with its error (``rejected``) and the others are
    kept; two runners claiming one number or one horse are both left out. A runner without a
    readable ``numPmu`` cannot be told apart, so it costs the race: that raises
    :class:`PmuParseError`, as does a payload without its list of runners.
    """
    key = race_key(race_date, reunion, course)
    where = f"participants {key}"
    with reading(where):
        listed = require_list(payload, "participants", where)
        numbers = [
            _runner_number(element(runner, where, "participants", i), where)
            for i, runner in enumerate(listed)
        ]
    runners = [
        _runner(runner, number, race_date, reunion, course, key, where)
        for runner, number in zip(listed, numbers, strict=True)
    ]
    _reject_shared_numbers(runners, key)
    _reject_shared_horses(runners, key)
    out = ParsedRows({PARTICIPANTS: [], HORSES: []})
    for runner in runners:
        if runner.error is not None:
            out.rejected.append(runner.error)
        elif runner.rows is not None:
            out[PARTICIPANTS].append(runner.rows[0])
            out[HORSES].append(runner.rows[1])
    return out


def _runner_number(runner: Any, where: str) -> int:
    number = as_int(require(runner, "numPmu", where), where, "numPmu")
    assert number is not None
    return number


def _runner(
    runner: Mapping[str, Any], number: int, race_date: date, reunion: int, course: int, key: str, where: str
) -> _Runner:
    r_where = f"{where} runner {number}"
    try:
        rows = _runner_rows(runner, number, race_date, reunion, course, key, r_where)
    except Exception as exc:  # whatever the error, it costs this runner only
        return _Runner(number, r_where, error=parse_error(exc, r_where).at(race_key=key, runner=number))
    return _Runner(number, r_where, rows=rows)


def _reject_shared_numbers(runners: list[_Runner], key: str) -> None:
    claims = Counter(runner.number for runner in runners)
    for runner in runners:
        if claims[runner.number] > 1:
            runner.error = PmuParseError(
                runner.where,
                f"runner number {runner.number} listed twice",
                field="numPmu",
                value=runner.number,
                race_key=key,
                runner=runner.number,
            )


def _reject_shared_horses(runners: list[_Runner], key: str) -> None:
    by_horse: dict[str, list[_Runner]] = defaultdict(list)
    for runner in runners:
        if runner.error is None and runner.rows is not None:
            by_horse[runner.rows[1]["horse_id"]].append(runner)
    for horse_id, claimants in by_horse.items():
        if len(claimants) < 2:
            continue
        numbers = " and ".join(str(runner.number) for runner in claimants)
        for runner in claimants:
            runner.error = PmuParseError(
                runner.where,
                f"runners {numbers} resolve to the same horse {horse_id!r}",
                field="horse_id",
                value=horse_id,
                race_key=key,
                runner=runner.number,
            )


def _odds(runner: Mapping[str, Any], field: str, where: str) -> tuple[float | None, datetime | None]:
    quote = runner.get(field)
    if quote is None:
        return None, None
    if not isinstance(quote, Mapping):
        raise PmuParseError(
            where, f"{field!r} should be an object, got {shown(quote)}", field=field, value=quote
        )
    odds = as_float(quote.get("rapport"), where, f"{field}.rapport")
    at = as_instant(quote.get("dateRapport"), where, f"{field}.dateRapport")
    return odds, at


def _pedigree_name(value: Any, where: str, key: str) -> str | None:
    """A name the derived horse key is made of: text, as the key hashes it."""
    text = as_text(value)
    if text is not None and not isinstance(text, str):
        raise PmuParseError(
            where,
            f"{key!r} should be text to derive the horse's key, got {shown(value)}",
            field=key,
            value=value,
        )
    return text


def _horse_key(
    runner: Mapping[str, Any], name: Any, birth_year: int | None, key: str, where: str
) -> tuple[str, HorseIdSource]:
    id_cheval = key_text(runner.get("idCheval"), where, "idCheval")
    if id_cheval is not None:
        return horse_identity(id_cheval, "", birth_year, None, None, race_key=key)
    return horse_identity(
        None,
        _pedigree_name(name, where, "nom") or "",
        birth_year,
        _pedigree_name(runner.get("nomPere"), where, "nomPere"),
        _pedigree_name(runner.get("nomMere"), where, "nomMere"),
        race_key=key,
    )


def _carried_weight(value: Any, where: str) -> float | None:
    weight = as_float(value, where, "poidsConditionMonte")
    # A non-runner shows 0 here: no weight was carried, which is unknown rather than 0 kg.
    return None if weight is None or weight == 0 else tenths_kg_to_kg(weight)


def _runner_rows(
    runner: Mapping[str, Any], number: int, race_date: date, reunion: int, course: int, key: str, where: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    name = as_text(require(runner, "nom", where))
    age = as_int(runner.get("age"), where, "age")
    birth_year = race_date.year - age if age is not None else None
    father = as_text(runner.get("nomPere"))
    mother = as_text(runner.get("nomMere"))
    horse_id, source = _horse_key(runner, name, birth_year, key, where)
    status = as_text(runner.get("statut"))
    incident = as_text(runner.get("incident"))
    odds_direct, odds_direct_at = _odds(runner, "dernierRapportDirect", where)
    odds_reference, odds_reference_at = _odds(runner, "dernierRapportReference", where)
    gains = runner.get("gainsParticipant")

    def earnings(field: str) -> float | None:
        return centimes_to_eur(as_float(optional(gains, field), where, f"gainsParticipant.{field}"))

    row = {
        "race_date": race_date,
        "reunion": reunion,
        "course": course,
        "race_key": key,
        "number": number,
        "horse_id": horse_id,
        "horse_name": name,
        "age": age,
        "sex": as_text(runner.get("sexe")),
        "breed": as_text(runner.get("race")),
        "status": status,
        "non_runner": status == NON_RUNNER or incident == NON_RUNNER,
        "jockey": as_text(runner.get("driver") if runner.get("driver") is not None else runner.get("jockey")),
        "jockey_changed": as_bool(runner.get("driverChange"), where, "driverChange"),
        "trainer": as_text(runner.get("entraineur")),
        "owner": as_text(runner.get("proprietaire")),
        "draw": as_int(runner.get("placeCorde"), where, "placeCorde"),
        "weight_kg": tenths_kg_to_kg(as_float(runner.get("handicapPoids"), where, "handicapPoids")),
        "weight_carried_kg": _carried_weight(runner.get("poidsConditionMonte"), where),
        "handicap_value": as_float(runner.get("handicapValeur"), where, "handicapValeur"),
        "handicap_distance_m": as_int(runner.get("handicapDistance"), where, "handicapDistance"),
        "blinkers": as_text(runner.get("oeilleres")),
        "shoes": as_text(runner.get("deferre")),
        "musique": as_text(runner.get("musique")),
        "unraced": as_bool(runner.get("indicateurInedit"), where, "indicateurInedit"),
        "career_starts": as_int(runner.get("nombreCourses"), where, "nombreCourses"),
        "career_wins": as_int(runner.get("nombreVictoires"), where, "nombreVictoires"),
        "career_places": as_int(runner.get("nombrePlaces"), where, "nombrePlaces"),
        "career_seconds": as_int(runner.get("nombrePlacesSecond"), where, "nombrePlacesSecond"),
        "career_thirds": as_int(runner.get("nombrePlacesTroisieme"), where, "nombrePlacesTroisieme"),
        "earnings_career_eur": earnings("gainsCarriere"),
        "earnings_wins_eur": earnings("gainsVictoires"),
        "earnings_places_eur": earnings("gainsPlace"),
        "earnings_year_eur": earnings("gainsAnneeEnCours"),
        "earnings_prev_year_eur": earnings("gainsAnneePrecedente"),
        "odds_direct": odds_direct,
        "odds_direct_at": odds_direct_at,
        "odds_reference": odds_reference,
        "odds_reference_at": odds_reference_at,
        "favourite": as_bool(optional(runner, "dernierRapportDirect", "favoris"), where, "favoris"),
        "incident": incident,
        "finish_rank": as_int(runner.get("ordreArrivee"), where, "ordreArrivee"),
        "time_s": ms_to_s(as_float(runner.get("tempsObtenu"), where, "tempsObtenu")),
        "reduction_km_s": ms_to_s(
            as_float(runner.get("reductionKilometrique"), where, "reductionKilometrique")
        ),
        "distance_to_previous": as_text(optional(runner, "distanceChevalPrecedent", "libelleLong")),
        "trainer_opinion": as_text(runner.get("avisEntraineur")),
    }
    horse = {
        "horse_id": horse_id,
        "horse_id_source": source,
        "name": name,
        "sex": row["sex"],
        "breed": row["breed"],
        "birth_year": birth_year,
        "coat": as_text(optional(runner, "robe", "libelleLong")),
        "country": as_text(runner.get("pays")),
        "father": father,
        "mother": mother,
        "mother_father": as_text(runner.get("nomPereMere")),
        "breeder": as_text(runner.get("eleveur")),
        "first_seen": race_date,
        "last_seen": race_date,
    }
    return row, horse


def horse_ids_by_number(participants: pd.DataFrame) -> dict[int, str]:
    """``number -> horse_id`` of one race's parsed participants (for :func:`parse_performances`)."""
    if participants["race_key"].nunique() > 1:
        raise ValueError(
            f"horse_ids_by_number needs one race, got {sorted(participants['race_key'].unique())}"
        )
    return {int(n): str(h) for n, h in zip(participants["number"], participants["horse_id"], strict=True)}
