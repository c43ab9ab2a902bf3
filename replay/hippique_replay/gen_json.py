"""Response bodies of the generated day, in the shape of the PMU turfinfo API.

Key names, nesting and units follow the real captures (``shared/pmu-samples``): prizes in euros,
earnings and stakes in centimes, weights in tenths of a kilogram, participants' times in
milliseconds, past performances' times in hundredths of a second, instants in epoch ms.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import numpy as np

from hippique_assets.analysis.bets import COUPLE_GAGNANT, SIMPLE_GAGNANT, SIMPLE_PLACE, TRIO, BetType
from hippique_assets.racing.keys import pmu_date
from hippique_replay import gen_hash as hx
from hippique_replay import gen_market as mk
from hippique_replay.gen_catalog import (
    AVIS,
    CLASSIFIED,
    DISCIPLINES,
    FAMILY_OF_DISCIPLINE,
    GOING,
    INCIDENT_TYPES,
    METEO,
    MONTE,
    NON_PARTANT,
    OBSTACLE,
    PERF_STATUS,
    PLAT,
    PLAT_D,
    PRIZE_SHARES,
    SPECIALITES,
    TROT,
    WIND_DIRECTIONS,
)
from hippique_replay.gen_day import DayModel, Phase, Quote
from hippique_replay.gen_history import PERFORMANCE_RUNS, PastRun, prize_share_euros
from hippique_replay.gen_race import (
    age_condition,
    carried_weights,
    category,
    draw_positions,
    epoch_ms,
    local_midnight,
    margin_label,
    offset_ms_at,
    past_race_view,
    programme_offset_ms,
    race_title,
    sex_condition,
)

CASAQUES = "https://www.pmu.fr/back-assets/hippique/casaques"
T_METEO, T_POOL, T_BET, T_TRACK, T_COMMENT, T_PERSON_LOOK = 501, 502, 503, 504, 505, 506
STATUS_BY_PHASE = {
    Phase.PLANNED: ("PROGRAMMEE", "A_PARTIR"),
    Phase.IMMINENT: ("DEPART_DANS_TROIS_MINUTES", "A_PARTIR"),
    Phase.RUNNING: ("DEPART_CONFIRME", "EN_COURS"),
    Phase.ARRIVED: ("FIN_COURSE", "ARRIVEE"),
    Phase.CANCELLED: ("COURSE_ANNULEE", "ANNULEE"),
}
COMMENTS = {
    1: (
        "Bien placé, a produit son effort dans la ligne droite pour s'imposer nettement.",
        "Aux avant-postes d'emblée, a résisté à tous les assauts pour s'imposer.",
    ),
    2: ("A bien terminé mais a dû s'incliner devant le lauréat.",),
    3: ("Toujours bien placé, a conservé une place sur le podium.",),
    0: (
        "N'a jamais pu se mettre en évidence.",
        "En retrait toute la course, n'a pu refaire son retard.",
        "A fait illusion jusqu'à l'entrée de la ligne droite avant de rentrer dans le rang.",
    ),
}
INCIDENT_COMMENTS = {
    "DISQUALIFIE_POUR_ALLURE_IRREGULIERE": "S'est montré fautif et a été disqualifié.",
    "DISTANCE": "Distancé, a été retiré du classement.",
    "TOMBE": "Est tombé au cours de l'épreuve.",
    "ARRETE": "A été arrêté par son jockey.",
    "DEROBE": "S'est dérobé à un obstacle.",
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


def _pool_id(*parts: int) -> str:
    h = f"{hx.key(*parts):016x}{hx.key(*parts, 1):016x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


class Offer(NamedTuple):
    """How PMU offers a bet type on a race (the programme's ``paris``) and pays it (the rapports)."""

    horses: int  # horses a ticket names
    ordered: bool
    complement: bool
    flexi: tuple[int, ...] | None  # flexi percentages allowed
    jackpot: int | None  # the jackpot's base stake, if it has one
    base: int  # base stake in centimes
    e_base: int  # base stake online
    min_declared: int  # offered on races with at least this many declared runners
    quinte_only: bool = False


def _offer(bet: BetType, **terms: Any) -> Offer:
    # The bet types the product bets on take what a ticket names from its own record.
    return Offer(horses=bet.horses, ordered=bet.ordered, **terms)


# In the programme's order.
_BETS: dict[str, Offer] = {
    "SIMPLE_GAGNANT": _offer(
        SIMPLE_GAGNANT, complement=False, flexi=None, jackpot=300, base=200, e_base=100, min_declared=0
    ),
    "SIMPLE_PLACE": _offer(
        SIMPLE_PLACE, complement=False, flexi=None, jackpot=300, base=200, e_base=100, min_declared=0
    ),
    "COUPLE_GAGNANT": _offer(
        COUPLE_GAGNANT, complement=True, flexi=(50,), jackpot=None, base=200, e_base=100, min_declared=4
    ),
    "COUPLE_PLACE": Offer(
        horses=2,
        ordered=False,
        complement=True,
        flexi=(50,),
        jackpot=None,
        base=200,
        e_base=100,
        min_declared=8,
    ),
    "TRIO": _offer(TRIO, complement=True, flexi=(50,), jackpot=None, base=200, e_base=100, min_declared=8),
    "QUINTE_PLUS": Offer(
        horses=5,
        ordered=True,
        complement=True,
        flexi=(25, 50),
        jackpot=None,
        base=200,
        e_base=200,
        min_declared=0,
        quinte_only=True,
    ),
}


def paid_places(starters: int) -> int:
    """Places paid by the simple placé: 3 with 8 starters or more, 2 with 4 to 7, 1 below."""
    return 3 if starters >= 8 else (2 if starters >= 4 else 1)


def bet_types(n_declared: int, quinte: bool) -> list[str]:
    """Bets offered on a race (those the rapports can pay)."""
    return [
        code
        for code, offer in _BETS.items()
        if n_declared >= offer.min_declared and (quinte or not offer.quinte_only)
    ]


def _paris(model: DayModel, race: int, on_sale: bool, paid: bool) -> list[dict[str, Any]]:
    core = model.core
    n = len(model.runners(race))
    out: list[dict[str, Any]] = []
    for code in bet_types(n, bool(core.race_quinte[race])):
        offer = _BETS[code]
        horses, flexi, jackpot = offer.horses, offer.flexi, offer.jackpot
        common = {"spotAutorise": True, "combine": True, "ordre": offer.ordered}
        regular: dict[str, Any] = {
            "typePari": code,
            "miseBase": offer.base,
            "enVente": on_sale,
            "audience": "NATIONAL",
            "reportable": horses == 1,
            "misEnPaiement": paid,
            "codePari": code,
            **common,
        }
        online: dict[str, Any] = {
            "poolId": _pool_id(model.seed, T_POOL, model.ordinal, race, len(out)),
            "typePari": f"E_{code}",
            "miseBase": offer.e_base,
            "miseMax": 3_000_000,
            "enVente": on_sale,
            "audience": "NATIONAL",
            "cagnotte": 0,
            "reportable": horses == 1,
            "codePari": f"E_{code}",
            **common,
        }
        for entry in (regular, online):
            if flexi is not None:
                entry["valeursFlexiAutorisees"] = list(flexi)
            entry["nbChevauxReglementaire"] = horses
            entry["complement"] = offer.complement
            if jackpot is not None:
                entry["infosJackpot"] = {
                    "miseBase": jackpot if entry is regular else jackpot // 2,
                    "tauxContribution": {"numerateur": 1, "denominateur": 3},
                }
            if code == "QUINTE_PLUS":
                entry["infosOptionMax"] = {
                    "miseBase": 300,
                    "tauxContribution": {"numerateur": 1, "denominateur": 3},
                }
        if code == "QUINTE_PLUS":
            regular["nouveauQuinte"] = True
        out += [regular, online]
    out.append(
        {
            "typePari": "REPORT_PLUS",
            "enVente": on_sale,
            "reportable": False,
            "codePari": "REPORT_PLUS",
            "spotAutorise": False,
            "combine": False,
            "ordre": False,
            "nbChevauxReglementaire": 1,
            "complement": False,
        }
    )
    return out


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
    body["paris"] = _paris(model, race, on_sale=phase <= Phase.IMMINENT, paid=phase == Phase.FINAL)
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


# --- participants -------------------------------------------------------------------------------


def participants_body(model: DayModel, race: int, at: datetime) -> dict[str, Any]:
    """``/programme/DDMMYYYY/R{n}/C{n}/participants``."""
    core = model.core
    plan = model.core.reunions[int(core.race_reunion[race])]
    phase = model.phase(race, at)
    quotes = (
        model.quotes(race, at)
        if phase != Phase.CANCELLED
        else model.quotes(race, model.starts[race] - timedelta(hours=1))
    )
    reference = model.reference_quotes(race, at)
    runners = model.runners(race)
    path = f"{CASAQUES}/{pmu_date(model.day)}/R{plan.number}/C{int(core.race_course[race])}"
    discipline = int(core.race_discipline[race])
    family = FAMILY_OF_DISCIPLINE[discipline]
    draws = draw_positions(model.world, core, race) if discipline == PLAT_D else None
    weights = carried_weights(model.world, core, race) if family != TROT else None
    result_in = phase in (Phase.ARRIVED, Phase.FINAL)
    times = model.times(race) if result_in else None
    body = [
        _runner(model, race, i, k, at, quotes, reference, path, draws, weights, times)
        for k, i in enumerate(runners)
    ]
    return {
        "participants": body,
        "ecuries": [],
        "spriteCasaques": [
            {"heightSize": 19, "url": f"{path}/sprite_casaques_19px_size.png", "originalSize": False},
            {"heightSize": 40, "url": f"{path}/sprite_casaques_40px_size.png", "originalSize": False},
            {"heightSize": 261, "url": f"{path}/sprite_casaques_original_size.png", "originalSize": True},
        ],
        "cached": False,
    }


def _quote_body(quote: Quote, number: int, kind: str, reference: Quote | None) -> dict[str, Any]:
    body: dict[str, Any] = {"typePari": "E_SIMPLE_GAGNANT", "rapport": quote.odds, "typeRapport": kind}
    if reference is not None:
        change = round((quote.odds - reference.odds) / reference.odds * 100, 2)
        body["indicateurTendance"] = "+" if change > 0 else ("-" if change < 0 else " ")
        body["nombreIndicateurTendance"] = change
    else:
        body["indicateurTendance"] = " "
        body["nombreIndicateurTendance"] = 0.0
    body.update(
        {
            "dateRapport": quote.at_ms,
            "permutation": 1,
            "favoris": quote.favourite,
            "numPmu1": number,
            "grossePrise": reference is not None and quote.odds < reference.odds * 0.7,
        }
    )
    return body


def _runner(
    model: DayModel,
    race: int,
    i: int,
    k: int,
    at: datetime,
    quotes: dict[int, Quote] | None,
    reference: dict[int, Quote] | None,
    path: str,
    draws: list[int] | None,
    weights: list[int] | None,
    times: Any,
) -> dict[str, Any]:
    core, world, day = model.core, model.world, model.day
    seed, ordinal = model.seed, model.ordinal
    discipline = int(core.race_discipline[race])
    family = FAMILY_OF_DISCIPLINE[discipline]
    horse = world.horse(int(core.run_slot[i]), int(core.run_generation[i]))
    history = model.histories[i]
    number = int(core.run_number[i])
    phase = model.phase(race, at)
    non_runner = model.declared_non_runner(i, at)
    result_in = phase in (Phase.ARRIVED, Phase.FINAL) and not non_runner
    status = int(core.run_status[i])
    counters = history.counters()
    rider = world.rider_name(int(core.run_rider[i]))
    body: dict[str, Any] = {
        "idCheval": horse.id_cheval,
        "pays": horse.circuit.horse_country,
        "nom": horse.name,
        "numPmu": number,
        "age": horse.age(day),
        "sexe": horse.sex,
        "race": horse.circuit.breed,
        "statut": "NON_PARTANT" if non_runner else "PARTANT",
    }
    if draws is not None:
        body["placeCorde"] = draws[k]
    body["oeilleres"] = horse.blinkers
    body["proprietaire"] = horse.owner
    body["entraineur"] = world.trainer_name(int(core.run_trainer[i]))
    body["driver"] = rider
    body["driverChange"] = hx.unit(seed, T_PERSON_LOOK, ordinal, i) < 0.03
    body["robe"] = {"code": horse.robe[0], "libelleCourt": horse.robe[1], "libelleLong": horse.robe[2]}
    body["indicateurInedit"] = counters["nombreCourses"] == 0
    body["musique"] = history.musique(day.year, horse.sex == "FEMELLES")
    body.update(counters)
    body["gainsParticipant"] = history.earnings(day.year)
    if family != TROT and bool(core.race_handicap[race]) and weights is not None:
        body["handicapValeur"] = round((weights[k] - 400) / 5) / 2
    body["nomPere"] = horse.sire
    body["nomMere"] = horse.dam
    body["nomPereMere"] = horse.damsire
    if result_in and int(core.run_rank[i]) > 0:
        body["ordreArrivee"] = int(core.run_rank[i])
    body["jumentPleine"] = False
    body["engagement"] = False
    body["supplement"] = 0
    if family == TROT:
        body["handicapDistance"] = int(core.race_distance[race]) + (25 if bool(core.run_recul[i]) else 0)
        body["handicapPoids"] = 600
    else:
        assert weights is not None
        body["handicapPoids"] = weights[k]
        allowance = 15 * hx.below(3, seed, T_PERSON_LOOK, int(core.run_rider[i]), 7) if family == PLAT else 0
        if allowance or non_runner:
            body["poidsConditionMonte"] = 0 if non_runner else weights[k] - allowance
    body["poidsConditionMonteChange"] = False
    local = i - model.runners(race).start
    if result_in and family != TROT and times is not None and local in times.behind_lengths:
        body["distanceChevalPrecedent"] = _margin(times.behind_lengths[local])
    if not non_runner and quotes is not None and i in quotes:
        ref = reference.get(i) if reference else None
        body["dernierRapportDirect"] = _quote_body(quotes[i], number, "DIRECT", ref)
        if ref is not None:
            body["dernierRapportReference"] = _quote_body(ref, number, "REFERENCE", None)
    body["urlCasaque"] = f"{path}/P{number}.png"
    if phase == Phase.FINAL and not non_runner and horse.circuit.country == "FRA":
        body["commentaireApresCourse"] = {"texte": _comment(model, i), "source": "GENY"}
    body["eleveur"] = horse.breeder
    body["paysEntrainement"] = horse.circuit.horse_country
    body["allure"] = "TROT" if family == TROT else "GALOP"
    if family == TROT:
        body["avisEntraineur"] = hx.pick(AVIS, seed, T_PERSON_LOOK, ordinal, i, 2)
        if horse.shoes is not None:
            body["deferre"] = horse.shoes
    if non_runner:
        body["incident"] = "NON_PARTANT"
    elif result_in and status != CLASSIFIED:
        body["incident"] = INCIDENT_TYPES[status]
    if result_in and family == TROT and times is not None and local in times.total_ms:
        body["tempsObtenu"] = times.total_ms[local]
        body["reductionKilometrique"] = times.per_km_ms[local]
    return body


def _margin(lengths: float) -> dict[str, Any]:
    short, long, code, ident = margin_label(lengths)
    return {"libelleCourt": short, "libelleLong": long, "code": code, "identifiant": ident}


def _comment(model: DayModel, i: int) -> str:
    status = int(model.core.run_status[i])
    if status != CLASSIFIED:
        return INCIDENT_COMMENTS.get(INCIDENT_TYPES[status], "Non classé.")
    rank = int(model.core.run_rank[i])
    options = COMMENTS.get(rank if rank <= 3 else 0, COMMENTS[0])
    return hx.pick(options, model.seed, T_COMMENT, model.ordinal, i)


# --- performances -------------------------------------------------------------------------------


def performances_body(model: DayModel, race: int) -> dict[str, Any]:
    """``/R{n}/C{n}/performances-detaillees/pretty``: each runner's last races, most recent first."""
    core = model.core
    entries = []
    for i in model.runners(race):
        slot, generation = int(core.run_slot[i]), int(core.run_generation[i])
        past = [_past_race(model, run) for run in model.histories[i].runs[:PERFORMANCE_RUNS]]
        entries.append(
            {
                "numPmu": int(core.run_number[i]),
                "nomCheval": model.world.horse_name(slot, generation),
                "idCheval": model.world.horse(slot, generation).id_cheval,
                "coursesCourues": past,
            }
        )
    return {"participants": entries, "cached": False}


def _past_race(model: DayModel, run: PastRun) -> dict[str, Any]:
    """One past race in the schema of ``coursesCourues``: its first five and the horse itself."""
    view = past_race_view(model.world, run.core, run.race)
    him = run.runner - run.core.runners(run.race).start
    classified = sorted(
        (j for j, r in enumerate(view.runners) if r.rank > 0), key=lambda j: (view.runners[j].rank, j)
    )
    shown = classified[:5]
    if him not in shown:
        shown.append(him)
    entries = []
    for j in shown:
        runner = view.runners[j]
        if runner.rank > 0:
            place = {"place": runner.rank, "rawValue": str(runner.rank), "statusArrivee": "PLACE"}
        else:
            status = PERF_STATUS.get(runner.status, "NON_PLACE")
            place = {"place": None, "rawValue": status[0], "statusArrivee": status}
        entries.append(
            {
                "numPmu": runner.number,
                "place": place,
                "nomCheval": model.world.horse_name(runner.slot, runner.generation),
                "nomJockey": model.world.rider_name(runner.rider),
                "poidsJockey": runner.weight_kg,
                "corde": runner.draw,
                "distanceAvecPrecedent": None,
                "itsHim": j == him,
                "reductionKilometrique": runner.per_km_hundredths,
                "distanceParcourue": runner.covered_m,
                "oeillere": None,
            }
        )
    return {
        "date": view.date_ms,
        "timezoneOffset": view.offset_ms,
        "hippodrome": view.racecourse,
        "nomPrix": view.title,
        "discipline": DISCIPLINES[view.discipline],
        "allocation": view.prize,
        "distance": view.distance,
        "nbParticipants": view.starters,
        "tempsDuPremier": view.winner_hundredths,
        "participants": entries,
    }


# --- rapports -----------------------------------------------------------------------------------


def rapports_body(model: DayModel, race: int) -> list[dict[str, Any]]:
    """``/R{n}/C{n}/rapports-definitifs``: dividends consistent with the arrival and the market."""
    core = model.core
    runners = list(model.runners(race))
    first = runners[0]
    numbers = [int(core.run_number[i]) for i in runners]
    starters = [i - first for i in runners if int(core.run_status[i]) != NON_PARTANT]
    non_runners = [i - first for i in runners if int(core.run_status[i]) == NON_PARTANT]
    p = model.final_market_probabilities(race)
    ranks = {i - first: int(core.run_rank[i]) for i in runners if int(core.run_rank[i]) > 0}
    order = sorted(ranks, key=lambda j: (ranks[j], j))
    pool = _pool_size(model, race)
    n_starters = len(starters)
    places = paid_places(n_starters)
    bets: list[dict[str, Any]] = []

    def line(
        label: str, combo: list[int | str], per_eur: int, winners: float | None, base: int, unit: str
    ) -> dict:
        per_base = per_eur * base // 100
        entry: dict[str, Any] = {
            "libelle": label,
            "dividende": per_eur if unit == "PourUnEuro" else per_base,
            "dividendePourUnEuro": per_eur,
            "combinaison": "-".join(str(c) for c in combo),
        }
        if winners is not None:
            entry["nombreGagnants"] = winners
        entry["dividendePourUneMiseDeBase"] = per_base
        entry["dividendeUnite"] = unit
        return entry

    def bet(code: str, family_label: str, lines: list[dict], unit: str = "PourUnEuro") -> None:
        if lines:
            bets.append(
                {
                    "typePari": code,
                    "miseBase": _BETS[code].base,
                    "rembourse": False,
                    "rapports": lines,
                    "audience": "NATIONAL",
                    "dividendeUnite": unit,
                    "famillePari": family_label,
                }
            )

    def winners(stake_share: float, code: str) -> float:
        return round(float(pool[code] * stake_share / (_BETS[code].base / 100)), 2)

    if not order:
        return []
    winner = order[0]
    sg = mk.dividend_centimes(float(p[winner]), mk.TAKE["SIMPLE_GAGNANT"])
    bet(
        "SIMPLE_GAGNANT",
        "Simple",
        [
            line(
                "Simple gagnant",
                [numbers[winner]],
                sg,
                winners(float(p[winner]), "SIMPLE_GAGNANT"),
                200,
                "PourUnEuro",
            )
        ],
    )

    placed = order[:places]
    q = mk.top_k_probabilities(p, places)
    share = q / places
    profit = max((1 - mk.TAKE["SIMPLE_PLACE"]) - float(share[placed].sum()), 0.0)
    place_label = "Simple placé" if n_starters >= 8 else "Simple placé 4 à 7 partants"
    sp: dict[int, int] = {}
    lines = []
    for j in placed:
        euros = 1 + profit / (len(placed) * max(float(share[j]), 1e-9))
        sp[j] = max(110, int(np.floor(euros * 10 + 1e-9)) * 10)
        lines.append(
            line(
                place_label, [numbers[j]], sp[j], winners(float(share[j]), "SIMPLE_PLACE"), 200, "PourUnEuro"
            )
        )
    bet("SIMPLE_PLACE", "Simple", lines)

    offered = bet_types(len(runners), bool(core.race_quinte[race]))
    if "COUPLE_GAGNANT" in offered and len(order) >= 2:
        a, b = order[0], order[1]
        pair = mk.order_probability(p, (a, b)) + mk.order_probability(p, (b, a))
        lines = [
            line(
                "Couplé gagnant",
                [numbers[a], numbers[b]],
                mk.dividend_centimes(pair, mk.TAKE["COUPLE_GAGNANT"]),
                winners(pair, "COUPLE_GAGNANT"),
                200,
                "PourUnEuro",
            )
        ]
        if non_runners:
            lines.append(
                line(
                    "Couplé Gagnant 1 NP",
                    [numbers[a], "NP"],
                    sg,
                    winners(0.002, "COUPLE_GAGNANT"),
                    200,
                    "PourUnEuro",
                )
            )
        bet("COUPLE_GAGNANT", "Couple", lines)
    cp: dict[tuple[int, int], int] = {}
    if "COUPLE_PLACE" in offered and len(order) >= 3:
        lines = []
        for a, b in mk.pairs(order[:3]):
            prob = mk.pair_in_top3_probability(p, a, b)
            cp[(a, b)] = mk.dividend_centimes(prob, mk.TAKE["COUPLE_PLACE"])
            lines.append(
                line(
                    "Couplé placé",
                    [numbers[a], numbers[b]],
                    cp[(a, b)],
                    winners(prob / 3, "COUPLE_PLACE"),
                    200,
                    "PourUnEuro",
                )
            )
        if non_runners:
            for j in order[:3]:
                lines.append(
                    line(
                        "Couplé Placé 1 NP",
                        [numbers[j], "NP"],
                        sp.get(j, 110),
                        winners(0.001, "COUPLE_PLACE"),
                        200,
                        "PourUnEuro",
                    )
                )
        bet("COUPLE_PLACE", "Couple", lines)
    if "TRIO" in offered and len(order) >= 3:
        trio = tuple(order[:3])
        prob = mk.set_probability(p, trio)
        lines = [
            line(
                "Trio",
                [numbers[j] for j in trio],
                mk.dividend_centimes(prob, mk.TAKE["TRIO"]),
                winners(prob, "TRIO"),
                200,
                "PourUnEuro",
            )
        ]
        if non_runners:
            for a, b in mk.pairs(list(trio)):
                lines.append(
                    line(
                        "Trio 1 NP",
                        [numbers[a], numbers[b], "NP"],
                        cp.get((a, b), 110),
                        winners(0.0005, "TRIO"),
                        200,
                        "PourUnEuro",
                    )
                )
        bet("TRIO", "Trio", lines)
    if "QUINTE_PLUS" in offered and len(order) >= 5:
        bet("QUINTE_PLUS", "Quinte Plus", _quinte_lines(p, order, numbers, pool, line), "PourUneMiseDeBase")
    return bets


def _quinte_lines(
    p: np.ndarray, order: list[int], numbers: list[int], pool: dict[str, float], line: Any
) -> list[dict]:
    """Quinté+ tiers. A ticket names five horses; each tier pays its share of the pool to the
    tickets that hit it, and the market's tickets are modelled as its own Plackett-Luce draws."""
    take = mk.TAKE["QUINTE_PLUS"]
    top5 = tuple(order[:5])
    combo = [numbers[j] for j in top5]
    p_order = mk.order_probability(p, top5)
    p_set = mk.set_probability(p, top5)
    p_four = mk.covered_by_top5_probability(p, top5[:4])
    p_three = mk.covered_by_top5_probability(p, top5[:3])
    subsets = [
        tuple(top5[m] for m in members)
        for members in ((0, 1, 2, 4), (0, 1, 3, 4), (0, 2, 3, 4), (1, 2, 3, 4))
    ]
    p_four_of_five = sum(mk.covered_by_top5_probability(p, subset) for subset in subsets)
    base = _BETS["QUINTE_PLUS"].base
    unit = "PourUneMiseDeBase"

    def winners(prob: float) -> float:
        return round(float(pool["QUINTE_PLUS"] * prob / (base / 100)), 2)

    four_of_five = mk.dividend_centimes(p_four_of_five, take, 0.15)
    lines = [
        line("Quinté+ Ordre", combo, mk.dividend_centimes(p_order, take, 0.3), winners(p_order), base, unit),
        line("Quinté+ Désordre", combo, mk.dividend_centimes(p_set, take, 0.15), winners(p_set), base, unit),
        line("Bonus 4", combo[:4], mk.dividend_centimes(p_four, take, 0.12), winners(p_four), base, unit),
    ]
    for subset in subsets:
        lines.append(
            line(
                "Bonus 4sur5",
                [numbers[j] for j in subset],
                four_of_five,
                winners(p_four_of_five / 4),
                base,
                unit,
            )
        )
    lines.append(
        line("Bonus 3", combo[:3], mk.dividend_centimes(p_three, take, 0.12), winners(p_three), base, unit)
    )
    return lines


def _pool_size(model: DayModel, race: int) -> dict[str, float]:
    core = model.core
    plan = core.reunions[int(core.race_reunion[race])]
    if bool(core.race_quinte[race]):
        base = 900_000.0
    elif plan.country != "FRA":
        base = 25_000.0
    elif plan.main:
        base = 220_000.0
    elif plan.regional:
        base = 30_000.0
    else:
        base = 80_000.0
    base *= 0.7 + 0.6 * hx.unit(model.seed, T_POOL, model.ordinal, race, 9)
    return {
        "SIMPLE_GAGNANT": base,
        "SIMPLE_PLACE": base * 0.8,
        "COUPLE_GAGNANT": base * 0.45,
        "COUPLE_PLACE": base * 0.35,
        "TRIO": base * 0.4,
        "QUINTE_PLUS": base * 8,
    }
