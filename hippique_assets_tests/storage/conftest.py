"""Fixtures of the storage tests: a schema of its own per test, and a GCS emulator on loopback."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

from hippique_assets_tests.storage.sample_tables import schema_fixture


@pytest.fixture
def schema(pg_url: str) -> Iterator[str]:
    """A schema name unique to this test on the session's database, dropped afterwards."""
    yield from schema_fixture(pg_url)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def gcs_emulator() -> Iterator[str]:
    """An in-memory GCS emulator on 127.0.0.1 with a bucket ``hippique-test``; yields its URL.

    ``STORAGE_EMULATOR_HOST`` points the google-cloud-storage client at it while the module runs.
    """
    server_module = pytest.importorskip("gcp_storage_emulator.server")
    port = _free_port()
    server = server_module.create_server("127.0.0.1", port, in_memory=True, default_bucket="hippique-test")
    server.start()
    url = f"http://127.0.0.1:{port}"
    previous = {k: os.environ.get(k) for k in ("STORAGE_EMULATOR_HOST", "GOOGLE_CLOUD_PROJECT")}
    os.environ["STORAGE_EMULATOR_HOST"] = url
    os.environ["GOOGLE_CLOUD_PROJECT"] = "test"
    try:
        yield url
    finally:
        server.stop()
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
