"""Details of one generated race derived from its core: times, margins, weights, names.

All of these are pure functions of (seed, day, race), so a race shows the same times in its
participants, in the programme's ``dureeCourse`` and, months later, in its runners' past
performances.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from hippique_replay import gen_hash as hx
from hippique_replay.gen_core import DayCore
from hippique_replay.gen_labels import AGE_CONDITIONS, CATEGORIES, MARGINS
from hippique_replay.gen_names import race_name, short_race_name
from hippique_replay.gen_rules import (
    ATTELE,
    CROSS,
    FAMILY_OF_DISCIPLINE,
    HAIE,
    MONTE,
    NON_PARTANT,
    OBSTACLE,
    PLAT,
    PLAT_D,
    STEEPLE,
    TROT,
)
from hippique_replay.world import World

PARIS = ZoneInfo("Europe/Paris")
T_RACE_NAME, T_SPEED, T_DRAW, T_WEIGHT, T_CATEGORY = 401, 402, 403, 404, 405
# Seconds behind per unit of performance, and lengths per second, by family.
GAP_SECONDS = {TROT: 1.1, PLAT: 0.8, OBSTACLE: 1.6}
LENGTHS_PER_SECOND = {PLAT: 5.0, OBSTACLE: 4.0}


def local_midnight(day: date) -> datetime:
    """Local midnight of a racing day, as an aware UTC instant."""
    return datetime.combine(day, time(0, 0), tzinfo=PARIS).astimezone(UTC)


def start_utc(day: date, minutes: int) -> datetime:
    """A local Paris wall-clock start (minutes after midnight) as an aware UTC instant."""
    local = datetime.combine(day, time(0, 0)) + timedelta(minutes=minutes)
    return local.replace(tzinfo=PARIS).astimezone(UTC)


def programme_offset_ms(day: date) -> int:
    """The programme's ``timezoneOffset``: the offset in force after any change that night."""
    noon = datetime.combine(day, time(12, 0), tzinfo=PARIS)
    offset = noon.utcoffset()
    assert offset is not None
    return int(offset.total_seconds() * 1000)


def offset_ms_at(instant: datetime) -> int:
    """Europe/Paris offset in force at an instant, in milliseconds."""
    offset = instant.astimezone(PARIS).utcoffset()
    assert offset is not None
    return int(offset.total_seconds() * 1000)


def epoch_ms(instant: datetime) -> int:
    return round(instant.timestamp() * 1000)


@dataclass(frozen=True)
class RaceTimes:
    """Finishing times of a race's classified runners (runner index within the race -> value)."""

    winner_ms: int
    total_ms: dict[int, int]  # time of each classified runner
    per_km_ms: dict[int, int]  # time per kilometre (its own distance covered)
    covered_m: dict[int, int]
    behind_lengths: dict[int, float]  # lengths behind the runner ranked just before


