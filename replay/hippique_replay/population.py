"""The static entities of a generated world: horses, riders and trainers of one seed.

Everything is a pure function of the seed. Horses live in *slots*: each slot belongs to a circuit
(a country and a family of racing, see :mod:`hippique_replay.gen_circuits`) and hosts one
horse after another, each for a career of a few years. A slot has a fixed racing period and
phase, so the days a horse is due to run are computed directly (``day % period == phase``) and
its past race days are simply ``day - k * period``: nothing is replayed to know a horse's past.

A horse has a hidden ability (static for its career), a trainer and a usual rider; riders and
trainers have hidden skills. Those static values and race-level noise are the *truth* the
outcomes are drawn from (see :mod:`hippique_replay.gen_fields`, which builds a day from a
:class:`Population`; :class:`hippique_replay.world.World` adds the cache of built days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np

from hippique_replay import gen_hash as hx
from hippique_replay.gen_circuits import CIRCUITS, Circuit
from hippique_replay.gen_labels import DEFERRE, OEILLERES, ROBES
from hippique_replay.gen_names import breeder_name, horse_name, owner_name, person_name, trot_letter
from hippique_replay.gen_rules import TROT

# Tags keep the hash streams of different quantities apart.
T_PERIOD, T_PHASE, T_CAREER, T_OFFSET, T_DEBUT, T_ENTER = 11, 12, 13, 14, 15, 16
T_ABILITY, T_SEX, T_AGE, T_TRAINER, T_RIDER, T_NAME = 21, 22, 23, 24, 25, 26
T_SIRE, T_DAM, T_OWNER, T_BREEDER, T_LOOK = 31, 32, 34, 35, 36
T_RIDER_SKILL, T_TRAINER_SKILL, T_PERSON = 41, 42, 43
SIRES_PER_CIRCUIT = 160
ENTRY_RATE = 0.92  # a horse due to run is entered nine times out of ten
SEXES = ("MALES", "FEMELLES", "HONGRES")


@dataclass(frozen=True)
class Horse:
    """What the programme shows of a horse (static for its career)."""

    slot: int
    generation: int
    circuit: Circuit
    name: str
    sex: str
    birth_year: int
    robe: tuple[str, str, str]
    sire: str
    dam: str
    damsire: str
    owner: str
    breeder: str
    blinkers: str
    shoes: str | None

    @property
    def id_cheval(self) -> str:
        """``idCheval`` as the API builds it: name, dam and sire."""
        return f"{self.name}-{self.dam}-{self.sire}"

    def age(self, day: date) -> int:
        return day.year - self.birth_year


@dataclass
class _PeriodBucket:
    period: int
    slots: np.ndarray  # slots of this circuit and period, sorted by phase
    starts: np.ndarray  # starts[r]:starts[r+1] are the slots with phase r


@dataclass
class _People:
    """Riders or trainers of every circuit, numbered globally (circuit after circuit)."""

    skill: np.ndarray
    circuit: np.ndarray  # circuit of each person
    local: np.ndarray  # index of each person within its circuit
    offset: np.ndarray  # first global index of each circuit
    booking: np.ndarray  # per circuit c: c + cumulative share of bookings, increasing over all people

    def draw(self, circuits: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Global indices of people of the given circuits, drawn with their booking weights."""
        found = np.searchsorted(self.booking, circuits + u, side="right")
        return np.minimum(found, self.offset[circuits + 1] - 1)


