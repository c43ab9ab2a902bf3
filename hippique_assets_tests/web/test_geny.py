"""Geny partants (Vincennes, 26/08/2024) and arrivée-et-rapports (Craon, 02/09/2024) pages: every
expected value below was read by hand from the saved pages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hippique_assets.web.errors import WebParseError
from hippique_assets.web.geny import parse_geny_arrivee, parse_geny_partants
from hippique_assets.web.models import GenyArrivee, GenyPartants, WebRunner

PARTANTS = "geny_partants_2024-08-26_vincennes_c1514560.html"
ARRIVEE = "geny_arrivee_rapports_2024-09-02_craon.html"
PARIS = ZoneInfo("Europe/Paris")
LOST = "\ufffd"  # the saved pages already hold U+FFFD where accented letters were


@pytest.fixture(scope="module")
def partants_page(html_samples: Path) -> bytes:
    return (html_samples / PARTANTS).read_bytes()


@pytest.fixture(scope="module")
def arrivee_page(html_samples: Path) -> bytes:
    return (html_samples / ARRIVEE).read_bytes()


@pytest.fixture(scope="module")
def partants(partants_page: bytes) -> GenyPartants:
    return parse_geny_partants(partants_page, PARTANTS)


@pytest.fixture(scope="module")
def arrivee(arrivee_page: bytes) -> GenyArrivee:
    return parse_geny_arrivee(arrivee_page, ARRIVEE)


def test_partants_race_identity(partants):
    assert isinstance(partants, GenyPartants) and partants.source == "geny"
    assert (partants.race_date, partants.hippodrome) == (date(2024, 8, 26), "VINCENNES")
    assert (partants.reunion, partants.course, partants.race_name) == (1, 8, "Prix de Barbizon")
    assert partants.start == datetime(2024, 8, 26, 18, 39, tzinfo=PARIS)
    assert partants.start_utc == datetime(2024, 8, 26, 16, 39, tzinfo=UTC)
    assert (partants.discipline, partants.distance_m, partants.prize_eur) == ("ATTELE", 2100, 46000.0)


def test_partants_runners(partants):
    assert [r.number for r in partants.runners] == list(range(1, 13))
    assert partants.runners[0] == WebRunner(
        number=1,
        name="Jaguar du Fan",
        jockey="A. Barrier",
        trainer="Ch.-A. Mary",
        musique="1a3a1a5a",
        sex_age="H5",
        distance_m=2100,
        non_runner=False,
        reference_odds=10.0,
        win_odds=11.8,
    )
    second = partants.runners[1]
    assert (second.name, second.jockey, second.trainer, second.musique) == (
        f"Jotunn du D{LOST}me",
        "Ph. Daugeard",
        "Ph. Daugeard",
        "1a5aDa3a",
    )
    assert (second.reference_odds, second.win_odds) == (16.0, 10.4)
    third = partants.runners[2]
    assert (third.name, third.trainer, third.musique, third.reference_odds, third.win_odds) == (
        "Jerez",
        "Th. Duvaldestin",
        "1a1a8a(23)",
        3.0,
        2.9,
    )
    assert partants.runners[-1] == WebRunner(
        number=12,
        name="Jerzino Vici",
        jockey="A. Collette",
        trainer="F. Ledoux",
        musique="Da6aDa7aDa",
        sex_age="H5",
        distance_m=2100,
        reference_odds=81.0,
        win_odds=40.0,
    )
    assert partants.non_runners == []


def test_partants_declared_non_runner_is_flagged(partants_page):
    # The saved page has no non-runner; Geny lists them after this comment of the race header.
    page = partants_page.replace(
        b"<!-- Non partants -->", b"<!-- Non partants --><div>Non-partants : 4 - 11</div>", 1
    )
    race = parse_geny_partants(page, PARTANTS)
    assert race.non_runners == [4, 11]
    assert race.runners[3].name == f"Journ{LOST}e R{LOST}v{LOST}e" and race.runners[3].non_runner


def test_arrivee_identity_and_order(arrivee):
    assert isinstance(arrivee, GenyArrivee) and arrivee.source == "geny"
    assert (arrivee.race_date, arrivee.hippodrome) == (date(2024, 9, 2), "CRAON")
    assert (arrivee.course, arrivee.race_name) == (1, "Prix V And B")
    assert arrivee.start == datetime(2024, 9, 2, 13, 55, tzinfo=PARIS)
    assert arrivee.start_utc == datetime(2024, 9, 2, 11, 55, tzinfo=UTC)
    assert (arrivee.discipline, arrivee.distance_m) == ("ATTELE", 2775)
    assert arrivee.arrival == (7, 1, 5, 9, 16, 11, 3, 13, 8, 15, 4, 10, 12, 6, 14, 2)
    assert arrivee.non_runners == ()


def test_arrivee_every_pmu_dividend(arrivee):
    rows = [
        (d.bet_type, d.combination, d.numbers, d.label, d.dividend_eur_per_stake, d.base_stake_eur)
        for d in arrivee.dividends
    ]
    placed, unordered = f"Plac{LOST}", f"D{LOST}sordre"
    quinte = (7, 1, 5, 9, 16)
    assert rows == [
        ("SIMPLE_GAGNANT", "7", (7,), "Gagnant", 11.3, 1.0),
        ("SIMPLE_PLACE", "7", (7,), placed, 3.1, 1.0),
        ("SIMPLE_PLACE", "1", (1,), placed, 2.3, 1.0),
        ("SIMPLE_PLACE", "5", (5,), placed, 2.7, 1.0),
        ("COUPLE_GAGNANT", "7-1", (7, 1), "Gagnant", 28.6, 1.0),
        ("COUPLE_PLACE", "7-1", (7, 1), placed, 10.4, 1.0),
        ("COUPLE_PLACE", "7-5", (7, 5), placed, 8.9, 1.0),
        ("COUPLE_PLACE", "1-5", (1, 5), placed, 9.3, 1.0),
        ("DEUX_SUR_QUATRE", "7-1-5-9", (7, 1, 5, 9), "Rapport 2sur4", 9.1, 1.0),
        ("MULTI", "7-1-5-9", (7, 1, 5, 9), "Multi 4", 1050.0, 1.0),
        ("MULTI", "7-1-5-9", (7, 1, 5, 9), "Multi 5", 210.0, 1.0),
        ("MULTI", "7-1-5-9", (7, 1, 5, 9), "Multi 6", 70.0, 1.0),
        ("MULTI", "7-1-5-9", (7, 1, 5, 9), "Multi 7", 30.0, 1.0),
        ("TIERCE", "7-1-5", (7, 1, 5), "Ordre", 171.1, 1.0),
        ("TIERCE", "7-1-5", (7, 1, 5), unordered, 27.4, 1.0),
        ("QUARTE_PLUS", "7-1-5-9", (7, 1, 5, 9), "Ordre", 3133.0, 1.0),
        ("QUARTE_PLUS", "7-1-5-9", (7, 1, 5, 9), unordered, 238.7, 1.0),
        ("QUARTE_PLUS", "7-1-5-9", (7, 1, 5, 9), "Bonus", 7.0, 1.0),
        ("QUINTE_PLUS", "7-1-5-9-16", quinte, "Ordre", 52950.8, 2.0),
        ("QUINTE_PLUS", "7-1-5-9-16", quinte, unordered, 550.4, 2.0),
        ("QUINTE_PLUS", "7-1-5-9-16", quinte, "Bonus 4sur5", 6.2, 2.0),
        ("QUINTE_PLUS", "7-1-5-9-16", quinte, "Bonus 3", 5.2, 2.0),
    ]
    quinte_unordered = arrivee.dividends[19]
    assert quinte_unordered.dividend_per_eur == 275.2 and quinte_unordered.dividend_eur == 550.4


def test_arrivee_other_operators(arrivee_page):
    online = parse_geny_arrivee(arrivee_page, ARRIVEE, operator="PMU.FR")
    assert [(d.bet_type, d.dividend_eur_per_stake) for d in online.dividends[:2]] == [
        ("SIMPLE_GAGNANT", 11.5),
        ("SIMPLE_PLACE", 3.3),
    ]
    genybet = parse_geny_arrivee(arrivee_page, ARRIVEE, operator="GENYBET.FR")
    assert [(d.label, d.dividend_eur_per_stake) for d in genybet.dividends if d.bet_type == "TRIO"] == [
        ("Trio", 49.46),
        ("Trio Ordre", 232.4),
    ]
    with pytest.raises(WebParseError, match="NOBODY dividends"):
        parse_geny_arrivee(arrivee_page, ARRIVEE, operator="NOBODY")


@pytest.mark.parametrize(
    ("old", "new", "missing"),
    [
        (b'id="arrivees"', b'id="elsewhere"', "arrival table"),
        (b"<i>PMU</i>", b"<i>OTHER</i>", "PMU dividends"),
        (b"info=2024", b"data=2024", "race date"),
        (b"11,30 &euro;", b"11,3x &euro;", "dividend amount for SIMPLE_GAGNANT"),
    ],
)
def test_arrivee_structure_changes_are_typed_errors(arrivee_page, old, new, missing):
    assert old in arrivee_page
    with pytest.raises(WebParseError, match=missing) as error:
        parse_geny_arrivee(arrivee_page.replace(old, new), ARRIVEE)
    assert error.value.page == ARRIVEE and ARRIVEE in str(error.value)


@pytest.mark.parametrize(
    ("old", "new", "missing"),
    [
        (b"tableau_partants", b"tableau_autre", "runners table"),
        (b'rel="canonical"', b'rel="other"', "canonical"),
        (b"<th>Cheval</th>", b"<th>Animal</th>", "name column"),
        (b"<td>12</td>", b"<td>douze</td>", "runner number"),
    ],
)
def test_partants_structure_changes_are_typed_errors(partants_page, old, new, missing):
    assert old in partants_page
    with pytest.raises(WebParseError, match=missing) as error:
        parse_geny_partants(partants_page.replace(old, new), PARTANTS)
    assert error.value.page == PARTANTS
