"""ZEturf course page (Marseille-Vivaux, 18/01/2026, R5C6): every expected value below was read by
hand from the saved page (runner rows and the ``cotesInfos`` script)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hippique_assets.web.errors import WebParseError
from hippique_assets.web.models import WebRunner, ZeturfCourse
from hippique_assets.web.zeturf import parse_zeturf_course

PAGE = "zeturf_course_2026-01-18_R5C6.html"


@pytest.fixture(scope="module")
def page(html_samples: Path) -> bytes:
    return (html_samples / PAGE).read_bytes()


@pytest.fixture(scope="module")
def race(page: bytes) -> ZeturfCourse:
    return parse_zeturf_course(page, PAGE)


def test_race_identity_and_start(race):
    assert isinstance(race, ZeturfCourse) and race.source == "zeturf"
    assert (race.race_date, race.reunion, race.course) == (date(2026, 1, 18), 5, 6)
    assert (race.hippodrome, race.race_name) == ("MARSEILLE VIVAUX", "Prix d'Angers")
    # data-timestamp 1768759500 is 18:05 UTC; the page shows 19h05 (Paris, winter time).
    assert race.start == datetime(2026, 1, 18, 19, 5, tzinfo=ZoneInfo("Europe/Paris"))
    assert race.start.utcoffset().total_seconds() == 3600
    assert race.start_utc == datetime(2026, 1, 18, 18, 5, tzinfo=UTC)
    assert race.start_utc.tzinfo is UTC
    assert (race.discipline, race.distance_m, race.prize_eur) == ("ATTELE", 2650, 22000.0)


def test_runners_with_odds_from_the_embedded_data(race):
    assert [r.number for r in race.runners] == list(range(1, 15))
    assert race.runners[0] == WebRunner(
        number=1,
        name="KENJY BEL",
        jockey="Belleveaux J.",
        trainer="Pacha N.",
        musique="4a (25) 5a 9a 4m 6m 8a 0a 4m 8a 8a 5a Da",
        sex_age="H/6",
        distance_m=2650,
        non_runner=False,
        reference_odds=48.7,
        win_odds=74.9,
        place_odds_min=12.2,
        place_odds_max=19.0,
    )
    ten = race.runners[9]
    assert (ten.name, ten.jockey, ten.trainer, ten.sex_age, ten.distance_m) == (
        "KING KONG SMILE",
        "Pacha N.",
        "Pacha N.",
        "H/6",
        2675,
    )
    assert (ten.reference_odds, ten.win_odds, ten.place_odds_min, ten.place_odds_max) == (5.9, 5.1, 1.7, 2.3)
    assert race.runners[-1] == WebRunner(
        number=14,
        name="JUST SIXTY ONE",
        jockey="Mourot N.",
        trainer="Alexandre D.",
        musique="(25) 3a 9a 4a 0a 0a 9a Da 4a 3a (24) 2a 1a 4a",
        sex_age="H/7",
        distance_m=2675,
        reference_odds=26.9,
        win_odds=49.3,
        place_odds_min=6.4,
        place_odds_max=9.9,
    )


def test_the_non_runner(race):
    assert race.non_runners == [12]
    javert = race.runners[11]
    assert (javert.number, javert.name, javert.jockey, javert.trainer) == (
        12,
        "JAVERT",
        "Ensch N.",
        "Levesque P.",
    )
    assert javert.non_runner
    # Its odds in cotesInfos are all ``false``.
    assert (javert.reference_odds, javert.win_odds, javert.place_odds_min, javert.place_odds_max) == (
        None,
        None,
        None,
        None,
    )


def test_table_odds_are_the_fallback_without_embedded_data(page):
    without_script = page.replace(b"cotesInfos", b"otherInfos")
    # The saved page's odds cells are empty (the race is over); fill runner 1's to see them read.
    filled = without_script.replace(
        b'<td class="cote-simplegagnant cote-reference"></td>',
        b'<td class="cote-simplegagnant cote-reference">9,5</td>',
        1,
    ).replace(
        b'<td class="cote-simplegagnant cote-live"></td>',
        b'<td class="cote-simplegagnant cote-live">7.2</td>',
        1,
    )
    filled = filled.replace(
        b'<td class="cote-simpleplace"></td>', b'<td class="cote-simpleplace">1,8 - 2,6</td>', 1
    )
    race = parse_zeturf_course(filled, PAGE)
    first = race.runners[0]
    assert (first.reference_odds, first.win_odds, first.place_odds_min, first.place_odds_max) == (
        9.5,
        7.2,
        1.8,
        2.6,
    )
    assert len(race.runners) == 14 and all(r.win_odds is None for r in race.runners[1:])
    assert race.non_runners == [12]


def test_broken_embedded_data_falls_back_to_the_table(page):
    race = parse_zeturf_course(page.replace(b'cotesInfos: {"referenceDateTime"', b"cotesInfos: {oops"), PAGE)
    assert len(race.runners) == 14 and all(r.win_odds is None for r in race.runners)


@pytest.mark.parametrize(
    ("old", "new", "missing"),
    [
        (b"table-runners", b"table-other", "runners table"),
        (b'id="arriveeDetails"', b'id="otherDetails"', "race header"),
        (b'href="/fr/course/2026-01-18/R5C6-marseille', b'href="/fr/course/2026-01-18/X-marseille', "R/C"),
        (b'class="nom-course">', b'class="other">', "page title"),
        (b"data-runner=", b"data-horse=", "runner rows"),
    ],
)
def test_structure_changes_are_typed_errors(page, old, new, missing):
    assert old in page
    with pytest.raises(WebParseError, match=missing) as error:
        parse_zeturf_course(page.replace(old, new), PAGE)
    assert error.value.page == PAGE and error.value.missing