def race_times(world: World, core: DayCore, race: int) -> RaceTimes:
    """Times and margins of one race, from the runners' performances on the day."""
    discipline = int(core.race_discipline[race])
    family = FAMILY_OF_DISCIPLINE[discipline]
    distance = int(core.race_distance[race])
    prize = int(core.race_prize[race])
    runners = core.runners(race)
    ranks = core.run_rank[runners.start : runners.stop].tolist()
    perfs = core.run_perf[runners.start : runners.stop].tolist()
    recul = core.run_recul[runners.start : runners.stop].tolist()
    order = sorted((j for j, rank in enumerate(ranks) if rank > 0), key=lambda j: (ranks[j], -perfs[j]))
    if not order:
        return RaceTimes(0, {}, {}, {}, {})
    noise = hx.normal(world.seed, T_SPEED, core.ordinal, race)
    class_bonus = math.log10(max(prize, 1000) / 20000)
    trot = family == TROT
    winner_distance = distance + (25 if trot and recul[order[0]] else 0)
    if trot:
        per_km = 74500 + (1200 if discipline == MONTE else 0) - 900 * class_bonus + 600 * noise
        per_km += 500 * max(distance - 2200, 0) / 700
        winner_ms = per_km * winner_distance / 1000
    else:
        speed = {PLAT_D: 16.6 - 0.0005 * (distance - 1600), HAIE: 14.6, STEEPLE: 13.9, CROSS: 12.6}[
            discipline
        ]
        speed += 0.25 * noise + 0.15 * class_bonus
        winner_ms = distance / speed * 1000
    gap_per_unit = GAP_SECONDS[family] * 1000
    best = perfs[order[0]]
    total: dict[int, int] = {}
    per_km_ms: dict[int, int] = {}
    covered: dict[int, int] = {}
    behind: dict[int, float] = {}
    previous_ms = winner_ms
    previous_rank = 0
    for j in order:
        own_distance = distance + (25 if trot and recul[j] else 0)
        gap_ms = max(best - perfs[j], 0.0) * gap_per_unit
        ms = (winner_ms * own_distance / winner_distance if trot else winner_ms) + gap_ms
        if ranks[j] == previous_rank:  # dead heat: the same time as the runner sharing the place
            ms = previous_ms
        ms = max(ms, previous_ms)
        total[j] = int(round(ms, -1))
        per_km_ms[j] = int(round(ms * 1000 / own_distance, -2))
        covered[j] = own_distance
        if not trot and previous_rank:
            behind[j] = (ms - previous_ms) / 1000 * LENGTHS_PER_SECOND[family]
        previous_ms, previous_rank = ms, ranks[j]
    return RaceTimes(int(round(winner_ms, -1)), total, per_km_ms, covered, behind)


def margin_label(lengths: float) -> tuple[str, str, int, str]:
    """The margin object's fields for a distance in lengths."""
    for limit, label in MARGINS:
        if lengths < limit:
            return label
    return MARGINS[-1][1]


def race_title(world: World, core: DayCore, race: int) -> tuple[str, str]:
    """``libelle`` and ``libelleCourt`` of a race."""
    name = race_name(hx.key(world.seed, T_RACE_NAME, core.ordinal, race))
    return name, short_race_name(name)


def category(world: World, core: DayCore, race: int) -> str:
    """``categorieParticularite``: handicaps are named so; others drawn among the family's kinds."""
    family = FAMILY_OF_DISCIPLINE[int(core.race_discipline[race])]
    if bool(core.race_handicap[race]):
        return "HANDICAP_DIVISE" if bool(core.race_quinte[race]) else "HANDICAP"
    options = [c for c in CATEGORIES[family] if "HANDICAP" not in c]
    return hx.pick(options, world.seed, T_CATEGORY, core.ordinal, race)


def age_condition(family: str, ages: list[int]) -> str | None:
    """The tightest ``conditionAge`` that holds for every runner's age."""
    if not ages:
        return None
    lo, hi = min(ages), max(ages)
    best: tuple[int, str] | None = None
    for label, a_lo, a_hi in AGE_CONDITIONS[family]:
        if a_lo <= lo and hi <= a_hi:
            width = a_hi - a_lo
            if best is None or width < best[0]:
                best = (width, label)
    return best[1] if best else None


def sex_condition(sexes: list[str]) -> str:
    """``conditionSexe`` consistent with the runners."""
    if sexes and all(s == "FEMELLES" for s in sexes):
        return "FEMELLES"
    if sexes and "FEMELLES" not in sexes:
        return "MALES_ET_HONGRES"
    return "TOUS_CHEVAUX"


def draw_positions(world: World, core: DayCore, race: int) -> list[int]:
    """``placeCorde`` (stall) of each runner of a flat race: a permutation of 1..n."""
    n = len(core.runners(race))
    keys = hx.unit_array(world.seed ^ T_DRAW, core.ordinal, race, np.arange(n))
    order = np.argsort(keys)
    stalls = np.empty(n, dtype=np.int64)
    stalls[order] = np.arange(1, n + 1)
    return stalls.tolist()


