"""Every real capture parses into frames that match the declared tables exactly."""

from __future__ import annotations

import copy
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import ARRAY, Boolean, DateTime, Double, Integer, Numeric, Table
from sqlalchemy.dialects.postgresql import JSONB

from hippique_assets.pmu import parsers, tables
from hippique_assets.pmu.schema.live_odds import ODDS_SNAPSHOTS
from hippique_assets.pmu.schema.participants import HORSES, PARTICIPANTS
from hippique_assets.pmu.schema.performances import PERFORMANCES
from hippique_assets.pmu.schema.programme import RACES, REUNIONS
from hippique_assets.pmu.schema.rapports import BETS, DIVIDENDS
from hippique_assets.storage.tables import column_names

_RACE_FILE = re.compile(r"^(?P<kind>participants|reunion)_(?P<day>\d{8})_R(?P<r>\d+)(?:C(?P<c>\d+))?\.json$")


def _day(ddmmyyyy: str) -> date:
    return date(int(ddmmyyyy[4:]), int(ddmmyyyy[2:4]), int(ddmmyyyy[:2]))


def parse_sample(path: Path) -> dict[Table, pd.DataFrame]:
    """Parse one capture with the parser of its endpoint, recognised from its file name."""
    payload: Any = json.loads(path.read_text(encoding="utf-8"))
    name = path.name
    if name.startswith("programme_"):
        parsed = parsers.parse_programme(payload, _day(name[10:18]))
        return {REUNIONS: parsed.reunions, RACES: parsed.races}
    if name == "trimmed_07072026_programme.json":
        parsed = parsers.parse_programme(payload, date(2026, 7, 7))
        return {REUNIONS: parsed.reunions, RACES: parsed.races}
    if name == "trimmed_07072026_participants.json":
        runners = parsers.parse_participants(payload, date(2026, 7, 7), 1, 1)
        return {PARTICIPANTS: runners.participants, HORSES: runners.horses}
    if name.startswith("trimmed_07072026_rapports"):
        rapports = parsers.parse_rapports(payload, date(2026, 7, 7), 1, 1)
        return {BETS: rapports.bets, DIVIDENDS: rapports.dividends}
    if name.startswith("excerpt_05112025_R1C1_performances"):
        envelope = {
            "participants": [{"numPmu": 6, "nomCheval": "KING DU PLESSIS", "coursesCourues": [payload]}]
        }
        frame = parsers.parse_performances(
            envelope, date(2025, 11, 5), 1, 1, horse_ids={6: "KING-DU-PLESSIS"}
        )
        return {PERFORMANCES: frame}
    match = _RACE_FILE.match(name)
    if match and match["kind"] == "reunion":
        parsed = parsers.parse_reunion(payload, _day(match["day"]))
        return {REUNIONS: parsed.reunions, RACES: parsed.races}
    if match and match["kind"] == "participants":
        day, reunion, course = _day(match["day"]), int(match["r"]), int(match["c"])
        runners = parsers.parse_participants(payload, day, reunion, course)
        snapshot = parsers.odds_snapshot(runners.participants, "h30", pd.Timestamp("2026-01-01T12:00Z"))
        return {
            PARTICIPANTS: runners.participants,
            HORSES: runners.horses,
            ODDS_SNAPSHOTS: snapshot,
        }
    raise AssertionError(f"no parser chosen for sample {name}")


def _sample_names() -> list[str]:
    from hippique_assets_tests.conftest import SAMPLES_DIR

    folder = SAMPLES_DIR / "pmu"
    return sorted(p.name for p in folder.glob("*.json")) if folder.is_dir() else ["(samples missing)"]


@pytest.mark.parametrize("name", _sample_names())
def test_every_sample_matches_the_declared_tables(pmu_samples: Path, name: str) -> None:
    frames = parse_sample(pmu_samples / name)
    for spec, frame in frames.items():
        assert list(frame.columns) == column_names(spec)
        assert parsers.frame_problems(frame, spec) == [], (name, spec.name)
        assert len(frame) > 0, (name, spec.name)


