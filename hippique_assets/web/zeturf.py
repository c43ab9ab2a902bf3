"""ZEturf course page: race identity, start time, discipline, runners, odds, non-runners.

The odds come from the page's embedded ``cotesInfos`` data (reference, live simple gagnant, simple
placé range); when that data is absent or unreadable, the odds cells of the runners table are read.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, Tag

from hippique_assets.web.charset import decode_page
from hippique_assets.web.errors import WebParseError, typed_parse_errors
from hippique_assets.web.models import WebRunner, ZeturfCourse

PARIS = ZoneInfo("Europe/Paris")
_RACE_HREF = re.compile(r"/course/(\d{4}-\d{2}-\d{2})/R(\d+)C(\d+)")
_COTES = re.compile(r"cotesInfos\s*:\s*")
# "Non-partant (s) : 12 - 4". The spaces before the colon belong to one \s* only: two optional
# runs side by side would try every split of a long blank run, which is quadratic.
_NON_RUNNERS = re.compile(r"non[- ]?partants?\s*(?:\(s\)\s*)?:\s*((?:\d+(?:\s*-\s*)?)+)", re.IGNORECASE)
# A date ending the title; found from the date itself, the blanks before it are then stripped
# (a leading \s* would rescan a long blank run from each of its positions).
_TRAILING_DATE = re.compile(r"\d{2}/\d{2}/\d{4}\s*$")
_DISCIPLINES = {
    "attelé": "ATTELE",
    "monté": "MONTE",
    "plat": "PLAT",
    "haies": "HAIE",
    "steeple-chase": "STEEPLECHASE",
    "steeple": "STEEPLECHASE",
    "cross": "CROSS",
}


def _need(node: Tag | None, page: str, what: str) -> Tag:
    if node is None:
        raise WebParseError(page, what)
    return node


def _odds(value: object) -> float | None:
    """Decimal odds from a JSON number or a cell's text; None for ``false``, blanks and odds <= 1."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        return None
    return number if number > 1 else None


def _cotes(text: str) -> dict[str, dict]:
    """The ``cotesInfos`` object of the page's script, by runner number; {} when absent or broken."""
    match = _COTES.search(text)
    if match is None:
        return {}
    try:
        data, _ = json.JSONDecoder().raw_decode(text, match.end())
    except (ValueError, RecursionError):
        # Broken JSON, an integer too long to convert, or nesting too deep: the table is read instead.
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v["odds"] for k, v in data.items() if k.isdigit() and isinstance(v, dict) and "odds" in v}


def _table_odds(row: Tag) -> dict[str, str | None]:
    def cell(selector: str) -> str | None:
        node = row.select_one(selector)
        return node.get_text(" ", strip=True) if node is not None else None

    place = re.findall(r"\d+(?:[.,]\d+)?", cell("td.cote-simpleplace") or "")
    return {
        "reference": cell("td.cote-simplegagnant.cote-reference"),
        "SG": cell("td.cote-simplegagnant.cote-live"),
        "SPMin": place[0] if place else None,
        "SPMax": place[-1] if place else None,
    }


def _infos(text: str) -> tuple[str | None, int | None, float | None]:
    """Discipline, distance and prize from ``"Attelé - 2650m - 22000 € - 13 Partants"``."""
    parts = [p.strip() for p in text.split(" - ") if p.strip()]
    discipline = _DISCIPLINES.get(parts[0].lower()) if parts else None
    distance = next((int(p[:-1]) for p in parts if re.fullmatch(r"\d+m", p)), None)
    prize = next((float(re.sub(r"\D", "", p)) for p in parts if re.fullmatch(r"[\d\s\u202f]+€", p)), None)
    return discipline, distance, prize


def _without_trailing_date(title: str) -> str:
    """``"MARSEILLE VIVAUX 18/01/2026"`` -> ``"MARSEILLE VIVAUX"``; unchanged without a date at the end."""
    match = _TRAILING_DATE.search(title)
    return title[: match.start()].rstrip() if match else title


def _text_or_none(node: Tag | None, attribute: str | None = None) -> str | None:
    if node is None:
        return None
    value = node.get(attribute) if attribute else None
    text = " ".join(str(value or node.get_text(" ", strip=True)).split())
    return text or None


