"""Fault injection for the replay server: server errors, throttling, slow answers, time-outs, bad bodies,
and hostile answers aimed at one request of one path.

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
- ``shrink``: the normal 200 JSON body with one element removed, by :func:`shrink_body`: a
  programme loses the last course of its last reunion (a race disappears without any
  cancellation status), a reunion its last course, participants or performances their last
  runner, rapports (a list of bet types) their last bet type; any other body loses the last
  element of its largest list.
- ``mutate``: the normal 200 JSON body with one value replaced by a hostile one, by
  :func:`mutate_body`. The mutation is ``zero`` (0), ``overflow`` (``10**20``), ``nan`` (NaN,
  written as the bare token ``NaN`` as Python's ``json.dumps`` does) or ``wrong_type`` (a number
  becomes its string, any other value an object). The target is a JSON pointer (RFC 6901, starts
  with ``/``) or a key name, whose first occurrence in document order is hit; a target that is an
  object or a list is replaced at its first number. Without a target: ``numOrdre`` for zero and
  wrong_type, ``heureDepart`` for overflow, ``dateRapport`` for nan.
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

Spec grammar (see :meth:`FaultPlan.parse`), items separated by commas::

    KIND=P[:SECONDS]                                  random fault of a probability
    burst=KIND:START[:COUNT][@PATH_REGEX]             requests START.. of the matching paths
    burst=mutate:MUTATION[=TARGET]:START[:COUNT][@PATH_REGEX]
    huge_bytes=N | drip_bytes=N | drip_interval_s=S | redirect_host=IP | redirect_port=N
    seed=N
    path=REGEX                                        last: restricts every fault

``burst=204:1@/programme/23032026$`` makes the 2nd request of ``/programme/23032026`` answer 204;
``burst=mutate:nan=/participants/0/dernierRapportDirect/dateRapport:0@/R1/C3/participants$``
puts NaN in the first participants answer of R1C3. A burst's path regex runs to the next item
(it may hold commas); in the spec form a mutate target may not hold ``:`` or ``@`` (a TOML or JSON
file has no such limits). The same plan as a TOML file::

    drip_interval_s = 0.5
    [[bursts]]
    kind = "mutate"
    mutation = "nan"
    target = "/participants/0/dernierRapportDirect/dateRapport"
    start = 0
    path_pattern = "/R1/C3/participants$"
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import math
import re
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

HOSTILE_KINDS = ("204", "shrink", "mutate", "huge", "drip", "redirect_offhost", "redirect_scheme")
KINDS = ("5xx", "500", "502", "503", "420", "429", "slow", "timeout", "truncated", "invalid", *HOSTILE_KINDS)
SERVER_ERROR_STATUSES = (500, 502, 503)
INVALID_BODY = b"<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>"
MUTATIONS = ("zero", "overflow", "nan", "wrong_type")
DEFAULT_MUTATION_TARGETS = {
    "zero": "numOrdre",
    "overflow": "heureDepart",
    "nan": "dateRapport",
    "wrong_type": "numOrdre",
}
# Past the int64 range a database column or a numpy array usually holds.
OVERFLOW_VALUE = 10**20
DEFAULT_HUGE_BYTES = 64 * 2**20
REDIRECT_STATUS = 302

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
_DELAY_FIELDS = {"slow": "slow_delay_s", "timeout": "timeout_s", "429": "retry_after_s"}
# Settings of the hostile kinds, spelled in a spec as in a file.
_SETTINGS = ("huge_bytes", "drip_bytes", "drip_interval_s", "redirect_host", "redirect_port")
# A spec item starts with a key and "="; anything else after a comma belongs to a burst's path regex.
_ITEM_START = re.compile(r"\s*[A-Za-z0-9_]+\s*=")


class FaultSpecError(ValueError):
    """A fault plan that cannot be built: names the offending spec item, key or file."""


class FaultApplyError(ValueError):
    """A body fault that does not fit the body it was aimed at (not JSON, no such target)."""


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
    ``target`` (a JSON pointer or a key name; see :func:`mutate_body`).
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

    def spec(self) -> str:
        """The burst as the value of a ``burst=`` spec item."""
        kind = self.kind
        if self.mutation is not None:
            kind = f"{kind}:{self.mutation}" + (f"={self.target}" if self.target is not None else "")
        text = f"{kind}:{self.start}:{self.count}"
        return text if self.path_pattern is None else f"{text}@{self.path_pattern}"


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
        for _, name in _RANDOM_KINDS:
            total += _probability(name, getattr(self, name))
        if total > 1.0 + 1e-9:
            raise FaultSpecError(f"fault probabilities add up to {total:g}, more than 1")
        for name in ("retry_after_s", "slow_delay_s", "timeout_s", "drip_interval_s"):
            _seconds(name, getattr(self, name))
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
        return bool(self.bursts) or any(getattr(self, name) > 0 for _, name in _RANDOM_KINDS)

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
        for kind, name in _RANDOM_KINDS:
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

    def describe(self) -> str:
        """The plan as a spec for :meth:`parse` (``"none"`` for the plan that injects nothing)."""
        if not self.active:
            return "none"
        items = []
        for kind, name in _RANDOM_KINDS:
            probability = getattr(self, name)
            if probability > 0:
                delay = _DELAY_FIELDS.get(kind)
                items.append(f"{kind}={probability!r}" + (f":{getattr(self, delay)!r}" if delay else ""))
        items.extend(f"burst={b.spec()}" for b in self.bursts)
        defaults = {f.name: f.default for f in fields(self)}
        for name in _SETTINGS:
            value = getattr(self, name)
            if value != defaults[name]:
                items.append(f"{name}={value!r}" if isinstance(value, float) else f"{name}={value}")
        items.append(f"seed={self.seed}")
        if self.path_pattern is not None:
            items.append(f"path={self.path_pattern}")
        return ",".join(items)

    @classmethod
    def parse(cls, spec: str) -> FaultPlan:
        """Build a plan from a command-line spec.

        ``"5xx=0.1,429=0.05:2,slow=0.05:2.0,timeout=0.01:10,truncated=0.02,invalid=0.01,seed=7"``:
        ``KIND=P[:SECONDS]`` sets a probability (and the delay of slow, the wait of timeout, the
        Retry-After of 429); ``burst=KIND:START[:COUNT][@PATH_REGEX]`` adds a burst (repeatable;
        a mutate burst is ``burst=mutate:MUTATION[=TARGET]:START[:COUNT][@PATH_REGEX]``);
        ``huge_bytes=N``, ``drip_bytes=N``, ``drip_interval_s=S``, ``redirect_host=IP`` and
        ``redirect_port=N`` shape the hostile kinds; ``seed=N``; ``path=REGEX`` restricts faults
        and must come last (it takes the rest of the spec, commas included). An empty spec is the
        plan that injects nothing.
        """
        values: dict[str, Any] = {}
        bursts: list[Burst] = []
        text = spec.strip()
        path_at = _find_path_item(text)
        if path_at is not None:
            values["path_pattern"] = text[path_at + len("path=") :]
            text = text[:path_at].rstrip(",")
        for raw in filter(None, (item.strip() for item in _split_items(text))):
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

        Bursts are a list of tables of :class:`Burst` fields (``kind``, ``start``, ``count``,
        ``path_pattern``, ``mutation``, ``target``).
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


def _split_items(text: str) -> list[str]:
    """The spec's items: split at commas, except inside a burst's path regex (``\\d{1,2}``)."""
    items: list[str] = []
    for piece in text.split(","):
        previous = items[-1].strip().lower() if items else ""
        if previous.startswith("burst=") and "@" in previous and not _ITEM_START.match(piece):
            items[-1] += "," + piece
        else:
            items.append(piece)
    return items


def _parse_burst(value: str) -> Burst:
    head, at, pattern = value.partition("@")
    if at and not pattern:
        raise FaultSpecError("a burst's path regex after @ is empty")
    parts = head.split(":")
    mutation: str | None = None
    target: str | None = None
    if parts[0] == "mutate":
        if len(parts) < 3:
            raise FaultSpecError("a mutate burst is mutate:MUTATION[=TARGET]:START[:COUNT]")
        mutation, has_target, raw_target = parts[1].partition("=")
        target = raw_target if has_target else None
        parts = [parts[0], *parts[2:]]
    if len(parts) not in (2, 3):
        raise FaultSpecError("a burst is KIND:START[:COUNT][@PATH_REGEX]")
    try:
        numbers = [int(p) for p in parts[1:]]
    except ValueError:
        raise FaultSpecError("burst START and COUNT must be integers") from None
    start, count = numbers[0], numbers[1] if len(numbers) > 1 else 1
    return Burst(
        parts[0], start, count, path_pattern=pattern if at else None, mutation=mutation, target=target
    )


def _setting(key: str, value: str) -> Any:
    if key == "redirect_host":
        return value
    if key == "drip_interval_s":
        return _seconds(key, value)
    try:
        return int(value)
    except ValueError:
        raise FaultSpecError(f"{key}: {value!r} is not an integer") from None


def _apply_item(key: str, value: str, values: dict[str, Any], bursts: list[Burst]) -> None:
    if key == "seed":
        try:
            values["seed"] = int(value)
        except ValueError:
            raise FaultSpecError(f"seed {value!r} is not an integer") from None
        return
    if key == "burst":
        bursts.append(_parse_burst(value))
        return
    if key in _SETTINGS:
        values[key] = _setting(key, value)
        return
    names = dict(_RANDOM_KINDS)
    if key in HOSTILE_KINDS:
        raise FaultSpecError(f"{key} is placed by bursts only: burst={key}:START[:COUNT][@PATH_REGEX]")
    if key not in names:
        raise FaultSpecError(
            f"unknown fault key {key!r}: use seed, burst, path, {', '.join(_SETTINGS)} or {', '.join(names)}"
        )
    probability, _, seconds = value.partition(":")
    values[names[key]] = _probability(key, probability)
    if seconds:
        delay_field = _DELAY_FIELDS.get(key)
        if delay_field is None:
            raise FaultSpecError(f"{key} takes no seconds (only slow, timeout and 429 do)")
        values[delay_field] = _seconds(key, seconds)


# -- hostile bodies -------------------------------------------------------------------------------


def parse_pointer(pointer: str) -> list[str]:
    """The reference tokens of an RFC 6901 JSON pointer (``~1`` is ``/``, ``~0`` is ``~``)."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise FaultApplyError(f"JSON pointer {pointer!r} does not start with /")
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]


