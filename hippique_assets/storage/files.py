"""Raw payloads and artifacts as files, in a local folder or under ``gs://bucket/prefix``.

Paths given to a :class:`FileStore` are relative, ``/``-separated (``pmu/2026-03-23/programme.json``);
the store maps them under its root. Local writes are atomic (a temporary file in the same folder,
then ``os.replace``), so a crash never leaves half a file; a GCS upload is atomic by nature.

With ``STORAGE_EMULATOR_HOST`` set (tests, local runs against ``gcp-storage-emulator``), the
default GCS client talks to the emulator with anonymous credentials.
"""

import io
import json
import mimetypes
import os
import tempfile
import threading
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd
from dagster import (
    ConfigurableIOManager,
    ConfigurableResource,
    InputContext,
    MetadataValue,
    OutputContext,
    ResourceDependency,
)

if TYPE_CHECKING:
    from google.cloud import storage as gcs

EXT_KEY = "hippique/ext"
"""Asset metadata key giving an artifact's file extension (``xlsx``, ``pdf``...) for bytes outputs."""

_TEMP_MARK = ".tmp-"


@runtime_checkable
class FileStore(Protocol):
    """Files addressed by relative paths under one root."""

    def write_bytes(self, rel_path: str, data: bytes, content_type: str = "application/json") -> str:
        """Store ``data`` at ``rel_path`` (replacing any previous file) and return its URI."""
        ...

    def read_bytes(self, rel_path: str) -> bytes:
        """The file's content; FileNotFoundError naming the URI when absent."""
        ...

    def exists(self, rel_path: str) -> bool:
        """Whether a file is stored at ``rel_path``."""
        ...

    def list(self, prefix: str = "") -> list[str]:
        """Relative paths of the files whose path starts with ``prefix``, sorted."""
        ...

    def uri(self, rel_path: str) -> str:
        """Where ``rel_path`` lives: an absolute local path or ``gs://bucket/name``."""
        ...


def clean_rel_path(rel_path: str, *, allow_empty: bool = False) -> str:
    """Check and normalise a relative path: no absolute path, no ``..``, no empty segment."""
    if not isinstance(rel_path, str):
        raise TypeError(f"file path must be a str, got {type(rel_path).__name__}")
    if rel_path == "" and allow_empty:
        return ""
    if rel_path.startswith("/") or "\\" in rel_path or "\x00" in rel_path:
        raise ValueError(f"file path must be relative and '/'-separated: {rel_path!r}")
    trailing = rel_path.endswith("/") and allow_empty
    parts = rel_path.rstrip("/").split("/") if trailing else rel_path.split("/")
    if any(p in {"", ".", ".."} for p in parts):
        raise ValueError(f"file path has an empty, '.' or '..' segment: {rel_path!r}")
    return "/".join(parts) + ("/" if trailing else "")


class LocalFileStore:
    """Files under a local folder, written atomically."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).expanduser().resolve()

    def __repr__(self) -> str:
        return f"LocalFileStore({str(self.root)!r})"

    def _path(self, rel_path: str) -> Path:
        return self.root / clean_rel_path(rel_path)

    def uri(self, rel_path: str) -> str:
        """The absolute local path of ``rel_path``."""
        return str(self._path(rel_path))

    def write_bytes(self, rel_path: str, data: bytes, content_type: str = "application/json") -> str:
        """Write through a temporary file in the same folder, then rename over the target."""
        target = self._path(rel_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f"{_TEMP_MARK}{target.name}.")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return str(target)

    def read_bytes(self, rel_path: str) -> bytes:
        """The file's bytes."""
        path = self._path(rel_path)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise FileNotFoundError(f"no file at {path}") from None

    def exists(self, rel_path: str) -> bool:
        """Whether the file exists."""
        return self._path(rel_path).is_file()

    def list(self, prefix: str = "") -> list[str]:
        """Files whose relative path starts with ``prefix`` (half-written temporary files excluded)."""
        prefix = clean_rel_path(prefix, allow_empty=True)
        folder = self.root / prefix.rpartition("/")[0] if "/" in prefix else self.root
        if not folder.is_dir():
            return []
        found = []
        for path in folder.rglob("*"):
            if path.name.startswith(_TEMP_MARK) or not path.is_file():
                continue
            rel = path.relative_to(self.root).as_posix()
            if rel.startswith(prefix):
                found.append(rel)
        return sorted(found)


def default_gcs_client(project: str | None = None) -> "gcs.Client":
    """A GCS client from dagster-gcp's resource: default credentials (Workload Identity, a service
    account), or anonymous against ``STORAGE_EMULATOR_HOST`` when it is set."""
    from dagster_gcp import GCSResource

    return GCSResource(project=project or os.environ.get("GOOGLE_CLOUD_PROJECT")).get_client()


