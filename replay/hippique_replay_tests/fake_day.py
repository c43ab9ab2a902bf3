"""A tiny stand-in for a generated day: one reunion, one race, answers that depend on the instant.

Race R1C1 starts at ``START``; its arrival is known from ``START + ARRIVAL_AFTER`` and its
rapports are final from ``START + FINAL_AFTER``. Any day other than ``RACE_DAY`` has no programme.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hippique_replay.day_bodies import EndpointMethods

RACE_DAY = date(2026, 3, 23)
START = datetime(2026, 3, 23, 12, 30, tzinfo=UTC)
ARRIVAL_AFTER = timedelta(minutes=5)
FINAL_AFTER = timedelta(minutes=15)
ARRIVAL = [3, 1, 2]


class FakeDay(EndpointMethods):
    """Answers of one fake day (``as_of=None``: final state)."""

    def __init__(self, day: date, seed: int) -> None:
        self.day = day
        self.seed = seed

    def _racing(self) -> bool:
        return self.day == RACE_DAY

    def _arrived(self, as_of: datetime | None) -> bool:
        return as_of is None or as_of >= START + ARRIVAL_AFTER

    def _course(self, as_of: datetime | None) -> dict:
        course: dict = {"numReunion": 1, "numOrdre": 1, "heureDepart": int(START.timestamp() * 1000)}
        course["arriveeDefinitive"] = self._arrived(as_of)
        if self._arrived(as_of):
            course["ordreArrivee"] = [[n] for n in ARRIVAL]
        return course

    def programme(self, as_of: datetime | None = None) -> dict | None:
        if not self._racing():
            return None
        reunion = {"numOfficiel": 1, "seed": self.seed, "courses": [self._course(as_of)]}
        return {"programme": {"reunions": [reunion]}}

    def reunion(self, reunion: int, as_of: datetime | None = None) -> dict | None:
        if not self._racing() or reunion != 1:
            return None
        return {"numOfficiel": 1, "courses": [self._course(as_of)]}

    def participants(self, reunion: int, course: int, as_of: datetime | None = None) -> dict | None:
        if not self._racing() or (reunion, course) != (1, 1):
            return None
        runners: list[dict[str, Any]] = [{"numPmu": n, "nom": f"CHEVAL {n}"} for n in (1, 2, 3)]
        if self._arrived(as_of):
            for runner in runners:
                runner["ordreArrivee"] = ARRIVAL.index(int(runner["numPmu"])) + 1
        return {"participants": runners}

    def performances(self, reunion: int, course: int, as_of: datetime | None = None) -> dict | None:
        if not self._racing() or (reunion, course) != (1, 1):
            return None
        return {"participants": [{"numPmu": n, "coursesCourues": []} for n in (1, 2, 3)]}

    def rapports(self, reunion: int, course: int, as_of: datetime | None = None) -> list | None:
        if not self._racing() or (reunion, course) != (1, 1):
            return None
        if as_of is not None and as_of < START + FINAL_AFTER:
            return None
        combinaison = str(ARRIVAL[0])
        return [
            {
                "typePari": "SIMPLE_GAGNANT",
                "rapports": [{"combinaison": combinaison, "dividendePourUnEuro": 340}],
            }
        ]


def fake_factory(day: date, seed: int) -> FakeDay:
    """A ``GeneratedSource`` factory building fake days."""
    return FakeDay(day, seed)
