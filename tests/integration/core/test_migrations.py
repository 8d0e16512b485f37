"""Migrating an empty database to head yields exactly the models' schema, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.persistence.all_models import metadata
from hub.persistence.migrate import current_heads, downgrade, upgrade


async def test_head_matches_the_models(migrated_engine: AsyncEngine) -> None:
    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))

    async with migrated_engine.connect() as conn:
        differences = await conn.run_sync(diff)
    assert differences == []


async def test_downgrade_to_base_and_up_again(migrated_engine: AsyncEngine) -> None:
    await downgrade(migrated_engine, "base")
    assert await current_heads(migrated_engine) == set()
    await upgrade(migrated_engine)
    assert len(await current_heads(migrated_engine)) == 1