class GcsFileStore:
    """Files under ``gs://bucket/prefix``."""

    def __init__(self, bucket: str, prefix: str = "", client: "gcs.Client | None" = None) -> None:
        if not bucket or "/" in bucket:
            raise ValueError(f"not a GCS bucket name: {bucket!r}")
        self.bucket_name = bucket
        self.prefix = clean_rel_path(prefix.strip("/"), allow_empty=True)
        self._client = client
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"GcsFileStore({self.uri_prefix!r})"

    @property
    def uri_prefix(self) -> str:
        return f"gs://{self.bucket_name}/{self.prefix}"

    @property
    def client(self) -> "gcs.Client":
        with self._lock:
            if self._client is None:
                self._client = default_gcs_client()
            return self._client

    def _name(self, rel_path: str, *, allow_empty: bool = False) -> str:
        rel = clean_rel_path(rel_path, allow_empty=allow_empty)
        return f"{self.prefix}/{rel}" if self.prefix else rel

    def _blob(self, rel_path: str) -> Any:
        return self.client.bucket(self.bucket_name).blob(self._name(rel_path))

    def uri(self, rel_path: str) -> str:
        """``gs://bucket/prefix/rel_path``."""
        return f"gs://{self.bucket_name}/{self._name(rel_path, allow_empty=True)}"

    def write_bytes(self, rel_path: str, data: bytes, content_type: str = "application/json") -> str:
        """Upload ``data`` (one request; the object appears whole or not at all)."""
        self._blob(rel_path).upload_from_string(data, content_type=content_type)
        return self.uri(rel_path)

    def read_bytes(self, rel_path: str) -> bytes:
        """Download the object."""
        from google.api_core.exceptions import NotFound

        try:
            return self._blob(rel_path).download_as_bytes()
        except NotFound:
            raise FileNotFoundError(f"no file at {self.uri(rel_path)}") from None

    def exists(self, rel_path: str) -> bool:
        """Whether the object exists."""
        return bool(self._blob(rel_path).exists())

    def list(self, prefix: str = "") -> list[str]:
        """Objects whose relative path starts with ``prefix``."""
        full = self._name(prefix, allow_empty=True) if prefix else (f"{self.prefix}/" if self.prefix else "")
        cut = len(self.prefix) + 1 if self.prefix else 0
        names = [blob.name[cut:] for blob in self.client.list_blobs(self.bucket_name, prefix=full)]
        return sorted(n for n in names if n and not n.endswith("/"))


def open_file_store(base_uri: str, gcs_client: "gcs.Client | None" = None) -> FileStore:
    """``gs://bucket/prefix`` -> :class:`GcsFileStore`; ``file:///path`` or a path -> :class:`LocalFileStore`."""
    if base_uri.startswith("gs://"):
        bucket, _, prefix = base_uri[len("gs://") :].partition("/")
        return GcsFileStore(bucket, prefix, client=gcs_client)
    if "://" in base_uri and not base_uri.startswith("file://"):
        raise ValueError(f"unsupported file store URI {base_uri!r}: use gs://bucket/prefix or a local path")
    return LocalFileStore(base_uri.removeprefix("file://"))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot store {type(value).__name__} as JSON: {value!r}")


def to_json_bytes(obj: Any) -> bytes:
    """UTF-8 JSON of ``obj`` (dates as ISO strings, numpy scalars as numbers, NaN refused)."""
    try:
        return json.dumps(obj, ensure_ascii=False, default=_json_default, allow_nan=False).encode("utf-8")
    except ValueError as exc:
        raise ValueError(f"cannot store as JSON: {exc} (NaN or infinity in the data)") from exc


_stores_lock = threading.Lock()
_stores: dict[tuple[int, str], FileStore] = {}


