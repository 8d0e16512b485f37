"""The hub's cache of department data: the latest known record per (person, department), in two halves.

- The database (`ingestion_cache`) is the durable store of what departments PUSHED (hub/ingestion/service.py
  writes it with `write_pushed`); consent withdrawal leaves a tombstone there (`purge_member_department`).
- Each hub process serves the family view from a bounded in-process LRU (`SectionCache`, hub/ingestion/
  memory.py): fresh data without a department call and without SQL. What a department answers goes into the
  LRU only: a view writes nothing to SQL. On a miss (a key this process has not seen) the pushed row is read
  once from the database.

The family view asks after the gate has allowed the member (hub/family/sections.py). Fresh data (younger than
the department's TTL) is served without calling the department; older data is refreshed, and served marked
stale if the department cannot answer (stale-if-error), up to the department's maximum age
(`HUB_STALE_MAX_AGE_S`, `HUB_STALE_MAX_AGE_BY_DEPARTMENT`): older data is not served, the section is UNAVAILABLE.

Coherence across processes: a committed push or purge drops the keys it touched from this process's LRU at
commit (an `after_commit` hook, so no caller has to remember) and announces them on the pub/sub channel
`section-cache` (ids only), so every other hub process drops them before it serves them again. A missed
announcement (the subscriber's queue overflowed, or Redis reconnected) clears the whole LRU.
This module never decides who may see anything, and stores no CPR number.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from connectors.base import (
    NOT_REGISTERED,
    ConnectorError,
    Deadline,
    DepartmentBadResponse,
    DepartmentConnector,
    LookupResult,
)
from hub.domain import Department
from hub.ingestion.codec import CodecError, from_json
from hub.ingestion.invalidation import drop_after_commit, invalidate_on_commit
from hub.ingestion.memory import CacheEntry, Key, MemoryCache
from hub.ingestion.models import CachedSection, IngestedEvent
from hub.persistence.base import utcnow
from hub.pubsub import PubSub, Subscription

logger = logging.getLogger("hub.ingestion.cache")

SOURCE_PUSH = "PUSH"
SOURCE_FETCH = "FETCH"
SOURCE_PURGED = "PURGED"  # a tombstone: the data was purged (consent withdrawn); reads treat it as a miss


CHANNEL = "section-cache"  # pub/sub: {"drop": [[person id, department], ...]} after a push or a purge
DEFAULT_MAX_ENTRIES = 20_000


@dataclass(frozen=True, slots=True)
class Answer:
    """What the family view gets for one person: a result, when it was obtained, and whether it is stale."""

    result: LookupResult
    fetched_at: datetime
    stale: bool = False


_CACHE = cast(Table, CachedSection.__table__)


def upsert(session: AsyncSession, table: Any) -> postgresql.Insert | sqlite.Insert:
    """`INSERT ... ON CONFLICT` for the session's dialect (SQLite and PostgreSQL share the API)."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for dialect {name}")


# -- reads and writes (inside the caller's transaction) ----------------------------------------------


async def read_many(
    session: AsyncSession, department: Department, person_ids: Collection[str]
) -> dict[str, CacheEntry]:
    if not person_ids:
        return {}
    c = _CACHE.c
    rows = await session.execute(
        select(c.person_id, c.record, c.not_registered, c.fetched_at, c.version, c.source).where(
            c.department == department, c.person_id.in_(list(person_ids))
        )
    )
    out: dict[str, CacheEntry] = {}
    for row in rows:
        result: LookupResult
        if row.source == SOURCE_PURGED:
            continue
        if row.not_registered or row.record is None:
            result = NOT_REGISTERED
        else:
            try:
                result = from_json(row.record)
            except CodecError:
                # A row written by an older record shape: treat as a miss, the next fetch rewrites it.
                logger.warning("undecodable cache row ignored", extra={"department": department.value})
                continue
        out[row.person_id] = CacheEntry(
            row.person_id, department, result, row.fetched_at, row.version, row.source
        )
    return out


@dataclass(frozen=True, slots=True)
class PushedEntry:
    """What a push that won its record's version check leaves in the cache (record None: a deletion)."""

    person_id: str
    department: Department
    record: dict[str, Any] | None
    record_kind: str
    record_id: str
    version: int
    # The typed record when the pusher has it (the pushing process then keeps it in its LRU at commit).
    result: LookupResult | None = None


