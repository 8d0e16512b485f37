"""The set-based statements of one push batch: a handful of statements per batch, never a handful per event.

Used by hub/ingestion/service.py inside its one writing transaction (`hub.persistence.engine.transaction`):
- `known_results`: one SELECT for the batch's event ids already received (replays);
- `persons_by_hash`: one SELECT for the batch's subjects (persons by cpr_hash, with their current family);
- `claim_versions`: the per-record version check for every record of the batch (one or two statements);
- `insert_events`: one multi-row INSERT ... ON CONFLICT DO NOTHING into the event log, answering which ids
  were new (an id missing from the answer was committed concurrently by another push);
- `insert_dead_letters`: one batched INSERT.
The cache rows are one batched upsert too (`hub.ingestion.cache.write_pushed`).

Lock order (PostgreSQL), the same for every push so that concurrent pushes never deadlock: record versions in
key order, then event ids in id order, then cache rows in (person, department) order, then the audit heads.
This module never commits, never decides who may push, and stores no CPR number in clear.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Boolean, Table, insert, literal_column, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from hub.domain import Department
from hub.ingestion.cache import upsert
from hub.ingestion.events import DepartmentEvent, EventError, EventResult, EventStatus
from hub.ingestion.models import DeadLetter, IngestedEvent, RecordVersion
from hub.persistence.base import new_id
from hub.persistence.models import Membership, Person

RecordKey = tuple[Department, str, str]  # (department, record kind, record id)

# Core tables, not ORM entities: a statement executed with a list of rows then runs as one multi-row INSERT
# (SQLAlchemy's "insertmanyvalues", a cached statement with its VALUES repeated) or as the driver's
# executemany, instead of being compiled afresh with a bind parameter per value, or going through the
# ORM's bulk path.
_VERSIONS = cast(Table, RecordVersion.__table__)
_EVENTS = cast(Table, IngestedEvent.__table__)
_DEAD_LETTERS = cast(Table, DeadLetter.__table__)


@dataclass(frozen=True, slots=True)
class KnownEvent:
    """An event id already received: what the hub answered, and the keyed hash of the content it had."""

    result: EventResult
    content_hash: str | None


@dataclass(frozen=True, slots=True)
class VersionClaim:
    """The newest version a batch holds for one record (the first event with that version)."""

    key: RecordKey
    version: int
    person_id: str
    deleted: bool


async def known_results(
    session: AsyncSession, department: Department, event_ids: Collection[str]
) -> dict[str, KnownEvent]:
    """event id -> the result the hub answered when it first received that event, and its content hash."""
    if not event_ids:
        return {}
    rows = await session.execute(
        select(
            IngestedEvent.event_id,
            IngestedEvent.status,
            IngestedEvent.error_code,
            IngestedEvent.error_message,
            IngestedEvent.error_field,
            IngestedEvent.content_hash,
        ).where(IngestedEvent.department == department, IngestedEvent.event_id.in_(sorted(event_ids)))
    )
    out: dict[str, KnownEvent] = {}
    for event_id, status, code, message, field, content_hash in rows.all():
        error = EventError(code, message or "", field) if code else None
        out[event_id] = KnownEvent(EventResult(event_id, EventStatus(status), error), content_hash)
    return out


async def persons_by_hash(
    session: AsyncSession, hashes: Collection[str]
) -> dict[str, tuple[str, str | None]]:
    """cpr_hash -> (person id, current family id or None) for every known subject."""
    if not hashes:
        return {}
    rows = await session.execute(
        select(Person.cpr_hash, Person.id, Membership.family_id)
        .outerjoin(Membership, (Membership.person_id == Person.id) & Membership.left_on.is_(None))
        .where(Person.cpr_hash.in_(sorted(hashes)))
    )
    return {cpr_hash: (person_id, family_id) for cpr_hash, person_id, family_id in rows.all()}


async def claim_versions(
    session: AsyncSession, claims: Iterable[VersionClaim], now: datetime
) -> dict[RecordKey, int | None]:
    """Each record's version as it stood before this batch (None: never seen); stores every newer claim.

    Exact under concurrent pushes: the returned versions are the ones this transaction's claims were compared
    with, and no other push can move them until it ends. At most one claim per key.
    """
    ordered = sorted(claims, key=lambda c: c.key)  # key order = lock order
    if not ordered:
        return {}
    if len({c.key for c in ordered}) != len(ordered):
        raise ValueError("at most one version claim per record")
    if session.get_bind().dialect.name == "postgresql":
        return await _claim_postgresql(session, ordered, now)
    return await _claim_serialised(session, ordered, now)


def _version_rows(claims: Sequence[VersionClaim], now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "department": c.key[0],
            "record_kind": c.key[1],
            "record_id": c.key[2],
            "version": c.version,
            "person_id": c.person_id,
            "deleted": c.deleted,
            "updated_at": now,
        }
        for c in claims
    ]


async def _store_newer(session: AsyncSession, claims: Sequence[VersionClaim], now: datetime) -> None:
    """Upsert the claims; an existing row changes only to a higher version (never backwards)."""
    if not claims:
        return
    stmt = upsert(session, _VERSIONS)
    guarded = stmt.on_conflict_do_update(
        index_elements=["department", "record_kind", "record_id"],
        set_={
            "version": stmt.excluded.version,
            "person_id": stmt.excluded.person_id,
            "deleted": stmt.excluded.deleted,
            "updated_at": stmt.excluded.updated_at,
        },
        where=_VERSIONS.c.version < stmt.excluded.version,
    )
    await session.execute(guarded, _version_rows(claims, now))


async def _claim_postgresql(
    session: AsyncSession, claims: Sequence[VersionClaim], now: datetime
) -> dict[RecordKey, int | None]:
    # One statement locks every record of the batch in key order: a new record is inserted with its claim
    # (the insert holds it until commit), an existing one is locked by a no-op update that returns its
    # version as it stands after any concurrent push that held it has committed. `xmax = 0` tells the two
    # apart (a row inserted by this statement has no updating transaction).
    lock = (
        upsert(session, _VERSIONS)
        .on_conflict_do_update(
            index_elements=["department", "record_kind", "record_id"],
            set_={"version": _VERSIONS.c.version},
        )
        .returning(
            _VERSIONS.c.department,
            _VERSIONS.c.record_kind,
            _VERSIONS.c.record_id,
            _VERSIONS.c.version,
            literal_column("xmax = 0", Boolean),
        )
    )
    before: dict[RecordKey, int | None] = {}
    returned = await session.execute(lock, _version_rows(claims, now))
    for department, kind, record_id, version, inserted in returned.all():
        before[(Department(department), kind, record_id)] = None if inserted else int(version)
    newer = [c for c in claims if (v := before[c.key]) is not None and c.version > v]
    await _store_newer(session, newer, now)  # rows already locked by this transaction: a plain update
    return before


async def _claim_serialised(
    session: AsyncSession, claims: Sequence[VersionClaim], now: datetime
) -> dict[RecordKey, int | None]:
    # SQLite: the writing transaction began IMMEDIATE, so no other writer runs until it ends and a plain
    # read is exact.
    keys = [c.key for c in claims]
    rows = await session.execute(
        select(
            RecordVersion.department,
            RecordVersion.record_kind,
            RecordVersion.record_id,
            RecordVersion.version,
        ).where(
            tuple_(RecordVersion.department, RecordVersion.record_kind, RecordVersion.record_id).in_(keys)
        )
    )
    before: dict[RecordKey, int | None] = dict.fromkeys(keys)
    for department, kind, record_id, version in rows.all():
        before[(Department(department), kind, record_id)] = int(version)
    newer = [c for c in claims if (v := before[c.key]) is None or c.version > v]
    await _store_newer(session, newer, now)
    return before


async def insert_events(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> set[str]:
    """Insert event-log rows in event-id order; return the ids inserted (a missing id was already there)."""
    if not rows:
        return set()
    ordered = sorted(rows, key=lambda r: str(r["event_id"]))
    stmt = (
        upsert(session, _EVENTS)
        .on_conflict_do_nothing(index_elements=["department", "event_id"])
        .returning(_EVENTS.c.event_id)
    )
    return set((await session.scalars(stmt, ordered)).all())


async def insert_dead_letters(session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
    if rows:
        await session.execute(insert(_DEAD_LETTERS), list(rows))


# -- the rows (every row of one multi-row INSERT carries every column) ----------------------------------


def event_row(
    event: DepartmentEvent,
    status: EventStatus,
    person_id: str,
    record: dict[str, Any] | None,
    *,
    client: str,
    now: datetime,
    content_hash: str | None,
) -> dict[str, Any]:
    """The event-log row of an accepted (APPLIED or SUPERSEDED) event; `record` in the hub's typed JSON."""
    return {
        "id": new_id(),
        "department": event.department,
        "event_id": event.event_id,
        "person_id": person_id,
        "record_kind": event.record_kind,
        "record_id": event.record_id,
        "version": event.version,
        "occurred_at": event.occurred_at,
        "received_at": now,
        "deleted": event.deleted,
        "status": status.value,
        "error_code": None,
        "error_message": None,
        "error_field": None,
        "client": client,
        "content_hash": content_hash,
        "record": record,
    }


