"""Race identity: the per-race partition key and its parts.

A race key looks like ``2026-03-23-R1C4``: the Europe/Paris racing day, the reunion number
(PMU ``numOfficiel``) and the race number (PMU ``numOrdre``). Keys never contain ``,`` or ``|``
so they are safe as Dagster dynamic partition keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_RACE_KEY = re.compile(r"^(\d{4}-\d{2}-\d{2})-R(\d{1,2})C(\d{1,2})$")


@dataclass(frozen=True, order=True)
class RaceId:
    """One race of one racing day."""

    race_date: date
    reunion: int
    course: int

    @property
    def key(self) -> str:
        return race_key(self.race_date, self.reunion, self.course)

    @property
    def rc(self) -> str:
        return f"R{self.reunion}C{self.course}"

    def __str__(self) -> str:
        return self.key


def race_key(race_date: date, reunion: int, course: int) -> str:
    """The partition key of a race, e.g. ``2026-03-23-R1C4``."""
    if reunion < 1 or course < 1:
        raise ValueError(f"reunion and course numbers start at 1, got R{reunion}C{course}")
    return f"{race_date.isoformat()}-R{reunion}C{course}"


def parse_race_key(key: str) -> RaceId:
    """Split a race key back into its parts; raises ValueError naming the bad key."""
    match = _RACE_KEY.match(key)
    if match is None:
        raise ValueError(f"not a race key (expected YYYY-MM-DD-R<n>C<n>): {key!r}")
    day, reunion, course = match.groups()
    return RaceId(date.fromisoformat(day), int(reunion), int(course))


def pmu_date(day: date) -> str:
    """The DDMMYYYY form used in PMU turfinfo URLs."""
    return day.strftime("%d%m%Y")
