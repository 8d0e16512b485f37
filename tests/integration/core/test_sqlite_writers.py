"""Concurrent read-then-write transactions on SQLite wait their turn instead of failing with "locked"."""

import asyncio

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.persistence.engine import create_engine, create_session_factory, transaction
from hub.persistence.migrate import upgrade
from hub.persistence.models import Family


async def test_concurrent_read_then_write_transactions_all_commit(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    await upgrade(engine)
    sessions: async_sessionmaker[AsyncSession] = create_session_factory(engine)
    from datetime import date

    async with transaction(sessions) as session:
        session.add(
            Family(
                id="F1",
                district="NORREBRO",
                housing_area="Mjølnerparken",
                status="ACTIVE",
                referred_on=date(2026, 1, 1),
                display_name="Familien Test",
            )
        )

    async def bump() -> None:
        async with transaction(sessions) as session:
            version = await session.scalar(select(Family.version).where(Family.id == "F1"))
            await asyncio.sleep(0.01)  # let the others read too: a deferred BEGIN would now fail to upgrade
            await session.execute(update(Family).where(Family.id == "F1").values(version=(version or 0) + 1))

    await asyncio.gather(*(bump() for _ in range(8)))
    async with sessions() as session:
        assert await session.scalar(select(Family.version).where(Family.id == "F1")) == 9
    await engine.dispose()