def format_pointer(tokens: list[str]) -> str:
    """The RFC 6901 JSON pointer of ``tokens``."""
    return "".join("/" + token.replace("~", "~0").replace("/", "~1") for token in tokens)


def _child(node: Any, token: str) -> Any:
    if isinstance(node, dict) and token in node:
        return node[token]
    if isinstance(node, list) and token.isdigit() and int(token) < len(node):
        return node[int(token)]
    raise KeyError(token)


def _get(document: Any, tokens: list[str]) -> Any:
    node = document
    for depth, token in enumerate(tokens):
        try:
            node = _child(node, token)
        except KeyError:
            raise FaultApplyError(f"{format_pointer(tokens[: depth + 1])} is not in the body") from None
    return node


def _set(document: Any, tokens: list[str], value: Any) -> None:
    parent = _get(document, tokens[:-1])
    if isinstance(parent, list):
        parent[int(tokens[-1])] = value
    else:
        parent[tokens[-1]] = value


def _entries(node: Any) -> list[tuple[str, Any]]:
    if isinstance(node, dict):
        return [(str(key), value) for key, value in node.items()]
    if isinstance(node, list):
        return [(str(index), value) for index, value in enumerate(node)]
    return []


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _find_key(node: Any, name: str) -> list[str] | None:
    """Tokens of the first ``name`` key in document order (the order of the serialised text)."""
    for token, value in _entries(node):
        if isinstance(node, dict) and token == name:
            return [token]
        found = _find_key(value, name)
        if found is not None:
            return [token, *found]
    return None


