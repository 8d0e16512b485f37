"""PostgreSQL: a group commit's whole append on the asyncpg connection itself.

Through the async session an append is seven statements (BEGIN, the heads' upsert, the heads' `SELECT ... FOR
UPDATE`, the entries' insert, the heads' update, COMMIT, and the session's own bookkeeping), each handed
through SQLAlchemy's async adaptation (a greenlet switch and a cursor per statement) and the insert's
parameters processed row by row: 1.95 ms of hub CPU per append of 25 entries, measured on a local server.
Here the same statements (`hub.audit.log.record_asyncpg`: the same rows, types, hashes and row locks) go to
asyncpg directly inside one asyncpg transaction, on a connection checked out of the engine's own pool: 1.11 ms
(bench/README.md, "The audit append on asyncpg itself").

Fail closed as before: any error rolls the transaction back and reaches the group committer, which fails the
batch's requests. A connection that broke meanwhile fails the pool's pre-ping at its next checkout and is
replaced (hub/persistence/engine.py sets `pool_pre_ping` for PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncEngine

from hub.audit.events import AuditEvent
from hub.audit.log import record_asyncpg


def asyncpg_writer(engine: AsyncEngine) -> Callable[[Sequence[AuditEvent]], Awaitable[None]] | None:
    """The direct writer for a PostgreSQL engine on asyncpg; None for anything else."""
    dialect = engine.dialect
    if dialect.name != "postgresql" or dialect.driver != "asyncpg":
        return None

    async def write(events: Sequence[AuditEvent]) -> None:
        async with engine.connect() as conn:
            raw = await conn.get_raw_connection()
            driver = raw.driver_connection
            if driver is None:  # pragma: no cover - a checked-out connection always has one
                raise RuntimeError("audit log: the pool gave a connection without its asyncpg connection")
            async with driver.transaction():
                await record_asyncpg(driver, dialect, events)

    return write
