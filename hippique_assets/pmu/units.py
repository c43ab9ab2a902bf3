"""Unit conversions for PMU turfinfo values.

The API mixes units from one endpoint to the next (see ``shared/pmu-samples/README.md``): money in
centimes, weights in tenths of a kilogram, participants' times in milliseconds but past
performances' times in hundredths of a second, instants in epoch milliseconds. Every conversion
lives here, named after the unit it reads, so a parser never divides by a bare constant.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Instants outside these years cannot be held by a pandas frame (nanoseconds since 1970 in 64 bits).
_FIRST_YEAR, _LAST_YEAR = 1678, 2261
_MIN_MS = (datetime(_FIRST_YEAR, 1, 1, tzinfo=UTC) - _EPOCH) // timedelta(milliseconds=1)
_MAX_MS = (datetime(_LAST_YEAR + 1, 1, 1, tzinfo=UTC) - _EPOCH) // timedelta(milliseconds=1) - 1


def centimes_to_eur(value: float | None) -> float | None:
    """Centimes (``gainsParticipant.*``, ``miseBase``, ``dividende``) to euros, rounded to the cent."""
    return None if value is None else round(value / 100, 2)


def tenths_kg_to_kg(value: float | None) -> float | None:
    """Tenths of a kilogram (``handicapPoids``: 580 = 58.0 kg) to kilograms."""
    return None if value is None else round(value / 10, 1)


def ms_to_s(value: float | None) -> float | None:
    """Milliseconds (``tempsObtenu``, ``reductionKilometrique`` of participants, ``dureeCourse``) to seconds."""
    return None if value is None else round(value / 1000, 3)


def hundredths_to_s(value: float | None) -> float | None:
    """Hundredths of a second (``reductionKilometrique`` and ``tempsDuPremier`` of past performances)
    to seconds: 7700 = 77.00 s = 1'17"0."""
    return None if value is None else round(value / 100, 2)


def epoch_ms_to_utc(value: float | None) -> datetime | None:
    """An epoch-milliseconds instant (``heureDepart``, ``dateRapport``) as an aware UTC datetime.

    Raises ValueError for a value that is not a finite number or lies outside the years 1678 to
    2261 (what a frame's timestamps can hold).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"should be epoch milliseconds, got {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"should be a finite number of epoch milliseconds, got {value!r}")
    if not _MIN_MS <= value <= _MAX_MS:
        raise ValueError(
            f"epoch milliseconds {_magnitude(value)} fall outside the years {_FIRST_YEAR} to {_LAST_YEAR}"
        )
    return _EPOCH + timedelta(milliseconds=value)


def paris_wall_clock(instant: datetime) -> datetime:
    """The Europe/Paris wall-clock time of an aware instant, without tzinfo (a ``timestamp`` column)."""
    if instant.tzinfo is None:
        raise ValueError(f"naive datetime {instant.isoformat()} is ambiguous: give a timezone")
    return instant.astimezone(PARIS).replace(tzinfo=None)


def paris_date(value_ms: float) -> date:
    """The Europe/Paris calendar day of an epoch-milliseconds instant.

    ``programme.date`` and past races' ``date`` are local midnights; reading them through
    Europe/Paris (rather than adding the payload's ``timezoneOffset``, which is the offset in force
    after a daylight-saving change) gives the right day on change days too.
    """
    instant = epoch_ms_to_utc(value_ms)
    assert instant is not None
    return instant.astimezone(PARIS).date()


def offset_ms_to_s(value: float | None) -> int | None:
    """A ``timezoneOffset`` in milliseconds as whole seconds."""
    return None if value is None else int(value // 1000)


def decimal_comma(value: str | float | None) -> float | None:
    """A French decimal such as the penetrometer reading ``"4,3"`` as a float; blank gives None.

    Raises ValueError for text that is not a number and for any other kind of value.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{type(value).__name__} is not a decimal number")
    if isinstance(value, str):
        text = value.strip().replace(",", ".")
        return float(text) if text else None
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"{_magnitude(value)} is out of range for a decimal number") from None


def _magnitude(value: float) -> str:
    """A number short enough for a message, even an integer too large for a float."""
    try:
        return f"{value:.6g}"
    except OverflowError:
        return "an integer too large for a float"