def _first_number(node: Any) -> list[str] | None:
    """Tokens of the first number under ``node`` in document order."""
    for token, value in _entries(node):
        if _is_number(value):
            return [token]
        found = _first_number(value)
        if found is not None:
            return [token, *found]
    return None


def _largest_list(node: Any, tokens: list[str] | None = None) -> tuple[int, list[str]] | None:
    """Size and tokens of the largest non-empty list (the first of equals, in document order)."""
    tokens = tokens or []
    best = (len(node), tokens) if isinstance(node, list) and node else None
    for token, value in _entries(node):
        found = _largest_list(value, [*tokens, token])
        if found is not None and (best is None or found[0] > best[0]):
            best = found
    return best


def _load(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FaultApplyError(f"the body is not JSON: {exc}") from None


def _dump(document: Any) -> bytes:
    # allow_nan writes NaN as the bare token, which strict JSON parsers reject.
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=True).encode("utf-8")


def _shrink_list(document: Any) -> list[str] | None:
    """Tokens of the list :func:`shrink_body` removes the last element of."""
    if isinstance(document, list) and document:
        return []  # rapports: the bet types
    if isinstance(document, dict):
        programme = document.get("programme")
        if isinstance(programme, dict) and isinstance(programme.get("reunions"), list):
            reunions = programme["reunions"]
            for index in reversed(range(len(reunions))):
                courses = reunions[index].get("courses") if isinstance(reunions[index], dict) else None
                if isinstance(courses, list) and courses:
                    return ["programme", "reunions", str(index), "courses"]
        for key in ("courses", "participants"):
            if isinstance(document.get(key), list) and document[key]:
                return [key]
    largest = _largest_list(document)
    return None if largest is None else largest[1]


