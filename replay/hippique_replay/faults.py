"""The fault plan of the replay server: which request gets a server error, throttling, a slow answer,
a time-out, a bad body or a hostile answer aimed at one request of one path.

A :class:`FaultPlan` says how often each fault happens (a probability per request) and where
bursts fall (requests ``start`` to ``start + count - 1`` of every path, or of the paths where the
burst's own ``path_pattern`` is found). Whether a request gets a fault is a pure function of
``(seed, path, n)`` where ``n`` counts the requests of that path (0-based, query string ignored),
so a scenario replays exactly and concurrency cannot change which request of a given path gets
which fault. :class:`FaultInjector` keeps those per-path counters for a running server.

Fault kinds drawn at random (``KIND=P``) or placed by bursts:

- ``5xx``: status 500, 502 or 503 (picked per request); in bursts, ``500``, ``502`` or ``503``
  give that one status.
- ``420``: throttled, as the live API answers an over-eager client.
- ``429``: too many requests, with a ``Retry-After`` header of ``retry_after_s`` seconds.
- ``slow``: the normal answer after ``slow_delay_s`` seconds.
- ``timeout``: nothing for ``timeout_s`` seconds, then the connection is closed without an answer.
- ``truncated``: the normal 200 body cut short (its Content-Length matches the cut body, so the
  client receives it whole and only decoding fails).
- ``invalid``: a 200 whose body is not JSON (an HTML error page, as a misbehaving proxy sends).

Hostile kinds, placed by bursts only (a random hostile answer would make the damaged race
unpredictable; a burst names the request that is damaged):

- ``204``: ``204 No Content`` instead of the answer (the live API does this when it has nothing,
  e.g. on a programme refresh).
- ``shrink``: the normal 200 JSON body with one element removed (a programme loses a race, a
  list of runners or bet types its last one), by :func:`~hippique_replay.hostile_bodies.shrink_body`.
- ``mutate``: the normal 200 JSON body with one value replaced by a hostile one, by
  :func:`~hippique_replay.hostile_bodies.mutate_body`. The mutation is ``zero``, ``overflow``,
  ``nan`` or ``wrong_type``; the target is a JSON pointer or a key name. Without a target:
  ``numOrdre`` for zero and wrong_type, ``heureDepart`` for overflow, ``dateRapport`` for nan.
- ``huge``: the normal 200 body padded with spaces to ``huge_bytes`` (64 MiB by default), which
  is still valid JSON; streamed in chunks, never built in memory.
- ``drip``: the normal 200 body sent ``drip_bytes`` at a time, one write every
  ``drip_interval_s`` seconds (Content-Length is the whole body); sending stops when the client
  goes away or the server stops.
- ``redirect_offhost``: ``302`` to the same path and query on ``redirect_host`` (a loopback
  address, ``127.0.0.2`` by default) and ``redirect_port`` (default: the server's own port).
- ``redirect_scheme``: ``302`` to the same URL with ``https://`` instead of ``http://``.

The body faults (truncated, invalid, shrink, mutate, huge, drip) only alter 200 answers that have
a body; a 204 or an error passes unchanged. A shrink or mutate that does not fit the body (not
JSON, no such target) leaves it unchanged and says why in the request's ``error``.

A plan is written as a spec or a TOML/JSON file (see :mod:`hippique_replay.fault_spec`); what a
fault does to an answer is in :mod:`hippique_replay.fault_answers`.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from hippique_replay.hostile_bodies import MUTATIONS

HOSTILE_KINDS = ("204", "shrink", "mutate", "huge", "drip", "redirect_offhost", "redirect_scheme")
KINDS = ("5xx", "500", "502", "503", "420", "429", "slow", "timeout", "truncated", "invalid", *HOSTILE_KINDS)
SERVER_ERROR_STATUSES = (500, 502, 503)
DEFAULT_MUTATION_TARGETS = {
    "zero": "numOrdre",
    "overflow": "heureDepart",
    "nan": "dateRapport",
    "wrong_type": "numOrdre",
}
DEFAULT_HUGE_BYTES = 64 * 2**20
REDIRECT_STATUS = 302

# Order in which the probabilities share the unit interval; part of the replay contract (changing
# it changes which request gets which fault for a given seed).
RANDOM_KINDS = (
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


def _check_regex(what: str, pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise FaultSpecError(f"{what} {pattern!r} is not a valid regex: {exc}") from None


@dataclass(frozen=True)
class Burst:
    """Requests ``start`` .. ``start + count - 1`` (0-based, per path) all get fault ``kind``; with
    ``path_pattern``, only on the paths where that regular expression is found.

    A ``mutate`` burst names its ``mutation`` (one of :data:`MUTATIONS`) and may name its
    ``target`` (a JSON pointer or a key name; see :func:`~hippique_replay.hostile_bodies.mutate_body`).
    """

    kind: str
    start: int = 0
    count: int = 1
    path_pattern: str | None = None
    mutation: str | None = None
    target: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise FaultSpecError(f"unknown fault kind {self.kind!r} in burst: use one of {', '.join(KINDS)}")
        if self.start < 0 or self.count < 1:
            raise FaultSpecError(
                f"burst {self.kind}:{self.start}:{self.count} needs start >= 0 and count >= 1"
            )
        if self.path_pattern is not None:
            _check_regex("burst path pattern", self.path_pattern)
        if self.kind == "mutate" and self.mutation not in MUTATIONS:
            raise FaultSpecError(
                f"a mutate burst needs a mutation among {', '.join(MUTATIONS)}, got {self.mutation!r}"
            )
        if self.kind != "mutate" and (self.mutation is not None or self.target is not None):
            raise FaultSpecError(f"only a mutate burst takes a mutation and a target, not {self.kind}")
        if self.target is not None and not self.target:
            raise FaultSpecError("a mutate target must not be empty")

    def covers(self, n: int, path: str = "") -> bool:
        """Whether the ``n``-th request of ``path`` falls in the burst."""
        if self.path_pattern is not None and re.search(self.path_pattern, path) is None:
            return False
        return self.start <= n < self.start + self.count


@dataclass(frozen=True)
class Fault:
    """The fault decided for one request.

    ``status`` is set for the status faults (204 and the 302 of the redirects included),
    ``delay_s`` for slow, timeout and drip (its interval), ``retry_after_s`` for 429, and
    ``cut_fraction`` (in ``(0, 1)``) says where a truncated body is cut. ``size_bytes`` is the
    body size of huge, ``chunk_bytes`` the size of each drip write, ``redirect_host`` and
    ``redirect_port`` (None: the server's port) the target of redirect_offhost, ``mutation`` and
    ``target`` what mutate replaces.
    """

    kind: str
    status: int | None = None
    delay_s: float = 0.0
    retry_after_s: float | None = None
    cut_fraction: float = 0.5
    size_bytes: int = 0
    chunk_bytes: int = 0
    redirect_host: str | None = None
    redirect_port: int | None = None
    mutation: str | None = None
    target: str | None = None

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


def as_probability(name: str, value: Any) -> float:
    """``value`` as a probability in [0, 1]; FaultSpecError naming ``name`` otherwise."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise FaultSpecError(f"{name}: {value!r} is not a probability") from None
    if not 0.0 <= number <= 1.0:
        raise FaultSpecError(f"{name}: probability {number} is outside [0, 1]")
    return number


def as_seconds(name: str, value: Any) -> float:
    """``value`` as a non-negative number of seconds; FaultSpecError naming ``name`` otherwise."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise FaultSpecError(f"{name}: {value!r} is not a number of seconds") from None
    if number < 0:
        raise FaultSpecError(f"{name}: {number} seconds is negative")
    return number


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise FaultSpecError(f"{name}: {value!r} is not a positive integer")
    return value


def _loopback_host(name: str, value: Any) -> str:
    # Redirect targets stay on this machine, like the server itself.
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        raise FaultSpecError(f"{name}: {value!r} is not an IP address") from None
    if not address.is_loopback:
        raise FaultSpecError(f"{name}: {value!r} is not a loopback address (127.0.0.0/8, ::1)")
    return str(address)


@dataclass(frozen=True)
class FaultPlan:
    """How often and where the replay server misbehaves. The default plan injects nothing.

    Probabilities are per request and exclusive (their sum must not exceed 1). ``path_pattern``
    (a regular expression searched in the API path) restricts every fault, bursts included.
    ``huge_bytes``, ``drip_bytes``, ``drip_interval_s``, ``redirect_host`` and ``redirect_port``
    shape the hostile kinds (see the module documentation).
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
    huge_bytes: int = DEFAULT_HUGE_BYTES
    drip_bytes: int = 1
    drip_interval_s: float = 2.0
    redirect_host: str = "127.0.0.2"
    redirect_port: int | None = None
    path_pattern: str | None = None
    bursts: tuple[Burst, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        total = 0.0
        for _, name in RANDOM_KINDS:
            total += as_probability(name, getattr(self, name))
        if total > 1.0 + 1e-9:
            raise FaultSpecError(f"fault probabilities add up to {total:g}, more than 1")
        for name in ("retry_after_s", "slow_delay_s", "timeout_s", "drip_interval_s"):
            as_seconds(name, getattr(self, name))
        _positive_int("huge_bytes", self.huge_bytes)
        _positive_int("drip_bytes", self.drip_bytes)
        object.__setattr__(self, "redirect_host", _loopback_host("redirect_host", self.redirect_host))
        if (
            self.redirect_port is not None
            and not 1 <= _positive_int("redirect_port", self.redirect_port) <= 65535
        ):
            raise FaultSpecError(f"redirect_port: {self.redirect_port} is not in 1..65535")
        if self.path_pattern is not None:
            _check_regex("path pattern", self.path_pattern)
        object.__setattr__(self, "bursts", tuple(self.bursts))

    @property
    def active(self) -> bool:
        """Whether the plan can inject anything at all."""
        return bool(self.bursts) or any(getattr(self, name) > 0 for _, name in RANDOM_KINDS)

    def applies_to(self, path: str) -> bool:
        """Whether ``path`` is subject to faults (the path pattern, when set, is found in it)."""
        return self.path_pattern is None or re.search(self.path_pattern, path) is not None

    def decide(self, path: str, n: int) -> Fault | None:
        """The fault of the ``n``-th request (0-based) of ``path``, or None. A pure function."""
        if not self.active or not self.applies_to(path):
            return None
        burst = next((burst for burst in self.bursts if burst.covers(n, path)), None)
        if burst is not None:
            return self._fault(burst.kind, path, n, burst)
        draw = _unit(self.seed, path, n, "kind")
        edge = 0.0
        for kind, name in RANDOM_KINDS:
            edge += getattr(self, name)
            if draw < edge:
                return self._fault(kind, path, n)
        return None

    def _fault(self, kind: str, path: str, n: int, burst: Burst | None = None) -> Fault:
        if kind == "5xx":
            pick = int(_unit(self.seed, path, n, "status") * len(SERVER_ERROR_STATUSES))
            return Fault(kind, status=SERVER_ERROR_STATUSES[pick])
        if kind in ("500", "502", "503", "420", "204"):
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
        if kind == "redirect_offhost":
            return Fault(
                kind,
                status=REDIRECT_STATUS,
                redirect_host=self.redirect_host,
                redirect_port=self.redirect_port,
            )
        if kind == "redirect_scheme":
            return Fault(kind, status=REDIRECT_STATUS)
        if kind == "huge":
            return Fault(kind, size_bytes=self.huge_bytes)
        if kind == "drip":
            return Fault(kind, delay_s=self.drip_interval_s, chunk_bytes=self.drip_bytes)
        if kind == "mutate" and burst is not None and burst.mutation is not None:
            target = burst.target or DEFAULT_MUTATION_TARGETS[burst.mutation]
            return Fault(kind, mutation=burst.mutation, target=target)
        return Fault(kind)


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