def test_the_sample_folder_holds_every_endpoint(pmu_samples: Path) -> None:
    seen: set[str] = set()
    for path in sorted(pmu_samples.glob("*.json")):
        seen.update(spec.name for spec in parse_sample(path))
    assert seen == {spec.name for spec in tables.ALL_TABLES}


@pytest.mark.parametrize("spec", tables.ALL_TABLES, ids=lambda s: s.name)
def test_empty_frames_are_typed(spec: Table) -> None:
    frame = parsers.empty_frame(spec)
    assert frame.empty
    assert list(frame.columns) == column_names(spec)
    assert [str(t) for t in frame.dtypes] == [parsers.pandas_dtype(c.type) for c in spec.columns]
    assert parsers.frame_problems(frame, spec) == []


def test_dtypes_follow_the_column_types() -> None:
    assert parsers.pandas_dtype(Integer()) == "Int64"
    assert parsers.pandas_dtype(Numeric(14, 2)) == "float64"
    assert parsers.pandas_dtype(Double()) == "float64"
    assert parsers.pandas_dtype(Boolean()) == "boolean"
    assert parsers.pandas_dtype(DateTime(timezone=True)) == "datetime64[ns, UTC]"
    assert parsers.pandas_dtype(DateTime()) == "datetime64[ns]"
    assert parsers.pandas_dtype(ARRAY(Integer)) == "object"
    with pytest.raises(ValueError, match="JSONB"):
        parsers.pandas_dtype(JSONB())


def test_frame_problems_reports_what_is_wrong(pmu_samples: Path) -> None:
    frames = parse_sample(pmu_samples / "participants_01012018_R3C1.json")
    runners = frames[PARTICIPANTS]
    doubled = pd.concat([runners, runners.head(1)], ignore_index=True)
    assert any("share a primary key" in p for p in parsers.frame_problems(doubled, PARTICIPANTS))
    as_float = runners.astype({"number": "float64"})
    assert any(p.startswith("number: dtype float64") for p in parsers.frame_problems(as_float, PARTICIPANTS))
    reordered = runners[list(reversed(runners.columns))]
    assert parsers.frame_problems(reordered, PARTICIPANTS)[0].startswith("columns")
    nulled = runners.copy()
    nulled["horse_name"] = None
    assert any("nulls in a non-nullable" in p for p in parsers.frame_problems(nulled, PARTICIPANTS))


def _load(pmu_samples: Path, name: str) -> Any:
    return json.loads((pmu_samples / name).read_text(encoding="utf-8"))


def test_a_removed_required_key_names_the_endpoint_race_and_key(pmu_samples: Path) -> None:
    programme = _load(pmu_samples, "programme_30032025.json")
    broken = copy.deepcopy(programme)
    del broken["programme"]["reunions"][0]["courses"][2]["heureDepart"]
    with pytest.raises(
        parsers.PmuParseError, match=r"programme 2025-03-30 R1C3: missing required key 'heureDepart'"
    ):
        parsers.parse_programme(broken, date(2025, 3, 30))

    runners = _load(pmu_samples, "participants_08042026_R3C2.json")
    del runners["participants"][4]["nom"]
    with pytest.raises(parsers.PmuParseError, match=r"participants 2026-04-08-R3C2 runner 5: .*'nom'"):
        parsers.parse_participants(runners, date(2026, 4, 8), 3, 2)

    rapports = _load(pmu_samples, "trimmed_07072026_rapports_definitifs.json")
    del rapports[1]["rapports"][0]["dividendePourUnEuro"]
    with pytest.raises(
        parsers.PmuParseError, match=r"rapports 2026-07-07-R1C1 SIMPLE_PLACE .*'dividendePourUnEuro'"
    ):
        parsers.parse_rapports(rapports, date(2026, 7, 7), 1, 1)

    past = _load(pmu_samples, "excerpt_05112025_R1C1_performances_coursesCourues0.json")
    del past["date"]
    envelope = {"participants": [{"numPmu": 6, "idCheval": "K", "coursesCourues": [past]}]}
    with pytest.raises(
        parsers.PmuParseError,
        match=r"performances 2025-11-05-R1C1 runner 6 coursesCourues\[0\]: missing required key 'date'",
    ):
        parsers.parse_performances(envelope, date(2025, 11, 5), 1, 1)