def rejected_row(
    department: Department,
    event_id: str,
    error: EventError,
    *,
    client: str,
    now: datetime,
    content_hash: str | None,
) -> dict[str, Any]:
    """The event-log row of a rejected event, so that its replay answers the same rejection."""
    return {
        "id": new_id(),
        "department": department,
        "event_id": event_id,
        "person_id": None,
        "record_kind": None,
        "record_id": None,
        "version": None,
        "occurred_at": None,
        "received_at": now,
        "deleted": False,
        "status": EventStatus.REJECTED.value,
        "error_code": error.code,
        "error_message": error.message,
        "error_field": error.field,
        "client": client,
        "content_hash": content_hash,
        "record": None,
    }


def dead_letter_row(
    department: Department,
    event_id: str | None,
    error: EventError,
    *,
    client: str,
    now: datetime,
    payload: Any,
    subject_encrypted: bytes | None,
) -> dict[str, Any]:
    """`payload` must already be CPR-masked; the subject CPR number only encrypted."""
    return {
        "id": new_id(),
        "department": department,
        "event_id": event_id,
        "received_at": now,
        "error_code": error.code,
        "reason": error.message,
        "error_field": error.field,
        "client": client,
        "payload": payload,
        "subject_cpr_encrypted": subject_encrypted,
    }
