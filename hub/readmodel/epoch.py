"""The facts epoch read without the ORM's round trips: one autocommit SELECT on a connection of its own.

`epoch_reader_for(url)` picks the reader: `SqliteEpochReader` for a plain SQLite file, `PostgresEpochReader` for
PostgreSQL through asyncpg, None otherwise (the caller reads through SQLAlchemy). Either answers None when it
cannot read at once; the caller then takes the ordinary async path, so a reader can only make the guard cheaper,
never weaker.

SQLite:

The per-request guard (`ReadModel.sync`) reads one indexed row. Through SQLAlchemy and aiosqlite that is a pool
checkout, BEGIN, the SELECT and the pool's ROLLBACK, each handed to aiosqlite's thread and back: about 1 ms of
CPU per request, measured. Read directly with the standard library's sqlite3 on the event loop's own thread it
costs tens of microseconds. It never waits: in WAL mode a reader does not block on writers, and the connection's
busy timeout is zero, so in the rare case the database is locked (recovery, a checkpoint truncating the WAL)
the read fails at once and the caller falls back to the ordinary async path. An autocommit SELECT sees every
transaction committed before it began, so the guarantee is the same: a change committed by any process before
this request is seen by this request.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from typing import Any, Protocol

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import URL

from hub.readmodel.models import EPOCH_ROW

_SELECT = "SELECT epoch FROM facts_epoch WHERE id = ?"
_SELECT_PG = "SELECT epoch FROM facts_epoch WHERE id = $1"


class EpochReader(Protocol):
    async def fetch(self) -> int | None: ...

    async def aclose(self) -> None: ...


def epoch_reader_for(url: URL) -> EpochReader | None:
    return SqliteEpochReader.for_url(url) or PostgresEpochReader.for_url(url)


class SqliteEpochReader:
    """Synchronous, non-waiting epoch reads of one SQLite database file; `read()` is None when it could not."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None

    @classmethod
    def for_url(cls, url: URL) -> SqliteEpochReader | None:
        """A reader for a plain SQLite file URL; None for anything else (PostgreSQL, memory, URI options)."""
        if url.get_backend_name() != "sqlite" or url.query:
            return None
        database = url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        return cls(database)

    def read(self) -> int | None:
        try:
            if self._conn is None:
                self._conn = sqlite3.connect(
                    self.path, timeout=0, isolation_level=None, check_same_thread=False
                )
            row = self._conn.execute(_SELECT, (EPOCH_ROW,)).fetchone()
        except sqlite3.Error:
            self.close()  # reconnect next time; this request takes the async path
            return None
        return int(row[0]) if row is not None else 0

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    async def fetch(self) -> int | None:
        return self.read()

    async def aclose(self) -> None:
        self.close()


class PostgresEpochReader:
    """PostgreSQL: the epoch through asyncpg directly, on one connection of its own with the SELECT prepared.

    Through SQLAlchemy the read is a pool checkout, BEGIN, the SELECT and ROLLBACK: about 0.6 ms of CPU per
    request, measured; a prepared statement on a plain asyncpg connection costs 35-85 us. The connection runs
    in autocommit, so the SELECT sees every transaction committed before it began: the same guarantee as the
    async path. Requests take turns on the connection (a lock; the read is one short round trip). After a
    failed read (the server unreachable, the connection lost, anything else) the reader answers None at once for
    `RETRY_AFTER_S`, so an outage never queues requests behind a connect attempt; they take the async path and
    get its answer or its error there.
    """

    TIMEOUT_S = 5.0
    RETRY_AFTER_S = 1.0

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._conn: Any = None
        self._stmt: Any = None
        self._lock = asyncio.Lock()
        self._retry_at = 0.0

    @classmethod
    def for_url(cls, url: URL) -> PostgresEpochReader | None:
        """A reader for a plain asyncpg URL; None for anything else (other drivers, URLs with options)."""
        if url.get_backend_name() != "postgresql" or url.get_driver_name() != "asyncpg" or url.query:
            return None
        return cls(url.set(drivername="postgresql").render_as_string(hide_password=False))

    async def fetch(self) -> int | None:
        if time.monotonic() < self._retry_at:
            return None
        async with self._lock:
            try:
                async with asyncio.timeout(self.TIMEOUT_S):
                    if self._stmt is None:
                        self._conn = await asyncpg.connect(self.dsn)
                        self._stmt = await self._conn.prepare(_SELECT_PG)
                    value = await self._stmt.fetchval(EPOCH_ROW)
            except Exception:  # any failure: the ORM path answers (or fails with its own error)
                self._drop()
                self._retry_at = time.monotonic() + self.RETRY_AFTER_S
                return None
            except BaseException:  # cancelled mid-read: the connection's state is unknown
                self._drop()
                raise
        return int(value) if value is not None else 0

    def _drop(self) -> None:
        conn, self._conn, self._stmt = self._conn, None, None
        if conn is not None:
            conn.terminate()

    async def aclose(self) -> None:
        async with self._lock:
            conn, self._conn, self._stmt = self._conn, None, None
            if conn is not None:
                try:
                    await conn.close(timeout=self.TIMEOUT_S)
                except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
                    conn.terminate()
