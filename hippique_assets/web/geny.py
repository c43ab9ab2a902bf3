"""Geny pages: the partants page (runners, musique, odds) and the arrivée-et-rapports page (arrival,
dividends per bet type as published for the PMU).

Saved Geny pages may hold U+FFFD where an accented letter was lost; labels are therefore matched on
their unaccented stems ("Plac" for "Placé").
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, Tag

from hippique_assets.web.charset import decode_page
from hippique_assets.web.errors import WebParseError, typed_parse_errors
from hippique_assets.web.models import WebArrival, WebDividend, WebRace, WebRunner

PARIS = ZoneInfo("Europe/Paris")
_CANONICAL_DATE = re.compile(r"/(\d{4}-\d{2}-\d{2})-([a-z0-9-]+?)-pm[uh]-")
_INFO = re.compile(r"info=(\d{4}-\d{2}-\d{2})-([^-&]+)-")
_COURSE_NUMBER = re.compile(r"^\s*(\d+)")
_START = re.compile(r"(\d{1,2})h(\d{2})")
_DISCIPLINES = (
    ("attel", "ATTELE"),
    ("mont", "MONTE"),
    ("plat", "PLAT"),
    ("haies", "HAIE"),
    ("steeple", "STEEPLECHASE"),
    ("cross", "CROSS"),
)
# Dividend sections of the arrivée page and the bet type of each label stem in them.
_SECTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "lesSolos": (("gagnant", "SIMPLE_GAGNANT"), ("plac", "SIMPLE_PLACE")),
    "lesDuos": (("gagnant", "COUPLE_GAGNANT"), ("plac", "COUPLE_PLACE"), ("ordre", "COUPLE_ORDRE")),
    "lesTrios": (("trio", "TRIO"), ("", "TRIO")),
    "les2sur4": (("", "DEUX_SUR_QUATRE"),),
    "lesMultis": (("", "MULTI"),),
    "lesTierces": (("", "TIERCE"),),
    "lesQuartos": (("", "QUARTE_PLUS"),),
    "lesQuintos": (("", "QUINTE_PLUS"),),
}


def _need(node: Tag | None, page: str, what: str) -> Tag:
    if node is None:
        raise WebParseError(page, what)
    return node


def _euros(text: str) -> float | None:
    cleaned = text.replace("\xa0", " ").replace("€", "").replace(" ", "").replace(",", ".").strip()
    try:
        return float(cleaned)
    except ValueError:
        return None


def _identity(soup: BeautifulSoup, page: str) -> tuple[date, str, str | None, int | None]:
    canonical = _need(soup.select_one('link[rel="canonical"]'), page, 'link rel="canonical"').get("href", "")
    match = _CANONICAL_DATE.search(canonical)
    title = soup.select_one(".nomCourse")
    name, number = None, None
    if title is not None:
        text = title.get_text(" ", strip=True)
        number_match = _COURSE_NUMBER.match(text)
        number = int(number_match.group(1)) if number_match else None
        name = text.split("-", 1)[1].strip() if "-" in text else text
    if match is None:
        heading = soup.title.get_text(" ", strip=True) if soup.title else ""
        raise WebParseError(page, f"race date in the canonical link {canonical!r} ({heading[:60]})")
    return date.fromisoformat(match.group(1)), match.group(2).replace("-", " ").upper(), name, number


def _infos(soup: BeautifulSoup, day: date) -> tuple[datetime | None, str | None, int | None, float | None]:
    info = soup.select_one(".infoCourse")
    if info is None:
        return None, None, None, None
    text = info.get_text(" ", strip=True).replace("\xa0", " ")
    start_match = _START.search(text)
    start = (
        datetime(
            day.year, day.month, day.day, int(start_match.group(1)), int(start_match.group(2)), tzinfo=PARIS
        )
        if start_match
        else None
    )
    lowered = text.lower()
    discipline = next((code for stem, code in _DISCIPLINES if stem in lowered), None)
    distance = re.search(r"(\d{3,4})m\b", text)
    prize = re.search(r"([\d\s\ufffd]+)€", text)
    prize_value = _euros(re.sub(r"[^\d]", "", prize.group(1))) if prize else None
    return start, discipline, int(distance.group(1)) if distance else None, prize_value


def _odds(text: str) -> float | None:
    value = _euros(text)
    return value if value is not None and value > 1 else None


@typed_parse_errors
def parse_geny_partants(content: bytes, source: str, content_type: str | None = None) -> WebRace:
    """A Geny ``/partants-pmu/<date>-<hippodrome>-pmu-<race>_c<id>`` page."""
    soup = BeautifulSoup(decode_page(content, content_type), "lxml")
    race_date, hippodrome, name, number = _identity(soup, source)
    start, discipline, distance, prize = _infos(soup, race_date)
    table = _need(
        soup.select_one("table#tableau_partants"), source, "the runners table (table#tableau_partants)"
    )
    runners = []
    for row in table.find_all("tr")[1:]:
        cells = row.find_all("td")
        if len(cells) < 10:
            continue
        text = [c.get_text(" ", strip=True) for c in cells]
        if not text[0].isdigit():
            raise WebParseError(source, f"a runner number in row {text[:2]}")
        runners.append(
            WebRunner(
                number=int(text[0]),
                name=cells[1].select_one("a").get_text(strip=True) if cells[1].select_one("a") else text[1],
                sex_age=text[2] or None,
                distance_m=int(text[3]) if text[3].isdigit() else None,
                jockey=text[4] or None,
                trainer=text[5] or None,
                musique=text[6] or None,
                non_runner="NP" in text[0] or "non partant" in " ".join(text).lower(),
                reference_odds=_odds(text[8]),
                win_odds=_odds(text[9]),
            )
        )
    if not runners:
        raise WebParseError(source, "runner rows in table#tableau_partants")
    return WebRace(
        source="geny",
        race_date=race_date,
        hippodrome=hippodrome,
        race_name=name,
        reunion=None,
        course=number,
        start=start,
        discipline=discipline,
        distance_m=distance,
        prize_eur=prize,
        runners=tuple(runners),
    )


def _operator_blocks(section: Tag) -> list[tuple[str, Tag]]:
    """(operator, block) for each operator column of a dividends section (GENYBET.FR, PMU, PMU.FR)."""
    blocks = []
    for cell in section.find("tr").find_all("td", recursive=False):
        label = cell.select_one("div > b > i")
        if label is not None:
            blocks.append((label.get_text(strip=True), cell))
    return blocks


def _bet_type(section_id: str, label: str) -> str | None:
    lowered = label.lower()
    for stem, bet_type in _SECTIONS[section_id]:
        if stem in lowered:
            return bet_type
    return None


def _dividends(section_id: str, block: Tag) -> list[WebDividend]:
    stake = 1.0
    header = block.find(string=re.compile(r"pour"))
    if header is not None:
        stake_match = re.search(r"([\d,]+)\s*€", header.parent.get_text(" ", strip=True))
        stake = _euros(stake_match.group(1)) if stake_match else 1.0
    # Combined bets (tiercé, quarté, quinté, 2sur4, multi) show one combination above their rows.
    shared = block.select_one("span[id]")
    shared_combination = re.sub(r"\s*-\s*", "-", shared.get_text(" ", strip=True)) if shared else None
    out = []
    for row in block.select("tr"):
        cells = row.find_all("td", recursive=False)
        if len(cells) < 2 or not any(c in (cells[0].get("class") or [""])[0] for c in ("ncdouble",)):
            continue
        combo = cells[0].select_one('div[style*="float: left"]')
        label_node = cells[0].select_one('div[style*="float: right"]')
        label = (label_node or cells[0]).get_text(" ", strip=True)
        combination = combo.get_text("", strip=True) if combo is not None else shared_combination
        bet_type = _bet_type(section_id, label)
        value = _euros(cells[-1].get_text(" ", strip=True))
        if bet_type is None or value is None or not combination:
            continue
        numbers = tuple(int(n) for n in re.findall(r"\d+", combination))
        out.append(WebDividend(bet_type, combination, numbers, value, stake or 1.0, label))
    return out


@typed_parse_errors
def parse_geny_arrivee(
    content: bytes, source: str, content_type: str | None = None, operator: str = "PMU"
) -> WebArrival:
    """A Geny arrivée-et-rapports page: the official arrival and the dividends published for ``operator``."""
    soup = BeautifulSoup(decode_page(content, content_type), "lxml")
    table = _need(soup.select_one("table#arrivees"), source, "the arrival table (table#arrivees)")
    arrival = []
    for row in table.find_all("tr"):
        cells = [c.get_text(" ", strip=True) for c in row.find_all("td")]
        if len(cells) >= 2 and cells[0].isdigit() and cells[1].isdigit():
            arrival.append(int(cells[1]))
    if not arrival:
        raise WebParseError(source, "arrival rows in table#arrivees")
    dividends: list[WebDividend] = []
    for section_id in _SECTIONS:
        section = soup.select_one(f"table#{section_id}")
        if section is None:
            continue
        for name, block in _operator_blocks(section):
            if name == operator:
                dividends.extend(_dividends(section_id, block))
    if not dividends:
        raise WebParseError(source, f"{operator} dividends (tables lesSolos, lesDuos...)")
    title = soup.select_one(".nomCourse")
    name = title.get_text(" ", strip=True).split("-", 1)[-1].strip() if title else None
    race_date, hippodrome = _race_link(soup, source)
    non_runners = tuple(int(n) for n in re.findall(r"(\d+)\s*\(NP\)", soup.get_text(" ", strip=True)))
    return WebArrival(
        source="geny",
        race_date=race_date,
        hippodrome=hippodrome,
        race_name=name,
        arrival=tuple(arrival),
        non_runners=non_runners,
        dividends=tuple(dividends),
    )


def _race_link(soup: BeautifulSoup, page: str) -> tuple[date, str]:
    """Date and hippodrome from the page's own links (``...?id_course=...&info=2024-09-02-Craon-...``)."""
    for link in soup.select('a[href*="info="]'):
        match = _INFO.search(link.get("href", ""))
        if match:
            return date.fromisoformat(match.group(1)), match.group(2).replace("+", " ").upper()
    raise WebParseError(page, "the race date (a link with info=<date>-<hippodrome>-...)")
