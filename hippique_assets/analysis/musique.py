"""The ``musique``: a runner's recent results as PMU writes them, most recent first.

Grammar: ``entry*`` where an entry is a result code followed by a discipline letter, optionally
preceded by a year marker ``(YY)`` that dates the entries *after* it (earlier races):
- result: ``1``-``9`` (place), ``0`` (10th or worse), ``D`` (disqualified), ``A`` (stopped/"arrêté"),
  ``T`` (fell/"tombé"), ``R`` (refused), ``S`` (slipped/unseated);
- discipline: ``a`` attelé, ``m`` monté, ``p`` plat, ``h`` haies, ``s`` steeple-chase, ``c`` cross.
Entries before the first marker belong to the current year. Example: ``1p(25)6p7p`` = won this year,
then 6th and 7th in 2025.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

DISCIPLINES = {"a": "ATTELE", "m": "MONTE", "p": "PLAT", "h": "HAIE", "s": "STEEPLECHASE", "c": "CROSS"}
NON_PLACES = {"0", "D", "A", "T", "R", "S"}
_TOKEN = re.compile(r"\((\d{2})\)|([0-9DATRS])([amphsc])")


class MusiqueError(ValueError):
    """A musique string that does not follow the grammar."""


@dataclass(frozen=True)
class MusiqueEntry:
    place: int | None  # 1..9; None for 0 (unplaced) and letters
    code: str  # '1'..'9', '0', 'D', 'A', 'T', 'R', 'S'
    discipline: str
    year: int | None  # four digits when known


def parse_musique(text: str | None, current_year: int | None = None) -> list[MusiqueEntry]:
    """The entries of a musique string, most recent first; empty for None or ''."""
    if not text or text.strip().lower().startswith("inédit"):
        # PMU writes "Inédit" / "Inédite" for a horse that has never raced.
        return []
    compact = text.replace(" ", "")
    entries: list[MusiqueEntry] = []
    year = current_year
    position = 0
    while position < len(compact):
        match = _TOKEN.match(compact, position)
        if match is None:
            raise MusiqueError(
                f"musique {text!r}: unexpected {compact[position : position + 3]!r} at {position}"
            )
        if match.group(1):
            year = 2000 + int(match.group(1))
        else:
            code, letter = match.group(2), match.group(3)
            place = int(code) if code.isdigit() and code != "0" else None
            entries.append(MusiqueEntry(place, code, DISCIPLINES[letter], year))
        position = match.end()
    return entries


# Points per result: a win is worth 1, then decreasing; unplaced, fallen or disqualified 0.
_POINTS = {1: 1.0, 2: 0.75, 3: 0.6, 4: 0.45, 5: 0.35, 6: 0.25, 7: 0.15, 8: 0.1, 9: 0.05}


def form_score(entries: Sequence[MusiqueEntry], n_recent: int = 5, decay: float = 0.8) -> float:
    """Recent form in [0, 1]: points of the last ``n_recent`` results weighted by ``decay``**age.

    A horse with no past race scores 0.3, about an average runner, rather than 0.
    """
    recent = list(entries)[:n_recent]
    if not recent:
        return 0.3
    weights = [decay**i for i in range(len(recent))]
    points = [_POINTS.get(e.place, 0.0) if e.place is not None else 0.0 for e in recent]
    return sum(w * p for w, p in zip(weights, points, strict=True)) / sum(weights)
