"""Asset outputs stored as files: ``artifacts/<asset key>/<partition or 'all'>.<ext>`` in the file store.

:class:`FilesIOManager` is the configurable resource (it takes the :class:`FilesResource`); the IO
manager it makes is a Dagster :class:`~dagster.UPathIOManager` over the store's root, which computes
the paths of assets and partitions and loads a dict ``{partition: object}`` for an input spanning
several partitions. The extension is not fixed per IO manager as UPathIOManager assumes: it comes with
each object (bytes, str, dict/list, DataFrame) or from the asset's ``hippique/ext`` metadata, so the
paths it hands over have none and the writes and reads here add it.
"""

import io
import json
import mimetypes
from collections.abc import Sequence
from typing import Any

import pandas as pd
from dagster import (
    ConfigurableIOManagerFactory,
    InitResourceContext,
    InputContext,
    MetadataValue,
    OutputContext,
    ResourceDependency,
    UPathIOManager,
)
from upath import UPath

from hippique_assets.storage.files import FilesResource, FileStore, to_json_bytes

EXT_KEY = "hippique/ext"
"""Asset metadata key giving an artifact's file extension (``xlsx``, ``pdf``...) for bytes outputs."""

ARTIFACTS_FOLDER = "artifacts"
UNPARTITIONED = "all"


def artifact_path(asset_key_path: Sequence[str], partition: str | None, ext: str) -> str:
    """``artifacts/<asset key path>/<partition or 'all'>.<ext>``."""
    return "/".join([ARTIFACTS_FOLDER, *asset_key_path, f"{partition or UNPARTITIONED}.{ext}"])


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


class ArtifactsIOManager(UPathIOManager):
    """Writes and reads artifacts through a :class:`FileStore` (atomic local writes, GCS content
    types), at the paths :class:`~dagster.UPathIOManager` computes under the store's root."""

    extension = None  # per artifact, see the module's docstring

    def __init__(self, store: FileStore) -> None:
        super().__init__(base_path=store.root)
        self.store = store

    def get_asset_relative_path(self, context: InputContext | OutputContext) -> UPath:
        """``artifacts/<asset key>``, under which UPathIOManager puts one file per partition; the
        file of an unpartitioned asset is ``artifacts/<asset key>/all``."""
        folder = [ARTIFACTS_FOLDER, *context.asset_key.path]
        return UPath(*folder) if context.has_asset_partitions else UPath(*folder, UNPARTITIONED)

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        """Write the artifact and record its URI, size and format (nothing for ``None``)."""
        if obj is None:
            context.log.info(f"{context.name}: no artifact returned (None), nothing written")
            return
        if not context.has_asset_key:
            raise ValueError(f"the files IO manager stores asset outputs; {context.name} is not an asset")
        if not context.has_asset_partitions:
            path = self._get_path(context)
        else:
            paths = list(self._get_paths_for_partitions(context).values())
            if len(paths) != 1:
                raise ValueError(
                    f"asset {context.asset_key.to_user_string()}: one artifact cannot be stored for "
                    f"{len(paths)} partitions at once; run one partition per run"
                )
            path = paths[0]
        # UPathIOManager.handle_output would also record a "path" without the extension, and make
        # folders, which the store's writes do themselves.
        self.dump_to_path(context, obj, path)

    def dump_to_path(self, context: OutputContext, obj: Any, path: UPath) -> None:
        """Encode ``obj`` and write it at ``path`` plus the extension of its format."""
        ext, data, content_type = encode_artifact(obj, _ext_hint(context.definition_metadata))
        rel = self.store.relative(path.with_name(f"{path.name}.{ext}"))
        uri = self.store.write_bytes(rel, data, content_type)
        context.log.info(f"stored {len(data)} bytes at {uri}")
        context.add_output_metadata(
            {"uri": MetadataValue.path(uri), "bytes": MetadataValue.int(len(data)), "format": ext}
        )

    def load_from_path(self, context: InputContext, path: UPath) -> Any:
        """The artifact at ``path`` plus its extension: the upstream asset's ``hippique/ext``, or the
        one file found there. FileNotFoundError when there is none (UPathIOManager then honours
        ``allow_missing_partitions``)."""
        upstream = context.upstream_output
        hint = _ext_hint(upstream.definition_metadata if upstream is not None else None)
        stem = self.store.relative(path) + "."
        if hint:
            rel = stem + hint
        else:
            found = [p for p in self.store.list(stem) if "/" not in p[len(stem) :]]
            if len(found) != 1:
                listed = found or "none"
                raise FileNotFoundError(f"expected one artifact at {self.store.uri(stem)}*, found {listed}")
            rel = found[0]
        wanted = getattr(context.dagster_type, "typing_type", None)
        return decode_artifact(self.store.read_bytes(rel), rel.rpartition(".")[2], wanted)


class FilesIOManager(ConfigurableIOManagerFactory[ArtifactsIOManager]):
    """Stores asset outputs as files under ``artifacts/<asset key>/<partition or 'all'>.<ext>`` of
    the ``files`` resource's store."""

    files: ResourceDependency[FilesResource]

    def create_io_manager(self, context: InitResourceContext) -> ArtifactsIOManager:
        """The IO manager over this process' store."""
        return ArtifactsIOManager(self.files.store())
