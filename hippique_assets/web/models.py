"""What the web page parsers return: plain frozen dataclasses, no parsing logic."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime


@dataclass(frozen=True)
class WebRunner:
    """One runner as a page shows it; odds are decimal odds for a 1 euro stake, None when not shown."""

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
    """A race card from a web page: identity, start, conditions and runners."""

    source: str
    race_date: date
    hippodrome: str
    race_name: str | None
    reunion: int | None
    course: int | None
    start: datetime | None  # timezone-aware, Europe/Paris
    discipline: str | None
    distance_m: int | None
    prize_eur: float | None
    runners: tuple[WebRunner, ...] = field(default_factory=tuple)

    @property
    def start_utc(self) -> datetime | None:
        """The start instant in UTC (None when the page shows no start time)."""
        return self.start.astimezone(UTC) if self.start is not None else None

    @property
    def non_runners(self) -> list[int]:
        """Numbers of the runners flagged as non-runners, in page order."""
        return [r.number for r in self.runners if r.non_runner]


@dataclass(frozen=True)
class GenyPartants(WebRace):
    """A Geny partants page (``source == "geny"``; Geny shows no reunion number)."""


@dataclass(frozen=True)
class ZeturfCourse(WebRace):
    """A ZEturf course page (``source == "zeturf"``)."""


@dataclass(frozen=True)
class WebDividend:
    """One paying combination of one bet type.

    ``dividend_eur_per_stake`` is what the page shows: euros paid for ``base_stake_eur`` staked
    (the quinté+ is quoted for 2 euros, most bets for 1 euro).
    """

    bet_type: str
    combination: str
    numbers: tuple[int, ...]
    dividend_eur_per_stake: float
    base_stake_eur: float
    label: str = ""  # the row's wording when a bet pays several ways (Ordre, Désordre, Bonus 4...)

    @property
    def dividend_eur(self) -> float:
        """Same as ``dividend_eur_per_stake``."""
        return self.dividend_eur_per_stake

    @property
    def dividend_per_eur(self) -> float:
        """The dividend for a 1 euro stake, rounded to the centime."""
        return round(self.dividend_eur_per_stake / self.base_stake_eur, 2)


@dataclass(frozen=True)
class GenyArrivee:
    """A Geny arrivée-et-rapports page: arrival order, non-runners and the dividends of one operator."""

    source: str
    race_date: date
    hippodrome: str
    race_name: str | None
    arrival: tuple[int, ...]
    non_runners: tuple[int, ...]
    dividends: tuple[WebDividend, ...]
    course: int | None = None
    start: datetime | None = None  # timezone-aware, Europe/Paris
    discipline: str | None = None
    distance_m: int | None = None

    @property
    def start_utc(self) -> datetime | None:
        """The start instant in UTC (None when the page shows no start time)."""
        return self.start.astimezone(UTC) if self.start is not None else None


# The name the result fallback was written against.
WebArrival = GenyArrivee
