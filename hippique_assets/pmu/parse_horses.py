"""Horse identity: the PMU ``idCheval`` when present, otherwise a documented derived key.

The derived key (``"d:"`` + 16 hex digits) hashes the normalised name, the birth year and the
normalised names of father and mother. Sex is not part of it: a colt gelded later changes from
``MALES`` to ``HONGRES``. When a payload gives neither an age nor a parent, the name alone could
merge two namesakes, so the key is scoped to the race (``"u:"``) instead.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Literal

HorseIdSource = Literal["pmu", "derived", "race"]

_SPACES = re.compile(r"\s+")


def normalise_name(name: str) -> str:
    """A name reduced for comparison: upper case, punctuation dropped, spaces collapsed.

    Any non-ASCII letter becomes ``?``, as an older capture writes it, so ``Pontchâteau`` and
    ``Pontch?teau`` normalise alike (``PONTCH?TEAU``).
    """
    out: list[str] = []
    for char in name.strip():
        if char.isascii():
            if char.isalnum() or char == "?":
                out.append(char.upper())
            else:
                out.append(" ")
        elif unicodedata.category(char).startswith("L"):
            out.append("?")
        else:
            out.append(" ")
    return _SPACES.sub(" ", "".join(out)).strip()


def _digest(*parts: str) -> str:
    return hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:16]


def derived_horse_id(
    name: str, birth_year: int | None, father: str | None, mother: str | None, *, race_key: str
) -> tuple[str, HorseIdSource]:
    """The key of a horse that has no ``idCheval``, and whether it is derived or race-scoped.

    ``race_key`` is only used when neither a birth year nor a parent is known.
    """
    norm_father = normalise_name(father) if father else ""
    norm_mother = normalise_name(mother) if mother else ""
    if birth_year is None and not norm_father and not norm_mother:
        return "u:" + _digest(normalise_name(name), race_key), "race"
    year = str(birth_year) if birth_year is not None else ""
    return "d:" + _digest(normalise_name(name), year, norm_father, norm_mother), "derived"


def horse_identity(
    id_cheval: str | None,
    name: str,
    birth_year: int | None,
    father: str | None,
    mother: str | None,
    *,
    race_key: str,
) -> tuple[str, HorseIdSource]:
    """``(horse_id, source)``: the PMU id verbatim when given, else :func:`derived_horse_id`."""
    if id_cheval is not None and str(id_cheval).strip():
        return str(id_cheval), "pmu"
    return derived_horse_id(name, birth_year, father, mother, race_key=race_key)
