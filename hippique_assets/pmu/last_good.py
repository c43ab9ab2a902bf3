"""Last good data wins: a new answer that holds less than what is stored never deletes stored rows.

A table asset replaces a day's rows with what it parsed. When the source answers with less than it
did before (a programme without one of its races, participants without a runner, rapports without a
bet type), the rows the new answer lacks would be deleted. :func:`keep_last_good` puts them back:
every *unit* of a table (a reunion, a race, a runner, a bet type of a race) that is stored for the
day and absent from the new frame keeps its stored rows. A race leaves the tables only when the
source says so: a cancelled race is still listed, with its cancellation status.

What was kept is returned as :class:`Kept` records, which the day's ingestion gaps name: a unit that
vanished without a rejection is a shrink of the source (``shrank``, retried); one whose new value
was rejected by its rule keeps its earlier row and stays named by its rejection.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Table

from hippique_assets.pmu.endpoints import INGESTED, RACE_UNIT
from hippique_assets.pmu.endpoints import endpoint as endpoint_record
from hippique_assets.pmu.validation import Rejection
from hippique_assets.racing.keys import race_key
from hippique_assets.storage.files import FileStore

# The unit of each table of the day, from the endpoint records: what one answer has or lacks as a whole.
UNITS: dict[str, tuple[str, ...]] = {
    spec.table.fullname: spec.unit for record in INGESTED for spec in record.tables if spec.unit
}


@dataclass(frozen=True)
class Kept:
    """A unit missing from the new answer whose stored rows were kept."""

    race_date: date
    endpoint: str
    table: str
    race_key: str | None
    reunion: int | None
    runner: int | None
    unit: str
    path: str
    rejected: bool

    def line(self) -> str:
        why = "its new value was rejected" if self.rejected else "missing from the new answer"
        return f"{self.endpoint} {self.unit}: {why}; the stored rows are kept"


def unit_of(table: Table) -> tuple[str, ...]:
    return UNITS[table.fullname]


def missing_units(new: pd.DataFrame, stored_keys: pd.DataFrame, unit: Sequence[str]) -> pd.DataFrame:
    """The distinct ``unit`` values of ``stored_keys`` that ``new`` does not have."""
    stored_units = stored_keys[list(unit)].drop_duplicates()
    if stored_units.empty:
        return stored_units
    if new.empty:
        return stored_units.reset_index(drop=True)
    present = new[list(unit)].drop_duplicates().assign(_present=True)
    merged = stored_units.merge(present, on=list(unit), how="left")
    return merged.loc[merged["_present"].isna(), list(unit)].reset_index(drop=True)


def keep_last_good(new: pd.DataFrame, stored: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """``new`` with the ``stored`` rows of ``units`` (the missing units) appended."""
    if units.empty:
        return new
    back = stored.merge(units, on=list(units.columns), how="inner")[list(new.columns)]
    if new.empty:
        return back.reset_index(drop=True)
    frame = pd.concat([new, back.astype(new.dtypes.to_dict())], ignore_index=True)
    return frame


def _describe(name: str, row: dict) -> tuple[str | None, int | None, int | None, str, str]:
    """Race key, reunion, runner, a label and the endpoint's path of one missing unit."""
    record = endpoint_record(name)
    day = pd.Timestamp(row["race_date"]).date()
    reunion = int(row["reunion"])
    course = int(row["course"]) if "course" in row else None
    path = record.path(
        day,
        reunion if record.scope != "day" else None,
        course if record.scope == "race" else None,
    )
    if course is None:
        return None, reunion, None, f"R{reunion} of {row['race_date']}", path
    key = race_key(day, reunion, course)
    runner = int(row["number"]) if "number" in row else None
    below = [f"runner {v}" if c == "number" else str(v) for c, v in row.items() if c not in RACE_UNIT]
    return key, reunion, runner, " ".join([key, *below]), path


def kept_records(
    endpoint: str, table: Table, units: pd.DataFrame, rejections: Iterable[Rejection]
) -> list[Kept]:
    """One :class:`Kept` per missing unit; ``rejected`` when a rejection names its race or runner."""
    rejected_races = {(r.race_date, r.race_key) for r in rejections if r.runner is None}
    rejected_runners = {(r.race_date, r.race_key, r.runner) for r in rejections if r.runner is not None}
    records = []
    for row in units.to_dict("records"):
        key, reunion, runner, unit, path = _describe(endpoint, row)
        day = pd.Timestamp(row["race_date"]).date()
        rejected = (day, key) in rejected_races or (day, key, runner) in rejected_runners
        if endpoint == "programme" and key is None:
            rejected = any(d == day and k is None for d, k in rejected_races)
        records.append(Kept(day, endpoint, table.fullname, key, reunion, runner, unit, path, rejected))
    return records


def kept_path(partition: str, endpoint: str) -> str:
    return f"pmu/{partition}/_manifests/{endpoint}.kept.json"


def write_kept(store: FileStore, partition: str, endpoint: str, kept: Sequence[Kept]) -> None:
    rows = [{**asdict(k), "race_date": k.race_date.isoformat()} for k in kept]
    store.write_bytes(kept_path(partition, endpoint), json.dumps(rows, ensure_ascii=False).encode())


def read_kept(store: FileStore, partition: str, endpoints: Sequence[str]) -> list[Kept]:
    found = []
    for endpoint in endpoints:
        rel = kept_path(partition, endpoint)
        if store.exists(rel):
            for row in json.loads(store.read_bytes(rel)):
                found.append(Kept(**{**row, "race_date": date.fromisoformat(row["race_date"])}))
    return found
