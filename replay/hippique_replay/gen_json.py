"""Response bodies of the generated day, in the shape of the PMU turfinfo API.

Key names, nesting and units follow the real captures (``shared/pmu-samples``): prizes in euros,
earnings and stakes in centimes, weights in tenths of a kilogram, participants' times in
milliseconds, past performances' times in hundredths of a second, instants in epoch ms.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from hippique_assets.racing.keys import pmu_date
from hippique_replay import gen_hash as hx
from hippique_replay.gen_day import DayModel, Phase
from hippique_replay.gen_history import prize_share_euros
from hippique_replay.gen_labels import GOING, INCIDENT_TYPES, METEO, SPECIALITES, WIND_DIRECTIONS
from hippique_replay.gen_offers import paris
from hippique_replay.gen_race import (
    age_condition,
    category,
    epoch_ms,
    local_midnight,
    offset_ms_at,
    programme_offset_ms,
    race_title,
    sex_condition,
)
from hippique_replay.gen_rules import (
    CLASSIFIED,
    DISCIPLINES,
    FAMILY_OF_DISCIPLINE,
    MONTE,
    NON_PARTANT,
    OBSTACLE,
    PLAT,
    PRIZE_SHARES,
    TROT,
)

T_METEO, T_BET, T_TRACK = 501, 503, 504
STATUS_BY_PHASE = {
    Phase.PLANNED: ("PROGRAMMEE", "A_PARTIR"),
    Phase.IMMINENT: ("DEPART_DANS_TROIS_MINUTES", "A_PARTIR"),
    Phase.RUNNING: ("DEPART_CONFIRME", "EN_COURS"),
    Phase.ARRIVED: ("FIN_COURSE", "ARRIVEE"),
    Phase.CANCELLED: ("COURSE_ANNULEE", "ANNULEE"),
}


def ms(instant: datetime) -> int:
    return epoch_ms(instant)


# --- programme and reunions ---------------------------------------------------------------------


def programme_body(model: DayModel, at: datetime) -> dict[str, Any]:
    """``/programme/DDMMYYYY``."""
    day = model.day
    reunions = [reunion_body(model, plan.number, at) for plan in model.core.reunions]
    upcoming = [
        {"numReunion": plan.number, "numCourse": int(model.core.race_course[race])}
        for plan in model.core.reunions
        for race in plan.races
        if model.phase(race, at) in (Phase.PLANNED, Phase.IMMINENT)
    ]
    now = at if at.year < 9999 else max(model.starts) + timedelta(hours=2)
    date_ms = ms(local_midnight(day))
    return {
        "programme": {
            "cached": False,
            "date": date_ms,
            "dateProgrammeActif": date_ms,
            "timezoneOffset": programme_offset_ms(day),
            "reunions": reunions,
            "prochainesCoursesAPartir": upcoming[:1],
            "datesProgrammesDisponibles": [pmu_date(day + timedelta(days=k)) for k in range(3)],
        },
        "timestampPMU": {"timestamp": ms(now), "timezoneOffset": offset_ms_at(now)},
    }


def reunion_body(model: DayModel, number: int, at: datetime) -> dict[str, Any]:
    """``/programme/DDMMYYYY/R{n}``: one meeting with its races."""
    plan = model.reunion_plan(number)
    if plan is None:
        raise KeyError(f"no reunion R{number} on {model.day}")
    core = model.core
    day = model.day
    count = len(core.reunions)
    rc = plan.racecourse
    date_ms = ms(local_midnight(day))
    courses = [course_body(model, plan.number, race, at) for race in plan.races]
    families = sorted(
        {FAMILY_OF_DISCIPLINE[int(core.race_discipline[r])] for r in plan.races},
        key=lambda f: (f != TROT, f != PLAT, f),
    )
    specialites: list[str] = []
    for race in plan.races:
        spec = SPECIALITES[int(core.race_discipline[race])]
        if spec not in specialites:
            specialites.append(spec)
    phases = [model.phase(race, at) for race in plan.races]
    finished = all(p in (Phase.ARRIVED, Phase.FINAL, Phase.CANCELLED) for p in phases)
    body: dict[str, Any] = {
        "cached": False,
        "timezoneOffset": programme_offset_ms(day),
        "dateReunion": date_ms,
        "numOfficiel": plan.number,
        "numOfficielReunionPrecedente": plan.number - 1 if plan.number > 1 else None,
        "numOfficielReunionSuivante": plan.number + 1 if plan.number < count else None,
        "numExterne": plan.number,
        "nature": plan.nature,
        "hippodrome": {"code": rc.code, "libelleCourt": rc.short, "libelleLong": rc.long},
        "pays": {"code": plan.country, "libelle": plan.country_label},
        "courses": courses,
        "audience": "REGIONAL" if plan.regional else "NATIONAL",
        "statut": "TERMINEE" if finished else "PROGRAMMEE",
        "disciplinesMere": families,
        "specialites": specialites,
        "derniereReunion": False,
    }
    upcoming = [
        int(core.race_course[r]) for r, p in zip(plan.races, phases, strict=True) if p <= Phase.IMMINENT
    ]
    if upcoming:
        body["prochaineCourse"] = upcoming[0]
    events = []
    for race in plan.races:
        if bool(core.race_quinte[race]):
            for code in ("QUINTE_PLUS", "E_QUINTE_PLUS"):
                course_ref = {
                    "dateProgramme": date_ms,
                    "numReunion": plan.number,
                    "numOrdre": int(core.race_course[race]),
                }
                events.append({"codePari": code, "course": course_ref})
    body["parisEvenement"] = events
    body["meteo"] = _meteo(model, plan.number, plan.country)
    body["offresInternet"] = False
    body["cagnottes"] = []
    body["reportPlusFpaMax"] = 20
    if plan.regional and rc.region:
        body["regionHippique"] = rc.region
    return body


def _meteo(model: DayModel, number: int, country: str) -> dict[str, Any]:
    seed, ordinal = model.seed, model.ordinal
    code, short, long = hx.pick(METEO, seed, T_METEO, ordinal, number)
    season = math.cos(2 * math.pi * (model.day.timetuple().tm_yday - 200) / 365.25)
    if country in ("ARG", "CHL", "URY"):
        season = -season
    base = 24 if country == "AAA" else 13 + 9 * season
    temperature = round(base + 3 * hx.normal(seed, T_METEO, ordinal, number, 1))
    forecast = datetime.combine(model.day, datetime.min.time()) + timedelta(hours=8, minutes=15)
    forecast_utc = forecast.replace(tzinfo=UTC) - timedelta(milliseconds=programme_offset_ms(model.day))
    return {
        "datePrevision": ms(forecast_utc),
        "nebulositeCode": code,
        "nebulositeLibelleCourt": short,
        "nebulositeLibelleLong": long,
        "temperature": temperature,
        "forceVent": 5 + hx.below(35, seed, T_METEO, ordinal, number, 2),
        "directionVent": hx.pick(WIND_DIRECTIONS, seed, T_METEO, ordinal, number, 3),
    }


def _conditions(
    title: str, model: DayModel, race: int, number: int, ages: list[int], sexes: list[str]
) -> str:
    core = model.core
    discipline = int(core.race_discipline[race])
    family = FAMILY_OF_DISCIPLINE[discipline]
    prize = int(core.race_prize[race])
    shares = PRIZE_SHARES[family]
    amounts = ", ".join(f"{round(prize * s):,}".replace(",", ".") for s in shares)
    distance = f"{int(core.race_distance[race]):,}".replace(",", ".")
    sex = {"FEMELLES": "femelles", "MALES_ET_HONGRES": "mâles"}.get(sex_condition(sexes), "")
    age_text = (
        f"{min(ages)} ans" if ages and min(ages) == max(ages) else f"{min(ages or [3])} ans et au-dessus"
    )
    if family == TROT:
        style = "Monté" if discipline == MONTE else "Attelé"
        letter = "ABCDEFG"[min(6, max(0, 6 - int(np.log2(max(prize, 5000) / 5000) * 2)))]
        sex_part = f", {sex}" if sex else ""
        return (
            f"{title} Course {number} Course {letter} {prize:,}. - {style}{sex_part}. - {distance} mètres. "
            f"{amounts}. Pour {age_text}."
        ).replace(",", ".")
    weight = "57 kg" if family == PLAT else "67 kg"
    return (
        f"Pour chevaux entiers, hongres et juments de {age_text}. Poids : {weight}. "
        f"Allocation : {prize:,} euros ({amounts})."
    ).replace(",", ".")


def course_body(model: DayModel, reunion: int, race: int, at: datetime) -> dict[str, Any]:
    """One race of the programme."""
    core = model.core
    day = model.day
    plan = model.reunion_plan(reunion)
    assert plan is not None
    rc = plan.racecourse
    discipline = int(core.race_discipline[race])
    family = FAMILY_OF_DISCIPLINE[discipline]
    course = int(core.race_course[race])
    start = model.starts[race]
    phase = model.phase(race, at)
    title, short = race_title(model.world, core, race)
    prize = int(core.race_prize[race])
    runners = model.runners(race)
    horses = [model.world.horse(int(core.run_slot[i]), int(core.run_generation[i])) for i in runners]
    ages = [h.age(day) for h in horses]
    sexes = [h.sex for h in horses]
    sand = rc.sand and family == PLAT and hx.unit(model.seed, T_TRACK, model.ordinal, race) < 0.5
    distance = int(core.race_distance[race])
    body: dict[str, Any] = {
        "cached": False,
        "departImminent": phase == Phase.IMMINENT,
        "timezoneOffset": offset_ms_at(start),
        "numReunion": reunion,
        "numExterneReunion": reunion,
        "numOrdre": course,
        "numExterne": course,
        "heureDepart": ms(start),
        "libelle": title,
        "libelleCourt": short,
        "montantPrix": prize,
    }
    if family == TROT:
        body["parcours"] = ""
    else:
        body["parcours"] = f"{distance} M. (PISTE EN SABLE FIBRE)" if sand else f"{distance} M."
    body["distance"] = distance
    body["distanceUnit"] = "METRE"
    if family != OBSTACLE and rc.corde:
        body["corde"] = rc.corde
    body["discipline"] = DISCIPLINES[discipline]
    body["specialite"] = SPECIALITES[discipline]
    body["categorieParticularite"] = category(model.world, core, race)
    condition_age = age_condition(family, ages)
    if condition_age is not None:
        body["conditionAge"] = condition_age
    body["conditionSexe"] = sex_condition(sexes)
    body["nombreDeclaresPartants"] = len(runners)
    body["grandPrixNationalTrot"] = False
    body["numSocieteMere"] = _societe(model, plan, race)
    body["pariMultiCourses"] = False
    body["pariSpecial"] = False
    body["montantTotalOffert"] = prize
    shares = PRIZE_SHARES[family]
    for rank, label in enumerate(("1er", "2eme", "3eme", "4eme", "5eme"), start=1):
        body[f"montantOffert{label}"] = (
            prize_share_euros(discipline, prize, rank) if rank <= len(shares) else 0
        )
    body["conditions"] = _conditions(title, model, race, course, ages, sexes)
    body["numCourseDedoublee"] = 0
    if family != TROT:
        body["typePiste"] = (
            "GAZON" if sand or hx.unit(model.seed, T_TRACK, model.ordinal, race, 1) < 0.4 else "HERBE"
        )
    body["paris"] = paris(model, race, on_sale=phase <= Phase.IMMINENT, paid=phase == Phase.FINAL)
    status, category_status = STATUS_BY_PHASE.get(phase, ("FIN_COURSE", "ARRIVEE"))
    if phase == Phase.FINAL:
        status = (
            "ARRIVEE_DEFINITIVE_COMPLETE"
            if hx.below(2, model.seed, T_BET, model.ordinal, race)
            else "FIN_COURSE"
        )
    body["statut"] = status
    body["categorieStatut"] = category_status
    if phase in (Phase.ARRIVED, Phase.FINAL):
        body["arriveeDefinitive"] = phase == Phase.FINAL
        body["dureeCourse"] = model.times(race).winner_ms
    body["participants"] = []
    body["ecuries"] = []
    if family != TROT and plan.country == "FRA":
        body["penetrometre"] = _going(model, race, sand, start)
    if phase in (Phase.ARRIVED, Phase.FINAL):
        incidents = _incidents(model, race, at)
        if incidents:
            body["incidents"] = incidents
    body["rapportsDefinitifsDisponibles"] = phase == Phase.FINAL
    if phase in (Phase.ARRIVED, Phase.FINAL):
        body["isArriveeDefinitive"] = phase == Phase.FINAL
    body["isDepartImminent"] = phase == Phase.IMMINENT
    body["isDepartAJPlusUn"] = False
    body["cagnottes"] = []
    body["pronosticsExpires"] = phase >= Phase.RUNNING
    body["replayDisponible"] = phase == Phase.FINAL and plan.country == "FRA"
    body["hippodrome"] = {"codeHippodrome": rc.code, "libelleCourt": rc.short, "libelleLong": rc.long}
    body["epcPourTousParis"] = True
    body["courseTrackee"] = False
    body["courseExclusiveInternet"] = False
    body["formuleChampLibreIndisponible"] = False
    if phase in (Phase.ARRIVED, Phase.FINAL):
        body["ordreArrivee"] = model.arrival(race)
    body["hasEParis"] = True
    return body


def _societe(model: DayModel, plan: Any, race: int) -> int:
    core = model.core
    course = int(core.race_course[race])
    if FAMILY_OF_DISCIPLINE[int(core.race_discipline[race])] == TROT and plan.country == "FRA":
        department = 10 + hx.below(85, model.seed, T_BET, hx.key(*map(ord, plan.racecourse.code)))
        return department * 10_000 + 100 + course
    return 3000 + hx.below(5000, model.seed, T_BET, model.ordinal, race)


def _going(model: DayModel, race: int, sand: bool, start: datetime) -> dict[str, Any]:
    measured = start.astimezone(UTC) + timedelta(milliseconds=offset_ms_at(start))
    hour = f"{model.day.isoformat()}T{min(measured.hour, 10):02d}:00"
    if sand:
        return {"heureMesure": hour, "intitule": "PSF STANDARD", "commentaire": ""}
    value, label = hx.pick(GOING, model.seed, T_TRACK, model.ordinal, int(model.core.race_reunion[race]), 2)
    return {"valeurMesure": value, "heureMesure": hour, "intitule": label, "commentaire": ""}


def _incidents(model: DayModel, race: int, at: datetime) -> list[dict[str, Any]]:
    core = model.core
    groups: dict[str, list[int]] = {}
    for i in model.runners(race):
        status = int(core.run_status[i])
        if status == CLASSIFIED:
            continue
        if status == NON_PARTANT and not model.declared_non_runner(i, at):
            continue
        groups.setdefault(INCIDENT_TYPES[status], []).append(int(core.run_number[i]))
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] != "NON_PARTANT", kv[0]))
    return [{"type": kind, "numeroParticipants": numbers} for kind, numbers in ordered]
