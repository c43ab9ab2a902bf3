"""Page parsing takes time linear in the page: a megabyte of blanks or digits where a page has text
does not make a parser backtrack for minutes.

The timed tests are complexity guards, not benchmarks: each real page parses in well under 0.1 s,
a quadratic pattern on a 1 MB run takes hours, so "under one second" only tells the two apart.
The equivalence tests check that each rewritten pattern matches exactly what the pattern it
replaced matched.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hippique_assets.web import geny, zeturf
from hippique_assets.web.charset import declared_charset
from hippique_assets.web.errors import WebParseError
from hippique_assets.web.geny import parse_geny_arrivee, parse_geny_partants
from hippique_assets.web.models import GenyArrivee, GenyPartants, ZeturfCourse
from hippique_assets.web.zeturf import parse_zeturf_course

MEGABYTE = 2**20
RUNS = {"spaces": b" " * MEGABYTE, "digits": b"1" * MEGABYTE}
ZETURF = "zeturf_course_2026-01-18_R5C6.html"
ARRIVEE = "geny_arrivee_rapports_2024-09-02_craon.html"
PARTANTS = "geny_partants_2024-08-26_vincennes_c1514560.html"
PARSERS: dict[str, Callable[[bytes, str], object]] = {
    ZETURF: parse_zeturf_course,
    ARRIVEE: parse_geny_arrivee,
    PARTANTS: parse_geny_partants,
}
RESULTS = {ZETURF: ZeturfCourse, ARRIVEE: GenyArrivee, PARTANTS: GenyPartants}


@dataclass(frozen=True)
class Spot:
    """Where a run goes: ``old`` (the first one after ``anchor``) becomes ``new`` with ``{run}``
    replaced by the run."""

    page: str
    old: bytes
    new: bytes
    anchor: bytes = b""


SPOTS = {
    # ZEturf: the non-runner line (without its colon, then inside its numbers), the title when the
    # hippodrome span is missing, the race infos line, the embedded odds data, a runner's musique.
    "zeturf non-runner line": Spot(ZETURF, b"Non-partant (s) : 12", b"Non-partant{run}12"),
    "zeturf non-runner numbers": Spot(ZETURF, b"Non-partant (s) : 12", b"Non-partant (s) : 12 - {run}"),
    "zeturf title": Spot(ZETURF, b"<span>MARSEILLE VIVAUX</span>", b"MARSEILLE{run}VIVAUX"),
    "zeturf infos": Spot(ZETURF, b"- 2650m", b"- 2650{run}m"),
    "zeturf odds data": Spot(ZETURF, b'"reference":48.7', b'"reference":48{run}.7'),
    "zeturf musique": Spot(ZETURF, b'title="4a (25) 5a', b'title="4a{run}(25) 5a'),
    # Geny arrivee: the race header (before its prize), the distance, the PMU stake line, the PMU
    # quinte combination, an arrival row and a PMU dividend.
    "geny arrivee header": Spot(ARRIVEE, b"TROPHEE VERT", b"TROPHEE{run}VERT"),
    "geny arrivee distance": Spot(ARRIVEE, b"2775m", b"2775{run}m"),
    "geny arrivee stake": Spot(ARRIVEE, b"pour<b> 1 &euro;", b"pour<b> {run} 1 &euro;", b"<i>PMU</i>"),
    "geny arrivee combination": Spot(
        ARRIVEE, b">7 - 1 - 5 - 9 - 16<", b">7{run}1 - 5 - 9 - 16<", b"lesQuintos2"
    ),
    "geny arrivee arrival": Spot(ARRIVEE, b"<strong>1</strong>", b"<strong>1{run}</strong>", b"arrivees"),
    "geny arrivee dividend": Spot(ARRIVEE, b"11,30 &euro;", b"11{run},30 &euro;", b"<i>PMU</i>"),
    # Geny partants: the race header, the title, a runner's cells.
    "geny partants header": Spot(PARTANTS, b"Course D (trot)", b"Course D{run}(trot)"),
    "geny partants title": Spot(PARTANTS, b"Prix de Barbizon", b"Prix de{run}Barbizon"),
    "geny partants gains": Spot(PARTANTS, b"<td>88440</td>", b"<td>88440{run}</td>"),
    "geny partants odds": Spot(PARTANTS, b"11,8</td>", b"11{run},8</td>"),
}


@pytest.fixture(scope="module")
def pages(html_samples: Path) -> dict[str, bytes]:
    return {name: (html_samples / name).read_bytes() for name in PARSERS}


def _inflate(page: bytes, spot: Spot, run: bytes) -> bytes:
    at = page.index(spot.old, page.index(spot.anchor))
    return page[:at] + spot.new.replace(b"{run}", run) + page[at + len(spot.old) :]


@pytest.mark.parametrize("run", sorted(RUNS))
@pytest.mark.parametrize("spot", sorted(SPOTS))
def test_a_megabyte_run_parses_in_linear_time(pages: dict[str, bytes], spot: str, run: str) -> None:
    """Complexity guard: a 1 MB run of blanks or digits at a spot the parser reads is parsed in
    seconds, not the hours a quadratic pattern takes, into the page's model or a WebParseError. (A
    linear parse takes about a second on a busy two-core machine; the bound leaves room for the
    machine, not for a quadratic pattern.)"""
    where = SPOTS[spot]
    page = _inflate(pages[where.page], where, RUNS[run])
    started = time.perf_counter()
    try:
        parsed: object = PARSERS[where.page](page, spot)
    except WebParseError as exc:
        parsed = exc
    elapsed = time.perf_counter() - started
    assert elapsed < 10.0, f"{spot} with 1 MB of {run}: {elapsed:.2f} s"
    assert isinstance(parsed, RESULTS[where.page] | WebParseError)
    if isinstance(parsed, WebParseError):
        assert parsed.page == spot


def test_runs_that_keep_the_page_readable_keep_its_content(pages: dict[str, bytes]) -> None:
    """Blank runs where the page allows blanks change nothing that is read."""
    spaces = RUNS["spaces"]
    stake = parse_geny_arrivee(_inflate(pages[ARRIVEE], SPOTS["geny arrivee stake"], spaces), "p")
    assert stake == parse_geny_arrivee(pages[ARRIVEE], "p")
    card = parse_zeturf_course(_inflate(pages[ZETURF], SPOTS["zeturf title"], spaces), "p")
    assert card.hippodrome == "MARSEILLE" + " " * MEGABYTE + "VIVAUX"
    combination = parse_geny_arrivee(_inflate(pages[ARRIVEE], SPOTS["geny arrivee combination"], spaces), "p")
    assert "7 1-5-9-16" in {d.combination.replace(" " * MEGABYTE, " ") for d in combination.dividends}


def test_deeply_nested_odds_data_falls_back_to_the_table(pages: dict[str, bytes]) -> None:
    """Odds data too deep for the JSON decoder is unreadable data, not a crash: the table is read."""
    page = pages[ZETURF].replace(b"cotesInfos: {", b"cotesInfos: " + b"[" * 100_000 + b"{", 1)
    card = parse_zeturf_course(page, "deep")
    assert card.runners and all(r.win_odds is None for r in card.runners)


def test_meta_scan_is_linear_in_its_window() -> None:
    """Complexity guard: many unclosed ``<meta`` tags in the scanned head do not rescan each other."""
    head = b"<meta " * 3000 + b'<meta charset="iso-8859-1">'
    started = time.perf_counter()
    for _ in range(10):
        assert declared_charset(head[-16_000:]) == "iso8859-1"
    assert time.perf_counter() - started < 0.1


# The patterns as they were, to check the rewrites match exactly the same text.
OLD_ZETURF_NON_RUNNERS = re.compile(
    r"non[- ]?partants?\s*(?:\(s\))?\s*:\s*((?:\d+(?:\s*-\s*)?)+)", re.IGNORECASE
)
OLD_PRIZE = re.compile(r"(\d[\d \ufffd\u202f]*)\s?€")
OLD_STAKE = re.compile(r"([\d,]+)\s*€")
EQUIVALENCE = settings(max_examples=400, deadline=None)


def _texts(alphabet: str) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, max_size=24)


def _found(match: re.Match[str] | None) -> tuple[int, str] | None:
    return (match.end(), match.group(1)) if match else None


@EQUIVALENCE
@given(prefix=_texts(" x"), text=_texts(" \t(s):-12x"))
def test_zeturf_non_runners_match_as_before(prefix: str, text: str) -> None:
    line = prefix + "Non-partant" + text
    assert _found(zeturf._NON_RUNNERS.search(line)) == _found(OLD_ZETURF_NON_RUNNERS.search(line))


@EQUIVALENCE
@given(text=_texts(" \t\xa0/0123x"))
def test_zeturf_title_date_is_removed_as_before(text: str) -> None:
    expected = re.sub(r"\s*\d{2}/\d{2}/\d{4}\s*$", "", text)
    assert zeturf._without_trailing_date(text) == expected
    assert zeturf._without_trailing_date(text + "18/01/2026") == re.sub(
        r"\s*\d{2}/\d{2}/\d{4}\s*$", "", text + "18/01/2026"
    )


@EQUIVALENCE
@given(text=_texts(" \t\xa0\u202f\ufffd€12m-"))
def test_geny_prize_matches_as_before(text: str) -> None:
    new, old = geny._PRIZE.search(text), OLD_PRIZE.search(text)
    assert (new.group(1) if new else None) == (old.group(1) if old else None)
    assert (new.end() if new else None) == (old.end() if old else None)


@EQUIVALENCE
@given(text=_texts(" \t,€12x"))
def test_geny_stake_matches_as_before(text: str) -> None:
    new, old = geny._STAKE.search(text), OLD_STAKE.search(text)
    assert (new.group(1) if new else None) == (old.group(1) if old else None)


@EQUIVALENCE
@given(text=_texts(" \t\n\xa0\x1c-7x"))
def test_geny_combination_dashes_tightened_as_before(text: str) -> None:
    assert geny._tight_dashes(text) == re.sub(r"\s*-\s*", "-", text)
