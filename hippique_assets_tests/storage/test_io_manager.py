"""PostgresPandasIOManager through real Dagster runs (in process) against the machine's Postgres."""

from collections.abc import Iterator
from datetime import date

import pandas as pd
import pytest
from dagster import (
    AllPartitionMapping,
    AssetExecutionContext,
    AssetIn,
    DagsterInstance,
    DailyPartitionsDefinition,
    DynamicPartitionsDefinition,
    asset,
    materialize,
)
from sqlalchemy import Column, Date, Double, Integer, MetaData, Numeric, Text

from hippique_assets.storage.bulk_read import read_frame
from hippique_assets.storage.io_manager import TABLE_KEY, PostgresPandasIOManager, partition_values_for_keys
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets.storage.tables import column_names, declare_table, metadata
from hippique_assets_tests.storage.sample_tables import created, fetch_all, table_checksum

pytestmark = pytest.mark.postgres

SCHEMA = "io_test"
# Declared apart from the platform's tables; lent to its metadata while the tests run (see below).
TEST_TABLES = MetaData()
RUNS = declare_table(
    on=TEST_TABLES,
    schema=SCHEMA,
    name="runs",
    columns=(
        Column("race_date", Date, nullable=False),
        Column("race_key", Text, nullable=False),
        Column("number", Integer, nullable=False),
        Column("odds", Numeric(8, 2)),
    ),
    primary_key=("race_date", "race_key", "number"),
    partition_column="race_date",
)
TOTALS = declare_table(
    on=TEST_TABLES,
    schema=SCHEMA,
    name="totals",
    columns=(
        Column("race_date", Date, nullable=False),
        Column("runners", Integer, nullable=False),
        Column("mean_odds", Double),
    ),
    primary_key=("race_date",),
    partition_column="race_date",
)
NOTES = declare_table(
    on=TEST_TABLES,
    schema=SCHEMA,
    name="notes",
    columns=(
        Column("race_key", Text, nullable=False),
        Column("runners", Integer, nullable=False),
        Column("days_read", Integer, nullable=False),
    ),
    primary_key=("race_key",),
    partition_column="race_key",
)
EVERYTHING = declare_table(
    on=TEST_TABLES,
    schema=SCHEMA,
    name="everything",
    columns=(Column("scope", Text, nullable=False), Column("days", Integer), Column("rows", Integer)),
    primary_key=("scope",),
    write_mode="replace_all",
)

daily = DailyPartitionsDefinition(start_date="2026-03-20", end_date="2026-03-27", timezone="Europe/Paris")
races = DynamicPartitionsDefinition(name="io_test_races")


def runs_of(day: str, runners: int = 3) -> pd.DataFrame:
    """Two races of ``runners`` runners each, odds derived from the day."""
    d = date.fromisoformat(day)
    rows = [
        (d, f"{day}-R1C{c}", n, round(1.5 + n + d.day / 10, 2)) for c in (1, 2) for n in range(1, runners + 1)
    ]
    frame = pd.DataFrame(rows, columns=column_names(RUNS))
    return frame.astype({"number": "Int64", "odds": "float64"})


@asset(partitions_def=daily, io_manager_key="pg_io_manager", metadata={TABLE_KEY: RUNS.fullname})
def runs(context: AssetExecutionContext) -> pd.DataFrame | None:
    """Day 2026-03-26 has no programme yet: nothing to store."""
    if context.partition_key == "2026-03-26":
        return None
    return runs_of(context.partition_key, runners=4 if context.partition_key == "2026-03-25" else 3)


@asset(partitions_def=daily, io_manager_key="pg_io_manager", metadata={TABLE_KEY: TOTALS.fullname})
def totals(context: AssetExecutionContext, runs: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "race_date": [date.fromisoformat(context.partition_key)],
            "runners": pd.array([len(runs)], dtype="Int64"),
            "mean_odds": [float(runs["odds"].mean())],
        }
    )


@asset(
    partitions_def=races,
    io_manager_key="pg_io_manager",
    metadata={TABLE_KEY: NOTES.fullname},
    ins={"runs": AssetIn(partition_mapping=AllPartitionMapping())},
)
def note(context: AssetExecutionContext, runs: pd.DataFrame) -> pd.DataFrame:
    mine = runs[runs["race_key"] == context.partition_key]
    return pd.DataFrame(
        {
            "race_key": [context.partition_key],
            "runners": pd.array([len(mine)], dtype="Int64"),
            "days_read": pd.array([runs["race_date"].nunique()], dtype="Int64"),
        }
    )


@asset(io_manager_key="pg_io_manager", metadata={TABLE_KEY: EVERYTHING.fullname})
def everything(runs: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scope": ["all"],
            "days": pd.array([runs["race_date"].nunique()], dtype="Int64"),
            "rows": pd.array([len(runs)], dtype="Int64"),
        }
    )


