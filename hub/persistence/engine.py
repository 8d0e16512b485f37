"""Engine and session factory. SQLite gets WAL, foreign keys and a busy timeout; PostgreSQL a sane pool.

Every engine hides its SQL parameters (`hide_parameters=True`): a database error's message, and so any log line or
traceback made from it, shows the statement but never the person ids, names or pushed texts bound to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

# Registers the read model's change hooks on every session: each process that writes facts moves the epoch.
import hub.readmodel.changes  # noqa: F401
from hub.logging import quiet_driver_loggers
from hub.persistence.writelock import writer_file_lock

SQLITE_BEGIN = "familiehub_sqlite_begin"  # execution option: how a SQLite transaction begins
_sqlite_writer_locks: weakref.WeakKeyDictionary[Engine, asyncio.Lock] = weakref.WeakKeyDictionary()


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    sa_url = make_url(url)
    quiet_driver_loggers()
    kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
    if sa_url.get_backend_name() == "sqlite":
        database = sa_url.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
    engine = create_async_engine(sa_url, **kwargs)
    if sa_url.get_backend_name() == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    configure_sqlite_sync(engine.sync_engine)


def configure_sqlite_sync(engine: Engine) -> None:
    """WAL, foreign keys, busy timeout; BEGIN emitted by SQLAlchemy (DEFERRED, or IMMEDIATE on request)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, emit BEGIN, so that BEGIN IMMEDIATE can serialise writers.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # `transaction()` asks for IMMEDIATE; plain reads stay DEFERRED so they never wait for a writer.
        mode = conn.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def sqlite_writer_lock(engine: Engine) -> asyncio.Lock:
    """This process's queue for the SQLite database's one write lock (see `transaction`)."""
    return _sqlite_writer_locks.setdefault(engine, asyncio.Lock())


@asynccontextmanager
async def transaction(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session in one writing transaction: committed on success, rolled back on any exception.

    On SQLite it takes the write lock up front (BEGIN IMMEDIATE): a deferred transaction that reads and then
    writes fails at once with "database is locked" when another writer got in between, whereas an immediate
    one waits its turn (busy_timeout). PostgreSQL ignores the option.
    """
    bind = factory.kw.get("bind")
    engine = bind.sync_engine if isinstance(bind, AsyncEngine) else None
    if engine is None or engine.dialect.name != "sqlite":
        async with factory() as session, session.begin():
            yield session
        return
    # One writer at a time per SQLite database, queued here in this process and between processes (the file
    # lock): a writer that finds SQLite's lock taken would otherwise sleep in its busy handler (back-off steps up
    # to 100 ms) and stretch the tail.
    between_processes = writer_file_lock(engine.url)
    async with contextlib.AsyncExitStack() as held:
        await held.enter_async_context(sqlite_writer_lock(engine))
        if between_processes is not None:
            await held.enter_async_context(between_processes.held_async())
        session = await held.enter_async_context(factory())
        await held.enter_async_context(session.begin())
        await session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})
        yield session
