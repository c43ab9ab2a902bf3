"""File stores (local folder, GCS emulator on loopback), FilesResource and FilesIOManager."""

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from dagster import AssetIn, DagsterInstance, DailyPartitionsDefinition, asset, materialize

from hippique_assets.storage import files as files_module
from hippique_assets.storage.files import (
    FilesIOManager,
    FilesResource,
    FileStore,
    GcsFileStore,
    LocalFileStore,
    artifact_path,
    clean_rel_path,
    open_file_store,
)

PAYLOAD = json.dumps({"programme": {"reunions": [{"numOfficiel": 1, "libelle": "Réunion 1 🐎"}]}}).encode()


@pytest.fixture
def local_store(tmp_path: Path) -> LocalFileStore:
    return LocalFileStore(tmp_path / "files")


@pytest.fixture
def gcs_store(gcs_emulator: str) -> Iterator[GcsFileStore]:
    store = GcsFileStore("hippique-test", prefix=f"run-{id(object())}/raw")
    yield store


@pytest.fixture(params=["local", "gcs"])
def store(request: pytest.FixtureRequest) -> FileStore:
    return request.getfixturevalue(f"{request.param}_store")


def test_round_trip_exists_and_overwrite(store: FileStore) -> None:
    rel = "pmu/2026-03-23/programme.json"
    assert not store.exists(rel)
    uri = store.write_bytes(rel, PAYLOAD)
    assert uri == store.uri(rel)
    assert store.exists(rel)
    assert store.read_bytes(rel) == PAYLOAD
    store.write_bytes(rel, b"{}")
    assert store.read_bytes(rel) == b"{}"


def test_listing_by_prefix_gives_relative_sorted_paths(store: FileStore) -> None:
    for rel in [
        "pmu/2026-03-23/R1C2/participants.json",
        "pmu/2026-03-23/R1C1/participants.json",
        "pmu/2026-03-23/programme.json",
        "pmu/2026-03-24/programme.json",
        "other/x.bin",
    ]:
        store.write_bytes(rel, b"1")
    assert store.list("pmu/2026-03-23/") == [
        "pmu/2026-03-23/R1C1/participants.json",
        "pmu/2026-03-23/R1C2/participants.json",
        "pmu/2026-03-23/programme.json",
    ]
    assert store.list("pmu/2026-03-2") == [
        "pmu/2026-03-23/R1C1/participants.json",
        "pmu/2026-03-23/R1C2/participants.json",
        "pmu/2026-03-23/programme.json",
        "pmu/2026-03-24/programme.json",
    ]
    assert len(store.list()) == 5
    assert store.list("nothing/here/") == []


def test_missing_file_error_names_the_uri(store: FileStore) -> None:
    with pytest.raises(FileNotFoundError, match=r"absent\.json"):
        store.read_bytes("pmu/absent.json")


@pytest.mark.parametrize("bad", ["/etc/passwd", "../outside", "a/../../b", "a//b", "", "a\\b", "./a"])
def test_unsafe_paths_are_refused(local_store: LocalFileStore, bad: str) -> None:
    with pytest.raises(ValueError, match="file path"):
        local_store.write_bytes(bad, b"x")


def test_clean_rel_path_keeps_a_prefix_slash() -> None:
    assert clean_rel_path("pmu/2026-03-23/", allow_empty=True) == "pmu/2026-03-23/"
    assert clean_rel_path("", allow_empty=True) == ""


def test_local_uri_is_an_absolute_path_under_the_root(local_store: LocalFileStore) -> None:
    uri = local_store.write_bytes("a/b.json", b"{}")
    assert Path(uri) == local_store.root / "a" / "b.json"
    assert Path(uri).read_bytes() == b"{}"


