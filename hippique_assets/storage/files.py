"""Raw payloads and artifacts as files, in a local folder or under ``gs://bucket/prefix``.

A :class:`FileStore` addresses files by relative, ``/``-separated paths (``pmu/2026-03-23/programme.json``)
under one root, a :class:`~upath.UPath`: an absolute local folder, or ``gs://bucket/prefix`` through
gcsfs. Local writes are atomic (a temporary file in the same folder, then ``os.replace``), because a
UPath write to a local file is not: a crash never leaves half a file. A GCS upload is atomic by nature.

GCS is read and written through gcsfs' JSON API filesystem (:class:`gcsfs.core.GCSFileSystem`), the
API the deployment's flat bucket is used with, rather than the class gcsfs registers for ``gs://``
(its default since 2026, unless ``GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT=false`` before gcsfs is imported).
That class first asks the gRPC Storage Control API for the bucket's layout (zonal or hierarchical
namespace), and asks again at every operation while it has no answer: gcp-storage-emulator serves
the JSON API only, so there each operation waited a minute of gRPC retries. universal-pathlib takes no
filesystem instance, so the store keeps its own next to its root.

With ``STORAGE_EMULATOR_HOST`` set (tests, local runs against ``gcp-storage-emulator``), the store talks
to the emulator anonymously; otherwise with Google's default credentials (Workload Identity, the VM's
service account, ``GOOGLE_APPLICATION_CREDENTIALS``).
"""

import json
import os
import tempfile
import threading
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from dagster import ConfigurableResource
from upath import UPath

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem
    from upath.types.storage_options import GCSStorageOptions

_TEMP_MARK = ".tmp-"
_GCS_PROTOCOLS = frozenset({"gs", "gcs"})


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


def gcs_storage_options(project: str | None = None) -> "GCSStorageOptions":
    """gcsfs options: the emulator anonymously when ``STORAGE_EMULATOR_HOST`` is set, else Google's
    default credentials (named, so that missing credentials fail instead of going anonymous)."""
    # Other processes write the same bucket: a listing is never answered from this process' cache.
    options: GCSStorageOptions = {"use_listings_cache": False}
    emulator = os.environ.get("STORAGE_EMULATOR_HOST", "")
    if emulator:
        options["endpoint_url"] = emulator if "://" in emulator else f"http://{emulator}"
        options["token"] = "anon"
    else:
        options["token"] = "google_default"
    project = project or os.environ.get("GOOGLE_CLOUD_PROJECT")
    if project:
        options["project"] = project
    return options


def store_root(location: UPath | str | os.PathLike[str], *, gcs_project: str | None = None) -> UPath:
    """The root of a store: ``gs://bucket/prefix`` (gcsfs; a ``gs://`` UPath as it is), or
    ``file:///path`` or a path (an absolute local folder)."""
    if isinstance(location, UPath):
        if location.protocol in _GCS_PROTOCOLS:
            return location
        location = location.path if location.protocol in {"", "file", "local"} else str(location)
    text = os.fspath(location)
    if text.startswith("gs://"):
        bucket, _, prefix = text[len("gs://") :].partition("/")
        if not bucket:
            raise ValueError(f"not a GCS bucket name: {bucket!r}")
        prefix = clean_rel_path(prefix.strip("/"), allow_empty=True)
        options = gcs_storage_options(gcs_project)
        return UPath(f"gs://{bucket}/{prefix}" if prefix else f"gs://{bucket}/", **options)
    if "://" in text and not text.startswith("file://"):
        raise ValueError(f"unsupported file store URI {text!r}: use gs://bucket/prefix or a local path")
    return UPath(Path(text.removeprefix("file://")).expanduser().resolve())


