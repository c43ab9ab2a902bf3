"""A deterministic generator of whole PMU racing days, in the exact shape of the turfinfo API.

``generate_day(day, seed)`` is cheap: the day is computed on first use and cached. Every body is a
pure function of (seed, day, as_of): generating a day alone or after other days gives the same
JSON, and nothing keeps more than a bounded window of past days in memory.

The generated world has recurring horses, riders and trainers with hidden abilities and skills;
outcomes are drawn from hidden true probabilities that the market only sees noisily and with a
favourite-longshot bias (see :mod:`hippique_replay.gen_fields` and
:mod:`hippique_replay.gen_market`). A horse's musique and past performances are the races it
actually ran on earlier generated days (see :mod:`hippique_replay.gen_history`).

``as_of`` (an aware datetime) shows the day as it was at that instant: planned races with moving
odds, declared non-runners, then arrivals, then final dividends; ``None`` is the final state.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from pathlib import Path

from hippique_assets.pmu.endpoints import ENDPOINTS
from hippique_assets.pmu.paths import parse_api_path
from hippique_replay import gen_json, gen_json_rapports, gen_json_runners
from hippique_replay.day_bodies import EndpointMethods
from hippique_replay.gen_circuits import FAR_FOREIGN
from hippique_replay.gen_day import DayModel, Phase, as_instant
from hippique_replay.gen_rules import DISCIPLINES


@dataclass(frozen=True)
class RaceSlot:
    """One race of a generated day."""

    reunion: int
    course: int
    start_utc: datetime
    discipline: str
    cancelled: bool


class GeneratedDay(EndpointMethods):
    """A generated racing day: the bodies of every endpoint at any instant, each from the method
    named after the endpoint (see :class:`~hippique_replay.day_bodies.EndpointMethods`)."""

    def __init__(self, day: date, seed: int = 0) -> None:
        self.day = day
        self.seed = seed

    def __repr__(self) -> str:
        return f"GeneratedDay(day={self.day.isoformat()}, seed={self.seed})"

    @cached_property
    def model(self) -> DayModel:
        """The day's computed state (built on first use)."""
        return DayModel(self.day, self.seed)

    def races(self) -> list[RaceSlot]:
        """Every race of the day, by reunion then race number."""
        core = self.model.core
        slots = []
        for plan in core.reunions:
            for race in plan.races:
                slots.append(
                    RaceSlot(
                        reunion=plan.number,
                        course=int(core.race_course[race]),
                        start_utc=self.model.starts[race],
                        discipline=DISCIPLINES[int(core.race_discipline[race])],
                        cancelled=bool(core.race_cancelled[race]),
                    )
                )
        return slots

    def programme(self, as_of: datetime | None = None) -> dict:
        """Body of ``/programme/DDMMYYYY``."""
        return gen_json.programme_body(self.model, as_instant(as_of))

    def reunion(self, reunion: int, as_of: datetime | None = None) -> dict | None:
        """Body of ``/programme/DDMMYYYY/R{n}``; None (204) for a reunion that does not exist."""
        if self.model.reunion_plan(reunion) is None:
            return None
        return gen_json.reunion_body(self.model, reunion, as_instant(as_of))

    def participants(self, reunion: int, course: int, as_of: datetime | None = None) -> dict | None:
        """Body of ``/R{n}/C{n}/participants``; None (204) for a race that does not exist."""
        race = self.model.race_index(reunion, course)
        if race is None:
            return None
        return gen_json_runners.participants_body(self.model, race, as_instant(as_of))

    def performances(self, reunion: int, course: int, as_of: datetime | None = None) -> dict | None:
        """Body of ``/R{n}/C{n}/performances-detaillees/pretty``.

        None (204) for a race that does not exist and, as on the live API, for races overseas
        (Hong Kong, South America). Past races do not change during the day, so ``as_of`` only
        has to be accepted.
        """
        as_instant(as_of)
        race = self.model.race_index(reunion, course)
        if race is None:
            return None
        plan = self.model.core.reunions[int(self.model.core.race_reunion[race])]
        if plan.country in FAR_FOREIGN:
            return None
        return gen_json_runners.performances_body(self.model, race)

    def rapports(self, reunion: int, course: int, as_of: datetime | None = None) -> list | None:
        """Body of ``/R{n}/C{n}/rapports-definitifs``; None (404) until they are final or if cancelled."""
        race = self.model.race_index(reunion, course)
        if race is None:
            return None
        if self.model.phase(race, as_instant(as_of)) != Phase.FINAL:
            return None
        return gen_json_rapports.rapports_body(self.model, race)

    def true_win_probabilities(self, reunion: int, course: int) -> dict[int, float]:
        """The hidden true win probability of each starter (numPmu -> probability, summing to 1)."""
        race = self.model.race_index(reunion, course)
        if race is None:
            raise KeyError(f"no race R{reunion}C{course} on {self.day.isoformat()} (seed {self.seed})")
        probabilities = self.model.true_probabilities(race)
        core = self.model.core
        return {
            int(core.run_number[i]): float(probabilities[k])
            for k, i in enumerate(self.model.runners(race))
            if probabilities[k] > 0
        }


def generate_day(day: date, seed: int = 0) -> GeneratedDay:
    """A generated day (cheap to construct; computes lazily and caches)."""
    return GeneratedDay(day, seed)


def write_day(day: date, out_dir: Path, seed: int = 0, as_of: datetime | None = None) -> list[Path]:
    """Write every endpoint's body of a day under ``out_dir`` in the API path layout.

    ``out_dir/programme/DDMMYYYY.json``, ``.../R1.json``, ``.../R1/C4/participants.json``,
    ``.../performances-detaillees/pretty.json``, ``.../rapports-definitifs.json``. Endpoints that
    would answer 204 or 404 at ``as_of`` get no file. Returns the files written.
    """
    generated = generate_day(day, seed)
    written: list[Path] = []

    def save(api_path: str, body: object) -> None:
        target = Path(out_dir) / (api_path.lstrip("/") + ".json")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
        written.append(target)

    def save_all(scope: str, reunion: int | None = None, course: int | None = None) -> None:
        for endpoint in ENDPOINTS:
            if endpoint.scope == scope:
                api_path = endpoint.path(day, reunion, course)
                body = generated.body(parse_api_path(api_path), as_of)
                if body is not None:
                    save(api_path, body)

    save_all("day")
    for plan in generated.model.core.reunions:
        save_all("reunion", plan.number)
    for slot in generated.races():
        save_all("race", slot.reunion, slot.course)
    return written
