"""Fixtures for the audit log's integration tests: the hub's tables on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hub.audit.events import AuditAction, AuditDecision, AuditEvent
from hub.domain import Department, Role
from hub.persistence.all_models import metadata
from hub.persistence.engine import create_engine, create_session_factory

T0 = datetime(2026, 3, 2, 9, 30, 0, 123456, tzinfo=UTC)


@pytest.fixture
async def audit_engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """All of the hub's tables created from the models (independent of other concerns' migrations)."""
    engine = create_engine(db_url)
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            await conn.exec_driver_sql("CREATE SCHEMA public")
        await conn.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
def audit_sessions(audit_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(audit_engine)


def event(**overrides: Any) -> AuditEvent:
    fields: dict[str, Any] = {
        "occurred_at": T0,
        "action": AuditAction.READ,
        "decision": AuditDecision.GRANTED,
        "reason": "assigned_core_team",
        "actor_user_id": "U-worker",
        "actor_role": Role.CORE_TEAM,
        "actor_department": Department.SOF,
        "actor_unit": "Børnefamilieenheden Nørrebro",
        "client": "graphql",
        "subject_person_id": "P-1",
        "family_id": "F00001",
        "source": "SOF",
        "categories": ("CASE",),
        "purpose": "HFI_COORDINATION",
        "basis": "consent:C-1",
        "request_id": "req-1",
    }
    fields.update(overrides)
    return AuditEvent(**fields)


@pytest.fixture
def make_event() -> Callable[..., AuditEvent]:
    return event
