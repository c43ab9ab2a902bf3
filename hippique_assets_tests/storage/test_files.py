"""File stores (local folder, GCS emulator on loopback), FilesResource and FilesIOManager."""

import json
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from dagster import (
    AssetIn,
    DagsterInstance,
    DailyPartitionsDefinition,
    TimeWindowPartitionMapping,
    asset,
    materialize,
)
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

from hippique_assets.storage import files as files_module
from hippique_assets.storage.artifacts import FilesIOManager, artifact_path
from hippique_assets.storage.files import (
    FilesResource,
    FileStore,
    clean_rel_path,
    gcs_storage_options,
    open_file_store,
)

PAYLOAD = json.dumps({"programme": {"reunions": [{"numOfficiel": 1, "libelle": "Réunion 1 🐎"}]}}).encode()


@pytest.fixture
def local_store(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "files")


@pytest.fixture
def gcs_store(gcs_emulator: str) -> FileStore:
    return open_file_store(f"gs://hippique-test/run-{uuid.uuid4().hex}/raw")


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
def test_unsafe_paths_are_refused(local_store: FileStore, bad: str) -> None:
    with pytest.raises(ValueError, match="file path"):
        local_store.write_bytes(bad, b"x")


def test_clean_rel_path_keeps_a_prefix_slash() -> None:
    assert clean_rel_path("pmu/2026-03-23/", allow_empty=True) == "pmu/2026-03-23/"
    assert clean_rel_path("", allow_empty=True) == ""


def test_local_uri_is_an_absolute_path_under_the_root(local_store: FileStore) -> None:
    uri = local_store.write_bytes("a/b.json", b"{}")
    assert Path(uri) == local_store.root / "a" / "b.json"
    assert Path(uri).read_bytes() == b"{}"


