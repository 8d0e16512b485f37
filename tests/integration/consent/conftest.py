"""Fixtures for the consent registry's integration tests: the hand-built family of consent_family.py."""

from __future__ import annotations

import pytest
from consent_family import NOW, PEOPLE, Clock, People, build_family
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.consent.service import ConsentService


@pytest.fixture
def people() -> People:
    return PEOPLE


@pytest.fixture
async def family_db(sessions: async_sessionmaker[AsyncSession]) -> async_sessionmaker[AsyncSession]:
    await build_family(sessions)
    return sessions


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def service(family_db: async_sessionmaker[AsyncSession], clock: Clock) -> ConsentService:
    return ConsentService(family_db, clock)