class Population:
    """All static entities of one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.circuits: tuple[Circuit, ...] = CIRCUITS
        sizes = [c.slots for c in self.circuits]
        self.circuit_start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        n = int(self.circuit_start[-1])
        slots = np.arange(n, dtype=np.int64)
        self.slot_circuit = np.repeat(np.arange(len(self.circuits), dtype=np.int64), sizes)
        self.slot_period = np.zeros(n, dtype=np.int64)
        self.slot_phase = np.zeros(n, dtype=np.int64)
        self.slot_career = np.zeros(n, dtype=np.int64)
        self.slot_offset = np.zeros(n, dtype=np.int64)
        self.slot_start_age = np.zeros(n, dtype=np.int64)
        self.buckets: list[list[_PeriodBucket]] = []
        for index, circuit in enumerate(self.circuits):
            lo, hi = int(self.circuit_start[index]), int(self.circuit_start[index + 1])
            own = slots[lo:hi]
            weights = np.asarray(circuit.period_weights, dtype=np.float64)
            cumulative = np.cumsum(weights / weights.sum())
            choice = np.searchsorted(cumulative, hx.unit_array(seed ^ T_PERIOD, own), side="right")
            period = np.asarray(circuit.periods, dtype=np.int64)[np.minimum(choice, len(circuit.periods) - 1)]
            if circuit.weekdays is None:
                phase = hx.below_array(1 << 30, seed ^ T_PHASE, own) % period
            else:
                # A date's ordinal is 1 on a Monday, so weekday w means ordinal % 7 == (w + 1) % 7.
                weekdays = np.asarray(circuit.weekdays, dtype=np.int64)
                day_residue = (weekdays[hx.below_array(len(weekdays), seed ^ T_PHASE, own)] + 1) % 7
                weeks = hx.below_array(1 << 30, seed ^ T_PHASE, own, 1) % (period // 7)
                phase = day_residue + 7 * weeks
            lo_career, hi_career = circuit.career_days
            career = lo_career + hx.below_array(hi_career - lo_career + 1, seed ^ T_CAREER, own)
            self.slot_period[lo:hi] = period
            self.slot_phase[lo:hi] = phase
            self.slot_career[lo:hi] = career
            self.slot_offset[lo:hi] = hx.below_array(1 << 30, seed ^ T_OFFSET, own) % career
            lo_age, hi_age = circuit.start_ages
            self.slot_start_age[lo:hi] = lo_age + hx.below_array(hi_age - lo_age + 1, seed ^ T_AGE, own)
            self.buckets.append(self._bucketize(own, period, phase, circuit.periods))
        self.riders = self._people(seed ^ T_RIDER_SKILL, [c.riders for c in self.circuits], 0.35)
        self.trainers = self._people(seed ^ T_TRAINER_SKILL, [c.trainers for c in self.circuits], 0.3)
        self._people_names: dict[int, list[str]] = {}

    @staticmethod
    def _bucketize(
        slots: np.ndarray, period: np.ndarray, phase: np.ndarray, periods: tuple[int, ...]
    ) -> list[_PeriodBucket]:
        buckets = []
        for p in sorted(set(periods)):
            mine = slots[period == p]
            order = np.argsort(phase[period == p], kind="stable")
            sorted_slots = mine[order]
            sorted_phase = phase[period == p][order]
            starts = np.searchsorted(sorted_phase, np.arange(p + 1))
            buckets.append(_PeriodBucket(p, sorted_slots, starts))
        return buckets

    @staticmethod
    def _people(base: int, counts: list[int], spread: float) -> _People:
        circuit = np.repeat(np.arange(len(counts)), counts)
        offset = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        local = np.arange(int(offset[-1])) - offset[circuit]
        skill = hx.normal_array(base, circuit, local) * spread
        # Better people get more bookings (and trainers more horses): weight exp(0.45 z).
        weights = np.exp(0.45 * skill / spread)
        booking = np.zeros(weights.size)
        for c in range(len(counts)):
            lo, hi = int(offset[c]), int(offset[c + 1])
            share = np.cumsum(weights[lo:hi])
            booking[lo:hi] = c + share / share[-1] * (1 - 1e-9)
        return _People(skill, circuit, local, offset, booking)

    # --- schedule -------------------------------------------------------------------------

    def generation(self, slots: np.ndarray, ordinal: int | np.ndarray) -> np.ndarray:
        """Which horse of each slot is active on a day (the slot's career number)."""
        return (ordinal + self.slot_offset[slots]) // self.slot_career[slots]

    def debut(self, slots: np.ndarray, generations: np.ndarray) -> np.ndarray:
        """Ordinal of the first day each horse may run: its career start plus a delay."""
        career = self.slot_career[slots]
        start = generations * career - self.slot_offset[slots]
        delay = hx.below_array(1 << 30, self.seed ^ T_DEBUT, slots, generations) % np.maximum(career // 4, 1)
        return start + delay

    def due(self, ordinal: int) -> tuple[np.ndarray, np.ndarray]:
        """Slots entered to run on a day (grouped by circuit), with their horses' generations."""
        parts = [
            b.slots[b.starts[ordinal % b.period] : b.starts[ordinal % b.period + 1]]
            for buckets in self.buckets
            for b in buckets
        ]
        slots = np.concatenate(parts)
        generations = self.generation(slots, ordinal)
        keep = self.debut(slots, generations) <= ordinal
        keep &= hx.unit_array(self.seed ^ T_ENTER, slots, ordinal) < ENTRY_RATE
        return slots[keep], generations[keep]

    def past_due_days(self, slot: int, generation: int, ordinal: int) -> range:
        """Days before ``ordinal`` this horse was due to run, most recent first (ordinal is a due day)."""
        period = int(self.slot_period[slot])
        first = int(self.debut(np.asarray([slot]), np.asarray([generation]))[0])
        return range(ordinal - period, first - 1, -period)

    # --- static qualities (arrays, for whole fields at once) ------------------------------

    def ability(self, slots: np.ndarray, generations: np.ndarray) -> np.ndarray:
        """Hidden ability of each horse (standard normal)."""
        return hx.normal_array(self.seed ^ T_ABILITY, slots, generations)

    def trainer_of(self, slots: np.ndarray, generations: np.ndarray) -> np.ndarray:
        """Global trainer index of each horse; good trainers get more horses."""
        u = hx.unit_array(self.seed ^ T_TRAINER, slots, generations)
        return self.trainers.draw(self.slot_circuit[slots], u)

    def usual_rider(self, slots: np.ndarray, generations: np.ndarray) -> np.ndarray:
        """Global index of the rider each horse usually gets."""
        u = hx.unit_array(self.seed ^ T_RIDER, slots, generations)
        return self.riders.draw(self.slot_circuit[slots], u)

    # --- people and horses for display ------------------------------------------------------

    def rider_name(self, rider: int) -> str:
        """Name of a rider (global index); no two riders share a name."""
        return self._names(1, self.riders)[rider]

    def trainer_name(self, trainer: int) -> str:
        """Name of a trainer (global index); no two trainers share a name."""
        return self._names(2, self.trainers)[trainer]

    def _names(self, role: int, people: _People) -> list[str]:
        found = self._people_names.get(role)
        if found is None:
            found = []
            taken: set[str] = set()
            for index in range(people.skill.size):
                country = self.circuits[int(people.circuit[index])].country
                salt = 0
                name = person_name(hx.key(self.seed, T_PERSON, role, index), country)
                while name in taken:  # a homonym gets another name, so stats never merge two people
                    salt += 1
                    name = person_name(hx.key(self.seed, T_PERSON, role, index, salt), country)
                taken.add(name)
                found.append(name)
            self._people_names[role] = found
        return found

    def horse(self, slot: int, generation: int) -> Horse:
        """The horse a slot hosts in a given career (cached)."""
        return _horse(self, slot, generation)

    def horse_name(self, slot: int, generation: int) -> str:
        """Just the name of a horse (cheaper than :meth:`horse`)."""
        return _name(self, slot, generation)

    def clear_cache(self) -> None:
        """Forget the horses and names computed so far (they are pure, so this only costs time)."""
        _horse.cache_clear()
        _name.cache_clear()


def _birth_year(w: Population, slot: int, generation: int) -> int:
    start = generation * int(w.slot_career[slot]) - int(w.slot_offset[slot])
    return int((start - 1) / 365.2425) + 1 - int(w.slot_start_age[slot])


@lru_cache(maxsize=200_000)
def _name(w: Population, slot: int, generation: int) -> str:
    circuit = w.circuits[int(w.slot_circuit[slot])]
    initial = None
    if circuit.family == TROT and circuit.country == "FRA":
        initial = trot_letter(_birth_year(w, slot, generation))
    return horse_name(hx.key(w.seed, T_NAME, slot, generation), initial)


def _sire_name(w: Population, circuit: int, index: int) -> str:
    return _sire(w.seed, circuit, index)


@lru_cache(maxsize=4096)
def _sire(seed: int, circuit: int, index: int) -> str:
    return horse_name(hx.key(seed, T_SIRE, circuit, index))


@lru_cache(maxsize=50_000)
def _horse(w: Population, slot: int, generation: int) -> Horse:
    seed = w.seed
    c_index = int(w.slot_circuit[slot])
    circuit = w.circuits[c_index]
    family_is_trot = circuit.family == TROT
    bits = hx.Bits(seed, T_LOOK, slot, generation)
    sex = bits.pick(SEXES)
    sire = _sire_name(w, c_index, bits.below(SIRES_PER_CIRCUIT))
    damsire = _sire_name(w, c_index, bits.below(SIRES_PER_CIRCUIT))
    robe = bits.pick(ROBES)
    blinkers = bits.pick(OEILLERES)
    shoes = bits.pick(DEFERRE) if family_is_trot else None
    return Horse(
        slot=slot,
        generation=generation,
        circuit=circuit,
        name=_name(w, slot, generation),
        sex=sex,
        birth_year=_birth_year(w, slot, generation),
        robe=robe,
        sire=sire,
        dam=horse_name(hx.key(seed, T_DAM, slot, generation)),
        damsire=damsire,
        owner=owner_name(hx.key(seed, T_OWNER, slot, generation)),
        breeder=breeder_name(hx.key(seed, T_BREEDER, slot, generation)),
        blinkers=blinkers,
        shoes=shoes,
    )