class FilesResource(ConfigurableResource):
    """Where raw payloads and artifacts go: a local folder or ``gs://bucket/prefix`` (through
    dagster-gcp's :class:`~dagster_gcp.GCSResource`)."""

    base_uri: str = ".hippique/files"
    gcs_project: str | None = None

    def store(self) -> FileStore:
        """The store for ``base_uri`` (one per process, so a GCS client is made once)."""
        key = (os.getpid(), self.base_uri)
        with _stores_lock:
            store = _stores.get(key)
            if store is None:
                client = default_gcs_client(self.gcs_project) if self.base_uri.startswith("gs://") else None
                store = _stores[key] = open_file_store(self.base_uri, client)
            return store

    def write_bytes(self, rel_path: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        """Store bytes; returns the file's URI."""
        return self.store().write_bytes(rel_path, data, content_type)

    def write_json(self, rel_path: str, obj_or_bytes: Any) -> str:
        """Store a JSON document (an object to serialise, or bytes already JSON); returns the URI."""
        data = (
            bytes(obj_or_bytes)
            if isinstance(obj_or_bytes, bytes | bytearray)
            else to_json_bytes(obj_or_bytes)
        )
        return self.store().write_bytes(rel_path, data, "application/json")

    def read_json(self, rel_path: str) -> Any:
        """Parse a stored JSON document."""
        data = self.store().read_bytes(rel_path)
        try:
            return json.loads(data)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{self.store().uri(rel_path)} is not valid JSON: {exc}") from exc


# ---------------------------------------------------------------------------------------------
# Artifacts IO manager


def artifact_path(asset_key_path: Sequence[str], partition: str | None, ext: str) -> str:
    """``artifacts/<asset key path>/<partition or 'all'>.<ext>``."""
    return "/".join(["artifacts", *asset_key_path, f"{partition or 'all'}.{ext}"])


def _ext_hint(metadata: Any) -> str | None:
    raw = (metadata or {}).get(EXT_KEY)
    value = getattr(raw, "value", raw)
    return str(value).lstrip(".").lower() if value else None


def encode_artifact(obj: Any, ext_hint: str | None) -> tuple[str, bytes, str]:
    """``(extension, bytes, content type)`` of an artifact: bytes as given, dict/list as JSON,
    DataFrame as CSV (or Parquet when the hint says so), str as text."""
    if isinstance(obj, bytes | bytearray | memoryview):
        ext = ext_hint or "bin"
        return ext, bytes(obj), mimetypes.guess_type(f"x.{ext}")[0] or "application/octet-stream"
    if isinstance(obj, pd.DataFrame):
        if ext_hint == "parquet":
            buffer = io.BytesIO()
            obj.to_parquet(buffer, index=False)
            return "parquet", buffer.getvalue(), "application/vnd.apache.parquet"
        if ext_hint not in {None, "csv"}:
            raise ValueError(f"a DataFrame artifact is stored as csv or parquet, not {ext_hint!r}")
        return "csv", obj.to_csv(index=False).encode("utf-8"), "text/csv"
    if isinstance(obj, dict | list):
        return "json", to_json_bytes(obj), "application/json"
    if isinstance(obj, str):
        ext = ext_hint or "txt"
        return ext, obj.encode("utf-8"), mimetypes.guess_type(f"x.{ext}")[0] or "text/plain"
    raise TypeError(
        f"the files IO manager stores bytes, str, dict/list or DataFrames, not {type(obj).__name__}"
    )


def decode_artifact(data: bytes, ext: str, wanted: Any = None) -> Any:
    """The object back from its bytes: by the input's annotation when it is bytes or str,
    else by extension (json -> object, csv/parquet -> DataFrame, txt -> str, other -> bytes)."""
    if wanted is bytes:
        return data
    if wanted is str:
        return data.decode("utf-8")
    if ext == "json":
        return json.loads(data)
    if ext == "csv":
        return pd.read_csv(io.BytesIO(data))
    if ext == "parquet":
        return pd.read_parquet(io.BytesIO(data))
    if ext in {"txt", "md", "html"}:
        return data.decode("utf-8")
    return data


class FilesIOManager(ConfigurableIOManager):
    """Stores asset outputs as files under ``artifacts/<asset key>/<partition or 'all'>.<ext>``."""

    files: ResourceDependency[FilesResource]

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        """Write the artifact and record its URI, size and format."""
        if obj is None:
            context.log.info(f"{context.name}: no artifact returned (None), nothing written")
            return
        if not context.has_asset_key:
            raise ValueError(f"the files IO manager stores asset outputs; {context.name} is not an asset")
        partition = None
        if context.has_asset_partitions:
            keys = context.asset_partition_keys
            if len(keys) != 1:
                raise ValueError(
                    f"asset {context.asset_key.to_user_string()}: one artifact cannot be stored for "
                    f"{len(keys)} partitions at once; run one partition per run"
                )
            partition = keys[0]
        ext, data, content_type = encode_artifact(obj, _ext_hint(context.definition_metadata))
        rel = artifact_path(context.asset_key.path, partition, ext)
        uri = self.files.store().write_bytes(rel, data, content_type)
        context.log.info(f"stored {len(data)} bytes at {uri}")
        context.add_output_metadata(
            {"uri": MetadataValue.path(uri), "bytes": MetadataValue.int(len(data)), "format": ext}
        )

    def load_input(self, context: InputContext) -> Any:
        """The upstream artifact; a dict ``{partition: object}`` when the input spans several."""
        upstream = context.upstream_output
        hint = _ext_hint(upstream.definition_metadata if upstream is not None else None)
        keys: list[str | None] = (
            list(context.asset_partition_keys) if context.has_asset_partitions else [None]
        )
        wanted = getattr(context.dagster_type, "typing_type", None)
        store = self.files.store()
        loaded = {key: self._load_one(store, context.asset_key.path, key, hint, wanted) for key in keys}
        return loaded[keys[0]] if len(keys) == 1 else loaded

    @staticmethod
    def _load_one(
        store: FileStore, key_path: Sequence[str], partition: str | None, hint: str | None, wanted: Any
    ) -> Any:
        stem = artifact_path(key_path, partition, "")  # ends with "."
        if hint:
            rel = stem + hint
        else:
            found = [p for p in store.list(stem) if "/" not in p[len(stem) :]]
            if len(found) != 1:
                listed = found or "none"
                raise FileNotFoundError(f"expected one artifact at {store.uri(stem)}*, found {listed}")
            rel = found[0]
        return decode_artifact(store.read_bytes(rel), rel.rpartition(".")[2], wanted)
