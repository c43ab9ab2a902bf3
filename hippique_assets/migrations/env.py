"""Alembic environment of the platform's tables (schemas pmu, racing, betting, web).

Run through :func:`hippique_assets.storage.migrate.upgrade` (``hippique db upgrade``), which hands
over the database URL; the target is the metadata every domain declares its tables on.
"""

from alembic import context
from alembic.environment import NameFilterParentNames, NameFilterType
from sqlalchemy import text

from hippique_assets.catalog import SCHEMAS, metadata
from hippique_assets.storage.migrate import LOCK_KEY, VERSION_TABLE, engine_for

config = context.config


def _ours(name: str | None, type_: NameFilterType, parent_names: NameFilterParentNames) -> bool:
    if type_ == "schema":
        return name in SCHEMAS
    return parent_names.get("schema_name") in SCHEMAS


def run_migrations_offline() -> None:
    context.configure(
        url="postgresql+psycopg2://",
        target_metadata=metadata,
        literal_binds=True,
        include_schemas=True,
        include_name=_ours,
        version_table=VERSION_TABLE,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = engine_for(config.attributes["url"])
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            include_schemas=True,
            include_name=_ours,
            compare_type=True,
            version_table=VERSION_TABLE,
        )
        with context.begin_transaction():
            # Deploys and local processes may upgrade at once: one at a time, the others then
            # find the database at head.
            connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": LOCK_KEY})
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