class FileStore:
    """Files addressed by relative paths under one root, a local folder or ``gs://bucket/prefix``.

    ``root`` names the place (and is the base path Dagster's UPathIOManager works from); the reads and
    writes go through :attr:`fs`, for GCS gcsfs' JSON API filesystem with the root's storage options
    (see the module's docstring: ``root.fs`` would be gcsfs' default class).
    """

    def __init__(self, root: UPath | str | os.PathLike[str]) -> None:
        self.root = store_root(root)
        self.local = self.root.protocol not in _GCS_PROTOCOLS
        # The root as the filesystem and as a reader see it: ``/abs/path`` or ``bucket/prefix``.
        self._fs_root = self.root.path.rstrip("/")
        self._uri_root = str(self.root).rstrip("/")
        self._fs: AbstractFileSystem | None = None

    def __repr__(self) -> str:
        return f"FileStore({self._uri_root!r})"

    @property
    def fs(self) -> "AbstractFileSystem":
        """The fsspec filesystem of the reads and writes (made on first use: a store can be
        described, its URIs computed, without credentials)."""
        if self._fs is None:
            if self.local:
                self._fs = self.root.fs
            else:
                from gcsfs.core import GCSFileSystem

                self._fs = GCSFileSystem(**self.root.storage_options)
        return self._fs

    def _fs_path(self, rel_path: str) -> str:
        return f"{self._fs_root}/{clean_rel_path(rel_path)}"

    def path(self, rel_path: str) -> UPath:
        """The :class:`~upath.UPath` of ``rel_path``."""
        return self.root.joinpath(*clean_rel_path(rel_path).split("/"))

    def relative(self, path: UPath) -> str:
        """The relative path of a path under the root; ValueError for a path elsewhere."""
        full = path.path
        if path.protocol != self.root.protocol or not full.startswith(f"{self._fs_root}/"):
            raise ValueError(f"{path} is not under {self._uri_root}")
        return clean_rel_path(full[len(self._fs_root) + 1 :])

    def uri(self, rel_path: str) -> str:
        """Where ``rel_path`` lives: an absolute local path or ``gs://bucket/prefix/rel_path``."""
        return f"{self._uri_root}/{clean_rel_path(rel_path, allow_empty=True)}"

    def write_bytes(self, rel_path: str, data: bytes, content_type: str = "application/json") -> str:
        """Store ``data`` at ``rel_path`` (replacing any previous file) and return its URI.

        Locally through a temporary file in the same folder renamed over the target; on GCS in one
        upload (the object appears whole or not at all), with ``content_type``.
        """
        fs_path = self._fs_path(rel_path)
        if self.local:
            _write_atomically(Path(fs_path), data)
        else:
            self.fs.pipe_file(fs_path, data, content_type=content_type)
        return self.uri(rel_path)

    def read_bytes(self, rel_path: str) -> bytes:
        """The file's content; FileNotFoundError naming the URI when absent."""
        try:
            data: bytes = self.fs.cat_file(self._fs_path(rel_path))
        except FileNotFoundError:
            raise FileNotFoundError(f"no file at {self.uri(rel_path)}") from None
        return data

    def exists(self, rel_path: str) -> bool:
        """Whether a file is stored at ``rel_path``."""
        fs_path = self._fs_path(rel_path)
        if self.local:
            return bool(self.fs.isfile(fs_path))
        # One object GET, as google-cloud-storage's blob.exists(): gcsfs' isfile() sends a listing
        # of the name as a folder alongside it, to tell folders from files.
        bucket, key, _ = self.fs.split_path(fs_path)
        try:
            self.fs.call("GET", "b/{}/o/{}", bucket, key, json_out=True)
        except FileNotFoundError:
            return False
        return True

    def list(self, prefix: str = "") -> list[str]:
        """Relative paths of the files whose path starts with ``prefix``, sorted (half-written
        temporary files of local writes excluded)."""
        prefix = clean_rel_path(prefix, allow_empty=True)
        folder, _, name_start = prefix.rpartition("/")
        top = f"{self._fs_root}/{folder}" if folder else self._fs_root
        if self.local:
            found_files = Path(top or "/").rglob("*")
            paths = (str(p) for p in found_files if p.is_file() and not p.name.startswith(_TEMP_MARK))
        else:
            # gcsfs lists only the objects under ``top/`` whose name starts with ``name_start``.
            found = self.fs.find(top, prefix=name_start, detail=True)
            paths = (name for name, info in found.items() if info.get("type") == "file")
        cut = len(self._fs_root) + 1
        return sorted(rel for p in paths if (rel := p[cut:]).startswith(prefix) and not rel.endswith("/"))


def _write_atomically(target: Path, data: bytes) -> None:
    """Write through a temporary file in the target's folder, then rename it over the target."""
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


def open_file_store(base_uri: str, *, gcs_project: str | None = None) -> FileStore:
    """The store of ``gs://bucket/prefix``, ``file:///path`` or a local path."""
    return FileStore(store_root(base_uri, gcs_project=gcs_project))


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
_stores: dict[tuple[int, str, str | None], FileStore] = {}


class FilesResource(ConfigurableResource):
    """Where raw payloads and artifacts go: a local folder or ``gs://bucket/prefix``."""

    base_uri: str = ".hippique/files"
    gcs_project: str | None = None

    def store(self) -> FileStore:
        """The store for ``base_uri`` (one per process, so a GCS session is opened once)."""
        key = (os.getpid(), self.base_uri, self.gcs_project)
        with _stores_lock:
            store = _stores.get(key)
            if store is None:
                store = _stores[key] = open_file_store(self.base_uri, gcs_project=self.gcs_project)
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
