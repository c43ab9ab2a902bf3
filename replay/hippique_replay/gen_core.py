"""The numeric core of a generated day: meetings, races, fields and outcomes, without any text.

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

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from hippique_replay import gen_hash as hx
from hippique_replay.gen_catalog import (
    ATTELE,
    CLASSIFIED,
    CROSS,
    DISTANCES,
    FAMILY_OF_DISCIPLINE,
    FIELD_LIMITS,
    FRENCH_BY_FAMILY,
    FRENCH_SLOTS,
    HAIE,
    INCIDENT_RATES,
    LAST_START,
    MAIN_FIRST_RACE,
    MONTE,
    NON_PARTANT,
    OBSTACLE,
    PLAT,
    PLAT_D,
    STEEPLE,
    TROT,
    Racecourse,
)
from hippique_replay.population import Population

T_DAY = 101
AVERAGE_FIELD = {TROT: 13.0, PLAT: 11.5, OBSTACLE: 11.0}
FIELD_TARGET = {TROT: (10, 17), PLAT: (8, 16), OBSTACLE: (8, 15)}
QUINTE_FIELD = {TROT: (16, 18), PLAT: (16, 20), OBSTACLE: (16, 16)}
QUINTE_FAMILY_WEIGHTS = ((TROT, 0.5), (PLAT, 0.42), (OBSTACLE, 0.08))
NON_RUNNER_RATE = 0.025
CANCEL_RATE = 0.004
DEAD_HEAT_RATE = 0.006
MIN_STARTERS = 4
FAR_FOREIGN = ("AAA", "ARG", "CHL", "URY")
# Weights of the hidden truth: strength = ability + rider + trainer + race-day noise.
ABILITY_WEIGHT, RIDER_WEIGHT, TRAINER_WEIGHT, DAY_NOISE = 1.35, 0.6, 0.5, 0.5
HANDICAP_LEVELLING = 0.35  # handicap weights take back part of the better horses' edge
RECUL_PENALTY = 0.15  # trotters starting 25 m behind
_DISTANCE_COUNT = np.asarray([len(DISTANCES[d]) for d in range(len(DISTANCES))])
_DISTANCE_TABLE = np.asarray(
    [list(DISTANCES[d]) + [0] * (20 - len(DISTANCES[d])) for d in range(len(DISTANCES))]
)


@dataclass
class ReunionPlan:
    """One meeting of the day."""

    number: int
    racecourse: Racecourse
    country: str
    country_label: str
    nature: str
    main: bool
    regional: bool
    first_course: int
    races: list[int] = field(default_factory=list)  # indices into the race arrays, in course order


@dataclass
class DayCore:
    """Everything about a day that later days' histories need, as compact arrays."""

    ordinal: int
    day: date
    reunions: list[ReunionPlan]
    # races (one element per race)
    race_reunion: np.ndarray  # index into ``reunions``
    race_course: np.ndarray  # numOrdre
    race_circuit: np.ndarray
    race_discipline: np.ndarray
    race_distance: np.ndarray
    race_prize: np.ndarray  # euros
    race_start: np.ndarray  # local Paris minutes after midnight
    race_quinte: np.ndarray
    race_handicap: np.ndarray
    race_cancelled: np.ndarray
    race_first: np.ndarray  # first runner index; runners of race i are first[i]:first[i+1]
    # runners (one element per declared runner, grouped by race, ordered by number)
    run_slot: np.ndarray
    run_generation: np.ndarray
    run_race: np.ndarray
    run_number: np.ndarray
    run_rider: np.ndarray
    run_trainer: np.ndarray
    run_ability: np.ndarray
    run_strength: np.ndarray
    run_status: np.ndarray  # CLASSIFIED, NON_PARTANT or an incident
    run_rank: np.ndarray  # finishing rank (0: not classified); dead heats share a rank
    run_perf: np.ndarray  # performance on the day (strength + luck), for margins and times
    run_np_minute: np.ndarray  # local minute a non-runner was declared (-1: the day before)
    run_recul: np.ndarray  # trotters starting 25 m behind
    by_slot: np.ndarray  # runner indices sorted by slot, for lookups
    slots_sorted: np.ndarray

    @property
    def n_races(self) -> int:
        return int(self.race_course.size)

    def runners(self, race: int) -> range:
        return range(int(self.race_first[race]), int(self.race_first[race + 1]))

    def find(self, slots: np.ndarray) -> np.ndarray:
        """Runner index of each slot on this day, or -1 where the slot did not run."""
        pos = np.searchsorted(self.slots_sorted, slots)
        pos = np.minimum(pos, max(self.slots_sorted.size - 1, 0))
        if self.slots_sorted.size == 0:
            return np.full(slots.shape, -1, dtype=np.int64)
        hit = self.slots_sorted[pos] == slots
        return np.where(hit, self.by_slot[pos], -1)

    def race_index(self, reunion: int, course: int) -> int | None:
        """Race index of R``reunion``C``course``, or None."""
        for plan in self.reunions:
            if plan.number == reunion:
                for race in plan.races:
                    if int(self.race_course[race]) == course:
                        return race
        return None


