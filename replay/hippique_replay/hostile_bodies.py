"""Hostile JSON bodies: one element removed (shrink) or one value replaced by a hostile one (mutate).

These are the body surgeries of the ``shrink`` and ``mutate`` faults (see
:mod:`hippique_replay.faults`), pure functions of the body bytes that know nothing of plans or
requests:

- :func:`shrink_body` removes one element: a programme loses the last course of its last reunion
  (a race disappears without any cancellation status), a reunion its last course, participants or
  performances their last runner, rapports (a list of bet types) their last bet type; any other
  body loses the last element of its largest list.
- :func:`mutate_body` replaces one value by the hostile value of a mutation: ``zero`` (0),
  ``overflow`` (``10**20``), ``nan`` (NaN, written as the bare token ``NaN`` as Python's
  ``json.dumps`` does) or ``wrong_type`` (a number becomes its string, any other value an object).
  The target is a JSON pointer (RFC 6901, starts with ``/``) or a key name, whose first occurrence
  in document order is hit; a target that is an object or a list is replaced at its first number.

A body that does not fit (not JSON, no such target) raises :class:`FaultApplyError`.
"""

from __future__ import annotations

import json
import math
from typing import Any

MUTATIONS = ("zero", "overflow", "nan", "wrong_type")
# Past the int64 range a database column or a numpy array usually holds.
OVERFLOW_VALUE = 10**20


class FaultApplyError(ValueError):
    """A body fault that does not fit the body it was aimed at (not JSON, no such target)."""


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
