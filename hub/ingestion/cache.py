"""The hub's cache of department data: the latest known record per (person, department).

Pushes write it (hub/ingestion/service.py), connector fetches write it through (`SectionCache`, in the
background, one transaction per department batch), and the family view reads it first — one query per
department per request — after the gate has allowed the member (hub/family/sections.py). Fresh data (younger
than the department's TTL) is served without calling the department; older data is refreshed, and served
marked stale if the department cannot answer (stale-if-error).

`purge_member_department` removes a member's cached data from one department at once (consent withdrawal).
This module never decides who may see anything, and stores no CPR number.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.base import (
    NOT_REGISTERED,
    ConnectorError,
    Deadline,
    DepartmentBadResponse,
    DepartmentConnector,
    LookupResult,
    NotRegistered,
)
from hub.domain import Department
from hub.ingestion.codec import CodecError, from_json, to_json
from hub.ingestion.models import CachedSection, IngestedEvent
from hub.persistence.base import utcnow
from hub.persistence.engine import transaction

logger = logging.getLogger("hub.ingestion.cache")

SOURCE_PUSH = "PUSH"
SOURCE_FETCH = "FETCH"
SOURCE_PURGED = "PURGED"  # a tombstone: the data was purged (consent withdrawn); reads treat it as a miss


@dataclass(frozen=True, slots=True)
class CacheEntry:
    person_id: str
    department: Department
    result: LookupResult
    fetched_at: datetime
    version: int | None
    source: str


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
    rows = await session.scalars(
        select(CachedSection).where(
            CachedSection.department == department, CachedSection.person_id.in_(list(person_ids))
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


async def write_fetched(
    session: AsyncSession, department: Department, results: Mapping[str, LookupResult], fetched_at: datetime
) -> None:
    """Write fetched results through, never over data the hub learnt after this fetch began (a push)."""
    if not results:
        return
    rows = [
        {
            "person_id": person_id,
            "department": department,
            "record": None if isinstance(result, NotRegistered) else to_json(result),
            "not_registered": isinstance(result, NotRegistered),
            "record_kind": None,
            "record_id": None if isinstance(result, NotRegistered) else result.department_id,
            "version": None,
            "fetched_at": fetched_at,
            "source": SOURCE_FETCH,
        }
        # Person order: the lock order pushes use too, so the two never deadlock on PostgreSQL.
        for person_id, result in sorted(results.items(), key=lambda item: item[0])
    ]
    stmt = upsert(session, _CACHE)
    keys = ("person_id", "department")
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={k: stmt.excluded[k] for k in rows[0] if k not in keys},
        where=_CACHE.c.fetched_at < stmt.excluded.fetched_at,
    )
    await session.execute(stmt, rows)


async def purge_member_department(session: AsyncSession, person_id: str, department: Department) -> int:
    """Remove a member's cached data from one department, and the record copies in the event log.

    Runs in the caller's transaction (the consent withdrawal). The cache row becomes a tombstone dated now
    rather than disappearing: a connector fetch that began before the withdrawal and finishes after it writes
    through only over older rows (`write_fetched`), so it cannot put the data back. Event ids and versions stay:
    a replay must still answer as before and an old version must still lose. Returns the number of cache rows
    that held data.
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
    return int(held or 0)


# -- in front of the connectors (long-lived, one per hub process) ------------------------------------


class SectionCache:
    """Cache-first look-ups for the family view, with write-behind of what the departments answered."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        ttl_s: Callable[[Department], int],
    ) -> None:
        self.sessions = sessions
        self.ttl_s = ttl_s
        self._pending: set[asyncio.Task[None]] = set()

    def is_fresh(self, entry: CacheEntry, now: datetime) -> bool:
        return now - entry.fetched_at <= timedelta(seconds=self.ttl_s(entry.department))

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
        async with self.sessions() as session:
            cached = await read_many(session, department, {person_ids[c] for c in cprs if c in person_ids})
        entries = {cpr: cached.get(person_ids.get(cpr, "")) for cpr in cprs}
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
                self.write_behind(department, known, now)
        out: list[Answer | BaseException] = []
        for cpr in cprs:
            entry = entries[cpr]
            if entry is not None and self.is_fresh(entry, now):
                out.append(Answer(entry.result, entry.fetched_at))
            elif cpr in fetched:
                out.append(Answer(fetched[cpr], now))
            elif entry is not None:
                out.append(Answer(entry.result, entry.fetched_at, stale=True))  # stale-if-error
            elif failure is not None:
                out.append(failure)
            else:
                out.append(DepartmentBadResponse(department, "answer missing an asked-for person"))
        return out

    def write_behind(self, department: Department, results: Mapping[str, LookupResult], at: datetime) -> None:
        """Write fetched results in the background: the request does not wait for the database."""
        if not results:
            return
        task = asyncio.create_task(self._write(department, dict(results), at))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _write(self, department: Department, results: dict[str, LookupResult], at: datetime) -> None:
        try:
            async with transaction(self.sessions) as session:
                await write_fetched(session, department, results, at)
        except Exception as exc:  # the cache is an optimisation: a failed write costs a call later
            # No traceback: database errors quote their parameters, which hold department data.
            logger.warning(
                "cache write-through failed",
                extra={"department": department.value, "error": type(exc).__name__},
            )

    async def drain(self) -> None:
        """Wait for pending write-behinds (tests, shutdown)."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)
