"""Fixtures for the plan's integration tests: a migrated database (SQLite, and PostgreSQL when configured)
holding the small family of plan_world.py."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.integration.plan.plan_world import PlanWorld, build


@pytest.fixture
async def plan_world(sessions: async_sessionmaker[AsyncSession]) -> PlanWorld:
    return await build(sessions)
