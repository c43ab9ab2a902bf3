"""The text forms of a fault plan: the command-line spec, and TOML or JSON files of field names.

:func:`parse_fault_spec` reads a spec, :func:`describe_fault_plan` writes one back (parsing it
gives the same plan), :func:`read_fault_plan` reads a file and :func:`load_fault_plan` takes
either. Errors are :class:`~hippique_replay.faults.FaultSpecError` naming the offending item, key
or file.

Spec grammar, items separated by commas::

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

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from hippique_replay.faults import (
    HOSTILE_KINDS,
    RANDOM_KINDS,
    Burst,
    FaultPlan,
    FaultSpecError,
    as_probability,
    as_seconds,
)

# The plan field a random kind's ``:SECONDS`` sets.
_DELAY_FIELDS = {"slow": "slow_delay_s", "timeout": "timeout_s", "429": "retry_after_s"}
# Settings of the hostile kinds, spelled in a spec as in a file.
_SETTINGS = ("huge_bytes", "drip_bytes", "drip_interval_s", "redirect_host", "redirect_port")
# A spec item starts with a key and "="; anything else after a comma belongs to a burst's path regex.
_ITEM_START = re.compile(r"\s*[A-Za-z0-9_]+\s*=")


def parse_fault_spec(spec: str) -> FaultPlan:
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
    return FaultPlan(**values)


def describe_fault_plan(plan: FaultPlan) -> str:
    """The plan as a spec for :func:`parse_fault_spec` (``"none"`` for the plan that injects nothing)."""
    if not plan.active:
        return "none"
    items = []
    for kind, name in RANDOM_KINDS:
        probability = getattr(plan, name)
        if probability > 0:
            delay = _DELAY_FIELDS.get(kind)
            items.append(f"{kind}={probability!r}" + (f":{getattr(plan, delay)!r}" if delay else ""))
    items.extend(f"burst={_burst_spec(b)}" for b in plan.bursts)
    defaults = {f.name: f.default for f in fields(plan)}
    for name in _SETTINGS:
        value = getattr(plan, name)
        if value != defaults[name]:
            items.append(f"{name}={value!r}" if isinstance(value, float) else f"{name}={value}")
    items.append(f"seed={plan.seed}")
    if plan.path_pattern is not None:
        items.append(f"path={plan.path_pattern}")
    return ",".join(items)


def fault_plan_from_mapping(data: Mapping[str, Any], *, origin: str = "fault plan") -> FaultPlan:
    """Build a plan from a mapping of field names (as in a TOML/JSON file); ``origin`` names it in errors.

    Bursts are a list of tables of :class:`~hippique_replay.faults.Burst` fields (``kind``,
    ``start``, ``count``, ``path_pattern``, ``mutation``, ``target``).
    """
    known = {f.name for f in fields(FaultPlan)}
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
        return FaultPlan(**values, bursts=tuple(bursts))
    except FaultSpecError as exc:
        raise FaultSpecError(f"{origin}: {exc}") from None
    except TypeError as exc:
        raise FaultSpecError(f"{origin}: {exc}") from None


def read_fault_plan(path: str | Path) -> FaultPlan:
    """Build a plan from a ``.toml`` or ``.json`` file of field names (see :func:`fault_plan_from_mapping`)."""
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
    return fault_plan_from_mapping(data, origin=f"fault plan {path}")


def load_fault_plan(spec_or_file: str) -> FaultPlan:
    """A plan from a ``.toml``/``.json`` file path or, otherwise, a spec for :func:`parse_fault_spec`."""
    if spec_or_file.endswith((".toml", ".json")) and "=" not in spec_or_file:
        return read_fault_plan(spec_or_file)
    return parse_fault_spec(spec_or_file)


def _burst_spec(burst: Burst) -> str:
    """The burst as the value of a ``burst=`` spec item."""
    kind = burst.kind
    if burst.mutation is not None:
        kind = f"{kind}:{burst.mutation}" + (f"={burst.target}" if burst.target is not None else "")
    text = f"{kind}:{burst.start}:{burst.count}"
    return text if burst.path_pattern is None else f"{text}@{burst.path_pattern}"


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
        return as_seconds(key, value)
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
    names = dict(RANDOM_KINDS)
    if key in HOSTILE_KINDS:
        raise FaultSpecError(f"{key} is placed by bursts only: burst={key}:START[:COUNT][@PATH_REGEX]")
    if key not in names:
        raise FaultSpecError(
            f"unknown fault key {key!r}: use seed, burst, path, {', '.join(_SETTINGS)} or {', '.join(names)}"
        )
    probability, _, seconds = value.partition(":")
    values[names[key]] = as_probability(key, probability)
    if seconds:
        delay_field = _DELAY_FIELDS.get(key)
        if delay_field is None:
            raise FaultSpecError(f"{key} takes no seconds (only slow, timeout and 429 do)")
        values[delay_field] = as_seconds(key, seconds)
