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

from hippique_assets.pmu import parsers, tables
from hippique_assets.storage.tables import TableSpec, get_table

DAILY = [tables.REUNIONS, tables.RACES, tables.PARTICIPANTS, tables.BETS, tables.DIVIDENDS]
PER_RACE_DAILY = [tables.RACES, tables.PARTICIPANTS, tables.BETS, tables.DIVIDENDS]


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
        assert get_table(spec.qualified_name) is spec


@pytest.mark.parametrize("spec", DAILY, ids=lambda s: s.name)
def test_daily_tables_replace_their_race_date_partition(spec: TableSpec) -> None:
    assert spec.partition_column == "race_date"
    assert spec.write_mode == "replace_partition"
    assert spec.column("race_date").pg_type == "date"
    assert not spec.column("race_date").nullable
    assert "race_date" in spec.primary_key


@pytest.mark.parametrize("spec", PER_RACE_DAILY, ids=lambda s: s.name)
def test_per_race_tables_carry_the_race_key(spec: TableSpec) -> None:
    col = spec.column("race_key")
    assert col.pg_type == "text" and not col.nullable
    assert {"reunion", "course"} <= set(spec.primary_key)


def test_shared_tables_upsert_and_snapshots_append() -> None:
    for spec in (tables.HORSES, tables.PERFORMANCES):
        assert spec.write_mode == "upsert"
        assert spec.partition_column is None
    assert tables.HORSES.primary_key == ("horse_id",)
    assert {"first_seen", "last_seen"} <= set(tables.HORSES.column_names)
    assert tables.PERFORMANCES.primary_key == ("horse_id", "past_race_date")
    snap = tables.ODDS_SNAPSHOTS
    assert snap.write_mode == "append"
    assert snap.partition_column == "race_key"
    assert snap.primary_key == ("race_key", "phase", "captured_at", "number")


def test_requested_primary_keys() -> None:
    assert tables.REUNIONS.primary_key == ("race_date", "reunion")
    assert tables.RACES.primary_key == ("race_date", "reunion", "course")
    assert tables.PARTICIPANTS.primary_key == ("race_date", "reunion", "course", "number")
    assert tables.BETS.primary_key == ("race_date", "reunion", "course", "bet_type")
    # Quinte+ pays "Ordre" and "Desordre" on the same combination: the label tells them apart.
    assert tables.DIVIDENDS.primary_key == (
        "race_date",
        "reunion",
        "course",
        "bet_type",
        "combination",
        "label",
    )


@pytest.mark.parametrize("spec", tables.ALL_TABLES, ids=lambda s: s.name)
def test_keys_are_not_nullable_and_types_are_known(spec: TableSpec) -> None:
    for name in spec.primary_key:
        assert not spec.column(name).nullable, name
    for col in spec.columns:
        parsers.pandas_dtype(col.pg_type)  # raises for a type the parsers cannot produce


@pytest.mark.parametrize("spec", tables.ALL_TABLES, ids=lambda s: s.name)
def test_foreign_keys_point_at_declared_columns_of_the_same_type(spec: TableSpec) -> None:
    for fk in spec.foreign_keys:
        parent = get_table(fk.ref_table)
        assert set(fk.ref_columns) <= set(parent.primary_key) | {c for u in parent.unique_keys for c in u}
        for child_col, parent_col in zip(fk.columns, fk.ref_columns, strict=True):
            assert spec.column(child_col).pg_type == parent.column(parent_col).pg_type


def test_money_odds_and_weights_use_fixed_point_types() -> None:
    assert tables.PARTICIPANTS.column("earnings_career_eur").pg_type == "numeric(14,2)"
    assert tables.PARTICIPANTS.column("odds_direct").pg_type == "numeric(10,2)"
    assert tables.DIVIDENDS.column("dividend_per_eur").pg_type == "numeric(14,2)"
    assert tables.RACES.column("start_utc").pg_type == "timestamptz"
    assert tables.RACES.column("start_paris").pg_type == "timestamp"
    assert tables.RACES.column("arrival_order").pg_type == "integer[]"
    assert tables.REUNIONS.column("disciplines").pg_type == "text[]"


def _ddl(spec: TableSpec) -> str:
    cols = ", ".join(f'"{c.name}" {c.pg_type}{"" if c.nullable else " NOT NULL"}' for c in spec.columns)
    pk = ", ".join(f'"{c}"' for c in spec.primary_key)
    return f"CREATE TABLE {spec.qualified_name} ({cols}, PRIMARY KEY ({pk}))"


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


def _insert(cur: Any, spec: TableSpec, frame: pd.DataFrame) -> None:
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    rows = [tuple(_cell(v) for v in row) for row in frame.itertuples(index=False, name=None)]
    execute_values(cur, f"INSERT INTO {spec.qualified_name} ({cols}) VALUES %s", rows)


def _sample(pmu_samples: Path, name: str) -> Any:
    return json.loads((pmu_samples / name).read_text(encoding="utf-8"))


@pytest.mark.postgres
def test_parsed_samples_load_into_tables_created_from_the_declarations(
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
        tables.REUNIONS: reunion.reunions,
        tables.RACES: reunion.races,
        tables.HORSES: runners.horses,
        tables.PARTICIPANTS: runners.participants,
        tables.PERFORMANCES: performances,
        tables.BETS: rapports.bets,
        tables.DIVIDENDS: rapports.dividends,
        tables.ODDS_SNAPSHOTS: snapshot,
    }
    conn = psycopg2.connect(fresh_pg_url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("CREATE SCHEMA pmu")
            for spec in tables.ALL_TABLES:
                cur.execute(_ddl(spec))
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
