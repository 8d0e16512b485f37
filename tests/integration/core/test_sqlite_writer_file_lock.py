"""SQLite writers queue across processes on a file lock (hub/persistence/writelock.py), not in SQLite's busy handler.

Another process stands for the second `hub serve --workers 2` worker: it probes the lock without waiting, or holds
it until told to let go.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.audit.events import AuditAction, AuditDecision, AuditEvent
from hub.audit.threaded import sqlite_thread_writer, writer_engine
from hub.domain import Department, Role
from hub.persistence.engine import create_engine, create_session_factory, transaction
from hub.persistence.migrate import upgrade
from hub.persistence.models import Family
from hub.persistence.writelock import SUFFIX, WriterFileLock, writer_file_lock

PROBE = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except BlockingIOError:
    print("busy")
else:
    print("free")
"""

HOLD = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()
"""


def probe(path: str) -> str:
    """What another process finds the lock to be, without waiting: "busy" or "free"."""
    done = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", PROBE, path], capture_output=True, text=True, timeout=30, check=True
    )
    return done.stdout.strip()


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Another process holding the lock until its stdin is closed."""
    path = str(tmp_path / f"hub.db{SUFFIX}")
    with subprocess.Popen(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", HOLD, path], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "held"
        try:
            yield path, proc
        finally:
            if proc.stdin is not None and not proc.stdin.closed:
                proc.stdin.close()
            proc.wait(timeout=30)


def release(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    proc.stdin.close()


@pytest.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")
    await upgrade(engine)
    yield engine
    await engine.dispose()


def test_one_lock_per_file_database_and_none_for_others(tmp_path: Path) -> None:
    url = make_url(f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")
    lock = writer_file_lock(url)
    assert lock is not None
    assert lock.path == str(tmp_path / "hub.db") + SUFFIX
    assert writer_file_lock(make_url(f"sqlite:///{tmp_path / 'hub.db'}")) is lock  # the sync engine's too
    for other in (
        "sqlite+aiosqlite://",
        "sqlite+aiosqlite:///:memory:",
        "postgresql+asyncpg://postgres@127.0.0.1:5432/test",
    ):
        assert writer_file_lock(make_url(other)) is None


def test_held_excludes_another_process(tmp_path: Path) -> None:
    lock = WriterFileLock(str(tmp_path / f"hub.db{SUFFIX}"))
    with lock.held():
        assert probe(lock.path) == "busy"
    assert probe(lock.path) == "free"


async def test_held_async_waits_for_another_process(holder: tuple[str, subprocess.Popen[str]]) -> None:
    path, proc = holder
    entered = asyncio.Event()

    async def write() -> None:
        async with WriterFileLock(path).held_async():
            entered.set()

    task = asyncio.create_task(write())
    for _ in range(20):  # room for a lock that did not wait to be entered
        await asyncio.sleep(0)
    assert not entered.is_set()
    release(proc)
    await asyncio.wait_for(task, timeout=30)
    assert probe(path) == "free"


async def test_a_cancelled_wait_gives_the_lock_back(holder: tuple[str, subprocess.Popen[str]]) -> None:
    path, proc = holder
    waiter = asyncio.create_task(WriterFileLock(path).held_async().__aenter__())
    for _ in range(20):
        await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    release(proc)
    # The cancelled wait's thread takes the lock once the holder lets go, and must hand it back: a second open
    # file on the same lock gets it then (it would wait forever otherwise).
    other = WriterFileLock(path)
    await asyncio.wait_for(asyncio.to_thread(_take_and_leave, other), timeout=30)


def _take_and_leave(lock: WriterFileLock) -> None:
    with lock.held():
        pass


async def test_a_writing_transaction_holds_the_lock(sqlite_engine: AsyncEngine) -> None:
    lock = writer_file_lock(sqlite_engine.url)
    assert lock is not None
    sessions = create_session_factory(sqlite_engine)
    async with transaction(sessions) as session:
        assert await asyncio.to_thread(probe, lock.path) == "busy"
        session.add(_family())
    assert await asyncio.to_thread(probe, lock.path) == "free"
    async with sessions() as session:
        assert await session.scalar(select(Family.id)) == "F1"


async def test_the_audit_writer_holds_the_lock_while_it_appends(sqlite_engine: AsyncEngine) -> None:
    lock = writer_file_lock(sqlite_engine.url)
    sync = writer_engine(sqlite_engine)
    write = sqlite_thread_writer(sqlite_engine)
    assert lock is not None
    assert sync is not None
    assert write is not None
    seen: list[str] = []

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO AUDIT"):
            seen.append(probe(lock.path))  # in the writer's thread, mid-transaction

    event.listen(sync, "before_cursor_execute", on_statement)
    try:
        await write([_event()])
    finally:
        event.remove(sync, "before_cursor_execute", on_statement)
    assert seen
    assert set(seen) == {"busy"}
    assert probe(lock.path) == "free"


def _family() -> Family:
    from datetime import date

    return Family(
        id="F1",
        district="NORREBRO",
        housing_area="Mjølnerparken",
        status="ACTIVE",
        referred_on=date(2026, 1, 1),
        display_name="Familien Test",
    )


def _event() -> AuditEvent:
    return AuditEvent(
        occurred_at=datetime(2026, 12, 5, 3, 0, tzinfo=UTC),
        action=AuditAction.READ,
        decision=AuditDecision.GRANTED,
        reason="assigned_core_team",
        actor_user_id="U-worker",
        actor_role=Role.CORE_TEAM,
        actor_department=Department.SOF,
        actor_unit="Børnefamilieenheden Nørrebro",
        client="graphql",
        subject_person_id="P-1",
        family_id="F1",
        source="SOF",
        categories=("CASE",),
        purpose="HFI_COORDINATION",
        basis="consent:C-1",
        request_id="req-1",
    )
