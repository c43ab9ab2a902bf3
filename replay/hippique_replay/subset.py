"""A racing day cut down to a few of its races, for short replayed days (``hippique day --races N``).

:class:`RaceSubsetSource` wraps another source: for one day, the programme and the reunion
answers list only the kept races, and every other race of that day answers like a race PMU does
not know (204, rapports 404). Other days pass through unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import date, datetime
from typing import Any

from hippique_replay.sources import NO_CONTENT, Source, SourceAnswer, error_answer, json_answer, route

RaceNumber = tuple[int, int]


def programme_races(programme: dict[str, Any]) -> list[tuple[int, RaceNumber]]:
    """``(start in epoch milliseconds, (reunion, course))`` of every race in a programme payload."""
    races = []
    for reunion in programme["programme"]["reunions"]:
        for course in reunion.get("courses") or []:
            races.append((int(course["heureDepart"]), (int(reunion["numOfficiel"]), int(course["numOrdre"]))))
    return sorted(races)


def closest_races(programme: dict[str, Any], count: int) -> list[RaceNumber]:
    """The ``count`` races that follow each other most closely (the shortest span of start times).

    Ties go to the earliest window. Asking for more races than the day has keeps them all.
    """
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count}")
    races = programme_races(programme)
    if count >= len(races):
        return [number for _, number in races]
    spans = [races[i + count - 1][0] - races[i][0] for i in range(len(races) - count + 1)]
    first = spans.index(min(spans))
    return [number for _, number in races[first : first + count]]


def _keep_courses(reunion: dict[str, Any], kept: Collection[RaceNumber]) -> dict[str, Any]:
    number = int(reunion["numOfficiel"])
    courses = [c for c in reunion.get("courses") or [] if (number, int(c["numOrdre"])) in kept]
    return {**reunion, "courses": courses}


class RaceSubsetSource:
    """``inner`` with day ``day`` reduced to the races ``kept`` (``(reunion, course)`` pairs)."""

    def __init__(self, inner: Source, day: date, kept: Collection[RaceNumber]) -> None:
        if not kept:
            raise ValueError("keep at least one race")
        self.inner = inner
        self.day = day
        self.kept = frozenset(kept)

    def __repr__(self) -> str:
        return f"RaceSubsetSource({self.inner!r}, {self.day.isoformat()}, {len(self.kept)} races)"

    def respond(self, api_path: str, now: datetime | None) -> SourceAnswer:
        routed = route(api_path)
        if isinstance(routed, SourceAnswer) or routed.day != self.day:
            return self.inner.respond(api_path, now)
        if routed.endpoint in ("programme", "reunion"):
            answer = self.inner.respond(api_path, now)
            if answer.status != 200:
                return answer
            payload = json.loads(answer.body)
            if routed.endpoint == "programme":
                reunions = [_keep_courses(r, self.kept) for r in payload["programme"]["reunions"]]
                payload["programme"]["reunions"] = [r for r in reunions if r["courses"]]
                return json_answer(payload)
            reduced = _keep_courses(payload, self.kept)
            return json_answer(reduced) if reduced["courses"] else NO_CONTENT
        if (routed.reunion, routed.course) not in self.kept:
            if routed.endpoint == "rapports":
                return error_answer(404, f"no such race in this replay: {api_path}")
            return NO_CONTENT
        return self.inner.respond(api_path, now)
