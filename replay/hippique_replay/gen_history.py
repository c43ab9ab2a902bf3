"""Horses' past races, read back from the days they actually ran.

A runner's due days are ``day - k * period`` back to its debut (see
:mod:`hippique_replay.world`). Each due day's core is built (cached by the world) and
looked up: if the horse was in a field and started, that run is a real past race, with the same
date, racecourse, race and place as the programme and participants of that day show. Musique,
career counters, earnings and past performances all come from these races.

Because every horse of a circuit shares a handful of periods, today's runners have few distinct
past due days (about a third of the days of the longest career), which keeps a cold day cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from hippique_replay.gen_core import DayCore
from hippique_replay.gen_labels import MUSIQUE_INCIDENT, MUSIQUE_LETTER
from hippique_replay.gen_rules import FAMILY_OF_DISCIPLINE, NON_PARTANT, PRIZE_SHARES
from hippique_replay.world import World

MUSIQUE_RUNS = 10
PERFORMANCE_RUNS = 5


@dataclass(frozen=True)
class PastRun:
    """One race a horse ran: the day's core, the race and the runner's index in that core."""

    ordinal: int
    discipline: int
    rank: int  # 0 when not classified
    status: int
    prize: int  # euros of the whole race
    core: DayCore
    race: int
    runner: int

    @property
    def year(self) -> int:
        return date.fromordinal(self.ordinal).year


@dataclass
class History:
    """A horse's career before a day, most recent run first."""

    runs: list[PastRun] = field(default_factory=list)

    def counters(self) -> dict[str, int]:
        """``nombreCourses``, victories, places (paid non-winning places), seconds and thirds."""
        courses = len(self.runs)
        wins = sum(1 for r in self.runs if r.rank == 1)
        seconds = sum(1 for r in self.runs if r.rank == 2)
        thirds = sum(1 for r in self.runs if r.rank == 3)
        places = sum(
            1 for r in self.runs if 2 <= r.rank <= len(PRIZE_SHARES[FAMILY_OF_DISCIPLINE[r.discipline]])
        )
        return {
            "nombreCourses": courses,
            "nombreVictoires": wins,
            "nombrePlaces": places,
            "nombrePlacesSecond": seconds,
            "nombrePlacesTroisieme": thirds,
        }

    def earnings(self, year: int) -> dict[str, int]:
        """``gainsParticipant`` in centimes (career, wins, places, this year, last year)."""
        career = wins = places = this_year = last_year = 0
        for run in self.runs:
            amount = run_earnings_centimes(run.discipline, run.prize, run.rank)
            if amount == 0:
                continue
            career += amount
            if run.rank == 1:
                wins += amount
            else:
                places += amount
            if run.year == year:
                this_year += amount
            elif run.year == year - 1:
                last_year += amount
        return {
            "gainsCarriere": career,
            "gainsVictoires": wins,
            "gainsPlace": places,
            "gainsAnneeEnCours": this_year,
            "gainsAnneePrecedente": last_year,
        }

    def musique(self, year: int, female: bool) -> str:
        """The musique of the last real runs: ``0p7p(25)5p3p1p``; ``Inédit`` before any run."""
        shown = self.runs[:MUSIQUE_RUNS]
        if not shown:
            return "Inédite" if female else "Inédit"
        parts: list[str] = []
        current = year
        for run in shown:
            if run.year != current:
                parts.append(f"({run.year % 100:02d})")
                current = run.year
            parts.append(musique_token(run))
        return "".join(parts)


def musique_token(run: PastRun) -> str:
    """``1p``, ``0a`` (10th or worse), ``Da`` (disqualified), ``Th`` (fell)..."""
    letter = MUSIQUE_LETTER[run.discipline]
    if run.rank > 0:
        return f"{run.rank if run.rank < 10 else 0}{letter}"
    return f"{MUSIQUE_INCIDENT.get(run.status, 'A')}{letter}"


def prize_share_euros(discipline: int, prize: int, rank: int) -> int:
    """What a place earns in euros (the programme's ``montantOffertNeme``)."""
    shares = PRIZE_SHARES[FAMILY_OF_DISCIPLINE[discipline]]
    if rank < 1 or rank > len(shares):
        return 0
    return round(prize * shares[rank - 1])


def run_earnings_centimes(discipline: int, prize: int, rank: int) -> int:
    return prize_share_euros(discipline, prize, rank) * 100


def histories(world: World, core: DayCore) -> list[History]:
    """The history of every runner of a day (index = runner index), before that day."""
    n = core.run_slot.size
    result = [History() for _ in range(n)]
    if n == 0:
        return result
    slots = core.run_slot.astype(np.int64)
    gens = core.run_generation.astype(np.int64)
    period = world.slot_period[slots]
    debut = world.debut(slots, gens)
    ordinal = core.ordinal
    all_k = np.maximum((ordinal - debut) // period, 0)

    # Look each past due day up in that day's core.
    who = np.repeat(np.arange(n), all_k)
    k = np.arange(who.size) - np.repeat(np.cumsum(all_k) - all_k, all_k) + 1
    days = ordinal - k * period[who]
    found: list[list[PastRun]] = [[] for _ in range(n)]
    order = np.argsort(days, kind="stable")
    days, who = days[order], who[order]
    bounds = np.flatnonzero(np.diff(days)) + 1
    for lo, hi in zip(
        np.concatenate([[0], bounds]).tolist(), np.concatenate([bounds, [days.size]]).tolist(), strict=True
    ):
        if lo == hi:
            continue
        day = int(days[lo])
        past = world.core(day)
        runners = who[lo:hi]
        hits = past.find(slots[runners])
        for runner, hit in zip(runners.tolist(), hits.tolist(), strict=True):
            if hit < 0:
                continue
            status = int(past.run_status[hit])
            race = int(past.run_race[hit])
            if (
                status == NON_PARTANT
                or past.race_cancelled[race]
                or int(past.run_generation[hit]) != gens[runner]
            ):
                continue
            found[runner].append(
                PastRun(
                    ordinal=int(day),
                    discipline=int(past.race_discipline[race]),
                    rank=int(past.run_rank[hit]),
                    status=status,
                    prize=int(past.race_prize[race]),
                    core=past,
                    race=race,
                    runner=hit,
                )
            )
    for runner in range(n):
        result[runner] = History(sorted(found[runner], key=lambda r: -r.ordinal))
    return result
