"""The one ingestion service behind both doors (GraphQL `pushDepartmentUpdates` and `POST /webhooks/{dept}`).

For each event of a batch, in one transaction committed before the push is acknowledged:
- a replay (same department and event id) stores nothing and answers what the first push was answered;
- a malformed event, or one whose subject the hub does not know, is dead-lettered with the reason, and the
  rest of the batch still lands (each event runs in its own savepoint);
- the record's version decides: newer than any seen -> APPLIED (the cache is updated), else SUPERSEDED;
- every accepted event writes a PUSH audit event in the same transaction.
After the commit, APPLIED events are announced on the family's pub/sub channel (ids only, no data).

A department system may only push its own department's events. No CPR number leaves this module: not in a
result, a log line, an audit event or a pub/sub message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.records import DepartmentRecord
from hub.audit.events import AuditEvent
from hub.audit.log import record as audit_record
from hub.auth.principal import Principal
from hub.crypto import CprVault
from hub.domain import Department, Role
from hub.errors import BadUserInput, Forbidden
from hub.ingestion.cache import upsert, write_pushed
from hub.ingestion.codec import to_json
from hub.ingestion.events import (
    DepartmentEvent,
    EventError,
    EventResult,
    EventStatus,
    InvalidEvent,
    event_id_of,
    validate,
)
from hub.ingestion.models import DeadLetter, IngestedEvent, RecordVersion
from hub.ingestion.trail import masked, push_audit
from hub.ingestion.wire import WireError, WireParser, parse_wire
from hub.persistence.engine import transaction
from hub.persistence.models import Membership, Person
from hub.pubsub import PubSub

logger = logging.getLogger("hub.ingestion")


def family_channel(family_id: str) -> str:
    return f"family:{family_id}"


@dataclass(frozen=True, slots=True)
class _Accepted:
    event: DepartmentEvent
    person_id: str
    family_id: str | None
    status: EventStatus
    record: DepartmentRecord | None


class IngestionService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        vault: CprVault,
        pubsub: PubSub,
        *,
        parsers: Mapping[Department, WireParser],
        clock: Callable[[], datetime],
        max_batch: int = 500,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self.sessions = sessions
        self.vault = vault
        self.pubsub = pubsub
        self.parsers = parsers
        self.clock = clock
        self.max_batch = max_batch
        self._events = Counter(
            "familiehub_ingested_events",
            "Pushed department events by department and outcome (replays counted as replay)",
            ["department", "status"],
            # A private registry by default: two services in one process must not clash on the global one.
            registry=registry if registry is not None else CollectorRegistry(),
        )

    async def push(
        self, principal: Principal | None, raw_events: Sequence[Any], *, request_id: str | None = None
    ) -> list[EventResult]:
        """Per-event results, in the order given. Raises Forbidden/BadUserInput for the batch as a whole."""
        if principal is None or principal.role is not Role.DEPARTMENT_SYSTEM or principal.department is None:
            raise Forbidden("only a department system may push department updates")
        if not raw_events:
            return []
        if len(raw_events) > self.max_batch:
            raise BadUserInput(f"at most {self.max_batch} events per push", field="events")
        department = principal.department
        now = self.clock()
        results: list[EventResult] = []
        accepted: list[_Accepted] = []
        async with transaction(self.sessions) as session:
            ids = {i for i in (event_id_of(raw) for raw in raw_events) if i is not None}
            known = await self._known_results(session, department, ids)
            persons = await self._persons(session, raw_events)
            audit: list[AuditEvent] = []
            for raw in raw_events:
                event_id = event_id_of(raw)
                if event_id is not None and event_id in known:
                    results.append(known[event_id])
                    self._events.labels(department.value, "replay").inc()
                    continue
                result, done = await self._one(session, principal, raw, persons, now)
                if done is not None:
                    accepted.append(done)
                    audit.append(
                        push_audit(
                            principal,
                            now=now,
                            request_id=request_id,
                            department=done.event.department,
                            person_id=done.person_id,
                            family_id=done.family_id,
                            record=done.record,
                        )
                    )
                elif result.error is not None and result.error.code == "FORBIDDEN":
                    audit.append(
                        push_audit(
                            principal, now=now, request_id=request_id, department=department, granted=False
                        )
                    )
                if event_id is not None:
                    known[event_id] = result  # a repeat within the batch answers the same
                results.append(result)
                self._events.labels(department.value, result.status.value).inc()
            await audit_record(session, audit)
        await self._announce(accepted)
        return results

    async def _one(
        self,
        session: AsyncSession,
        principal: Principal,
        raw: Any,
        persons: Mapping[str, tuple[str, str | None]],
        now: datetime,
    ) -> tuple[EventResult, _Accepted | None]:
        department = principal.department
        assert department is not None  # noqa: S101 - checked by push()
        event_id = event_id_of(raw)
        claimed = raw.get("department") if isinstance(raw, Mapping) else None
        if isinstance(claimed, str) and claimed in Department.__members__ and claimed != department.value:
            # Not dead-lettered: the event is not this caller's to push, so nothing of it is kept.
            error = EventError("FORBIDDEN", "a department system may only push its own department's events")
            return EventResult(event_id, EventStatus.REJECTED, error), None
        try:
            event = validate(raw, now=now)
            record = None if event.deleted else parse_wire(self.parsers, event.department, event.record)
        except InvalidEvent as exc:
            return await self._reject(session, principal, raw, exc.error), None
        except WireError as exc:
            return await self._reject(
                session, principal, raw, EventError("BAD_USER_INPUT", str(exc), "record")
            ), None
        found = persons.get(self.vault.lookup_hash(event.subject_cpr))
        if found is None:
            # Never echo the CPR number back: the reason names the problem only.
            error = EventError("NOT_FOUND", "unknown subject", "subjectCpr")
            return await self._reject(session, principal, raw, error), None
        person_id, family_id = found
        stored = None if record is None else to_json(record)
        try:
            async with session.begin_nested():
                won = await self._claim_version(session, event, person_id, now)
                status = EventStatus.APPLIED if won else EventStatus.SUPERSEDED
                if won:
                    await write_pushed(
                        session,
                        person_id=person_id,
                        department=event.department,
                        record=stored,
                        record_kind=event.record_kind,
                        record_id=event.record_id,
                        version=event.version,
                        at=now,
                    )
                session.add(
                    self._row(event, principal.client, now, status, person_id=person_id, record=stored)
                )
                await session.flush()
        except IntegrityError:
            # The same event id committed concurrently by another push: answer as that one was answered.
            replay = await self._known_results(session, department, {event.event_id})
            if event.event_id in replay:
                return replay[event.event_id], None
            raise
        return EventResult(event.event_id, status), _Accepted(event, person_id, family_id, status, record)

    async def _claim_version(
        self, session: AsyncSession, event: DepartmentEvent, person_id: str, now: datetime
    ) -> bool:
        """Record this version if it is newer than any seen for the record; atomic under concurrent pushes."""
        stmt = upsert(session, RecordVersion).values(
            department=event.department,
            record_kind=event.record_kind,
            record_id=event.record_id,
            version=event.version,
            person_id=person_id,
            deleted=event.deleted,
            updated_at=now,
        )
        claim = stmt.on_conflict_do_update(
            index_elements=["department", "record_kind", "record_id"],
            set_={
                "version": stmt.excluded.version,
                "person_id": stmt.excluded.person_id,
                "deleted": stmt.excluded.deleted,
                "updated_at": stmt.excluded.updated_at,
            },
            where=RecordVersion.version < stmt.excluded.version,
        ).returning(RecordVersion.version)
        # RETURNING yields a row only when the insert or the guarded update happened: this version won.
        return (await session.execute(claim)).first() is not None

    async def _reject(
        self, session: AsyncSession, principal: Principal, raw: Any, error: EventError
    ) -> EventResult:
        department = principal.department
        assert department is not None  # noqa: S101 - checked by push()
        event_id = event_id_of(raw)
        now = self.clock()
        async with session.begin_nested():
            session.add(
                DeadLetter(
                    department=department,
                    event_id=event_id,
                    received_at=now,
                    error_code=error.code,
                    reason=error.message,
                    error_field=error.field,
                    client=principal.client,
                    payload=masked(raw),
                    subject_cpr_encrypted=self._encrypted_subject(raw),
                )
            )
            if event_id is not None:
                session.add(
                    IngestedEvent(
                        department=department,
                        event_id=event_id,
                        received_at=now,
                        status=EventStatus.REJECTED.value,
                        error_code=error.code,
                        error_message=error.message,
                        error_field=error.field,
                        client=principal.client,
                    )
                )
            await session.flush()
        logger.info(
            "event dead-lettered",
            extra={"department": department.value, "code": error.code, "field": error.field},
        )
        return EventResult(event_id, EventStatus.REJECTED, error)

    def _encrypted_subject(self, raw: Any) -> bytes | None:
        cpr = raw.get("subjectCpr") if isinstance(raw, Mapping) else None
        if not isinstance(cpr, str):
            return None
        try:
            return self.vault.encrypt(cpr)
        except ValueError:
            return None

    @staticmethod
    def _row(
        event: DepartmentEvent,
        client: str,
        now: datetime,
        status: EventStatus,
        *,
        person_id: str,
        record: dict[str, Any] | None,
    ) -> IngestedEvent:
        return IngestedEvent(
            department=event.department,
            event_id=event.event_id,
            person_id=person_id,
            record_kind=event.record_kind,
            record_id=event.record_id,
            version=event.version,
            occurred_at=event.occurred_at,
            received_at=now,
            deleted=event.deleted,
            status=status.value,
            client=client,
            record=record,
        )

    async def _known_results(
        self, session: AsyncSession, department: Department, event_ids: set[str]
    ) -> dict[str, EventResult]:
        if not event_ids:
            return {}
        rows = await session.scalars(
            select(IngestedEvent).where(
                IngestedEvent.department == department, IngestedEvent.event_id.in_(sorted(event_ids))
            )
        )
        out: dict[str, EventResult] = {}
        for row in rows:
            error = (
                EventError(row.error_code, row.error_message or "", row.error_field)
                if row.error_code
                else None
            )
            out[row.event_id] = EventResult(row.event_id, EventStatus(row.status), error)
        return out

    async def _persons(
        self, session: AsyncSession, raw_events: Sequence[Any]
    ) -> dict[str, tuple[str, str | None]]:
        """cpr_hash -> (person id, current family id) for every subject named in the batch: one query."""
        hashes: set[str] = set()
        for raw in raw_events:
            cpr = raw.get("subjectCpr") if isinstance(raw, Mapping) else None
            if isinstance(cpr, str):
                try:
                    hashes.add(self.vault.lookup_hash(cpr))
                except ValueError:
                    continue
        if not hashes:
            return {}
        rows = await session.execute(
            select(Person.cpr_hash, Person.id, Membership.family_id)
            .outerjoin(Membership, (Membership.person_id == Person.id) & Membership.left_on.is_(None))
            .where(Person.cpr_hash.in_(sorted(hashes)))
        )
        return {cpr_hash: (person_id, family_id) for cpr_hash, person_id, family_id in rows.all()}

    async def _announce(self, accepted: Sequence[_Accepted]) -> None:
        for done in accepted:
            if done.status is not EventStatus.APPLIED or done.family_id is None:
                continue
            event = done.event
            await self.pubsub.publish(
                family_channel(done.family_id),
                {
                    "type": "DEPARTMENT_RECORD",
                    "familyId": done.family_id,
                    "personId": done.person_id,
                    "department": event.department.value,
                    "recordKind": event.record_kind,
                    "recordId": event.record_id,
                    "version": event.version,
                    "deleted": event.deleted,
                    "occurredAt": event.occurred_at.isoformat(),
                    "eventId": event.event_id,
                },
            )
