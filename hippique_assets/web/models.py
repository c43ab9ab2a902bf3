"""What the web parsers return."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class WebRunner:
    number: int
    name: str
    jockey: str | None = None
    trainer: str | None = None
    musique: str | None = None
    sex_age: str | None = None
    distance_m: int | None = None
    non_runner: bool = False
    reference_odds: float | None = None
    win_odds: float | None = None
    place_odds_min: float | None = None
    place_odds_max: float | None = None


@dataclass(frozen=True)
class WebRace:
    source: str
    race_date: date
    hippodrome: str
    race_name: str | None
    reunion: int | None
    course: int | None
    start: datetime | None  # timezone-aware (Europe/Paris)
    discipline: str | None
    distance_m: int | None
    prize_eur: float | None
    runners: tuple[WebRunner, ...] = field(default_factory=tuple)

    @property
    def non_runners(self) -> list[int]:
        return [r.number for r in self.runners if r.non_runner]


@dataclass(frozen=True)
class WebDividend:
    bet_type: str
    combination: str
    numbers: tuple[int, ...]
    dividend_eur: float
    base_stake_eur: float
    label: str = ""  # the row's wording when a bet pays several ways (Ordre, Désordre, Bonus 4...)


@dataclass(frozen=True)
class WebArrival:
    source: str
    race_date: date
    hippodrome: str
    race_name: str | None
    arrival: tuple[int, ...]
    non_runners: tuple[int, ...]
    dividends: tuple[WebDividend, ...]
