"""A primary key with an array column (a bet combination): its rows are compared, written and
refused as duplicates like any other key."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from hippique_assets.pmu.parse_common import frame_problems
from hippique_assets.storage.bulk_read import read_frame
from hippique_assets.storage.bulk_write import write_frame
from hippique_assets.storage.errors import FrameValidationError
from hippique_assets.storage.frame_checks import check_primary_key
from hippique_assets_tests.storage.sample_tables import combinations_spec, created

DAY = date(2026, 3, 23)


def _frame(combinations: list[list[int]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "race_date": [DAY] * len(combinations),
            "bet_type": ["COUPLE_GAGNANT"] * len(combinations),
            "combination": combinations,
            "odds": [float(10 + i) for i in range(len(combinations))],
        }
    )


def test_distinct_combinations_pass_and_a_repeated_one_is_named():
    spec = combinations_spec("pmu")
    check_primary_key(spec, _frame([[1, 2], [2, 1], [1, 3]]))
    with pytest.raises(FrameValidationError, match=r"2 rows share a primary key.*\(1, 2\)"):
        check_primary_key(spec, _frame([[1, 2], [2, 1], [1, 2]]))


def test_the_parsers_frame_check_names_a_repeated_combination_instead_of_failing():
    spec = combinations_spec("pmu")
    frame = _frame([[1, 2], [1, 2]]).astype({"race_date": "object", "odds": "Float64"})
    problems = frame_problems(frame, spec)
    assert any("2 rows share a primary key" in p for p in problems), problems


def test_rows_keyed_by_a_combination_are_written_and_read_back(pg_url: str, schema: str):
    spec = created(pg_url, combinations_spec(schema))
    write_frame(pg_url, spec, _frame([[1, 2], [2, 1], [1, 3]]), partition_values=[DAY])
    back = read_frame(pg_url, spec)
    assert sorted(map(tuple, back["combination"])) == [(1, 2), (1, 3), (2, 1)]
