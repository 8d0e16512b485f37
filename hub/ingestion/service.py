"""The one ingestion service behind both doors (GraphQL `pushDepartmentUpdates` and `POST /webhooks/{dept}`).

For each event of a batch, in one transaction committed before the push is acknowledged:
- a replay (same department, event id and content, also within one batch) stores nothing and answers what the
  first push was answered; the same id with different content is a sender's bug: REJECTED with CONFLICT and
  dead-lettered (the content is compared by a keyed hash kept with each event, never the content itself);
- a malformed event, or one whose subject the hub does not know, is dead-lettered with the reason, and the
  rest of the batch still lands (events are validated in Python before any SQL, so no savepoints);
- the record's version decides: newer than any seen (before, or earlier in the batch) -> APPLIED (the cache
  is updated), else SUPERSEDED; concurrent pushes of one record are serialised on its version row;
- every accepted event writes a PUSH audit event in the same transaction (one `record` call per batch).
After the commit, APPLIED events are announced on the family's pub/sub channel (ids only, no data), each
stored first with its resume cursor (hub/ingestion/feed.py).

A batch costs a fixed handful of statements whatever its size (hub/ingestion/batch.py): replays, subjects,
versions, the event log, dead letters, the cache, the audit append.

A department system may only push its own department's events. No CPR number leaves this module: not in a
result, a log line, an audit event or a pub/sub message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from prometheus_client import CollectorRegistry, Counter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connectors.records import DepartmentRecord
from hub.audit.events import AuditEvent
from hub.audit.log import record as audit_record
from hub.auth.principal import Principal
from hub.crypto import CprVault
from hub.domain import Department, Role
from hub.errors import BadUserInput, Conflict, Forbidden
from hub.ingestion.batch import (
    RecordKey,
    VersionClaim,
    claim_versions,
    dead_letter_row,
    event_row,
    insert_dead_letters,
    insert_events,
    known_results,
    persons_by_hash,
    rejected_row,
)
from hub.ingestion.cache import PushedEntry, write_pushed
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
from hub.ingestion.feed import announce
from hub.ingestion.trail import masked, push_audit
from hub.ingestion.wire import WireError, WireParser, parse_wire
from hub.persistence.engine import transaction
from hub.pubsub import PubSub

logger = logging.getLogger("hub.ingestion")

# Another push committing one of this batch's event ids between the replay check and the event-log insert
# makes the batch start over, and the retry answers those events as replays. Each further retry needs yet
# another such race, so a few attempts suffice.
_ATTEMPTS = 5
_FORBIDDEN = EventError("FORBIDDEN", "a department system may only push its own department's events")
_UNKNOWN_SUBJECT = EventError("NOT_FOUND", "unknown subject", "subjectCpr")  # never echo the CPR number
_REUSED_ID = EventError(
    "CONFLICT", "eventId was already used for an event with different content; use a new eventId", "eventId"
)


@dataclass(frozen=True, slots=True)
class _Accepted:
    event: DepartmentEvent
    person_id: str
    family_id: str | None
    status: EventStatus
    record: DepartmentRecord | None
    stored: dict[str, Any] | None  # the record in the hub's typed JSON


@dataclass(frozen=True, slots=True)
class _Checked:
    """One raw event after the checks that need no database: a valid event, or the error that stops it."""

    event_id: str | None
    event: DepartmentEvent | None = None
    record: DepartmentRecord | None = None
    subject_hash: str | None = None
    error: EventError | None = None
    content_hash: str | None = None


@dataclass(frozen=True, slots=True)
class _Outcome:
    results: list[EventResult]
    labels: list[str]  # the metric label per event: its status, or "replay"
    accepted: list[_Accepted]
    dead_lettered: list[EventError]


class _ConcurrentReplay(Exception):
    """A concurrent push committed one of this batch's event ids: roll back and start over."""


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
        checked = [self._check(raw, department, now) for raw in raw_events]
        outcome: _Outcome | None = None
        for _ in range(_ATTEMPTS):
            try:
                async with transaction(self.sessions) as session:
                    outcome = await _Batch(
                        self, principal, raw_events, checked, now=now, request_id=request_id
                    ).write(session)
                break
            except _ConcurrentReplay:
                continue
        if outcome is None:
            raise Conflict("the same events are being pushed concurrently; push them again")
        for label in outcome.labels:
            self._events.labels(department.value, label).inc()
        for error in outcome.dead_lettered:
            logger.info(
                "event dead-lettered",
                extra={
                    "department": department.value,
                    "code": error.code,
                    "field": error.field,
                    "rate_key": ("event dead-lettered", department.value, error.code),
                },
            )
        await self._announce(outcome.accepted)
        return outcome.results

    def encrypted_subject(self, raw: Any) -> bytes | None:
        """The raw event's subject CPR number encrypted (kept with a dead letter for reprocessing)."""
        cpr = raw.get("subjectCpr") if isinstance(raw, Mapping) else None
        if not isinstance(cpr, str):
            return None
        try:
            return self.vault.encrypt(cpr)
        except ValueError:
            return None

    def _check(self, raw: Any, department: Department, now: datetime) -> _Checked:
        event_id = event_id_of(raw)
        claimed = raw.get("department") if isinstance(raw, Mapping) else None
        if isinstance(claimed, str) and claimed in Department.__members__ and claimed != department.value:
            # Not dead-lettered: the event is not this caller's to push, so nothing of it is kept.
            return _Checked(event_id, error=_FORBIDDEN)
        try:
            event = validate(raw, now=now)
            record = None if event.deleted else parse_wire(self.parsers, event.department, event.record)
        except InvalidEvent as exc:
            return _Checked(event_id, error=exc.error, content_hash=self._content_hash(raw))
        except WireError as exc:
            error = EventError("BAD_USER_INPUT", str(exc), "record")
            return _Checked(event_id, error=error, content_hash=self._content_hash(raw))
        return _Checked(
            event_id,
            event,
            record,
            self.vault.lookup_hash(event.subject_cpr),
            content_hash=self._content_hash(_canonical(event)),
        )

    def _content_hash(self, content: Any) -> str | None:
        """A keyed hash of an event's content (it holds a CPR number), or None if it cannot be serialised."""
        try:
            data = orjson.dumps(content, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str)
        except (orjson.JSONEncodeError, TypeError):
            return None
        return self.vault.content_digest(data)

    async def _announce(self, accepted: Sequence[_Accepted]) -> None:
        """Store and publish the APPLIED events (hub/ingestion/feed.py: each gets its resume cursor)."""
        messages = [
            {
                "type": "DEPARTMENT_RECORD",
                "familyId": done.family_id,
                "personId": done.person_id,
                "department": done.event.department.value,
                "recordKind": done.event.record_kind,
                "recordId": done.event.record_id,
                "version": done.event.version,
                "deleted": done.event.deleted,
                "occurredAt": done.event.occurred_at.isoformat(),
                "eventId": done.event.event_id,
            }
            for done in accepted
            if done.status is EventStatus.APPLIED and done.family_id is not None
        ]
        await announce(self.sessions, self.pubsub, messages)


