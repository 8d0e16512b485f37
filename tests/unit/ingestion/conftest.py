from __future__ import annotations

import pytest
from ingestion_support import Seeded, seed_core, small_world
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


@pytest.fixture
async def seeded(sessions: async_sessionmaker[AsyncSession]) -> Seeded:
    return await seed_core(sessions, small_world())
