"""One record per PMU turfinfo endpoint: everything the code needs to know about it.

The paths (:mod:`hippique_assets.pmu.paths`), the client's expectations and body limits
(:mod:`hippique_assets.pmu.client`), the day's gaps (:mod:`hippique_assets.pmu.gaps`), what a new
answer that lacks stored rows keeps (:mod:`hippique_assets.pmu.last_good`), the ingestion assets
and their jobs (:mod:`hippique_assets.defs.pmu`) and the replay's routing are all built from
:data:`ENDPOINTS`. Adding an endpoint is one record here, its tables in a module of
:mod:`hippique_assets.pmu.schema` (with a migration; :mod:`hippique_assets.pmu.tables` registers
the tables named here), its row function in a ``parse_*.py`` and, for the replay, a method of the
generated day named after it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any, Literal

from sqlalchemy import Table

from hippique_assets.pmu.parse_participants import participants_rows
from hippique_assets.pmu.parse_performances import performances_rows
from hippique_assets.pmu.parse_programme import programme_rows
from hippique_assets.pmu.parse_rapports import rapports_rows
from hippique_assets.pmu.schema.participants import HORSES, PARTICIPANTS
from hippique_assets.pmu.schema.performances import PERFORMANCES
from hippique_assets.pmu.schema.programme import RACES, REUNIONS
from hippique_assets.pmu.schema.rapports import BETS, DIVIDENDS
from hippique_assets.racing.keys import pmu_date

Scope = Literal["day", "reunion", "race"]

# The columns naming a race in the tables of the day.
RACE_UNIT = ("race_date", "reunion", "course")
# Body limit of a path that belongs to no endpoint, in MB.
DEFAULT_BODY_MB = 8.0


@dataclass(frozen=True)
class TableSpec:
    """A table an endpoint's answers are parsed into.

    ``day_column`` is for a table whose rows outlive the day they were seen on (a horse, a past
    race): one row per primary key across the days of a run, dated by that column, and a day may
    rightly have none. Any other table belongs to its day and names its ``unit``: the columns of
    what one answer either has or lacks as a whole (a race, a runner, a bet type of a race). When a
    new answer lacks a unit stored for the day, the stored rows are kept (last good data wins,
    :mod:`hippique_assets.pmu.last_good`). ``label`` names the row count in the UI.
    """

    table: Table
    label: str
    description: str | None = None
    day_column: str | None = None
    unit: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.day_column is None and not self.unit:
            raise ValueError(f"{self.table.fullname}: a table of the day needs its unit (last good data)")
        unknown = [c for c in self.unit if c not in self.table.c]
        if unknown:
            raise ValueError(f"{self.table.fullname}: unit columns {unknown} are not in the table")


@dataclass(frozen=True)
class PmuEndpoint:
    """One endpoint of the API.

    ``tail`` follows ``/programme/DDMMYYYY`` (day), ``.../R{n}`` (reunion) or ``.../R{n}/C{n}``
    (race); ``expect`` is the JSON type of a 200 body at top level; ``not_final_on_404`` says that a
    404 means "not published yet" rather than an error; ``max_body_mb`` is the default body limit
    (``HIPPIQUE_MAX_BODY_MB`` overrides it by name). An endpoint with ``tables`` is ingested: its
    answers are landed by ``raw_<name>`` and parsed by ``rows`` (``rows(payload, day)``, plus
    ``reunion`` and ``course`` below the day) into its tables (see :class:`TableSpec` for what a
    new answer that lacks stored rows keeps); ``plan`` puts both assets in the
    morning plan job (the full ingestion job has every ingested endpoint).
    """

    name: str
    scope: Scope
    tail: str
    doc: str
    expect: type = dict
    not_final_on_404: bool = False
    max_body_mb: float = DEFAULT_BODY_MB
    tables: tuple[TableSpec, ...] = ()
    rows: Callable[..., Any] | None = None
    plan: bool = False

    def path(self, day: date, reunion: int | None = None, course: int | None = None) -> str:
        """The API path of this endpoint for a day, reunion or race (as its scope needs)."""
        path = f"/programme/{pmu_date(day)}"
        if self.scope != "day":
            if reunion is None:
                raise ValueError(f"{self.name} needs a reunion")
            path += f"/R{reunion}"
        if self.scope == "race":
            if course is None:
                raise ValueError(f"{self.name} needs a course")
            path += f"/C{course}"
        return f"{path}/{self.tail}" if self.tail else path

    @property
    def ingested(self) -> bool:
        return bool(self.tables)

    @property
    def raw_asset(self) -> str:
        """Name of the asset landing its answers."""
        return f"raw_{self.name}"

    @property
    def table_assets(self) -> tuple[str, ...]:
        """Names of the assets holding its tables (one per table, named after it)."""
        return tuple(spec.table.name for spec in self.tables)


# The largest bodies seen are far below the limits: a busy day's programme 0.73 MB, a race's
# performances about 0.3 MB, a reunion 78 KB, participants 44 KB, rapports 8 KB.
ENDPOINTS: tuple[PmuEndpoint, ...] = (
    PmuEndpoint(
        "programme",
        "day",
        "",
        "The day's programme as served by ``/programme/{DDMMYYYY}``, kept verbatim as a JSON file.\n\n"
        "A 204 answer (no racing, or a date the API does not hold) is recorded in the manifest and "
        "gives empty tables downstream.",
        max_body_mb=16.0,
        tables=(
            TableSpec(REUNIONS, "reunions", unit=("race_date", "reunion")),
            TableSpec(RACES, "races", unit=RACE_UNIT),
        ),
        rows=programme_rows,
        plan=True,
    ),
    PmuEndpoint("reunion", "reunion", "", "``/programme/{DDMMYYYY}/R{n}``: one reunion.", max_body_mb=8.0),
    PmuEndpoint(
        "participants",
        "race",
        "participants",
        "``/R{n}/C{n}/participants`` for every race of the day: runners, odds, musique, results.",
        max_body_mb=4.0,
        tables=(
            TableSpec(
                PARTICIPANTS,
                "runners",
                "One row per runner of every race of the day.",
                unit=(*RACE_UNIT, "number"),
            ),
            TableSpec(
                HORSES,
                "horses",
                "Horses seen on any day, keyed by PMU idCheval (or a derived key).",
                day_column="last_seen",
            ),
        ),
        rows=participants_rows,
        plan=True,
    ),
    PmuEndpoint(
        "performances",
        "race",
        "performances-detaillees/pretty",
        "``/R{n}/C{n}/performances-detaillees/pretty`` for every race: each runner's past races.",
        max_body_mb=16.0,
        tables=(
            TableSpec(
                PERFORMANCES,
                "past_races",
                "Past races of every runner of the day, one row per horse and past race, deduplicated "
                "across days.\n\nThe performances payload carries no pedigree, so horses are identified "
                "through the day's participants (number -> horse_id) when PMU's ``idCheval`` is absent.",
                day_column="last_seen_date",
            ),
        ),
        rows=performances_rows,
        plan=True,
    ),
    PmuEndpoint(
        "rapports",
        "race",
        "rapports-definitifs",
        "``/R{n}/C{n}/rapports-definitifs`` for every race: official dividends (404 = not final yet).",
        expect=list,
        not_final_on_404=True,
        max_body_mb=2.0,
        tables=(
            TableSpec(
                BETS,
                "bets",
                "Bet types offered per race with their base stake and refund flag.",
                unit=(*RACE_UNIT, "bet_type"),
            ),
            TableSpec(
                DIVIDENDS,
                "dividends",
                "Official dividends per bet type and winning combination.",
                unit=(*RACE_UNIT, "bet_type"),
            ),
        ),
        rows=rapports_rows,
    ),
)

BY_NAME: Mapping[str, PmuEndpoint] = MappingProxyType({e.name: e for e in ENDPOINTS})

# The endpoints landed and parsed into tables, in the order they land.
INGESTED: tuple[PmuEndpoint, ...] = tuple(e for e in ENDPOINTS if e.ingested)


def endpoint(name: str) -> PmuEndpoint:
    """The record of an endpoint by name; KeyError naming the known ones otherwise."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"no PMU endpoint {name!r}: expected one of {sorted(BY_NAME)}") from None
