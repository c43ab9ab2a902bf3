"""Fault injection for the replay server: server errors, throttling, slow answers, time-outs, bad bodies.

A :class:`FaultPlan` says how often each fault happens (a probability per request) and where
bursts fall (requests ``start`` to ``start + count - 1`` of every path). Whether a request gets a
fault is a pure function of ``(seed, path, n)`` where ``n`` counts the requests of that path, so a
scenario replays exactly and concurrency cannot change which request of a given path gets which
fault. :class:`FaultInjector` keeps those per-path counters for a running server.

Fault kinds:

- ``5xx``: status 500, 502 or 503 (picked per request); in bursts, ``500``, ``502`` or ``503``
  give that one status.
- ``420``: throttled, as the live API answers an over-eager client.
- ``429``: too many requests, with a ``Retry-After`` header of ``retry_after_s`` seconds.
- ``slow``: the normal answer after ``slow_delay_s`` seconds.
- ``timeout``: nothing for ``timeout_s`` seconds, then the connection is closed without an answer.
- ``truncated``: the normal 200 body cut short (its Content-Length matches the cut body, so the
  client receives it whole and only decoding fails).
- ``invalid``: a 200 whose body is not JSON (an HTML error page, as a misbehaving proxy sends).

The two body faults only alter answers that have a body (a 204 passes unchanged).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

KINDS = ("5xx", "500", "502", "503", "420", "429", "slow", "timeout", "truncated", "invalid")
SERVER_ERROR_STATUSES = (500, 502, 503)
INVALID_BODY = b"<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>"

# Order in which the probabilities share the unit interval; part of the replay contract (changing
# it changes which request gets which fault for a given seed).
_RANDOM_KINDS = (
    ("5xx", "server_error"),
    ("420", "throttled"),
    ("429", "too_many"),
    ("timeout", "timeout"),
    ("slow", "slow"),
    ("truncated", "truncated"),
    ("invalid", "invalid"),
)


class FaultSpecError(ValueError):
    """A fault plan that cannot be built: names the offending spec item, key or file."""


@dataclass(frozen=True)
class Burst:
    """Requests ``start`` .. ``start + count - 1`` (0-based, per path) all get fault ``kind``; with
    ``path_pattern``, only on the paths where that regular expression is found."""

    kind: str
    start: int = 0
    count: int = 1
    path_pattern: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise FaultSpecError(f"unknown fault kind {self.kind!r} in burst: use one of {', '.join(KINDS)}")
        if self.start < 0 or self.count < 1:
            raise FaultSpecError(
                f"burst {self.kind}:{self.start}:{self.count} needs start >= 0 and count >= 1"
            )

    def covers(self, n: int, path: str = "") -> bool:
        """Whether the ``n``-th request of ``path`` falls in the burst."""
        if self.path_pattern is not None and re.search(self.path_pattern, path) is None:
            return False
        return self.start <= n < self.start + self.count


@dataclass(frozen=True)
class Fault:
    """The fault decided for one request.

    ``status`` is set for the status faults, ``delay_s`` for slow and timeout, ``retry_after_s``
    for 429, and ``cut_fraction`` (in ``(0, 1)``) says where a truncated body is cut.
    """

    kind: str
    status: int | None = None
    delay_s: float = 0.0
    retry_after_s: float | None = None
    cut_fraction: float = 0.5

    def cut(self, body: bytes) -> bytes:
        """The truncated body: at least one byte gone, at least one kept when there are two or more."""
        if len(body) < 2:
            return b""
        keep = min(len(body) - 1, max(1, int(len(body) * self.cut_fraction)))
        return body[:keep]


def _unit(seed: int, path: str, n: int, salt: str) -> float:
    """A uniform number in [0, 1) from the request's identity (stable across processes and runs)."""
    digest = hashlib.blake2b(f"{seed}|{path}|{n}|{salt}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _probability(name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise FaultSpecError(f"{name}: {value!r} is not a probability") from None
    if not 0.0 <= number <= 1.0:
        raise FaultSpecError(f"{name}: probability {number} is outside [0, 1]")
    return number


def _seconds(name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise FaultSpecError(f"{name}: {value!r} is not a number of seconds") from None
    if number < 0:
        raise FaultSpecError(f"{name}: {number} seconds is negative")
    return number


@dataclass(frozen=True)
class FaultPlan:
    """How often and where the replay server misbehaves. The default plan injects nothing.

    Probabilities are per request and exclusive (their sum must not exceed 1). ``path_pattern``
    (a regular expression searched in the API path) restricts every fault, bursts included.
    """

    seed: int = 0
    server_error: float = 0.0
    throttled: float = 0.0
    too_many: float = 0.0
    retry_after_s: float = 1.0
    slow: float = 0.0
    slow_delay_s: float = 1.0
    timeout: float = 0.0
    timeout_s: float = 30.0
    truncated: float = 0.0
    invalid: float = 0.0
    path_pattern: str | None = None
    bursts: tuple[Burst, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        total = 0.0
        for _, name in _RANDOM_KINDS:
            total += _probability(name, getattr(self, name))
        if total > 1.0 + 1e-9:
            raise FaultSpecError(f"fault probabilities add up to {total:g}, more than 1")
        for name in ("retry_after_s", "slow_delay_s", "timeout_s"):
            _seconds(name, getattr(self, name))
        if self.path_pattern is not None:
            try:
                re.compile(self.path_pattern)
            except re.error as exc:
                raise FaultSpecError(
                    f"path pattern {self.path_pattern!r} is not a valid regex: {exc}"
                ) from None
        object.__setattr__(self, "bursts", tuple(self.bursts))

    @property
    def active(self) -> bool:
        """Whether the plan can inject anything at all."""
        return bool(self.bursts) or any(getattr(self, name) > 0 for _, name in _RANDOM_KINDS)

    def applies_to(self, path: str) -> bool:
        """Whether ``path`` is subject to faults (the path pattern, when set, is found in it)."""
        return self.path_pattern is None or re.search(self.path_pattern, path) is not None

    def decide(self, path: str, n: int) -> Fault | None:
        """The fault of the ``n``-th request (0-based) of ``path``, or None. A pure function."""
        if not self.active or not self.applies_to(path):
            return None
        kind = next((burst.kind for burst in self.bursts if burst.covers(n, path)), None)
        if kind is None:
            draw = _unit(self.seed, path, n, "kind")
            edge = 0.0
            for candidate, name in _RANDOM_KINDS:
                edge += getattr(self, name)
                if draw < edge:
                    kind = candidate
                    break
        if kind is None:
            return None
        return self._fault(kind, path, n)

    def _fault(self, kind: str, path: str, n: int) -> Fault:
        if kind == "5xx":
            pick = int(_unit(self.seed, path, n, "status") * len(SERVER_ERROR_STATUSES))
            return Fault(kind, status=SERVER_ERROR_STATUSES[pick])
        if kind in ("500", "502", "503", "420"):
            return Fault(kind, status=int(kind))
        if kind == "429":
            return Fault(kind, status=429, retry_after_s=self.retry_after_s)
        if kind == "slow":
            return Fault(kind, delay_s=self.slow_delay_s)
        if kind == "timeout":
            return Fault(kind, delay_s=self.timeout_s)
        if kind == "truncated":
            # Cut somewhere in the middle half so the damage is neither trivial nor total.
            return Fault(kind, cut_fraction=0.25 + 0.5 * _unit(self.seed, path, n, "cut"))
        return Fault(kind)

    def describe(self) -> str:
        """The plan as a spec for :meth:`parse` (``"none"`` for the plan that injects nothing)."""
        if not self.active:
            return "none"
        delays = {"slow": self.slow_delay_s, "timeout": self.timeout_s, "429": self.retry_after_s}
        items = []
        for kind, name in _RANDOM_KINDS:
            probability = getattr(self, name)
            if probability > 0:
                items.append(f"{kind}={probability!r}" + (f":{delays[kind]!r}" if kind in delays else ""))
        items.extend(f"burst={b.kind}:{b.start}:{b.count}" for b in self.bursts)
        items.append(f"seed={self.seed}")
        if self.path_pattern is not None:
            items.append(f"path={self.path_pattern}")
        return ",".join(items)

    @classmethod
    def parse(cls, spec: str) -> FaultPlan:
        """Build a plan from a command-line spec.

        ``"5xx=0.1,429=0.05:2,slow=0.05:2.0,timeout=0.01:10,truncated=0.02,invalid=0.01,seed=7"``:
        ``KIND=P[:SECONDS]`` sets a probability (and the delay of slow, the wait of timeout, the
        Retry-After of 429); ``burst=KIND:START:COUNT`` adds a burst (repeatable); ``seed=N``;
        ``path=REGEX`` restricts faults and must come last (it takes the rest of the spec, commas
        included). An empty spec is the plan that injects nothing.
        """
        values: dict[str, Any] = {}
        bursts: list[Burst] = []
        text = spec.strip()
        path_at = _find_path_item(text)
        if path_at is not None:
            values["path_pattern"] = text[path_at + len("path=") :]
            text = text[:path_at].rstrip(",")
        for raw in filter(None, (item.strip() for item in text.split(","))):
            key, sep, value = raw.partition("=")
            key = key.strip().lower()
            if not sep or not value.strip():
                raise FaultSpecError(f"fault spec item {raw!r} is not KEY=VALUE (in {spec!r})")
            try:
                _apply_item(key, value.strip(), values, bursts)
            except FaultSpecError as exc:
                raise FaultSpecError(f"{exc} (item {raw!r} of fault spec {spec!r})") from None
        values["bursts"] = tuple(bursts)
        return cls(**values)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, origin: str = "fault plan") -> FaultPlan:
        """Build a plan from a mapping of field names (as in a TOML/JSON file); ``origin`` names it in errors.

        Bursts are a list of ``{kind, start, count}`` tables.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise FaultSpecError(
                f"{origin}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        values = dict(data)
        try:
            raw_bursts = values.pop("bursts", ())
            if not isinstance(raw_bursts, list | tuple):
                raise FaultSpecError(f"bursts must be a list of tables, got {type(raw_bursts).__name__}")
            bursts = []
            for item in raw_bursts:
                if not isinstance(item, Mapping):
                    raise FaultSpecError(f"a burst must be a table with kind/start/count, got {item!r}")
                bursts.append(Burst(**item))
            if "seed" in values and not isinstance(values["seed"], int):
                raise FaultSpecError(f"seed must be an integer, got {values['seed']!r}")
            return cls(**values, bursts=tuple(bursts))
        except FaultSpecError as exc:
            raise FaultSpecError(f"{origin}: {exc}") from None
        except TypeError as exc:
            raise FaultSpecError(f"{origin}: {exc}") from None

    @classmethod
    def from_file(cls, path: str | Path) -> FaultPlan:
        """Build a plan from a ``.toml`` or ``.json`` file of field names (see :meth:`from_mapping`)."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise FaultSpecError(f"cannot read fault plan {path}: {exc}") from None
        try:
            if path.suffix == ".toml":
                data = tomllib.loads(text)
            elif path.suffix == ".json":
                data = json.loads(text)
            else:
                raise FaultSpecError(f"fault plan {path} must be a .toml or .json file")
        except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
            raise FaultSpecError(f"fault plan {path} is not valid {path.suffix[1:].upper()}: {exc}") from None
        if not isinstance(data, dict):
            raise FaultSpecError(f"fault plan {path} must hold an object/table at top level")
        return cls.from_mapping(data, origin=f"fault plan {path}")

    @classmethod
    def load(cls, spec_or_file: str) -> FaultPlan:
        """A plan from a ``.toml``/``.json`` file path or, otherwise, a spec for :meth:`parse`."""
        if spec_or_file.endswith((".toml", ".json")) and "=" not in spec_or_file:
            return cls.from_file(spec_or_file)
        return cls.parse(spec_or_file)


def _find_path_item(text: str) -> int | None:
    if text.startswith("path="):
        return 0
    at = text.find(",path=")
    return None if at < 0 else at + 1


def _apply_item(key: str, value: str, values: dict[str, Any], bursts: list[Burst]) -> None:
    if key == "seed":
        try:
            values["seed"] = int(value)
        except ValueError:
            raise FaultSpecError(f"seed {value!r} is not an integer") from None
        return
    if key == "burst":
        parts = value.split(":")
        if len(parts) not in (2, 3):
            raise FaultSpecError("a burst is KIND:START[:COUNT]")
        try:
            numbers = [int(p) for p in parts[1:]]
        except ValueError:
            raise FaultSpecError("burst START and COUNT must be integers") from None
        bursts.append(Burst(parts[0], *numbers))
        return
    names = {kind: name for kind, name in _RANDOM_KINDS}
    if key not in names:
        raise FaultSpecError(f"unknown fault key {key!r}: use seed, burst, path or {', '.join(names)}")
    probability, _, seconds = value.partition(":")
    values[names[key]] = _probability(key, probability)
    if seconds:
        delay_field = {"slow": "slow_delay_s", "timeout": "timeout_s", "429": "retry_after_s"}.get(key)
        if delay_field is None:
            raise FaultSpecError(f"{key} takes no seconds (only slow, timeout and 429 do)")
        values[delay_field] = _seconds(key, seconds)


class FaultInjector:
    """Counts requests per path for a running server and asks the plan for each one's fault."""

    def __init__(self, plan: FaultPlan) -> None:
        self.plan = plan
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def next_fault(self, path: str) -> Fault | None:
        """The fault of the next request of ``path`` (query string ignored); counts the request."""
        bare = path.split("?", 1)[0]
        with self._lock:
            n = self._counts.get(bare, 0)
            self._counts[bare] = n + 1
        return self.plan.decide(bare, n)

    def requests_of(self, path: str) -> int:
        """How many requests of ``path`` were counted."""
        with self._lock:
            return self._counts.get(path.split("?", 1)[0], 0)