def test_a_crash_during_a_local_write_keeps_the_previous_file(
    local_store: LocalFileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_store.write_bytes("pmu/day/programme.json", PAYLOAD)

    def crash(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(files_module.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        local_store.write_bytes("pmu/day/programme.json", b'{"half": ')
    monkeypatch.undo()
    assert local_store.read_bytes("pmu/day/programme.json") == PAYLOAD
    assert sorted(p.name for p in (local_store.root / "pmu" / "day").iterdir()) == ["programme.json"]


def test_half_written_temporary_files_are_not_listed(local_store: LocalFileStore) -> None:
    local_store.write_bytes("pmu/x.json", b"1")
    (local_store.root / "pmu" / ".tmp-y.json.abc").write_bytes(b"partial")
    assert local_store.list("pmu/") == ["pmu/x.json"]


def test_open_file_store_picks_the_backend(tmp_path: Path) -> None:
    gcs = open_file_store("gs://bucket-a/some/prefix")
    assert isinstance(gcs, GcsFileStore)
    assert gcs.uri("pmu/a.json") == "gs://bucket-a/some/prefix/pmu/a.json"
    local = open_file_store(str(tmp_path / "f"))
    assert isinstance(local, LocalFileStore) and local.root == (tmp_path / "f").resolve()
    assert isinstance(open_file_store(f"file://{tmp_path}/g"), LocalFileStore)
    with pytest.raises(ValueError, match="unsupported file store URI 's3://x'"):
        open_file_store("s3://x")


def test_gcs_objects_carry_the_prefix_and_content_type(gcs_store: GcsFileStore) -> None:
    uri = gcs_store.write_bytes("pmu/a.csv", b"a,b\n1,2\n", content_type="text/csv")
    assert uri == f"gs://hippique-test/{gcs_store.prefix}/pmu/a.csv"
    blob = gcs_store.client.bucket("hippique-test").get_blob(f"{gcs_store.prefix}/pmu/a.csv")
    assert blob is not None and blob.content_type == "text/csv"


def test_files_resource_json_round_trip(tmp_path: Path) -> None:
    resource = FilesResource(base_uri=str(tmp_path / "files"))
    doc = {
        "day": date(2026, 3, 23),
        "at": datetime(2026, 3, 23, 13, 15, tzinfo=UTC),
        "n": np.int64(7),
        "odds": [np.float64(2.5)],
        "name": "l'Oiseau 🐎",
    }
    uri = resource.write_json("a/doc.json", doc)
    assert Path(uri).is_file()
    assert resource.read_json("a/doc.json") == {
        "day": "2026-03-23",
        "at": "2026-03-23T13:15:00+00:00",
        "n": 7,
        "odds": [2.5],
        "name": "l'Oiseau 🐎",
    }
    resource.write_json("a/raw.json", PAYLOAD)
    assert resource.store().read_bytes("a/raw.json") == PAYLOAD
    with pytest.raises(ValueError, match="NaN"):
        resource.write_json("a/nan.json", {"x": float("nan")})
    resource.write_bytes("a/bad.json", b"{not json")
    with pytest.raises(ValueError, match=r"bad\.json is not valid JSON"):
        resource.read_json("a/bad.json")


# ---------------------------------------------------------------------------------------------
# FilesIOManager through Dagster

days = DailyPartitionsDefinition(start_date="2026-03-20", end_date="2026-03-27")


@asset(io_manager_key="files_io_manager", metadata={"hippique/ext": "xlsx"}, partitions_def=days)
def workbook() -> bytes:
    return b"PK\x03\x04 not really a workbook"


@asset(io_manager_key="files_io_manager", partitions_def=days)
def tickets() -> list:
    return [{"race": "2026-03-23-R1C4", "stake": 1.5, "numbers": [3, 7]}]


@asset(io_manager_key="files_io_manager", partitions_def=days)
def ledger() -> pd.DataFrame:
    return pd.DataFrame({"race": ["2026-03-23-R1C4", "2026-03-23-R1C5"], "stake": [1.5, 2.0]})


@asset(io_manager_key="files_io_manager")
def season_summary() -> dict:
    return {"days": 1}


@asset(partitions_def=days, ins={"workbook": AssetIn(), "tickets": AssetIn(), "ledger": AssetIn()})
def checked(workbook: bytes, tickets: list, ledger: pd.DataFrame) -> dict:
    return {"workbook": workbook, "tickets": tickets, "ledger": ledger.to_dict("records")}


ARTIFACT_ASSETS = [workbook, tickets, ledger, season_summary, checked]


@pytest.fixture(params=["local", "gcs"])
def base_uri(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "gcs":
        request.getfixturevalue("gcs_emulator")
        return f"gs://hippique-test/io-{tmp_path.name}"
    return str(tmp_path / "files")


def test_files_io_manager_round_trips_each_kind(base_uri: str) -> None:
    resource = FilesResource(base_uri=base_uri)
    resources = {"files_io_manager": FilesIOManager(files=resource)}
    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            ARTIFACT_ASSETS,
            partition_key="2026-03-23",
            resources=resources,
            instance=instance,
            selection=["checked", "workbook", "tickets", "ledger"],
        )
        assert result.success
        out = result.output_for_node("checked")
        summary = materialize(
            ARTIFACT_ASSETS, selection=["season_summary"], resources=resources, instance=instance
        )
    assert out["workbook"] == b"PK\x03\x04 not really a workbook"
    assert out["tickets"] == [{"race": "2026-03-23-R1C4", "stake": 1.5, "numbers": [3, 7]}]
    assert out["ledger"] == [
        {"race": "2026-03-23-R1C4", "stake": 1.5},
        {"race": "2026-03-23-R1C5", "stake": 2.0},
    ]
    store = resource.store()
    assert store.list("artifacts/") == [
        "artifacts/ledger/2026-03-23.csv",
        "artifacts/season_summary/all.json",
        "artifacts/tickets/2026-03-23.json",
        "artifacts/workbook/2026-03-23.xlsx",
    ]
    assert store.read_bytes("artifacts/ledger/2026-03-23.csv").decode().splitlines()[0] == "race,stake"
    meta = result.asset_materializations_for_node("workbook")[0].metadata
    assert meta["uri"].value == store.uri("artifacts/workbook/2026-03-23.xlsx")
    assert meta["bytes"].value == len(b"PK\x03\x04 not really a workbook")
    assert summary.success


def test_artifact_path_layout() -> None:
    assert artifact_path(["analysis", "tickets"], "2026-03-23-R1C4", "json") == (
        "artifacts/analysis/tickets/2026-03-23-R1C4.json"
    )
    assert artifact_path(["ledger"], None, "csv") == "artifacts/ledger/all.csv"
