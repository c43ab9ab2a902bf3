"""Dagster checks every table asset's frame against its table's declaration before storing it."""

from __future__ import annotations

from datetime import date

from dagster import check_dagster_type

from hippique_assets.lib.frame_types import frame_type
from hippique_assets.pmu import parsers
from hippique_assets.pmu.schema.participants import PARTICIPANTS
from hippique_assets.pmu.schema.programme import RACES, REUNIONS


def _races() -> object:
    frame = parsers.empty_frame(RACES)
    return frame


def test_a_frame_built_from_the_declaration_passes_and_is_summarised():
    result = check_dagster_type(frame_type(PARTICIPANTS), parsers.empty_frame(PARTICIPANTS))
    assert result.success
    assert "frame_rows" in result.metadata


def test_a_wrong_dtype_a_missing_column_or_a_null_key_is_refused():
    frame = parsers.empty_frame(REUNIONS)
    as_float = frame.assign(reunion=frame["reunion"].astype("float64"))
    result = check_dagster_type(frame_type(REUNIONS), as_float)
    assert not result.success and "reunion" in result.description
    result = check_dagster_type(frame_type(REUNIONS), frame.drop(columns=["region"]))
    assert not result.success and "region" in result.description
    one = frame.reindex(range(1)).astype(frame.dtypes.to_dict())
    one["race_date"] = [date(2026, 3, 23)]
    one["n_races"] = one["n_races"].astype("Int64")
    result = check_dagster_type(frame_type(REUNIONS), one)
    assert not result.success and "reunion" in result.description