class _Batch:
    """One checked batch written inside the caller's transaction, in a fixed number of statements."""

    def __init__(
        self,
        service: IngestionService,
        principal: Principal,
        raw_events: Sequence[Any],
        checked: Sequence[_Checked],
        *,
        now: datetime,
        request_id: str | None,
    ) -> None:
        assert principal.department is not None  # noqa: S101 - checked by push()
        self.service = service
        self.principal = principal
        self.department = principal.department
        self.raw_events = raw_events
        self.checked = checked
        self.now = now
        self.request_id = request_id
        self.results: dict[int, EventResult] = {}  # position -> result, for every position not a replay
        self.audit: dict[int, AuditEvent] = {}  # position -> its PUSH audit event
        self.event_rows: list[dict[str, Any]] = []
        self.letters: list[dict[str, Any]] = []
        self.dead_lettered: list[EventError] = []

    async def write(self, session: AsyncSession) -> _Outcome:
        ids = {c.event_id for c in self.checked if c.event_id is not None}
        known = await known_results(session, self.department, ids)
        first: dict[str, int] = {}  # event id -> the position that decides it (later repeats answer the same)
        fresh: list[int] = []  # positions that are not replays
        for i, c in enumerate(self.checked):
            if c.event_id is not None:
                if c.event_id in known or c.event_id in first:
                    earlier = (
                        known[c.event_id].content_hash
                        if c.event_id in known
                        else self.checked[first[c.event_id]].content_hash
                    )
                    if earlier is not None and c.content_hash is not None and earlier != c.content_hash:
                        self._reject(i, _REUSED_ID, log_event=False)  # the id is taken: no event-log row
                    continue
                first[c.event_id] = i
            fresh.append(i)
        hashes = {h for i in fresh if (h := self.checked[i].subject_hash) is not None}
        persons = await persons_by_hash(session, hashes)
        candidates: list[_Candidate] = []
        for i in fresh:
            c = self.checked[i]
            found = persons.get(c.subject_hash) if c.subject_hash is not None else None
            if c.error is not None and c.error.code == _FORBIDDEN.code:
                self._forbidden(i, c)
            elif c.event is None or found is None:
                self._reject(i, c.error or _UNKNOWN_SUBJECT)
            else:
                candidates.append(_Candidate(i, c.event, c.record, found[0], found[1]))
        statuses = await _order(session, candidates, self.now)
        accepted = [self._accept(c, status) for c, status in zip(candidates, statuses, strict=True)]

        if len(await insert_events(session, self.event_rows)) != len(self.event_rows):
            raise _ConcurrentReplay
        await insert_dead_letters(session, self.letters)
        await write_pushed(
            session, [_pushed(a) for a in accepted if a.status is EventStatus.APPLIED], self.now
        )
        await audit_record(session, [self.audit[i] for i in sorted(self.audit)])  # in the order pushed

        results: list[EventResult] = []
        labels: list[str] = []
        for i, c in enumerate(self.checked):
            if i in self.results:
                results.append(self.results[i])
                labels.append(self.results[i].status.value)
            else:  # a replay: of an earlier push, or of an earlier event of this batch
                assert c.event_id is not None  # noqa: S101 - only an event with an id is ever a replay
                results.append(
                    known[c.event_id].result if c.event_id in known else self.results[first[c.event_id]]
                )
                labels.append("replay")
        return _Outcome(results, labels, accepted, self.dead_lettered)

    def _forbidden(self, i: int, checked: _Checked) -> None:
        self.results[i] = EventResult(checked.event_id, EventStatus.REJECTED, _FORBIDDEN)
        self.audit[i] = push_audit(
            self.principal,
            now=self.now,
            request_id=self.request_id,
            department=self.department,
            granted=False,
        )

    def _reject(self, i: int, error: EventError, *, log_event: bool = True) -> None:
        event_id = self.checked[i].event_id
        raw = self.raw_events[i]
        self.results[i] = EventResult(event_id, EventStatus.REJECTED, error)
        self.dead_lettered.append(error)
        self.letters.append(
            dead_letter_row(
                self.department,
                event_id,
                error,
                client=self.principal.client,
                now=self.now,
                payload=masked(raw),
                subject_encrypted=self.service.encrypted_subject(raw),
            )
        )
        if event_id is not None and log_event:
            self.event_rows.append(
                rejected_row(
                    self.department,
                    event_id,
                    error,
                    client=self.principal.client,
                    now=self.now,
                    content_hash=self.checked[i].content_hash,
                )
            )

    def _accept(self, candidate: _Candidate, status: EventStatus) -> _Accepted:
        event = candidate.event
        stored = None if candidate.record is None else to_json(candidate.record)
        self.results[candidate.position] = EventResult(event.event_id, status)
        self.event_rows.append(
            event_row(
                event,
                status,
                candidate.person_id,
                stored,
                client=self.principal.client,
                now=self.now,
                content_hash=self.checked[candidate.position].content_hash,
            )
        )
        self.audit[candidate.position] = push_audit(
            self.principal,
            now=self.now,
            request_id=self.request_id,
            department=event.department,
            person_id=candidate.person_id,
            family_id=candidate.family_id,
            record=candidate.record,
        )
        return _Accepted(event, candidate.person_id, candidate.family_id, status, candidate.record, stored)


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A valid event of a known subject, not a replay: it will be APPLIED or SUPERSEDED."""

    position: int
    event: DepartmentEvent
    record: DepartmentRecord | None
    person_id: str
    family_id: str | None


def _canonical(event: DepartmentEvent) -> dict[str, Any]:
    """What makes two valid events the same event, in one form whichever door they came through."""
    return {
        "department": event.department.value,
        "subjectCpr": event.subject_cpr,
        "recordKind": event.record_kind,
        "recordId": event.record_id,
        "version": event.version,
        "occurredAt": event.occurred_at.astimezone(UTC).isoformat(),
        "deleted": event.deleted,
        "record": event.record,
    }


def _pushed(accepted: _Accepted) -> PushedEntry:
    event = accepted.event
    return PushedEntry(
        accepted.person_id,
        event.department,
        accepted.stored,
        event.record_kind,
        event.record_id,
        event.version,
        accepted.record,
    )


async def _order(session: AsyncSession, candidates: Sequence[_Candidate], now: datetime) -> list[EventStatus]:
    """APPLIED or SUPERSEDED per candidate, as if the batch were applied one event after another."""
    claims: dict[RecordKey, VersionClaim] = {}
    for c in candidates:
        key = (c.event.department, c.event.record_kind, c.event.record_id)
        best = claims.get(key)
        if best is None or c.event.version > best.version:  # the first event with the highest version
            claims[key] = VersionClaim(key, c.event.version, c.person_id, c.event.deleted)
    newest = await claim_versions(session, claims.values(), now)
    statuses: list[EventStatus] = []
    for c in candidates:
        key = (c.event.department, c.event.record_kind, c.event.record_id)
        seen = newest[key]
        if seen is None or c.event.version > seen:
            newest[key] = c.event.version
            statuses.append(EventStatus.APPLIED)
        else:
            statuses.append(EventStatus.SUPERSEDED)
    return statuses
