"""The shape of JSON documents: inferred from real captures, then used to check generated ones.

A :class:`Shape` records, for one position in a document (``$.programme.reunions[].courses[]``),
which JSON kinds were seen there and, for objects, how often each key was present. A key present
in every observed object is *required*; one present in only some is *optional*; a key never seen
is *unknown*. :func:`check_conforms` lists every way a document departs from a shape: a missing
required key, an unknown key, or a value of a kind never seen at that position (an integer is
accepted where decimals were seen, since JSON writers drop ``.0`` freely).

Positions the captures tell nothing about accept anything: an array that was always empty, and a
value that was always null (its type is unknown; null only says the capture had no value there).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

KINDS = ("null", "bool", "int", "float", "str", "list", "dict")


def kind_of(value: Any) -> str:
    """The JSON kind of a decoded value; raises TypeError for anything JSON cannot hold."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "dict"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


@dataclass
class Shape:
    """What was observed at one position of a set of documents."""

    kinds: set[str] = field(default_factory=set)
    objects: int = 0
    key_counts: dict[str, int] = field(default_factory=dict)
    fields: dict[str, Shape] = field(default_factory=dict)
    items: Shape | None = None

    @property
    def observed(self) -> bool:
        """True once at least one value was seen here."""
        return bool(self.kinds)

    def required_keys(self) -> set[str]:
        """Keys present in every object observed here."""
        return {key for key, count in self.key_counts.items() if count == self.objects}

    def optional_keys(self) -> set[str]:
        """Keys present in some but not all objects observed here."""
        return {key for key, count in self.key_counts.items() if count < self.objects}

    def add(self, value: Any) -> None:
        """Record one more observed value at this position."""
        kind = kind_of(value)
        self.kinds.add(kind)
        if kind == "dict":
            self.objects += 1
            for key, child in value.items():
                self.key_counts[key] = self.key_counts.get(key, 0) + 1
                self.fields.setdefault(key, Shape()).add(child)
        elif kind == "list":
            if self.items is None:
                self.items = Shape()
            for child in value:
                self.items.add(child)

    def at(self, path: str) -> Shape:
        """The sub-shape at a dotted path where ``[]`` steps into array items, e.g. ``reunions[].courses``."""
        node: Shape = self
        for step in path.split("."):
            name, brackets = step, 0
            while name.endswith("[]"):
                name, brackets = name[:-2], brackets + 1
            if name:
                if name not in node.fields:
                    raise KeyError(f"no key {name!r} observed at {path!r}")
                node = node.fields[name]
            for _ in range(brackets):
                if node.items is None:
                    raise KeyError(f"no array observed at {path!r}")
                node = node.items
        return node


def infer_shape(objs: Iterable[Any]) -> Shape:
    """The merged shape of several documents of the same kind (e.g. every captured programme)."""
    shape = Shape()
    for obj in objs:
        shape.add(obj)
    return shape


def _kind_accepted(kind: str, seen: set[str]) -> bool:
    if kind in seen:
        return True
    return kind == "int" and "float" in seen


def _generic(path: str) -> str:
    """``$.a[3].b[0]`` -> ``$.a[].b[]`` (the form used to name positions)."""
    out: list[str] = []
    skipping = False
    for char in path:
        if char == "[":
            skipping = True
            out.append("[]")
        elif char == "]":
            skipping = False
        elif not skipping:
            out.append(char)
    return "".join(out)


def check_conforms(
    obj: Any, shape: Shape, path: str = "$", nullable: frozenset[str] = frozenset()
) -> list[str]:
    """Every departure of ``obj`` from ``shape``, as readable messages naming the JSON path.

    ``nullable`` names positions (``$.participants[].place.place``) where null is accepted even
    though no capture shows it: for cases the captures do not contain at all.
    """
    if not shape.observed or shape.kinds == {"null"}:
        return []
    kind = kind_of(obj)
    if kind == "null" and nullable and _generic(path) in nullable:
        return []
    if not _kind_accepted(kind, shape.kinds):
        return [f"{path}: {kind} where captures have {'/'.join(sorted(shape.kinds))}"]
    problems: list[str] = []
    if kind == "dict" and shape.objects:
        for key in sorted(shape.required_keys() - obj.keys()):
            problems.append(f"{path}: missing key {key!r}")
        for key, value in obj.items():
            child = shape.fields.get(key)
            if child is None:
                problems.append(f"{path}: unknown key {key!r}")
                continue
            problems.extend(check_conforms(value, child, f"{path}.{key}", nullable))
    elif kind == "list" and shape.items is not None:
        for index, value in enumerate(obj):
            problems.extend(check_conforms(value, shape.items, f"{path}[{index}]", nullable))
    return problems


def coverage(shape: Shape, obj_shape: Shape, path: str = "$") -> list[str]:
    """Optional keys the captures show at populated positions that ``obj_shape`` never produced.

    Useful to see which rarely-present real keys a generator leaves out; not a conformance failure.
    """
    missing: list[str] = []
    if not shape.observed or not obj_shape.observed:
        return missing
    for key, child in shape.fields.items():
        if key not in obj_shape.fields:
            missing.append(f"{path}.{key}")
        else:
            missing.extend(coverage(child, obj_shape.fields[key], f"{path}.{key}"))
    if shape.items is not None and obj_shape.items is not None:
        missing.extend(coverage(shape.items, obj_shape.items, f"{path}[]"))
    return missing
