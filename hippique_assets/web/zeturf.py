"""ZEturf course page: race identity, start time, discipline, runners, odds, non-runners.

The odds come from the page's embedded ``cotesInfos`` data (reference, live simple gagnant, simple
placé range); when it is absent, the odds cells of the runners table are read instead.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, Tag

from hippique_assets.web.charset import decode_page
from hippique_assets.web.errors import WebParseError, typed_parse_errors
from hippique_assets.web.models import WebRace, WebRunner

PARIS = ZoneInfo("Europe/Paris")
_RACE_HREF = re.compile(r"/course/(\d{4}-\d{2}-\d{2})/R(\d+)C(\d+)")
_COTES = re.compile(r"cotesInfos\s*:\s*(\{.*?\})\s*,?\s*\n", re.DOTALL)
_DISCIPLINES = {
    "attelé": "ATTELE",
    "monté": "MONTE",
    "plat": "PLAT",
    "haies": "HAIE",
    "steeple-chase": "STEEPLECHASE",
    "cross": "CROSS",
}


def _need(node: Tag | None, page: str, what: str) -> Tag:
    if node is None:
        raise WebParseError(page, what)
    return node


def _odds(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        return None
    return number if number > 1 else None


def _cotes(text: str) -> dict[str, dict]:
    match = _COTES.search(text)
    if match is None:
        return {}
    try:
        data = json.loads(match.group(1))
    except json.JSONDecodeError:
        return {}
    return {k: v for k, v in data.items() if k.isdigit() and isinstance(v, dict)}


def _infos(text: str) -> tuple[str | None, int | None, float | None]:
    parts = [p.strip() for p in text.split("-") if p.strip()]
    discipline = _DISCIPLINES.get(parts[0].lower()) if parts else None
    distance = next((int(p[:-1]) for p in parts if re.fullmatch(r"\d+m", p)), None)
    prize = next((float(re.sub(r"\D", "", p)) for p in parts if p.endswith("€")), None)
    return discipline, distance, prize


def _runner(row: Tag, cotes: dict[str, dict], page: str) -> WebRunner:
    number = int(_need(row.select_one("td.numero"), page, "td.numero of a runner").get_text(strip=True))
    name = _need(row.select_one("a.horse-name"), page, f"horse name of runner {number}")
    jockey = row.select_one("div.second-line a.jockey")
    trainer = row.select_one("div.second-line > span")
    musique = row.select_one("td.musique")
    sex_age = row.select_one("td.sexe-age")
    distance = row.select_one("td.distance")
    odds = cotes.get(str(number), {}).get("odds", {})
    if not cotes:
        live = row.select_one("td.cote-simplegagnant.cote-live")
        reference = row.select_one("td.cote-simplegagnant.cote-reference")
        odds = {
            "SG": live.get_text(strip=True) if live else None,
            "reference": reference.get_text(strip=True) if reference else None,
        }
    distance_text = distance.get_text(strip=True) if distance else ""
    return WebRunner(
        number=number,
        name=(name.get("title") or name.get_text(" ", strip=True)).strip(),
        jockey=jockey.get("title", jockey.get_text(strip=True)).strip() if jockey else None,
        trainer=trainer.get_text(strip=True) or None if trainer else None,
        musique=(musique.get("title") or musique.get_text(" ", strip=True)).strip() or None
        if musique
        else None,
        sex_age=sex_age.get_text(strip=True) or None if sex_age else None,
        distance_m=int(distance_text[:-1]) if re.fullmatch(r"\d+m", distance_text) else None,
        non_runner="(NP)" in row.get_text(" ") or "blur" in (row.get("class") or []),
        reference_odds=_odds(odds.get("reference")),
        win_odds=_odds(odds.get("SG")),
        place_odds_min=_odds(odds.get("SPMin")),
        place_odds_max=_odds(odds.get("SPMax")),
    )


@typed_parse_errors
def parse_zeturf_course(content: bytes, source: str, content_type: str | None = None) -> WebRace:
    """A ZEturf ``/fr/course/<date>/R<n>C<n>-...`` page."""
    text = decode_page(content, content_type)
    soup = BeautifulSoup(text, "lxml")
    link = _need(
        soup.select_one("#arriveeDetails a.cta_course"),
        source,
        "the race link (#arriveeDetails a.cta_course)",
    )
    match = _RACE_HREF.search(link.get("href", ""))
    if match is None:
        raise WebParseError(source, "R/C in the race link")
    race_date, reunion, course = date.fromisoformat(match.group(1)), int(match.group(2)), int(match.group(3))
    title = _need(soup.select_one("h1"), source, "the page title (h1)").get_text(" ", strip=True)
    hippodrome = re.sub(r"\s*\d{2}/\d{2}/\d{4}\s*$", "", title).strip()
    stamp = soup.select_one("#arriveeDetails .heure-course [data-timestamp]")
    start = (
        datetime.fromtimestamp(int(stamp["data-timestamp"]), tz=UTC).astimezone(PARIS)
        if stamp is not None
        else None
    )
    name = soup.select_one("#arriveeDetails h2.nom-course")
    infos = soup.select_one("#arriveeDetails p.infos")
    discipline, distance, prize = _infos(infos.get_text(" ", strip=True)) if infos else (None, None, None)
    table = _need(soup.select_one("table.table-runners"), source, "the runners table (table.table-runners)")
    rows = table.select("tbody tr[data-runner]")
    if not rows:
        raise WebParseError(source, "runner rows (tr[data-runner])")
    cotes = _cotes(text)
    return WebRace(
        source="zeturf",
        race_date=race_date,
        hippodrome=hippodrome,
        race_name=name.get_text(" ", strip=True) if name else None,
        reunion=reunion,
        course=course,
        start=start,
        discipline=discipline,
        distance_m=distance,
        prize_eur=prize,
        runners=tuple(_runner(row, cotes, source) for row in rows),
    )