def test_a_crash_during_a_local_write_keeps_the_previous_file(
    local_store: FileStore, monkeypatch: pytest.MonkeyPatch
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


@pytest.mark.parametrize("existing", [True, False], ids=["overwrite", "new file"])
def test_a_write_failing_midway_leaves_the_previous_file_and_no_temporary_file(
    local_store: FileStore, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    if existing:
        local_store.write_bytes("pmu/day/programme.json", PAYLOAD)
    else:
        local_store.write_bytes("pmu/day/other.json", b"{}")

    def crash(fd: int) -> None:
        raise OSError("I/O error")

    monkeypatch.setattr(files_module.os, "fsync", crash)
    with pytest.raises(OSError, match="I/O error"):
        local_store.write_bytes("pmu/day/programme.json", b'{"half": ')
    monkeypatch.undo()
    folder = local_store.root / "pmu" / "day"
    if existing:
        assert local_store.read_bytes("pmu/day/programme.json") == PAYLOAD
        assert sorted(p.name for p in folder.iterdir()) == ["programme.json"]
    else:
        assert not local_store.exists("pmu/day/programme.json")
        assert sorted(p.name for p in folder.iterdir()) == ["other.json"]


def test_half_written_temporary_files_are_not_listed(local_store: FileStore) -> None:
    local_store.write_bytes("pmu/x.json", b"1")
    (local_store.root / "pmu" / ".tmp-y.json.abc").write_bytes(b"partial")
    assert local_store.list("pmu/") == ["pmu/x.json"]


def test_open_file_store_picks_the_backend(tmp_path: Path) -> None:
    gcs = open_file_store("gs://bucket-a/some/prefix")
    assert not gcs.local and gcs.root.protocol == "gs"
    assert gcs.uri("pmu/a.json") == "gs://bucket-a/some/prefix/pmu/a.json"
    local = open_file_store(str(tmp_path / "f"))
    assert local.local and local.root == (tmp_path / "f").resolve()
    assert open_file_store(f"file://{tmp_path}/g").local
    with pytest.raises(ValueError, match="unsupported file store URI 's3://x'"):
        open_file_store("s3://x")


def _gcs_client() -> storage.Client:
    """A google-cloud-storage client on the emulator: the library the stores used before gcsfs."""
    return storage.Client(project="test", credentials=AnonymousCredentials())


def _object_name(store: FileStore, rel_path: str) -> str:
    return store.uri(rel_path).removeprefix("gs://hippique-test/")


def test_gcs_objects_carry_the_prefix_and_content_type(gcs_store: FileStore) -> None:
    uri = gcs_store.write_bytes("pmu/a.csv", b"a,b\n1,2\n", content_type="text/csv")
    assert uri == f"{gcs_store.root}/pmu/a.csv" and uri.startswith("gs://hippique-test/run-")
    assert uri.endswith("/raw/pmu/a.csv")
    blob = _gcs_client().bucket("hippique-test").get_blob(_object_name(gcs_store, "pmu/a.csv"))
    assert blob is not None and blob.content_type == "text/csv"
    assert blob.download_as_bytes() == b"a,b\n1,2\n"


# ---------------------------------------------------------------------------------------------
# gs:// through gcsfs against the emulator


def test_gcs_store_reads_objects_written_by_google_cloud_storage(gcs_store: FileStore) -> None:
    """Objects already in the bucket (written by google-cloud-storage) read, list and exist as before;
    a folder placeholder object (``name/``, as the console makes) is not a file."""
    bucket = _gcs_client().bucket("hippique-test")
    bucket.blob(_object_name(gcs_store, "pmu/day/programme.json")).upload_from_string(PAYLOAD)
    bucket.blob(_object_name(gcs_store, "pmu/day/R1/")).upload_from_string(b"")
    assert gcs_store.exists("pmu/day/programme.json")
    assert gcs_store.read_bytes("pmu/day/programme.json") == PAYLOAD
    assert gcs_store.list("pmu/") == ["pmu/day/programme.json"]
    assert not gcs_store.exists("pmu/day") and not gcs_store.exists("pmu/day/R1")


def test_gcs_store_uses_the_json_api_filesystem(gcs_store: FileStore) -> None:
    """Not gcsfs' default class, which asks the gRPC Storage Control API for the bucket's layout
    before each operation (the emulator has no gRPC: a minute of retries per operation)."""
    import gcsfs.core

    assert type(gcs_store.fs) is gcsfs.core.GCSFileSystem
    started = time.monotonic()
    gcs_store.write_bytes("x/a.json", b"{}")
    assert gcs_store.read_bytes("x/a.json") == b"{}" and gcs_store.list("x/") == ["x/a.json"]
    assert time.monotonic() - started < 10


def test_a_file_is_not_a_folder(store: FileStore) -> None:
    store.write_bytes("pmu/day/programme.json", b"{}")
    assert not store.exists("pmu/day") and not store.exists("pmu")
    assert store.list("pmu/day/programme.json") == ["pmu/day/programme.json"]
    assert store.list("pmu/day/programme.json/") == []


def test_gcs_options_follow_the_emulator_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", "127.0.0.1:9023")
    assert gcs_storage_options() == {
        "use_listings_cache": False,
        "endpoint_url": "http://127.0.0.1:9023",
        "token": "anon",
    }
    # compose.yaml passes the variable empty when it is unset in deploy/.env.
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", "")
    assert gcs_storage_options("proj") == {
        "use_listings_cache": False,
        "token": "google_default",
        "project": "proj",
    }


def test_gcs_base_uri_is_checked() -> None:
    assert open_file_store("gs://bucket-a").uri("a.json") == "gs://bucket-a/a.json"
    assert open_file_store("gs://bucket-a/p/").uri("a.json") == "gs://bucket-a/p/a.json"
    with pytest.raises(ValueError, match="not a GCS bucket"):
        open_file_store("gs:///prefix")
    with pytest.raises(ValueError, match="file path"):
        open_file_store("gs://bucket-a/a//b")


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
    assert meta["format"].value == "xlsx"
    assert summary.success


def test_artifact_path_layout() -> None:
    assert artifact_path(["analysis", "tickets"], "2026-03-23-R1C4", "json") == (
        "artifacts/analysis/tickets/2026-03-23-R1C4.json"
    )
    assert artifact_path(["ledger"], None, "csv") == "artifacts/ledger/all.csv"


@asset(partitions_def=days, ins={"tickets": AssetIn(partition_mapping=TimeWindowPartitionMapping(-1))})
def two_days(tickets: dict) -> dict:
    return tickets


@asset(
    partitions_def=days,
    ins={
        "tickets": AssetIn(
            partition_mapping=TimeWindowPartitionMapping(-1), metadata={"allow_missing_partitions": True}
        )
    },
)
def two_days_or_fewer(tickets: dict) -> dict:
    return tickets


def test_an_input_over_several_partitions_is_a_dict_by_partition(base_uri: str) -> None:
    resources = {"files_io_manager": FilesIOManager(files=FilesResource(base_uri=base_uri))}
    assets = [tickets, two_days, two_days_or_fewer]
    with DagsterInstance.ephemeral() as instance:
        for day in ["2026-03-22", "2026-03-23"]:
            materialize(
                assets, selection=["tickets"], partition_key=day, resources=resources, instance=instance
            )
        both = materialize(
            assets, selection=["two_days"], partition_key="2026-03-23", resources=resources, instance=instance
        )
        missing = materialize(
            assets,
            selection=["two_days"],
            partition_key="2026-03-22",
            resources=resources,
            instance=instance,
            raise_on_error=False,
        )
        fewer = materialize(
            assets,
            selection=["two_days_or_fewer"],
            partition_key="2026-03-22",
            resources=resources,
            instance=instance,
        )
    day_tickets = [{"race": "2026-03-23-R1C4", "stake": 1.5, "numbers": [3, 7]}]
    assert both.output_for_node("two_days") == {"2026-03-22": day_tickets, "2026-03-23": day_tickets}
    assert not missing.success
    error = missing.get_step_failure_events()[0].step_failure_data.error
    assert error is not None and "expected one artifact at" in error.to_string()
    assert "artifacts/tickets/2026-03-21.*, found none" in error.to_string()
    assert fewer.output_for_node("two_days_or_fewer") == {"2026-03-22": day_tickets}


def test_one_artifact_is_not_stored_for_several_partitions(tmp_path: Path) -> None:
    resources = {"files_io_manager": FilesIOManager(files=FilesResource(base_uri=str(tmp_path)))}
    result = materialize(
        [tickets],
        resources=resources,
        tags={
            "dagster/asset_partition_range_start": "2026-03-22",
            "dagster/asset_partition_range_end": "2026-03-23",
        },
        raise_on_error=False,
    )
    assert not result.success
    error = result.get_step_failure_events()[0].step_failure_data.error
    assert error is not None
    assert "one artifact cannot be stored for 2 partitions at once" in error.to_string()
    assert not (tmp_path / "artifacts").exists()


def test_a_none_output_writes_nothing(tmp_path: Path) -> None:
    @asset(io_manager_key="files_io_manager")
    def nothing() -> None:
        return None

    resources = {"files_io_manager": FilesIOManager(files=FilesResource(base_uri=str(tmp_path)))}
    result = materialize([nothing], resources=resources)
    assert result.success and not (tmp_path / "artifacts").exists()
    assert "uri" not in result.asset_materializations_for_node("nothing")[0].metadata
