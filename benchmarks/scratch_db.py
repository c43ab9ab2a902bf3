"""A throw-away database on the machine's Postgres for one benchmark run."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2


@contextmanager
def scratch_database(admin_url: str) -> Iterator[str]:
    """Create a database named after this run, yield its URL, drop it afterwards (even on failure)."""
    name = f"hippique_bench_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(admin_url)
    admin.autocommit = True
    admin.cursor().execute(f'create database "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        admin.cursor().execute(f'drop database if exists "{name}" with (force)')
        admin.close()
