"""``hippique db``: the migrations of the platform's tables."""

import sys

import click

from hippique_assets.settings import load_settings
from hippique_assets.storage import migrate
from hippique_assets.storage.postgres import mask_url, resolve_url


def _url() -> str:
    import os

    settings = load_settings()
    return resolve_url(os.environ.get("HIPPIQUE_PG_URL") if settings.pg_url_set else None, settings.home)


@click.group()
def db() -> None:
    """The tables' database: migrations (Alembic) of the pmu, racing, betting and web schemas, and
    stopping the embedded PostgreSQL."""


@db.command()
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def upgrade(revision: str) -> None:
    """Bring the database to REVISION (a deploy runs this before starting the code server)."""
    click.echo(migrate.upgrade_reported(_url(), revision))


@db.command()
def current() -> None:
    """The database's revision and the latest one; exits 1 when the database is behind."""
    url = _url()
    at, head = migrate.current_revision(url), migrate.head_revision()
    click.echo(f"{mask_url(url)}: at {at or 'no revision (run hippique db upgrade)'}, latest {head}")
    if at != head:
        sys.exit(1)


@db.command()
def stop() -> None:
    """Stop the embedded PostgreSQL under HIPPIQUE_HOME.

    The CLI, `make demo` and runs leave it running so that they share one server; stop it when done.
    """
    from hippique_assets.storage.embedded import pgdata_dir, stop_embedded_pg

    settings = load_settings()
    if settings.pg_url_set:
        click.echo("HIPPIQUE_PG_URL is set: there is no embedded PostgreSQL to stop")
        return
    was_running = stop_embedded_pg(settings.home)
    state = "stopped" if was_running else "not running"
    click.echo(f"embedded PostgreSQL in {pgdata_dir(settings.home)}: {state}")
