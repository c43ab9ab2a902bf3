"""Unit conversions for PMU turfinfo values.

The API mixes units from one endpoint to the next (see ``shared/pmu-samples/README.md``): money in
centimes, weights in tenths of a kilogram, participants' times in milliseconds but past
performances' times in hundredths of a second, instants in epoch milliseconds. Every conversion
lives here, named after the unit it reads, so a parser never divides by a bare constant.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


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
    """An epoch-milliseconds instant (``heureDepart``, ``dateRapport``) as an aware UTC datetime."""
    if value is None:
        return None
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=value)


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
    """A French decimal such as the penetrometer reading ``"4,3"`` as a float; blank gives None."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    text = value.strip().replace(",", ".")
    if not text:
        return None
    return float(text)
