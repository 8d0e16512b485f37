"""The facts epoch read on SQLite without a thread hop: one autocommit SELECT on a connection of its own.

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

import sqlite3

from sqlalchemy.engine import URL

from hub.readmodel.models import EPOCH_ROW

_SELECT = "SELECT epoch FROM facts_epoch WHERE id = ?"


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
