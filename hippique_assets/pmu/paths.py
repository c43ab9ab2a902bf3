"""Paths of the PMU turfinfo API, relative to the client base URL.

The live base URL is ``https://online.turfinfo.api.pmu.fr/rest/client/61``; every path below is
appended to it. The replay server answers the same paths, so one function builds a path and one
parses it back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from hippique_assets.racing.keys import pmu_date

Endpoint = Literal["programme", "reunion", "participants", "performances", "rapports"]

_PATH = re.compile(
    r"^/programme/(?P<day>\d{8})"
    r"(?:/R(?P<reunion>\d{1,2})"
    r"(?:/C(?P<course>\d{1,2})/(?P<tail>participants|performances-detaillees/pretty|rapports-definitifs))?)?$"
)
_TAILS: dict[str, Endpoint] = {
    "participants": "participants",
    "performances-detaillees/pretty": "performances",
    "rapports-definitifs": "rapports",
}


def programme_path(day: date) -> str:
    return f"/programme/{pmu_date(day)}"


def reunion_path(day: date, reunion: int) -> str:
    return f"{programme_path(day)}/R{reunion}"


def participants_path(day: date, reunion: int, course: int) -> str:
    return f"{reunion_path(day, reunion)}/C{course}/participants"


def performances_path(day: date, reunion: int, course: int) -> str:
    return f"{reunion_path(day, reunion)}/C{course}/performances-detaillees/pretty"


def rapports_path(day: date, reunion: int, course: int) -> str:
    return f"{reunion_path(day, reunion)}/C{course}/rapports-definitifs"


@dataclass(frozen=True)
class ApiPath:
    """A parsed API path."""

    endpoint: Endpoint
    day: date
    reunion: int | None = None
    course: int | None = None


def parse_api_path(path: str) -> ApiPath:
    """Parse ``/programme/23032026/R1/C4/participants`` (query string ignored).

    Raises ValueError for anything that is not one of the supported endpoints, including a
    trailing slash (which the live API answers with 420).
    """
    bare = path.split("?", 1)[0]
    match = _PATH.match(bare)
    if match is None:
        raise ValueError(f"not a PMU turfinfo path: {path!r}")
    day = datetime.strptime(match["day"], "%d%m%Y").date()
    reunion = int(match["reunion"]) if match["reunion"] else None
    course = int(match["course"]) if match["course"] else None
    if reunion is None:
        return ApiPath("programme", day)
    if course is None:
        return ApiPath("reunion", day, reunion)
    return ApiPath(_TAILS[match["tail"]], day, reunion, course)


def raw_file_path(path: str, partition: str) -> str:
    """Where the raw payload of one request is kept, relative to the files root.

    ``/programme/23032026/R1/C4/participants`` for partition ``2026-03-23`` becomes
    ``pmu/2026-03-23/programme/23032026/R1/C4/participants.json``.
    """
    bare = path.split("?", 1)[0].strip("/")
    return f"pmu/{partition}/{bare}.json"
