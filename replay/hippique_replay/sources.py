"""What the replay server answers for an API path: a generated world or a folder of recorded responses.

A :class:`Source` turns an API path (``/programme/23032026/R1/C4/participants``, relative to the
client base URL) and a simulated instant into a status and a body. Both sources answer the way the
live API does (see ``pmu-samples/README.md``):

- 200 with the JSON body when there is data;
- 204 with an empty body where there is no data (no programme, no such reunion or race, no
  participants or performances);
- 404 where the endpoint's record says 404 means "not final yet" (``rapports-definitifs`` not
  final yet, or never recorded);
- 420 for a supported path followed by a trailing slash, which the live API answers that way
  for the programme URL; any other unknown path gets 404.

The two error bodies (404, 420) are a small JSON object of our own: the live API's error bodies
are not documented and no client reads them.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from hippique_assets.pmu.endpoints import PmuEndpoint
from hippique_assets.pmu.paths import ApiPath, parse_api_path
from hippique_replay.day_bodies import Day

JSON_CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class SourceAnswer:
    """One answer: HTTP status, body bytes and content type (None for an empty 204)."""

    status: int
    body: bytes = b""
    content_type: str | None = JSON_CONTENT_TYPE


NO_CONTENT = SourceAnswer(204, b"", None)


def json_answer(payload: Any, status: int = 200) -> SourceAnswer:
    """A JSON answer; compact separators like the live API's bodies."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return SourceAnswer(status, body, JSON_CONTENT_TYPE)


def error_answer(status: int, message: str) -> SourceAnswer:
    """A small JSON error body (``{"status": 404, "message": "..."}``) with that status."""
    return json_answer({"status": status, "message": message}, status)


class SourceError(RuntimeError):
    """A source could not produce an answer (an unreadable recorded file, a failing generator)."""


class Source(Protocol):
    """Anything that answers API paths for the replay server. Must be safe to call from several threads."""

    def respond(self, api_path: str, now: datetime | None) -> SourceAnswer:
        """The answer to ``api_path`` at simulated instant ``now`` (None: the day's final state)."""
        ...


def no_data(record: PmuEndpoint, api_path: str, why: str = "not final") -> SourceAnswer:
    """The live API's answer when there is no data: 404 where it means "not final yet", else 204."""
    if record.not_final_on_404:
        return error_answer(404, f"{record.name} {why}: {api_path}")
    return NO_CONTENT


def route(api_path: str) -> ApiPath | SourceAnswer:
    """Parse an API path, or return the answer the live API gives to a path it does not serve.

    A supported path with a trailing slash gets 420 (as the live API does for the programme URL);
    anything else unknown gets 404.
    """
    bare = api_path.split("?", 1)[0]
    try:
        return parse_api_path(bare)
    except ValueError:
        pass
    if bare.endswith("/") and len(bare) > 1:
        try:
            parse_api_path(bare.rstrip("/"))
        except ValueError:
            pass
        else:
            return error_answer(420, f"trailing slash not accepted: {bare}")
    return error_answer(404, f"unknown path: {bare}")


DayFactory = Callable[[date, int], Day]


def _default_factory(day: date, seed: int) -> Day:
    # Imported on first use: the generator pulls numpy, which FolderSource users do not need.
    from hippique_replay.generator import generate_day

    return generate_day(day, seed=seed)


class GeneratedSource:
    """Answers from the generated racing world of ``seed``.

    Days are generated on first request and kept in an LRU of ``cache_days`` entries, so a whole
    year can be served without holding it in memory. A day is generated once even when several
    requests for it arrive together. ``now=None`` serves each day's final state.
    ``generate`` replaces the generator (``generate(day, seed) -> Day``).
    """

    def __init__(self, seed: int = 0, cache_days: int = 8, generate: DayFactory | None = None) -> None:
        if cache_days < 1:
            raise ValueError(f"cache_days must be >= 1, got {cache_days!r}")
        self.seed = seed
        self.cache_days = cache_days
        self._generate = generate or _default_factory
        self._days: OrderedDict[date, Day] = OrderedDict()
        self._lock = threading.Lock()
        self._day_locks: dict[date, threading.Lock] = {}
        self.generated_count = 0

    def __repr__(self) -> str:
        return f"GeneratedSource(seed={self.seed}, cache_days={self.cache_days})"

    def day(self, day: date) -> Day:
        """The generated day (from the cache when it is there)."""
        with self._lock:
            cached = self._days.get(day)
            if cached is not None:
                self._days.move_to_end(day)
                return cached
            day_lock = self._day_locks.setdefault(day, threading.Lock())
        # Generation runs outside the cache lock so other days are served meanwhile; the per-day
        # lock makes concurrent first requests of one day wait for a single generation.
        with day_lock:
            with self._lock:
                cached = self._days.get(day)
                if cached is not None:
                    return cached
            try:
                generated = self._generate(day, self.seed)
            except Exception as exc:
                raise SourceError(f"generating {day.isoformat()} (seed {self.seed}) failed: {exc}") from exc
            with self._lock:
                self._days[day] = generated
                self.generated_count += 1
                while len(self._days) > self.cache_days:
                    evicted, _ = self._days.popitem(last=False)
                    self._day_locks.pop(evicted, None)
                self._day_locks.pop(day, None)
        return generated

    def respond(self, api_path: str, now: datetime | None) -> SourceAnswer:
        """The generated answer to ``api_path`` at ``now``."""
        routed = route(api_path)
        if isinstance(routed, SourceAnswer):
            return routed
        payload = self.day(routed.day).body(routed, as_of=now)
        if payload is None:
            return no_data(routed.record, api_path)
        return json_answer(payload)


class FolderSource:
    """Answers from recorded responses laid out as ``root + api_path + ".json"``.

    ``/programme/23032026`` is ``root/programme/23032026.json`` and
    ``/programme/23032026/R1/C4/participants`` is ``root/programme/23032026/R1/C4/participants.json``
    (the layout ``replay generate`` writes). Files are served byte for byte, whatever the clock
    says. A file that is not there answers like the live API with no data: 404 where that means
    "not final yet" (rapports), 204 for everything else. A ``root`` that does not exist is an empty recording; one that is a file
    is an error.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        if self.root.exists() and not self.root.is_dir():
            raise NotADirectoryError(f"replay folder {self.root} is not a directory")

    def __repr__(self) -> str:
        return f"FolderSource({str(self.root)!r})"

    def file_for(self, api_path: str) -> Path:
        """Where the recorded response of ``api_path`` is expected (the path must be a supported one)."""
        routed = route(api_path)
        if isinstance(routed, SourceAnswer):
            raise ValueError(f"not a PMU turfinfo path: {api_path!r}")
        bare = api_path.split("?", 1)[0].strip("/")
        return self.root / f"{bare}.json"

    def respond(self, api_path: str, now: datetime | None) -> SourceAnswer:
        """The recorded answer to ``api_path``; ``now`` is ignored (a recording is one instant)."""
        routed = route(api_path)
        if isinstance(routed, SourceAnswer):
            return routed
        path = self.file_for(api_path)
        try:
            body = path.read_bytes()
        except FileNotFoundError:
            return no_data(routed.record, api_path, "not recorded")
        except OSError as exc:
            raise SourceError(f"cannot read recorded response {path}: {exc}") from exc
        return SourceAnswer(200, body, JSON_CONTENT_TYPE)
