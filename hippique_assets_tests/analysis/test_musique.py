"""The musique grammar on real strings from the PMU captures, and the form score."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hippique_assets.analysis.musique import MusiqueEntry, MusiqueError, form_score, parse_musique


def test_places_disciplines_and_year_markers():
    # From participants_08042026_R3C2.json
    entries = parse_musique("1p(25)6p7p2p3p3p(24)4p", current_year=2026)
    assert [e.code for e in entries] == ["1", "6", "7", "2", "3", "3", "4"]
    assert [e.year for e in entries] == [2026, 2025, 2025, 2025, 2025, 2025, 2024]
    assert {e.discipline for e in entries} == {"PLAT"}
    assert entries[0] == MusiqueEntry(1, "1", "PLAT", 2026)


def test_letters_and_mixed_disciplines():
    # From participants_01012024_R1C1.json (trot): disqualified in attelé and monté
    entries = parse_musique("6mDaDmDa")
    assert [(e.place, e.code, e.discipline) for e in entries] == [
        (6, "6", "MONTE"),
        (None, "D", "ATTELE"),
        (None, "D", "MONTE"),
        (None, "D", "ATTELE"),
    ]
    assert parse_musique("Ap")[0].code == "A"
    zero = parse_musique("(17)0p4p")
    assert zero[0].place is None and zero[0].code == "0" and zero[0].year == 2017


def test_every_musique_in_the_real_captures_parses(pmu_samples: Path):
    seen = 0
    for path in pmu_samples.glob("*participants*.json"):
        payload = json.loads(path.read_text(encoding="utf-8"))
        for runner in payload.get("participants", []):
            text = runner.get("musique")
            if text and not text.startswith("Inédit"):
                assert parse_musique(text), text
                seen += 1
            elif text:
                assert parse_musique(text) == []  # never raced
    assert seen > 20


def test_garbage_is_refused_with_its_position():
    with pytest.raises(MusiqueError, match="at 2"):
        parse_musique("1pXq")


def test_form_score_orders_runners_sensibly():
    winner = form_score(parse_musique("1a1a2a"))
    average = form_score(parse_musique("5a6a4a"))
    faller = form_score(parse_musique("DaAa0a"))
    assert winner > average > faller == 0.0
    assert form_score([]) == pytest.approx(0.3)