def _runner(row: Tag, odds_by_number: dict[str, dict], declared: tuple[int, ...], page: str) -> WebRunner:
    number_text = _need(row.select_one("td.numero"), page, "td.numero of a runner").get_text(strip=True)
    if not number_text.isdigit():
        raise WebParseError(page, f"a runner number in td.numero (got {number_text!r})")
    number = int(number_text)
    name = _need(row.select_one("a.horse-name"), page, f"the horse name (a.horse-name) of runner {number}")
    distance = _text_or_none(row.select_one("td.distance")) or ""
    odds = odds_by_number.get(str(number), {}) if odds_by_number else _table_odds(row)
    non_runner = (
        row.select_one("td.numero .non-partant") is not None
        or "(NP)" in name.get_text(" ")
        or number in declared
    )
    return WebRunner(
        number=number,
        name=_text_or_none(name, "title") or "",
        jockey=_text_or_none(row.select_one("div.second-line a.jockey"), "title"),
        trainer=_text_or_none(row.select_one("div.second-line > span")),
        musique=_text_or_none(row.select_one("td.musique"), "title"),
        sex_age=_text_or_none(row.select_one("td.sexe-age")),
        distance_m=int(distance[:-1]) if re.fullmatch(r"\d+m", distance) else None,
        non_runner=non_runner,
        reference_odds=_odds(odds.get("reference")),
        win_odds=_odds(odds.get("SG")),
        place_odds_min=_odds(odds.get("SPMin")),
        place_odds_max=_odds(odds.get("SPMax")),
    )


@typed_parse_errors
def parse_zeturf_course(content: bytes, source: str, content_type: str | None = None) -> ZeturfCourse:
    """Parse a ZEturf ``/fr/course/<date>/R<n>C<n>-...`` page.

    ``start`` is the page's ``data-timestamp`` (epoch seconds) in Europe/Paris (``start_utc`` gives
    it in UTC). Raises :class:`WebParseError` naming ``source`` when the race link, the title, the
    runners table or its rows are missing.
    """
    text = decode_page(content, content_type, where=source)
    soup = BeautifulSoup(text, "lxml")
    details = _need(soup.select_one("#arriveeDetails"), source, "the race header (#arriveeDetails)")
    link = _need(details.select_one("a.cta_course"), source, "the race link (#arriveeDetails a.cta_course)")
    match = _RACE_HREF.search(str(link.get("href", "")))
    if match is None:
        raise WebParseError(source, f"R/C in the race link {link.get('href')!r}")
    race_date, reunion, course = date.fromisoformat(match.group(1)), int(match.group(2)), int(match.group(3))
    title = _need(soup.select_one("h1.nom-course"), source, "the page title (h1.nom-course)")
    hippodrome = _text_or_none(
        title.select_one(".nom-hippodrome-et-drapeau > span")
    ) or _without_trailing_date(title.get_text(" ", strip=True))
    stamp = details.select_one(".heure-course [data-timestamp]")
    start = None
    if stamp is not None:
        start = datetime.fromtimestamp(int(str(stamp["data-timestamp"])), tz=UTC).astimezone(PARIS)
    infos = details.select_one("p.infos")
    discipline, distance, prize = (
        _infos(" ".join(infos.get_text(" ").split())) if infos else (None, None, None)
    )
    table = _need(soup.select_one("table.table-runners"), source, "the runners table (table.table-runners)")
    rows = table.select("tbody tr[data-runner]")
    if not rows:
        raise WebParseError(source, "runner rows (table.table-runners tr[data-runner])")
    result = soup.select_one("#tab-details")
    declared = _NON_RUNNERS.search(result.get_text(" ", strip=True)) if result is not None else None
    declared_numbers = tuple(int(n) for n in re.findall(r"\d+", declared.group(1))) if declared else ()
    odds_by_number = _cotes(text)
    return ZeturfCourse(
        source="zeturf",
        race_date=race_date,
        hippodrome=hippodrome.strip().upper(),
        race_name=_text_or_none(details.select_one("h2.nom-course")),
        reunion=reunion,
        course=course,
        start=start,
        discipline=discipline,
        distance_m=distance,
        prize_eur=prize,
        runners=tuple(_runner(row, odds_by_number, declared_numbers, source) for row in rows),
    )
