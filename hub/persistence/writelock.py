"""SQLite: one queue for a database file's writers across processes, so that none sleeps in SQLite's busy handler.

SQLite lets one writer in at a time. A writer that finds the lock taken waits in SQLite's busy handler, which
polls with sleeps of 1, 2, 5, 10 … up to 100 ms: with `hub serve --workers 2` on SQLite the two workers' audit
commits met at the lock on most views and each wait cost up to 100 ms (push-fresh views at 50 req/s: p50 208 ms).
Within one process the writers already queue on an asyncio lock (`hub.persistence.engine.sqlite_writer_lock`);
this lock is the same queue between processes: an exclusive `flock` on a file beside the database, taken before
`BEGIN IMMEDIATE` and released after the commit. The kernel wakes the next waiter the moment it is released.

It only orders writers: SQLite's own lock (and its busy timeout) still guards the database, so a writer that does
not take this lock (another program, `hub seed`, an old process) is still safe, just queued the slow way.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import threading
from collections.abc import AsyncIterator, Iterator

from sqlalchemy.engine import URL

SUFFIX = "-writer.lock"
_locks: dict[str, WriterFileLock] = {}
_locks_guard = threading.Lock()


class WriterFileLock:
    """An exclusive advisory lock on `path`. One open file per process (opened on first use, and again after a
    fork); callers in one process must already be serialised (the in-process writer lock does that)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd = -1
        self._pid = 0

    def _descriptor(self) -> int:
        pid = os.getpid()
        if self._pid != pid:  # first use, or a forked child: its own open file, or flock would be shared
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = pid
        return self._fd

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Blocking: for a worker thread, never the event loop."""
        fd = self._descriptor()
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    @contextlib.asynccontextmanager
    async def held_async(self) -> AsyncIterator[None]:
        """Taken at once when free (the usual case, no thread); otherwise waited for in a worker thread."""
        fd = self._descriptor()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting = asyncio.ensure_future(asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX))
            try:
                await asyncio.shield(waiting)
            except asyncio.CancelledError:
                # The thread still takes the lock: give it back then. (At worst another writer of this process
                # runs unqueued meanwhile; SQLite's own lock keeps that safe.)
                waiting.add_done_callback(lambda _: _unlock(fd))
                raise
        try:
            yield
        finally:
            _unlock(fd)


def _unlock(fd: int) -> None:
    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_UN)


def writer_file_lock(url: URL) -> WriterFileLock | None:
    """The lock of a plain SQLite file database (shared by every engine on that file in this process); None for
    anything else (PostgreSQL, in-memory, URI databases)."""
    if url.get_backend_name() != "sqlite" or url.query:
        return None
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = os.path.abspath(database) + SUFFIX
    with _locks_guard:
        lock = _locks.get(path)
        if lock is None:
            lock = _locks[path] = WriterFileLock(path)
        return lock
