"""Unit conversions, with values taken from the real captures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from hippique_assets.pmu.units import (
    centimes_to_eur,
    decimal_comma,
    epoch_ms_to_utc,
    hundredths_to_s,
    ms_to_s,
    offset_ms_to_s,
    paris_date,
    paris_wall_clock,
    tenths_kg_to_kg,
)


def test_money_and_weights() -> None:
    # gainsCarriere of LOVE IS GOLD (participants_08042026_R3C2) and a miseBase of 2 euros.
    assert centimes_to_eur(11700700) == 117007.0
    assert centimes_to_eur(200) == 2.0
    assert centimes_to_eur(6317570) == 63175.7
    assert centimes_to_eur(None) is None
    assert tenths_kg_to_kg(580) == 58.0
    assert tenths_kg_to_kg(535) == 53.5
    assert tenths_kg_to_kg(None) is None


def test_participant_times_are_milliseconds_and_performance_times_hundredths() -> None:
    # 78200 ms per km = 1'18"2; tempsObtenu 172140 ms; past performance 7700 = 1'17"0.
    assert ms_to_s(78200) == 78.2
    assert ms_to_s(172140) == 172.14
    assert hundredths_to_s(7700) == 77.0
    assert hundredths_to_s(21567) == 215.67
    assert ms_to_s(None) is None and hundredths_to_s(None) is None


def test_heure_depart_is_utc_and_paris_wall_clock_follows_dst() -> None:
    # programme_30032025 R1C1 Auteuil: 2025-03-30T11:58Z, summer time already in force.
    start = epoch_ms_to_utc(1743335880000)
    assert start == datetime(2025, 3, 30, 11, 58, tzinfo=UTC)
    assert paris_wall_clock(start) == datetime(2025, 3, 30, 13, 58)
    # programme_01012018 R1C1: winter time, one hour ahead.
    winter = epoch_ms_to_utc(1514808420000)
    assert paris_wall_clock(winter) == datetime(2018, 1, 1, 13, 7)
    assert epoch_ms_to_utc(None) is None


def test_paris_wall_clock_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        paris_wall_clock(datetime(2025, 3, 30, 12, 0))


def test_paris_date_of_local_midnights_including_october_change() -> None:
    # programme.date of 30/03/2025 (local midnight, still winter time at 00:00).
    assert paris_date(1743289200000) == date(2025, 3, 30)
    # 26/10/2025 local midnight is 2025-10-25T22:00Z (summer time until 03:00). The payload's
    # timezoneOffset that day is 3600000 (the offset after the change), so date + offset would
    # land on the 25th at 23:00: the trap the README warns about.
    midnight_ms = int(datetime(2025, 10, 25, 22, 0, tzinfo=UTC).timestamp() * 1000)
    assert paris_date(midnight_ms) == date(2025, 10, 26)
    naive_way = datetime(1970, 1, 1) + timedelta(milliseconds=midnight_ms + 3600000)
    assert naive_way.date() == date(2025, 10, 25)


def test_paris_wall_clock_accepts_any_aware_zone() -> None:
    tokyo = timezone(timedelta(hours=9))
    assert paris_wall_clock(datetime(2026, 3, 23, 22, 0, tzinfo=tokyo)) == datetime(2026, 3, 23, 14, 0)


def test_offsets_and_decimal_commas() -> None:
    assert offset_ms_to_s(7200000) == 7200
    assert offset_ms_to_s(None) is None
    assert decimal_comma("4,3") == 4.3
    assert decimal_comma(" 3,0 ") == 3.0
    assert decimal_comma("") is None
    assert decimal_comma(None) is None
    assert decimal_comma(4) == 4.0
    with pytest.raises(ValueError):
        decimal_comma("PSF")
