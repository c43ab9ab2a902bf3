"""Declarations of the ``pmu`` tables, checked against their rules and against a real Postgres."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg2
import pytest
from psycopg2.extras import execute_values
from sqlalchemy import Table

from hippique_assets.catalog import get_table
from hippique_assets.pmu import parsers, tables
from hippique_assets.pmu.schema.live_odds import ODDS_SNAPSHOTS
from hippique_assets.pmu.schema.participants import HORSES, PARTICIPANTS
from hippique_assets.pmu.schema.performances import PERFORMANCES
from hippique_assets.pmu.schema.programme import RACES, REUNIONS
from hippique_assets.pmu.schema.rapports import BETS, DIVIDENDS
from hippique_assets.storage.tables import (
    column_names,
    kind_of,
    partition_column,
    primary_key,
    references,
    unique_keys,
    write_mode,
)


def pg_type(table: Table, column: str) -> str:
    return kind_of(table, column).pg_name


DAILY = [REUNIONS, RACES, PARTICIPANTS, BETS, DIVIDENDS]
PER_RACE_DAILY = [RACES, PARTICIPANTS, BETS, DIVIDENDS]


def test_every_table_is_registered_under_schema_pmu() -> None:
    names = {spec.name for spec in tables.ALL_TABLES}
    assert names == {
        "reunions",
        "races",
        "participants",
        "horses",
        "performances",
        "bets",
        "dividends",
        "odds_snapshots",
    }
    for spec in tables.ALL_TABLES:
        assert spec.schema == "pmu"
        assert get_table(spec.fullname) is spec


@pytest.mark.parametrize("spec", DAILY, ids=lambda s: s.name)
def test_daily_tables_replace_their_race_date_partition(spec: Table) -> None:
    assert partition_column(spec) == "race_date"
    assert write_mode(spec) == "replace_partition"
    assert pg_type(spec, "race_date") == "date"
    assert not spec.c["race_date"].nullable
    assert "race_date" in primary_key(spec)


@pytest.mark.parametrize("spec", PER_RACE_DAILY, ids=lambda s: s.name)
def test_per_race_tables_carry_the_race_key(spec: Table) -> None:
    col = spec.c["race_key"]
    assert pg_type(spec, "race_key") == "text" and not col.nullable
    assert {"reunion", "course"} <= set(primary_key(spec))


def test_shared_tables_upsert_and_snapshots_append() -> None:
    for spec in (HORSES, PERFORMANCES):
        assert write_mode(spec) == "upsert"
        assert partition_column(spec) is None
    assert primary_key(HORSES) == ("horse_id",)
    assert {"first_seen", "last_seen"} <= set(column_names(HORSES))
    assert primary_key(PERFORMANCES) == ("horse_id", "past_race_date")
    snap = ODDS_SNAPSHOTS
    assert write_mode(snap) == "append"
    assert partition_column(snap) == "race_key"
    assert primary_key(snap) == ("race_key", "phase", "captured_at", "number")


def test_requested_primary_keys() -> None:
    assert primary_key(REUNIONS) == ("race_date", "reunion")
    assert primary_key(RACES) == ("race_date", "reunion", "course")
    assert primary_key(PARTICIPANTS) == ("race_date", "reunion", "course", "number")
    assert primary_key(BETS) == ("race_date", "reunion", "course", "bet_type")
    # Quinte+ pays "Ordre" and "Desordre" on the same combination: the label tells them apart.
    assert primary_key(DIVIDENDS) == (
        "race_date",
        "reunion",
        "course",
        "bet_type",
        "combination",
        "label",
    )


@pytest.mark.parametrize("spec", tables.ALL_TABLES, ids=lambda s: s.name)
def test_keys_are_not_nullable_and_types_are_known(spec: Table) -> None:
    for name in primary_key(spec):
        assert not spec.c[name].nullable, name
    for col in spec.columns:
        parsers.pandas_dtype(col.type)  # raises for a type the parsers cannot produce


@pytest.mark.parametrize("spec", tables.ALL_TABLES, ids=lambda s: s.name)
def test_foreign_keys_point_at_declared_columns_of_the_same_type(spec: Table) -> None:
    for fk in references(spec):
        parent = get_table(fk.ref_table)
        assert set(fk.ref_columns) <= set(primary_key(parent)) | {c for u in unique_keys(parent) for c in u}
        for child_col, parent_col in zip(fk.columns, fk.ref_columns, strict=True):
            assert pg_type(spec, child_col) == pg_type(parent, parent_col)


def test_money_odds_and_weights_use_fixed_point_types() -> None:
    assert pg_type(PARTICIPANTS, "earnings_career_eur") == "numeric(14,2)"
    assert pg_type(PARTICIPANTS, "odds_direct") == "numeric(10,2)"
    assert pg_type(DIVIDENDS, "dividend_per_eur") == "numeric(14,2)"
    assert pg_type(RACES, "start_utc") == "timestamptz"
    assert pg_type(RACES, "start_paris") == "timestamp"
    assert pg_type(RACES, "arrival_order") == "integer[]"
    assert pg_type(REUNIONS, "disciplines") == "text[]"


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return value
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _insert(cur: Any, spec: Table, frame: pd.DataFrame) -> None:
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    rows = [tuple(_cell(v) for v in row) for row in frame.itertuples(index=False, name=None)]
    execute_values(cur, f"INSERT INTO {spec.fullname} ({cols}) VALUES %s", rows)


def _sample(pmu_samples: Path, name: str) -> Any:
    return json.loads((pmu_samples / name).read_text(encoding="utf-8"))


@pytest.mark.postgres
def test_parsed_samples_load_into_the_tables_the_migrations_created(
    fresh_pg_url: str, pmu_samples: Path
) -> None:
    day = date(2024, 1, 1)
    reunion = parsers.parse_reunion(_sample(pmu_samples, "reunion_01012024_R1.json"), day)
    runners = parsers.parse_participants(_sample(pmu_samples, "participants_01012024_R1C1.json"), day, 1, 1)
    past = _sample(pmu_samples, "excerpt_05112025_R1C1_performances_coursesCourues0.json")
    performances = parsers.parse_performances(
        {"participants": [{"numPmu": 4, "nomCheval": "LOOP JANEIRO", "coursesCourues": [past]}]},
        day,
        1,
        1,
        horse_ids=parsers.horse_ids_by_number(runners.participants),
    )
    rapports = parsers.parse_rapports(
        _sample(pmu_samples, "trimmed_07072026_rapports_quinte.json"), date(2026, 7, 7), 1, 1
    )
    snapshot = parsers.odds_snapshot(runners.participants, "h5", pd.Timestamp("2024-01-01T12:25:00Z"))
    frames = {
        REUNIONS: reunion.reunions,
        RACES: reunion.races,
        HORSES: runners.horses,
        PARTICIPANTS: runners.participants,
        PERFORMANCES: performances,
        BETS: rapports.bets,
        DIVIDENDS: rapports.dividends,
        ODDS_SNAPSHOTS: snapshot,
    }
    conn = psycopg2.connect(fresh_pg_url)
    try:
        with conn, conn.cursor() as cur:
            for spec, frame in frames.items():
                assert not frame.empty, spec.name
                _insert(cur, spec, frame)
        with conn.cursor() as cur:
            cur.execute(
                "SELECT start_utc, start_paris, arrival_order, arrival_ranks FROM pmu.races WHERE course = 1"
            )
            start_utc, start_paris, order, ranks = cur.fetchone()
            assert start_utc.isoformat() == "2024-01-01T12:25:00+00:00"
            assert start_paris.isoformat() == "2024-01-01T13:25:00"
            assert order == [10, 6, 9, 7, 4, 11] and ranks == [1, 2, 3, 4, 5, 6]
            cur.execute("SELECT weight_kg, time_s, reduction_km_s FROM pmu.participants WHERE number = 10")
            assert [float(v) for v in cur.fetchone()] == [60.0, 172.14, 78.2]
            cur.execute("SELECT dividend_per_eur FROM pmu.dividends WHERE label = 'Quinté+ Ordre'")
            assert float(cur.fetchone()[0]) == 63175.70
            cur.execute("SELECT count(*) FROM pmu.odds_snapshots WHERE non_runner")
            assert cur.fetchone()[0] == 1
    finally:
        conn.close()
