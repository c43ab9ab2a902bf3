"""Participants and past performances of the generated day, in the shape of the PMU turfinfo API
(``/participants`` and ``/performances-detaillees/pretty``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hippique_assets.racing.keys import pmu_date
from hippique_replay import gen_hash as hx
from hippique_replay.gen_day import DayModel, Phase, Quote
from hippique_replay.gen_history import PERFORMANCE_RUNS, PastRun
from hippique_replay.gen_labels import AVIS, INCIDENT_TYPES, PERF_STATUS
from hippique_replay.gen_race import (
    carried_weights,
    draw_positions,
    margin_label,
    past_race_view,
)
from hippique_replay.gen_rules import CLASSIFIED, DISCIPLINES, FAMILY_OF_DISCIPLINE, PLAT, PLAT_D, TROT

CASAQUES = "https://www.pmu.fr/back-assets/hippique/casaques"
T_COMMENT, T_PERSON_LOOK = 505, 506
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
