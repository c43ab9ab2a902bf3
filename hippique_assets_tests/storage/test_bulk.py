"""write_frame / read_frame against the machine's real Postgres."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import adbc_driver_manager.dbapi
import numpy as np
import pandas as pd
import pytest
from sqlalchemy import ARRAY, BigInteger, Boolean, Date, DateTime, Double, Integer, Numeric, Text
from sqlalchemy.dialects.postgresql import JSONB

from hippique_assets.storage.bulk_read import pandas_dtype, read_frame
from hippique_assets.storage.bulk_write import write_frame
from hippique_assets.storage.errors import BulkWriteError, FrameValidationError, TableNotFoundError
from hippique_assets.storage.tables import column_names
from hippique_assets_tests.storage.sample_tables import (
    HOSTILE_TEXTS,
    created,
    fetch_all,
    horses_spec,
    runners_frame,
    runners_spec,
    snapshots_spec,
    sorted_frame,
    table_checksum,
)

D1 = date(2026, 3, 23)
D2 = date(2026, 3, 24)
KEY = ["race_date", "race_key", "number"]

pytestmark = pytest.mark.postgres


def test_round_trip_keeps_every_type_and_value(pg_url: str, schema: str) -> None:
    spec = created(pg_url, runners_spec(schema))
    frame = runners_frame(D1, n=12)
    stats = write_frame(pg_url, spec, frame, partition_values=[D1])
    assert (stats.rows, stats.mode, stats.table, stats.deleted) == (
        12,
        "replace_partition",
        spec.fullname,
        0,
    )
    back = read_frame(pg_url, spec)
    pd.testing.assert_frame_equal(back, sorted_frame(frame, KEY))
    assert [str(back[c.name].dtype) for c in spec.columns] == [pandas_dtype(c.type) for c in spec.columns]
    assert back.loc[back["number"] == 1, "tags"].iloc[0] == ["a", "b'c"]
    assert back.loc[back["number"] == 3, "ranks"].iloc[0] is None
    assert back.loc[back["number"] == 2, "ranks"].iloc[0] == []


def test_hostile_text_is_stored_verbatim(pg_url: str, schema: str) -> None:
    spec = created(pg_url, runners_spec(schema))
    frame = runners_frame(D1, n=len(HOSTILE_TEXTS))
    write_frame(pg_url, spec, frame, partition_values=[D1])
    # Read with psycopg2, independently of read_frame.
    rows = fetch_all(pg_url, f"SELECT number, name, length(name) FROM {spec.fullname} ORDER BY number")
    assert [name for _, name, _ in rows] == HOSTILE_TEXTS
    assert [length for _, _, length in rows] == [len(t) for t in HOSTILE_TEXTS]
    tags = fetch_all(pg_url, f"SELECT tags FROM {spec.fullname} WHERE number = 4")
    assert tags == [(["x\ty", "\\N", "🐎"],)]


def test_numerics_are_rounded_to_the_declared_scale(pg_url: str, schema: str) -> None:
    spec = created(pg_url, runners_spec(schema))
    frame = runners_frame(D1, n=3)
    frame["odds"] = [2.345, 10.0 / 3, np.nan]
    frame["weight_kg"] = [54.44, 54.46, 60.0]
    write_frame(pg_url, spec, frame, partition_values=[D1])
    rows = fetch_all(pg_url, f"SELECT odds::text, weight_kg::text FROM {spec.fullname} ORDER BY number")
    assert rows == [("2.35", "54.4"), ("3.33", "54.5"), (None, "60.0")]


def test_decimal_objects_are_accepted(pg_url: str, schema: str) -> None:
    spec = created(pg_url, runners_spec(schema))
    frame = runners_frame(D1, n=2)
    frame["odds"] = pd.Series([Decimal("12.34"), None], dtype="object")
    write_frame(pg_url, spec, frame, partition_values=[D1])
    assert fetch_all(pg_url, f"SELECT odds::text FROM {spec.fullname} ORDER BY number") == [
        ("12.34",),
        (None,),
    ]


def test_timestamptz_is_stored_as_the_same_instant(pg_url: str, schema: str) -> None:
    spec = created(pg_url, runners_spec(schema))
    frame = runners_frame(D1, n=1)
    frame["start_utc"] = pd.Series([pd.Timestamp("2026-03-23 14:15:00", tz="Europe/Paris")])
    write_frame(pg_url, spec, frame, partition_values=[D1])
    rows = fetch_all(pg_url, f"SELECT extract(epoch FROM start_utc) FROM {spec.fullname}")
    assert float(rows[0][0]) == pd.Timestamp("2026-03-23 13:15:00", tz="UTC").timestamp()
    back = read_frame(pg_url, spec)
    assert back["start_utc"].iloc[0] == pd.Timestamp("2026-03-23 13:15:00", tz="UTC")


def test_rerun_of_a_partition_is_idempotent_and_leaves_other_days(pg_url: str, schema: str) -> None:
    spec = created(pg_url, runners_spec(schema))
    write_frame(pg_url, spec, runners_frame(D1, n=8), partition_values=[D1])
    write_frame(pg_url, spec, runners_frame(D2, n=5), partition_values=["2026-03-24"])
    first = table_checksum(pg_url, spec.fullname)
    stats = write_frame(pg_url, spec, runners_frame(D1, n=8), partition_values=["2026-03-23"])
    assert stats.deleted == 8
    assert table_checksum(pg_url, spec.fullname) == first
    assert first[0] == 13


def test_replace_partition_swaps_the_rows_of_that_day_only(pg_url: str, schema: str) -> None:
    spec = created(pg_url, runners_spec(schema))
    write_frame(pg_url, spec, runners_frame(D1, n=6), partition_values=[D1])
    write_frame(pg_url, spec, runners_frame(D2, n=4), partition_values=[D2])
    day2 = read_frame(pg_url, spec, partition_values=[D2])
    stats = write_frame(pg_url, spec, runners_frame(D1, n=2, offset=50), partition_values=[D1])
    assert stats.deleted == 6
    day1 = read_frame(pg_url, spec, partition_values=[D1])
    assert day1["number"].tolist() == [51, 52]
    pd.testing.assert_frame_equal(read_frame(pg_url, spec, partition_values=[D2]), day2)


def test_empty_frame_clears_its_partition(pg_url: str, schema: str) -> None:
    spec = created(pg_url, runners_spec(schema))
    write_frame(pg_url, spec, runners_frame(D1, n=4), partition_values=[D1])
    write_frame(pg_url, spec, runners_frame(D2, n=3), partition_values=[D2])
    stats = write_frame(pg_url, spec, runners_frame(D1, n=0), partition_values=[D1])
    assert (stats.rows, stats.deleted) == (0, 4)
    assert fetch_all(pg_url, f"SELECT race_date, count(*) FROM {spec.fullname} GROUP BY 1") == [(D2, 3)]


def test_without_partition_values_the_frames_partitions_are_replaced(pg_url: str, schema: str) -> None:
    spec = created(pg_url, runners_spec(schema))
    write_frame(pg_url, spec, runners_frame(D1, n=4), partition_values=[D1])
    write_frame(pg_url, spec, runners_frame(D2, n=3), partition_values=[D2])
    stats = write_frame(pg_url, spec, runners_frame(D2, n=1, offset=10))
    assert stats.deleted == 3
    counts = fetch_all(pg_url, f"SELECT race_date, count(*) FROM {spec.fullname} GROUP BY 1 ORDER BY 1")
    assert counts == [(D1, 4), (D2, 1)]


def test_a_row_refused_by_postgres_rolls_back_the_delete(pg_url: str, schema: str) -> None:
    spec = created(pg_url, runners_spec(schema))
    write_frame(pg_url, spec, runners_frame(D1, n=6), partition_values=[D1])
    before = table_checksum(pg_url, spec.fullname)
    bad = runners_frame(D1, n=6, offset=100)
    bad.loc[4, "name"] = None  # name is NOT NULL: Postgres refuses the COPY after the DELETE ran
    with pytest.raises(BulkWriteError, match=r"runners.*rolled back.*name"):
        write_frame(pg_url, spec, bad, partition_values=[D1])
    assert table_checksum(pg_url, spec.fullname) == before


def test_a_failure_after_the_delete_keeps_the_previous_rows(
    pg_url: str, schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = created(pg_url, runners_spec(schema))
    write_frame(pg_url, spec, runners_frame(D1, n=6), partition_values=[D1])
    before = table_checksum(pg_url, spec.fullname)
    seen: list[int] = []

    def broken_ingest(self, table_name, data, *args, **kwargs):
        # The DELETE has run in this transaction: the partition is empty as seen from here.
        self.execute(f"SELECT count(*) FROM {spec.fullname}")
        seen.append(self.fetchone()[0])
        raise RuntimeError("connection lost in the middle of the load")

    monkeypatch.setattr(adbc_driver_manager.dbapi.Cursor, "adbc_ingest", broken_ingest)
    with pytest.raises(BulkWriteError, match="connection lost"):
        write_frame(pg_url, spec, runners_frame(D1, n=3, offset=20), partition_values=[D1])
    monkeypatch.undo()
    assert seen == [0]
    assert table_checksum(pg_url, spec.fullname) == before
    # The next write works normally (no broken connection was kept for reuse).
    write_frame(pg_url, spec, runners_frame(D1, n=2), partition_values=[D1])
    assert table_checksum(pg_url, spec.fullname)[0] == 2


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda f: f.drop(columns=["age"]).assign(extra=1), r"missing \['age'\], extra \['extra'\]"),
        (
            lambda f: f.assign(race_date=D2),
            r"outside the partitions being written \['2026-03-23'\]: \['2026-03-24'\]",
        ),
        (
            lambda f: f.assign(number=pd.array([1, 2, 1, 4], dtype="Int64")),
            r"2 rows share a primary key.*'number': 1",
        ),
        (lambda f: f.assign(name=["ok", "a\x00b", "ok", "ok"]), r"runners.name: .*NUL.*rows \[1\]"),
        (lambda f: f.assign(tags=[["ok"], ["bad\x00"], None, []]), r"runners.tags: .*NUL.*rows \[1\]"),
        (
            lambda f: f.assign(age=[1.0, 2.5, None, 4.0]),
            r"runners.age \(integer\): values are not integers.*2.5",
        ),
        (lambda f: f.assign(age=["1", "2", "3", "4"]), r"runners.age \(integer\): values are not integers"),
        (
            lambda f: f.assign(odds=[1.0, 123456789.0, None, 2.0]),
            r"runners.odds.*do not fit numeric\(10,2\).*123456789",
        ),
        (
            lambda f: f.assign(start_utc=pd.to_datetime(["2026-03-23 12:00"] * 4)),
            r"runners.start_utc \(timestamptz\): naive datetimes",
        ),
        (
            lambda f: f.assign(born=["2020-01-01", "x", None, None]),
            r"runners.born \(date\): values are not dates",
        ),
        (
            lambda f: f.assign(ranks=[[1], 5, None, []]),
            r"runners.ranks \(integer\[\]\): values are not lists.*5",
        ),
        (
            lambda f: f.assign(non_runner=["yes", "no", "no", "no"]),
            r"runners.non_runner.*not booleans.*'yes'",
        ),
        (lambda f: f.assign(name=[1, 2, 3, 4]), r"runners.name \(text\): values are not text"),
    ],
)
def test_bad_frames_are_refused_before_touching_the_table(
    pg_url: str, schema: str, mutate, message: str
) -> None:
    spec = created(pg_url, runners_spec(schema))
    write_frame(pg_url, spec, runners_frame(D1, n=4), partition_values=[D1])
    before = table_checksum(pg_url, spec.fullname)
    with pytest.raises(FrameValidationError, match=message):
        write_frame(pg_url, spec, mutate(runners_frame(D1, n=4)), partition_values=[D1])
    assert table_checksum(pg_url, spec.fullname) == before


def test_columns_in_another_order_are_accepted(pg_url: str, schema: str) -> None:
    spec = created(pg_url, runners_spec(schema))
    frame = runners_frame(D1, n=3)
    write_frame(pg_url, spec, frame[list(reversed(frame.columns))], partition_values=[D1])
    pd.testing.assert_frame_equal(read_frame(pg_url, spec), sorted_frame(frame, KEY))


def test_upsert_keeps_first_and_last_seen_and_takes_new_values(pg_url: str, schema: str) -> None:
    spec = created(pg_url, horses_spec(schema))

    def horses(rows: list[tuple]) -> pd.DataFrame:
        return pd.DataFrame(rows, columns=["horse_id", "name", "sex", "first_seen", "last_seen"])

    write_frame(pg_url, spec, horses([("h1", "Alpha", "MALES", D1, D1), ("h2", "Beta", None, D1, D1)]))
    # An older day loaded later, then a newer day: dates widen, other columns take the new value.
    write_frame(pg_url, spec, horses([("h1", "Alpha", "HONGRES", date(2026, 3, 1), date(2026, 3, 1))]))
    stats = write_frame(
        pg_url, spec, horses([("h2", "Beta II", "FEMELLES", D2, D2), ("h3", "Gamma", None, D2, D2)])
    )
    assert stats.mode == "upsert"
    back = read_frame(pg_url, spec)
    assert back.to_dict("records") == [
        {
            "horse_id": "h1",
            "name": "Alpha",
            "sex": "HONGRES",
            "first_seen": date(2026, 3, 1),
            "last_seen": D1,
        },
        {"horse_id": "h2", "name": "Beta II", "sex": "FEMELLES", "first_seen": D1, "last_seen": D2},
        {"horse_id": "h3", "name": "Gamma", "sex": None, "first_seen": D2, "last_seen": D2},
    ]


def test_append_keeps_history_and_ignores_a_repeated_capture(pg_url: str, schema: str) -> None:
    spec = created(pg_url, snapshots_spec(schema))
    key = "2026-03-23-R1C4"

    def capture(at: str, odds: list[float]) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "race_key": key,
                "phase": "h30",
                "captured_at": pd.Timestamp(at, tz="UTC"),
                "number": pd.array(range(1, len(odds) + 1), dtype="Int64"),
                "odds": odds,
            }
        )

    write_frame(pg_url, spec, capture("2026-03-23 12:30", [2.5, 4.0]), partition_values=[key])
    write_frame(pg_url, spec, capture("2026-03-23 12:31", [2.4, 4.2]), partition_values=[key])
    first = table_checksum(pg_url, spec.fullname)
    # The same capture written again (a retried run) neither fails nor duplicates.
    write_frame(pg_url, spec, capture("2026-03-23 12:31", [9.9, 9.9]), partition_values=[key])
    assert table_checksum(pg_url, spec.fullname) == first
    assert first[0] == 4
    assert read_frame(pg_url, spec, partition_values=[key])["odds"].tolist() == [2.5, 4.0, 2.4, 4.2]
    with pytest.raises(FrameValidationError, match="outside the partitions"):
        write_frame(pg_url, spec, capture("2026-03-23 12:40", [1.0]), partition_values=["2026-03-23-R1C5"])


def test_replace_all_rewrites_the_whole_table(pg_url: str, schema: str) -> None:
    spec = created(pg_url, horses_spec(schema, write_mode="replace_all"))
    frame = pd.DataFrame(
        [("h1", "A", None, D1, D1), ("h2", "B", None, D1, D1)],
        columns=["horse_id", "name", "sex", "first_seen", "last_seen"],
    )
    write_frame(pg_url, spec, frame)
    stats = write_frame(pg_url, spec, frame.iloc[[1]])
    assert (stats.deleted, stats.rows) == (2, 1)
    assert read_frame(pg_url, spec)["horse_id"].tolist() == ["h2"]


def test_read_frame_filters_and_picks_columns(pg_url: str, schema: str) -> None:
    spec = created(pg_url, runners_spec(schema))
    write_frame(pg_url, spec, runners_frame(D1, n=3), partition_values=[D1])
    write_frame(pg_url, spec, runners_frame(D2, n=2), partition_values=[D2])
    picked = read_frame(pg_url, spec, partition_values=["2026-03-24"], columns=["number", "odds"])
    assert picked.columns.tolist() == ["number", "odds"]
    assert picked["number"].tolist() == [1, 2]
    empty = read_frame(pg_url, spec, partition_values=[])
    assert empty.empty and str(empty["age"].dtype) == "Int64" and empty.columns.tolist() == column_names(spec)
    with pytest.raises(ValueError, match=r"no columns \['nope'\]"):
        read_frame(pg_url, spec, columns=["nope"])
    with pytest.raises(FrameValidationError, match="partition value 'R1C1'"):
        read_frame(pg_url, spec, partition_values=["R1C1"])


def test_reading_or_writing_a_missing_table_names_it_and_the_remedy(pg_url: str, schema: str) -> None:
    with pytest.raises(TableNotFoundError, match=rf"{schema}.runners does not exist.*hippique db upgrade"):
        read_frame(pg_url, runners_spec(schema))
    with pytest.raises(TableNotFoundError, match=rf"{schema}.runners does not exist"):
        write_frame(pg_url, runners_spec(schema), runners_frame(D1, n=2), partition_values=[D1])


def test_concurrent_writers_of_different_days(pg_url: str, schema: str) -> None:
    spec = created(pg_url, runners_spec(schema))
    errors: list[BaseException] = []

    def write(day: date) -> None:
        try:
            write_frame(pg_url, spec, runners_frame(day, n=5), partition_values=[day])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(date(2026, 3, d),)) for d in range(1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert table_checksum(pg_url, spec.fullname)[0] == 20


def test_unreachable_server_error_masks_the_password() -> None:
    url = "postgresql://user:s3cret@127.0.0.1:1/nowhere"
    with pytest.raises(ConnectionError) as caught:
        read_frame(url, runners_spec("x"))
    assert "s3cret" not in str(caught.value) and "user:***@127.0.0.1:1" in str(caught.value)


@pytest.mark.parametrize(
    ("declared", "dtype"),
    [
        (Integer(), "Int64"),
        (BigInteger(), "Int64"),
        (Numeric(12, 2), "float64"),
        (Double(), "float64"),
        (Boolean(), "boolean"),
        (DateTime(timezone=True), "datetime64[ns, UTC]"),
        (DateTime(), "datetime64[ns]"),
        (Date(), "object"),
        (Text(), "object"),
        (ARRAY(Integer), "object"),
    ],
)
def test_pandas_dtypes_of_declared_types(declared, dtype: str) -> None:
    assert pandas_dtype(declared) == dtype


def test_unsupported_type_is_named() -> None:
    with pytest.raises(ValueError, match="unsupported column type JSONB"):
        pandas_dtype(JSONB())


@pytest.mark.parametrize("column", ["start_utc", "start_paris", "born", "score", "tags", "favourite"])
def test_a_nullable_column_without_any_value_is_stored_as_nulls(
    pg_url: str, schema: str, column: str
) -> None:
    """Left out of every row (pandas fills it with NaN floats, whatever the declared type) or all None."""
    spec = created(pg_url, runners_spec(schema))
    for empty in (np.nan, None):
        frame = runners_frame(D1, n=3).assign(**{column: empty})
        write_frame(pg_url, spec, frame, partition_values=[D1])
        stored = read_frame(pg_url, spec, columns=[column])
        assert len(stored) == 3 and stored[column].isna().all()
