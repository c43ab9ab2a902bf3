"""A generated day's programme before any horse: its meetings, their racecourses and first races, and each
race's circuit, discipline, prize and field size.

The French circuits race every day: their due horses are shared into trot, flat and jump meetings,
one of them the main meeting with the quinté. A foreign circuit adds a meeting on its weekdays.
Every draw comes from the day's :class:`Draws`, in a fixed order, so the layout is a pure function
of (world seed, day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from hippique_replay.gen_circuits import FAR_FOREIGN
from hippique_replay.gen_core import ReunionPlan
from hippique_replay.gen_racecourses import FRENCH_BY_FAMILY, Racecourse
from hippique_replay.gen_rules import (
    ATTELE,
    CROSS,
    FAMILY_OF_DISCIPLINE,
    FIELD_LIMITS,
    HAIE,
    MONTE,
    OBSTACLE,
    PLAT,
    PLAT_D,
    STEEPLE,
    TROT,
)
from hippique_replay.population import Population

AVERAGE_FIELD = {TROT: 13.0, PLAT: 11.5, OBSTACLE: 11.0}
FIELD_TARGET = {TROT: (10, 17), PLAT: (8, 16), OBSTACLE: (8, 15)}
QUINTE_FIELD = {TROT: (16, 18), PLAT: (16, 20), OBSTACLE: (16, 16)}
QUINTE_FAMILY_WEIGHTS = ((TROT, 0.5), (PLAT, 0.42), (OBSTACLE, 0.08))
# French first-race windows (local minutes) for meetings after the main one.
FRENCH_SLOTS: tuple[tuple[int, int, str], ...] = (
    (11 * 60, 12 * 60, "DIURNE"),
    (11 * 60 + 30, 12 * 60 + 30, "DIURNE"),
    (12 * 60 + 30, 13 * 60 + 30, "DIURNE"),
    (14 * 60, 15 * 60, "DIURNE"),
    (16 * 60, 17 * 60, "SEMINOCTURNE"),
    (17 * 60, 18 * 60, "SEMINOCTURNE"),
    (18 * 60 + 30, 19 * 60 + 30, "NOCTURNE"),
    (12 * 60, 13 * 60, "DIURNE"),
    (15 * 60, 16 * 60, "DIURNE"),
)
MAIN_FIRST_RACE = (13 * 60 + 15, 13 * 60 + 55)
LAST_START = 23 * 60 + 40  # latest start of a race, local minutes: a long meeting's races come closer


class Draws:
    """Uniform numbers drawn in blocks from the day's generator and handed out one by one.

    Scalar draws straight from numpy cost microseconds each; the day's layout needs a few hundred.
    """

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._block = rng.random(512)
        self._next = 0

    def u(self) -> float:
        """A uniform number in ``[0, 1)``."""
        if self._next == self._block.size:
            self._block = self._rng.random(512)
            self._next = 0
        value = float(self._block[self._next])
        self._next += 1
        return value

    def int(self, lo: int, hi: int) -> int:
        """An integer in ``[lo, hi]``."""
        return lo + int(self.u() * (hi - lo + 1))


@dataclass
class RacePlan:
    """One race of a meeting before any horse: its circuit, discipline, quinté and handicap flags,
    prize and field size (set by :func:`size_fields`)."""

    circuit: int
    discipline: int
    quinte: bool = False
    handicap: bool = False
    prize: int = 0
    size: int = 0


@dataclass
class _Group:
    family: str
    races: list[RacePlan]
    racecourse: Racecourse | None = None


def _split(n: int, lo: int, hi: int, draws: Draws) -> list[int]:
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


def _discipline(family: str, draws: Draws) -> int:
    u = draws.u()
    if family == TROT:
        return MONTE if u < 0.18 else ATTELE
    if family == PLAT:
        return PLAT_D
    return HAIE if u < 0.5 else (STEEPLE if u < 0.94 else CROSS)


def _quinte_family(supply: dict[str, int], draws: Draws) -> str:
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


def plan_meetings(
    world: Population, day: date, supply_by_circuit: np.ndarray, draws: Draws
) -> tuple[list[ReunionPlan], list[list[RacePlan]]]:
    """The day's meetings, R1 the main one and the others by first race, and the races of each.

    A meeting's ``races`` holds only its first start (local minutes) until
    :func:`~hippique_replay.gen_fields.build_core` lists its races.
    """
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
                _Group(family, [RacePlan(french[family], _discipline(family, draws)) for _ in range(size)])
            )
    obstacle_sizes = _split(counts[OBSTACLE], 6, 8, draws) if counts[OBSTACLE] >= 6 else []
    for size in obstacle_sizes:
        races = [RacePlan(french[OBSTACLE], _discipline(OBSTACLE, draws)) for _ in range(size)]
        groups.append(_Group(OBSTACLE, races))
    leftover = counts[OBSTACLE] - sum(obstacle_sizes)
    hosts = [g for g in groups if g.family == PLAT]
    if leftover >= 4 or (leftover > 0 and not hosts):
        races = [RacePlan(french[OBSTACLE], _discipline(OBSTACLE, draws)) for _ in range(leftover)]
        groups.append(_Group(OBSTACLE, races))
    elif leftover > 0:
        # One or two jump races join flat meetings (one each) held on courses that have both.
        mixed = sorted(
            (rc for rc in FRENCH_BY_FAMILY[PLAT] if OBSTACLE in rc.families), key=lambda _: draws.u()
        )
        for k in range(leftover):
            host = hosts[k % len(hosts)]
            host.races.insert(
                draws.int(1, len(host.races)), RacePlan(french[OBSTACLE], _discipline(OBSTACLE, draws))
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
    plans: list[list[RacePlan]] = []
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
        plans.append([RacePlan(c_index, _discipline(circuit.family, draws)) for _ in range(n)])
        starts.append(first)

    # R1 is the main meeting; the others are numbered by their first race.
    order = sorted(range(len(reunions)), key=lambda i: (not reunions[i].main, starts[i], i))
    reunions = [reunions[i] for i in order]
    plans = [plans[i] for i in order]
    starts = [starts[i] for i in order]
    for number, (plan, races, first) in enumerate(zip(reunions, plans, starts, strict=True), start=1):
        plan.number = number
        _prizes(world, plan, races, draws)
        plan.races = [first]  # the first start, until gen_fields lists the races
    return reunions, plans


def _nature(first_minute: int) -> str:
    if first_minute < 16 * 60:
        return "DIURNE"
    return "SEMINOCTURNE" if first_minute < 18 * 60 + 30 else "NOCTURNE"


def _pick_racecourse(options: tuple[Racecourse, ...], used: set[str], draws: Draws) -> Racecourse:
    free = [rc for rc in options if rc.code not in used] or list(options)
    return free[draws.int(0, len(free) - 1)]


def _prizes(world: Population, plan: ReunionPlan, races: list[RacePlan], draws: Draws) -> None:
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


def size_fields(world: Population, supply: np.ndarray, plans: list[list[RacePlan]], draws: Draws) -> None:
    """Set each race's field size, within its family's limits and the horses due on its circuit."""
    by_circuit: dict[int, list[RacePlan]] = {}
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
