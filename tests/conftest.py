"""Shared fixtures: database URLs for both backends, migrated engines, a small world."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.persistence.engine import create_engine, create_session_factory
from hub.persistence.migrate import upgrade
from tests.support.backends import create_postgres_database, drop_postgres_database

# The half-yearly snapshot task (hub/outcomes/schedule.py) would read the departments at every test stack's
# start and skew the tests that count department calls; its own tests start it (or a round) explicitly.
os.environ.setdefault("HUB_OUTCOME_SNAPSHOT_INTERVAL_S", "0")


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for the whole test session (dropped at the end)."""
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Run the test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    return str(request.getfixturevalue("postgres_database"))


async def _reset(engine: AsyncEngine) -> None:
    from hub.persistence.all_models import metadata

    if engine.dialect.name == "postgresql":
        async with engine.begin() as conn:
            await conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            await conn.exec_driver_sql("CREATE SCHEMA public")
    del metadata


@pytest.fixture
async def migrated_engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on an empty database migrated to head (PostgreSQL: the session's database, wiped first)."""
    engine = create_engine(db_url)
    await _reset(engine)
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(migrated_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(migrated_engine)
