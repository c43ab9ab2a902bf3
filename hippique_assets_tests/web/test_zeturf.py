"""ZEturf course page (Marseille-Vivaux, 18/01/2026, R5C6): every field against the page."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from hippique_assets.web.errors import WebParseError
from hippique_assets.web.models import WebRunner
from hippique_assets.web.zeturf import parse_zeturf_course

PAGE = "zeturf_course_2026-01-18_R5C6.html"


@pytest.fixture(scope="module")
def race(html_samples: Path):
    return parse_zeturf_course((html_samples / PAGE).read_bytes(), PAGE)


def test_race_identity_and_start(race):
    assert (race.race_date, race.reunion, race.course) == (date(2026, 1, 18), 5, 6)
    assert race.hippodrome == "MARSEILLE VIVAUX"
    assert race.race_name == "Prix d'Angers"
    # data-timestamp 1768759500 = 18:05 UTC, shown as 19h05
    assert race.start == datetime(2026, 1, 18, 18, 5, tzinfo=UTC)
    assert race.start.strftime("%H:%M") == "19:05"
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
    assert (ten.name, ten.jockey, ten.trainer, ten.distance_m) == (
        "KING KONG SMILE",
        "Pacha N.",
        "Pacha N.",
        2675,
    )
    assert (ten.reference_odds, ten.win_odds, ten.place_odds_min, ten.place_odds_max) == (5.9, 5.1, 1.7, 2.3)
    last = race.runners[-1]
    assert (last.name, last.sex_age, last.win_odds) == ("JUST SIXTY ONE", "H/7", 49.3)


def test_the_non_runner(race):
    assert race.non_runners == [12]
    javert = race.runners[11]
    assert javert.name == "JAVERT" and javert.non_runner
    assert javert.win_odds is None and javert.reference_odds is None


def test_missing_runners_table_is_a_typed_error(html_samples: Path):
    page = (html_samples / PAGE).read_bytes().replace(b"table-runners", b"table-other")
    with pytest.raises(WebParseError, match="runners table") as error:
        parse_zeturf_course(page, PAGE)
    assert error.value.page == PAGE


def test_table_odds_are_the_fallback_without_embedded_data(html_samples: Path):
    page = (html_samples / PAGE).read_bytes().replace(b"cotesInfos", b"otherInfos")
    race = parse_zeturf_course(page, PAGE)
    # The saved page's odds cells are empty (the race is over): no odds, but runners still parse.
    assert len(race.runners) == 14 and all(r.win_odds is None for r in race.runners)
