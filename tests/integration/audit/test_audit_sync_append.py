"""The SQLite group writer's append (`record_sync`, the driver's executemany) stores what `record` stores.

Two fresh SQLite files get the same events, one through `record` (SQLAlchemy Core on the async session), one
through `record_sync` on the writer's synchronous engine (hub/audit/threaded.py). Their stored rows, read back
raw, must be equal byte for byte, and both logs must verify.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from hub.audit import log as audit_log
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