async def write_pushed(session: AsyncSession, entries: Sequence[PushedEntry], at: datetime) -> None:
    """Set the cache from pushes, in one multi-row upsert (a deletion: not registered).

    Entries are applied as if one after another: of several for the same (person, department) the last wins.
    Rows are written in (person, department) order, the lock order every push shares.
    """
    latest: dict[tuple[str, Department], PushedEntry] = {}
    for entry in entries:
        latest[(entry.person_id, entry.department)] = entry
    if not latest:
        return
    rows = [
        {
            "person_id": e.person_id,
            "department": e.department,
            "record": e.record,
            "not_registered": e.record is None,
            "record_kind": e.record_kind,
            "record_id": e.record_id,
            "version": e.version,
            "fetched_at": at,
            "source": SOURCE_PUSH,
        }
        for _, e in sorted(latest.items(), key=lambda item: (item[0][0], item[0][1].value))
    ]
    # Core table and a list of rows: one cached statement run for many rows, not one compiled per batch.
    stmt = upsert(session, _CACHE)
    keys = ("person_id", "department")
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys), set_={k: stmt.excluded[k] for k in rows[0] if k not in keys}
    )
    await session.execute(stmt, rows)
    current: dict[Key, CacheEntry] = {}
    for key, e in latest.items():
        result = NOT_REGISTERED if e.record is None else e.result
        if result is not None:
            current[key] = CacheEntry(e.person_id, e.department, result, at, e.version, SOURCE_PUSH)
    drop_after_commit(session, latest, current)


async def purge_member_department(session: AsyncSession, person_id: str, department: Department) -> int:
    """Remove a member's cached data from one department, and the record copies in the event log.

    Runs in the caller's transaction (the consent withdrawal). The cache row becomes a tombstone. When the
    transaction commits, every hub process drops the key from its LRU, and a look-up that began before cannot
    put its answer back (hub/ingestion/memory.py). Event ids and versions stay: a replay must still answer as
    before and an old version must still lose. Returns the number of cache rows that held data.
    """
    held = await session.scalar(
        select(func.count())
        .select_from(CachedSection)
        .where(
            CachedSection.person_id == person_id,
            CachedSection.department == department,
            CachedSection.source != SOURCE_PURGED,
        )
    )
    tombstone = {
        "person_id": person_id,
        "department": department,
        "record": None,
        "not_registered": False,
        "record_kind": None,
        "record_id": None,
        "version": None,
        "fetched_at": utcnow(),
        "source": SOURCE_PURGED,
    }
    stmt = upsert(session, CachedSection).values(**tombstone)
    stmt = stmt.on_conflict_do_update(
        index_elements=["person_id", "department"],
        set_={k: stmt.excluded[k] for k in tombstone if k not in ("person_id", "department")},
    )
    await session.execute(stmt)
    await session.execute(
        update(IngestedEvent)
        .where(
            IngestedEvent.person_id == person_id,
            IngestedEvent.department == department,
            IngestedEvent.record.is_not(None),
        )
        .values(record=None)
    )
    drop_after_commit(session, [(person_id, department)])
    return int(held or 0)


# -- in front of the connectors (long-lived, one per hub process) ------------------------------------


