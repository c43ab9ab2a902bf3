"""Geny pages: the partants page (runners, musique, odds) and the arrivée-et-rapports page (arrival,
dividends per bet type as published for the PMU).

Saved Geny pages hold U+FFFD where an accented letter or a thin space was lost, so labels are matched
on their unaccented stems ("plac" for "Placé") and U+FFFD counts as a thousands separator in amounts.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, Tag

from hippique_assets.web.charset import decode_page
from hippique_assets.web.errors import WebParseError, typed_parse_errors
from hippique_assets.web.models import GenyArrivee, GenyPartants, WebDividend, WebRunner

PARIS = ZoneInfo("Europe/Paris")
_CANONICAL = re.compile(r"/(\d{4}-\d{2}-\d{2})-([a-z0-9-]+?)-pm[uh]-")
_INFO = re.compile(r"info=(\d{4}-\d{2}-\d{2})-([^-&]+)-")
_COURSE_NUMBER = re.compile(r"^\s*(\d+)")
_REUNION = re.compile(r"\(R(\d+)\)")
_START = re.compile(r"(\d{1,2})h(\d{2})")
_NON_RUNNERS = re.compile(r"non[- ]?partants?\s*:\s*((?:\d+(?:\s*(?:[-,/]|et)\s*)?)+)", re.IGNORECASE)
# An amount in euros ("80\ufffd000 €") and a stake ("1 €", "0,50 €"). Each may only start where a run
# of its characters starts (the lookbehind): otherwise a long digit run not followed by "€" is
# scanned again from each of its digits, which is quadratic. The match is the same as without it.
_PRIZE = re.compile(r"(?<![\d \ufffd\u202f])[ \ufffd\u202f]*(\d[\d \ufffd\u202f]*)\s?€")
_STAKE = re.compile(r"(?<![\d,])([\d,]+)\s*€")
_SEPARATORS = str.maketrans({" ": None, "\xa0": None, "\u202f": None, "\ufffd": None, "€": None, ",": "."})
_DISCIPLINES = (
    ("attel", "ATTELE"),
    ("mont", "MONTE"),
    ("plat", "PLAT"),
    ("haie", "HAIE"),
    ("steeple", "STEEPLECHASE"),
    ("cross", "CROSS"),
)
# Dividend sections of the arrivée page and the bet type of each label stem in them ("" = any label).
_SECTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "lesSolos": (("gagnant", "SIMPLE_GAGNANT"), ("plac", "SIMPLE_PLACE")),
    "lesDuos": (("gagnant", "COUPLE_GAGNANT"), ("plac", "COUPLE_PLACE"), ("ordre", "COUPLE_ORDRE")),
    "lesTrios": (("", "TRIO"),),
    "les2sur4": (("", "DEUX_SUR_QUATRE"),),
    "lesMultis": (("", "MULTI"),),
    "lesTierces": (("", "TIERCE"),),
    "lesQuartos": (("", "QUARTE_PLUS"),),
    "lesQuintos": (("", "QUINTE_PLUS"),),
}
# Partants table: field -> test on the lower-cased header text.
_COLUMNS = {
    "number": lambda h: re.fullmatch(r"n\W?", h) is not None,
    "name": lambda h: h.startswith("cheval"),
    "sex_age": lambda h: h == "sa" or h.startswith("sexe"),
    "distance_m": lambda h: h.startswith("dist"),
    "jockey": lambda h: h.startswith(("driver", "jockey")),
    "trainer": lambda h: h.startswith("entra"),
    "musique": lambda h: h.startswith("musique"),
    "reference_odds": lambda h: h.startswith(("cotes r", "cote r")),
    "win_odds": lambda h: h.startswith("derni"),
}


def _need(node: Tag | None, page: str, what: str) -> Tag:
    if node is None:
        raise WebParseError(page, what)
    return node


def _amount(text: str) -> float | None:
    """``"52\ufffd950,80 €"`` -> 52950.8; None when the text is not an amount."""
    cleaned = text.strip().translate(_SEPARATORS)
    if not re.fullmatch(r"\d+(\.\d+)?", cleaned):
        return None
    return float(cleaned)


def _odds(text: str) -> float | None:
    value = _amount(text)
    return value if value is not None and value > 1 else None


def _discipline(line: str) -> str | None:
    first = line.split("-", 1)[0].strip().lower()
    return next((code for stem, code in _DISCIPLINES if first.startswith(stem)), None)


def _race_info(
    soup: BeautifulSoup, day: date
) -> tuple[datetime | None, str | None, int | None, float | None]:
    """Start (Europe/Paris), discipline, distance and prize from the ``.infoCourse`` block; the
    conditions sentence is left out because its words ("monter", "plat") are not the discipline."""
    info = soup.select_one(".infoCourse")
    if info is None:
        return None, None, None, None
    strings = [s for s in info.find_all(string=True) if not s.find_parent(class_="conditionCourse")]
    # Joined by line breaks because <br> separates the lines ("TROPHEE VERT - FINALE<br>Attelé - ...").
    lines = [" ".join(s.replace("\xa0", " ").split()) for s in "\n".join(strings).splitlines()]
    text = " ".join(lines)
    start_match = _START.search(text)
    start = None
    if start_match:
        hour, minute = int(start_match.group(1)), int(start_match.group(2))
        start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)
    discipline = next((d for d in map(_discipline, lines) if d is not None), None)
    distance = re.search(r"\b(\d{3,4})\s?m\b", text)
    prize = _PRIZE.search(text)
    return (
        start,
        discipline,
        int(distance.group(1)) if distance else None,
        _amount(prize.group(1)) if prize else None,
    )


def _title(soup: BeautifulSoup) -> tuple[str | None, int | None]:
    """Race name and number from ``<h1>8<sup>ème</sup> course - Prix de Barbizon</h1>``."""
    title = soup.select_one(".nomCourse")
    if title is None:
        return None, None
    text = title.get_text(" ", strip=True)
    number = _COURSE_NUMBER.match(text)
    name = text.split("-", 1)[1].strip() if "-" in text else text
    return name or None, int(number.group(1)) if number else None


def _tight_dashes(text: str) -> str:
    r"""``"7 - 1 - 5"`` -> ``"7-1-5"``: the blanks around each dash removed, other blanks kept (what
    ``re.sub(r"\s*-\s*", "-", text)`` does, without rescanning a long blank run from each position)."""
    parts = text.split("-")
    if len(parts) == 1:
        return text
    return "-".join([parts[0].rstrip(), *(p.strip() for p in parts[1:-1]), parts[-1].lstrip()])


def _declared_non_runners(soup: BeautifulSoup) -> tuple[int, ...]:
    """Numbers listed in a "Non-partants : 4 - 8" line of the race header (the saved pages have none)."""
    header = soup.select_one(".cartoucheCourse") or soup
    match = _NON_RUNNERS.search(header.get_text(" ", strip=True))
    return tuple(int(n) for n in re.findall(r"\d+", match.group(1))) if match else ()


def _columns(table: Tag, page: str) -> dict[str, int]:
    header = table.select_one("thead tr") or table.find("tr")
    names = [
        c.get_text(" ", strip=True).lower() for c in _need(header, page, "the header row").find_all("th")
    ]
    columns = {}
    for field, matches in _COLUMNS.items():
        found = next((i for i, name in enumerate(names) if matches(name)), None)
        if found is not None:
            columns[field] = found
    for required in ("number", "name"):
        if required not in columns:
            raise WebParseError(page, f"the {required} column of table#tableau_partants (headers {names})")
    return columns


def _partant(cells: list[Tag], columns: dict[str, int], declared: tuple[int, ...], page: str) -> WebRunner:
    def text(field: str) -> str:
        index = columns.get(field)
        return cells[index].get_text(" ", strip=True) if index is not None and index < len(cells) else ""

    number_text = text("number")
    number_match = re.match(r"\d+", number_text)
    if number_match is None:
        raise WebParseError(page, f"a runner number (got {number_text!r})")
    number = int(number_match.group())
    name_cell = cells[columns["name"]]
    link = name_cell.select_one("a")
    distance = text("distance_m")
    row = name_cell.find_parent("tr")
    row_classes = " ".join((row.get("class") if row is not None else None) or []).lower()
    flagged = "np" in number_text.lower() or "nonpartant" in row_classes.replace("-", "").replace("_", "")
    return WebRunner(
        number=number,
        name=(link or name_cell).get_text(" ", strip=True),
        jockey=text("jockey") or None,
        trainer=text("trainer") or None,
        musique=text("musique") or None,
        sex_age=text("sex_age") or None,
        distance_m=int(distance) if distance.isdigit() else None,
        non_runner=flagged or number in declared,
        reference_odds=_odds(text("reference_odds")),
        win_odds=_odds(text("win_odds")),
    )


@typed_parse_errors
def parse_geny_partants(content: bytes, source: str, content_type: str | None = None) -> GenyPartants:
    """Parse a Geny ``/partants-pmu/<date>-<hippodrome>-pmu-<race>_c<id>`` page.

    ``source`` names the page in errors. Raises :class:`WebParseError` when the canonical link, the
    runners table or its rows are missing.
    """
    soup = BeautifulSoup(decode_page(content, content_type, where=source), "lxml")
    canonical = _need(soup.select_one('link[rel="canonical"]'), source, 'link rel="canonical"').get(
        "href", ""
    )
    identity = _CANONICAL.search(str(canonical))
    if identity is None:
        raise WebParseError(source, f"the race date and hippodrome in the canonical link {canonical!r}")
    race_date = date.fromisoformat(identity.group(1))
    name, number = _title(soup)
    reunion_node = soup.select_one(".nomReunion")
    reunion = _REUNION.search(reunion_node.get_text(" ", strip=True)) if reunion_node else None
    start, discipline, distance, prize = _race_info(soup, race_date)
    table = _need(
        soup.select_one("table#tableau_partants"), source, "the runners table (table#tableau_partants)"
    )
    columns = _columns(table, source)
    declared = _declared_non_runners(soup)
    runners = []
    for row in table.select("tbody tr") or table.find_all("tr")[1:]:
        cells = row.find_all("td", recursive=False)
        if len(cells) <= max(columns.values()):
            continue
        runners.append(_partant(cells, columns, declared, source))
    if not runners:
        raise WebParseError(source, "runner rows in table#tableau_partants")
    return GenyPartants(
        source="geny",
        race_date=race_date,
        hippodrome=identity.group(2).replace("-", " ").upper(),
        race_name=name,
        reunion=int(reunion.group(1)) if reunion else None,
        course=number,
        start=start,
        discipline=discipline,
        distance_m=distance,
        prize_eur=prize,
        runners=tuple(runners),
    )


def _operator_blocks(section: Tag) -> list[tuple[str, Tag]]:
    """(operator, block) for each operator column of a dividends section (GENYBET.FR, PMU, PMU.FR)."""
    first_row = section.find("tr")
    if first_row is None:
        return []
    blocks = []
    for cell in first_row.find_all("td", recursive=False):
        label = cell.select_one("div > b > i")
        if label is not None:
            blocks.append((label.get_text(strip=True), cell))
    return blocks


def _bet_type(section_id: str, label: str) -> str | None:
    lowered = label.lower()
    return next((bet for stem, bet in _SECTIONS[section_id] if stem in lowered), None)


def _dividends(section_id: str, block: Tag, page: str) -> list[WebDividend]:
    stake_node = block.find(string=re.compile(r"pour"))
    stake = 1.0
    if stake_node is not None and stake_node.parent is not None:
        stake_match = _STAKE.search(stake_node.parent.get_text(" ", strip=True))
        stake = (_amount(stake_match.group(1)) if stake_match else None) or 1.0
    # Combined bets (tiercé, quarté, quinté, 2sur4, multi) show one combination above their rows.
    shared = block.select_one("span[id]")
    shared_combination = _tight_dashes(shared.get_text(" ", strip=True)) if shared else None
    out = []
    for row in block.select("tr"):
        cells = row.find_all("td", recursive=False)
        if len(cells) < 2 or not any(c.startswith("ncdouble") for c in cells[0].get("class") or []):
            continue
        combo = cells[0].select_one('div[style*="float: left"]')
        label_node = cells[0].select_one('div[style*="float: right"]')
        combination: str | None
        if combo is not None and label_node is not None:
            combination = combo.get_text("", strip=True)
            label = label_node.get_text(" ", strip=True)
        else:
            combination, label = shared_combination, cells[0].get_text(" ", strip=True)
        bet_type = _bet_type(section_id, label)
        value_text = cells[-1].get_text(" ", strip=True)
        value = _amount(value_text)
        if bet_type is None or not combination:
            continue
        if value is None:
            raise WebParseError(page, f"a dividend amount for {bet_type} {label} (got {value_text!r})")
        numbers = tuple(int(n) for n in re.findall(r"\d+", combination))
        out.append(WebDividend(bet_type, combination, numbers, value, stake, label))
    return out


def _race_link(soup: BeautifulSoup, page: str) -> tuple[date, str]:
    """Date and hippodrome from the page's own links (``...?id_course=...&info=2024-09-02-Craon-...``)."""
    for link in soup.select('a[href*="info="]'):
        match = _INFO.search(str(link.get("href", "")))
        if match:
            return date.fromisoformat(match.group(1)), match.group(2).replace("+", " ").upper()
    raise WebParseError(page, "the race date (a link with info=<date>-<hippodrome>-...)")


@typed_parse_errors
def parse_geny_arrivee(
    content: bytes, source: str, content_type: str | None = None, operator: str = "PMU"
) -> GenyArrivee:
    """Parse a Geny arrivée-et-rapports page: the arrival and the dividends published for ``operator``
    (``"PMU"``; the page also shows ``"PMU.FR"`` and ``"GENYBET.FR"``).

    Raises :class:`WebParseError` when the arrival table, its rows, the race date or every dividend
    of ``operator`` is missing.
    """
    soup = BeautifulSoup(decode_page(content, content_type, where=source), "lxml")
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
                dividends.extend(_dividends(section_id, block, source))
    if not dividends:
        raise WebParseError(source, f"{operator} dividends (tables lesSolos, lesDuos...)")
    race_date, hippodrome = _race_link(soup, source)
    race_name, number = _title(soup)
    start, discipline, distance, _ = _race_info(soup, race_date)
    return GenyArrivee(
        source="geny",
        race_date=race_date,
        hippodrome=hippodrome,
        race_name=race_name,
        arrival=tuple(arrival),
        non_runners=_declared_non_runners(soup),
        dividends=tuple(dividends),
        course=number,
        start=start,
        discipline=discipline,
        distance_m=distance,
    )
