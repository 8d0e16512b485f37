"""The driver-level appends store what `record` stores: SQLite's group writer (`record_sync`, the driver's
executemany in one worker thread) and PostgreSQL's (`record_asyncpg`, on the asyncpg connection itself).

The same events go through `record` (SQLAlchemy Core on the async session) into one fresh database and
through the driver-level writer into another. Their stored rows, read back raw, must be equal byte for byte,
and both logs must verify. A failed driver-level append stores nothing and leaves the chain appendable.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hub.audit import log as audit_log
from hub.audit.asyncpg_writer import asyncpg_writer
from hub.audit.events import AuditAction, AuditDecision, AuditEvent
from hub.audit.threaded import writer_engine
from hub.audit.verify import verify_chains
from hub.domain import Department, Role
from hub.persistence.engine import create_engine, create_session_factory, transaction
from hub.persistence.migrate import upgrade
from tests.integration.audit.conftest import T0, event

EVENTS: Sequence[AuditEvent] = (
    event(),
    event(subject_person_id="P-2", categories=("HEALTH", "CASE", "CASE"), basis=None),
    event(decision=AuditDecision.DENIED, reason="no_consent", subject_person_id=None, family_id=None),
    event(
        action=AuditAction.CHANGE,
        source="HUB:plan",
        actor_role=None,
        actor_department=None,
        actor_user_id=None,
    ),
    event(
        actor_role=Role.CITIZEN, actor_department=Department.SUF, request_id=None, actor_unit="Æblehaven ø"
    ),
    event(occurred_at=T0 + timedelta(microseconds=1), categories=()),
)


async def _raw(url: str) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.exec_driver_sql("SELECT * FROM audit_entries ORDER BY chain, seq")
            entries = [tuple(r) for r in rows.all()]
            heads = await conn.exec_driver_sql("SELECT chain, seq, hash FROM audit_heads ORDER BY chain")
            entries += [tuple(r) for r in heads.all()]
        async with create_session_factory(engine)() as session:
            report = await verify_chains(session)
        assert report.ok, report
        return entries
    finally:
        await engine.dispose()


async def test_the_sync_append_stores_the_rows_record_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_log, "utcnow", lambda: T0 + timedelta(seconds=3))
    urls = {name: f"sqlite+aiosqlite:///{tmp_path / f'{name}.db'}" for name in ("core", "driver")}
    for url in urls.values():
        engine = create_engine(url)
        await upgrade(engine)
        await engine.dispose()

    engine = create_engine(urls["core"])
    async with transaction(create_session_factory(engine)) as session:
        await audit_log.record(session, EVENTS[:4])
    async with transaction(create_session_factory(engine)) as session:
        await audit_log.record(session, EVENTS[4:])
    await engine.dispose()

    engine = create_engine(urls["driver"])
    sync = writer_engine(engine)
    assert sync is not None
    for batch in (EVENTS[:4], EVENTS[4:]):
        with sync.connect() as conn, conn.begin():
            audit_log.record_sync(conn, batch)
    sync.dispose()
    await engine.dispose()

    core, driver = await _raw(urls["core"]), await _raw(urls["driver"])
    assert len(core) == len(EVENTS) + 3  # the entries and the three chains' heads
    assert driver == core


async def _fresh_schema(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            await conn.exec_driver_sql("CREATE SCHEMA public")
        await upgrade(engine)
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_the_asyncpg_append_stores_the_rows_record_stores(
    postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_log, "utcnow", lambda: T0 + timedelta(seconds=3))
    await _fresh_schema(postgres_database)
    engine = create_engine(postgres_database)
    for batch in (EVENTS[:4], EVENTS[4:]):
        async with transaction(create_session_factory(engine)) as session:
            await audit_log.record(session, batch)
    await engine.dispose()
    core = await _raw(postgres_database)

    await _fresh_schema(postgres_database)
    engine = create_engine(postgres_database)
    write = asyncpg_writer(engine)
    assert write is not None
    for batch in (EVENTS[:4], EVENTS[4:]):
        await write(batch)
    await engine.dispose()
    driver = await _raw(postgres_database)

    assert len(core) == len(EVENTS) + 3  # the entries and the three chains' heads
    assert driver == core


@pytest.mark.postgres
async def test_a_failed_asyncpg_append_stores_nothing_and_the_next_one_chains_on(
    postgres_database: str,
) -> None:
    await _fresh_schema(postgres_database)
    engine = create_engine(postgres_database)
    write = asyncpg_writer(engine)
    assert write is not None
    await write(EVENTS[:2])
    before = await _raw(postgres_database)
    # reason is VARCHAR(64): the insert fails mid-transaction, after the heads were locked and read
    with pytest.raises(Exception, match="too long"):
        await write([EVENTS[2], event(reason="x" * 65)])
    assert await _raw(postgres_database) == before  # nothing of the failed batch, heads unmoved
    await write(EVENTS[2:])
    await engine.dispose()
    after = await _raw(postgres_database)  # verifies: the chain goes on from the unmoved heads
    assert len(after) == len(before) + len(EVENTS) - 2


def test_the_direct_writers_are_for_their_own_databases_only(tmp_path: Path) -> None:
    assert asyncpg_writer(create_engine(f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")) is None
    assert writer_engine(create_engine("postgresql+asyncpg://postgres@127.0.0.1:5432/test")) is None