class SectionCache:
    """Cache-first look-ups for the family view from the process's LRU; the database only on a miss."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        ttl_s: Callable[[Department], int],
        *,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        pubsub: PubSub | None = None,
        max_stale_s: Callable[[Department], int] | None = None,
    ) -> None:
        self.sessions = sessions
        self.ttl_s = ttl_s
        self.max_stale_s = max_stale_s
        self.memory = MemoryCache(max_entries)
        self.pubsub = pubsub
        self._pending: set[asyncio.Task[None]] = set()
        self._listener: asyncio.Task[None] | None = None
        self._subscription: contextlib.AsyncExitStack | None = None
        self._reconnects = 0
        self._origin = uuid.uuid4().hex  # tells our own announcements (heard back over Redis) from others'
        bind = sessions.kw.get("bind")
        if isinstance(bind, AsyncEngine):
            invalidate_on_commit(bind.sync_engine, self)

    def is_fresh(self, entry: CacheEntry, now: datetime) -> bool:
        return now - entry.fetched_at <= timedelta(seconds=self.ttl_s(entry.department))

    def may_serve_stale(self, entry: CacheEntry, now: datetime) -> bool:
        """Stale-if-error only up to the department's maximum age (no limit without one)."""
        if self.max_stale_s is None:
            return True
        return now - entry.fetched_at <= timedelta(seconds=self.max_stale_s(entry.department))

    async def answers(
        self,
        connector: DepartmentConnector,
        cprs: Sequence[str],
        person_ids: Mapping[str, str],
        *,
        deadline: Deadline,
        now: datetime,
    ) -> list[Answer | BaseException]:
        """One answer per CPR number, in order: fresh cache, else the department, else stale cache."""
        department = connector.department
        self._check_missed()
        since = self.memory.epoch  # what is dropped from now on, this look-up must not put back
        entries: dict[str, CacheEntry | None] = {}
        unseen: list[str] = []
        for cpr in cprs:
            person_id = person_ids.get(cpr)
            entry = self.memory.get((person_id, department)) if person_id is not None else None
            entries[cpr] = entry
            if entry is None and person_id is not None:
                unseen.append(person_id)
        if unseen:
            await self._load_pushed(department, unseen, entries, person_ids, since)
        missing = [cpr for cpr, entry in entries.items() if entry is None or not self.is_fresh(entry, now)]
        fetched: Mapping[str, LookupResult] = {}
        failure: ConnectorError | None = None
        if missing:
            try:
                fetched = await connector.fetch_many(missing, deadline=deadline)
            except ConnectorError as exc:
                failure = exc
            else:
                known = {person_ids[c]: r for c, r in fetched.items() if c in person_ids and c in missing}
                self.remember(department, known, now, since=since)
        out: list[Answer | BaseException] = []
        for cpr in cprs:
            entry = entries[cpr]
            if entry is not None and self.is_fresh(entry, now):
                out.append(Answer(entry.result, entry.fetched_at))
            elif cpr in fetched:
                out.append(Answer(fetched[cpr], now))
            elif entry is not None and (failure is None or self.may_serve_stale(entry, now)):
                out.append(Answer(entry.result, entry.fetched_at, stale=True))  # stale-if-error
            elif failure is not None:
                out.append(failure)
            else:
                out.append(DepartmentBadResponse(department, "answer missing an asked-for person"))
        return out

    async def _load_pushed(
        self,
        department: Department,
        person_ids: list[str],
        entries: dict[str, CacheEntry | None],
        by_cpr: Mapping[str, str],
        since: int,
    ) -> None:
        """A miss: what was pushed for these persons, read once from the database into the LRU."""
        async with self.sessions() as session:
            stored = await read_many(session, department, person_ids)
        if not stored:
            return
        for cpr, entry in entries.items():
            if entry is None and (found := stored.get(by_cpr.get(cpr, ""))) is not None:
                entries[cpr] = found
                self.memory.put(found, since=since)

    def remember(
        self,
        department: Department,
        results: Mapping[str, LookupResult],
        at: datetime,
        *,
        since: int | None = None,
    ) -> None:
        """Keep what a department answered (person id -> result), in this process only."""
        epoch = self.memory.epoch if since is None else since
        for person_id, result in results.items():
            self.memory.put(CacheEntry(person_id, department, result, at, None, SOURCE_FETCH), since=epoch)

    def write_behind(self, department: Department, results: Mapping[str, LookupResult], at: datetime) -> None:
        """Kept for callers of the former SQL write-behind: fetched data now lives in the LRU only."""
        self.remember(department, results, at)

    def invalidate(self, keys: Iterable[Key], current: Mapping[Key, CacheEntry] | None = None) -> None:
        """Drop `keys` here at once (keeping `current` entries: what the commit made current, e.g. a pushed
        record) and announce the drop to the other hub processes (after a commit)."""
        keys = sorted(set(keys), key=lambda k: (k[0], k[1].value))
        self.memory.drop(keys)
        for entry in (current or {}).values():
            self.memory.put(entry, since=self.memory.epoch)
        if self.pubsub is None or not keys:
            return
        message = {
            "origin": self._origin,
            "drop": [[person_id, department.value] for person_id, department in keys],
        }
        try:
            task = asyncio.get_running_loop().create_task(self.pubsub.publish(CHANNEL, message))
        except RuntimeError:  # no running loop (a synchronous caller): this process is handled already
            return
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    # -- across processes ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen for other processes' drops (from the app's lifespan). Subscribed when this returns."""
        if self.pubsub is None or self._listener is not None:
            return
        self._subscription = contextlib.AsyncExitStack()
        subscription = await self._subscription.enter_async_context(self.pubsub.subscribe(CHANNEL))
        self._reconnects = _reconnects(self.pubsub)
        self._listener = asyncio.create_task(
            self._listen(subscription, subscription.dropped), name="hub-section-cache-listener"
        )

    async def _listen(self, subscription: Subscription, lost: int) -> None:
        async for message in subscription:
            if subscription.dropped != lost:  # our queue overflowed: some drops never reached us
                lost = subscription.dropped
                self.memory.clear()
                continue
            if message.get("origin") == self._origin:  # our own commit: handled at commit time
                continue
            keys: list[Key] = []
            for item in message.get("drop") or ():
                with contextlib.suppress(ValueError, TypeError):
                    keys.append((str(item[0]), Department(item[1])))
            self.memory.drop(keys)

    def _check_missed(self) -> None:
        """A reconnected Redis subscription may have missed drops: start over (cheap: one attribute read)."""
        if self.pubsub is None:
            return
        reconnects = _reconnects(self.pubsub)
        if reconnects != self._reconnects:
            self._reconnects = reconnects
            self.memory.clear()

    async def drain(self) -> None:
        """Wait for pending announcements (tests, shutdown)."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    async def aclose(self) -> None:
        await self.drain()
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
        subscription, self._subscription = self._subscription, None
        if subscription is not None:
            await subscription.aclose()


def _reconnects(pubsub: PubSub) -> int:
    return int(getattr(pubsub, "reconnects", 0))