@dataclass
class _Group:
    family: str
    races: list[_RacePlan]
    racecourse: Racecourse | None = None


@dataclass
class _RacePlan:
    circuit: int
    discipline: int
    quinte: bool = False
    handicap: bool = False
    prize: int = 0
    size: int = 0


class _Draws:
    """Uniform numbers drawn in blocks from the day's generator and handed out one by one.

    Scalar draws straight from numpy cost microseconds each; the day's layout needs a few hundred.
    """

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._block = rng.random(512)
        self._next = 0

    def u(self) -> float:
        if self._next == self._block.size:
            self._block = self._rng.random(512)
            self._next = 0
        value = float(self._block[self._next])
        self._next += 1
        return value

    def int(self, lo: int, hi: int) -> int:
        """An integer in ``[lo, hi]``."""
        return lo + int(self.u() * (hi - lo + 1))


def build_core(world: Population, ordinal: int) -> DayCore:
    """The meetings, fields and outcomes of one day."""
    rng = np.random.default_rng([world.seed & 0xFFFFFFFF, world.seed >> 32, T_DAY, ordinal])
    draws = _Draws(rng)
    day = date.fromordinal(ordinal)
    slots, generations = world.due(ordinal)
    circuits = world.slot_circuit[slots]
    supply = np.bincount(circuits, minlength=len(world.circuits))
    reunions, plans = _meetings(world, day, supply, draws)
    _field_sizes(world, supply, plans, draws)
    return _assemble(world, ordinal, day, reunions, plans, slots, generations, rng, draws)


# --- meetings and races -----------------------------------------------------------------------