def shrink_body(body: bytes) -> tuple[bytes, str]:
    """``body`` with one element removed, and the JSON pointer of the removed element.

    A programme loses the last course of its last reunion that has courses, a reunion (an
    object with ``courses``) its last course, participants or performances (an object with
    ``participants``) their last runner, rapports (a list of bet types) the last bet type; any
    other body the last element of its largest list. :class:`FaultApplyError` when the body is
    not JSON or holds no non-empty list.
    """
    document = _load(body)
    tokens = _shrink_list(document)
    if tokens is None:
        raise FaultApplyError("the body holds no list to shrink")
    shrunk = _get(document, tokens)
    shrunk.pop()
    return _dump(document), format_pointer([*tokens, str(len(shrunk))])


def hostile_value(mutation: str, value: Any) -> Any:
    """What ``mutation`` puts in place of ``value``."""
    if mutation == "zero":
        return 0
    if mutation == "overflow":
        return OVERFLOW_VALUE
    if mutation == "nan":
        return math.nan
    if mutation == "wrong_type":
        return str(value) if _is_number(value) else {"valeur": value}
    raise FaultApplyError(f"unknown mutation {mutation!r}: use one of {', '.join(MUTATIONS)}")


def mutate_body(body: bytes, mutation: str, target: str) -> tuple[bytes, str]:
    """``body`` with the value at ``target`` replaced by the ``mutation``'s hostile value, and the
    JSON pointer of the replaced value.

    ``target`` is a JSON pointer (starts with ``/``) or a key name, whose first occurrence in
    document order is taken; an object or list there is replaced at its first number (itself
    when it holds none). :class:`FaultApplyError` when the body is not JSON or has no such target.
    """
    document = _load(body)
    if target.startswith("/"):
        tokens = parse_pointer(target)
    else:
        found = _find_key(document, target)
        if found is None:
            raise FaultApplyError(f"no key {target!r} in the body")
        tokens = found
    node = _get(document, tokens)
    if isinstance(node, dict | list):
        tokens = [*tokens, *(_first_number(node) or [])]
    if not tokens:
        raise FaultApplyError("the target is the whole body, which holds no number")
    _set(document, tokens, hostile_value(mutation, _get(document, tokens)))
    return _dump(document), format_pointer(tokens)


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
