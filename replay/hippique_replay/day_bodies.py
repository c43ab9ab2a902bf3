"""What a replayed day is to the replay server: the body of an API path at an instant.

Kept apart from :mod:`hippique_replay.sources` so that the generator builds on it without the
sources importing the generator back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from hippique_assets.pmu.paths import ApiPath


class Day(Protocol):
    """The part of a generated day the source uses (``GeneratedDay`` in ``replay.generator``): the
    body of an API path at an instant, None where the live API has no data (204, or 404 where it
    means "not final yet"). A day serves the endpoints it knows and answers None to the others."""

    def body(self, path: ApiPath, as_of: datetime | None = None) -> Any: ...


class EndpointMethods:
    """A :class:`Day` whose body of each endpoint is its method named after the endpoint, called
    with the path's reunion and course (as the endpoint's scope has them) and ``as_of``; an endpoint
    without a method has no data."""

    def body(self, path: ApiPath, as_of: datetime | None = None) -> Any:
        method = getattr(self, path.endpoint, None)
        if method is None:
            return None
        scope = path.record.scope
        where = (
            () if scope == "day" else (path.reunion,) if scope == "reunion" else (path.reunion, path.course)
        )
        return method(*where, as_of=as_of)
