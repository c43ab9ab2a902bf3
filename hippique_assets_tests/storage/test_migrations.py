"""The migrations: the baseline creates every declared table, the declarations never drift from the
migrations, a rename and a type change keep their rows, and concurrent upgrades are safe."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from hippique_assets.catalog import SCHEMAS, all_tables, metadata
from hippique_assets.storage import migrate
from hippique_assets.storage.migrate import VERSION_TABLE, current_revision, engine_for, head_revision
from hippique_assets.storage.postgres import PostgresResource
from hippique_assets.storage.tables import column_names
from hippique_assets_tests.storage.sample_tables import fetch_all

pytestmark = pytest.mark.postgres


def _drift(url: str) -> list:
    def ours(name, type_, parents):
        return name in SCHEMAS if type_ == "schema" else parents.get("schema_name") in SCHEMAS

    with engine_for(url).connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_schemas": True,
                "include_name": ours,
                "compare_type": True,
                "version_table": VERSION_TABLE,
            },
        )
        return compare_metadata(context, metadata)


def test_an_empty_database_is_brought_to_head_with_every_declared_table(empty_pg_url: str) -> None:
    assert current_revision(empty_pg_url) is None
    migrate.upgrade(empty_pg_url)
    migrate.upgrade(empty_pg_url)  # a second upgrade is a no-op
    assert current_revision(empty_pg_url) == head_revision()
    for table in all_tables():
        columns = fetch_all(
            empty_pg_url,
            "SELECT column_name FROM information_schema.columns "
            f"WHERE table_schema = '{table.schema}' AND table_name = '{table.name}' ORDER BY ordinal_position",
        )
        assert [c[0] for c in columns] == column_names(table), table.fullname
    by_name = {
        name: (kind, nullable)
        for name, kind, nullable in fetch_all(
            empty_pg_url,
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_schema = 'pmu' AND table_name = 'races'",
        )
    }
    assert by_name["race_date"] == ("date", "NO")
    assert by_name["prize_eur"] == ("numeric", "YES")
    assert by_name["start_utc"] == ("timestamp with time zone", "NO")
    assert by_name["arrival_order"] == ("ARRAY", "YES")
    indexes = {
        r[0] for r in fetch_all(empty_pg_url, "SELECT indexname FROM pg_indexes WHERE schemaname = 'racing'")
    }
    assert "race_plan_race_date_idx" in indexes
    # Column descriptions are kept in the database too.
    [(comment,)] = fetch_all(
        empty_pg_url,
        "SELECT col_description('pmu.participants'::regclass, "
        "(SELECT attnum FROM pg_attribute WHERE attrelid = 'pmu.participants'::regclass AND attname = 'odds_direct'))",
    )
    assert comment and "dernierRapportDirect" in comment


def test_the_declarations_match_the_migrations(pg_url: str) -> None:
    # A column declared (or changed) without its migration shows up here.
    assert _drift(pg_url) == []


RENAME_AND_RETYPE = '''
"""Test revision: renames a column, widens a type and adds a column of web.race_cards."""

import sqlalchemy as sa
from alembic import op

revision = "t0001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("race_cards", "page", new_column_name="page_uri", schema="web")
    op.alter_column("race_cards", "n_runners", type_=sa.BigInteger(), schema="web")
    op.add_column("race_cards", sa.Column("comment", sa.Text()), schema="web")


def downgrade() -> None:
    op.drop_column("race_cards", "comment", schema="web")
    op.alter_column("race_cards", "n_runners", type_=sa.Integer(), schema="web")
    op.alter_column("race_cards", "page_uri", new_column_name="page", schema="web")
'''


def test_a_rename_and_a_type_change_migrate_an_existing_database_with_its_rows(
    empty_pg_url: str, tmp_path: Path
) -> None:
    migrate.upgrade(empty_pg_url)
    resource = PostgresResource(url=empty_pg_url)
    resource.execute(
        "INSERT INTO web.race_cards (race_date, race_key, source, n_runners, page, fetched_at) VALUES "
        "('2026-03-23', '2026-03-23-R1C1', 'zeturf', 14, 'web/a.html', now()), "
        "('2026-03-23', '2026-03-23-R1C2', 'geny', 9, 'web/b.html', now())"
    )
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "t0001_rename.py").write_text(textwrap.dedent(RENAME_AND_RETYPE).format(head=head_revision()))

    migrate.upgrade(empty_pg_url, version_locations=[versions])
    assert current_revision(empty_pg_url) == "t0001"
    assert fetch_all(
        empty_pg_url, "SELECT race_key, n_runners, page_uri, comment FROM web.race_cards ORDER BY 1"
    ) == [
        ("2026-03-23-R1C1", 14, "web/a.html", None),
        ("2026-03-23-R1C2", 9, "web/b.html", None),
    ]
    [(kind,)] = fetch_all(
        empty_pg_url,
        "SELECT data_type FROM information_schema.columns WHERE table_schema = 'web' "
        "AND table_name = 'race_cards' AND column_name = 'n_runners'",
    )
    assert kind == "bigint"

    migrate.downgrade(empty_pg_url, head_revision(), version_locations=[versions])
    assert fetch_all(empty_pg_url, "SELECT race_key, n_runners, page FROM web.race_cards ORDER BY 1") == [
        ("2026-03-23-R1C1", 14, "web/a.html"),
        ("2026-03-23-R1C2", 9, "web/b.html"),
    ]
    assert _drift(empty_pg_url) == []


def test_upgrades_from_several_processes_at_once(empty_pg_url: str) -> None:
    code = f"from hippique_assets.storage.migrate import upgrade; upgrade({empty_pg_url!r})"
    processes = [subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE) for _ in range(3)]
    errors = [p.communicate(timeout=120)[1].decode() for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], errors
    assert current_revision(empty_pg_url) == head_revision()
    assert _drift(empty_pg_url) == []
