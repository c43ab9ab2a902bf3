"""Building a generated day's core: the meetings of :mod:`hippique_replay.gen_meetings`, then who runs
in each race and how it ends.

:func:`build_core` is a pure function of (world seed, day). It only reads the world's static
values (which horses are due that day, their abilities, riders, trainers) and draws the day's
noise from a generator seeded by the day, so a core never depends on another day's core. It is
kept cheap (about two milliseconds, mostly numpy on the day's ~800 runners) because horses'
histories read the cores of hundreds of past days.

Truth and outcome: a runner's *strength* is its ability plus its rider's and trainer's skills
plus race-day noise; the winner is drawn with probability ``softmax(strength)`` among the
runners that start (a Plackett-Luce race: strength plus Gumbel noise, sorted). Falls, stops and
disqualifications strike only beaten runners, so the win probabilities stay exactly the softmax.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from hippique_replay import gen_hash as hx
from hippique_replay.gen_core import DayCore, ReunionPlan
from hippique_replay.gen_meetings import LAST_START, Draws, RacePlan, plan_meetings, size_fields
from hippique_replay.gen_rules import CLASSIFIED, DISTANCES, INCIDENT_RATES, MONTE, NON_PARTANT
from hippique_replay.population import Population

T_DAY = 101
NON_RUNNER_RATE = 0.025
CANCEL_RATE = 0.004
DEAD_HEAT_RATE = 0.006
MIN_STARTERS = 4
# Weights of the hidden truth: strength = ability + rider + trainer + race-day noise.
ABILITY_WEIGHT, RIDER_WEIGHT, TRAINER_WEIGHT, DAY_NOISE = 1.35, 0.6, 0.5, 0.5
HANDICAP_LEVELLING = 0.35  # handicap weights take back part of the better horses' edge
RECUL_PENALTY = 0.15  # trotters starting 25 m behind
_DISTANCE_COUNT = np.asarray([len(DISTANCES[d]) for d in range(len(DISTANCES))])
_DISTANCE_TABLE = np.asarray(
    [list(DISTANCES[d]) + [0] * (20 - len(DISTANCES[d])) for d in range(len(DISTANCES))]
)
_INCIDENT_KIND = np.zeros((len(DISTANCES), 3), dtype=np.int8)
_INCIDENT_LO = np.ones((len(DISTANCES), 3))
_INCIDENT_HI = np.ones((len(DISTANCES), 3))
for _code, _rates in INCIDENT_RATES.items():
    _acc = 0.0
    for _j, (_kind, _rate) in enumerate(_rates):
        _INCIDENT_KIND[_code, _j] = _kind
        _INCIDENT_LO[_code, _j] = _acc
        _INCIDENT_HI[_code, _j] = _acc + _rate
        _acc += _rate


def build_core(world: Population, ordinal: int) -> DayCore:
    """The meetings, fields and outcomes of one day."""
    rng = np.random.default_rng([world.seed & 0xFFFFFFFF, world.seed >> 32, T_DAY, ordinal])
    draws = Draws(rng)
    day = date.fromordinal(ordinal)
    slots, generations = world.due(ordinal)
    circuits = world.slot_circuit[slots]
    supply = np.bincount(circuits, minlength=len(world.circuits))
    reunions, plans = plan_meetings(world, day, supply, draws)
    size_fields(world, supply, plans, draws)
    return _assemble(world, ordinal, day, reunions, plans, slots, generations, rng, draws)


def _assemble(
    world: Population,
    ordinal: int,
    day: date,
    reunions: list[ReunionPlan],
    plans: list[list[RacePlan]],
    due_slots: np.ndarray,
    due_generations: np.ndarray,
    rng: np.random.Generator,
    draws: Draws,
) -> DayCore:
    flat: list[tuple[int, int, int, int, int, int, bool, bool, int]] = []
    for r_index, (plan, races) in enumerate(zip(reunions, plans, strict=True)):
        first = plan.races[0]
        spacing = draws.int(30, 37) if plan.main else draws.int(28, 35)
        if len(races) > 1 and first + (spacing + 3) * (len(races) - 1) > LAST_START:
            spacing = max(15, (LAST_START - first) // (len(races) - 1) - 3)
        plan.races = []
        start = first
        for k, race in enumerate(races):
            plan.races.append(len(flat))
            flat.append(
                (
                    r_index,
                    plan.first_course + k,
                    start,
                    race.circuit,
                    race.discipline,
                    race.prize,
                    race.quinte,
                    race.handicap,
                    race.size,
                )
            )
            start += spacing + draws.int(-3, 3)
    table = np.asarray(flat, dtype=np.int64).reshape(-1, 9)
    n_races = table.shape[0]
    race_circuit = table[:, 3]
    race_discipline = table[:, 4]
    race_prize = table[:, 5]
    race_quinte = table[:, 6].astype(bool)
    race_handicap = table[:, 7].astype(bool)
    race_size = table[:, 8]
    pick = (rng.random(n_races) * _DISTANCE_COUNT[race_discipline]).astype(np.int64)
    race_distance = _DISTANCE_TABLE[race_discipline, pick]

    # Which due horses run: as many as the races need, drawn at random within each circuit.
    n_circuits = len(world.circuits)
    circuit_of_due = world.slot_circuit[due_slots]
    need = np.bincount(race_circuit, weights=race_size, minlength=n_circuits).astype(np.int64)
    group_start = np.concatenate([[0], np.cumsum(np.bincount(circuit_of_due, minlength=n_circuits))])
    shuffled = np.lexsort((rng.random(due_slots.size), circuit_of_due))
    position = np.arange(due_slots.size) - group_start[circuit_of_due[shuffled]]
    running = shuffled[position < need[circuit_of_due[shuffled]]]
    # The better horses (with some noise) go to the richer races of their circuit.
    ability_due = world.ability(due_slots[running], due_generations[running])
    noisy = ability_due + 0.7 * rng.standard_normal(running.size)
    ranked = np.lexsort((-noisy, circuit_of_due[running]))
    chosen = running[ranked]
    ability = ability_due[ranked]
    race_order = np.lexsort((np.arange(n_races), -race_prize, ~race_quinte, race_circuit))
    run_race = np.repeat(race_order, race_size[race_order])
    slot = due_slots[chosen]
    generation = due_generations[chosen]
    n = slot.size

    # Numbers: handicaps by weight (better first); in recul trot races the recul horses last.
    discipline = race_discipline[run_race]
    handicap = race_handicap[run_race]
    trot = discipline <= MONTE
    counts = np.bincount(run_race, minlength=n_races)
    race_mean = np.bincount(run_race, weights=ability, minlength=n_races) / np.maximum(counts, 1)
    recul_race = trot & (hx.unit_array(world.seed ^ 0x5EC, run_race, ordinal) < 0.3)
    recul = recul_race & (ability > race_mean[run_race])
    tiebreak = rng.random(n)
    number_key = np.where(handicap, -ability, tiebreak) + np.where(recul, 10.0, 0.0)
    grouping = np.lexsort((number_key, run_race))
    slot, generation, run_race = slot[grouping], generation[grouping], run_race[grouping]
    ability, discipline, handicap, recul = (
        ability[grouping],
        discipline[grouping],
        handicap[grouping],
        recul[grouping],
    )
    race_first = np.concatenate([[0], np.cumsum(counts)])
    number = np.arange(n) - race_first[run_race] + 1

    # Riders (usually the horse's own, a third of the time another) and trainers.
    circuit_of = race_circuit[run_race]
    usual = world.usual_rider(slot, generation)
    other = world.riders.draw(circuit_of, rng.random(n))
    rider = np.where(rng.random(n) < 0.35, other, usual)
    rider = _distinct_riders(world, rider, run_race, circuit_of, rng)
    trainer = world.trainer_of(slot, generation)
    strength = ABILITY_WEIGHT * ability + RIDER_WEIGHT * world.riders.skill[rider]
    strength += TRAINER_WEIGHT * world.trainers.skill[trainer]
    strength += DAY_NOISE * rng.standard_normal(n)
    strength -= np.where(handicap, HANDICAP_LEVELLING * (ability - race_mean[run_race]), 0.0)
    strength -= np.where(recul, RECUL_PENALTY, 0.0)

    # Non-runners (at least MIN_STARTERS start), then the race itself.
    u = rng.random((5, n))
    non_runner = u[0] < NON_RUNNER_RATE
    non_runner &= np.bincount(run_race[~non_runner], minlength=n_races)[run_race] >= MIN_STARTERS
    status = np.where(non_runner, NON_PARTANT, CLASSIFIED).astype(np.int8)
    latest = table[:, 2][run_race] - 20
    during_day = non_runner & (u[1] < 0.4) & (latest > 8 * 60 + 1)
    np_minute = np.where(during_day, 8 * 60 + u[2] * (latest - 8 * 60), -1).astype(np.int16)

    perf = np.where(non_runner, -np.inf, strength - np.log(-np.log(u[3] * (1 - 2e-12) + 1e-12)))
    by_perf = np.lexsort((-perf, run_race))
    winner = np.zeros(n, dtype=bool)
    winner[by_perf[race_first[:-1][counts > 0]]] = True
    u_incident = u[4]
    for j in range(3):
        hit = (u_incident >= _INCIDENT_LO[discipline, j]) & (u_incident < _INCIDENT_HI[discipline, j])
        hit &= ~winner & ~non_runner
        status[hit] = _INCIDENT_KIND[discipline, j][hit]
    classified = status == CLASSIFIED
    by_cperf = np.lexsort((-np.where(classified, perf, -np.inf), run_race))
    place = np.empty(n, dtype=np.int64)
    place[by_cperf] = np.arange(n) - race_first[run_race[by_cperf]] + 1
    rank = np.where(classified, place, 0)

    cancelled = (rng.random(n_races) < CANCEL_RATE) & ~race_quinte
    rank[cancelled[run_race]] = 0
    for dead_heat_race in np.flatnonzero(rng.random(n_races) < DEAD_HEAT_RATE):
        _dead_heat(int(dead_heat_race), race_first, rank, bool(race_quinte[dead_heat_race]), draws)

    by_slot = np.argsort(slot, kind="stable")
    return DayCore(
        ordinal=ordinal,
        day=day,
        reunions=reunions,
        race_reunion=table[:, 0].astype(np.int16),
        race_course=table[:, 1].astype(np.int16),
        race_circuit=race_circuit.astype(np.int16),
        race_discipline=race_discipline.astype(np.int8),
        race_distance=race_distance.astype(np.int16),
        race_prize=race_prize.astype(np.int32),
        race_start=table[:, 2].astype(np.int16),
        race_quinte=race_quinte,
        race_handicap=race_handicap,
        race_cancelled=cancelled,
        race_first=race_first.astype(np.int32),
        run_slot=slot.astype(np.int32),
        run_generation=generation.astype(np.int32),
        run_race=run_race.astype(np.int16),
        run_number=number.astype(np.int8),
        run_rider=rider.astype(np.int32),
        run_trainer=trainer.astype(np.int32),
        run_ability=ability.astype(np.float32),
        run_strength=strength.astype(np.float32),
        run_status=status,
        run_rank=rank.astype(np.int8),
        run_perf=np.where(np.isfinite(perf), perf, -99.0).astype(np.float32),
        run_np_minute=np_minute,
        run_recul=recul,
        by_slot=by_slot.astype(np.int32),
        slots_sorted=slot[by_slot].astype(np.int32),
    )


def _distinct_riders(
    world: Population,
    rider: np.ndarray,
    run_race: np.ndarray,
    circuit_of: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """No rider twice in one race: a clash goes to another rider of the circuit."""
    for _ in range(50):
        order = np.lexsort((rider, run_race))
        same = (run_race[order][1:] == run_race[order][:-1]) & (rider[order][1:] == rider[order][:-1])
        clash = order[1:][same]
        if clash.size == 0:
            break
        rider[clash] = world.riders.draw(circuit_of[clash], rng.random(clash.size))
    return rider


def _dead_heat(race: int, race_first: np.ndarray, rank: np.ndarray, quinte: bool, draws: Draws) -> None:
    """Two runners share a place; kept beyond the places that simple, couplé and trio bets pay."""
    lo, hi = int(race_first[race]), int(race_first[race + 1])
    ranks = rank[lo:hi]
    classified = int((ranks > 0).sum())
    first_allowed = 6 if quinte else 4
    if classified < first_allowed + 1:
        return
    place = draws.int(first_allowed, classified - 1)
    ranks[ranks == place + 1] = place