def carried_weights(world: World, core: DayCore, race: int) -> list[int]:
    """``handicapPoids`` in tenths of a kilogram for each runner of a gallop race.

    Handicaps weight the better horses more (from 50 to 62 kg on the flat, more over jumps);
    conditions races give everyone about the same weight, with small allowances.
    """
    runners = core.runners(race)
    discipline = int(core.race_discipline[race])
    base = 575 if discipline == PLAT_D else 680
    ability = core.run_ability[runners.start : runners.stop].astype(np.float64)
    n = ability.size
    jitter = hx.below_array(3, world.seed ^ T_WEIGHT, core.ordinal, race, np.arange(n)) * 5
    if bool(core.race_handicap[race]):
        span = 60 if discipline == PLAT_D else 70
        centred = ability - ability.mean()
        weights = base + np.clip(centred / max(ability.std(), 0.3), -2, 2) * span / 2
    else:
        weights = np.full(n, float(base)) + np.where(jitter > 5, 15, 0)
    return [int(round(w / 5) * 5) for w in (weights - jitter).tolist()]


def family_of(core: DayCore, race: int) -> str:
    return FAMILY_OF_DISCIPLINE[int(core.race_discipline[race])]


def is_trot(core: DayCore, race: int) -> bool:
    return int(core.race_discipline[race]) in (ATTELE, MONTE)


@dataclass(frozen=True)
class PastRunner:
    """One runner of a past race as its later performances show it."""

    number: int
    rank: int
    status: int
    slot: int
    generation: int
    rider: int
    weight_kg: float | None
    draw: int | None
    per_km_hundredths: int | None
    covered_m: int


@dataclass(frozen=True)
class PastRaceView:
    """A finished race as the runners' past performances show it."""

    date_ms: int
    offset_ms: int
    racecourse: str
    title: str
    discipline: int
    prize: int
    distance: int
    starters: int
    winner_hundredths: int
    runners: tuple[PastRunner, ...]  # in the race's number order


RACE_VIEWS = 12_000


def past_race_view(world: World, core: DayCore, race: int) -> PastRaceView:
    """The rendered summary of a race for past performances (cached per world)."""
    key = (core.ordinal, race)
    cache = world.race_views
    with world.lock:
        found = cache.get(key)
        if found is not None:
            cache.move_to_end(key)
            return found  # type: ignore[return-value]
    view = _build_view(world, core, race)
    with world.lock:
        cache[key] = view
        if len(cache) > RACE_VIEWS:
            cache.popitem(last=False)
    return view


def _build_view(world: World, core: DayCore, race: int) -> PastRaceView:
    discipline = int(core.race_discipline[race])
    family = FAMILY_OF_DISCIPLINE[discipline]
    times = race_times(world, core, race)
    draws = draw_positions(world, core, race) if discipline == PLAT_D else None
    weights = carried_weights(world, core, race) if family != TROT else None
    runners = core.runners(race)
    plan = core.reunions[int(core.race_reunion[race])]
    shown = []
    starters = 0
    for j, i in enumerate(runners):
        status = int(core.run_status[i])
        starters += status != NON_PARTANT
        per_km = times.per_km_ms.get(j)
        shown.append(
            PastRunner(
                number=int(core.run_number[i]),
                rank=int(core.run_rank[i]),
                status=status,
                slot=int(core.run_slot[i]),
                generation=int(core.run_generation[i]),
                rider=int(core.run_rider[i]),
                weight_kg=weights[j] / 10 if weights is not None else None,
                draw=draws[j] if draws is not None else None,
                per_km_hundredths=round(per_km / 100) * 10 if per_km is not None else None,
                covered_m=times.covered_m.get(j, int(core.race_distance[race])),
            )
        )
    return PastRaceView(
        date_ms=epoch_ms(local_midnight(core.day)),
        offset_ms=programme_offset_ms(core.day),
        racecourse=plan.racecourse.display,
        title=race_title(world, core, race)[0],
        discipline=discipline,
        prize=int(core.race_prize[race]),
        distance=int(core.race_distance[race]),
        starters=starters,
        winner_hundredths=round(times.winner_ms / 10),
        runners=tuple(shown),
    )
