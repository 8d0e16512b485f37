"""Fixtures for the enrolment tests: a migrated database (SQLite, and PostgreSQL when configured) with users."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.integration.enrolment.enrol_world import World
from tests.support.stack import Stack, running_stack


@pytest.fixture
async def world(sessions: async_sessionmaker[AsyncSession]) -> World:
    built = World(sessions)
    await built.users()
    return built


# The referral intake tests' hub (test_intake*.py): moved here from test_intake.py as is.
@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(tmp_path, families=8, seed=11) as s:
        yield s
