"""Fixtures for the enrolment tests: a migrated database (SQLite, and PostgreSQL when configured) with users."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.integration.enrolment.enrol_world import World


@pytest.fixture
async def world(sessions: async_sessionmaker[AsyncSession]) -> World:
    built = World(sessions)
    await built.users()
    return built
