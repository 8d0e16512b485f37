"""SQLite: a group commit's whole append in ONE hop to a worker thread, on a synchronous engine of its own.

Through the async engine an append is about fifteen hand-offs to aiosqlite's thread and back (pool checkout,
BEGIN IMMEDIATE, the heads' upsert, select and fetch, the insert, the heads' update, COMMIT, the pool's reset),
each a thread wake-up on both sides: measured at several milliseconds of process CPU per append on the shared
2-core box. Here the same statements (`hub.audit.log.record_sync`: the same rows, types and hashes) run one
after another in a worker thread (`asyncio.to_thread`), with the same SQLite configuration (WAL, busy
timeout, BEGIN IMMEDIATE) and behind the same in-process writer queue as every other writing transaction
(`hub.persistence.engine.sqlite_writer_lock`) and the same lock between processes (`hub.persistence.writelock`),
so writers queue without sleeping in SQLite's busy handler. Fail closed as before: any error rolls the
transaction back and reaches the group committer, which fails the batch's requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy import Engine, create_engine
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.audit.events import AuditEvent
from hub.audit.log import record_sync
from hub.persistence.engine import SQLITE_BEGIN, configure_sqlite_sync, sqlite_writer_lock
from hub.persistence.writelock import WriterFileLock, writer_file_lock

_sync_engines: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def writer_engine(engine: AsyncEngine) -> Engine | None:
    """The synchronous engine the audit appends of this SQLite file database run on (one per async engine,
    made on first use; tests listen to its statements too); None for anything else (PostgreSQL, memory)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.query:
        return None
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    sync = _sync_engines.get(engine.sync_engine)
    if sync is None:
        sync = create_engine(url.set(drivername="sqlite"), hide_parameters=True, connect_args={"timeout": 30})
        configure_sqlite_sync(sync)
        _sync_engines[engine.sync_engine] = sync
    return sync


def sqlite_thread_writer(engine: AsyncEngine) -> Callable[[Sequence[AuditEvent]], Awaitable[None]] | None:
    """The one-hop writer for a plain SQLite file database; None for anything else (PostgreSQL, memory)."""
    engine_for_thread = writer_engine(engine)
    if engine_for_thread is None:
        return None
    lock = sqlite_writer_lock(engine.sync_engine)
    between_processes = writer_file_lock(engine.url)

    async def write(events: Sequence[AuditEvent]) -> None:
        async with lock:
            await asyncio.to_thread(_append, engine_for_thread, between_processes, events)

    return write


def _append(engine: Engine, between_processes: WriterFileLock | None, events: Sequence[AuditEvent]) -> None:
    with contextlib.ExitStack() as held:
        if between_processes is not None:
            held.enter_context(between_processes.held())
        with engine.connect().execution_options(**{SQLITE_BEGIN: "IMMEDIATE"}) as conn, conn.begin():
            record_sync(conn, events)
