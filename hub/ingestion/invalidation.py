"""Invalidation of the in-process section caches at commit: a transaction that changed what a cache may hold
(a push's cache rows, a consent withdrawal's purge) names the keys with `drop_after_commit(session, keys)`
(optionally with the entry the commit makes current, e.g. the pushed record); when, and only when, it
commits, every cache registered for that database engine drops them and keeps the new entries
(`SectionCache.invalidate`, which also tells the other hub processes to drop them). A rollback drops nothing.

A hook rather than a call after each `transaction()`: no caller can forget it, and the keys are dropped
before the committing request answers. Holds weak references only; never sees data, only (person id,
department) keys.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from typing import Protocol

from sqlalchemy import Engine, event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from hub.ingestion.memory import CacheEntry, Key

_PENDING = "familiehub_section_cache_drops"


class Invalidates(Protocol):
    def invalidate(self, keys: Iterable[Key], current: Mapping[Key, CacheEntry] | None = None) -> None: ...


_CACHES: weakref.WeakKeyDictionary[Engine, weakref.WeakSet[Invalidates]] = weakref.WeakKeyDictionary()


def invalidate_on_commit(engine: Engine, cache: Invalidates) -> None:
    """Tell `cache` about the keys every transaction on `engine` drops, once it commits."""
    _CACHES.setdefault(engine, weakref.WeakSet()).add(cache)


def drop_after_commit(
    session: AsyncSession, keys: Iterable[Key], current: Mapping[Key, CacheEntry] | None = None
) -> None:
    """Drop `keys` from the section cache of every hub process once the caller's transaction has committed;
    this process keeps `current[key]` instead where given (what the commit made current)."""
    pending: dict[Key, CacheEntry | None] = session.sync_session.info.setdefault(_PENDING, {})
    for key in keys:
        pending[key] = (current or {}).get(key)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending: dict[Key, CacheEntry | None] | None = session.info.pop(_PENDING, None)
    if not pending:
        return
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else getattr(bind, "engine", None)
    current = {key: entry for key, entry in pending.items() if entry is not None}
    for cache in list(_CACHES.get(engine, ())) if engine is not None else ():
        cache.invalidate(pending, current)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
