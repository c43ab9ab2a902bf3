"""Geny partants (Vincennes, 26/08/2024) and arrivée-et-rapports (Craon, 02/09/2024) pages."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hippique_assets.web.errors import WebParseError
from hippique_assets.web.geny import parse_geny_arrivee, parse_geny_partants

PARTANTS = "geny_partants_2024-08-26_vincennes_c1514560.html"
ARRIVEE = "geny_arrivee_rapports_2024-09-02_craon.html"


@pytest.fixture(scope="module")
def partants(html_samples: Path):
    return parse_geny_partants((html_samples / PARTANTS).read_bytes(), PARTANTS)


@pytest.fixture(scope="module")
def arrivee(html_samples: Path):
    return parse_geny_arrivee((html_samples / ARRIVEE).read_bytes(), ARRIVEE)


def test_partants_race_identity(partants):
    assert partants.race_date == date(2024, 8, 26)
    assert partants.hippodrome == "VINCENNES"
    assert (partants.course, partants.race_name) == (8, "Prix de Barbizon")
    assert partants.start == datetime(2024, 8, 26, 18, 39, tzinfo=ZoneInfo("Europe/Paris"))
    assert (partants.discipline, partants.distance_m, partants.prize_eur) == ("ATTELE", 2100, 46000.0)


def test_partants_runners(partants):
    assert [r.number for r in partants.runners] == list(range(1, 13))
    first = partants.runners[0]
    assert (first.name, first.sex_age, first.distance_m) == ("Jaguar du Fan", "H5", 2100)
    assert (first.jockey, first.trainer, first.musique) == ("A. Barrier", "Ch.-A. Mary", "1a3a1a5a")
    assert (first.reference_odds, first.win_odds) == (10.0, 11.8)
    second = partants.runners[1]
    assert (second.jockey, second.trainer, second.musique, second.win_odds) == (
        "Ph. Daugeard",
        "Ph. Daugeard",
        "1a5aDa3a",
        10.4,
    )
    last = partants.runners[-1]
    assert (last.name, last.jockey, last.trainer, last.musique) == (
        "Jerzino Vici",
        "A. Collette",
        "F. Ledoux",
        "Da6aDa7aDa",
    )
    assert (last.reference_odds, last.win_odds) == (81.0, 40.0)
    assert partants.non_runners == []


def test_arrivee_order_and_identity(arrivee):
    assert arrivee.race_date == date(2024, 9, 2)
    assert arrivee.hippodrome == "CRAON"
    assert arrivee.race_name == "Prix V And B"
    assert arrivee.arrival == (7, 1, 5, 9, 16, 11, 3, 13, 8, 15, 4, 10, 12, 6, 14, 2)
    assert arrivee.non_runners == ()


def test_arrivee_pmu_dividends(arrivee):
    paid = {
        (d.bet_type, d.combination, d.label): (d.dividend_eur, d.base_stake_eur) for d in arrivee.dividends
    }
    assert paid[("SIMPLE_GAGNANT", "7", "Gagnant")] == (11.3, 1.0)
    assert {k[1]: v[0] for k, v in paid.items() if k[0] == "SIMPLE_PLACE"} == {"7": 3.1, "1": 2.3, "5": 2.7}
    assert paid[("COUPLE_GAGNANT", "7-1", "Gagnant")] == (28.6, 1.0)
    assert {k[1]: v[0] for k, v in paid.items() if k[0] == "COUPLE_PLACE"} == {
        "7-1": 10.4,
        "7-5": 8.9,
        "1-5": 9.3,
    }
    assert paid[("DEUX_SUR_QUATRE", "7-1-5-9", "Rapport 2sur4")] == (9.1, 1.0)
    assert paid[("TIERCE", "7-1-5", "Ordre")] == (171.1, 1.0)
    assert [d.dividend_eur for d in arrivee.dividends if d.bet_type == "MULTI"] == [210.0, 70.0, 30.0]
    quinte = [d for d in arrivee.dividends if d.bet_type == "QUINTE_PLUS"]
    assert (
        quinte[0].numbers == (7, 1, 5, 9, 16)
        and quinte[0].dividend_eur == 550.4
        and quinte[0].base_stake_eur == 2.0
    )
    # GENYBET's own odds (9,84 EUR for the winner) are not the PMU's.
    assert 9.84 not in {d.dividend_eur for d in arrivee.dividends}


def test_structure_changes_are_typed_errors(html_samples: Path):
    page = (html_samples / ARRIVEE).read_bytes().replace(b'id="arrivees"', b'id="elsewhere"')
    with pytest.raises(WebParseError, match="arrival table"):
        parse_geny_arrivee(page, ARRIVEE)
    page = (html_samples / PARTANTS).read_bytes().replace(b"tableau_partants", b"tableau_autre")
    with pytest.raises(WebParseError, match="runners table"):
        parse_geny_partants(page, PARTANTS)
