"""Participants payloads (``/R{n}/C{n}/participants``) to runners, horses and odds snapshots."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Table

from hippique_assets.pmu import tables
from hippique_assets.pmu.parse_common import (
    PmuParseError,
    as_bool,
    as_float,
    as_int,
    as_text,
    optional,
    require,
    require_list,
    typed_frame,
)
from hippique_assets.pmu.parse_horses import horse_identity
from hippique_assets.pmu.units import centimes_to_eur, epoch_ms_to_utc, ms_to_s, tenths_kg_to_kg
from hippique_assets.racing.keys import race_key
from hippique_assets.storage.tables import column_names

NON_RUNNER = "NON_PARTANT"


@dataclass
class ParticipantsTables:
    """Rows of ``pmu.participants`` and ``pmu.horses`` from one race's participants payload."""

    participants: pd.DataFrame
    horses: pd.DataFrame


def parse_participants(payload: dict, race_date: date, reunion: int, course: int) -> ParticipantsTables:
    """Runners of one race, and the horses they are (one ``pmu.horses`` row each)."""
    rows = participants_rows(payload, race_date, reunion, course)
    return ParticipantsTables(
        participants=typed_frame(tables.PARTICIPANTS, rows[tables.PARTICIPANTS]),
        horses=typed_frame(tables.HORSES, rows[tables.HORSES]),
    )


def participants_rows(payload: dict, race_date: date, reunion: int, course: int) -> dict[Table, list[dict]]:
    """The row dicts of :func:`parse_participants`, by table (for parsing many races into one frame)."""
    key = race_key(race_date, reunion, course)
    where = f"participants {key}"
    runners = require_list(payload, "participants", where)
    participant_rows: list[dict[str, Any]] = []
    horse_rows: list[dict[str, Any]] = []
    numbers: set[int] = set()
    horse_ids: dict[str, int] = {}
    for runner in runners:
        row, horse = _runner_rows(runner, race_date, reunion, course, key, where)
        if row["number"] in numbers:
            raise PmuParseError(where, f"runner number {row['number']} listed twice")
        numbers.add(row["number"])
        if horse["horse_id"] in horse_ids:
            raise PmuParseError(
                where,
                f"runners {horse_ids[horse['horse_id']]} and {row['number']} resolve to the same horse "
                f"{horse['horse_id']!r}",
            )
        horse_ids[horse["horse_id"]] = row["number"]
        participant_rows.append(row)
        horse_rows.append(horse)
    return {tables.PARTICIPANTS: participant_rows, tables.HORSES: horse_rows}


def _odds(runner: Mapping[str, Any], field: str, where: str) -> tuple[float | None, datetime | None]:
    quote = runner.get(field)
    if quote is None:
        return None, None
    odds = as_float(optional(quote, "rapport"), where, f"{field}.rapport")
    at = epoch_ms_to_utc(as_float(optional(quote, "dateRapport"), where, f"{field}.dateRapport"))
    return odds, at


def _carried_weight(value: Any, where: str) -> float | None:
    weight = as_float(value, where, "poidsConditionMonte")
    # A non-runner shows 0 here: no weight was carried, which is unknown rather than 0 kg.
    return None if weight is None or weight == 0 else tenths_kg_to_kg(weight)


def _runner_rows(
    runner: Any, race_date: date, reunion: int, course: int, key: str, race_where: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    number = as_int(require(runner, "numPmu", race_where), race_where, "numPmu")
    assert number is not None
    where = f"{race_where} runner {number}"
    name = as_text(require(runner, "nom", where))
    age = as_int(runner.get("age"), where, "age")
    birth_year = race_date.year - age if age is not None else None
    father = as_text(runner.get("nomPere"))
    mother = as_text(runner.get("nomMere"))
    horse_id, source = horse_identity(
        as_text(runner.get("idCheval")), name, birth_year, father, mother, race_key=key
    )
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


def odds_snapshot(participants: pd.DataFrame, phase: str, captured_at: datetime) -> pd.DataFrame:
    """Rows of ``pmu.odds_snapshots``: each runner's odds in ``participants`` at ``captured_at``.

    ``participants`` is a frame from :func:`parse_participants` (one race or several).
    ``captured_at`` must be timezone-aware.
    """
    if not phase or not phase.strip():
        raise ValueError(f"odds snapshot phase must be a non-empty label, got {phase!r}")
    if captured_at.tzinfo is None:
        raise ValueError(f"odds snapshot captured_at {captured_at.isoformat()} has no timezone")
    missing = [c for c in column_names(tables.ODDS_SNAPSHOTS) if c not in ("phase", "captured_at")]
    missing = [c for c in missing if c not in participants.columns]
    if missing:
        raise ValueError(f"odds_snapshot needs participants columns {missing}")
    at = pd.Timestamp(captured_at).tz_convert("UTC")
    rows = [
        {
            "race_key": r.race_key,
            "race_date": r.race_date,
            "reunion": r.reunion,
            "course": r.course,
            "phase": phase,
            "captured_at": at,
            "number": r.number,
            "horse_id": r.horse_id,
            "odds_direct": None if pd.isna(r.odds_direct) else r.odds_direct,
            "odds_direct_at": None if pd.isna(r.odds_direct_at) else r.odds_direct_at,
            "odds_reference": None if pd.isna(r.odds_reference) else r.odds_reference,
            "odds_reference_at": None if pd.isna(r.odds_reference_at) else r.odds_reference_at,
            "non_runner": bool(r.non_runner),
        }
        for r in participants.itertuples(index=False)
    ]
    return typed_frame(tables.ODDS_SNAPSHOTS, rows)
