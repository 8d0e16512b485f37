"""The family update feed: every live update is stored and numbered before it is published, so a subscriber
that lost its connection resumes from the last update it saw (`familyUpdated(familyId, after: cursor)`).

    await announce(sessions, pubsub, messages)     store each message (family_updates), then publish it with
                                                   its "cursor" on the family's channel (hub/ingestion/live.py)
    await stored_after(sessions, family_id, after, limit)   the stored messages after a cursor, oldest first

A cursor is the row's id, as an opaque decimal string. The rows of one announcement are inserted in one short
transaction of their own, after the change itself committed, and published before the next announcement may
number its own (an asyncio lock in the process; on PostgreSQL also a session-level advisory lock, held until
published): cursors commit in the order they are numbered, so a reader that sees cursor N has seen every cursor
below it, which is what makes "replay after the cursor, then skip live updates at or below the last replayed
one" lose nothing and repeat nothing; and subscribers hear them in that order, so a client's last cursor is
also the newest it has. If the feed cannot be written (the
database is down, the family is gone), the update is still published, without a cursor, and a warning logged:
live delivery stays best-effort, and the durable state is the change itself (family view, timeline).

Messages are stored exactly as published: ids, versions, codes and the short summaries the timeline shows,
never record content or a CPR number. Every replayed message is re-decided for the viewer at delivery exactly
as a live one is (need-to-know, consent, membership; hub/ingestion/live.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from hub.errors import BadUserInput, ReloadRequired
from hub.ingestion.models import FamilyUpdateRecord
from hub.persistence.base import utcnow
from hub.persistence.engine import transaction
from hub.pubsub import PubSub

logger = logging.getLogger("hub.ingestion.feed")

_LOCK_KEY = 0x46414D_5550  # pg_advisory_lock key of the feed ("FAMUP")
_PUBLISH_BOUND_S = 2.0
_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()
_MAX_CURSOR = 2**63 - 1


def family_channel(family_id: str) -> str:
    return f"family:{family_id}"


def encode_cursor(row_id: int) -> str:
    return str(row_id)


def parse_cursor(cursor: str) -> int:
    """The row id a client's cursor names; BAD_USER_INPUT (field `after`) for anything else."""
    text_ = cursor.strip()
    if not text_.isascii() or not text_.isdigit() or len(text_) > 19 or int(text_) > _MAX_CURSOR:
        raise BadUserInput("not a cursor of this hub's familyUpdated", field="after")
    return int(text_)


def cursor_of(message: Mapping[str, Any]) -> int | None:
    """The cursor a published message carries (None when it could not be stored)."""
    value = message.get("cursor")
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


async def announce(
    sessions: async_sessionmaker[AsyncSession], pubsub: PubSub, messages: Sequence[Mapping[str, Any]]
) -> None:
    """Store, then publish, each message on its family's channel (after the change it reports committed).

    Numbered, committed and published in one order: within the process under an asyncio lock, across processes
    (PostgreSQL) under a session-level advisory lock held from the insert until the messages are published, so
    every subscriber hears cursors in increasing order (one Redis connection per process keeps that order)."""
    out = [dict(m) for m in messages]
    if not out:
        return
    async with _process_lock():
        if _dialect(sessions) != "postgresql":
            try:
                async with transaction(sessions) as session:
                    _number(out, await _store(session, out))
            except SQLAlchemyError as exc:
                _not_stored(exc, out)
            await _publish(pubsub, out)
            return
        engine = sessions.kw["bind"]
        # One connection throughout (a session may hand its connection back at commit): the session-level
        # lock must be released on the connection that took it.
        async with engine.connect() as connection:
            locked = False
            try:
                await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _LOCK_KEY})
                locked = True
                ids = await _store(connection, out)
                await connection.commit()
                _number(out, ids)
            except SQLAlchemyError as exc:
                with contextlib.suppress(SQLAlchemyError):
                    await connection.rollback()
                _not_stored(exc, out)
            try:
                await _publish(pubsub, out)
            finally:
                if locked:
                    with contextlib.suppress(SQLAlchemyError):  # a broken connection releases it anyway
                        await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK_KEY})
                        await connection.commit()


def _process_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _LOCKS.get(loop)
    if lock is None:
        lock = _LOCKS[loop] = asyncio.Lock()
    return lock


def _dialect(sessions: async_sessionmaker[AsyncSession]) -> str:
    bind = sessions.kw.get("bind")
    return bind.sync_engine.dialect.name if isinstance(bind, AsyncEngine) else ""


async def _store(session: AsyncSession | AsyncConnection, out: list[dict[str, Any]]) -> list[int]:
    now = utcnow()
    rows = [{"family_id": str(m["familyId"]), "created_at": now, "message": m} for m in out]
    # One statement whatever the batch size. Ids are assigned in VALUES order (on both backends), though
    # RETURNING need not list them in that order: sorted, they pair with the messages.
    result = await session.execute(insert(FamilyUpdateRecord).values(rows).returning(FamilyUpdateRecord.id))
    return sorted(int(row_id) for row_id in result.scalars().all())


def _number(out: list[dict[str, Any]], ids: Sequence[int]) -> None:
    for message, row_id in zip(out, ids, strict=True):
        message["cursor"] = encode_cursor(row_id)


def _not_stored(exc: Exception, out: Sequence[Mapping[str, Any]]) -> None:
    logger.warning(
        "family updates not stored; published without a cursor",
        extra={"error": type(exc).__name__, "count": len(out)},
    )


async def _publish(pubsub: PubSub, out: Sequence[Mapping[str, Any]]) -> None:
    """Bounded: the lock above is held meanwhile, and a Redis that hangs must not stall every push."""
    try:
        async with asyncio.timeout(_PUBLISH_BOUND_S):
            for message in out:
                await pubsub.publish(family_channel(str(message["familyId"])), message)
    except TimeoutError:
        logger.warning("family updates not published in time", extra={"count": len(out)})


async def stored_after(
    sessions: async_sessionmaker[AsyncSession], family_id: str, after: int, limit: int
) -> list[dict[str, Any]]:
    """The family's stored messages after cursor `after`, oldest first, each with its cursor; RELOAD_REQUIRED
    when there are more than `limit` (the client reloads the family and subscribes without a cursor)."""
    async with sessions() as session:
        rows = (
            await session.execute(
                select(FamilyUpdateRecord.id, FamilyUpdateRecord.message)
                .where(FamilyUpdateRecord.family_id == family_id, FamilyUpdateRecord.id > after)
                .order_by(FamilyUpdateRecord.id)
                .limit(limit + 1)
            )
        ).all()
    if len(rows) > limit:
        raise ReloadRequired(
            f"more than {limit} updates since this cursor: reload the family, then subscribe without `after`",
            maxReplay=limit,
        )
    return [{**dict(message), "cursor": encode_cursor(row_id)} for row_id, message in rows]