def _split(n: int, lo: int, hi: int, draws: _Draws) -> list[int]:
    if n <= 0:
        return []
    count = max(1, round(n / ((lo + hi) / 2)), -(-n // hi))
    base, extra = divmod(n, count)
    sizes = [base + (1 if i < extra else 0) for i in range(count)]
    for _ in range(count):
        i, j = draws.int(0, count - 1), draws.int(0, count - 1)
        if i != j and sizes[i] > lo and sizes[j] < hi:
            sizes[i] -= 1
            sizes[j] += 1
    return sizes


def _french_circuit(world: Population, family: str) -> int:
    for index, circuit in enumerate(world.circuits):
        if circuit.country == "FRA" and circuit.family == family:
            return index
    raise LookupError(f"no French circuit for {family}")


def _discipline(family: str, draws: _Draws) -> int:
    u = draws.u()
    if family == TROT:
        return MONTE if u < 0.18 else ATTELE
    if family == PLAT:
        return PLAT_D
    return HAIE if u < 0.5 else (STEEPLE if u < 0.94 else CROSS)


def _quinte_family(supply: dict[str, int], draws: _Draws) -> str:
    u = draws.u()
    chosen = TROT
    acc = 0.0
    for family, weight in QUINTE_FAMILY_WEIGHTS:
        acc += weight
        if u < acc:
            chosen = family
            break
    if supply[chosen] < 40 or (chosen == OBSTACLE and supply[OBSTACLE] < 6 * AVERAGE_FIELD[OBSTACLE]):
        chosen = max((TROT, PLAT), key=lambda f: supply[f])
    return chosen


def _meetings(
    world: Population, day: date, supply_by_circuit: np.ndarray, draws: _Draws
) -> tuple[list[ReunionPlan], list[list[_RacePlan]]]:
    french = {family: _french_circuit(world, family) for family in (TROT, PLAT, OBSTACLE)}
    supply = {family: int(supply_by_circuit[c]) for family, c in french.items()}
    quinte_family = _quinte_family(supply, draws)
    counts: dict[str, int] = {}
    for family, available in supply.items():
        lo, _ = FIELD_LIMITS[family]
        n = min(round(available / AVERAGE_FIELD[family]), available // lo)
        if family == quinte_family:
            n = max(1, min(n, (available - QUINTE_FIELD[family][0]) // lo + 1))
        counts[family] = max(n, 0)

    # French meetings: a family, the race plans, and a racecourse when one is imposed.
    groups: list[_Group] = []
    for family in (TROT, PLAT):
        for size in _split(counts[family], 6, 9, draws):
            groups.append(
                _Group(family, [_RacePlan(french[family], _discipline(family, draws)) for _ in range(size)])
            )
    obstacle_sizes = _split(counts[OBSTACLE], 6, 8, draws) if counts[OBSTACLE] >= 6 else []
    for size in obstacle_sizes:
        races = [_RacePlan(french[OBSTACLE], _discipline(OBSTACLE, draws)) for _ in range(size)]
        groups.append(_Group(OBSTACLE, races))
    leftover = counts[OBSTACLE] - sum(obstacle_sizes)
    hosts = [g for g in groups if g.family == PLAT]
    if leftover >= 4 or (leftover > 0 and not hosts):
        races = [_RacePlan(french[OBSTACLE], _discipline(OBSTACLE, draws)) for _ in range(leftover)]
        groups.append(_Group(OBSTACLE, races))
    elif leftover > 0:
        # One or two jump races join flat meetings (one each) held on courses that have both.
        mixed = sorted(
            (rc for rc in FRENCH_BY_FAMILY[PLAT] if OBSTACLE in rc.families), key=lambda _: draws.u()
        )
        for k in range(leftover):
            host = hosts[k % len(hosts)]
            host.races.insert(
                draws.int(1, len(host.races)), _RacePlan(french[OBSTACLE], _discipline(OBSTACLE, draws))
            )
            host.racecourse = mixed[k % len(mixed)]

    main_index = next(i for i, g in enumerate(groups) if g.family == quinte_family)
    main_races = groups[main_index].races
    candidates = [i for i, p in enumerate(main_races) if FAMILY_OF_DISCIPLINE[p.discipline] == quinte_family]
    quinte_at = candidates[draws.int(0, min(4, len(candidates)) - 1)]
    main_races[quinte_at].quinte = True
    if quinte_family == TROT:
        main_races[quinte_at].discipline = ATTELE

    used = {g.racecourse.code for g in groups if g.racecourse is not None}
    reunions: list[ReunionPlan] = []
    plans: list[list[_RacePlan]] = []
    starts: list[int] = []
    slot_order = sorted(range(len(FRENCH_SLOTS)), key=lambda _: draws.u())
    for index, group in enumerate(groups):
        racecourse = group.racecourse or _pick_racecourse(FRENCH_BY_FAMILY[group.family], used, draws)
        used.add(racecourse.code)
        main = index == main_index
        if main:
            first = draws.int(*MAIN_FIRST_RACE)
        else:
            lo, hi, _ = FRENCH_SLOTS[slot_order[len(starts) % len(slot_order)]]
            first = draws.int(lo, hi)
        regional = racecourse.region is not None and not main
        reunions.append(ReunionPlan(0, racecourse, "FRA", "FRANCE", _nature(first), main, regional, 1))
        plans.append(group.races)
        starts.append(first)

    weekday = day.weekday()
    for c_index, circuit in enumerate(world.circuits):
        if circuit.weekdays is None or weekday not in circuit.weekdays:
            continue
        available = int(supply_by_circuit[c_index])
        lo_size, _ = FIELD_LIMITS[circuit.family]
        n = min(draws.int(*circuit.race_count), available // lo_size)
        if n < 3:
            continue
        racecourse = circuit.racecourses[draws.int(0, len(circuit.racecourses) - 1)]
        first_course = draws.int(1, 5) if circuit.country in FAR_FOREIGN else 1
        first = draws.int(*circuit.first_race)
        reunions.append(
            ReunionPlan(
                0,
                racecourse,
                circuit.country,
                circuit.country_label,
                circuit.nature,
                False,
                False,
                first_course,
            )
        )
        plans.append([_RacePlan(c_index, _discipline(circuit.family, draws)) for _ in range(n)])
        starts.append(first)

    # R1 is the main meeting; the others are numbered by their first race.
    order = sorted(range(len(reunions)), key=lambda i: (not reunions[i].main, starts[i], i))
    reunions = [reunions[i] for i in order]
    plans = [plans[i] for i in order]
    starts = [starts[i] for i in order]
    for number, (plan, races, first) in enumerate(zip(reunions, plans, starts, strict=True), start=1):
        plan.number = number
        _prizes(world, plan, races, draws)
        plan.races = [first]  # the first start, until _assemble lists the races
    return reunions, plans


def _nature(first_minute: int) -> str:
    if first_minute < 16 * 60:
        return "DIURNE"
    return "SEMINOCTURNE" if first_minute < 18 * 60 + 30 else "NOCTURNE"


def _pick_racecourse(options: tuple[Racecourse, ...], used: set[str], draws: _Draws) -> Racecourse:
    free = [rc for rc in options if rc.code not in used] or list(options)
    return free[draws.int(0, len(free) - 1)]


def _prizes(world: Population, plan: ReunionPlan, races: list[_RacePlan], draws: _Draws) -> None:
    for race in races:
        circuit = world.circuits[race.circuit]
        family = FAMILY_OF_DISCIPLINE[race.discipline]
        if circuit.country != "FRA":
            race.prize = draws.int(*circuit.prize)
        else:
            if race.quinte:
                lo, hi = 50_000, 120_000
            elif plan.main:
                lo, hi = 25_000, 80_000
            elif plan.regional:
                lo, hi = 5_000, 22_000
            else:
                lo, hi = 14_000, 45_000
            if family == OBSTACLE:
                lo, hi = int(lo * 1.3), int(hi * 1.3)
            race.prize = draws.int(lo // 100, hi // 100) * 100
        race.handicap = (race.quinte and family != TROT) or (family != TROT and draws.u() < 0.3)


def _field_sizes(world: Population, supply: np.ndarray, plans: list[list[_RacePlan]], draws: _Draws) -> None:
    by_circuit: dict[int, list[_RacePlan]] = {}
    for races in plans:
        for race in races:
            by_circuit.setdefault(race.circuit, []).append(race)
    for c_index, races in by_circuit.items():
        family = world.circuits[c_index].family
        lo, hi = FIELD_LIMITS[family]
        t_lo, t_hi = FIELD_TARGET[family] if world.circuits[c_index].country == "FRA" else (6, 14)
        available = int(supply[c_index])
        for race in races:
            race.size = draws.int(*QUINTE_FIELD[family]) if race.quinte else draws.int(t_lo, t_hi)
        free = [r for r in races if not r.quinte]
        fixed = sum(r.size for r in races if r.quinte)
        total = sum(r.size for r in free)
        if total + fixed > available and free:
            factor = max(available - fixed, 0) / total
            for race in free:
                race.size = max(lo, int(race.size * factor))
            while sum(r.size for r in races) > available:
                biggest = max(free, key=lambda r: r.size)
                if biggest.size <= lo:
                    break
                biggest.size -= 1
        grow = available - sum(r.size for r in races)
        cap = min(hi, t_hi + 2)
        while grow > 0:
            growable = [r for r in free if r.size < cap]
            if not growable:
                break
            for race in growable[:grow]:
                race.size += 1
            grow -= min(grow, len(growable))
        # Never more runners than horses: in the rare short supply the last races shrink.
        excess = sum(r.size for r in races) - available
        for race in reversed(free):
            if excess <= 0:
                break
            cut = min(excess, race.size - 2)
            race.size -= cut
            excess -= cut


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


def _assemble(
    world: Population,
    ordinal: int,
    day: date,
    reunions: list[ReunionPlan],
    plans: list[list[_RacePlan]],
    due_slots: np.ndarray,
    due_generations: np.ndarray,
    rng: np.random.Generator,
    draws: _Draws,
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


def _dead_heat(race: int, race_first: np.ndarray, rank: np.ndarray, quinte: bool, draws: _Draws) -> None:
    """Two runners share a place; kept beyond the places that simple, couplé and trio bets pay."""
    lo, hi = int(race_first[race]), int(race_first[race + 1])
    ranks = rank[lo:hi]
    classified = int((ranks > 0).sum())
    first_allowed = 6 if quinte else 4
    if classified < first_allowed + 1:
        return
    place = draws.int(first_allowed, classified - 1)
    ranks[ranks == place + 1] = place


def softmax(values: np.ndarray) -> np.ndarray:
    """Numerically stable softmax of a 1-D array."""
    if values.size == 0:
        return values
    shifted = values - values.max()
    e = np.exp(shifted)
    return e / e.sum()
