"""Counter-based randomness: every generated value is a pure function of integer keys.

A generated day must not depend on what was generated before it, so nothing here keeps a
stream position: a value is the hash of the keys that identify it (seed, kind of value, day,
horse...). ``splitmix64`` mixes well enough for simulation and is cheap in numpy, where whole
arrays of horses are hashed at once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_TO_UNIT = 1.0 / (1 << 53)

T = TypeVar("T")


def mix(value: int) -> int:
    """splitmix64 finaliser of one 64-bit integer."""
    z = (value + _GOLDEN) & MASK
    z = ((z ^ (z >> 30)) * _M1) & MASK
    z = ((z ^ (z >> 27)) * _M2) & MASK
    return z ^ (z >> 31)


def key(*parts: int) -> int:
    """One 64-bit hash of several integers (order matters)."""
    h = 0x2545F4914F6CDD1D
    for part in parts:
        h = mix(h ^ (part & MASK))
    return h


def unit(*parts: int) -> float:
    """A uniform number in [0, 1) from integer keys."""
    return (key(*parts) >> 11) * _TO_UNIT


def normal(*parts: int) -> float:
    """A standard normal number from integer keys (Box-Muller on two derived uniforms)."""
    h = key(*parts)
    u1 = ((mix(h) >> 11) + 1) * _TO_UNIT
    u2 = (mix(h ^ 0x5DEECE66D) >> 11) * _TO_UNIT
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def below(n: int, *parts: int) -> int:
    """An integer in ``[0, n)`` from integer keys."""
    if n <= 0:
        raise ValueError(f"cannot pick below {n}")
    return key(*parts) % n


def pick(items: Sequence[T], *parts: int) -> T:
    """One element of ``items`` chosen by integer keys."""
    return items[below(len(items), *parts)]


def pick_weighted(items: Sequence[T], weights: Sequence[float], *parts: int) -> T:
    """One element of ``items`` with probability proportional to ``weights``."""
    target = unit(*parts) * sum(weights)
    acc = 0.0
    for item, weight in zip(items, weights, strict=True):
        acc += weight
        if target < acc:
            return item
    return items[-1]


class Bits:
    """Many small random choices from one hash: a big integer consumed digit by digit.

    Hashing once and taking ``value % n`` repeatedly is far cheaper than one hash per choice,
    which matters when naming thousands of horses.
    """

    __slots__ = ("_state", "_value")

    def __init__(self, *parts: int) -> None:
        self._state = key(*parts)
        self._value = 0
        self._refill()

    def _refill(self) -> None:
        self._state = mix(self._state)
        high = mix(self._state ^ 0x9E3779B97F4A7C15)
        self._value = (self._value << 128) | (self._state << 64) | high

    def below(self, n: int) -> int:
        """An integer in ``[0, n)``."""
        if self._value < n << 24:
            self._refill()
        self._value, rest = divmod(self._value, n)
        return rest

    def pick(self, items: Sequence[T]) -> T:
        """One element of ``items``."""
        return items[self.below(len(items))]

    def unit(self) -> float:
        """A uniform number in [0, 1) with 24 bits of resolution."""
        return self.below(1 << 24) / (1 << 24)


# --- numpy versions: one hash per array element -------------------------------------------


def mix_array(values: np.ndarray) -> np.ndarray:
    """splitmix64 of every element of a uint64 array (wrapping arithmetic)."""
    z = np.array(values, dtype=np.uint64, ndmin=1)
    z += np.uint64(_GOLDEN)
    z ^= z >> np.uint64(30)
    z *= np.uint64(_M1)
    z ^= z >> np.uint64(27)
    z *= np.uint64(_M2)
    z ^= z >> np.uint64(31)
    return z


def key_array(base: int, *arrays: np.ndarray | int) -> np.ndarray:
    """Element-wise :func:`key`-like hash of ``base`` followed by arrays (or scalars) of integers."""
    h: np.ndarray | None = None
    for part in arrays:
        as_u64 = np.asarray(part).astype(np.int64).astype(np.uint64)
        h = mix_array(as_u64 ^ np.uint64(base & MASK)) if h is None else mix_array(h ^ as_u64)
    if h is None:
        raise ValueError("key_array needs at least one array")
    return h


def unit_array(base: int, *arrays: np.ndarray | int) -> np.ndarray:
    """Uniform numbers in [0, 1), one per element."""
    return (key_array(base, *arrays) >> np.uint64(11)).astype(np.float64) * _TO_UNIT


def normal_array(base: int, *arrays: np.ndarray | int) -> np.ndarray:
    """Standard normal numbers, one per element (Box-Muller)."""
    h = key_array(base, *arrays)
    u1 = ((mix_array(h) >> np.uint64(11)).astype(np.float64) + 1.0) * _TO_UNIT
    u2 = (mix_array(h ^ np.uint64(0x5DEECE66D)) >> np.uint64(11)).astype(np.float64) * _TO_UNIT
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def below_array(n: int, base: int, *arrays: np.ndarray | int) -> np.ndarray:
    """Integers in ``[0, n)``, one per element."""
    return (key_array(base, *arrays) % np.uint64(n)).astype(np.int64)