@asset(partitions_def=daily, io_manager_key="pg_io_manager")
def unlabelled() -> pd.DataFrame:
    return pd.DataFrame({"x": [1]})


ASSETS = [runs, totals, note, everything, unlabelled]


@pytest.fixture(scope="module", autouse=True)
def test_tables_known_to_the_io_manager() -> Iterator[None]:
    """The IO manager finds tables in the platform's metadata: lend it the test tables."""
    lent = [table.to_metadata(metadata) for table in TEST_TABLES.tables.values()]
    yield
    for table in lent:
        metadata.remove(table)


@pytest.fixture
def resources(fresh_pg_url: str) -> dict[str, object]:
    for table in TEST_TABLES.tables.values():
        created(fresh_pg_url, table)
    return {"pg_io_manager": PostgresPandasIOManager(postgres=PostgresResource(url=fresh_pg_url))}


@pytest.fixture
def instance() -> Iterator[DagsterInstance]:
    with DagsterInstance.ephemeral() as inst:
        yield inst


def _run(resources, instance, selection, partition_key=None):
    return materialize(
        ASSETS, selection=selection, partition_key=partition_key, resources=resources, instance=instance
    )


def test_daily_partitions_are_written_replaced_and_read_downstream(
    fresh_pg_url: str, resources, instance: DagsterInstance
) -> None:
    first = _run(resources, instance, ["runs"], "2026-03-23")
    _run(resources, instance, ["runs"], "2026-03-24")
    before = table_checksum(fresh_pg_url, RUNS.fullname)
    _run(resources, instance, ["runs"], "2026-03-23")  # a re-run of the same day
    assert table_checksum(fresh_pg_url, RUNS.fullname) == before
    assert before[0] == 12

    metadata = first.asset_materializations_for_node("runs")[0].metadata
    assert metadata["rows"].value == 6
    assert metadata["dagster/row_count"].value == 6
    assert metadata["table"].value == "io_test.runs"
    assert metadata["write_mode"].value == "replace_partition"
    assert metadata["seconds"].value >= 0
    assert "2026-03-23-R1C2" in metadata["preview"].value

    _run(resources, instance, ["totals"], "2026-03-24")
    stored = read_frame(fresh_pg_url, TOTALS)
    expected_mean = runs_of("2026-03-24")["odds"].mean()
    assert stored.to_dict("records") == [
        {"race_date": date(2026, 3, 24), "runners": 6, "mean_odds": pytest.approx(expected_mean)}
    ]


def test_a_per_race_asset_reads_its_own_day_of_a_daily_table(
    fresh_pg_url: str, resources, instance: DagsterInstance
) -> None:
    for day in ("2026-03-24", "2026-03-25"):
        _run(resources, instance, ["runs"], day)
    instance.add_dynamic_partitions("io_test_races", ["2026-03-25-R1C2"])
    _run(resources, instance, ["note"], "2026-03-25-R1C2")
    assert fetch_all(fresh_pg_url, "SELECT race_key, runners, days_read FROM io_test.notes") == [
        ("2026-03-25-R1C2", 4, 1)
    ]


def test_an_unpartitioned_asset_reads_every_partition(
    fresh_pg_url: str, resources, instance: DagsterInstance
) -> None:
    for day in ("2026-03-23", "2026-03-24", "2026-03-25"):
        _run(resources, instance, ["runs"], day)
    _run(resources, instance, ["everything"])
    assert fetch_all(fresh_pg_url, "SELECT scope, days, rows FROM io_test.everything") == [("all", 3, 20)]


def test_a_none_output_writes_nothing(fresh_pg_url: str, resources, instance: DagsterInstance) -> None:
    _run(resources, instance, ["runs"], "2026-03-25")
    result = _run(resources, instance, ["runs"], "2026-03-26")
    assert result.success
    assert fetch_all(fresh_pg_url, "SELECT DISTINCT race_date FROM io_test.runs") == [(date(2026, 3, 25),)]


def test_an_asset_without_table_metadata_fails_clearly(resources, instance: DagsterInstance) -> None:
    result = materialize(
        ASSETS,
        selection=["unlabelled"],
        partition_key="2026-03-23",
        resources=resources,
        instance=instance,
        raise_on_error=False,
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "no 'hippique/table' metadata" in str(failure.step_failure_data.error)


def test_partition_keys_to_column_values() -> None:
    assert partition_values_for_keys(RUNS, ["2026-03-23"], what="a") == [date(2026, 3, 23)]
    assert partition_values_for_keys(NOTES, ["2026-03-23-R1C4"], what="a") == ["2026-03-23-R1C4"]
    with pytest.raises(
        ValueError, match=r"asset x: table io_test.runs is partitioned by day .* \['2026-03-23-R1C4'\]"
    ):
        partition_values_for_keys(RUNS, ["2026-03-23-R1C4"], what="asset x")
