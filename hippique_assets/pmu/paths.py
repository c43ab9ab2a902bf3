"""Paths of the PMU turfinfo API, relative to the client base URL.

The live base URL is ``https://online.turfinfo.api.pmu.fr/rest/client/61``; every path below is
appended to it. The replay server answers the same paths, so one record per endpoint
(:mod:`hippique_assets.pmu.endpoints`) builds a path and :func:`parse_api_path` parses it back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from hippique_assets.pmu.endpoints import ENDPOINTS, PmuEndpoint, Scope, endpoint

# The endpoint of a path, by its scope and its tail after the day, reunion or race.
_BY_TAIL: dict[tuple[Scope, str], PmuEndpoint] = {(e.scope, e.tail): e for e in ENDPOINTS}
_TAIL_PATTERN = "|".join(
    re.escape(t) for t in sorted({e.tail for e in ENDPOINTS if e.tail}, key=len, reverse=True)
)
_PATH = re.compile(
    r"^/programme/(?P<day>\d{8})"
    r"(?:/R(?P<reunion>\d{1,2})(?:/C(?P<course>\d{1,2}))?)?"
    rf"(?:/(?P<tail>{_TAIL_PATTERN}))?$"
)


def api_path(name: str, day: date, reunion: int | None = None, course: int | None = None) -> str:
    """The path of endpoint ``name`` for a day, reunion or race."""
    return endpoint(name).path(day, reunion, course)


def programme_path(day: date) -> str:
    return api_path("programme", day)


def reunion_path(day: date, reunion: int) -> str:
    return api_path("reunion", day, reunion)


def participants_path(day: date, reunion: int, course: int) -> str:
    return api_path("participants", day, reunion, course)


def performances_path(day: date, reunion: int, course: int) -> str:
    return api_path("performances", day, reunion, course)


def rapports_path(day: date, reunion: int, course: int) -> str:
    return api_path("rapports", day, reunion, course)


@dataclass(frozen=True)
class ApiPath:
    """A parsed API path."""

    endpoint: str
    day: date
    reunion: int | None = None
    course: int | None = None

    @property
    def record(self) -> PmuEndpoint:
        """The endpoint's record."""
        return endpoint(self.endpoint)


def parse_api_path(path: str) -> ApiPath:
    """Parse ``/programme/23032026/R1/C4/participants`` (query string ignored).

    Raises ValueError for anything that is not one of the supported endpoints, including a
    trailing slash (which the live API answers with 420).
    """
    bare = path.split("?", 1)[0]
    match = _PATH.match(bare)
    if match is None:
        raise ValueError(f"not a PMU turfinfo path: {path!r}")
    reunion = int(match["reunion"]) if match["reunion"] else None
    course = int(match["course"]) if match["course"] else None
    scope: Scope = "day" if reunion is None else "reunion" if course is None else "race"
    found = _BY_TAIL.get((scope, match["tail"] or ""))
    if found is None:
        raise ValueError(f"not a PMU turfinfo path: {path!r}")
    day = datetime.strptime(match["day"], "%d%m%Y").date()
    return ApiPath(found.name, day, reunion, course)


def raw_file_path(path: str, partition: str) -> str:
    """Where the raw payload of one request is kept, relative to the files root.

    ``/programme/23032026/R1/C4/participants`` for partition ``2026-03-23`` becomes
    ``pmu/2026-03-23/programme/23032026/R1/C4/participants.json``.
    """
    bare = path.split("?", 1)[0].strip("/")
    return f"pmu/{partition}/{bare}.json"
